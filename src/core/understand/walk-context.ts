/**
 * A question typed during a walkthrough is about that walkthrough first: "quên passcode" during
 * activation is the passcode problem, "báo không tìm thấy thông tin thẻ" during the BHYT guide is
 * the BHYT problem, not a neighbouring guide's. Pure: the dialog passes the guide and step.
 */
import type { Entry, Step } from '../content/schema.js';
import type { Knowledge } from '../knowledge.js';
import type { MatchResult } from '../match/matcher.js';
import type { Lexicon } from '../text/normalize.js';
import { normalizeTokens } from '../text/normalize.js';
import { wordsOf } from './phrases.js';

/** A known problem of a step, or an outcome choice that opens an FAQ. */
export interface StepProblem {
  label: string;
  answer?: string;
  faq?: string;
}

/**
 * A keyword whose words mostly appear in the question names the problem: at least this share of
 * its words, and at least MIN_SHARED of them ("khong tim thay du lieu" ~ "báo không tìm thấy thông
 * tin thẻ"). A keyword of one or two words must appear whole.
 */
const KEYWORD_SHARE = 0.6;
const MIN_SHARED = 3;

/** The entries a walkthrough is about: itself, its steps' FAQs, its related entries. */
export function walkContextIds(guide: Entry): string[] {
  const ids = new Set<string>([guide.id]);
  for (const step of guide.steps ?? []) {
    for (const p of step.problems) if (p.faq) ids.add(p.faq);
    for (const c of step.choices ?? []) if (c.faq) ids.add(c.faq);
  }
  for (const id of guide.related) ids.add(id);
  return [...ids];
}

export function problemsOf(step: Step): StepProblem[] {
  return [...step.problems, ...(step.choices?.filter((c) => c.faq) ?? [])];
}

/** A keyword in both forms: normalized like the question (teencode expanded), and as typed. */
interface Keyword {
  /** The normalized words, or null when normalization dropped a word ("xin passcode" → "passcode"). */
  tokens: readonly string[] | null;
  words: readonly string[];
}

const keywordMemo = new WeakMap<Lexicon, Map<string, Keyword>>();

function keywordOf(phrase: string, lexicon: Lexicon): Keyword {
  let memo = keywordMemo.get(lexicon);
  if (!memo) keywordMemo.set(lexicon, (memo = new Map()));
  let keyword = memo.get(phrase);
  if (!keyword) {
    const words = wordsOf(phrase);
    const tokens = normalizeTokens(phrase, lexicon);
    // A keyword that lost a word to the filler list would match far too much.
    memo.set(phrase, (keyword = { words, tokens: tokens.length >= words.length ? tokens : null }));
  }
  return keyword;
}

/** A question in both forms. */
export interface Question {
  tokens: readonly string[];
  words: readonly string[];
}

/** The keyword's words in order in the question, a word or two apart at most ("quên mất passcode rồi"). */
function inOrder(question: readonly string[], keyword: readonly string[]): boolean {
  starts: for (let i = 0; i < question.length; i++) {
    if (question[i] !== keyword[0]) continue;
    let at = i;
    for (let k = 1; k < keyword.length; k++) {
      const next = question.indexOf(keyword[k]!, at + 1);
      if (next < 0 || next - at > 3) continue starts;
      at = next;
    }
    return true;
  }
  return false;
}

function shares(question: readonly string[], keyword: readonly string[]): boolean {
  if (keyword.length === 0) return false;
  if (inOrder(question, keyword)) return true;
  const distinct = [...new Set(keyword)];
  if (distinct.length < MIN_SHARED) return false;
  const asked = new Set(question);
  const shared = distinct.filter((w) => asked.has(w)).length;
  return shared >= MIN_SHARED && shared / distinct.length >= KEYWORD_SHARE;
}

export function mentions(question: Question, keyword: Keyword): boolean {
  return (keyword.tokens !== null && shares(question.tokens, keyword.tokens)) || shares(question.words, keyword.words);
}

/**
 * The problem the citizen describes: this step's problems by their keywords and label first, then
 * the FAQ the question matched in the walkthrough's context, then the other steps' problems of
 * the same guide (a citizen often reads ahead, or reports an error one step late).
 */
export function stepProblemFor(guide: Entry, step: Step, question: Question, match: MatchResult, knowledge: Knowledge): StepProblem | undefined {
  const described = (p: Step['problems'][number]) => [...p.keywords, p.label].some((k) => mentions(question, keywordOf(k, knowledge.lexicon)));
  const here = step.problems.find(described);
  if (here) return here;
  const faqIds = new Set([match.id, match.score >= knowledge.tuning.suggestThreshold ? match.nearest : null].filter(Boolean));
  const byFaq = problemsOf(step).find((p) => p.faq && faqIds.has(p.faq));
  if (byFaq) return byFaq;
  // Elsewhere in the guide, only a problem with its own answer: one pointing at an FAQ is found by the matcher.
  return (guide.steps ?? []).flatMap((s) => (s === step ? [] : s.problems)).find((p) => p.answer && described(p));
}
