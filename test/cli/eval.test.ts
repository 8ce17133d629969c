import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'eval-'));
let files = 0;

/** A file of the given lines (objects as JSON) in a fresh folder. */
function fileOf(lines: readonly (object | string)[], ext = '.jsonl') {
  const file = join(dir, `labelled-${++files}${ext}`);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

const run = (...files: string[]) => spawnSync('npm', ['run', '--silent', 'eval', '--', ...files, '--misses'], { cwd: root, encoding: 'utf8', timeout: 110_000 });

/** `npm run eval -- FILE --misses` over a file of the given lines. */
const evaluate = (lines: readonly object[]) => run(fileOf(lines));

describe('npm run eval', () => {
  it.each([
    {
      what: 'labelled questions: top-1, one tap, rank-1 and the baseline; out-of-scope rejected; misses listed',
      lines: [{ q: 'quên passcode', accept: ['faq-forgot-passcode'] }, { q: 'quên passcode', accept: ['faq-otp'] }, { q: 'giá vàng hôm nay', accept: [] }],
      shows: ['trong phạm vi (2): đúng top-1  50.0 %', 'ngoài phạm vi (1): từ chối 100.0 %', '✗ "quên passcode" → faq-forgot-passcode'],
    },
    {
      what: 'small-talk files: small talk recognised as its kind, questions still questions',
      lines: [{ q: 'cảm ơn ạ', kind: 'thanks' }, { q: 'tạm biệt', kind: 'thanks' }, { q: 'cảm ơn, cho hỏi đổi sđt', kind: null }],
      shows: ['xã giao (2): nhận ra đúng loại  50.0 % | câu hỏi (1): vẫn là câu hỏi 100.0 %', '✗ "tạm biệt" → bye, cần thanks'],
    },
    {
      what: 'emergency files: emergencies given the numbers they need, other messages left alone',
      lines: [{ q: 'nhà đang có trộm', numbers: ['113'] }, { q: 'cháy nhà cứu với', numbers: ['115'] }, { q: 'app chạy chậm', numbers: [] }],
      shows: ['khẩn cấp (2): nhận ra, đủ số cần gọi  50.0 % | không khẩn cấp (1): để yên 100.0 %', '✗ "cháy nhà cứu với" → 114, cần 115'],
    },
  ])('$what', ({ lines, shows }) => {
    const r = evaluate(lines);
    expect(r.status).toBe(0);
    for (const text of shows) expect(r.stdout).toContain(text);
  }, 120_000);

  it('a .txt file is a list of out-of-scope questions: only their rejection is reported', () => {
    const r = run(fileOf(['giá vàng hôm nay', 'quên passcode'], '.txt'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ngoài phạm vi (2): từ chối  50.0 %');
    expect(r.stdout).toContain('✗ "quên passcode" → faq-forgot-passcode');
    expect(r.stdout).not.toContain('trong phạm vi');
  }, 120_000);

  it('a file it cannot read is named with the reason, the others are still reported, and the run fails', () => {
    const plain = fileOf(['quên passcode thì làm sao']);
    const missing = join(dir, 'no-such-file.jsonl');
    const good = fileOf([{ q: 'quên passcode', accept: ['faq-forgot-passcode'] }]);
    const r = run(plain, missing, good);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Bỏ qua ${plain}: dòng đầu không phải JSON`);
    expect(r.stderr).toContain(`Bỏ qua ${missing}: không có tệp này`);
    expect(r.stdout).toContain('trong phạm vi (1): đúng top-1 100.0 %');
  }, 120_000);
});
