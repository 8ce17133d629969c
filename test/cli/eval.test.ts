import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

function evaluate(file: string) {
  return spawnSync('npm', ['run', '--silent', 'eval', '--', file, '--misses'], { cwd: root, encoding: 'utf8', timeout: 110_000 });
}

describe('npm run eval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eval-'));

  it('labelled questions: top-1, one tap, rank-1 and the baseline; out-of-scope rejected; misses listed', () => {
    const file = join(dir, 'questions.jsonl');
    writeFileSync(file, ['{"q": "quên passcode", "accept": ["faq-forgot-passcode"]}', '{"q": "quên passcode", "accept": ["faq-otp"]}', '{"q": "giá vàng hôm nay", "accept": []}'].join('\n') + '\n');
    const r = evaluate(file);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('trong phạm vi (2): đúng top-1  50.0 %');
    expect(r.stdout).toContain('ngoài phạm vi (1): từ chối 100.0 %');
    expect(r.stdout).toContain('✗ "quên passcode" → faq-forgot-passcode');
  }, 120_000);

  it('small-talk files: small talk recognised as its kind, questions still questions', () => {
    const file = join(dir, 'smalltalk.jsonl');
    writeFileSync(file, ['{"q": "cảm ơn ạ", "kind": "thanks"}', '{"q": "tạm biệt", "kind": "thanks"}', '{"q": "cảm ơn, cho hỏi đổi sđt", "kind": null}'].join('\n') + '\n');
    const r = evaluate(file);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('xã giao (2): nhận ra đúng loại  50.0 % | câu hỏi (1): vẫn là câu hỏi 100.0 %');
    expect(r.stdout).toContain('✗ "tạm biệt" → bye, cần thanks');
  }, 120_000);

  it('emergency files: emergencies given the numbers they need, other messages left alone', () => {
    const file = join(dir, 'emergency.jsonl');
    writeFileSync(file, ['{"q": "nhà đang có trộm", "numbers": ["113"]}', '{"q": "cháy nhà cứu với", "numbers": ["115"]}', '{"q": "app chạy chậm", "numbers": []}'].join('\n') + '\n');
    const r = evaluate(file);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('khẩn cấp (2): nhận ra, đủ số cần gọi  50.0 % | không khẩn cấp (1): để yên 100.0 %');
    expect(r.stdout).toContain('✗ "cháy nhà cứu với" → 114, cần 115');
  }, 120_000);
});
