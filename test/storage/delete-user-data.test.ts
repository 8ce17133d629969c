/**
 * Storage.deleteUserData (issue 13: Zalo's `user_withdraw`, "xóa dữ liệu của tôi"): one
 * person's conversation, remembered values and statistics go; nobody else's. SQLite always;
 * PostgreSQL when TEST_DATABASE_URL is set.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../src/storage/sqlite-stats.js';
import { PostgresStatsStore } from '../../src/storage/postgres-stats.js';
import type { Storage } from '../../src/storage/storage.js';
import type { StatsStore } from '../../src/core/stats/store.js';
import { StatsSink, statsUserKey } from '../../src/core/stats/sink.js';
import { pseudonymize } from '../../src/core/privacy/pseudonym.js';
import { tempDir } from '../helpers/engine.js';
import { makePgStorage, PG_SKIP_MESSAGE, TEST_DATABASE_URL } from '../helpers/postgres.js';

const SECRET = 'pseudonym-secret-for-tests-0123456789';
const alice = pseudonymize(SECRET, 'zalo-oa', '8830392714512213376');
const bob = pseudonymize(SECRET, 'zalo-oa', '8830392714512213377');

interface Setup {
  storage: Storage;
  stats: StatsStore;
  /** Rows of stats_events per stats key, read straight from the database. */
  statsRows(statsKey: string): Promise<number>;
  cleanup(): Promise<void>;
}

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

function suite(name: string, make: () => Promise<Setup>) {
  describe(`deleteUserData: ${name}`, () => {
    it("erases one person's conversation, values filed under their key and statistics; others keep theirs", async () => {
      const s = await make();
      cleanups.push(s.cleanup);
      const sink = new StatsSink({ store: s.stats });
      const at = Date.now();
      for (const who of [alice, bob]) {
        await s.storage.saveConversation(who, { v: 1, walk: { guideId: 'guide-activate' } }, at);
        await s.storage.setValue(`numbered:${who}`, JSON.stringify({ payloads: ['#vg:menu'], at }));
        await sink.record({ type: 'conversation-start' }, { channel: 'zalo-oa', userKey: who, at });
        await sink.record({ type: 'entry-view', entryId: 'faq-scam' }, { channel: 'zalo-oa', userKey: who, at });
      }
      await s.storage.setValue(`tg-share:${alice}`, '{}');
      await sink.record({ type: 'walk-start', guideId: 'guide-activate' }, { channel: 'zalo-oa', userKey: alice, at });
      // Keys that merely contain the pseudonym, or end in it without the separator, are not theirs.
      await s.storage.setValue(`note:${alice}:x`, 'keep');
      await s.storage.setValue(`x${alice}`, 'keep');
      await s.stats.drain?.();

      const deleted = await s.storage.deleteUserData(alice, statsUserKey(alice));
      expect(deleted).toEqual({ conversations: 1, values: 2, statistics: 3 });

      expect(await s.storage.getConversation(alice)).toBeUndefined();
      expect(await s.storage.getValue(`numbered:${alice}`)).toBeUndefined();
      expect(await s.storage.getValue(`tg-share:${alice}`)).toBeUndefined();
      expect(await s.statsRows(statsUserKey(alice))).toBe(0);
      expect(await s.storage.getValue(`note:${alice}:x`)).toBe('keep');
      expect(await s.storage.getValue(`x${alice}`)).toBe('keep');

      expect(await s.storage.getConversation(bob)).toBeDefined();
      expect(await s.storage.getValue(`numbered:${bob}`)).toBeDefined();
      expect(await s.statsRows(statsUserKey(bob))).toBe(2);

      // Twice is harmless.
      expect(await s.storage.deleteUserData(alice, statsUserKey(alice))).toEqual({ conversations: 0, values: 0, statistics: 0 });
    });

    it('a save queued before the erasure does not land after it', async () => {
      const s = await make();
      cleanups.push(s.cleanup);
      const save = s.storage.saveConversation(alice, { v: 1 }, Date.now());
      const deleted = await s.storage.deleteUserData(alice, statsUserKey(alice));
      await save;
      expect(deleted.conversations).toBe(1);
      expect(await s.storage.getConversation(alice)).toBeUndefined();
    });
  });
}

suite('SQLite', async () => {
  const tmp = tempDir('delete-user-');
  const storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
  const stats = new SqliteStatsStore(storage.db);
  return {
    storage,
    stats,
    statsRows: async (key) => (storage.db.prepare('SELECT COUNT(*) AS n FROM stats_events WHERE user_key = ?').get(key) as { n: number }).n,
    cleanup: async () => {
      await storage.close();
      tmp.cleanup();
    },
  };
});

if (!TEST_DATABASE_URL) console.warn(PG_SKIP_MESSAGE);
describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL (TEST_DATABASE_URL)', () => {
  suite('PostgreSQL', async () => {
    const pg = await makePgStorage();
    const stats = new PostgresStatsStore(pg.storage.pool);
    return {
      storage: pg.storage,
      stats,
      statsRows: async (key) => {
        const { rows } = await pg.storage.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM stats_events WHERE user_key = $1', [key]);
        return Number(rows[0]!.n);
      },
      cleanup: pg.cleanup,
    };
  });
});
