import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../src/storage/sqlite-stats.js';
import { tempDir } from '../helpers/engine.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function open() {
  const tmp = tempDir('vneid-gc-');
  const file = join(tmp.dir, 'gc.sqlite');
  const storage = new SqliteStorage(file);
  cleanup.push(() => tmp.cleanup(), () => storage.close());
  return { storage, file };
}

/** Rows as another connection sees them: what is really in the file. */
function readRaw(file: string, sql: string) {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('SQLite group commit', () => {
  it('writes of one event-loop turn share one transaction, and each is in the file when its promise resolves', async () => {
    const { storage, file } = open();
    const stats = new SqliteStatsStore(storage.db);
    let transactions = 0;
    const original = storage.db.transaction.bind(storage.db);
    storage.db.transaction = ((fn: (...a: never[]) => unknown) => {
      transactions++;
      return original(fn);
    }) as typeof storage.db.transaction;

    const writes = Array.from({ length: 20 }, (_, i) => [
      storage.saveConversation(`user-${i}`, { v: 1, step: i }, 1000 + i),
      stats.record({ type: 'entry-view', entryId: 'guide-install' }, { channel: 'web', userKey: `k${i}`, at: 1000 + i }),
    ]).flat();
    expect(readRaw(file, 'SELECT key FROM conversations')).toHaveLength(0); // queued, not yet written
    await Promise.all(writes);

    expect(transactions).toBe(1);
    expect(readRaw(file, 'SELECT key FROM conversations')).toHaveLength(20);
    expect(readRaw(file, 'SELECT id FROM stats_events')).toHaveLength(20);
  });

  it('a turn reads its own queued write; a queued delete is not read around', async () => {
    const { storage } = open();
    await storage.saveConversation('user-a', { v: 1, n: 1 }, 1000);
    const save = storage.saveConversation('user-a', { v: 1, n: 2 }, 2000);
    expect(await storage.getConversation('user-a')).toEqual({ state: { v: 1, n: 2 }, updatedAt: 2000 });
    await save;

    const gone = storage.deleteConversation('user-a');
    expect(await storage.getConversation('user-a')).toBeUndefined();
    await gone;
    expect(await storage.getConversation('user-a')).toBeUndefined();
  });

  it('what a caller gets back is a copy: mutating it changes nothing stored', async () => {
    const { storage } = open();
    await storage.saveConversation('user-b', { v: 1, walk: { step: 1 } }, 1000);
    const record = await storage.getConversation<{ walk: { step: number } }>('user-b');
    record!.state.walk.step = 99;
    expect((await storage.getConversation<{ walk: { step: number } }>('user-b'))!.state.walk.step).toBe(1);
  });

  it('one failing write rejects alone: the others of its batch are committed, and the failed state is not served from memory', async () => {
    const { storage, file } = open();
    await storage.saveConversation('user-bad', { v: 1, n: 1 }, 1000);
    // A real SQLite error on one row (as a full disk or a constraint would give).
    storage.db.exec(`CREATE TRIGGER refuse BEFORE UPDATE ON conversations WHEN NEW.key = 'user-bad' BEGIN SELECT RAISE(ABORT, 'refused'); END;`);

    const results = await Promise.allSettled([
      storage.saveConversation('user-1', { v: 1 }, 2000),
      storage.saveConversation('user-bad', { v: 1, n: 2 }, 2000),
      storage.saveConversation('user-2', { v: 1 }, 2000),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toContain('refused');
    expect(readRaw(file, 'SELECT key FROM conversations ORDER BY key')).toEqual([{ key: 'user-1' }, { key: 'user-2' }, { key: 'user-bad' }]);
    expect(await storage.getConversation('user-bad')).toEqual({ state: { v: 1, n: 1 }, updatedAt: 1000 });
  });

  it('a redelivery queued in the same tick as the first delivery is recognised', async () => {
    const { storage, file } = open();
    const [first, again, other] = await Promise.all([
      storage.markProcessed('telegram', '42'),
      storage.markProcessed('telegram', '42'),
      storage.markProcessed('telegram', '43'),
    ]);
    expect([first, again, other]).toEqual([true, false, true]);
    expect(readRaw(file, 'SELECT id FROM processed ORDER BY id')).toEqual([{ id: '42' }, { id: '43' }]);
    // Forgotten and marked in one tick: in the order asked.
    expect(await Promise.all([storage.forgetProcessed('telegram', '42'), storage.markProcessed('telegram', '42')])).toEqual([undefined, true]);
  });

  it('a conversation written by another process is read from the file, not from memory', async () => {
    const { storage, file } = open();
    await storage.saveConversation('user-x', { v: 1, step: 1 }, 1000);
    expect((await storage.getConversation('user-x'))!.state).toEqual({ v: 1, step: 1 });
    const other = new SqliteStorage(file); // a second server on the same DATA_DIR
    try {
      await other.saveConversation('user-x', { v: 1, step: 2 }, 2000);
      expect(await storage.getConversation('user-x')).toEqual({ state: { v: 1, step: 2 }, updatedAt: 2000 });
    } finally {
      await other.close();
    }
  });

  it('close() writes what is still queued', async () => {
    const { storage, file } = open();
    const pending = storage.saveConversation('user-late', { v: 1 }, 1000);
    await storage.close();
    await pending;
    expect(readRaw(file, 'SELECT key FROM conversations')).toEqual([{ key: 'user-late' }]);
  });

  it('statistics queries see events still queued', async () => {
    const { storage } = open();
    const stats = new SqliteStatsStore(storage.db);
    const pending = stats.record({ type: 'conversation-start' }, { channel: 'web', userKey: 'k1', at: 5000 });
    expect((await stats.overview({ from: 0, to: 10_000 })).conversations).toBe(1);
    await pending;
  });
});
