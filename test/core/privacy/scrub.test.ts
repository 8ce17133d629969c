import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLACEHOLDER, scrub, withoutDataMentions, withoutPlaceholders } from '../../../src/core/privacy/scrub.js';
import { HOSTILE_MESSAGES } from '../../../src/cli/lib/hostile-messages.js';

interface Case {
  input: string;
  mustNotContain: string[];
  mustContain: string[];
}

const corpus: Case[] = readFileSync(new URL('../../fixtures/scrub-corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Case);

/** Digits with the separators citizens type between them removed: "0912 345.678" → "0912345678". */
const joinDigits = (s: string) => s.replace(/(\d)[\s.\-()]+(?=\d)/g, '$1');

describe('scrub corpus', () => {
  it('has at least 60 realistic messages, with and without diacritics', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(corpus.filter((c) => !/[à-ỹđÀ-ỸĐ]/u.test(c.input)).length).toBeGreaterThanOrEqual(8);
  });

  it.each(corpus.map((c) => [c.input, c] as const))('%s', (_input, c) => {
    const out = scrub(c.input).text;
    for (const bad of c.mustNotContain) {
      expect(out, `"${bad}" must be gone`).not.toContain(bad);
      // The same digits typed with other separators must not survive either.
      if (/\d{4}/.test(joinDigits(bad))) expect(joinDigits(out)).not.toContain(joinDigits(bad).replace(/\D/g, '').slice(-8));
    }
    for (const good of c.mustContain) expect(out, `"${good}" must stay`).toContain(good);
    // Idempotent: the statistics sink scrubs scrubbed text again.
    expect(scrub(out).text).toBe(out);
  });

  it('reports what it found', () => {
    const r = scrub('sdt 0912345678, cccd 001203004567, otp 123456, mk: Abc@123');
    expect([...r.found].sort()).toEqual(['code', 'id', 'password', 'phone']);
    expect(scrub('đăng ký mức 2 ở đâu').found.size).toBe(0);
  });

  it('withoutPlaceholders removes every placeholder', () => {
    const all = Object.values(PLACEHOLDER).join(' x ');
    expect(withoutPlaceholders(all).replace(/\s+/g, ' ').trim()).toBe(Array(Object.keys(PLACEHOLDER).length - 1).fill('x').join(' '));
  });

  // How fast is measured by `npm run bench` (scrub row); here, catastrophic backtracking would
  // take minutes on these inputs and so overrun the test's time limit, whatever the machine's load.
  it('handles hostile 2 000-character messages (no catastrophic backtracking)', () => {
    for (const h of HOSTILE_MESSAGES) {
      const { text } = scrub(h);
      expect(text.length, h.slice(0, 20)).toBeGreaterThan(0);
      expect(text.length, h.slice(0, 20)).toBeLessThanOrEqual(h.length + 200);
    }
  }, 30_000);

  it('never throws on odd input', () => {
    expect(scrub('').text).toBe('');
    expect(scrub(undefined as unknown as string).text).toBe('');
    expect(scrub('[SĐT] [MẬT KHẨU] mk [MẬT KHẨU]').text).toBe('[SĐT] [MẬT KHẨU] mk [MẬT KHẨU]');
    expect(() => scrub('1'.repeat(5000) + ' mật khẩu là ' + 'a'.repeat(5000))).not.toThrow();
  });
});

describe('scrubbing again', () => {
  it('the same message twice (the second from the cache of clean texts) is scrubbed the same; scrubbed text stays as it is', () => {
    for (const { input } of corpus) {
      const first = scrub(input);
      const again = scrub(input);
      expect(again.text).toBe(first.text);
      expect([...again.found].sort()).toEqual([...first.found].sort());
      expect(scrub(first.text).text).toBe(first.text);
      expect(scrub(first.text).text).toBe(first.text);
    }
  });
});

describe('withoutDataMentions', () => {
  it.each([
    ['số cccd 001203004567 sđt 0912345678, giúp tôi kích hoạt', ', giúp tôi kích hoạt'],
    ['so cccd cua toi la 001203004567 giup kich hoat vneid', 'giup kich hoat vneid'],
    ['mã otp là 482913 nhập vào đâu', 'nhập vào đâu'],
    ['em là Nguyễn Văn An, muốn kích hoạt tài khoản', ', muốn kích hoạt tài khoản'],
    // A word that is not a label stops the removal: "cho" stays, and so does what comes before it.
    ['kích hoạt tài khoản cho số 0912345678 được không', 'kích hoạt tài khoản cho được không'],
    ['tôi quên mật khẩu rồi', 'tôi quên mật khẩu rồi'],
  ])('%s → %s', (input, expected) => {
    expect(withoutDataMentions(scrub(input).text).replace(/\s+/g, ' ').trim()).toBe(expected);
  });
});
