/**
 * content/intents.yaml: the phrases that make a message an emergency or small talk rather than a
 * question. Data, so that officials can add what citizens of their commune say.
 */
import { readFileSync } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';
import { foldDiacritics } from '../text/vietnamese.js';
import { compilePhrase, foldedWord, GAP, PhraseList } from './phrases.js';

const phrase = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .refine((p) => compilePhrase(p).some((w) => w !== GAP), { message: 'cụm từ phải có ít nhất một chữ' })
  .refine((p) => !/^\*|\*$/.test(p.trim()), { message: 'dấu * chỉ đứng giữa hai từ' })
  .refine((p) => p.split(/\s+/).every((w) => !w.endsWith('!') || (w.length > 1 && foldDiacritics(w) !== w)), { message: 'dấu ! chỉ đứng sau một từ có dấu ("cháy!")' });
const phrases = z.array(phrase).min(1);

export const intentsSchema = z
  .object({
    emergency: z.object({ police: phrases, fire: phrases, medical: phrases, scam: phrases, urgent: phrases, not: phrases }).strict(),
    smalltalk: z.object({ thanks: phrases, bye: phrases, who: phrases, ack: phrases, hello: phrases, filler: phrases }).strict(),
  })
  .strict();

export type IntentsFile = z.infer<typeof intentsSchema>;

/** Emergency kinds: which help a message calls for. */
export const EMERGENCY_KINDS = ['police', 'fire', 'medical', 'scam', 'urgent'] as const;
export type EmergencyKind = (typeof EMERGENCY_KINDS)[number];

/** Small-talk kinds, most telling first (who > thanks > bye > hello > ack: "ok cảm ơn" thanks). */
export const SMALLTALK_KINDS = ['who', 'thanks', 'bye', 'hello', 'ack'] as const;
export type SmallTalkKind = (typeof SMALLTALK_KINDS)[number];

export interface Intents {
  emergency: Record<EmergencyKind | 'not', PhraseList>;
  smalltalk: Record<SmallTalkKind, PhraseList>;
  /** Single filler words ("ơi", "ạ", "cháu"), folded. */
  fillers: ReadonlySet<string>;
}

export function compileIntents(file: IntentsFile): Intents {
  const compile = (list: readonly string[]) => new PhraseList(list.map(compilePhrase));
  const e = file.emergency;
  const s = file.smalltalk;
  return {
    emergency: { police: compile(e.police), fire: compile(e.fire), medical: compile(e.medical), scam: compile(e.scam), urgent: compile(e.urgent), not: compile(e.not) },
    smalltalk: { who: compile(s.who), thanks: compile(s.thanks), bye: compile(s.bye), hello: compile(s.hello), ack: compile(s.ack) },
    fillers: new Set(s.filler.flatMap((f) => compilePhrase(f).map(foldedWord))),
  };
}

export const DEFAULT_INTENTS_FILE = new URL('../../../content/intents.yaml', import.meta.url).pathname;

export function loadIntents(file: string = DEFAULT_INTENTS_FILE): Intents {
  return compileIntents(intentsSchema.parse(parseYaml(readFileSync(file, 'utf8'))));
}
