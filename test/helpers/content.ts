import type { ContentBase } from '../../src/core/content/loader.js';
import { entrySchema, type Entry } from '../../src/core/content/schema.js';

/** A FAQ entry for a small content base of a test's own (validated like the real content). */
export const faqEntry = (id: string, title: string, phrasings: string[], answer: string): Entry =>
  entrySchema.parse({ id, kind: 'faq', title, label: title.slice(0, 20), level: 0, phrasings, answer });

export const contentOf = (entries: Entry[]): ContentBase => ({ entries, byId: new Map(entries.map((e) => [e.id, e])) });
