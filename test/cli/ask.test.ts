import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AskRow } from '../../src/cli/lib/ask-row.js';

const root = new URL('../../', import.meta.url).pathname;


function ask(input: string | Buffer) {
  const r = spawnSync('npm', ['run', '--silent', 'ask', '--', '--json'], { cwd: root, input, encoding: 'utf8', timeout: 110_000 });
  return { ...r, rows: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AskRow) };
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
      expect(Object.keys(row).slice(0, 5)).toEqual(['q', 'id', 'score', 'alternatives', 'suggest']);
      if (row.intent) expect(['emergency', 'smalltalk']).toContain(row.intent);
      expect(row.score).toBeGreaterThanOrEqual(0);
      expect(row.score).toBeLessThanOrEqual(1);
      expect(row.alternatives.length).toBeLessThanOrEqual(3);
    }
  }, 120_000);

  it('keeps going through invalid UTF-8 and handles 1,000 questions', () => {
    const body = Buffer.concat([Buffer.from('kich hoat muc 2\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('quen mat khau\n'.repeat(998))]);
    const r = spawnSync('npm', ['run', '--silent', 'ask', '--', '--json'], { cwd: root, input: body, encoding: 'utf8', timeout: 110_000 });
    const rows = r.stdout.split('\n').filter(Boolean);
    expect(r.status).toBe(0);
    expect(rows).toHaveLength(1000);
    expect(JSON.parse(rows[999]!).id).toBe('faq-forgot-password');
  }, 120_000);

  it('emergencies and small talk: id null and their intent; personal data removed before matching', () => {
    const lines = ['nhà đang có trộm', 'chay nha cuu voi', 'cứu với', 'cam on chau nhe', 'tạm biệt', 'cảnh báo lừa đảo', 'ma otp la 482913 nhap vao dau', 'ma otp la nhap vao dau'];
    const r = ask(lines.join('\n') + '\n');
    expect(r.status).toBe(0);
    expect(r.rows.map((x) => x.intent ?? null)).toEqual(['emergency', 'emergency', 'emergency', 'smalltalk', 'smalltalk', null, null, null]);
    for (const row of r.rows.slice(0, 5)) expect(row).toMatchObject({ id: null, suggest: [] });
    // The number is read as if it were not there.
    const { q: _a, ...withNumber } = r.rows[6]!;
    const { q: _b, ...without } = r.rows[7]!;
    expect(withNumber).toEqual(without);
  }, 120_000);

  it('a scam emergency: the scam-warning entry the bot shows after the numbers', () => {
    const r = ask('vừa bị lừa chuyển khoản\ncó người gọi xưng công an bắt tôi chuyển tiền\n');
    expect(r.status).toBe(0);
    for (const row of r.rows) expect(row).toMatchObject({ intent: 'emergency', id: 'faq-scam', score: 1, suggest: [] });
  }, 120_000);

  it('suggest: empty when it answers; when it does not, up to 3 ids, the best first', () => {
    const lines = readFileSync(new URL('../fixtures/out-of-scope.txt', import.meta.url), 'utf8').split('\n').filter(Boolean);
    const r = ask([...lines, 'kich hoat', 'mat khau', 'tich hop', 'muc 2', 'the bhyt', 'dang nhap'].join('\n') + '\n');
    expect(r.status).toBe(0);
    for (const row of r.rows) {
      if (row.id !== null) expect(row.suggest).toEqual([]);
      expect(row.suggest.length).toBeLessThanOrEqual(3);
      if (row.suggest.length > 0) expect(row.suggest).toEqual([...new Set([row.suggest[0], ...row.alternatives])].slice(0, row.suggest.length));
    }
  }, 120_000);

  it('a reader that stops early (| head -1) ends the run quietly, exit 0', async () => {
    // tsx directly (not npm), so the exit code and stderr are ask's own.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/ask.ts', '--json'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Enough lines that ask writes many times after the reader has gone; once ask exits, the rest
    // of them cannot be written (EPIPE on our side too, expected).
    child.stdin.on('error', () => {});
    child.stdin.end('kich hoat vneid\n'.repeat(20_000));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  }, 120_000);
});
