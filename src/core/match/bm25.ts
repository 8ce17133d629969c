/**
 * Okapi BM25 over pre-tokenized documents, with postings in flat arrays. We first used
 * MiniSearch for this and measured 1.2 ms a question on our ~800 short documents (result objects,
 * radix-tree lookups, fuzzy machinery we do not use); this scorer does the same arithmetic in a
 * few microseconds, which keeps the matcher's p99 under 2 ms.
 *
 * Everything in a posting's score but the term's idf is known once the documents are in, so it
 * is computed then: scoring a question is one multiply-add per posting.
 */
interface Postings {
  docs: Int32Array;
  /** boost(doc) · tf·(k1+1) / (tf + k1·(1 − b + b·len/avgLen)): the score per unit of idf. */
  weights: Float64Array;
}

export class Bm25Index<K = string> {
  /** Postings as they are added: doc numbers and term frequencies. */
  private readonly raw = new Map<K, { docs: number[]; tfs: number[] }>();
  private readonly lengths: number[] = [];
  private readonly boosts: number[] = [];
  private totalLength = 0;
  private idfCache = new Map<K, number>();
  /** Built on the first score after documents were added (adding one changes every weight). */
  private compiled: Map<K, Postings> | undefined;
  /** Per document: already in this question's list of scored documents. */
  private seen = new Uint8Array(0);

  constructor(
    private readonly k1 = 1.2,
    private readonly b = 0.7,
  ) {}

  get size(): number {
    return this.lengths.length;
  }

  /** Adds a document; returns its number. `boost` scales every score of this document. */
  add(terms: readonly K[], boost = 1): number {
    const doc = this.lengths.length;
    this.lengths.push(terms.length);
    this.boosts.push(boost);
    const tf = new Map<K, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      let p = this.raw.get(t);
      if (!p) this.raw.set(t, (p = { docs: [], tfs: [] }));
      p.docs.push(doc);
      p.tfs.push(n);
    }
    this.totalLength += terms.length;
    if (this.idfCache.size > 0) this.idfCache.clear();
    this.compiled = undefined;
    return doc;
  }

  idf(term: K): number {
    let v = this.idfCache.get(term);
    if (v === undefined) {
      const df = this.raw.get(term)?.docs.length ?? 0;
      const n = this.lengths.length;
      v = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      this.idfCache.set(term, v);
    }
    return v;
  }

  /** Computes the weights now (at start-up) rather than on the first question. */
  prepare(): void {
    this.compiled ??= this.compile();
  }

  private compile(): Map<K, Postings> {
    const { k1, b, lengths, boosts } = this;
    const avgLength = this.totalLength / lengths.length || 1;
    const compiled = new Map<K, Postings>();
    for (const [term, p] of this.raw) {
      const weights = new Float64Array(p.docs.length);
      p.docs.forEach((d, i) => {
        const tf = p.tfs[i]!;
        weights[i] = (boosts[d]! * (tf * (k1 + 1))) / (tf + k1 * (1 - b + (b * lengths[d]!) / avgLength));
      });
      compiled.set(term, { docs: Int32Array.from(p.docs), weights });
    }
    this.seen = new Uint8Array(lengths.length);
    return compiled;
  }

  /**
   * Adds the BM25 score of every document for the weighted query terms into `scores`
   * (length ≥ size). Returns the documents that got a score, each once.
   */
  score(query: ReadonlyArray<{ term: K; weight: number }>, scores: Float64Array): number[] {
    const postings = (this.compiled ??= this.compile());
    const { seen } = this;
    const touched: number[] = [];
    for (const { term, weight } of query) {
      const p = postings.get(term);
      if (!p) continue;
      const idf = this.idf(term) * weight;
      const { docs, weights } = p;
      for (let i = 0; i < docs.length; i++) {
        const d = docs[i]!;
        scores[d] = scores[d]! + idf * weights[i]!;
        if (seen[d] === 0) {
          seen[d] = 1;
          touched.push(d);
        }
      }
    }
    for (const d of touched) seen[d] = 0;
    return touched;
  }
}
