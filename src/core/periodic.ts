/**
 * A background job that runs now (unless told not to) and then every interval: the statistics
 * purge, the pruning of dedupe marks. A slow run never overlaps the next one, a failure is
 * handed to `onError` (the job keeps its schedule), and the timers are unref'd, so a job never
 * keeps the process alive. Returns a function that stops it (call it on shutdown).
 */
export interface PeriodicOptions<T> {
  intervalMs: number;
  /** Run once right away (default), not only after the first interval. */
  runAtStart?: boolean;
  onDone?: (result: T) => void;
  onError?: (err: unknown) => void;
}

export function runPeriodically<T>(task: () => Promise<T>, o: PeriodicOptions<T>): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      // Not `o.onDone?.(await task())`: without onDone, optional chaining would skip the task itself.
      const result = await task();
      o.onDone?.(result);
    } catch (err) {
      o.onError?.(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), o.intervalMs);
  timer.unref();
  const first = o.runAtStart === false ? undefined : setTimeout(() => void run(), 0);
  first?.unref();
  return () => {
    clearInterval(timer);
    if (first) clearTimeout(first);
  };
}
