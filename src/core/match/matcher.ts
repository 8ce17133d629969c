/**
 * Question → content entry. BM25 over normalized syllables and syllable bigrams ranks the
 * entries (best phrasing + the entry's whole vocabulary); Fuse.js corrects typos against the
 * content vocabulary; the confidence is how much of the question the best entry explains
 * (IDF-weighted), so a question about something we do not cover scores low even when a few
 * common words match. Built once at start-up; `match` is pure and synchronous.
 */
import Fuse from 'fuse.js';
import { LRUCache } from 'lru-cache';
import type { ContentBase } from '../content/loader.js';
import { normalizeTokens, type Lexicon } from '../text/normalize.js';
import { Bm25Index } from './bm25.js';
import type { Tuning } from './tuning.js';

export interface MatchResult {
  /** Best entry id, or null when the question is out of scope (score below threshold). */
  id: string | null;
  /** Confidence 0..1 of the best candidate. */
  score: number;
  /** Up to 3 next-best ids (for "Ý bạn là ...?"). */
  alternatives: string[];
  /** The best candidate even when below threshold (for review lists), else null. */
  nearest: string | null;
  /** The normalized question (after typo correction). */
  normalized: string;
}

export interface MatchOptions {
  /** Entry ids that fit the conversation so far: preferred among close candidates. */
  context?: readonly string[];
}

export interface Candidate {
  id: string;
  bm25: number;
  coverage: number;
  bigramCoverage: number;
  margin: number;
}

/**
 * Terms are interned as numbers: a syllable gets an id below BIGRAM_BASE, a pair of syllables
 * (a, b) the id (a + 1) * BIGRAM_BASE + b. Numeric keys build the index several times faster
 * than strings, and no pair string is ever made. -1 stands for a term the content never uses.
 */
const BIGRAM_BASE = 1 << 20;
const UNKNOWN = -1;
const isBigramId = (id: number) => id >= BIGRAM_BASE;
const pairId = (a: number, b: number) => (a === UNKNOWN || b === UNKNOWN ? UNKNOWN : (a + 1) * BIGRAM_BASE + b);

/** Bounded memo for typo corrections: the vocabulary is fixed, so answers never go stale. */
const TYPO_CACHE_MAX = 10_000;
const CANDIDATES = 4;
/**
 * Questions answered recently, by normalized form. Citizens ask the same few things in the same
 * words ("tich hop bhyt", "kich hoat muc 2") again and again, and the content is fixed while the
 * server runs, so a repeat costs a lookup instead of a ranking.
 */
const RESULT_CACHE_MAX = 5_000;

export class Matcher {
  /** One document per phrasing, title, label, keyword: "is there a phrasing like this?" */
  private readonly phrasings = new Bm25Index<number>();
  private readonly phrasingEntry: number[] = [];
  /** One document per entry (all its phrasings): "does this entry own these words?" */
  private readonly entryTexts = new Bm25Index<number>();
  private readonly entryIds: string[] = [];
  /** Per entry: term → weight in its vocabulary (1 from phrasings/title/keywords, less from answer). */
  private readonly entryTerms: Array<Map<number, number>> = [];
  private readonly idf = new Map<number, number>();
  private readonly maxIdf: number;
  /** Syllable → term id: the content vocabulary. */
  private readonly vocabulary = new Map<string, number>();
  /** Term ids of other services' names (lexicon "foreign") that the content also uses. */
  private readonly foreignIds = new Set<number>();
  /** Fuse over the vocabulary, one per first letter: typos rarely hit the first letter, and 20× fewer words to scan. */
  private readonly fuseByInitial = new Map<string, Fuse<string>>();
  private readonly typoCache = new LRUCache<string, { fixed: string | null }>({ max: TYPO_CACHE_MAX });
  /** Absent when switched off (the benchmark measures ranking itself). */
  private readonly results: LRUCache<string, MatchResult> | undefined;

