/**
 * Content lint: the writing rules that keep the content readable for a 70-year-old on a small phone
 * and true today (issue 11): no sentence over 35 words, no walkthrough step without known problems,
 * no retired phrase (content/retired.yaml), the version hedge at most once per answer; and a list of
 * entries whose sources must be re-verified. Pure: the caller reads the files and passes today's date.
 */
import { z } from 'zod';
import { foldDiacritics } from '../text/vietnamese.js';
import { tokenize } from '../text/normalize.js';
import type { Entry } from './schema.js';
import type { Script } from '../dialog/script.js';

/**
 * While false, lint findings are printed as warnings ("cảnh báo") and do not change the exit code of
 * content:check, so that the entries being rewritten to these rules do not break everyone's checks.
 * The integrator sets it to true once the content is clean: then every finding is an error (exit 1).
 */
export const LINT_ERRORS_FAIL = true;

export const SENTENCE_WORDS_MAX = 35;
/** An entry whose `checked` date is older than this is listed for re-verification. */
export const RECHECK_AFTER_MONTHS = 12;
/** The app-version hedge, said once per answer at most (22 times in 20 entries made it noise). */
export const VERSION_HEDGE = 'tên mục có thể khác tùy phiên bản';

export const retiredSchema = z
  .object({
    phrases: z
      .array(
        z
          .object({
            phrase: z.string().trim().min(3, 'cụm từ quá ngắn (ít nhất 3 ký tự)'),
            why: z.string().trim().min(10, 'ghi rõ vì sao bỏ và nên viết gì thay'),
          })
          .strict(),
      )
      .min(1, 'cần ít nhất một cụm từ'),
  })
  .strict()
  .superRefine((r, ctx) => {
    const seen = new Map<string, number>();
    r.phrases.forEach((p, i) => {
      const key = foldForMatch(p.phrase);
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['phrases', i, 'phrase'], message: `trùng với phrases.${first} (không kể hoa/thường, dấu)` });
      } else seen.set(key, i);
    });
  });

export type RetiredPhrase = z.infer<typeof retiredSchema>['phrases'][number];

/** Validates the parsed content/retired.yaml; throws a ZodError naming each bad field. */
export function parseRetired(raw: unknown): RetiredPhrase[] {
  return retiredSchema.parse(raw).phrases;
}

export type LintRule = 'long-sentence' | 'step-without-problems' | 'retired-phrase' | 'repeated-hedge' | 'same-label';

export interface LintFinding {
  rule: LintRule;
  file: string;
  field: string;
  reason: string;
}

/** An entry officials should re-verify (a notice, never an error). */
export interface RecheckNotice {
  file: string;
  /** 'sources', 'checked', or the text that states a time limit now past ('answer', 'steps.2.problems.0.answer'). */
  field: string;
  reason: string;
}

export interface LintInput {
  entries: readonly Entry[];
  /** dialog.yaml, when it could be read. */
  script?: Script;
  retired: readonly RetiredPhrase[];
  /** Today (UTC day): entries checked more than RECHECK_AFTER_MONTHS before it are listed. */
  today: Date;
  /**
   * How the matcher reads a text (normalized content words, function words left out), for
   * 'same-label'. Without it, labels are compared as their folded words.
   */
  readAs?: (text: string) => string;
}

export interface LintResult {
  findings: LintFinding[];
  recheck: RecheckNotice[];
}

/** Lower case, no diacritics, single spaces: how retired phrases and the hedge are compared. */
export function foldForMatch(text: string): string {
  return foldDiacritics(text.normalize('NFC').toLowerCase()).replace(/\s+/g, ' ').trim();
}

// A list item's marker ("- ", "• ", "1. ", "2) ") starts a new sentence and is not a word.
const LIST_MARKER = /^\s*(?:[-*•+]|\d{1,2}[.)])\s+/;
// End of a sentence: . ! ? ; or … (possibly followed by closing quotes), then a space.
// "2.2.6", "100.000", "01/7/2024" and "1900 0368" have no space after the dot, so they stay whole;
// "(họ tên, ngày sinh...) từ" is not an end either: a bracket after the dot closes an aside.
const SENTENCE_END = /(?<=[.!?;…]["'”’»]*)\s+/u;

/** Splits a text into sentences: at . ! ? ; …, at line breaks and at list items. */
export function splitSentences(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(LIST_MARKER, ''))
    .flatMap((line) => line.split(SENTENCE_END))
    .map((s) => s.trim())
    .filter((s) => countWords(s) > 0);
}

/** Words are whitespace-separated tokens holding a letter or a digit ("→" and "-" are not words). */
export function countWords(sentence: string): number {
  return sentence.split(/\s+/).filter((t) => /[\p{L}\p{N}]/u.test(t)).length;
}

/** The first words of a sentence, enough for an official to find it in the file. */
function sentenceStart(sentence: string, words = 8): string {
  const tokens = sentence.split(/\s+/);
  return tokens.length > words ? `${tokens.slice(0, words).join(' ')}…` : sentence;
}

/** A text the bot says, with where it comes from and which rules apply to it. */
interface BotText {
  file: string;
  field: string;
  text: string;
  /** Sentences are counted (answers, steps, problem answers, dialog messages), not button labels. */
  prose: boolean;
}

function entryFile(e: Entry): string {
  // The loader requires the file name to equal the id.
  return `entries/${e.id}.yaml`;
}

function entryTexts(e: Entry): BotText[] {
  const file = entryFile(e);
  const texts: BotText[] = [
    { file, field: 'title', text: e.title, prose: false },
    { file, field: 'label', text: e.label, prose: false },
    { file, field: 'answer', text: e.answer, prose: true },
  ];
  e.steps?.forEach((s, si) => {
    texts.push({ file, field: `steps.${si}.text`, text: s.text, prose: true });
    s.problems.forEach((p, pi) => {
      texts.push({ file, field: `steps.${si}.problems.${pi}.label`, text: p.label, prose: false });
      if (p.answer) texts.push({ file, field: `steps.${si}.problems.${pi}.answer`, text: p.answer, prose: true });
    });
    s.choices?.forEach((c, ci) => texts.push({ file, field: `steps.${si}.choices.${ci}.label`, text: c.label, prose: false }));
  });
  return texts;
}

/** Every string under `value` with its dotted path: messages may be grouped (e.g. messages.smallTalk.thanks). */
function stringsIn(value: unknown, path: string): { field: string; text: string }[] {
  if (typeof value === 'string') return [{ field: path, text: value }];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringsIn(v, `${path}.${k}`));
  return [];
}

