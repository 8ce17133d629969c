/**
 * Normalization of what citizens type: Unicode forms, case, diacritics, teencode and
 * abbreviations, repeated letters, punctuation and emoji. The same function is applied to the
 * content and to every question, so both meet in one vocabulary of unaccented syllables.
 */
import { readFileSync } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';
import { withinOneEdit } from './one-edit.js';
import { canonicalSpelling, foldDiacritics } from './vietnamese.js';

/** What the lexicon's phrases make of "là gì", "nghĩa là gì", "thế nào là": a question about what a word means. */
const DEFINITION_WORD = 'khainiem';
const words = (s: string) => s.trim().split(/\s+/).filter(Boolean);

const lexiconSchema = z
  .object({
    abbreviations: z.record(z.string(), z.string()).default({}),
    phrases: z.record(z.string(), z.string()).default({}),
    fillers: z.array(z.string()).default([]),
    stopwords: z.array(z.string()).default([]),
    foreign: z.array(z.string()).default([]),
    anchors: z.array(z.string()).default([]),
    aspects: z.array(z.string()).default([]),
    channels: z.array(z.string()).default([]),
    scamSigns: z.array(z.string()).default([]),
    accented: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  // A word listed here is changed only when typed with its diacritics: one without any would change
  // the commoner word it folds to as well ("qua: quatang" would make every "qua" a gift).
  .refine((l) => Object.keys(l.accented).every((w) => foldDiacritics(w).toLowerCase() !== w.toLowerCase()), {
    message: '"accented" chỉ ghi từ có dấu (từ không dấu thì đã là một từ thông dụng khác)',
    path: ['accented'],
  })
  // Aspect words only take back the definition word that a phrase makes of "là gì": without such
  // a phrase an official's list would silently do nothing.
  .refine((l) => l.aspects.length === 0 || Object.values(l.phrases).some((to) => words(to).includes(DEFINITION_WORD)), {
    message: `"aspects" chỉ có tác dụng khi một cụm trong "phrases" đổi thành "${DEFINITION_WORD}" (như "la gi: ${DEFINITION_WORD}")`,
    path: ['aspects'],
  });

export interface Lexicon {
  /** One token → its expansion (unaccented, lower case). */
  abbreviations: ReadonlyMap<string, readonly string[]>;
  /**
   * The abbreviations long enough to be found with a typo ("pasword" is "password"): the foreign
   * words citizens spell by ear. Shorter keys ("mk", "vnied") are typos or codes already.
   */
  typoKeys: readonly string[];
  /** Multi-token everyday phrases → the phrase the content uses, by first token, longest first. */
  phrases: ReadonlyMap<string, ReadonlyArray<{ from: readonly string[]; to: readonly string[] }>>;
  /** Particles and pronouns that carry no topic ("ad ơi", "ạ", "nhé"): dropped. */
  fillers: ReadonlySet<string>;
  /**
   * Function words ("là", "của", "thì", "được"): kept in the text (small talk and walkthrough
   * words need them) but carry no topic, so the matcher neither indexes nor weighs them.
   */
  stopwords: ReadonlySet<string>;
  /** Names of other services and topics (facebook, sổ đỏ): weigh like unknown words when matching. */
  foreign: ReadonlySet<string>;
  /** Words that say the question is about VNeID itself (vneid, định danh, căn cước): one or two words, joined by "_". */
  anchors: ReadonlySet<string>;
  /**
   * Words naming an aspect of a thing ("điều kiện", "thủ tục"): before "là gì", the question asks
   * for that aspect, not for a definition, so the definition word is dropped.
   */
  aspects: ReadonlyArray<readonly string[]>;
  /**
   * Chat apps and social networks (Zalo, Facebook): where scammers send links and call from. With
   * a sign of a scam in the question ("link", "gọi", "lừa": `scamSigns`), such a name is the
   * channel of a scam, not another service the question is about.
   */
  channels: ReadonlySet<string>;
  scamSigns: ReadonlySet<string>;
  /**
   * Words that mean something else once their diacritics are gone ("quà", a gift, folds to "qua",
   * through): typed with their diacritics, they become the given token before folding; typed
   * without, they stay the commoner word. Keys in canonical spelling, lower case.
   */
  accented: ReadonlyMap<string, string>;
  /** The same words without diacritics: a message none of them occur in has nothing to change. */
  accentedFolded: ReadonlySet<string>;
}

/** Abbreviation keys this long or longer are also found with one typo (same first letter). */
const TYPO_KEY_LENGTH = 6;

/** Names of one or two words, as the matcher looks them up: "so do" → "so_do". */
const joinedNames = (names: readonly string[]): Set<string> => new Set(names.map((w) => words(w).join('_')));

export function parseLexicon(raw: unknown): Lexicon {
  const data = lexiconSchema.parse(raw ?? {});
  const phrases = new Map<string, Array<{ from: string[]; to: string[] }>>();
  for (const [k, v] of Object.entries(data.phrases)) {
    const from = words(k);
    if (from.length === 0) continue;
    const list = phrases.get(from[0]!) ?? [];
    list.push({ from, to: words(v) });
    phrases.set(from[0]!, list.sort((a, b) => b.from.length - a.from.length));
  }
  const abbreviations = new Map(Object.entries(data.abbreviations).map(([k, v]) => [k.trim(), words(v)]));
  return {
    abbreviations,
    typoKeys: [...abbreviations.keys()].filter((k) => k.length >= TYPO_KEY_LENGTH && /^[a-z]+$/.test(k)),
    phrases,
    fillers: new Set(data.fillers.map((w) => w.trim())),
    stopwords: new Set(data.stopwords.flatMap(words)),
    foreign: joinedNames(data.foreign),
    anchors: joinedNames(data.anchors),
    aspects: data.aspects.map(words).filter((a) => a.length > 0),
    channels: joinedNames(data.channels),
    scamSigns: joinedNames(data.scamSigns),
    accented: new Map(Object.entries(data.accented).map(([k, v]) => [canonicalSpelling(k.trim()), v.trim()])),
    accentedFolded: new Set(Object.keys(data.accented).map((k) => foldDiacritics(k.trim()).toLowerCase())),
  };
}

export const DEFAULT_LEXICON_FILE = new URL('../../../content/lexicon.yaml', import.meta.url).pathname;

export function loadLexicon(file: string = DEFAULT_LEXICON_FILE): Lexicon {
  return parseLexicon(parseYaml(readFileSync(file, 'utf8')));
}

export const EMPTY_LEXICON: Lexicon = { abbreviations: new Map(), typoKeys: [], phrases: new Map(), fillers: new Set(), stopwords: new Set(), foreign: new Set(), anchors: new Set(), aspects: [], channels: new Set(), scamSigns: new Set(), accented: new Map(), accentedFolded: new Set() };

/** Longest input kept: a question is a few lines; a pasted essay is cut rather than scanned. */
export const MAX_INPUT_CHARS = 2000;

/**
 * Splits text into unaccented lower-case tokens: letters and digit runs. Everything else
 * (punctuation, emoji, symbols, control characters) separates tokens.
 */
export function tokenize(text: string): string[] {
  return foldedTokens(text, EMPTY_LEXICON);
}

/** "duocccc" → "duoc", "khongggg" → "khong": no Vietnamese word triples a letter. */
function collapseRepeats(token: string): string {
  return token.replace(/([a-z])\1{2,}/g, '$1');
}

function expandToken(token: string, lexicon: Lexicon): readonly string[] {
  const direct = lexicon.abbreviations.get(token);
  if (direct) return direct;
  const collapsed = collapseRepeats(token);
  const known = lexicon.abbreviations.get(collapsed);
  if (known) return known;
  // Keys are foreign words or run-together syllables; no content word is one letter off one
  // (checked 2026-12-02), and the first letter must match.
  if (collapsed.length >= TYPO_KEY_LENGTH - 1) {
    const key = lexicon.typoKeys.find((k) => k[0] === collapsed[0] && withinOneEdit(collapsed, k));
    if (key) return lexicon.abbreviations.get(key)!;
  }
  return [collapsed];
}

/** A token and whether a lexicon phrase already produced it (then it is final). */
interface Piece {
  word: string;
  done: boolean;
}

/** Replaces everyday phrases by the content's words; a phrase never spans a final token. */
function replacePhrases(pieces: Piece[], lexicon: Lexicon): Piece[] {
  if (lexicon.phrases.size === 0) return pieces;
  const out: Piece[] = [];
  let i = 0;
  outer: while (i < pieces.length) {
    if (!pieces[i]!.done) {
      for (const { from, to } of lexicon.phrases.get(pieces[i]!.word) ?? []) {
        if (from.length <= pieces.length - i && from.every((w, k) => !pieces[i + k]!.done && pieces[i + k]!.word === w)) {
          for (const word of to) out.push({ word, done: true });
          i += from.length;
          continue outer;
        }
      }
    }
    out.push(pieces[i]!);
    i++;
  }
  return out;
}

/**
 * The folded tokens of a text (letters and digit runs), with the lexicon's `accented` words typed
 * with their diacritics replaced first. A message whose tokens hold none of their unaccented forms
 * ("qua", "la", "do") is done at once; otherwise only the words that fold to one of them, and were
 * typed with diacritics, are looked up (respelling every word cost more than the rest of
 * normalizing).
 */
function foldedTokens(text: string, lexicon: Lexicon): string[] {
  const cut = text.slice(0, MAX_INPUT_CHARS).normalize('NFC');
  const tokens = foldDiacritics(cut).toLowerCase().match(/[a-z]+|[0-9]+/g) ?? [];
  const { accented, accentedFolded } = lexicon;
  if (!tokens.some((t) => accentedFolded.has(t))) return tokens;
  const marked = cut.replace(/\p{L}+/gu, (word) => {
    const folded = foldDiacritics(word).toLowerCase();
    return accentedFolded.has(folded) && folded !== word.toLowerCase() ? (accented.get(canonicalSpelling(word)) ?? word) : word;
  });
  return foldDiacritics(marked).toLowerCase().match(/[a-z]+|[0-9]+/g) ?? [];
}

/**
 * The normalized token list of a text: fold, tokenize, everyday phrases, abbreviations and
 * teencode, then phrases again over what the abbreviations produced (so "len lv 2" and "ca vet"
 * both land on content words). What a phrase produced is final: "thuong tru" → "cu tru thuong
 * tru" is never expanded twice.
 */
export function normalizeTokens(text: string, lexicon: Lexicon = EMPTY_LEXICON): string[] {
  const first = replacePhrases(foldedTokens(text, lexicon).map((word) => ({ word, done: false })), lexicon);
  const expanded = first.flatMap((p) => (p.done ? [p] : expandToken(p.word, lexicon).map((word) => ({ word, done: false }))));
  const words = withoutMisreadDefinition(replacePhrases(expanded, lexicon).map((p) => p.word), lexicon);
  return lexicon.fillers.size > 0 ? words.filter((t) => !lexicon.fillers.has(t)) : words;
}

/**
 * Whether a normalized question asks what something is ("mức 2 là gì") or how two things differ
 * ("căn cước điện tử khác gì thẻ", "khác nhau thế nào"): the questions a glossary entry answers.
 */
export function asksWhatItIs(tokens: readonly string[]): boolean {
  return tokens.some((t, i) => t === DEFINITION_WORD || (t === 'khac' && ['gi', 'nhau', 'biet'].includes(tokens[i + 1] ?? '')));
}

/**
 * "Điều kiện để đăng ký tài khoản định danh là gì?" asks for the conditions, not what the account
 * is: an aspect word before the definition word removes the latter, and the words around decide.
 */
function withoutMisreadDefinition(tokens: string[], lexicon: Lexicon): string[] {
  const at = tokens.indexOf(DEFINITION_WORD);
  if (at <= 0 || lexicon.aspects.length === 0) return tokens;
  const startsAspect = (i: number) => lexicon.aspects.some((a) => a.every((w, k) => tokens[i + k] === w));
  for (let i = 0; i < at; i++) if (startsAspect(i)) return tokens.filter((t) => t !== DEFINITION_WORD);
  return tokens;
}

/** A name of the lexicon's lists that no question can ever match, and what the name itself reads as. */
export interface UnreachableName {
  list: 'foreign' | 'anchors' | 'channels' | 'scamSigns';
  name: string;
  readsAs: string;
}

/**
 * Names (of other services, of VNeID, of chat apps, of scams) are looked up as one normalized word
 * or a pair of neighbouring ones. A name of three words, or one a filler, abbreviation or phrase
 * rewrites ("nhà đất" loses "nhà" to the filler "nhá"), silently never matches: content:check
 * lists them.
 */
export function unreachableNames(lexicon: Lexicon): UnreachableName[] {
  const lists = { foreign: lexicon.foreign, anchors: lexicon.anchors, channels: lexicon.channels, scamSigns: lexicon.scamSigns } as const;
  const found: UnreachableName[] = [];
  for (const [list, names] of Object.entries(lists) as Array<[UnreachableName['list'], ReadonlySet<string>]>) {
    for (const name of names) {
      const tokens = normalizeTokens(name.replaceAll('_', ' '), lexicon);
      const readable = tokens.some((t, i) => t === name || (i > 0 && `${tokens[i - 1]}_${t}` === name));
      if (!readable) found.push({ list, name: name.replaceAll('_', ' '), readsAs: tokens.join(' ') });
    }
  }
  return found;
}

/** The normalized form as one string (what statistics store and officials read). */
export function normalizeText(text: string, lexicon: Lexicon = EMPTY_LEXICON): string {
  return normalizeTokens(text, lexicon).join(' ');
}
