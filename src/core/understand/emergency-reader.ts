/**
 * The second reader of emergencies, for messages no phrase of content/intents.yaml names. The
 * phrase lists catch what they name ("cháy nhà", "có trộm"); citizens often write what they see
 * instead ("khói đen bốc ra từ mái nhà bên cạnh, không thấy ai chạy ra"), and on files written in
 * new words the lists gave the numbers to only half to three quarters of the emergencies.
 *
 * Three logistic regressions (one per number: 113, 114, 115) over the message's folded words and
 * pairs of neighbouring words, trained at start-up on content/emergency-examples.yaml (messages
 * written for training, never the evaluation files) and, as messages that are not emergencies,
 * every title, label and phrasing of the content and every line of its answers and steps: a VNeID
 * question, or the content's own procedural sentences, must never read as one.
 * It only speaks when the lists found nothing and no not-phrase is in the message, and only when
 * it is sure (`threshold`): a missed emergency is costly, but so is 113 given to "app bị treo".
 *
 * Training is deterministic (fixed order, shrinking step), so the same content reads the same way
 * on every start.
 */
import { readFileSync } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';
import type { EmergencyNumber } from './emergency.js';
import { wordsOf } from './phrases.js';

export const READER_NUMBERS = ['113', '114', '115'] as const satisfies readonly EmergencyNumber[];

export interface ReaderExample {
  /** Folded words (wordsOf). */
  words: readonly string[];
  /** The numbers the message needs; none for a message that is not an emergency. */
  numbers: readonly EmergencyNumber[];
}

export interface ReaderSettings {
  /** A number is given when its probability is at least this. */
  threshold: number;
  epochs: number;
  /** Step of the first pass; pass k steps by learningRate / (1 + k), divided by √(number of features). */
  learningRate: number;
  /** Weight decay per step. */
  l2: number;
}

export const DEFAULT_READER: ReaderSettings = { threshold: 0.6, epochs: 10, learningRate: 0.5, l2: 0.001 };

/** A pair (a, b) of word numbers as one number: no pair string is made while training. */
const PAIR_BASE = 1 << 20;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const GOLDEN = 0.6180339887498949;

export class EmergencyReader {
  /** Word → its number. */
  private readonly wordIds = new Map<string, number>();
  /** Feature (a word's number, or a pair's: (a + 1) · PAIR_BASE + b) → its row; others carry no weight. */
  private readonly rows = new Map<number, number>();
  /** READER_NUMBERS.length weights per feature, feature by feature. */
  private weights = new Float64Array(0);
  private readonly bias = new Float64Array(READER_NUMBERS.length);

  private constructor(readonly settings: ReaderSettings) {}

  static train(examples: readonly ReaderExample[], settings: ReaderSettings = DEFAULT_READER): EmergencyReader {
    const reader = new EmergencyReader(settings);
    const K = READER_NUMBERS.length;
    // Features are interned once as numbers: training then walks arrays (start-up time).
    const prepared = examples.map((e) => ({ features: reader.rowsOf(e.words, true), targets: READER_NUMBERS.map((n) => (e.numbers.includes(n) ? 1 : 0)) }));
    reader.weights = new Float64Array(reader.rows.size * K);
    const w = reader.weights;
    // The examples come grouped by number; a fixed interleaving (golden-ratio order) mixes them the
    // same way on every start, so the weights never depend on which group came last.
    const order = prepared.map((_, i) => i).sort((a, b) => ((a * GOLDEN) % 1) - ((b * GOLDEN) % 1));
    const p = new Float64Array(K);
    for (let epoch = 0; epoch < settings.epochs; epoch++) {
      const step = settings.learningRate / (1 + epoch);
      for (const i of order) {
        const { features, targets } = prepared[i]!;
        if (features.length === 0) continue;
        reader.probabilitiesOf(features, p);
        const rate = step / Math.sqrt(features.length);
        for (const f of features) {
          for (let k = 0; k < K; k++) w[f * K + k]! -= rate * (p[k]! - targets[k]! + settings.l2 * w[f * K + k]!);
        }
        for (let k = 0; k < K; k++) reader.bias[k]! -= rate * (p[k]! - targets[k]!);
      }
    }
    return reader;
  }

