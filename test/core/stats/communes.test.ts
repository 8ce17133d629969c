/**
 * The commune dimension of statistics, on SQLite always and on PostgreSQL with TEST_DATABASE_URL:
 * events carry the commune of their turn (through the sink), ranges filter by one commune or a
 * set of them (an official's scope), and perCommune compares communes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { StatsSink } from '../../../src/core/stats/sink.js';
import type { DialogEvent, EventContext } from '../../../src/core/stats/events.js';
import type { StatsStore } from '../../../src/core/stats/store.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { PostgresStatsStore } from '../../../src/storage/postgres-stats.js';
import { makePgStorage, PG_SKIP_MESSAGE, TEST_DATABASE_URL } from '../../helpers/postgres.js';
import { tempDir } from '../../helpers/engine.js';

const T0 = Date.UTC(2026, 10, 2, 3);
const range = { from: T0 - 1, to: T0 + 86_400_000 };
const user = (n: number) => `ps.${n.toString(16).padStart(2, '0').repeat(16)}`;
const question = (outcome: 'answered' | 'unanswered'): DialogEvent => ({
  type: 'question',
  text: 'kích hoạt thế nào',
  normalized: 'kich hoat the nao',
  matchedId: outcome === 'answered' ? 'guide-activate' : null,
  nearestId: null,
  score: 0.5,
  outcome,
});

/** Records through the sink, as the engine does: loc-hoa 2 people, nam-dinh 1, one event without a commune. */
async function seed(store: StatsStore): Promise<void> {
  const sink = new StatsSink({ store, onError: (err) => { throw err; } });
  const at = (i: number) => T0 + i * 1000;
  const ctx = (n: number, i: number, commune?: string): EventContext => ({ channel: 'web', userKey: user(n), at: at(i), ...(commune ? { commune } : {}) });
  await sink.record({ type: 'conversation-start' }, ctx(1, 1, 'loc-hoa'));
  await sink.record(question('answered'), ctx(1, 2, 'loc-hoa'));
  await sink.record({ type: 'conversation-start' }, ctx(2, 3, 'loc-hoa'));
  await sink.record(question('unanswered'), ctx(2, 4, 'loc-hoa'));
  await sink.record({ type: 'walk-complete', guideId: 'guide-activate' }, ctx(2, 5, 'loc-hoa'));
  await sink.record({ type: 'conversation-start' }, ctx(3, 6, 'nam-dinh'));
  await sink.record(question('answered'), ctx(3, 7, 'nam-dinh'));
  await sink.record({ type: 'conversation-start' }, ctx(4, 8));
  // Not an id: filed under the sink's default, never stored as given.
  await sink.record({ type: 'conversation-start' }, ctx(5, 9, "x'; DROP TABLE stats_events; --"));
  await store.drain?.();
}

function communeDimension(name: string, open: () => Promise<{ store: StatsStore; cleanup: () => Promise<void> }>) {
  describe(`statistics per commune (${name})`, () => {
    let store: StatsStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      await seed(store);
    });
    afterAll(async () => cleanup?.());

    it('events carry the commune of their turn; without one they are "default"', async () => {
      expect(await store.perCommune(range)).toEqual([
        { commune: 'default', conversations: 2, users: 2, questions: 0, answered: 0, walksCompleted: 0 },
        { commune: 'loc-hoa', conversations: 2, users: 2, questions: 2, answered: 1, walksCompleted: 1 },
        { commune: 'nam-dinh', conversations: 1, users: 1, questions: 1, answered: 1, walksCompleted: 0 },
      ]);
    });

    it('a range filters one commune, or a set of them', async () => {
      expect((await store.overview({ ...range, commune: 'nam-dinh' })).questions).toBe(1);
      expect((await store.overview({ ...range, communes: ['loc-hoa'] })).questions).toBe(2);
      expect((await store.overview({ ...range, communes: ['loc-hoa', 'nam-dinh'] })).conversations).toBe(3);
      expect((await store.overview({ ...range, communes: [] })).conversations).toBe(0);
      // Both filters: the intersection (a commune outside the scope reads nothing).
      expect((await store.overview({ ...range, commune: 'nam-dinh', communes: ['loc-hoa'] })).conversations).toBe(0);
      expect((await store.reviewQuestions({ ...range, communes: ['nam-dinh'] }, 10))).toEqual([]);
      expect((await store.reviewQuestions({ ...range, communes: ['loc-hoa'] }, 10)).map((r) => r.count)).toEqual([1]);
      expect((await store.perCommune({ ...range, communes: ['nam-dinh'] })).map((r) => r.commune)).toEqual(['nam-dinh']);
    });
  });
}

communeDimension('SQLite', async () => {
  const tmp = tempDir();
  const storage = new SqliteStorage(join(tmp.dir, 'stats.sqlite'));
  return {
    store: new SqliteStatsStore(storage.db),
    cleanup: async () => {
      await storage.close();
      tmp.cleanup();
    },
  };
});

if (!TEST_DATABASE_URL) console.warn(PG_SKIP_MESSAGE);
(TEST_DATABASE_URL ? describe : describe.skip)('PostgreSQL', () => {
  communeDimension('PostgreSQL', async () => {
    const pg = await makePgStorage();
    return { store: new PostgresStatsStore(pg.storage.pool), cleanup: pg.cleanup };
  });
});
