/**
 * Emergencies come before everything: this bot speaks for the police, and a citizen who types
 * "nhà đang có trộm" must get 113 at once, not a VNeID answer or "Ý bạn là…". Phrases come from
 * content/intents.yaml; a preventive or hypothetical question ("làm sao tránh bị lừa", "cảnh báo
 * lừa đảo") is not an emergency.
 */
import type { PhraseList } from './phrases.js';
import { EMERGENCY_KINDS, type EmergencyKind, type Intents } from './intents.js';

export type EmergencyNumber = '113' | '114' | '115';

export interface EmergencySignal {
  /** What the message is about, in EMERGENCY_KINDS order. */
  kinds: EmergencyKind[];
  /** Only a bare call for help ("cứu với", "khẩn cấp"): an emergency unless the rest is a VNeID question. */
  weak: boolean;
  /** For a weak signal: the words around the call for help ("cứu với, quên mật khẩu" → "quên mật khẩu"). */
  rest: string[];
}

const NUMBERS: Record<EmergencyKind, readonly EmergencyNumber[]> = {
  police: ['113'],
  scam: ['113'],
  fire: ['114'],
  medical: ['115'],
  // Unclear what happened: every number.
  urgent: ['113', '114', '115'],
};

/** The kinds an emergency message is about, or null. `words` come from wordsOf(). */
export function detectEmergency(words: readonly string[], intents: Intents): EmergencySignal | null {
  const { emergency } = intents;
  const kinds = EMERGENCY_KINDS.filter((k) => emergency[k].containsAny(words));
  if (kinds.length === 0 || emergency.not.containsAny(words)) return null;
  const weak = kinds.every((k) => k === 'urgent');
  return { kinds, weak, rest: weak ? withoutPhrases(words, emergency.urgent).filter((w) => !intents.fillers.has(w)) : [] };
}

function withoutPhrases(words: readonly string[], phrases: PhraseList): string[] {
  const keep = new Array<boolean>(words.length).fill(true);
  for (const [start, end] of phrases.spans(words)) keep.fill(false, start, end);
  return words.filter((_, i) => keep[i]);
}

/** The numbers to give, in order. A specific kind wins over a bare call for help. */
export function emergencyNumbers(kinds: readonly EmergencyKind[]): EmergencyNumber[] {
  const specific = kinds.filter((k) => k !== 'urgent');
  const set = new Set((specific.length > 0 ? specific : kinds).flatMap((k) => NUMBERS[k]));
  return (['113', '114', '115'] as const).filter((n) => set.has(n));
}
