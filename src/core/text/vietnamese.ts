/**
 * Vietnamese text primitives: Unicode forms, tone-mark placement and diacritic folding.
 * Pure functions, no dependencies.
 */

const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/;
const TONE_MARKS_G = /[\u0300\u0301\u0303\u0309\u0323]/g;
// After NFD, vowel "shape" marks: circumflex (â ê ô), breve (ă), horn (ơ ư).
const SHAPE_MARK = /[\u0302\u0306\u031b]/;
const VOWELS = 'aeiouy';

/** Removes every diacritic and maps đ → d, keeping case. */
export function foldDiacritics(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

/**
 * Puts the tone mark of one syllable where the common ("old style") rule puts it, so that
 * "hoà"/"hòa" and "thuý"/"thúy" become one form. Syllables without a tone mark are unchanged.
 */
export function placeToneMark(syllable: string): string {
  const nfd = syllable.normalize('NFD');
  const tone = nfd.match(TONE_MARKS)?.[0];
  if (!tone) return syllable.normalize('NFC');
  // Work on letters with their shape marks attached (one array item per base letter).
  const letters = (nfd.replace(TONE_MARKS_G, '').match(/\P{M}\p{M}*/gu) ?? []).map((l) => l);
  const base = (l: string) => l[0]!.toLowerCase();
  let start = 0;
  // "qu" and "gi" (before another vowel) belong to the initial consonant.
  const first2 = letters.slice(0, 2).map(base).join('');
  if (first2 === 'qu' || (first2 === 'gi' && letters.length > 2 && VOWELS.includes(base(letters[2]!)))) start = 2;
  let vStart = -1;
  let vEnd = -1;
  for (let i = start; i < letters.length; i++) {
    if (VOWELS.includes(base(letters[i]!))) {
      if (vStart < 0) vStart = i;
      vEnd = i;
    } else if (vStart >= 0) break;
  }
  if (vStart < 0) return syllable.normalize('NFC');
  let target: number;
  const shaped = [];
  for (let i = vStart; i <= vEnd; i++) if (SHAPE_MARK.test(letters[i]!)) shaped.push(i);
  const endsWithConsonant = vEnd < letters.length - 1;
  if (shaped.length > 0) target = shaped[shaped.length - 1]!;
  else if (vEnd === vStart) target = vStart;
  else if (endsWithConsonant) target = vEnd;
  else target = vEnd - 1; // hòa, thúy, mùa, hài: old style, on the first of a final pair
  letters[target] = letters[target] + tone;
  return letters.join('').normalize('NFC');
}

/** NFC, lower case, tone marks placed one way: the canonical spelling of a text with diacritics. */
export function canonicalSpelling(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/\p{L}+/gu, (word) => placeToneMark(word));
}

/**
 * A folded (unaccented, lower-case) Vietnamese syllable: onset, vowel group, final consonant.
 * Loose on purpose (it accepts some syllables no one writes): it only has to tell a word typed
 * as it is spelled ("troi", "xang", "lanh") from a typo ("kick", "tihc", "hoatj").
 */
const SYLLABLE =
  /^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?(?:uye|uya|uyu|uoi|uou|oai|oay|oeo|uay|ieu|yeu|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye|a|e|i|o|u|y)(?:ch|nh|ng|c|m|n|p|t)?$/;

export function isVietnameseSyllable(folded: string): boolean {
  return SYLLABLE.test(folded);
}
