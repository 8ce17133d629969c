/**
 * Question → content entry. BM25 (MiniSearch) over normalized syllables and syllable bigrams of
 * every phrasing ranks the entries; Fuse.js corrects typos against the content vocabulary; the
 * confidence is how much of the question the best entry explains (IDF-weighted), so a question
 * about something we do not cover scores low even when a few common words match.
 * Built once at start-up; `match` is pure and synchronous.
 */
import MiniSearch from 'minisearch';
import Fuse from 'fuse.js';
import type { ContentBase } from '../content/loader.js';
import type { Entry } from '../content/schema.js';
import { normalizeTokens, type Lexicon } from '../text/normalize.js';
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

interface Doc {
  id: number;
  entryId: string;
  terms: string;
  field: 'phrasing' | 'title' | 'keywords';
}

const BIGRAM_JOIN = '_';
const bigrams = (tokens: readonly string[]) => tokens.slice(1).map((t, i) => tokens[i] + BIGRAM_JOIN + t);
const isBigram = (term: string) => term.includes(BIGRAM_JOIN);
const withBigrams = (tokens: readonly string[]) => [...tokens, ...bigrams(tokens)];

/** Bounded memo for typo corrections: the vocabulary is fixed, so answers never go stale. */
const TYPO_CACHE_MAX = 5000;

export class Matcher {
  private readonly search: MiniSearch<Doc>;
  /** One document per entry (all phrasings, keywords, answer): the vocabulary an entry owns. */
  private readonly entrySearch: MiniSearch<{ id: string; terms: string; answer: string }>;
  private readonly fuse: Fuse<string>;
  private readonly vocabulary: Set<string>;
  /** Per entry: term → weight in its vocabulary (1 from phrasings/title/keywords, less from answer). */
  private readonly entryTerms = new Map<string, Map<string, number>>();
  private readonly idf = new Map<string, number>();
  private readonly maxIdf: number;
  private readonly typoCache = new Map<string, string | null>();

