import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { dayRange, documentCounts, formatDay, parseDay } from '../../../src/core/stats/store.js';
import { purgeExpiredStats, scheduleStatsRetention } from '../../../src/core/stats/retention.js';
import { EXPECTED, FROM, SEED, SEED_OUTSIDE_BEFORE, TO } from '../../fixtures/stats-seed.js';

let dir: string;
let storage: SqliteStorage;
let store: SqliteStatsStore;
const range = dayRange(FROM, TO)!;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vg-stats-'));
  storage = new SqliteStorage(join(dir, 'db.sqlite'));
  store = new SqliteStatsStore(storage.db);
  for (const s of SEED) await store.record(s.event, s.context);
});

afterAll(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('day ranges in Vietnam time', () => {
  it('parses and formats days at UTC+7', () => {
    expect(parseDay('2025-03-01')).toBe(Date.UTC(2025, 1, 28, 17));
    expect(formatDay(Date.UTC(2025, 1, 28, 17))).toBe('2025-03-01');
    expect(formatDay(Date.UTC(2025, 1, 28, 16, 59))).toBe('2025-02-28');
    expect(parseDay('2025-02-30')).toBeUndefined();
    expect(parseDay('01/03/2025')).toBeUndefined();
    expect(dayRange('2025-03-02', '2025-03-01')).toBeUndefined();
    expect(dayRange('2025-03-01', '2025-03-01')).toEqual({ from: parseDay('2025-03-01'), to: parseDay('2025-03-02') });
  });
});

describe('SqliteStatsStore on hand-counted events', () => {
  it('overview', async () => {
    expect(await store.overview(range)).toEqual(EXPECTED.overview);
  });

  it('questions per day, users per week, per channel', async () => {
    expect(await store.questionsPerDay(range)).toEqual(EXPECTED.perDay);
    expect(await store.usersPerWeek(range)).toEqual(EXPECTED.perWeek);
    expect(await store.perChannel(range)).toEqual(EXPECTED.perChannel);
  });

  it('top topics and top questions', async () => {
    expect(await store.topTopics(range, 50)).toEqual(EXPECTED.topics);
    expect((await store.topQuestions(range, 50)).map(({ lastAt: _, ...r }) => r)).toEqual(EXPECTED.topQuestions);
    expect(await store.topQuestions(range, 2)).toHaveLength(2);
  });

  it('review list: unanswered and low-confidence, newest first, with nearest ids', async () => {
    const rows = await store.reviewQuestions(range, 50);
    expect(rows.map(({ lastAt: _, ...r }) => r)).toEqual(EXPECTED.review);
    expect(rows[0]!.lastAt).toBeGreaterThan(rows[1]!.lastAt);
  });

  it('walkthrough funnels', async () => {
    const rows = await store.funnel(range);
    expect(rows.map((r) => [r.guideId, r.step, r.reached, r.stoppedHere, r.stuck, r.abandoned])).toEqual(EXPECTED.funnel);
  });

  it('guides and campaign document types', async () => {
    const guides = await store.guides(range);
    expect([...guides].sort((a, b) => a.guideId.localeCompare(b.guideId))).toEqual(EXPECTED.guides);
    expect(documentCounts(guides).map((d) => [d.guideId, d.startedUsers, d.completedUsers])).toEqual(EXPECTED.documents);
  });

  it('referral codes: conversations and guides completed, joined on the anonymous key', async () => {
    expect(await store.referrals(range)).toEqual(EXPECTED.referrals);
  });

  it('delivery failures and sensitive-data kinds', async () => {
    expect((await store.deliveryFailures(range)).map(({ lastAt: _, ...r }) => r)).toEqual(EXPECTED.failures);
    expect(await store.sensitiveKinds(range)).toEqual(EXPECTED.sensitive);
  });

  it('a one-day range and an empty range', async () => {
    const day = dayRange('2025-03-10', '2025-03-10')!;
    expect((await store.overview(day)).questions).toBe(2);
    const empty = dayRange('2024-01-01', '2024-01-31')!;
    expect(await store.overview(empty)).toEqual(Object.fromEntries(Object.keys(EXPECTED.overview).map((k) => [k, 0])));
    expect(await store.funnel(empty)).toEqual([]);
    expect(await store.referrals(empty)).toEqual([]);
  });

  it('filters by commune when asked', async () => {
    expect((await store.overview({ ...range, commune: 'default' })).conversations).toBe(6);
    expect((await store.overview({ ...range, commune: 'other' })).conversations).toBe(0);
  });
});

describe('retention', () => {
  it('deletes only events older than the cut-off', async () => {
    const local = new SqliteStorage(join(dir, 'retention.sqlite'));
    const s = new SqliteStatsStore(local.db);
    for (const x of SEED) await s.record(x.event, x.context);
    const now = parseDay('2025-03-01')! + 30 * 86_400_000; // 31 March 00:00: 30 days keep March only
    expect(await purgeExpiredStats(s, 30, now)).toBe(SEED_OUTSIDE_BEFORE);
    expect(local.db.prepare('SELECT COUNT(*) AS n FROM stats_events').get()).toEqual({ n: SEED.length - SEED_OUTSIDE_BEFORE });
    expect((await s.overview(range)).conversations).toBe(6);
    await expect(purgeExpiredStats(s, 0)).rejects.toThrow();
    await local.close();
  });

  it('the scheduler runs at start, then on its interval, and stops', async () => {
    const calls: number[] = [];
    const fake = { deleteOlderThan: async (ts: number) => (calls.push(ts), 1) };
    const purged: number[] = [];
    const stop = scheduleStatsRetention(fake, { retentionDays: 365, intervalMs: 20, now: () => 400 * 86_400_000, onPurged: (n) => purged.push(n) });
    await new Promise((r) => setTimeout(r, 75));
    stop();
    const seen = calls.length;
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(calls[0]).toBe(35 * 86_400_000);
    expect(purged.every((n) => n === 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.length).toBe(seen);
  });

  it('reports errors instead of throwing', async () => {
    const errors: unknown[] = [];
    const stop = scheduleStatsRetention({ deleteOlderThan: async () => Promise.reject(new Error('disk full')) }, { retentionDays: 1, onError: (e) => errors.push(e) });
    await new Promise((r) => setTimeout(r, 20));
    stop();
    expect(errors).toHaveLength(1);
  });
});

describe('schema', () => {
  it('refuses a database without the stats table', async () => {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(':memory:');
    expect(() => new SqliteStatsStore(db)).toThrow(/stats_events/);
    db.close();
  });
});
