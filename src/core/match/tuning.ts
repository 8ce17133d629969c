import { readFileSync } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';

const unit = z.number().min(0).max(1);

export const tuningSchema = z
  .object({
    threshold: unit,
    suggestThreshold: unit,
    /** Logistic weights of the confidence (fitted by npm run tune). */
    confidence: z
      .object({
        bias: z.number(),
        coverage: z.number(),
        bigramCoverage: z.number(),
        margin: z.number(),
        evidence: z.number(),
        foreign: z.number(),
        anchored: z.number(),
        classifier: z.number(),
      })
      .strict(),
    answerVocabularyWeight: unit,
    /** A word the content never uses weighs this share of the rarest content word. */
    unknownWeight: unit,
    /** Another service's name (lexicon "foreign") weighs this many times the rarest content word. */
    foreignWeight: z.number().min(0).max(10),
    boost: z
      .object({ phrasing: z.number().positive(), title: z.number().positive(), keywords: z.number().positive(), bigram: z.number().positive(), entry: z.number().min(0), answer: z.number().min(0) })
      .strict(),
    secondBestShare: unit,
    /** The entry classifier (src/core/match/classifier.ts): its share of the ranking, and how it learns. */
    classifier: z
      .object({
        weight: z.number().min(0),
        epochs: z.number().int().min(0).max(50),
        learningRate: z.number().positive(),
        decay: z.number().min(0),
        l2: z.number().min(0),
        keywordWeight: unit,
        answerWeight: unit,
      })
      .strict(),
    typo: z.object({ minLength: z.number().int().min(1), maxScore: unit }).strict(),
    /** A glossary entry first for a question that does not ask a meaning yields to a non-glossary entry ranked at least this share of it. */
    glossaryYield: unit.optional(),
    /** The scam warning goes first when second for a question with a sign of a scam, unless the best entry is one of `unless`. */
    scamFirst: z.object({ warning: z.string().min(1), unless: z.array(z.string().min(1)).default([]) }).strict().optional(),
  })
  .strict()
  .refine((t) => t.suggestThreshold <= t.threshold, { message: 'suggestThreshold phải ≤ threshold', path: ['suggestThreshold'] });

export type Tuning = z.infer<typeof tuningSchema>;

/** The features the confidence model weighs, in the order `npm run tune` prints them. */
export const CONFIDENCE_FEATURES = ['coverage', 'bigramCoverage', 'margin', 'evidence', 'foreign', 'anchored', 'classifier'] as const;
export type ConfidenceFeature = (typeof CONFIDENCE_FEATURES)[number];

export const DEFAULT_TUNING_FILE = new URL('../../../content/matcher.yaml', import.meta.url).pathname;

export function loadTuning(file: string = DEFAULT_TUNING_FILE): Tuning {
  return tuningSchema.parse(parseYaml(readFileSync(file, 'utf8')));
}
