/**
 * What a typed message means, before the dialog decides what to say. Channel-agnostic and shared
 * by the engine and `npm run ask`, so that `ask` handles a question exactly as the bot does.
 *
 * In order: emergencies (read from the raw words: scrubbing must never hide "đang cháy"; named by
 * a phrase, or recognised by the reader trained on examples; a bare call for help or the reader's
 * guess beside laughter is a joke), personal
 * data scrubbed (the question is kept, the data becomes placeholders the matcher never sees),
 * walkthrough words ("xong", "bị lỗi") during a walkthrough, small talk, then matching: during a
 * walkthrough, the current step's problems first, then the guide's own entries, then everything.
 */
import type { Entry, Step } from '../content/schema.js';
import type { Knowledge } from '../knowledge.js';
import type { MatchResult } from '../match/matcher.js';
import { scrub, withoutDataMentions, withoutPlaceholders, WARN_KINDS, type SensitiveKind } from '../privacy/scrub.js';
import { normalizeTokens } from '../text/normalize.js';
import { detectEmergency, emergencyNumbers, laughs, type EmergencyNumber, type EmergencySignal } from './emergency.js';
import type { EmergencyKind, SmallTalkKind } from './intents.js';
import { wordsOf } from './phrases.js';
import { detectSmallTalk } from './smalltalk.js';
import { stepProblemFor, walkContextIds, type StepProblem } from './walk-context.js';

/** How many entries "Ý bạn là…?" offers. */
export const SUGGESTIONS = 3;

export type WalkAction = 'next' | 'back' | 'stuck' | 'resume';

/**
 * The scam-warning entry (content contract id). A scam emergency shows it after the numbers: who is
 * being pressed to transfer money needs "Công an không bao giờ bảo chuyển tiền" as much as 113.
 */
const SCAM_ENTRY = 'faq-scam';

/** What citizens type instead of tapping a walkthrough button (normalized forms). */
const WALK_WORDS: ReadonlyMap<string, WalkAction> = new Map([
  ...['xong', 'xong roi', 'lam xong roi', 'tiep', 'tiep theo', 'roi', 'duoc', 'duoc roi', 'next'].map((w) => [w, 'next'] as const),
  ...['quay lai', 'lui', 'lui lai', 'back'].map((w) => [w, 'back'] as const),
  ...['loi', 'bi loi', 'toi bi loi', 'khong duoc', 'van khong duoc', 'bao loi'].map((w) => [w, 'stuck'] as const),
  ...['tiep tuc', 'tiep tuc huong dan'].map((w) => [w, 'resume'] as const),
]);

/**
 * The words around "menu" when someone types the "Về menu" button instead of tapping it ("về menu",
 * "quay lại menu chính", "mở menu đi", "menu" alone, in a walkthrough too): the message is the button.
 * Normalized forms.
 */
const MENU_WORDS: ReadonlySet<string> = new Set(['ve', 'quay', 'tro', 'lai', 'mo', 'xem', 'hien', 'chinh', 'cho', 'toi', 'xin', 'minh', 'em', 'a', 'oi', 'bot', 'ad', 'di', 'nhe', 'nha']);

function asksForMenu(words: readonly string[]): boolean {
  return words.includes('menu') && words.every((w) => w === 'menu' || MENU_WORDS.has(w));
}

/** The walkthrough a message is typed in. */
export interface WalkContext {
  guide: Entry;
  step: Step;
}

export interface Understood {
  /** The message with personal data replaced by placeholders: the only form ever stored. */
  scrubbed: string;
  /** Kinds of personal data found. */
  found: ReadonlySet<SensitiveKind>;
  /** Of those, the kinds that deserve the "never share this" warning. */
  warn: SensitiveKind[];
}

export type Interpretation = Understood &
  (
    /** `entry`: the entry shown after the numbers (the scam warning for a scam), if any. */
    | { intent: 'emergency'; kinds: EmergencyKind[]; numbers: EmergencyNumber[]; entry: string | null }
    | { intent: 'walk'; action: WalkAction }
    /** The "Về menu" button, typed. */
    | { intent: 'menu' }
    | { intent: 'smalltalk'; kind: SmallTalkKind }
    /** Nothing left to read (only personal data, emoji, punctuation). */
    | { intent: 'empty' }
    /** A known problem of the current walkthrough step. */
    | { intent: 'problem'; problem: StepProblem; match: MatchResult }
    | { intent: 'answer'; id: string; match: MatchResult }
    /** Not sure: offer these entries as "Ý bạn là…?" buttons. */
    | { intent: 'suggest'; ids: string[]; match: MatchResult }
    | { intent: 'unknown'; match: MatchResult }
  );

/** Normalized words of a scrubbed question; the engine passes a memo, repeated questions cost a lookup. */
export type Tokenizer = (query: string) => readonly string[];

export interface InterpretOptions {
  walk?: WalkContext;
  tokens?: Tokenizer;
}

/** The entries to offer when the bot does not answer: the best candidates, when the best is at least close. */
export function suggestionsOf(match: MatchResult, suggestThreshold: number): string[] {
  if (match.id !== null || !match.nearest || match.score < suggestThreshold) return [];
  return [match.nearest, ...match.alternatives].slice(0, SUGGESTIONS);
}

/** The emergency a message reports, as `interpret` reads it first: a bare call for help or the reader's guess beside laughter is a joke. */
function emergencyIn(text: string, knowledge: Knowledge): EmergencySignal | null {
  const signal = detectEmergency(wordsOf(text), knowledge.intents);
  return signal && (signal.weak || signal.fromReader) && laughs(text) ? null : signal;
}

/** Whether a message is an emergency (the engine's flood control lets those through). */
export function isEmergency(text: string, knowledge: Knowledge): boolean {
  return emergencyIn(text, knowledge) !== null;
}

