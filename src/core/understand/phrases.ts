/**
 * Phrase lists that officials write in content/intents.yaml ("cháy nhà", "nhà * cháy"), found
 * in what citizens type: with or without diacritics, in any case, with repeated letters, and with
 * one typo in a long word. Deliberately separate from the matcher's normalization: these lists
 * decide what is NOT a question (an emergency, a "cảm ơn"), so they read the citizen's own words,
 * not the lexicon's expansions.
 */
import { foldDiacritics } from '../text/vietnamese.js';

/** A gap of 0..GAP_MAX words, written `*`. */
export const GAP = '*';
const GAP_MAX = 3;
/** Words this long or longer may carry one typo (shorter ones are too easily another word). */
const TYPO_MIN_LENGTH = 5;
/** Longest text read: an emergency or a greeting is said in a few words. */
const MAX_CHARS = 2000;

/** Folded lower-case words of a text: "Cháy nhàaa, cứu!!" → ["chay", "nha", "cuu"] (a letter typed 3+ times counts once). */
export function wordsOf(text: string): string[] {
  const folded = foldDiacritics(String(text ?? '').slice(0, MAX_CHARS).normalize('NFC')).toLowerCase();
  return (folded.match(/[a-z0-9]+/g) ?? []).map((w) => w.replace(/([a-z])\1{2,}/g, '$1'));
}

/** A compiled phrase: folded words, GAP for `*`. */
export type Phrase = readonly string[];

export function compilePhrase(phrase: string): Phrase {
  return phrase
    .trim()
    .split(/\s+/)
    .flatMap((w) => (w === GAP ? [GAP] : wordsOf(w)));
}

/** Optimal string alignment distance ≤ 1 (one insertion, deletion, substitution or swap). */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  return longer.slice(i + 1) === shorter.slice(i);
}

export function sameWord(typed: string, written: string): boolean {
  if (typed === written) return true;
  // Both long: "than" (thân) is not a typo of "thank".
  return written.length >= TYPO_MIN_LENGTH && typed.length >= TYPO_MIN_LENGTH && withinOneEdit(typed, written);
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
  if (i >= words.length || !sameWord(words[i]!, p)) return null;
  return matchAt(words, phrase, i + 1, k + 1);
}

export const containsAny = (words: readonly string[], phrases: readonly Phrase[]): boolean => phrases.some((p) => findPhrase(words, p) !== null);
