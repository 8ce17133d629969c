/**
 * content/intents.yaml: the phrases that make a message an emergency or small talk rather than a
 * question. Data, so that officials can add what citizens of their commune say.
 */
import { readFileSync } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';
import { foldDiacritics } from '../text/vietnamese.js';
import type { EmergencyReader } from './emergency-reader.js';
import { accentedForm, compilePhrase, foldedWord, GAP, isAccented, PhraseList, wordsOf, type Words } from './phrases.js';

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
    emergency: z.object({ police: phrases, fire: phrases, medical: phrases, scam: phrases, urgent: phrases, not: phrases, over: phrases.optional() }).strict(),
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
  /** `over`: what says it is over ("tìm được rồi"); after "nhưng" it closes the part before. */
  emergency: Record<EmergencyKind | 'not' | 'over', PhraseList>;
  smalltalk: Record<SmallTalkKind, PhraseList>;
  /** Single filler words ("ơi", "ạ", "cháu"), folded. */
  fillers: ReadonlySet<string>;
  /**
   * Filler words written with "!" ("thế!"), by folded form: a filler only when typed with their
   * diacritics, since folded they are a topic word ("the" is also "thẻ": "đổi thẻ" is no small talk).
   */
  accentedFillers: ReadonlyMap<string, ReadonlySet<string>>;
  /** What reads an emergency no phrase names (emergency-reader.ts); absent, only the phrases count. */
  reader?: EmergencyReader;
}

/** Word i of a message is a filler: any filler typed any way, or an accented one typed as written. */
export function isFiller(words: Words, i: number, intents: Intents): boolean {
  const word = words[i]!;
  if (intents.fillers.has(word)) return true;
  const accented = intents.accentedFillers.get(word);
  return accented !== undefined && accented.has(words.typed[i]!);
}

export function compileIntents(file: IntentsFile): Intents {
  const compile = (list: readonly string[]) => new PhraseList(list.map((p) => compilePhrase(p)));
  // What cancels an emergency reads words typed with other diacritics as other words (phrases.ts).
  const cautious = (list: readonly string[]) => new PhraseList(list.map((p) => compilePhrase(p, { cautious: true })));
  const e = file.emergency;
  const s = file.smalltalk;
  return {
    emergency: { police: compile(e.police), fire: compile(e.fire), medical: compile(e.medical), scam: compile(e.scam), urgent: compile(e.urgent), not: cautious(e.not), over: cautious(e.over ?? []) },
    smalltalk: { who: compile(s.who), thanks: compile(s.thanks), bye: compile(s.bye), hello: compile(s.hello), ack: compile(s.ack) },
    fillers: new Set(s.filler.flatMap((f) => compilePhrase(f).filter((w) => !isAccented(w)).map(foldedWord))),
    accentedFillers: accentedByFolded(s.filler.flatMap((f) => compilePhrase(f).filter(isAccented))),
  };
}

/** Accented words ("=thế") grouped by their folded form ("the" → {"thế"}). */
function accentedByFolded(words: readonly string[]): Map<string, Set<string>> {
  const byFolded = new Map<string, Set<string>>();
  for (const w of words) {
    const forms = byFolded.get(foldedWord(w)) ?? new Set<string>();
    forms.add(accentedForm(w));
    byFolded.set(foldedWord(w), forms);
  }
  return byFolded;
}

export const DEFAULT_INTENTS_FILE = new URL('../../../content/intents.yaml', import.meta.url).pathname;

export function readIntentsFile(file: string = DEFAULT_INTENTS_FILE): IntentsFile {
  return intentsSchema.parse(parseYaml(readFileSync(file, 'utf8')));
}

export function loadIntents(file: string = DEFAULT_INTENTS_FILE): Intents {
  return compileIntents(readIntentsFile(file));
}

/**
 * Emergency phrases that a not-phrase cancels on their own, so they can never fire: "thuyền chìm"
 * was cancelled by "truyện" (one letter off: long words may carry a typo), "để không bị bắt" by
 * "không bị". content:check lists them with the not-phrase's words.
 */
export function cancelledEmergencyPhrases(file: IntentsFile): Array<{ kind: EmergencyKind; phrase: string; by: string[] }> {
  const not = compileIntents(file).emergency.not;
  return EMERGENCY_KINDS.flatMap((kind) =>
    file.emergency[kind].flatMap((phrase) => {
      // Typed without diacritics, the worst case: a cautious not-phrase reads bare words as its own.
      const words = wordsOf(foldDiacritics(phrase.replaceAll(GAP, ' ').replaceAll('!', '')));
      const by = [...not.spans(words)].map(([start, end]) => words.slice(start, end).join(' '));
      return by.length > 0 ? [{ kind, phrase, by }] : [];
    }),
  );
}
