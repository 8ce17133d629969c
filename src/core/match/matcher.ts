/**
 * Question → content entry. Built once at start-up; `match` is pure and synchronous.
 *
 * Ranking: BM25 over normalized syllables and pairs of neighbouring content words, on three
 * views of each entry: its best phrasing (how citizens ask), the whole entry (title, label,
 * phrasings, keywords) and its answer text (what it talks about). Function words ("là", "thì",
 * "được") are neither indexed nor weighed, so pairs survive the particles people put between
 * words ("kích hoạt cho bác cái vneid"). Fuse.js corrects typos against the content vocabulary.
 * Beside BM25, a classifier trained on the content at start-up (classifier.ts) says which entry
 * the question's words point to; each entry ranks by its BM25 relative to the best plus the
 * weighted probability. BM25 alone let a long compound that one entry repeats outweigh the word
 * that decides the topic; on real questions we never tuned on, the pair ranks the right entry
 * first for 84 % against 74 % (../shared/eval/dev-real.jsonl, when it was added).
 *
 * Confidence: a logistic model (weights fitted by `npm run tune`, kept in content/matcher.yaml)
 * over named features of the best entry: the classifier's probability; how much of the question
 * it explains, over words and over pairs (each content word weighs by how specific it is, IDF over
 * entries; a word the content never uses weighs a tuned fraction of the rarest word, since long
 * questions carry context the content cannot know: "gần Tết, bận công việc"); its lead in the
 * ranking; how much it explains in absolute terms;
 * whether the question names another service (VssID, sổ đỏ) and whether it names VNeID itself.
 * Below the threshold the bot does not guess. A question that is exactly one entry's own text (a
 * button label typed by hand) is that entry, whatever the model says of two words.
 *
 * Built once at start-up, and again when officials attach a question to an entry from the review
 * list (src/core/review): `Matcher.build` makes the same index in slices, giving the event loop
 * back between entries, so the bot keeps answering with the old matcher meanwhile.
 */
import Fuse from 'fuse.js';
import { LRUCache } from 'lru-cache';
import type { ContentBase } from '../content/loader.js';
import type { Entry } from '../content/schema.js';
import { asksWhatItIs, normalizeTokens, type Lexicon } from '../text/normalize.js';
import { isVietnameseSyllable } from '../text/vietnamese.js';
import { Bm25Index } from './bm25.js';
import { EntryClassifier, type TrainingExample } from './classifier.js';
import { CONFIDENCE_FEATURES, type ConfidenceFeature, type Tuning } from './tuning.js';

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
  /**
   * The question names another service (VssID, sổ đỏ, a bank…) that the best entry never names,
   * and not VNeID itself: most likely a question for someone else.
   */
  otherService: boolean;
  /** The question names VNeID itself (vneid, định danh, căn cước…: lexicon "anchors"). */
  aboutVneid: boolean;
}

export interface MatchOptions {
  /** Entry ids that fit the conversation so far: preferred among close candidates. */
  context?: readonly string[];
}

/** The candidates of a question, best first: as ranked (`explain`), or as the matcher answers (`explainOrdered`). */
export interface Explanation {
  normalized: string;
  candidates: Candidate[];
  /** The question shows a sign of a scam (lexicon `scamSigns`: lừa, link, gọi, lạ, mạo danh). */
  scamSign: boolean;
}

export interface Candidate {
  id: string;
  bm25: number;
  /** The entry's probability under the classifier trained on the content (0..1). */
  classifier: number;
  /** What the ranking sorts by: BM25 relative to the best BM25, plus the weighted probability. */
  rank: number;
  /** Share of the question's weight (words) that the entry's vocabulary holds. */
  coverage: number;
  /** The same over pairs of neighbouring content words. */
  bigramCoverage: number;
  /** How far this candidate's ranking score is ahead of the next one (0..1). */
  margin: number;
  /**
   * How much the entry explains in absolute terms, counted in rarest words: "bạn ở quận 7"
   * is wholly explained by one common word, which is not evidence of anything.
   */
  evidence: number;
  /**
   * 1 when the question names another service (VssID, sổ đỏ, phạt nguội: lexicon "foreign"), for
   * every candidate, even one that names it too: the scam warning names Zalo and l2-bhxh names
   * VssID, yet "đổi mật khẩu Zalo" and "tra cứu BHXH qua VssID" are not ours. (Sparing the entries
   * that name the service cost a fifth of the rejections that rely on it: measured 2026-12-02.)
   * A chat app (lexicon "channels") named beside a sign of a scam ("link lạ gửi qua Zalo") is the
   * scam's channel and does not count.
   */
  foreign: number;
  /** 1 when the question names VNeID itself (vneid, định danh, căn cước...: lexicon "anchors"). */
  anchored: number;
}