  constructor(
    readonly content: ContentBase,
    private readonly lexicon: Lexicon,
    private readonly tuning: Tuning,
  ) {
    const docs: Doc[] = [];
    const add = (entry: Entry, field: Doc['field'], text: string) => {
      const tokens = this.normalize(text);
      if (tokens.length > 0) docs.push({ id: docs.length, entryId: entry.id, terms: withBigrams(tokens).join(' '), field });
    };
    for (const entry of content.entries) {
      add(entry, 'title', entry.title);
      add(entry, 'title', entry.label);
      entry.phrasings.forEach((p) => add(entry, 'phrasing', p));
      entry.keywords.forEach((k) => add(entry, 'keywords', k));

      const terms = new Map<string, number>();
      for (const t of withBigrams(this.normalize(entry.answer))) terms.set(t, tuning.answerVocabularyWeight);
      for (const doc of docs) if (doc.entryId === entry.id) for (const t of doc.terms.split(' ')) terms.set(t, 1);
      this.entryTerms.set(entry.id, terms);
    }

    // One field per kind of text, so field boosts weigh them without a per-hit callback.
    this.search = new MiniSearch<Doc>({
      fields: ['phrasing', 'title', 'keywords'],
      extractField: (doc, field) => (field === 'id' || field === 'entryId' ? String(doc[field]) : doc.field === field ? doc.terms : ''),
      storeFields: ['entryId'],
      tokenize: (s) => s.split(' '),
      processTerm: (t) => t || null,
      searchOptions: { combineWith: 'OR' },
    });
    this.search.addAll(docs);

    this.entrySearch = new MiniSearch({
      fields: ['terms', 'answer'],
      tokenize: (s) => s.split(' '),
      processTerm: (t) => t || null,
      searchOptions: { combineWith: 'OR', boost: { answer: tuning.boost.answer } },
    });
    this.entrySearch.addAll(
      content.entries.map((e) => ({
        id: e.id,
        terms: docs.filter((d) => d.entryId === e.id).map((d) => d.terms).join(' '),
        answer: withBigrams(this.normalize(e.answer)).join(' '),
      })),
    );

    // IDF over entries: how specific a term is to a few entries.
    const df = new Map<string, number>();
    for (const terms of this.entryTerms.values()) for (const t of terms.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    const n = this.entryTerms.size;
    const idfOf = (d: number) => Math.log(1 + (n - d + 0.5) / (d + 0.5));
    for (const [t, d] of df) this.idf.set(t, idfOf(d));
    this.maxIdf = idfOf(0);

    this.vocabulary = new Set([...df.keys()].filter((t) => !isBigram(t)));
    this.fuse = new Fuse([...this.vocabulary].filter((t) => t.length >= tuning.typo.minLength), {
      includeScore: true,
      threshold: tuning.typo.maxScore,
      ignoreLocation: true,
    });
  }

  private normalize(text: string): string[] {
    return normalizeTokens(text, this.lexicon);
  }

  /** Replaces a word we do not know by the closest content word, if one is close enough. */
  private correct(token: string): string {
    if (this.vocabulary.has(token) || token.length < this.tuning.typo.minLength || /^[0-9]+$/.test(token)) return token;
    let fixed = this.typoCache.get(token);
    if (fixed === undefined) {
      const best = this.fuse.search(token, { limit: 1 })[0];
      fixed = best && (best.score ?? 1) <= this.tuning.typo.maxScore ? best.item : null;
      if (this.typoCache.size >= TYPO_CACHE_MAX) this.typoCache.clear();
      this.typoCache.set(token, fixed);
    }
    return fixed ?? token;
  }

  /** How much of the question (weighted by term specificity) an entry's vocabulary explains. */
  private coverage(entryId: string, terms: readonly string[]): number {
    const vocab = this.entryTerms.get(entryId)!;
    let total = 0;
    let covered = 0;
    for (const t of terms) {
      const w = this.idf.get(t) ?? this.maxIdf;
      total += w;
      covered += w * (vocab.get(t) ?? 0);
    }
    return total === 0 ? 0 : covered / total;
  }

  /** Candidates ranked by BM25, with the features the confidence is made of (for tuning). */
  explain(text: string): { normalized: string; candidates: Candidate[] } {
    const tokens = this.normalize(typeof text === 'string' ? text : '').map((t) => this.correct(t));
    const normalized = tokens.join(' ');
    // Digits alone (an ID number, an OTP) say nothing about a topic.
    if (!tokens.some((t) => /[a-z]/.test(t))) return { normalized, candidates: [] };

    const { boost } = this.tuning;
    const query = withBigrams(tokens).join(' ');
    const hits = this.search.search(query, {
      boostTerm: (term) => (isBigram(term) ? boost.bigram : 1),
      boost: { phrasing: boost.phrasing, title: boost.title, keywords: boost.keywords },
    });
    // Entry score = best phrasing + a share of the second best (several phrasings agreeing).
    const perEntry = new Map<string, number[]>();
    for (const h of hits) {
      const list = perEntry.get(h.entryId as string) ?? [];
      if (list.length < 2) list.push(h.score);
      perEntry.set(h.entryId as string, list);
    }
    const entryHits = new Map(
      this.entrySearch.search(query, { boostTerm: (term) => (isBigram(term) ? boost.bigram : 1) }).map((h) => [h.id as string, h.score]),
    );
    const ranked = [...perEntry]
      .map(([id, s]) => ({ id, bm25: s[0]! + this.tuning.secondBestShare * (s[1] ?? 0) + boost.entry * (entryHits.get(id) ?? 0) }))
      .sort((a, b) => b.bm25 - a.bm25)
      .slice(0, 4);
    const bi = bigrams(tokens);
    const candidates = ranked.map((c, i) => {
      const coverage = this.coverage(c.id, tokens);
      const next = ranked[i + 1]?.bm25 ?? 0;
      return {
        id: c.id,
        bm25: c.bm25,
        coverage,
        bigramCoverage: bi.length > 0 ? this.coverage(c.id, bi) : coverage,
        margin: c.bm25 > 0 ? Math.max(0, (c.bm25 - next) / c.bm25) : 0,
      };
    });
    return { normalized, candidates };
  }

  /** Confidence 0..1 from the features, with the tuned weights. */
  confidence(c: Candidate, weights: Tuning['weights'] = this.tuning.weights): number {
    return clamp01(weights.coverage * c.coverage + weights.bigramCoverage * c.bigramCoverage + weights.margin * c.margin);
  }

  match(text: string): MatchResult {
    const { normalized, candidates } = this.explain(text);
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

export interface Candidate {
  id: string;
  bm25: number;
  coverage: number;
  bigramCoverage: number;
  margin: number;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const round3 = (x: number) => Math.round(x * 1000) / 1000;