  private probabilitiesOf(features: readonly number[], out: Float64Array): Float64Array {
    const K = READER_NUMBERS.length;
    for (let k = 0; k < K; k++) out[k] = this.bias[k]!;
    for (const f of features) for (let k = 0; k < K; k++) out[k]! += this.weights[f * K + k]!;
    for (let k = 0; k < K; k++) out[k] = sigmoid(out[k]!);
    return out;
  }

  /** The rows of a message's distinct words and pairs; with `learn`, new ones get a row. */
  private rowsOf(words: readonly string[], learn: boolean): number[] {
    const ids = words.map((w) => this.wordIds.get(w) ?? (learn ? (this.wordIds.set(w, this.wordIds.size), this.wordIds.size - 1) : -1));
    const keys = new Set<number>();
    ids.forEach((id, i) => {
      if (id >= 0) keys.add(id);
      const prev = ids[i - 1];
      if (i > 0 && id >= 0 && prev! >= 0) keys.add((prev! + 1) * PAIR_BASE + id);
    });
    const out: number[] = [];
    for (const key of keys) {
      let row = this.rows.get(key);
      if (row === undefined && learn) this.rows.set(key, (row = this.rows.size));
      if (row !== undefined) out.push(row);
    }
    return out;
  }

  /** Probability of each number (READER_NUMBERS order) for a message's words. */
  probabilities(words: readonly string[]): number[] {
    return [...this.probabilitiesOf(this.rowsOf(words, false), new Float64Array(READER_NUMBERS.length))];
  }

  /** The numbers a message needs, when the reader is sure of at least one; else none. */
  read(words: readonly string[]): EmergencyNumber[] {
    const p = this.probabilities(words);
    return READER_NUMBERS.filter((_, k) => p[k]! >= this.settings.threshold);
  }
}

/** A group of examples: "none", or the numbers its messages need ("113", "114 115"). */
const GROUP_KEY = /^(none|11[345]( 11[345])*)$/;

const examplesSchema = z
  .object({
    /** Number sets ("113", "114 115") → messages that need them; "none" → messages that are not emergencies. */
    examples: z.record(z.string(), z.array(z.string().trim().min(1).max(400)).min(1)).superRefine((groups, ctx) => {
      for (const key of Object.keys(groups)) {
        if (!GROUP_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}": khóa là "none" hoặc các số 113, 114, 115 cách nhau bằng dấu cách ("114 115")` });
      }
    }),
    settings: z.object({ threshold: z.number().min(0.5).max(1), epochs: z.number().int().min(1).max(100), learningRate: z.number().positive().max(5), l2: z.number().min(0).max(1) }).partial().default({}),
  })
  .strict();

export const DEFAULT_EXAMPLES_FILE = new URL('../../../content/emergency-examples.yaml', import.meta.url).pathname;

/** The training messages of content/emergency-examples.yaml, and the reader's settings. */
export function readExamplesFile(file: string = DEFAULT_EXAMPLES_FILE): { examples: ReaderExample[]; settings: ReaderSettings } {
  const data = examplesSchema.parse(parseYaml(readFileSync(file, 'utf8')));
  const examples = Object.entries(data.examples).flatMap(([key, texts]) => {
    const numbers = key === 'none' ? [] : (key.split(' ') as EmergencyNumber[]);
    return texts.map((text) => ({ words: wordsOf(text), numbers }));
  });
  return { examples, settings: { ...DEFAULT_READER, ...data.settings } };
}

/** The reader trained on the examples file plus `notEmergencies` (the content's own titles and phrasings). */
export function loadEmergencyReader(file: string, notEmergencies: readonly string[]): EmergencyReader {
  const { examples, settings } = readExamplesFile(file);
  return EmergencyReader.train([...examples, ...notEmergencies.map((text) => ({ words: wordsOf(text), numbers: [] }))], settings);
}
