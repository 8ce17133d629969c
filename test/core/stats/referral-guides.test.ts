/**
 * Per-code numbers for the volunteer teams' page, on SQLite and PostgreSQL (skipped without
 * TEST_DATABASE_URL): a code typed after a Zalo follow ('referral' event) counts for its team
 * without counting another conversation; completions are people per guide.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DialogEvent } from '../../../src/core/stats/events.js';
import type { StatsContext, StatsStore } from '../../../src/core/stats/store.js';
import { sanitizeEvent } from '../../../src/core/stats/sink.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { PostgresStatsStore } from '../../../src/storage/postgres-stats.js';
import { tempDir } from '../../helpers/engine.js';
import { makePgStorage, PG_SKIP_MESSAGE, TEST_DATABASE_URL } from '../../helpers/postgres.js';

if (!TEST_DATABASE_URL) console.warn(PG_SKIP_MESSAGE);
const describePg = TEST_DATABASE_URL ? describe : describe.skip;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const T0 = Date.UTC(2025, 2, 3, 2);
const range = { from: T0 - 3600_000, to: T0 + 86_400_000 };
const ctx = (user: string, minute: number, channel = 'zalo-oa'): StatsContext => ({ channel, userKey: user.repeat(16).slice(0, 16), at: T0 + minute * 60_000 });

/** a: Telegram link DOANTN01, activates and integrates BHYT twice (one person-guide) and GPLX.
 *  b: Zalo follow, then types DOANTN01, activates.  c: web with HOIPN, nothing completed.
 *  d: no code, completes activation (counted nowhere here). */
const EVENTS: Array<[DialogEvent, StatsContext]> = [
  [{ type: 'conversation-start', referral: 'DOANTN01' }, ctx('a', 0, 'telegram')],
  [{ type: 'walk-complete', guideId: 'guide-activate' }, ctx('a', 5, 'telegram')],
  [{ type: 'walk-complete', guideId: 'integrate-bhyt' }, ctx('a', 9, 'telegram')],
  [{ type: 'walk-complete', guideId: 'integrate-bhyt' }, ctx('a', 12, 'telegram')],
  [{ type: 'walk-complete', guideId: 'integrate-gplx' }, ctx('a', 15, 'telegram')],
  [{ type: 'conversation-start' }, ctx('b', 1)],
  [{ type: 'referral', referral: 'DOANTN01' }, ctx('b', 2)],
  [{ type: 'walk-complete', guideId: 'guide-activate' }, ctx('b', 8)],
  [{ type: 'conversation-start', referral: 'HOIPN' }, ctx('c', 3, 'web')],
  [{ type: 'conversation-start' }, ctx('d', 4, 'web')],
  [{ type: 'walk-complete', guideId: 'guide-activate' }, ctx('d', 6, 'web')],
];

function expectations(name: string, make: () => Promise<StatsStore>): void {
  it(`${name}: conversations and people per code, completions per code and guide`, async () => {
    const store = await make();
    for (const [e, c] of EVENTS) await store.record(sanitizeEvent(e)!, c);
    expect(await store.referrals(range)).toEqual([
      { code: 'DOANTN01', conversations: 2, users: 2, guidesCompleted: 4, activations: 2 },
      { code: 'HOIPN', conversations: 1, users: 1, guidesCompleted: 0, activations: 0 },
    ]);
    expect(await store.referralGuides(range)).toEqual([
      { code: 'DOANTN01', guideId: 'guide-activate', people: 2 },
      { code: 'DOANTN01', guideId: 'integrate-bhyt', people: 1 },
      { code: 'DOANTN01', guideId: 'integrate-gplx', people: 1 },
    ]);
    // The typed code is not another conversation.
    expect((await store.overview(range)).conversations).toBe(4);
    expect(await store.referralGuides({ from: range.to, to: range.to + 1 })).toEqual([]);
  });
}

describe('referral numbers', () => {
  it('the sink keeps a typed referral with a clean code only', () => {
    expect(sanitizeEvent({ type: 'referral', referral: 'DOANTN01' })).toEqual({ type: 'referral', referral: 'DOANTN01' });
    expect(sanitizeEvent({ type: 'referral', referral: 'has spaces' } as DialogEvent)).toBeNull();
    expect(sanitizeEvent({ type: 'referral', referral: '0912345678' })).toEqual({ type: 'referral', referral: '[ẨN]' });
  });

  expectations('SQLite', async () => {
    const tmp = tempDir('vg-refguides-');
    const storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
    cleanups.push(() => tmp.cleanup(), () => storage.close());
    return new SqliteStatsStore(storage.db);
  });
});

describePg('referral numbers (PostgreSQL)', () => {
  expectations('PostgreSQL', async () => {
    const pg = await makePgStorage();
    const store = new PostgresStatsStore(pg.storage.pool);
    cleanups.push(() => pg.cleanup(), () => store.drain());
    return store;
  });
});
