import type { MatchResult } from './matcher.js';
import type { Tuning } from './tuning.js';

/** How many entries "Ý bạn là…?" offers as buttons. */
export const SUGGESTIONS = 3;

/**
 * The entries offered as "Ý bạn là…?" buttons for a question the bot does not answer: the best
 * candidates when the best one is at least close (suggestThreshold), else none.
 */
export function suggestionsOf(match: Pick<MatchResult, 'id' | 'score' | 'nearest' | 'alternatives'>, tuning: Pick<Tuning, 'suggestThreshold'>): string[] {
  if (match.id !== null || !match.nearest || match.score < tuning.suggestThreshold) return [];
  return [match.nearest, ...match.alternatives].slice(0, SUGGESTIONS);
}
