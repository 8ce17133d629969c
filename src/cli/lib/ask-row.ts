/**
 * One `ask` output row (../shared/content-contract.md "The ask command") from the bot's reading of
 * a first message. Shared by `npm run ask` and `npm run eval`, so that both count what the bot does.
 */
import type { Interpretation } from '../../core/understand/interpret.js';

export interface AskRow {
  q: string;
  id: string | null;
  score: number;
  alternatives: string[];
  suggest: string[];
  intent?: 'emergency' | 'smalltalk';
}

export function rowOf(q: string, u: Interpretation): AskRow {
  switch (u.intent) {
    case 'emergency':
      return { q, id: u.entry, score: u.entry === null ? 0 : 1, alternatives: [], suggest: [], intent: u.intent };
    case 'smalltalk':
      return { q, id: null, score: 0, alternatives: [], suggest: [], intent: u.intent };
    case 'answer':
    case 'suggest':
    case 'unknown':
      return { q, id: u.intent === 'answer' ? u.id : null, score: u.match.score, alternatives: [...u.match.alternatives], suggest: u.intent === 'suggest' ? u.ids : [] };
    default:
      // 'empty' (nothing left once personal data is removed); 'walk' and 'problem' need a walkthrough.
      return { q, id: null, score: 0, alternatives: [], suggest: [] };
  }
}
