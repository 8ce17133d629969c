/**
 * Pruning of the dedupe marks (`processed`: one row per webhook update, issue 12 #14). A mark
 * must outlive every redelivery of its update, or a late retry runs the turn a second time:
 * Zalo retries for up to about an hour, and Telegram keeps an unconfirmed update (and retries
 * it) for up to 24 hours. So marks are kept a day by default, never less than two hours, and
 * pruned hourly (a small, indexed delete) so the table stays about one day of traffic.
 * The timer is unref'd so it never keeps the process alive on shutdown.
 */
import type { Storage } from './storage.js';
import { runPeriodically } from '../core/periodic.js';

const HOUR_MS = 3_600_000;
/** Telegram's 24 h of redelivery, the longest of the platforms. */
export const DEFAULT_PROCESSED_KEEP_MS = 24 * HOUR_MS;
/** Below this a Zalo retry (up to ~1 h) could outlive its mark. */
export const MIN_PROCESSED_KEEP_MS = 2 * HOUR_MS;

export interface ProcessedPruningOptions {
  /** How long a mark is kept; default one day, at least two hours. */
  keepMs?: number;
  /** Default: one hour. */
  intervalMs?: number;
  /** Run once right away (default true): a server restarted often still prunes. */
  runAtStart?: boolean;
  /** After each run, with the number of marks removed (no personal data: log it). */
  onPruned?: (removed: number) => void;
  onError?: (err: unknown) => void;
  now?: () => number;
}

/** Starts the hourly pruning; returns a function that stops it (call it on shutdown). */
export function scheduleProcessedPruning(storage: Pick<Storage, 'pruneProcessed'>, o: ProcessedPruningOptions = {}): () => void {
  const keepMs = o.keepMs ?? DEFAULT_PROCESSED_KEEP_MS;
  if (!Number.isFinite(keepMs) || keepMs < MIN_PROCESSED_KEEP_MS) throw new RangeError('keepMs phải ≥ 2 giờ (Zalo gửi lại tới khoảng 1 giờ)');
  const now = o.now ?? Date.now;
  return runPeriodically(() => storage.pruneProcessed(now() - keepMs), {
    intervalMs: o.intervalMs ?? HOUR_MS,
    ...(o.runAtStart === undefined ? {} : { runAtStart: o.runAtStart }),
    ...(o.onPruned ? { onDone: o.onPruned } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  });
}
