import { readFileSync } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';

const unit = z.number().min(0).max(1);

export const tuningSchema = z
  .object({
    threshold: unit,
    suggestThreshold: unit,
    weights: z.object({ coverage: unit, bigramCoverage: unit, margin: unit }).strict(),
    answerVocabularyWeight: unit,
    boost: z
      .object({ phrasing: z.number().positive(), title: z.number().positive(), keywords: z.number().positive(), bigram: z.number().positive(), entry: z.number().min(0) })
      .strict(),
    secondBestShare: unit,
    typo: z.object({ minLength: z.number().int().min(1), maxScore: unit }).strict(),
  })
  .strict()
  .refine((t) => t.suggestThreshold <= t.threshold, { message: 'suggestThreshold phải ≤ threshold', path: ['suggestThreshold'] });

export type Tuning = z.infer<typeof tuningSchema>;

export const DEFAULT_TUNING_FILE = new URL('../../../content/matcher.yaml', import.meta.url).pathname;

export function loadTuning(file: string = DEFAULT_TUNING_FILE): Tuning {
  return tuningSchema.parse(parseYaml(readFileSync(file, 'utf8')));
}