/**
 * Terms are interned as numbers: a syllable gets an id below BIGRAM_BASE, a pair of syllables
 * (a, b) the id (a + 1) * BIGRAM_BASE + b. Numeric keys build the index several times faster
 * than strings, and no pair string is ever made. -1 stands for a term the content never uses.
 */
const BIGRAM_BASE = 1 << 20;
const UNKNOWN = -1;
/** An entry none of the question's words are in is still a candidate if the classifier is this sure of it. */
const MIN_PROBABILITY = 0.05;
/** A text of two entries at once, in `exact`. */
const AMBIGUOUS = -1;
/**
 * The confidence given to a question that is exactly one entry's title, label, phrasing or
 * keyword: sure, but below what a long, well explained question earns.
 */
const EXACT_CONFIDENCE = 0.9;
const isBigramId = (id: number) => id >= BIGRAM_BASE;
const pairId = (a: number, b: number) => (a === UNKNOWN || b === UNKNOWN ? UNKNOWN : (a + 1) * BIGRAM_BASE + b);
const DIGITS = /^[0-9]+$/;
const SENTENCE_END = /[.!?\n]+/;
/** An answer sentence shorter than this (content words) is a fragment ("Bước 2:"), not a topic. */
const MIN_SENTENCE_WORDS = 3;

/** Bounded memo for typo corrections: the vocabulary is fixed, so answers never go stale. */
const TYPO_CACHE_MAX = 10_000;
const CANDIDATES = 4;
/**
 * Questions answered recently, by normalized form. Citizens ask the same few things in the same
 * words ("tich hop bhyt", "kich hoat muc 2") again and again, and the content is fixed while the
 * server runs, so a repeat costs a lookup instead of a ranking.
 */
const RESULT_CACHE_MAX = 5_000;

/** A question's terms: content words (syllable ids) and pairs of neighbouring content words. */
interface QueryTerms {
  words: number[];
  pairs: number[];
}

export class Matcher {
  /** One document per phrasing, title, label, keyword: "is there a phrasing like this?" */
  private readonly phrasings = new Bm25Index<number>();
  private readonly phrasingEntry: number[] = [];
  /** One document per entry (all its phrasings, title, keywords): "does this entry own these words?" */
  private readonly entryTexts = new Bm25Index<number>();
  /** One document per entry's answer: "does this entry talk about these words?" */
  private readonly answers = new Bm25Index<number>();
  private readonly entryIds: string[] = [];
  /** Per entry: term → weight in its vocabulary (1 from phrasings/title/keywords, less from answer). */
  private readonly entryTerms: Array<Map<number, number>> = [];
  private readonly idf = new Map<number, number>();
  /**
   * Each title, label, phrasing and keyword as its content words → its entry: a question that is
   * exactly one of them ("Thẻ căn cước", a button label typed by hand) is that entry, however
   * little evidence two words give the confidence model. A title or label outranks a phrasing,
   * which outranks a keyword; two entries with the same text at the same rank make it AMBIGUOUS.
   */
  private readonly exact = new Map<string, { entry: number; rank: number }>();
  /** What the classifier learns from: each entry's texts as term sets (kept until it is trained). */
  private readonly examples: TrainingExample[] = [];
  /** Set by finishIndex (the classes are the entries). */
  private classifier!: EntryClassifier;
  /** Set by finishIndex (after every entry is in). */
  private maxIdf = 0;
  /** Syllable → term id: the content vocabulary. */
  private readonly vocabulary = new Map<string, number>();
  /** Term ids of other services' names (lexicon "foreign") that the content also uses. */
  private readonly foreignIds = new Set<number>();
  /** Names of other services (lexicon "foreign": single syllables or joined pairs). */
  private readonly foreignWords: ReadonlySet<string>;
  /** Fuse over the vocabulary, one per first letter: typos rarely hit the first letter, and 20× fewer words to scan. */
  private readonly fuseByInitial = new Map<string, Fuse<string>>();
  private readonly typoCache = new LRUCache<string, { fixed: string | null }>({ max: TYPO_CACHE_MAX });
  /** Absent when switched off (the benchmark measures ranking itself). */
  private readonly results: LRUCache<string, MatchResult> | undefined;

