/**
 * Phrase lists that officials write in content/intents.yaml ("cháy nhà", "nhà * cháy"), found
 * in what citizens type: with or without diacritics, in any case, with repeated letters, and with
 * one typo in a long word. Deliberately separate from the matcher's normalization: these lists
 * decide what is NOT a question (an emergency, a "cảm ơn"), so they read the citizen's own words,
 * not the lexicon's expansions.
 *
 * A word written with "!" ("cháy!") must be typed with its diacritics: folded, "cháy" (fire) is
 * "chạy" (run, "app chạy chậm") and "chay" (vegetarian), so only the accented word is sure.
 */
import { withinOneEdit } from '../text/one-edit.js';
import { canonicalSpelling, foldDiacritics } from '../text/vietnamese.js';

/** A gap of 0..GAP_MAX words, written `*`. */
export const GAP = '*';
const GAP_MAX = 3;
/** Words this long or longer may carry one typo (shorter ones are too easily another word). */
const TYPO_MIN_LENGTH = 5;
/** Longest text read: an emergency or a greeting is said in a few words. */
const MAX_CHARS = 2000;

/** Marks a compiled word that must be typed with its diacritics ("cháy!" compiles to "=cháy"). */
const ACCENTED = '=';
/**
 * Marks a word of a cautious list (`compilePhrase(p, { cautious: true })`): typed without any
 * diacritics it matches as usual, typed with other diacritics it is another word. A not-phrase
 * that cancels an emergency must not fire on a look-alike: "nằm ngoài sân" (lying outside) is not
 * "năm ngoái" (last year), while "nam ngoai" typed bare may be either and stays a match.
 */
const CAUTIOUS = '~';

/** A message's words as the lists read them: folded, with each word as typed (accents kept) alongside. */
export type Words = string[] & { readonly typed: readonly string[] };

/** A letter typed 3+ times counts once, whatever its accents: "nhàaa" is "nhà". */
function collapse(word: string): string {
  const runs: string[][] = [];
  for (const ch of word) {
    const run = runs.at(-1);
    if (run && /\p{L}/u.test(ch) && foldDiacritics(run[0]!) === foldDiacritics(ch)) run.push(ch);
    else runs.push([ch]);
  }
  return runs.map((run) => (run.length >= 3 ? run[0]! : run.join(''))).join('');
}

/**
 * Folded lower-case words of a text: "Cháy nhàaa, cứu!!" → ["chay", "nha", "cuu"], typed: ["cháy", "nhà", "cứu"].
 * `typed` is made on first use: only a word written with "!" needs it, and every message is read.
 */
export function wordsOf(text: string): Words {
  const lower = String(text ?? '').slice(0, MAX_CHARS).normalize('NFC').toLowerCase();
  const folded = (foldDiacritics(lower).match(/[a-z0-9]+/g) ?? []).map((w) => w.replace(/([a-z])\1{2,}/g, '$1'));
  let typed: string[] | undefined;
  // Not enumerable: the words compare, print and spread as the plain folded list they are.
  return Object.defineProperty(folded, 'typed', { get: () => (typed ??= typedWordsOf(lower)), enumerable: false }) as Words;
}

/** The words as typed, one per folded word (a letter outside a-z splits a token the same way in both). */
function typedWordsOf(lower: string): string[] {
  const typed: string[] = [];
  for (const token of lower.match(/[\p{L}\p{M}\p{N}]+/gu) ?? []) {
    // Tone marks placed one way: "hoà" and "hòa" are one word.
    const spelled = canonicalSpelling(collapse(token));
    for (const _ of foldDiacritics(token).match(/[a-z0-9]+/g) ?? []) typed.push(spelled);
  }
  return typed;
}

/** A compiled phrase: folded words, GAP for `*`, "=" + the accented word for a word written with "!". */
export type Phrase = readonly string[];

export function compilePhrase(phrase: string, options: { cautious?: boolean } = {}): Phrase {
  return phrase
    .trim()
    .split(/\s+/)
    .flatMap((w) => {
      if (w === GAP) return [GAP];
      if (w.length > 1 && w.endsWith('!')) return [ACCENTED + canonicalSpelling(collapse(w.slice(0, -1).normalize('NFC').toLowerCase()))];
      const folded = wordsOf(w);
      // One word with diacritics: in a cautious list, remembered as written.
      if (options.cautious && folded.length === 1 && foldDiacritics(w) !== w) return [CAUTIOUS + canonicalSpelling(collapse(w.normalize('NFC').toLowerCase()))];
      return folded;
    });
}

/** A compiled word written with "!", to be typed with its diacritics. */
export const isAccented = (word: string): boolean => word.startsWith(ACCENTED);

/** The spelling a word written with "!" must be typed in ("=thế" → "thế"). */
export const accentedForm = (word: string): string => word.slice(ACCENTED.length);

/** Folded forms of the accented words of the lists (a few dozen): compared on every message. */
const foldedAccented = new Map<string, string>();

