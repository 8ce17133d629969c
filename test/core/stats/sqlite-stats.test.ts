import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { dayRange, formatDay, parseDay } from '../../../src/core/stats/store.js';
import { scheduleStatsRetention } from '../../../src/core/stats/retention.js';
import { statsStoreContract } from './contract.js';

let dir: string;
let files = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vg-stats-'));
});

afterAll(() => {
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

// The shared expectations (test/core/stats/contract.ts); each store gets its own database file.
statsStoreContract('SQLite', async () => {
  const storage = new SqliteStorage(join(dir, `stats-${++files}.sqlite`));
  const store = new SqliteStatsStore(storage.db);
  return {
    store,
    count: async () => (storage.db.prepare('SELECT COUNT(*) AS n FROM stats_events').get() as { n: number }).n,
    cleanup: () => storage.close(),
  };
});

describe('retention scheduling', () => {
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

describe('query plans', () => {
  it('per-person joins to completions use the completions index (without it the funnel was quadratic: minutes on 200,000 events)', async () => {
    const storage = new SqliteStorage(join(dir, `stats-${++files}.sqlite`));
    try {
      const store = new SqliteStatsStore(storage.db);
      const seen: string[] = [];
      const prepare = storage.db.prepare.bind(storage.db);
      storage.db.prepare = ((sql: string) => (seen.push(sql), prepare(sql))) as typeof storage.db.prepare;
      const range = { from: 0, to: 1 };
      await store.funnel(range);
      await store.referrals(range);
      storage.db.prepare = prepare;
      const joins = seen.filter((sql) => /c\.user_key\s*=/.test(sql));
      expect(joins).toHaveLength(2);
      for (const sql of joins) {
        const plan = (prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ from: 0, to: 1, commune: null, communes: null }) as Array<{ detail: string }>).map((r) => r.detail);
        expect(plan.some((d) => /^SEARCH c USING INDEX stats_events_completed \(user_key=\?/.test(d))).toBe(true);
      }
      // The old index of every event by person is gone (it cost more than the rest of a turn's writes).
      expect(storage.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'stats_events' ORDER BY name").all()).toEqual([
        { name: 'stats_events_at' },
        { name: 'stats_events_completed' },
        { name: 'stats_events_type_at' },
      ]);
    } finally {
      await storage.close();
    }
  });
});
