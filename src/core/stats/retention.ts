/**
 * Retention: statistics older than STATS_RETENTION_DAYS are deleted, once at start and then daily.
 * The timer is unref'd so it never keeps the process alive on shutdown.
 */
import type { StatsStore } from './store.js';
import { runPeriodically } from '../periodic.js';

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
  return runPeriodically(() => purgeExpiredStats(store, o.retentionDays, now()), {
    intervalMs: o.intervalMs ?? DAY_MS,
    ...(o.runAtStart === undefined ? {} : { runAtStart: o.runAtStart }),
    ...(o.onPurged ? { onDone: o.onPurged } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  });
}
