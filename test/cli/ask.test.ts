import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

const root = new URL('../../', import.meta.url).pathname;

function ask(input: string | Buffer) {
  const r = spawnSync('npm', ['run', '--silent', 'ask', '--', '--json'], { cwd: root, input, encoding: 'utf8', timeout: 60_000 });
  return { ...r, rows: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { q: string; id: string | null; score: number; alternatives: string[] }) };
}

describe('npm run --silent ask -- --json', () => {
  it('one JSON object per input line, in order, nothing else on stdout', () => {
    const lines = ['tich hop bhyt sao', '', 'giá vàng hôm nay', '001099012345', '😀', 'a'.repeat(10_000), 'quên passcode'];
    const r = ask(lines.join('\n') + '\n');
    expect(r.status).toBe(0);
    expect(r.rows.map((x) => x.q)).toEqual(lines);
    expect(r.rows[0]!.id).toBe('integrate-bhyt');
    expect(r.rows[1]!.id).toBeNull();
    expect(r.rows[2]!.id).toBeNull();
    expect(r.rows[3]!.id).toBeNull();
    expect(r.rows[6]!.id).toBe('faq-forgot-passcode');
    for (const row of r.rows) {
      expect(Object.keys(row)).toEqual(['q', 'id', 'score', 'alternatives']);
      expect(row.score).toBeGreaterThanOrEqual(0);
      expect(row.score).toBeLessThanOrEqual(1);
      expect(row.alternatives.length).toBeLessThanOrEqual(3);
    }
  });

  it('keeps going through invalid UTF-8 and handles 1,000 questions', () => {
    const body = Buffer.concat([Buffer.from('kich hoat muc 2\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('quen mat khau\n'.repeat(998))]);
    const r = spawnSync('npm', ['run', '--silent', 'ask', '--', '--json'], { cwd: root, input: body, encoding: 'utf8', timeout: 60_000 });
    const rows = r.stdout.split('\n').filter(Boolean);
    expect(r.status).toBe(0);
    expect(rows).toHaveLength(1000);
    expect(JSON.parse(rows[999]!).id).toBe('faq-forgot-password');
  });
});