/** A compiled word as folded text ("=cháy" → "chay"): how phrases are indexed and a message's words compared. */
export function foldedWord(word: string): string {
  if (!word.startsWith(ACCENTED) && !word.startsWith(CAUTIOUS)) return word;
  let folded = foldedAccented.get(word);
  if (folded === undefined) foldedAccented.set(word, (folded = wordsOf(word.slice(1))[0] ?? ''));
  return folded;
}

/** A word written with "!" not typed exactly so, or a cautious word typed with other diacritics. */
function accentMismatch(words: readonly string[], i: number, p: string): boolean {
  const typed = (words as Partial<Words>).typed?.[i];
  if (p.startsWith(ACCENTED)) return typed !== p.slice(1);
  // Cautious: only diacritics typed otherwise make it another word (typed bare, it may be this one).
  return p.startsWith(CAUTIOUS) && typed !== undefined && typed !== p.slice(1) && foldDiacritics(typed) !== typed;
}

export function sameWord(typed: string, written: string): boolean {
  if (typed === written) return true;
  // Both long: "than" (thân) is not a typo of "thank". Same first letter: another initial consonant
  // is another word ("xuống" is not a typo of "đường"), and typos rarely hit the first letter.
  return written.length >= TYPO_MIN_LENGTH && typed.length >= TYPO_MIN_LENGTH && typed[0] === written[0] && withinOneEdit(typed, written);
}

/** Where a phrase occurs: [start, end) word indexes, or null. */
export function findPhrase(words: readonly string[], phrase: Phrase, from = 0): [number, number] | null {
  if (phrase.length === 0) return null;
  for (let start = from; start < words.length; start++) {
    const end = matchAt(words, phrase, start, 0);
    if (end !== null) return [start, end];
  }
  return null;
}

function matchAt(words: readonly string[], phrase: Phrase, i: number, k: number): number | null {
  if (k === phrase.length) return i;
  const p = phrase[k]!;
  if (p === GAP) {
    for (let skip = 0; skip <= GAP_MAX && i + skip <= words.length; skip++) {
      const end = matchAt(words, phrase, i + skip, k + 1);
      if (end !== null) return end;
    }
    return null;
  }
  if (i >= words.length || !sameWord(words[i]!, foldedWord(p)) || accentMismatch(words, i, p)) return null;
  return matchAt(words, phrase, i + 1, k + 1);
}

/**
 * A phrase list indexed by first word, so that a message is read once instead of once per phrase
 * (every citizen message goes through these lists before matching).
 */
export class PhraseList {
  private readonly byFirst = new Map<string, Phrase[]>();
  /** Phrases whose first word is long enough to be found with a typo, by first letter (a typo keeps it). */
  private readonly longFirst = new Map<string, Array<{ first: string; phrase: Phrase }>>();
  /** Every word of every phrase: a message with a word outside it cannot be made of these phrases alone. */
  readonly vocabulary = new Set<string>();

  constructor(readonly phrases: readonly Phrase[]) {
    for (const p of phrases) {
      const first = foldedWord(p[0]!);
      const list = this.byFirst.get(first) ?? [];
      list.push(p);
      this.byFirst.set(first, list);
      if (first.length >= TYPO_MIN_LENGTH) {
        const sameInitial = this.longFirst.get(first[0]!) ?? [];
        sameInitial.push({ first, phrase: p });
        this.longFirst.set(first[0]!, sameInitial);
      }
      for (const w of p) if (w !== GAP) this.vocabulary.add(foldedWord(w));
    }
    // At each start the longest phrase comes first: "chào buổi sáng" must not stop at "chào".
    for (const list of this.byFirst.values()) list.sort((a, b) => b.length - a.length);
    for (const list of this.longFirst.values()) list.sort((a, b) => b.phrase.length - a.phrase.length);
  }

  /** The phrases that may start at word i. */
  private startingAt(words: readonly string[], i: number): readonly Phrase[] {
    const word = words[i]!;
    const exact = this.byFirst.get(word) ?? [];
    if (word.length < TYPO_MIN_LENGTH) return exact;
    const fuzzy = (this.longFirst.get(word[0]!) ?? []).filter((p) => p.first !== word && sameWord(word, p.first)).map((p) => p.phrase);
    return fuzzy.length > 0 ? [...exact, ...fuzzy] : exact;
  }

  /** Every occurrence, as [start, end) spans, in order of start. */
  *spans(words: readonly string[]): Generator<[number, number]> {
    for (let i = 0; i < words.length; i++) {
      for (const p of this.startingAt(words, i)) {
        const end = matchAt(words, p, i, 0);
        if (end !== null) yield [i, end];
      }
    }
  }

  containsAny(words: readonly string[]): boolean {
    return !this.spans(words).next().done;
  }

  /** A word that may belong to one of the phrases (exactly, or with a typo when long). */
  mayContain(word: string): boolean {
    if (this.vocabulary.has(word)) return true;
    if (word.length < TYPO_MIN_LENGTH) return false;
    for (const w of this.vocabulary) if (sameWord(word, w)) return true;
    return false;
  }
}
