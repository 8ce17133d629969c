/**
 * PostgresStatsStore against a real server (TEST_DATABASE_URL): the same contract as the SQLite
 * store (test/core/stats/contract.ts), then what only PostgreSQL needs. Each store gets a fresh
 * schema, dropped afterwards. Without TEST_DATABASE_URL: skipped, with one visible line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialogEvent } from '../../../src/core/stats/events.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { PostgresStorage } from '../../../src/storage/postgres.js';
import { PostgresStatsStore } from '../../../src/storage/postgres-stats.js';
import { openStorage } from '../../../src/storage/open.js';
import { dayRange, parseDay, type StatsContext, type StatsRange, type StatsStore } from '../../../src/core/stats/store.js';
import { EXPECTED, FROM, SEED, TO } from '../../fixtures/stats-seed.js';
import { freshSchema, makePgStorage, PG_SKIP_MESSAGE, TEST_DATABASE_URL, type PgTestStorage } from '../../helpers/postgres.js';
import { statsStoreContract } from './contract.js';

if (!TEST_DATABASE_URL) console.warn(PG_SKIP_MESSAGE);
const describePg = TEST_DATABASE_URL ? describe : describe.skip;

describePg('PostgresStatsStore', () => {
  statsStoreContract('PostgreSQL', async () => {
    const { storage, cleanup } = await makePgStorage();
    return {
      store: new PostgresStatsStore(storage.pool),
      count: async () => Number((await storage.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM stats_events')).rows[0]!.n),
      cleanup,
    };
  });

  describe('PostgreSQL specifics', () => {
    let pg: PgTestStorage;
    let store: PostgresStatsStore;
    const range = dayRange(FROM, TO)!;

    beforeAll(async () => {
      pg = await makePgStorage();
      store = new PostgresStatsStore(pg.storage.pool);
      for (const s of SEED) await store.record(s.event, s.context);
    });

    afterAll(async () => {
      await pg?.cleanup();
    });

    it('the table comes from the storage migrations, in the storage schema', async () => {
      const { rows } = await pg.storage.pool.query<{ table_schema: string }>(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'stats_events' AND table_schema = $1",
        [pg.schema],
      );
      expect(rows).toHaveLength(1);
    });

    it('days do not depend on the session time zone', async () => {
      const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL!.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c TimeZone=America/Los_Angeles')}`;
      const other = await PostgresStorage.connect(url, { schema: pg.schema });
      try {
        const { rows } = await other.pool.query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz");
        expect(rows[0]!.tz).toBe('America/Los_Angeles');
        const s = new PostgresStatsStore(other.pool);
        expect(await s.questionsPerDay(range)).toEqual(EXPECTED.perDay);
        expect(await s.usersPerWeek(range)).toEqual(EXPECTED.perWeek);
      } finally {
        await other.close();
      }
    });

    it('text PostgreSQL cannot store (U+0000, lone surrogates) is replaced, not lost', async () => {
      // Outside the shared range, so the tests that count that range never see it, in any order.
      const at = range.to + 1_000;
      await store.record(
        { type: 'question', text: 'a\u0000b \ud800', normalized: 'nul\u0000test', matchedId: null, nearestId: null, score: 0.1, outcome: 'unanswered' },
        { channel: 'web', userKey: 'ffffffffffffffff', at, commune: 'nul' },
      );
      await store.record({ type: 'sensitive-data', kinds: ['phone\u0000' as never] }, { channel: 'web', userKey: 'ffffffffffffffff', at, commune: 'nul' });
      const r = { from: range.to, to: range.to + 86_400_000, commune: 'nul' };
      expect((await store.reviewQuestions(r, 5)).map((x) => [x.normalized, x.text])).toEqual([['nul\uFFFDtest', 'a\uFFFDb \uFFFD']]);
      expect(await store.sensitiveKinds(r)).toEqual([{ kind: 'phone\uFFFD', count: 1 }]);
    });

    it('two stores on one schema (two instances) see each other’s events', async () => {
      const second = await PostgresStorage.connect(TEST_DATABASE_URL!, { schema: pg.schema });
      try {
        const s = new PostgresStatsStore(second.pool);
        // Outside the shared range (see above).
        await s.record({ type: 'conversation-start', referral: 'SHARED' }, { channel: 'web', userKey: 'eeeeeeeeeeeeeeee', at: range.to + 5, commune: 'shared' });
        expect((await store.referrals({ from: range.to, to: range.to + 86_400_000, commune: 'shared' })).map((x) => x.code)).toEqual(['SHARED']);
      } finally {
        await second.close();
      }
    });

    it('main.ts wiring: openStorage(DATABASE_URL) then new PostgresStatsStore(storage.pool)', async () => {
      const schema = freshSchema();
      const storage = await openStorage({ databaseUrl: TEST_DATABASE_URL, dataDir: '/nonexistent', schema });
      try {
        expect(storage).toBeInstanceOf(PostgresStorage);
        const s = new PostgresStatsStore((storage as PostgresStorage).pool);
        await s.record({ type: 'entry-view', entryId: 'faq-otp' }, { channel: 'web', userKey: 'dddddddddddddddd', at: range.from });
        expect((await s.overview(range)).entryViews).toBe(1);
      } finally {
        await storage.close();
        await PostgresStorage.dropSchema(TEST_DATABASE_URL!, schema);
      }
    });
  });

  describe('same answers as SQLite on generated events', () => {
    let pg: PgTestStorage;
    let dir: string;
    let sqlite: SqliteStorage;
    let stores: StatsStore[];

    /** A small deterministic PRNG (mulberry32): the same events on every run. */
    function rng(seed: number) {
      return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    function generate(n: number): Array<[DialogEvent, StatsContext]> {
      const r = rng(20250301);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
      const guides = ['guide-activate', 'integrate-bhyt', 'integrate-gplx', 'integrate-mst'];
      const ids = ['faq-otp', 'faq-cost', 'l1-doi-sdt', ...guides];
      const phrases = ['khong nhan duoc otp', 'doi so dien thoai', 'kich hoat', '', 'xin giay xac nhan'];
      const out: Array<[DialogEvent, StatsContext]> = [];
      let at = parseDay('2025-02-25')!;
      for (let i = 0; i < n; i++) {
        at += 1 + Math.floor(r() * 3 * 3600_000); // strictly increasing: no ties on the latest row
        const context: StatsContext = {
          channel: pick(['web', 'zalo', 'telegram', 'zalo-oa']),
          userKey: `${pick('0123456789ab'.split(''))}`.repeat(16),
          at,
          commune: pick(['default', 'default', 'xa-b']),
        };
        const guideId = pick(guides);
        const step = 1 + Math.floor(r() * 5);
        const phrase = pick(phrases);
        const event: DialogEvent = pick<() => DialogEvent>([
          () => ({ type: 'conversation-start', ...(r() < 0.6 ? { referral: pick(['DTN01', 'HOILHPN', 'doan-tn', 'A_1']) } : {}) }),
          () => ({
            type: 'question',
            text: `${phrase || 'câu hỏi'} ${pick(['ạ', '?', ''])}`,
            normalized: phrase,
            matchedId: r() < 0.5 ? pick(ids) : null,
            nearestId: r() < 0.8 ? pick(ids) : null,
            score: Math.round(r() * 1e4) / 1e4,
            outcome: pick(['answered', 'low-confidence', 'unanswered'] as const),
          }),
          () => ({ type: 'entry-view', entryId: pick(ids) }),
          () => ({ type: 'walk-start', guideId }),
          () => ({ type: 'walk-step', guideId, step }),
          () => ({ type: 'walk-step', guideId, step }),
          () => ({ type: 'walk-stuck', guideId, step }),
          () => ({ type: 'walk-complete', guideId }),
          () => ({ type: 'walk-abandon', guideId, step }),
          () => ({ type: 'sensitive-data', kinds: ['phone', 'id', 'email', 'otp'].filter(() => r() < 0.4) }),
          () => ({ type: 'delivery-failure', code: pick(['403', '-230', 'unknown', 'timeout']) }),
        ])();
        out.push([event, context]);
      }
      return out;
    }

    beforeAll(async () => {
      pg = await makePgStorage();
      dir = mkdtempSync(join(tmpdir(), 'vg-pgstats-'));
      sqlite = new SqliteStorage(join(dir, 'db.sqlite'));
      stores = [new SqliteStatsStore(sqlite.db), new PostgresStatsStore(pg.storage.pool)];
      for (const [e, c] of generate(1500)) for (const s of stores) await s.record(e, c);
    }, 60_000);

    afterAll(async () => {
      await sqlite?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      await pg?.cleanup();
    });

    const ranges: Array<[string, StatsRange]> = [
      ['March', dayRange('2025-03-01', '2025-03-31')!],
      ['everything', { from: 0, to: Date.UTC(2030, 0, 1) }],
      ['one commune, part of a day', { from: parseDay('2025-03-10')! + 5 * 3600_000, to: parseDay('2025-04-02')! + 1, commune: 'xa-b' }],
    ];

    it.each(ranges)('every query gives the same rows: %s', async (_name, range) => {
      const [a, b] = stores as [StatsStore, StatsStore];
      const both = async <T>(f: (s: StatsStore) => Promise<T>) => [await f(a), await f(b)] as const;
      const queries: Array<[string, (s: StatsStore) => Promise<unknown>]> = [
        ['overview', (s) => s.overview(range)],
        ['questionsPerDay', (s) => s.questionsPerDay(range)],
        ['usersPerWeek', (s) => s.usersPerWeek(range)],
        ['perChannel', (s) => s.perChannel(range)],
        ['topTopics', (s) => s.topTopics(range, 50)],
        ['topQuestions', (s) => s.topQuestions(range, 50)],
        ['reviewQuestions', (s) => s.reviewQuestions(range, 50)],
        ['guides', (s) => s.guides(range)],
        ['funnel', (s) => s.funnel(range)],
        ['referrals', (s) => s.referrals(range)],
        ['deliveryFailures', (s) => s.deliveryFailures(range)],
        ['sensitiveKinds', (s) => s.sensitiveKinds(range)],
      ];
      for (const [name, q] of queries) {
        const [fromSqlite, fromPg] = await both(q);
        // Same keys in the same order too (CSV columns follow the rows).
        expect(JSON.stringify(fromPg), name).toBe(JSON.stringify(fromSqlite));
      }
      const [overview] = await both((s) => s.overview(range));
      expect(overview.questions + overview.conversations).toBeGreaterThan(0);
    });

    it('retention deletes the same events', async () => {
      const cut = parseDay('2025-03-05')! + 1234;
      const [a, b] = stores as [StatsStore, StatsStore];
      const deleted = [await a.deleteOlderThan(cut), await b.deleteOlderThan(cut)];
      expect(deleted[0]).toBeGreaterThan(0);
      expect(deleted[1]).toBe(deleted[0]);
      expect(JSON.stringify(await b.overview(ranges[1]![1]))).toBe(JSON.stringify(await a.overview(ranges[1]![1])));
    });
  });
});