export function interpret(text: string, knowledge: Knowledge, options: InterpretOptions = {}): Interpretation {
  const raw = typeof text === 'string' ? text : '';
  const { text: scrubbed, found } = scrub(raw);
  const base: Understood = { scrubbed, found, warn: [...found].filter((k) => WARN_KINDS.has(k)) };

  const emergency = emergencyIn(raw, knowledge);
  const readable = withoutPlaceholders(scrubbed);
  const tokens = options.tokens?.(readable) ?? normalizeTokens(readable, knowledge.lexicon);
  const urgent = (): Interpretation => ({
    ...base,
    intent: 'emergency',
    kinds: emergency!.kinds,
    numbers: emergencyNumbers(emergency!.kinds),
    entry: emergencyEntry(emergency!, knowledge),
  });
  if (emergency && !emergency.weak) return urgent();

  const { walk } = options;
  const walkWord = walk && WALK_WORDS.get(tokens.join(' '));
  if (walkWord) return { ...base, intent: 'walk', action: walkWord };

  const words = wordsOf(readable);
  if (asksForMenu(words)) return { ...base, intent: 'menu' };
  const smallTalk = detectSmallTalk(words, knowledge.intents);
  if (smallTalk) return { ...base, intent: 'smalltalk', kind: smallTalk };
  if (tokens.length === 0) return emergency ? urgent() : { ...base, intent: 'empty' };

  const { matcher, tuning } = knowledge;
  let match: MatchResult = matcher.matchTokens(readingOf(scrubbed, found, tokens, knowledge, options.tokens));
  if (walk) {
    const context = walkContextIds(walk.guide);
    const inContext = matcher.matchTokens(tokens, { context });
    const problem = stepProblemFor(walk.guide, walk.step, { tokens, words }, inContext, knowledge);
    if (problem) return { ...base, intent: 'problem', problem, match: inContext };
    if (inContext.id && context.includes(inContext.id)) match = inContext;
  }
  // A bare "cứu với" is an emergency unless the rest of the message is a question we answer
  // ("cứu với, quên mật khẩu vneid"); then that question is what is answered ("cứu" alone would
  // read as the "tra cứu" of another entry).
  if (emergency) {
    const question = questionAround(emergency.rest, knowledge);
    if (!question) return urgent();
    match = question;
  }
  if (match.id) return { ...base, intent: 'answer', id: match.id, match };
  const ids = suggestionsOf(match, tuning.suggestThreshold);
  if (ids.length > 0) return { ...base, intent: 'suggest', ids, match };
  return { ...base, intent: 'unknown', match };
}

/**
 * The entry shown after the emergency numbers. A scam: the scam warning. Otherwise the question the
 * message also asks about VNeID, when we answer it ("điện thoại bị trộm rồi, làm sao khóa vneid"):
 * the numbers come first, and the answer is not lost. That question is read from the words beside
 * the emergency's own phrases, and must name VNeID (or its identity words): read whole, "nhà tôi
 * đang cháy" was the NFC answer ("chạy"), a screen of phone instructions under 114, and the words
 * around "đang phá khóa xe máy trước cửa nhà" were the vehicle-registration answer. The reader's
 * guesses name no phrase: no question.
 */
function emergencyEntry(signal: EmergencySignal, knowledge: Knowledge): string | null {
  if (signal.kinds.includes('scam') && knowledge.content.byId.has(SCAM_ENTRY)) return SCAM_ENTRY;
  const question = questionAround(signal.rest, knowledge);
  return question?.aboutVneid ? question.id : null;
}

/**
 * How much surer the reading with the data's labels must be to win. The labels ("số cccd", "sđt")
 * are words the privacy answer is made of, so they tip a near tie toward it: "số cccd … sđt …, giúp
 * tôi kích hoạt" read the privacy answer at 0.913 against activation at 0.908 without them.
 */
const DATA_WORDS_MARGIN = 0.05;

/**
 * The words to match. When personal data was typed, the words that only named it ("số cccd …
 * sđt …, giúp tôi kích hoạt") are left out if what remains is answered on its own, and not clearly
 * less surely than with them (DATA_WORDS_MARGIN); otherwise the data was the topic ("mã otp là …
 * nhập vào đâu", "có người xin mã otp … để kích hoạt hộ": a scam) and they stay.
 */
function readingOf(scrubbed: string, found: ReadonlySet<SensitiveKind>, tokens: readonly string[], knowledge: Knowledge, tokenizer?: Tokenizer): readonly string[] {
  if (found.size === 0) return tokens;
  const bare = withoutDataMentions(scrubbed);
  const bareTokens = tokenizer?.(bare) ?? normalizeTokens(bare, knowledge.lexicon);
  if (bareTokens.length === 0 || bareTokens.join(' ') === tokens.join(' ')) return tokens;
  const bareMatch = knowledge.matcher.matchTokens(bareTokens);
  if (bareMatch.id === null) return tokens;
  return knowledge.matcher.matchTokens(tokens).score > bareMatch.score + DATA_WORDS_MARGIN ? tokens : bareTokens;
}

/**
 * The words around a bare call for help, when they are a question we answer ("cứu với, quên mật
 * khẩu"): its match, or null. Only a confident answer counts: a missed emergency costs more than
 * numbers given to a question.
 */
function questionAround(rest: readonly string[], knowledge: Knowledge): MatchResult | null {
  const tokens = normalizeTokens(withoutPlaceholders(scrub(rest.join(' ')).text), knowledge.lexicon);
  if (tokens.length === 0) return null;
  const m = knowledge.matcher.matchTokens(tokens);
  return m.id !== null ? m : null;
}
