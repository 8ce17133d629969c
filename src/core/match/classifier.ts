/**
 * Which entry a question is about, learned from the content's own words: a softmax regression
 * (multinomial logistic regression) over the matcher's terms (content words and pairs of
 * neighbouring content words), trained on every entry's title, label, phrasings and keywords, and
 * more lightly on the sentences of its answer.
 *
 * Why beside BM25: BM25 scores each word by how rare it is, whichever entry it points to, so one
 * long compound ("căn cước công dân gắn chip") outweighs the word that decides the topic
 * ("đăng nhập"). The regression learns how much each word tells apart *these* entries, from how
 * the content uses it, which carries over to wording we never wrote (headlines, formal questions).
 *
 * Training is deterministic (seeded shuffle), so the same content always gives the same answers.
 * It runs in slices (`trainSteps`) so a rebuild while the bot is answering gives the event loop
 * back, as the BM25 build does.
 */

export interface TrainingExample {
  /** Distinct term ids (the matcher's interned words and pairs). */
  terms: readonly number[];
  /** Entry number. */
  label: number;
  /** How much this example counts: a phrasing 1, an answer sentence less. */
  weight: number;
}

export interface ClassifierSettings {
  /** Passes over the examples. */
  epochs: number;
  /** Step size of the first pass; each step is divided by √(number of terms), so long texts do not dominate. */
  learningRate: number;
  /**
   * Pass k steps by learningRate / (1 + decay · k). With a shrinking step, training settles on the
   * regularized optimum instead of stopping wherever the last pass left it; the weights then depend
   * on the content, not on the order of the examples, and an official's small edit moves few answers
   * (removing 5 phrasings changed the best entry of about 1 % of the labelled questions, against 4.7 %
   * with 5 passes at a constant step).
   */
  decay: number;
  /** Weight decay per step: with `decay`, what keeps the weights from learning our own wording too well. */
  l2: number;
}

export const DEFAULT_CLASSIFIER: ClassifierSettings = { epochs: 15, learningRate: 0.5, decay: 1, l2: 0.001 };

/** Bias terms move more slowly than word weights: entries must not win by their size alone. */
const BIAS_RATE = 0.1;

export class EntryClassifier {
  /** Term id → one weight per entry. */
  private readonly weights = new Map<number, Float32Array>();
  private readonly bias: Float32Array;
  private readonly scratch: Float64Array;

  constructor(
    readonly classes: number,
    private readonly settings: ClassifierSettings = DEFAULT_CLASSIFIER,
  ) {
    this.bias = new Float32Array(classes);
    this.scratch = new Float64Array(classes);
  }

  /** Trains on `examples` in one go. */
  train(examples: readonly TrainingExample[]): void {
    for (const _ of this.trainSteps(examples)) {
      /* run every step */
    }
  }

  /**
   * Training as a generator: each `next()` trains on the next `sliceSize` examples (a pass is
   * several slices), so a caller can give the event loop back between slices.
   */
  *trainSteps(examples: readonly TrainingExample[], sliceSize = 500): Generator<void> {
    const { epochs, learningRate, decay, l2 } = this.settings;
    const order = examples.map((_, i) => i);
    const random = mulberry32(0x5eed);
    let done = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffle(order, random);
      for (const i of order) {
        const example = examples[i]!;
        if (example.terms.length === 0) continue;
        const p = this.probabilitiesInto(example.terms, this.scratch);
        p[example.label]! -= 1; // gradient of the cross-entropy: p − one-hot
        const rate = ((learningRate / (1 + decay * epoch)) * example.weight) / Math.sqrt(example.terms.length);
        for (const term of example.terms) {
          let row = this.weights.get(term);
          if (!row) this.weights.set(term, (row = new Float32Array(this.classes)));
          for (let c = 0; c < this.classes; c++) row[c]! -= rate * (p[c]! + l2 * row[c]!);
        }
        for (let c = 0; c < this.classes; c++) this.bias[c]! -= rate * BIAS_RATE * p[c]!;
        if (++done % sliceSize === 0) yield;
      }
    }
  }

  /** Probability of each entry for a question's distinct terms (unknown terms are ignored). */
  probabilities(terms: readonly number[]): Float64Array {
    return this.probabilitiesInto(terms, new Float64Array(this.classes));
  }

  private probabilitiesInto(terms: readonly number[], out: Float64Array): Float64Array {
    for (let c = 0; c < this.classes; c++) out[c] = this.bias[c]!;
    for (const term of terms) {
      const row = this.weights.get(term);
      if (row) for (let c = 0; c < this.classes; c++) out[c]! += row[c]!;
    }
    let max = -Infinity;
    for (let c = 0; c < this.classes; c++) if (out[c]! > max) max = out[c]!;
    let sum = 0;
    for (let c = 0; c < this.classes; c++) sum += out[c] = Math.exp(out[c]! - max);
    for (let c = 0; c < this.classes; c++) out[c]! /= sum;
    return out;
  }
}

/** A small seeded generator: the same content must train to the same weights on every start. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(order: number[], random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
}
