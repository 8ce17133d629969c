/**
 * The plain-library baseline our matcher must beat (issue 10): a MiniSearch index, one document
 * per entry (title, label, phrasings, keywords and answer text), diacritics folded, BM25 with
 * MiniSearch's own fuzzy (0.2) and prefix matching, nothing tuned. It has no notion of "out of
 * scope": it always names its best entry.
 */
import MiniSearch from 'minisearch';
import type { ContentBase } from '../../core/content/loader.js';
import { foldDiacritics } from '../../core/text/vietnamese.js';

export interface Baseline {
  /** Best entry ids, best first. */
  search(question: string, limit?: number): string[];
}

export function miniSearchBaseline(content: ContentBase): Baseline {
  const index = new MiniSearch({
    fields: ['title', 'phrasings', 'keywords', 'answer'],
    storeFields: [],
    processTerm: (term) => foldDiacritics(term).toLowerCase(),
    searchOptions: { fuzzy: 0.2, prefix: true },
  });
  index.addAll(
    content.entries.map((e) => ({
      id: e.id,
      title: `${e.title} ${e.label}`,
      phrasings: e.phrasings.join('\n'),
      keywords: e.keywords.join('\n'),
      answer: e.answer,
    })),
  );
  return {
    search: (question, limit = 4) => index.search(question).slice(0, limit).map((r) => String(r.id)),
  };
}