  constructor(
    readonly content: ContentBase,
    private readonly lexicon: Lexicon,
    private readonly tuning: Tuning,
    options: { resultCache?: number; deferIndexing?: boolean } = {},
  ) {
    const cacheSize = options.resultCache ?? RESULT_CACHE_MAX;
    this.results = cacheSize > 0 ? new LRUCache({ max: cacheSize }) : undefined;
    this.foreignWords = lexicon.foreign;
    if (options.deferIndexing) return; // Matcher.build adds the entries itself, in slices
    content.entries.forEach((entry, index) => this.addEntry(entry, index));
    this.finishIndex();
    this.classifier.train(this.examples);
    this.examples.length = 0;
  }

  /**
   * The same matcher as the constructor makes, built in slices of about `sliceMs` of work with
   * the event loop given back in between (the whole build takes some hundreds of milliseconds:
   * done at once, it would hold every citizen's answer that long).
   */
  static async build(content: ContentBase, lexicon: Lexicon, tuning: Tuning, options: { resultCache?: number; sliceMs?: number } = {}): Promise<Matcher> {
    const sliceMs = options.sliceMs ?? 10;
    const matcher = new Matcher(content, lexicon, tuning, { ...(options.resultCache !== undefined ? { resultCache: options.resultCache } : {}), deferIndexing: true });
    let sliceStart = performance.now();
    for (let index = 0; index < content.entries.length; index++) {
      matcher.addEntry(content.entries[index]!, index);
      if (performance.now() - sliceStart >= sliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    matcher.finishIndex();
    for (const _ of matcher.classifier.trainSteps(matcher.examples)) {
      if (performance.now() - sliceStart >= sliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    matcher.examples.length = 0;
    return matcher;
  }

  /** What needs every entry: BM25 weights, IDF over entries, other services' names, typo search. */
  private finishIndex(): void {
    const { lexicon, tuning } = this;
    this.phrasings.prepare();
    this.entryTexts.prepare();
    this.answers.prepare();
    this.classifier = new EntryClassifier(this.entryIds.length, tuning.classifier);

    // IDF over entries: how specific a term is to a few entries.
    const df = new Map<number, number>();
    for (const terms of this.entryTerms) for (const t of terms.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    const n = this.entryTerms.length;
    const idfOf = (d: number) => Math.log(1 + (n - d + 0.5) / (d + 0.5));
    for (const [t, d] of df) this.idf.set(t, idfOf(d));
    this.maxIdf = idfOf(0);

    for (const name of lexicon.foreign) {
      const parts = name.split('_');
      const ids = parts.map((p) => this.vocabulary.get(p) ?? UNKNOWN);
      const id = ids.length === 1 ? ids[0]! : pairId(ids[0]!, ids[1]!);
      if (id !== UNKNOWN) this.foreignIds.add(id);
    }

    const buckets = new Map<string, string[]>();
    for (const word of this.vocabulary.keys()) {
      if (word.length < tuning.typo.minLength || DIGITS.test(word)) continue;
      const list = buckets.get(word[0]!) ?? [];
      list.push(word);
      buckets.set(word[0]!, list);
    }
    for (const [initial, words] of buckets) {
      this.fuseByInitial.set(initial, new Fuse(words, { includeScore: true, threshold: tuning.typo.maxScore, ignoreLocation: true }));
    }
  }

  private addEntry(entry: Entry, index: number): void {
    const { boost } = this.tuning;
    this.entryIds.push(entry.id);
    const { classifier } = this.tuning;
    // Each text: its BM25 boost, how much it teaches the classifier, and its rank for `exact`.
    const texts: Array<[string, number, number, number]> = [
      [entry.title, boost.title, 1, 2],
      [entry.label, boost.title, 1, 2],
      ...entry.phrasings.map((p): [string, number, number, number] => [p, boost.phrasing, 1, 1]),
      ...entry.keywords.map((k): [string, number, number, number] => [k, boost.keywords, classifier.keywordWeight, 0]),
    ];
    const terms = new Map<number, number>();
    const all: number[] = [];
    for (const [text, fieldBoost, teaches, rank] of texts) {
      const words = this.contentWords(text);
      const key = words.join(' ');
      const known = this.exact.get(key);
      if (key !== '' && (!known || rank > known.rank)) this.exact.set(key, { entry: index, rank });
      else if (key !== '' && rank === known!.rank && known!.entry !== index) this.exact.set(key, { entry: AMBIGUOUS, rank });
      const t = this.termsOf(words, true);
      const flat = [...t.words, ...t.pairs];
      if (flat.length === 0) continue;
      this.phrasings.add(flat, fieldBoost);
      this.phrasingEntry.push(index);
      for (const id of flat) all.push(id);
      this.examples.push({ terms: [...new Set(flat)], label: index, weight: teaches });
    }
    // The answer's sentences teach the classifier too, more lightly: what an entry talks about.
    for (const sentence of entry.answer.split(SENTENCE_END)) {
      const t = this.termsOf(this.contentWords(sentence), true);
      if (t.words.length >= MIN_SENTENCE_WORDS) this.examples.push({ terms: [...new Set([...t.words, ...t.pairs])], label: index, weight: classifier.answerWeight });
    }
    // What the entry says: its answer, and a walkthrough's steps and known problems (a guide that
    // explains biometric login in a step answers "đăng nhập bằng sinh trắc học").
    const said = [entry.answer, ...(entry.steps ?? []).flatMap((s) => [s.text, ...s.problems.flatMap((p) => [p.label, ...p.keywords, p.answer ?? ''])])];
    const answerTerms = said.flatMap((text) => {
      const t = this.termsOf(this.contentWords(text), true);
      return [...t.words, ...t.pairs];
    });
    for (const t of answerTerms) terms.set(t, this.tuning.answerVocabularyWeight);
    for (const t of all) terms.set(t, 1);
    this.entryTerms.push(terms);
    this.entryTexts.add(all);
    this.answers.add(answerTerms);
  }

  /** Normalized words without function words: what the index and the weights are made of. */
  private contentWords(text: string): string[] {
    return this.withoutStopwords(normalizeTokens(text, this.lexicon));
  }

  private withoutStopwords(tokens: readonly string[]): string[] {
    const { stopwords } = this.lexicon;
    return tokens.filter((t) => !stopwords.has(t));
  }

  /** Syllable ids and pair ids of a word list; with `learn`, new syllables join the vocabulary. */
  private termsOf(tokens: readonly string[], learn: boolean): QueryTerms {
    const words = tokens.map((t) => {
      let id = this.vocabulary.get(t);
      if (id === undefined && learn) this.vocabulary.set(t, (id = this.vocabulary.size));
      return id ?? UNKNOWN;
    });
    const pairs: number[] = [];
    for (let i = 1; i < words.length; i++) pairs.push(pairId(words[i - 1]!, words[i]!));
    return { words, pairs };
  }

  /** Replaces a word we do not know by the closest content word, if one is close enough. */
  private correct(token: string): string {
    if (this.vocabulary.has(token) || token.length < this.tuning.typo.minLength || DIGITS.test(token)) return token;
    // A real Vietnamese word we do not know ("trời", "xăng", "tủ lạnh") is a question about
    // something else, not a typo: "correcting" it into a content word would make it look known.
    if (this.foreignWords.has(token) || isVietnameseSyllable(token)) return token;
    let memo = this.typoCache.get(token);
    if (!memo) {
      const best = this.fuseByInitial.get(token[0]!)?.search(token, { limit: 1 })[0];
      memo = { fixed: best && (best.score ?? 1) <= this.tuning.typo.maxScore ? best.item : null };
      this.typoCache.set(token, memo);
    }
    return memo.fixed ?? token;
  }

  /**
   * What a question's term weighs in the confidence. A word we have never seen weighs a share
   * of the rarest word's weight (numbers we have never seen are left out before this).
   */
  private weightOf(term: number, token: string | undefined): number {
    if (this.foreignIds.has(term)) return this.maxIdf * this.tuning.foreignWeight;
    if (term !== UNKNOWN) return this.idf.get(term) ?? this.maxIdf;
    if (token === undefined) return this.maxIdf * this.tuning.unknownWeight;
    return this.maxIdf * (this.foreignWords.has(token) ? this.tuning.foreignWeight : this.tuning.unknownWeight);
  }

  /**
   * How much of the question (weighted by term specificity) an entry's vocabulary explains:
   * the share, and the explained weight itself in units of the rarest word.
   */
  private coverage(entry: number, terms: readonly number[], weights: readonly number[]): { share: number; weight: number } {
    const vocab = this.entryTerms[entry]!;
    let total = 0;
    let covered = 0;
    terms.forEach((t, i) => {
      const w = weights[i]!;
      total += w;
      // Another service's name counts against every entry, even one that mentions it in passing.
      if (!this.foreignIds.has(t)) covered += w * (vocab.get(t) ?? 0);
    });
    return { share: total === 0 ? 0 : covered / total, weight: covered / this.maxIdf };
  }

  /** Candidates ranked by BM25, with the features the confidence is made of (for tuning). */
  explain(text: string): Explanation {
    return this.explainTokens(normalizeTokens(typeof text === 'string' ? text : '', this.lexicon));
  }

  /** As `explain`, for a question already normalized with the same lexicon (the engine has it). */
  explainTokens(normalizedTokens: readonly string[]): Explanation {
    // Function words are not in the vocabulary: they must not be "corrected" into content words.
    const { stopwords } = this.lexicon;
    const corrected = normalizedTokens.map((t) => (stopwords.has(t) ? t : this.correct(t)));
    const normalized = corrected.join(' ');
    // A number the content never uses (a year, an amount, an OTP typed in) is left out, so the
    // words around it still make their pair: "mã otp 482913 nhập ở đâu" reads "mã otp nhập ở đâu".
    const tokens = this.withoutStopwords(corrected).filter((t) => !DIGITS.test(t) || this.vocabulary.has(t));
    // Digits alone (an ID number, an OTP) say nothing about a topic.
    if (!tokens.some((t) => /[a-z]/.test(t))) return { normalized, candidates: [], scamSign: false };
    // Each pair as its two words joined by "_", the way the lexicon names other services ("so_do").
    const joined = tokens.map((t, i) => (i > 0 ? `${tokens[i - 1]}_${t}` : undefined));

    const { boost, secondBestShare } = this.tuning;
    const { words, pairs } = this.termsOf(tokens, false);
    const query = [...new Set([...words, ...pairs])]
      .filter((t) => t !== UNKNOWN)
      .map((term) => ({ term, weight: isBigramId(term) ? boost.bigram : 1 }));

    // Entry score = best phrasing + a share of the second best + the entry's whole vocabulary + its answer.
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
    const said = new Float64Array(this.entryIds.length);
    this.answers.score(query, said);

    const bm25 = new Float64Array(this.entryIds.length);
    let topBm25 = 0;
    for (let e = 0; e < this.entryIds.length; e++) {
      bm25[e] = best[e]! + secondBestShare * second[e]! + boost.entry * whole[e]! + boost.answer * said[e]!;
      if (bm25[e]! > topBm25) topBm25 = bm25[e]!;
    }
    const ranked: Array<{ e: number; bm25: number; p: number; rank: number }> = [];
    if (topBm25 > 0) {
      // BM25 says which entries hold the question's words; the classifier, which entry those words
      // point to. Each entry is ranked by both: BM25 relative to the best, plus the probability.
      const p = this.classifier.probabilities(query.map((q) => q.term));
      for (let e = 0; e < this.entryIds.length; e++) {
        const rank = bm25[e]! / topBm25 + this.tuning.classifier.weight * p[e]!;
        if (bm25[e]! > 0 || p[e]! >= MIN_PROBABILITY) ranked.push({ e, bm25: bm25[e]!, p: p[e]!, rank });
      }
    }
    ranked.sort((a, b) => b.rank - a.rank);
    const top = ranked.slice(0, CANDIDATES);
    const wordWeights = words.map((t, i) => this.weightOf(t, tokens[i]));
    // A pair never seen, of two words we know ("khẩu cách"), says little: it weighs like the
    // commoner of its words. A pair with an unknown word weighs like an unknown word.
    const pairWeights = pairs.map((t, i) =>
      !this.idf.has(t) && words[i] !== UNKNOWN && words[i + 1] !== UNKNOWN && !this.foreignWords.has(joined[i + 1]!)
        ? Math.min(wordWeights[i]!, wordWeights[i + 1]!)
        : this.weightOf(t, joined[i + 1]),
    );
    // Names are looked for in the whole question: "giá vàng" must not lose "vàng" to "vâng".
    const namesOf = (names: ReadonlySet<string>) => corrected.flatMap((t, i) => [t, ...(i > 0 ? [`${corrected[i - 1]}_${t}`] : [])].filter((n) => names.has(n)));
    const named = (names: ReadonlySet<string>) => namesOf(names).length > 0;
    // "bấm vào link lạ gửi qua Zalo": Zalo is where the scam came from, not what is asked about.
    const channelOfScam = (name: string) => this.lexicon.channels.has(name) && named(this.lexicon.scamSigns);
    const foreign = namesOf(this.foreignWords).some((name) => !channelOfScam(name)) ? 1 : 0;
    const anchored = named(this.lexicon.anchors) ? 1 : 0;
    const candidates = top.map((c, i) => {
      const single = this.coverage(c.e, words, wordWeights);
      // One content word has no pairs, so no pair evidence: letting the word's coverage stand in
      // for it answered any word the content uses once ("chạy", "cháy") with confidence 0.66.
      const paired = pairs.length > 0 ? this.coverage(c.e, pairs, pairWeights) : { share: 0, weight: 0 };
      const next = ranked[i + 1]?.rank ?? 0;
      return {
        id: this.entryIds[c.e]!,
        bm25: c.bm25,
        classifier: c.p,
        rank: c.rank,
        coverage: single.share,
        bigramCoverage: paired.share,
        margin: c.rank > 0 ? Math.max(0, (c.rank - next) / c.rank) : 0,
        // Common words in an uncommon order ("số điện thoại công an xã") are evidence too.
        evidence: single.weight + paired.weight,
        foreign,
        anchored,
      };
    });
    return { normalized, candidates, scamSign: named(this.lexicon.scamSigns) };
  }

  /**
   * Safety first (matcher.yaml `scamFirst`): a question with a sign of a scam ("người lạ gọi bảo
   * cài app", "chiêu lừa cài đặt VNeID") names the procedure the caller asked for, so the guide
   * for that procedure often outranks the scam warning by a little. Told how to install, the
   * citizen would do what the caller wants; the warning, second, goes first, unless the best
   * entry speaks of scams or of calling the police itself ("xem tin cảnh báo lừa đảo", "gọi
   * trực ban").
   */
  private scamWarningFirst(candidates: readonly Candidate[]): boolean {
    const rule = this.tuning.scamFirst;
    return rule !== undefined && candidates[1]?.id === rule.warning && !rule.unless.includes(candidates[0]!.id);
  }

  /**
   * A glossary entry (kind "term") says what a word means. First for a question that does not ask
   * that ("làm VNeID mức 2 cần gì", "mức 2 làm ở đâu"), it yields to the best entry that is not a
   * glossary entry, if that one ranks at least `glossaryYield` of it and holds as much of the
   * question: the guide that says how. Returns that entry's index, or 0 to keep the order.
   */
  private explainingInstead(candidates: readonly Candidate[], tokens: readonly string[]): number {
    const share = this.tuning.glossaryYield;
    const top = candidates[0];
    if (share === undefined || !top || this.kindOf(top.id) !== 'term' || asksWhatItIs(tokens)) return 0;
    const other = candidates.findIndex((c) => this.kindOf(c.id) !== 'term');
    // "đưa bằng đại học lên vneid": the wallet entry holds every word of it, the guides a third.
    return other > 0 && candidates[other]!.rank >= share * top.rank && candidates[other]!.coverage >= top.coverage ? other : 0;
  }

  private kindOf(id: string): string | undefined {
    return this.content.byId.get(id)?.kind;
  }

  /** Confidence 0..1 from the features, with the tuned weights. */
  confidence(c: Candidate, model: Tuning['confidence'] = this.tuning.confidence): number {
    return confidenceOf(features(c), model);
  }

  match(text: string, options: MatchOptions = {}): Readonly<MatchResult> {
    return this.matchTokens(normalizeTokens(typeof text === 'string' ? text : '', this.lexicon), options);
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

  /**
   * As `explain`, in the order the matcher answers a first message: the scam warning and the
   * glossary orderings applied (`npm run tune` fits the confidence of the entry that is answered).
   */
  explainOrdered(text: string): Explanation {
    return this.ordered(normalizeTokens(typeof text === 'string' ? text : '', this.lexicon));
  }

  /** The candidates, then what comes before the ranking: the conversation, safety, what was asked. */
  private ordered(normalizedTokens: readonly string[], context: readonly string[] = []): Explanation {
    const explanation = this.explainTokens(normalizedTokens);
    const { candidates } = explanation;
    const inContext = candidates.find((c) => context.includes(c.id) && this.confidence(c) >= this.tuning.suggestThreshold);
    if (inContext && inContext !== candidates[0]) candidates.splice(candidates.indexOf(inContext), 1), candidates.unshift(inContext);
    if (explanation.scamSign && this.scamWarningFirst(candidates)) candidates.unshift(...candidates.splice(1, 1));
    // A glossary entry the walkthrough itself put first ("passcode" while setting one) stays.
    const explaining = candidates[0] === inContext ? 0 : this.explainingInstead(candidates, normalizedTokens);
    if (explaining > 0) candidates.unshift(...candidates.splice(explaining, 1));
    return explanation;
  }

  private rank(normalizedTokens: readonly string[], context: readonly string[] = []): MatchResult {
    const { normalized, candidates } = this.ordered(normalizedTokens, context);
    const exactEntry = this.exact.get(this.withoutStopwords(normalized.split(' ')).join(' '))?.entry ?? AMBIGUOUS;
    const exact = exactEntry === AMBIGUOUS ? undefined : candidates.find((c) => c.id === this.entryIds[exactEntry]);
    if (exact && exact !== candidates[0]) candidates.splice(candidates.indexOf(exact), 1), candidates.unshift(exact);
    const top = candidates[0];
    if (!top) return { id: null, score: 0, alternatives: [], nearest: null, normalized, otherService: false, aboutVneid: false };
    const score = exact ? Math.max(EXACT_CONFIDENCE, this.confidence(top)) : this.confidence(top);
    return {
      id: score >= this.tuning.threshold ? top.id : null,
      score: round3(score),
      alternatives: candidates.slice(1, 4).map((c) => c.id),
      nearest: top.id,
      normalized,
      otherService: top.foreign === 1 && top.anchored === 0,
      aboutVneid: top.anchored === 1,
    };
  }
}

/** A candidate's features as the confidence model reads them (each about 0..1). */
export function features(c: Candidate): Record<ConfidenceFeature, number> {
  return {
    coverage: c.coverage,
    bigramCoverage: c.bigramCoverage,
    margin: c.margin,
    evidence: Math.min(EVIDENCE_CAP, c.evidence) / EVIDENCE_CAP,
    foreign: c.foreign,
    anchored: c.anchored,
    classifier: c.classifier,
  };
}
/** Beyond three rarest words explained, more says nothing new. */
const EVIDENCE_CAP = 3;

/**
 * Logistic model: the probability that the best entry is the right answer, from named
 * features with weights fitted by `npm run tune` (so every score can be explained).
 */
export function confidenceOf(f: Record<ConfidenceFeature, number>, model: Tuning['confidence']): number {
  let z = model.bias;
  for (const name of CONFIDENCE_FEATURES) z += model[name] * f[name];
  return 1 / (1 + Math.exp(-z));
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
