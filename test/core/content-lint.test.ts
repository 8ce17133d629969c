import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { ZodError } from 'zod';
import { entrySchema, type Entry } from '../../src/core/content/schema.js';
import { cutByComment, readContent } from '../../src/core/content/loader.js';
import { loadScript, type Script } from '../../src/core/dialog/script.js';
import {
  LINT_ERRORS_FAIL,
  countWords,
  foldForMatch,
  formatLintReport,
  lintContent,
  parseRetired,
  recheckLimit,
  splitSentences,
  statedLimits,
  type LintResult,
  type RetiredPhrase,
} from '../../src/core/content/lint.js';
import { tempDir } from '../helpers/engine.js';

const root = new URL('../../', import.meta.url).pathname;
const TODAY = new Date('2026-12-01T09:00:00Z');
const RETIRED: RetiredPhrase[] = [
  { phrase: 'Nghị định 59/2022', why: 'thay bằng Nghị định 69/2024 từ 01/07/2024' },
  { phrase: 'SSO', why: 'người dân không hiểu, viết "đăng nhập một lần"' },
];

/** A valid entry (defaults applied by the schema), changed by `over`. */
function entry(over: Record<string, unknown> = {}): Entry {
  return entrySchema.parse({
    id: 'faq-thu',
    kind: 'faq',
    title: 'Câu hỏi thử',
    // Each entry its own label, so that only the same-label tests have two that read the same.
    label: `Thử ${String(over.id ?? 'faq-thu')}`.slice(0, 20),
    level: 0,
    phrasings: ['một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám'],
    answer: 'Câu trả lời ngắn.',
    sources: ['Nghị định 69/2024/NĐ-CP'],
    checked: '2026-11-01',
    ...over,
  });
}

function guide(steps: unknown[]): Entry {
  return entry({ id: 'guide-thu', kind: 'guide', steps });
}

/** A sentence of exactly n words. */
function words(n: number, first = 'Bạn'): string {
  return [first, ...Array.from({ length: n - 1 }, () => 'bấm')].join(' ') + '.';
}

const lint = (entries: Entry[], extra: { script?: Script; retired?: RetiredPhrase[]; today?: Date } = {}): LintResult =>
  lintContent({ entries, retired: extra.retired ?? RETIRED, today: extra.today ?? TODAY, ...(extra.script ? { script: extra.script } : {}) });

describe('same-label', () => {
  const a = entry({ id: 'faq-doi-may', label: 'Đổi điện thoại' });
  const b = entry({ id: 'l1-xac-thuc', label: 'đổi  điện thoại!' });
  const c = entry({ id: 'faq-dvc', label: 'Vào Dịch vụ công' });
  const d = entry({ id: 'l1-dvc', label: 'Dịch vụ công' });

  it('finds two labels that read the same, folded, on the second entry', () => {
    const found = lint([a, b, c, d]).findings.filter((f) => f.rule === 'same-label');
    expect(found).toEqual([expect.objectContaining({ file: 'entries/l1-xac-thuc.yaml', field: 'label' })]);
    expect(found[0]!.reason).toContain('faq-doi-may');
  });

  it('compares them as the matcher reads them when told how (function words left out)', () => {
    const readAs = (text: string) => foldForMatch(text).replace(/[^a-z ]/g, '').split(' ').filter((w) => w && w !== 'vao').join(' ');
    const found = lintContent({ entries: [a, c, d], retired: RETIRED, today: TODAY, readAs }).findings.filter((f) => f.rule === 'same-label');
    expect(found.map((f) => f.file)).toEqual(['entries/l1-dvc.yaml']);
  });
});

