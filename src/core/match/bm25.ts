/**
 * Okapi BM25 over pre-tokenized documents, with postings in flat arrays. We first used
 * MiniSearch for this and measured 1.2 ms a question on our ~800 short documents (result objects,
 * radix-tree lookups, fuzzy machinery we do not use); this scorer does the same arithmetic in a
 * few microseconds, which keeps the matcher's p99 under 2 ms.
 */
export class Bm25Index<K = string> {
  private readonly postings = new Map<K, { docs: number[]; tfs: number[] }>();
  private readonly lengths: number[] = [];
  private readonly boosts: number[] = [];
  private avgLength = 1;
  private totalLength = 0;
  private idfCache = new Map<K, number>();

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
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = { docs: [], tfs: [] }));
      p.docs.push(doc);
      p.tfs.push(n);
    }
    this.totalLength += terms.length;
    this.avgLength = this.totalLength / this.lengths.length || 1;
    if (this.idfCache.size > 0) this.idfCache.clear();
    return doc;
  }

  idf(term: K): number {
    let v = this.idfCache.get(term);
    if (v === undefined) {
      const df = this.postings.get(term)?.docs.length ?? 0;
      const n = this.lengths.length;
      v = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      this.idfCache.set(term, v);
    }
    return v;
  }

  /**
   * Adds the BM25 score of every document for the weighted query terms into `scores`
   * (length ≥ size). Returns the documents that got a score.
   */
  score(query: ReadonlyArray<{ term: K; weight: number }>, scores: Float64Array, touched: Set<number> = new Set()): Set<number> {
    const { k1, b } = this;
    for (const { term, weight } of query) {
      const p = this.postings.get(term);
      if (!p) continue;
      const idf = this.idf(term) * weight;
      for (let i = 0; i < p.docs.length; i++) {
        const d = p.docs[i]!;
        const tf = p.tfs[i]!;
        const norm = k1 * (1 - b + (b * this.lengths[d]!) / this.avgLength);
        scores[d] = scores[d]! + this.boosts[d]! * idf * ((tf * (k1 + 1)) / (tf + norm));
        touched.add(d);
      }
    }
    return touched;
  }
}
