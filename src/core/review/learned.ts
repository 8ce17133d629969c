/** The content base as the matcher should see it: the files, plus the phrasings officials attached. */
import type { ContentBase } from '../content/loader.js';
import type { Entry } from '../content/schema.js';
import type { ReviewChange } from './changes.js';

export function withLearnedPhrasings(base: ContentBase, changes: readonly ReviewChange[]): ContentBase {
  const added = new Map<string, string[]>();
  for (const c of changes) {
    if (c.kind !== 'phrasing' || c.undoneAt !== null || !c.entryId || !base.byId.has(c.entryId)) continue;
    added.set(c.entryId, [...(added.get(c.entryId) ?? []), c.text]);
  }
  if (added.size === 0) return base;
  const entries: Entry[] = base.entries.map((e) => {
    const more = added.get(e.id);
    return more ? { ...e, phrasings: [...e.phrasings, ...more.filter((p) => !e.phrasings.includes(p))] } : e;
  });
  return { entries, byId: new Map(entries.map((e) => [e.id, e])) };
}