describe('splitSentences and countWords', () => {
  it('splits at . ! ? ; …, at line breaks and at list items', () => {
    const text = 'Một hai. Ba bốn! Năm? Sáu; bảy… Tám\n- Chín mười\n2. Mười một\n3) Mười hai';
    expect(splitSentences(text)).toEqual(['Một hai.', 'Ba bốn!', 'Năm?', 'Sáu;', 'bảy…', 'Tám', 'Chín mười', 'Mười một', 'Mười hai']);
  });

  it('keeps version numbers, amounts, dates, phone numbers, asides and quoted endings inside one sentence', () => {
    const s = 'Bản 2.2.6 cho 100.000 đồng từ 01/7/2024, gọi 1900 0368 (họ tên, ngày sinh...) rồi bấm "Xong." Câu sau.';
    expect(splitSentences(s)).toEqual(['Bản 2.2.6 cho 100.000 đồng từ 01/7/2024, gọi 1900 0368 (họ tên, ngày sinh...) rồi bấm "Xong."', 'Câu sau.']);
  });

  it('counts words, not arrows or dashes', () => {
    expect(countWords('"Ví giấy tờ" → "Tích hợp giấy tờ" - xong')).toBe(8);
    expect(countWords(' → - ')).toBe(0);
  });
});

describe('lintContent: sentences over 35 words', () => {
  it('accepts 35 words and flags 36, naming file, field and the sentence start', () => {
    expect(lint([entry({ answer: words(35) })]).findings).toEqual([]);
    const { findings } = lint([entry({ answer: `Ngắn thôi.\n${words(36, 'Dài')}` })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'long-sentence', file: 'entries/faq-thu.yaml', field: 'answer' });
    expect(findings[0]!.reason).toContain('36 từ');
    expect(findings[0]!.reason).toContain('"Dài bấm bấm bấm bấm bấm bấm bấm…"');
  });

  it('checks step texts and problem answers, and dialog.yaml messages', () => {
    const g = guide([
      { text: words(40), problems: [{ label: 'Lỗi', answer: words(38) }] },
      { text: 'Xong.', plain: true },
    ]);
    expect(lint([g]).findings.map((f) => f.field)).toEqual(['steps.0.text', 'steps.0.problems.0.answer']);

    const script = loadScript();
    const long = { ...script, messages: { ...script.messages, notFound: words(36) } };
    const found = lint([], { script: long }).findings;
    expect(found).toEqual([expect.objectContaining({ rule: 'long-sentence', file: 'dialog.yaml', field: 'messages.notFound' })]);

    // Grouped messages (e.g. small talk replies) are read too, named by their path.
    const grouped = { ...script, messages: { ...script.messages, nhom: { cuoi: words(37) } } } as unknown as Script;
    expect(lint([], { script: grouped }).findings.map((f) => f.field)).toEqual(['messages.nhom.cuoi']);
  });

  it('does not count button labels or citizens\' phrasings as sentences', () => {
    const e = entry({ phrasings: [words(40), 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám'] });
    expect(lint([e]).findings).toEqual([]);
  });
});

describe('lintContent: walkthrough steps without problems', () => {
  it('flags a step without problems and says how to mark a plain confirmation step', () => {
    const { findings } = lint([guide([{ text: 'Mở ứng dụng.' }, { text: 'Bấm "Đăng nhập".', problems: [{ label: 'Quên mật khẩu', faq: 'faq-thu' }] }])]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'step-without-problems', file: 'entries/guide-thu.yaml', field: 'steps.0.problems' });
    expect(findings[0]!.reason).toContain('plain: true');
  });

  it('accepts a step marked plain: true', () => {
    expect(lint([guide([{ text: 'Mở ứng dụng.', problems: [{ label: 'Lỗi', answer: 'Cập nhật ứng dụng.' }] }, { text: 'Xong.', plain: true }])]).findings).toEqual([]);
  });
});

describe('lintContent: retired phrases', () => {
  it('finds a phrase whatever its case and diacritics, across a line break', () => {
    const { findings } = lint([entry({ answer: 'Miễn phí theo NGHI DINH\n59/2022.' })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'retired-phrase', field: 'answer' });
    expect(findings[0]!.reason).toContain('"Nghị định 59/2022"');
    expect(findings[0]!.reason).toContain('Nghị định 69/2024');
  });

  it('matches whole words only', () => {
    expect(lint([entry({ answer: 'Theo Nghị định 159/2022 và lớp ssoft.' })]).findings).toEqual([]);
  });

  it('looks in everything the bot says (titles, steps, problems, choices, dialog) but not in phrasings or keywords', () => {
    const g = entry({
      id: 'guide-thu',
      kind: 'guide',
      title: 'Đăng nhập SSO',
      phrasings: ['sso là gì', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám'],
      keywords: ['sso'],
      steps: [
        { text: 'Chọn SSO.', choices: [{ label: 'Có SSO', branch: 'co' }, { label: 'Không', branch: 'khong' }], problems: [{ label: 'Lỗi SSO', answer: 'Thử SSO.' }] },
        { text: 'Xong.', only: 'co', plain: true },
        { text: 'Xong.', only: 'khong', plain: true },
      ],
    });
    const fields = lint([g]).findings.map((f) => f.field);
    expect(fields).toEqual(['title', 'steps.0.text', 'steps.0.problems.0.label', 'steps.0.problems.0.answer', 'steps.0.choices.0.label']);

    const script = loadScript();
    const bad = { ...script, messages: { ...script.messages, sensitive: 'Đừng bao giờ gửi số định danh cho ai.' } };
    const found = lint([], { script: bad, retired: [{ phrase: 'đừng bao giờ gửi số định danh', why: 'số định danh vẫn phải đưa cho Công an' }] }).findings;
    expect(found).toEqual([expect.objectContaining({ rule: 'retired-phrase', file: 'dialog.yaml', field: 'messages.sensitive' })]);
  });
});

describe('lintContent: the version hedge', () => {
  it('accepts it once per answer and flags it twice, in any spelling', () => {
    expect(lint([entry({ answer: 'Bấm "Cá nhân" (tên mục có thể khác tùy phiên bản).' })]).findings).toEqual([]);
    const twice = 'Bấm "Cá nhân" (tên mục có thể khác tùy phiên bản). Rồi "Đổi" (tên ô có thể khác tuỳ phiên bản ứng dụng).';
    const { findings } = lint([entry({ answer: twice })]);
    expect(findings).toEqual([expect.objectContaining({ rule: 'repeated-hedge', field: 'answer' })]);
    expect(findings[0]!.reason).toContain('2 lần');
  });
});

describe('lintContent: entries to re-check', () => {
  it('lists entries without sources, without a checked date, or checked more than 12 months ago', () => {
    const { recheck, findings } = lint([
      entry({ id: 'faq-khong-nguon', sources: [] }),
      entry({ id: 'faq-khong-ngay', checked: undefined }),
      entry({ id: 'faq-cu', checked: '2025-11-30' }),
      entry({ id: 'faq-vua-du', checked: '2025-12-01' }),
      entry({ id: 'faq-moi' }),
    ]);
    expect(findings).toEqual([]);
    expect(recheck.map((n) => `${n.file} ${n.field}`)).toEqual([
      'entries/faq-khong-nguon.yaml sources',
      'entries/faq-khong-ngay.yaml checked',
      'entries/faq-cu.yaml checked',
    ]);
    expect(recheck[2]!.reason).toContain('2025-11-30');
  });

  it('lists an answer whose stated time limit has passed, the day after it', () => {
    const halved = entry({ id: 'faq-phi', answer: 'Đến hết 31/12/2026 đang thu một nửa: 25.000 đồng.' });
    const free = guide([{ text: 'Mở mục Thủ tục.', problems: [], plain: true }, { text: 'Nộp hồ sơ.', problems: [{ label: 'Lệ phí', keywords: ['le phi'], answer: 'Được miễn đến 28/02/2027 nếu đủ điều kiện.' }] }]);
    const since = entry({ id: 'faq-cmnd', answer: 'Chứng minh nhân dân đã hết giá trị từ 01/01/2025.' });
    const notices = (day: string) => lint([halved, free, since], { today: new Date(day) }).recheck.map((n) => `${n.file} ${n.field}`);
    expect(notices('2026-12-31T23:00:00Z')).toEqual([]);
    expect(notices('2027-01-01T00:30:00Z')).toEqual(['entries/faq-phi.yaml answer']);
    expect(notices('2027-03-01T08:00:00Z')).toEqual(['entries/faq-phi.yaml answer', 'entries/guide-thu.yaml steps.1.problems.0.answer']);
    const [notice] = lint([halved], { today: new Date('2027-01-02') }).recheck;
    expect(notice!.reason).toContain('"Đến hết 31/12/2026"');
  });

  it('reads the ways a limit is written, and not a date that says since when', () => {
    expect(statedLimits('giảm 50% đến hết ngày 31/12/2026').map((l) => l.day)).toEqual(['2026-12-31']);
    expect(statedLimits('miễn tới 5/3/2027, rồi thu đủ').map((l) => l.day)).toEqual(['2027-03-05']);
    expect(statedLimits('đến hết năm 2026 và đến hết 2027').map((l) => l.day)).toEqual(['2026-12-31', '2027-12-31']);
    expect(statedLimits('từ 15/8/2026, có hiệu lực ngày 01/7/2026; hạn 2 năm')).toEqual([]);
  });

  it('computes the limit from the UTC day', () => {
    expect(recheckLimit(new Date('2026-12-01T23:30:00Z'))).toBe('2025-12-01');
    expect(recheckLimit(new Date('2026-03-31T00:00:00Z'))).toBe('2025-03-31');
  });
});

describe('formatLintReport: LINT_ERRORS_FAIL', () => {
  const result: LintResult = {
    findings: [
      { rule: 'long-sentence', file: 'entries/a.yaml', field: 'answer', reason: 'câu dài 40 từ' },
      { rule: 'retired-phrase', file: 'entries/b.yaml', field: 'answer', reason: 'cụm từ đã bỏ "SSO"' },
    ],
    recheck: [{ file: 'entries/a.yaml', field: 'checked', reason: 'chưa ghi ngày kiểm tra lần cuối' }],
  };

  it('while false: findings are warnings on stdout and do not fail', () => {
    const r = formatLintReport(result, false);
    expect(r.failed).toBe(false);
    expect(r.stderr).toEqual([]);
    expect(r.stdout).toContain('cảnh báo: entries/a.yaml: answer: câu dài 40 từ');
    expect(r.stdout).toContain('cần kiểm tra lại: entries/a.yaml: checked: chưa ghi ngày kiểm tra lần cuối');
    expect(r.summary).toMatch(/^Kiểm tra câu chữ: 2 cảnh báo \(câu quá 35 từ: 1, bước không có lỗi hay gặp: 0, cụm từ đã bỏ: 1, ghi chú phiên bản lặp: 0, nhãn đọc giống nhau: 0\); 1 mục cần kiểm tra lại/);
  });

  it('when true: findings are errors on stderr and fail; re-check notices never fail', () => {
    const r = formatLintReport(result, true);
    expect(r.failed).toBe(true);
    expect(r.stderr).toEqual(['lỗi: entries/a.yaml: answer: câu dài 40 từ', 'lỗi: entries/b.yaml: answer: cụm từ đã bỏ "SSO"']);
    expect(r.stdout).toEqual(['cần kiểm tra lại: entries/a.yaml: checked: chưa ghi ngày kiểm tra lần cuối']);
    expect(r.summary).toContain('2 lỗi');
    expect(formatLintReport({ findings: [], recheck: result.recheck }, true).failed).toBe(false);
  });

  it('defaults to LINT_ERRORS_FAIL', () => {
    expect(formatLintReport(result).failed).toBe(LINT_ERRORS_FAIL);
  });
});

describe('content/retired.yaml', () => {
  it('is valid, and each phrase says why', () => {
    const phrases = parseRetired(parseYaml(readFileSync(join(root, 'content/retired.yaml'), 'utf8')));
    expect(phrases.map((p) => p.phrase)).toEqual(expect.arrayContaining(['Nghị định 59/2022', 'Công an không gọi điện', 'đăng nhập bằng số điện thoại']));
  });

  it('rejects a phrase without a reason, unknown fields and duplicates that differ only in diacritics', () => {
    const issues = (raw: unknown) => {
      try {
        parseRetired(raw);
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(ZodError);
        return (err as ZodError).issues.map((i) => i.path.join('.'));
      }
    };
    expect(issues({ phrases: [{ phrase: 'Nghị định 59/2022' }] })).toEqual(['phrases.0.why']);
    expect(issues({ phrases: [{ phrase: 'Nghị định 59/2022', why: 'đã thay bằng Nghị định 69/2024', note: 'x' }] })).toEqual(['phrases.0']);
    expect(
      issues({ phrases: [{ phrase: 'Công an không gọi điện', why: 'bot này là Công an xã' }, { phrase: 'cong an KHONG goi dien', why: 'bot này là Công an xã' }] }),
    ).toEqual(['phrases.1.phrase']);
    expect(issues({ phrases: [] })).toEqual(['phrases']);
  });
});

describe('the glossary (term-* entries)', () => {
  const { base } = readContent();
  const terms = base.entries.filter((e) => e.kind === 'term');

  it('has the nine contract ids, each passing every rule with sources and a recent check', () => {
    expect(terms.map((t) => t.id).sort()).toEqual(
      ['term-can-cuoc-dien-tu', 'term-dinh-danh', 'term-muc-1', 'term-muc-2', 'term-nfc', 'term-otp', 'term-passcode', 'term-so-dinh-danh', 'term-vi-giay-to'],
    );
    const retired = parseRetired(parseYaml(readFileSync(join(root, 'content/retired.yaml'), 'utf8')));
    const result = lintContent({ entries: terms, retired, today: new Date() });
    expect(result.findings).toEqual([]);
    expect(result.recheck).toEqual([]);
  });

  it('opens each answer with a definition of at most 25 words, then points to a guide or FAQ', () => {
    for (const t of terms) {
      const first = splitSentences(t.answer)[0]!;
      expect(first, t.id).toMatch(/ là /);
      expect(countWords(first), t.id).toBeLessThanOrEqual(25);
      expect(t.level, t.id).toBe(0);
      expect(t.related.length, t.id).toBeGreaterThan(0);
      expect(t.related.every((id) => !id.startsWith('term-')), t.id).toBe(true);
    }
  });
});

describe('npm run content:check runs the lint', () => {
  const check = (dir: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/content-check.ts'), dir], { cwd: root, encoding: 'utf8', timeout: 60_000 });

  it('reports a long sentence as LINT_ERRORS_FAIL says, with a summary line; a bad retired.yaml is always an error', () => {
    const tmp = tempDir();
    try {
      const dir = join(tmp.dir, 'content');
      cpSync(join(root, 'content'), dir, { recursive: true });
      const file = join(dir, 'entries/term-otp.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^answer: \|\n/m, `answer: |\n  ${words(40, 'Rất')}\n`));

      const r = check(dir);
      const line = `entries/term-otp.yaml: answer: câu dài 40 từ (tối đa 35), hãy tách ra: "Rất bấm bấm bấm bấm bấm bấm bấm…"`;
      expect(r.stdout).toMatch(/^Kiểm tra câu chữ: \d+ (lỗi|cảnh báo) \(câu quá 35 từ: [1-9]/m);
      if (LINT_ERRORS_FAIL) {
        expect(r.stderr).toContain(`lỗi: ${line}`);
        expect(r.status).toBe(1);
      } else {
        expect(r.stdout).toContain(`cảnh báo: ${line}`);
      }

      writeFileSync(join(dir, 'retired.yaml'), 'phrases:\n  - phrase: Nghị định 59/2022\n');
      const bad = check(dir);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/^retired\.yaml: phrases\.0\.why: /m);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('cutByComment: " #" in an unquoted value starts a YAML comment', () => {
  it('finds the line, in a list item, a key or both', () => {
    const text = ['steps:', '  - text: Ký tự đặc biệt (ví dụ @, #). Nhập lại.', '    label: Mục #2 trong danh sách', '  - Gọi số #4', 'title: Không có dấu thăng'].join('\n');
    expect(cutByComment(text)).toEqual([2, 3, 4]);
  });

  it('leaves quoted values, flow lists, whole-line comments, and "#" inside a | or > block', () => {
    const text = [
      '# ghi chú đầu tệp',
      '  - text: "Ký tự đặc biệt (ví dụ @, #)."',
      "  - 'bấm # để quay lại'",
      '    keywords: [a, b]',
      'answer: |',
      '  Bấm phím # rồi gọi lại.',
      '',
      '  Vẫn trong khối #.',
      'next: x',
      'mã:#4 không cách',
    ].join('\n');
    expect(cutByComment(text)).toEqual([]);
  });
});