  constructor(
    readonly content: ContentBase,
    private readonly lexicon: Lexicon,
    private readonly tuning: Tuning,
    options: { resultCache?: number } = {},
  ) {
    const cacheSize = options.resultCache ?? RESULT_CACHE_MAX;
    this.results = cacheSize > 0 ? new LRUCache({ max: cacheSize }) : undefined;
    const { boost } = tuning;
    content.entries.forEach((entry, index) => {
      this.entryIds.push(entry.id);
      const texts: Array<[string, number]> = [
        [entry.title, boost.title],
        [entry.label, boost.title],
        ...entry.phrasings.map((p): [string, number] => [p, boost.phrasing]),
        ...entry.keywords.map((k): [string, number] => [k, boost.keywords]),
      ];
      const terms = new Map<number, number>();
      const all: number[] = [];
      for (const [text, fieldBoost] of texts) {
        const t = this.termsOf(this.normalize(text), true);
        if (t.length === 0) continue;
        this.phrasings.add(t, fieldBoost);
        this.phrasingEntry.push(index);
        for (const id of t) all.push(id);
      }
      const answer = this.termsOf(this.normalize(entry.answer), true);
      for (const t of answer) terms.set(t, tuning.answerVocabularyWeight);
      for (const t of all) terms.set(t, 1);
      this.entryTerms.push(terms);
      this.entryTexts.add(all);
    });
    this.phrasings.prepare();
    this.entryTexts.prepare();

    // IDF over entries: how specific a term is to a few entries.
    const df = new Map<number, number>();
    for (const terms of this.entryTerms) for (const t of terms.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    const n = this.entryTerms.length;
    const idfOf = (d: number) => Math.log(1 + (n - d + 0.5) / (d + 0.5));
    for (const [t, d] of df) this.idf.set(t, idfOf(d));
    this.maxIdf = idfOf(0);

    for (const name of lexicon.foreign) {
      const id = this.termsOf(name.split('_'), false).at(-1);
      if (id !== undefined && id !== UNKNOWN) this.foreignIds.add(id);
    }

    const buckets = new Map<string, string[]>();
    for (const word of this.vocabulary.keys()) {
      if (word.length < tuning.typo.minLength || /^[0-9]+$/.test(word)) continue;
      const list = buckets.get(word[0]!) ?? [];
      list.push(word);
      buckets.set(word[0]!, list);
    }
    for (const [initial, words] of buckets) {
      this.fuseByInitial.set(initial, new Fuse(words, { includeScore: true, threshold: tuning.typo.maxScore, ignoreLocation: true }));
    }
  }

  private normalize(text: string): string[] {
    return normalizeTokens(text, this.lexicon);
  }

  /** Syllable ids, then pair ids, of a token list; with `learn`, new syllables join the vocabulary. */
  private termsOf(tokens: readonly string[], learn: boolean): number[] {
    const ids = tokens.map((t) => {
      let id = this.vocabulary.get(t);
      if (id === undefined && learn) this.vocabulary.set(t, (id = this.vocabulary.size));
      return id ?? UNKNOWN;
    });
    const out = ids.slice();
    for (let i = 1; i < ids.length; i++) out.push(pairId(ids[i - 1]!, ids[i]!));
    return out;
  }

  /** Replaces a word we do not know by the closest content word, if one is close enough. */
  private correct(token: string): string {
    if (this.vocabulary.has(token) || token.length < this.tuning.typo.minLength || /^[0-9]+$/.test(token)) return token;
    let memo = this.typoCache.get(token);
    if (!memo) {
      const best = this.fuseByInitial.get(token[0]!)?.search(token, { limit: 1 })[0];
      memo = { fixed: best && (best.score ?? 1) <= this.tuning.typo.maxScore ? best.item : null };
      this.typoCache.set(token, memo);
    }
    return memo.fixed ?? token;
  }

  /** How much of the question (weighted by term specificity) an entry's vocabulary explains. */
  private coverage(entry: number, terms: readonly number[]): number {
    const vocab = this.entryTerms[entry]!;
    let total = 0;
    let covered = 0;
    for (const t of terms) {
      // Another service's name (facebook, sổ đỏ) says the question is about something else,
      // unless this entry talks about it: it weighs like a word we have never seen.
      const w = this.foreignIds.has(t) ? this.maxIdf : (this.idf.get(t) ?? this.maxIdf);
      total += w;
      covered += w * (vocab.get(t) ?? 0);
    }
    return total === 0 ? 0 : covered / total;
  }

  /** Candidates ranked by BM25, with the features the confidence is made of (for tuning). */
  explain(text: string): { normalized: string; candidates: Candidate[] } {
    return this.explainTokens(this.normalize(typeof text === 'string' ? text : ''));
  }

  /** As `explain`, for a question already normalized with the same lexicon (the engine has it). */
  explainTokens(normalizedTokens: readonly string[]): { normalized: string; candidates: Candidate[] } {
    const tokens = normalizedTokens.map((t) => this.correct(t));
    const normalized = tokens.join(' ');
    // Digits alone (an ID number, an OTP) say nothing about a topic.
    if (!tokens.some((t) => /[a-z]/.test(t))) return { normalized, candidates: [] };

    const { boost, secondBestShare } = this.tuning;
    const terms = this.termsOf(tokens, false);
    const unigrams = terms.slice(0, tokens.length);
    const bi = terms.slice(tokens.length);
    const query = [...new Set(terms)].filter((t) => t !== UNKNOWN).map((term) => ({ term, weight: isBigramId(term) ? boost.bigram : 1 }));

    // Entry score = best phrasing + a share of the second best + the entry's whole vocabulary.
    const perDoc = new Float64Array(this.phrasings.size);
    const best = new Float64Array(this.entryIds.length);
    const second = new Float64Array(this.entryIds.length);
    for (const d of this.phrasings.score(query, perDoc)) {
      const e = this.phrasingEntry[d]!;
      const s = perDoc[d]!;
      if (s > best[e]!) {
        second[e] = best[e]!;
        best[e] = s;
      } else if (s > second[e]!) second[e] = s;
    }
    const whole = new Float64Array(this.entryIds.length);
    this.entryTexts.score(query, whole);

    const ranked: Array<{ e: number; bm25: number }> = [];
    for (let e = 0; e < this.entryIds.length; e++) {
      const bm25 = best[e]! + secondBestShare * second[e]! + boost.entry * whole[e]!;
      if (bm25 > 0) ranked.push({ e, bm25 });
    }
    ranked.sort((a, b) => b.bm25 - a.bm25);
    const top = ranked.slice(0, CANDIDATES);
    const candidates = top.map((c, i) => {
      const coverage = this.coverage(c.e, unigrams);
      const next = ranked[i + 1]?.bm25 ?? 0;
      return {
        id: this.entryIds[c.e]!,
        bm25: c.bm25,
        coverage,
        bigramCoverage: bi.length > 0 ? this.coverage(c.e, bi) : coverage,
        margin: c.bm25 > 0 ? Math.max(0, (c.bm25 - next) / c.bm25) : 0,
      };
    });
    return { normalized, candidates };
  }

  /** Confidence 0..1 from the features, with the tuned weights. */
  confidence(c: Candidate, weights: Tuning['weights'] = this.tuning.weights): number {
    return clamp01(weights.coverage * c.coverage + weights.bigramCoverage * c.bigramCoverage + weights.margin * c.margin);
  }

  match(text: string): Readonly<MatchResult> {
    return this.matchTokens(this.normalize(typeof text === 'string' ? text : ''));
  }

  /**
   * Shared between callers, hence frozen. `context`: entry ids the conversation is about (the
   * step problems and related entries of a walkthrough in progress); among close candidates they
   * win, so "quên passcode" during activation is the passcode problem, not a neighbouring topic.
   */
  matchTokens(normalizedTokens: readonly string[], options: MatchOptions = {}): Readonly<MatchResult> {
    if (options.context && options.context.length > 0) return Object.freeze(this.rank(normalizedTokens, options.context));
    const key = normalizedTokens.join(' ');
    let result = this.results?.get(key);
    if (!result) {
      result = this.rank(normalizedTokens);
      Object.freeze(result.alternatives);
      this.results?.set(key, Object.freeze(result));
    }
    return result;
  }

  private rank(normalizedTokens: readonly string[], context: readonly string[] = []): MatchResult {
    const { normalized, candidates } = this.explainTokens(normalizedTokens);
    const inContext = candidates.find((c) => context.includes(c.id) && this.confidence(c) >= this.tuning.suggestThreshold);
    if (inContext && inContext !== candidates[0]) candidates.splice(candidates.indexOf(inContext), 1), candidates.unshift(inContext);
    const top = candidates[0];
    if (!top) return { id: null, score: 0, alternatives: [], nearest: null, normalized };
    const score = this.confidence(top);
    return {
      id: score >= this.tuning.threshold ? top.id : null,
      score: round3(score),
      alternatives: candidates.slice(1, 4).map((c) => c.id),
      nearest: top.id,
      normalized,
    };
  }
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const round3 = (x: number) => Math.round(x * 1000) / 1000;
