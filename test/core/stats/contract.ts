/**
 * The StatsStore contract: the hand-counted numbers of test/fixtures/stats-seed.ts, plus a few
 * edges (day and week boundaries in Vietnam time, half-open ranges, limits), run against every
 * implementation (SQLite, PostgreSQL) so that they give the same numbers and the same rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialogEvent } from '../../../src/core/stats/events.js';
import { purgeExpiredStats } from '../../../src/core/stats/retention.js';
import { StatsSink } from '../../../src/core/stats/sink.js';
import { dayRange, documentCounts, parseDay, type StatsContext, type StatsStore } from '../../../src/core/stats/store.js';
import { EXPECTED, FROM, SEED, SEED_OUTSIDE_BEFORE, TO } from '../../fixtures/stats-seed.js';

export interface StatsTestStore {
  store: StatsStore;
  /** Rows in the events table, read beside the store. */
  count: () => Promise<number>;
  /** Closes the store's database and removes it. */
  cleanup: () => Promise<void>;
}

/** A new, empty store (own database / schema) per call. */
export type MakeStatsStore = () => Promise<StatsTestStore>;

export function statsStoreContract(name: string, make: MakeStatsStore): void {
  describe(`${name}: StatsStore on hand-counted events`, () => {
    let t: StatsTestStore;
    let store: StatsStore;
    const range = dayRange(FROM, TO)!;

    beforeAll(async () => {
      t = await make();
      store = t.store;
      for (const s of SEED) await store.record(s.event, s.context);
    });

    afterAll(async () => {
      await t?.cleanup();
    });

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

    it('latest times are numbers (epoch ms of the latest event)', async () => {
      const [review] = await store.reviewQuestions(range, 1);
      expect(review!.lastAt).toBe(parseDay('2025-03-16')! + 15 * 3600_000);
      const [failure] = await store.deliveryFailures(range);
      expect(failure!.lastAt).toBe(parseDay('2025-03-31')! + (23 * 60 + 33) * 60_000);
      const top = await store.topQuestions(range, 1);
      expect(typeof top[0]!.lastAt).toBe('number');
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
      expect(await store.questionsPerDay(empty)).toEqual([]);
      expect(await store.sensitiveKinds(empty)).toEqual([]);
    });

    it('filters by commune when asked', async () => {
      expect((await store.overview({ ...range, commune: 'default' })).conversations).toBe(6);
      expect((await store.overview({ ...range, commune: 'other' })).conversations).toBe(0);
    });
  });

  describe(`${name}: edges`, () => {
    let t: StatsTestStore;
    const MAR2 = parseDay('2025-03-02')!; // a Sunday, 00:00 in Vietnam = 1 March 17:00 UTC
    const MAR3 = parseDay('2025-03-03')!; // the Monday after
    const ctx = (userKey: string, at: number, commune = 'default'): StatsContext => ({ channel: 'web', userKey, at, commune });
    const q = (normalized: string, nearestId: string | null, outcome: 'low-confidence' | 'unanswered', score: number): DialogEvent => ({
      type: 'question',
      text: 'câu hỏi lạ',
      normalized,
      matchedId: null,
      nearestId,
      score,
      outcome,
    });

    beforeAll(async () => {
      t = await make();
      const events: Array<[DialogEvent, StatsContext]> = [
        // Saturday 23:59:59.999, Sunday 00:00 (same week, which starts Monday 24 Feb), Monday 00:00.
        [q('', null, 'unanswered', 0.1), ctx('k1k1k1k1k1k1k1k1', MAR2 - 1)],
        [q('', 'faq-a', 'unanswered', 0.15), ctx('k2k2k2k2k2k2k2k2', MAR2)],
        [q('x y', 'faq-b', 'low-confidence', 0.4), ctx('k3k3k3k3k3k3k3k3', MAR3)],
        [{ type: 'sensitive-data', kinds: [] }, ctx('k3k3k3k3k3k3k3k3', MAR3 + 1)],
        [{ type: 'delivery-failure', code: 'unknown' }, ctx('k3k3k3k3k3k3k3k3', MAR3 + 2)],
        [{ type: 'conversation-start', referral: 'XA-B' }, ctx('k4k4k4k4k4k4k4k4', MAR3 + 3, 'xa-b')],
      ];
      for (const [e, c] of events) await t.store.record(e, c);
    });

    afterAll(async () => {
      await t?.cleanup();
    });

    it('days and Monday-based weeks in Vietnam time, at the exact midnight', async () => {
      const range = { from: MAR2 - 86_400_000, to: MAR3 + 86_400_000 };
      expect(await t.store.questionsPerDay(range)).toEqual([
        { day: '2025-03-01', questions: 1, answered: 0, lowConfidence: 0, unanswered: 1 },
        { day: '2025-03-02', questions: 1, answered: 0, lowConfidence: 0, unanswered: 1 },
        { day: '2025-03-03', questions: 1, answered: 0, lowConfidence: 1, unanswered: 0 },
      ]);
      expect(await t.store.usersPerWeek(range)).toEqual([
        { week: '2025-02-24', users: 2 },
        { week: '2025-03-03', users: 2 },
      ]);
    });

    it('ranges are half-open: `to` itself is outside', async () => {
      expect((await t.store.overview({ from: MAR2, to: MAR3 })).questions).toBe(1);
      expect((await t.store.overview({ from: MAR2 - 1, to: MAR3 + 1 })).questions).toBe(3);
    });

    it('review list groups an empty normalized form by its text; top questions skip it', async () => {
      const range = { from: 0, to: MAR3 + 86_400_000 };
      expect((await t.store.reviewQuestions(range, 10)).map(({ lastAt, ...r }) => [lastAt, r])).toEqual([
        [MAR3, { normalized: 'x y', text: 'câu hỏi lạ', count: 1, outcome: 'low-confidence', score: 0.4, nearestIds: ['faq-b'] }],
        [MAR2, { normalized: 'câu hỏi lạ', text: 'câu hỏi lạ', count: 2, outcome: 'unanswered', score: 0.15, nearestIds: ['faq-a'] }],
      ]);
      expect(await t.store.topQuestions(range, 10)).toEqual([{ normalized: 'x y', text: 'câu hỏi lạ', wordings: 1, count: 1, answered: 0, matchedId: null, lastAt: MAR3 }]);
    });

    it('limits: 0 gives nothing, a negative limit (SQLite’s -1) gives everything', async () => {
      const range = { from: 0, to: MAR3 + 86_400_000 };
      expect(await t.store.reviewQuestions(range, 0)).toEqual([]);
      expect(await t.store.topTopics(range, 0)).toEqual([]);
      expect(await t.store.reviewQuestions(range, -1)).toHaveLength(2);
    });

    it('an empty kinds list counts the message but no kind; the failure code is kept', async () => {
      const range = { from: 0, to: MAR3 + 86_400_000 };
      expect((await t.store.overview(range)).sensitive).toBe(1);
      expect(await t.store.sensitiveKinds(range)).toEqual([]);
      expect(await t.store.deliveryFailures(range)).toEqual([{ channel: 'web', code: 'unknown', count: 1, lastAt: MAR3 + 2 }]);
    });

    it('communes: only the asked one', async () => {
      const range = { from: 0, to: MAR3 + 86_400_000 };
      expect(await t.store.referrals({ ...range, commune: 'xa-b' })).toEqual([{ code: 'XA-B', conversations: 1, users: 1, guidesCompleted: 0, activations: 0 }]);
      expect(await t.store.referrals({ ...range, commune: 'default' })).toEqual([]);
      expect((await t.store.overview(range)).users).toBe(4);
      expect((await t.store.overview({ ...range, commune: 'default' })).users).toBe(3);
    });
  });

  describe(`${name}: what citizens wrote`, () => {
    it('top questions carry the scrubbed wording through the sink, never the personal data', async () => {
      const t = await make();
      try {
        const sink = new StatsSink({ store: t.store });
        const at = parseDay('2025-03-05')! + 9 * 3600_000;
        const ask = (text: string, normalized: string, i: number) =>
          sink.record({ type: 'question', text, normalized, matchedId: 'faq-otp', nearestId: 'faq-otp', score: 0.9, outcome: 'answered' }, { channel: 'web', userKey: `k${i}k${i}k${i}k${i}k${i}k${i}k${i}k${i}`, at: at + i * 60_000 });
        await ask('ko nhận dc OTP, sđt 0912345678', 'khong nhan duoc otp sdt', 1);
        await ask('Không nhận được mã OTP gửi về 0987654321', 'khong nhan duoc otp sdt', 2);
        const [top] = await t.store.topQuestions(dayRange('2025-03-05', '2025-03-05')!, 10);
        expect(top).toMatchObject({ normalized: 'khong nhan duoc otp sdt', text: 'Không nhận được mã OTP gửi về [SĐT]', wordings: 2, count: 2 });
        expect(JSON.stringify(top)).not.toMatch(/09\d{8}/);
      } finally {
        await t.cleanup();
      }
    });
  });

  describe(`${name}: retention`, () => {
    it('deletes only events older than the cut-off', async () => {
      const t = await make();
      try {
        for (const x of SEED) await t.store.record(x.event, x.context);
        const now = parseDay('2025-03-01')! + 30 * 86_400_000; // 31 March 00:00: 30 days keep March only
        expect(await purgeExpiredStats(t.store, 30, now)).toBe(SEED_OUTSIDE_BEFORE);
        expect(await t.count()).toBe(SEED.length - SEED_OUTSIDE_BEFORE);
        expect((await t.store.overview(dayRange(FROM, TO)!)).conversations).toBe(6);
        expect(await t.store.deleteOlderThan(0)).toBe(0);
        await expect(purgeExpiredStats(t.store, 0)).rejects.toThrow();
      } finally {
        await t.cleanup();
      }
    });
  });
}
