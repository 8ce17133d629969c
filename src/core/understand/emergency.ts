/**
 * Emergencies come before everything: this bot speaks for the police, and a citizen who types
 * "nhà đang có trộm" must get 113 at once, not a VNeID answer or "Ý bạn là…". Phrases come from
 * content/intents.yaml; a preventive or hypothetical question ("làm sao tránh bị lừa", "cảnh báo
 * lừa đảo") is not an emergency.
 */
import type { PhraseList, Words } from './phrases.js';
import { EMERGENCY_KINDS, isFiller, type EmergencyKind, type Intents } from './intents.js';

export type EmergencyNumber = '113' | '114' | '115';

export interface EmergencySignal {
  /** What the message is about, in EMERGENCY_KINDS order. */
  kinds: EmergencyKind[];
  /** Only a bare call for help ("cứu với", "khẩn cấp"): an emergency unless the rest is a VNeID question. */
  weak: boolean;
  /**
   * The words no phrase of the message's kinds covers, fillers aside ("cứu với, quên mật khẩu" →
   * "quên mật khẩu"; "điện thoại bị trộm rồi, khóa vneid thế nào" → "điện thoại … khóa vneid thế
   * nào"): a question asked beside the emergency is read from them alone. Empty for the reader's
   * guesses, which no phrase delimits.
   */
  rest: string[];
  /** Recognised by the reader (emergency-reader.ts), not named by a phrase: a guess, however sure. */
  fromReader: boolean;
}

const NUMBERS: Record<EmergencyKind, readonly EmergencyNumber[]> = {
  police: ['113'],
  scam: ['113'],
  fire: ['114'],
  medical: ['115'],
  // Unclear what happened: every number.
  urgent: ['113', '114', '115'],
};

/** The kind each number of the reader stands for. */
const READ_KIND: Record<EmergencyNumber, EmergencyKind> = { '113': 'police', '114': 'fire', '115': 'medical' };

/**
 * "nhưng" turns from what is past or supposed to what is happening: "bếp cháy đã dập được rồi
 * nhưng mẹ tôi bị bỏng nặng". A not-phrase speaks for its own part of the message only. It also
 * turns the other way, to the end of the story: "con đi lạc hồi chiều nhưng tìm được rồi". A part
 * that says it is over (intents `over`) closes the part before it.
 */
const TURN = 'nhung';

/** The kinds an emergency message is about, or null. `words` come from wordsOf(). */
export function detectEmergency(words: Words, intents: Intents): EmergencySignal | null {
  const { emergency } = intents;
  const all = partsOf(words);
  const parts = all.filter((part, i) => !emergency.not.containsAny(part) && !(all[i + 1] && emergency.over.containsAny(all[i + 1]!)));
  const kinds = EMERGENCY_KINDS.filter((k) => parts.some((part) => emergency[k].containsAny(part)));
  const { reader } = intents;
  // No phrase names it: the reader may still recognise a described emergency, unless a not-phrase
  // said the message is about something past, supposed or prevented.
  const fromReader = kinds.length === 0 && reader !== undefined && parts.length === all.length;
  if (fromReader) kinds.push(...reader.read(words).map((n) => READ_KIND[n]));
  // A phrase named one danger: the reader completes the numbers from the live parts of the message.
  // Phrases name the event ("cháy"), people describe its victims ("ông cụ nằm im, khói mù mịt"): on
  // a file never learned from, the phrases gave a fire 114 without the 115 its injured needed for
  // 12 of 60 emergencies, and the reader completed 8 of them, adding 1 number not needed. A number
  // too many is one more line in the reply; a number missing is a call not made.
  else if (reader !== undefined && kinds.some((k) => k !== 'urgent')) {
    const missing = reader.read(parts.flat()).filter((n) => !kinds.some((k) => NUMBERS[k].includes(n)));
    if (missing.length > 0) kinds.splice(0, kinds.length, ...EMERGENCY_KINDS.filter((k) => kinds.includes(k) || missing.some((n) => READ_KIND[n] === k)));
  }
  if (kinds.length === 0) return null;
  const weak = kinds.every((k) => k === 'urgent');
  const rest = fromReader ? [] : wordsOutside(words, kinds.map((k) => emergency[k])).filter((i) => !isFiller(words, i, intents)).map((i) => words[i]!);
  return { kinds, weak, fromReader, rest };
}

/**
 * Laughter ("=)))", ":))", "haha", a laughing emoji): a bare "cứu tôi với" beside it is a joke
 * ("đốt hết tiền vào shopee rồi, cứu tôi với =)))"), and so is what only the reader guessed ("nó
 * nhắn 'cháy rồi' hóa ra là cháy hàng áo khoác haha"). Who writes what is happening in words a
 * phrase names ("cháy nhà") gets the numbers whatever else they type.
 */
const LAUGHTER = /[:=;]\)\)|\b(?:ha){2,}\b|\b(?:hi){2,}\b|\bk{3,}\b|[\u{1F602}\u{1F923}\u{1F606}]/iu;

export function laughs(text: string): boolean {
  return LAUGHTER.test(text);
}

/** The message cut at each "nhưng"; each part keeps the words as typed (for the "cháy!" words). */
function partsOf(words: readonly string[]): Array<readonly string[]> {
  const cuts = words.flatMap((w, i) => (w === TURN ? [i] : []));
  if (cuts.length === 0) return [words];
  const typed = (words as Partial<Words>).typed;
  const bounds = [-1, ...cuts, words.length];
  return bounds.slice(1).map((end, k) => {
    const start = bounds[k]! + 1;
    const part = words.slice(start, end);
    return typed ? Object.defineProperty(part, 'typed', { value: typed.slice(start, end), enumerable: false }) : part;
  });
}

/** Indexes of the words that no phrase of the lists covers. */
function wordsOutside(words: readonly string[], lists: readonly PhraseList[]): number[] {
  const keep = new Array<boolean>(words.length).fill(true);
  for (const phrases of lists) for (const [start, end] of phrases.spans(words)) keep.fill(false, start, end);
  return words.flatMap((_, i) => (keep[i] ? [i] : []));
}

/** The numbers to give, in order. A specific kind wins over a bare call for help. */
export function emergencyNumbers(kinds: readonly EmergencyKind[]): EmergencyNumber[] {
  const specific = kinds.filter((k) => k !== 'urgent');
  const set = new Set((specific.length > 0 ? specific : kinds).flatMap((k) => NUMBERS[k]));
  return (['113', '114', '115'] as const).filter((n) => set.has(n));
}