function scriptTexts(script: Script): BotText[] {
  const file = 'dialog.yaml';
  return [
    ...stringsIn(script.messages, 'messages').map((t) => ({ file, ...t, prose: true })),
    ...stringsIn(script.buttons, 'buttons').map((t) => ({ file, ...t, prose: false })),
    ...script.menu.flatMap((m, i) => [
      { file, field: `menu.${i}.label`, text: m.label, prose: false },
      ...(m.intro ? [{ file, field: `menu.${i}.intro`, text: m.intro, prose: true }] : []),
    ]),
  ];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A folded phrase matched as whole words: "SSO" does not match inside "ssosomething", nor "59/2022" inside "159/2022". */
function phraseMatcher(phrase: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(foldForMatch(phrase))}(?![\\p{L}\\p{N}])`, 'u');
}

// Every spelling of the hedge counts: "tên mục/tên ô/tên và vị trí mục (có thể) (hơi) khác tùy/theo phiên bản".
const HEDGE = /(?:tuy|theo) (?:tung )?phien ban/g;

function lintText(t: BotText, retired: readonly { phrase: RetiredPhrase; re: RegExp }[], out: LintFinding[]): void {
  const { file, field } = t;
  if (t.prose) {
    for (const sentence of splitSentences(t.text)) {
      const n = countWords(sentence);
      if (n > SENTENCE_WORDS_MAX) {
        out.push({
          rule: 'long-sentence',
          file,
          field,
          reason: `câu dài ${n} từ (tối đa ${SENTENCE_WORDS_MAX}), hãy tách ra: "${sentenceStart(sentence)}"`,
        });
      }
    }
  }
  const folded = foldForMatch(t.text);
  for (const { phrase, re } of retired) {
    if (re.test(folded)) out.push({ rule: 'retired-phrase', file, field, reason: `cụm từ đã bỏ "${phrase.phrase}": ${phrase.why}` });
  }
  const hedges = folded.match(HEDGE)?.length ?? 0;
  if (hedges > 1) {
    out.push({
      rule: 'repeated-hedge',
      file,
      field,
      reason: `ghi chú "${VERSION_HEDGE}" có ${hedges} lần; chỉ nói một lần trong một câu trả lời`,
    });
  }
}

/** The UTC day RECHECK_AFTER_MONTHS before `today`, as YYYY-MM-DD. */
export function recheckLimit(today: Date): string {
  const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  d.setUTCMonth(d.getUTCMonth() - RECHECK_AFTER_MONTHS);
  return d.toISOString().slice(0, 10);
}

// A time limit the bot states: "đến hết 31/12/2026", "tới ngày 28/02/2027", "đến hết năm 2026".
// Fees halved "đến hết 31/12/2026" are wrong on 1 January: the answer must change that day, not at
// the yearly re-check. A date after "từ" (since) stays true and is not a limit.
const LIMIT_DAY = /(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s+)?(\d{1,2})\/(\d{1,2})\/(\d{4})/giu;
const LIMIT_YEAR = /(?:đến|tới)\s+hết\s+(?:năm\s+)?(\d{4})\b/giu;
const pad = (n: string | number) => String(n).padStart(2, '0');

/** The time limits a text states (YYYY-MM-DD, the last day they still hold), as written. */
export function statedLimits(text: string): { day: string; as: string }[] {
  const t = text.normalize('NFC');
  return [
    ...[...t.matchAll(LIMIT_DAY)].map((m) => ({ day: `${m[3]}-${pad(m[2]!)}-${pad(m[1]!)}`, as: m[0] })),
    ...[...t.matchAll(LIMIT_YEAR)].map((m) => ({ day: `${m[1]}-12-31`, as: m[0] })),
  ];
}

function recheckNotices(entries: readonly Entry[], today: Date): RecheckNotice[] {
  const limit = recheckLimit(today);
  const day = today.toISOString().slice(0, 10);
  const out: RecheckNotice[] = [];
  for (const e of entries) {
    const file = entryFile(e);
    if (e.sources.length === 0) out.push({ file, field: 'sources', reason: 'chưa ghi nguồn (đường link hoặc số văn bản)' });
    if (!e.checked) out.push({ file, field: 'checked', reason: 'chưa ghi ngày kiểm tra lần cuối' });
    else if (e.checked < limit) out.push({ file, field: 'checked', reason: `kiểm tra lần cuối ${e.checked}, đã hơn ${RECHECK_AFTER_MONTHS} tháng` });
    for (const t of entryTexts(e).filter((t) => t.prose)) {
      for (const l of statedLimits(t.text).filter((l) => l.day < day)) {
        out.push({ file, field: t.field, reason: `câu trả lời nêu hạn "${l.as}", nay đã qua: sửa lại cho đúng hôm nay` });
      }
    }
  }
  return out;
}

/** Runs every rule over the entries and the dialog texts. */
export function lintContent(input: LintInput): LintResult {
  const retired = input.retired.map((phrase) => ({ phrase, re: phraseMatcher(phrase.phrase) }));
  const findings: LintFinding[] = [];
  for (const e of input.entries) {
    for (const t of entryTexts(e)) lintText(t, retired, findings);
    e.steps?.forEach((s, si) => {
      if (s.problems.length === 0 && !s.plain) {
        findings.push({
          rule: 'step-without-problems',
          file: entryFile(e),
          field: `steps.${si}.problems`,
          reason: 'bước chưa có lỗi hay gặp ("problems"): bấm "Tôi bị lỗi" ở đây sẽ không có lời giải. Thêm lỗi hay gặp, hoặc ghi "plain: true" nếu chỉ là bước xác nhận',
        });
      }
    });
  }
  if (input.script) for (const t of scriptTexts(input.script)) lintText(t, retired, findings);
  findings.push(...sameLabels(input.entries, input.readAs ?? ((text) => tokenize(text).join(' '))));
  return { findings, recheck: recheckNotices(input.entries, input.today) };
}

/**
 * Citizens retype the button labels they saw. Two labels that read the same to the matcher
 * ("Đổi điện thoại" and "Đổi thiết bị", "Vào Dịch vụ công" and "Dịch vụ công") cannot be
 * answered when typed: the bot cannot tell which entry was meant.
 */
function sameLabels(entries: readonly Entry[], readAs: (text: string) => string): LintFinding[] {
  const first = new Map<string, Entry>();
  const out: LintFinding[] = [];
  for (const e of entries) {
    const key = readAs(e.label);
    const other = first.get(key);
    if (!other) first.set(key, e);
    else if (key !== '') out.push({ rule: 'same-label', file: entryFile(e), field: 'label', reason: `nhãn "${e.label}" đọc giống nhãn "${other.label}" của ${other.id}: người dân gõ lại nhãn thì bot không biết là mục nào` });
  }
  return out;
}

const RULE_NAMES: Record<LintRule, string> = {
  'long-sentence': `câu quá ${SENTENCE_WORDS_MAX} từ`,
  'step-without-problems': 'bước không có lỗi hay gặp',
  'retired-phrase': 'cụm từ đã bỏ',
  'repeated-hedge': 'ghi chú phiên bản lặp',
  'same-label': 'nhãn đọc giống nhau',
};

export interface LintReport {
  /** Lines for standard output: warnings (while findings do not fail) and the re-check list. */
  stdout: string[];
  /** Lines for standard error: findings, when they are errors. */
  stderr: string[];
  /** One line: how many findings of each rule, and how many entries to re-check. */
  summary: string;
  /** True when the findings must make content:check exit 1. */
  failed: boolean;
}

/** Formats the findings as errors (errorsFail) or warnings; re-check notices are always notices. */
export function formatLintReport(result: LintResult, errorsFail: boolean = LINT_ERRORS_FAIL): LintReport {
  const word = errorsFail ? 'lỗi' : 'cảnh báo';
  const lines = result.findings.map((f) => `${word}: ${f.file}: ${f.field}: ${f.reason}`);
  const recheck = result.recheck.map((n) => `cần kiểm tra lại: ${n.file}: ${n.field}: ${n.reason}`);
  const perRule = (Object.keys(RULE_NAMES) as LintRule[]).map((r) => `${RULE_NAMES[r]}: ${result.findings.filter((f) => f.rule === r).length}`);
  const recheckEntries = new Set(result.recheck.map((n) => n.file)).size;
  const summary = `Kiểm tra câu chữ: ${result.findings.length} ${word} (${perRule.join(', ')}); ${recheckEntries} mục cần kiểm tra lại nguồn hoặc ngày kiểm tra.`;
  return {
    stdout: errorsFail ? recheck : [...lines, ...recheck],
    stderr: errorsFail ? lines : [],
    summary,
    failed: errorsFail && result.findings.length > 0,
  };
}
