/**
 * The officials' review changes (issue 14, item 4), one contract for both stores: SQLite on a real
 * file, PostgreSQL when TEST_DATABASE_URL is set (skipped with a clear message otherwise). And the
 * multi-instance case: a phrasing attached on one instance reaches the other through the store.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReviewStore } from '../../src/core/review/changes.js';
import { ReviewService } from '../../src/core/review/service.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { SqliteReviewStore } from '../../src/storage/sqlite-review.js';
import { PostgresReviewStore } from '../../src/storage/postgres-review.js';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { sharedKnowledge, tempDir } from '../helpers/engine.js';
import { makePgStorage, PG_SKIP_MESSAGE, TEST_DATABASE_URL, testDatabaseUrl } from '../helpers/postgres.js';

if (!TEST_DATABASE_URL) console.warn(PG_SKIP_MESSAGE);
const describePg = TEST_DATABASE_URL ? describe : describe.skip;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sqliteStore(): Promise<ReviewStore> {
  const tmp = tempDir('vneid-review-');
  const storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
  cleanups.push(() => tmp.cleanup(), () => storage.close());
  return new SqliteReviewStore(storage.db);
}

async function pgStore(): Promise<ReviewStore> {
  const pg = await makePgStorage();
  cleanups.push(() => pg.cleanup());
  return new PostgresReviewStore(pg.storage.pool);
}

const T0 = Date.UTC(2026, 11, 1, 3, 0);
const phrasing = (text: string, at = T0) => ({ kind: 'phrasing' as const, entryId: 'faq-system-busy', text, normalized: text, by: 'admin', at });

function contract(name: string, open: () => Promise<ReviewStore>, enabled: boolean) {
  (enabled ? describe : describe.skip)(`ReviewStore: ${name}`, () => {
    it('adds, lists newest first, keeps who and when', async () => {
      const store = await open();
      const a = await store.add(phrasing('vneid dung hinh'));
      const b = await store.add({ kind: 'dismissal', entryId: null, text: 'giá vàng', normalized: 'gia vang', by: 'admin', at: T0 + 1000 });
      expect(a).toEqual({ id: a.id, kind: 'phrasing', entryId: 'faq-system-busy', text: 'vneid dung hinh', normalized: 'vneid dung hinh', by: 'admin', at: T0, undoneAt: null, undoneBy: null });
      expect(b.id).toBeGreaterThan(a.id);
      expect((await store.list(10)).map((c) => c.id)).toEqual([b.id, a.id]);
      expect((await store.list(1)).map((c) => c.id)).toEqual([b.id]);
      expect(await store.get(a.id)).toEqual(a);
      expect(await store.get(a.id + 1000)).toBeUndefined();
    });

    it('undo marks once; active leaves undone changes out, oldest first', async () => {
      const store = await open();
      const a = await store.add(phrasing('mot'));
      const b = await store.add(phrasing('hai', T0 + 1));
      const undone = await store.undo(a.id, 'admin', T0 + 5000);
      expect(undone).toMatchObject({ id: a.id, undoneAt: T0 + 5000, undoneBy: 'admin' });
      expect(await store.undo(a.id, 'admin', T0 + 6000)).toBeUndefined();
      expect(await store.undo(9999, 'admin', T0)).toBeUndefined();
      expect((await store.active()).map((c) => c.id)).toEqual([b.id]);
      expect((await store.get(a.id))!.undoneAt).toBe(T0 + 5000);
    });

    it('the version changes with every add and every undo, and only then', async () => {
      const store = await open();
      const v0 = await store.version();
      expect(await store.version()).toBe(v0);
      const a = await store.add(phrasing('ba'));
      const v1 = await store.version();
      expect(v1).not.toBe(v0);
      await store.undo(a.id, 'admin', T0);
      const v2 = await store.version();
      expect(new Set([v0, v1, v2]).size).toBe(3);
      await store.undo(a.id, 'admin', T0); // nothing to undo: no change
      expect(await store.version()).toBe(v2);
    });
  });
}

contract('SQLite', sqliteStore, true);
contract('PostgreSQL', pgStore, Boolean(TEST_DATABASE_URL));

describePg('two instances on one PostgreSQL database', () => {
  const QUESTION = 'vneid đứng hình từ sáng tới giờ';

  it('a phrasing attached on one instance is answered by the other after its next sync', async () => {
    const pg = await makePgStorage();
    cleanups.push(() => pg.cleanup());
    const second = await PostgresStorage.connect(testDatabaseUrl(), { schema: pg.schema });
    cleanups.push(() => second.close());
    const { knowledge } = sharedKnowledge();
    const a = { ...knowledge };
    const b = { ...knowledge };
    const one = new ReviewService({ store: new PostgresReviewStore(pg.storage.pool), knowledge: a });
    const two = new ReviewService({ store: new PostgresReviewStore(second.pool), knowledge: b });
    await Promise.all([one.refresh(), two.refresh()]);
    expect(b.matcher.match(QUESTION).id).toBeNull();

    const { change } = await one.attach({ text: QUESTION, id: 'faq-system-busy' }, 'admin');
    expect(a.matcher.match(QUESTION).id).toBe('faq-system-busy');
    expect(b.matcher.match(QUESTION).id).toBeNull(); // not yet: it has not looked

    await two.refresh(); // what its sync timer does every REVIEW_SYNC_SECONDS
    expect(b.matcher.match(QUESTION).id).toBe('faq-system-busy');
    // Attaching it again on the second instance is refused: it knows.
    await expect(two.attach({ text: QUESTION, id: 'faq-system-busy' }, 'admin')).rejects.toThrow(/đã được gắn vào mục/);

    await two.undo(change.id, 'admin');
    await one.refresh();
    expect(a.matcher.match(QUESTION).id).toBeNull();
  });
});
