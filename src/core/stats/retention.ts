/**
 * Retention: statistics older than STATS_RETENTION_DAYS are deleted, once at start and then daily.
 * The timer is unref'd so it never keeps the process alive on shutdown.
 */
import type { StatsStore } from './store.js';

export const DAY_MS = 86_400_000;

/** Deletes events older than `retentionDays` before `now`; returns how many were deleted. */
export async function purgeExpiredStats(store: Pick<StatsStore, 'deleteOlderThan'>, retentionDays: number, now = Date.now()): Promise<number> {
  if (!Number.isFinite(retentionDays) || retentionDays < 1) throw new RangeError('retentionDays phải ≥ 1');
  return store.deleteOlderThan(now - retentionDays * DAY_MS);
}

export interface RetentionOptions {
  retentionDays: number;
  /** Default: one day. */
  intervalMs?: number;
  /** Run once right away (default true): a server restarted daily still purges. */
  runAtStart?: boolean;
  /** After each run, with the number of deleted events (log it: it carries no personal data). */
  onPurged?: (deleted: number) => void;
  onError?: (err: unknown) => void;
  now?: () => number;
}

/** Starts the daily purge; returns a function that stops it (call it on shutdown). */
export function scheduleStatsRetention(store: Pick<StatsStore, 'deleteOlderThan'>, o: RetentionOptions): () => void {
  const now = o.now ?? Date.now;
  let running = false;
  const run = async () => {
    if (running) return; // a slow purge never overlaps the next one
    running = true;
    try {
      // Not `o.onPurged?.(await ...)`: optional chaining would skip the purge itself.
      const deleted = await purgeExpiredStats(store, o.retentionDays, now());
      o.onPurged?.(deleted);
    } catch (err) {
      o.onError?.(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), o.intervalMs ?? DAY_MS);
  timer.unref();
  const first = o.runAtStart === false ? undefined : setTimeout(() => void run(), 0);
  first?.unref();
  return () => {
    clearInterval(timer);
    if (first) clearTimeout(first);
  };
}
