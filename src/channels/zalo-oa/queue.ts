/**
 * Work done after a webhook has already been answered 200. Jobs of one user run one after the
 * other (two quick taps must not race on the conversation state or reorder replies); jobs of
 * different users run side by side. `idle()` lets tests and graceful shutdown wait for them.
 *
 * Bounded: one queue serves one OA (or bot), and while Zalo rate-limits it (-32) jobs pile up;
 * past `maxPending` a new job is refused (push returns false) instead of growing memory
 * without end, and the caller counts it as undeliverable.
 */
export class WorkQueue {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly onError: (err: unknown) => void = () => {},
    readonly maxPending = Number.POSITIVE_INFINITY,
  ) {}

  /** Queues `job` after the jobs of the same key; false (and nothing queued) when the queue is full. */
  push(key: string, job: () => Promise<void>): boolean {
    if (this.inflight.size >= this.maxPending) return false;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous
      // setImmediate: let the HTTP response go out before the work starts.
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(job)
      .catch((err: unknown) => this.onError(err));
    this.chains.set(key, run);
    this.inflight.add(run);
    void run.finally(() => {
      this.inflight.delete(run);
      if (this.chains.get(key) === run) this.chains.delete(key);
    });
    return true;
  }

  get size(): number {
    return this.inflight.size;
  }

  /** Resolves when no job is queued or running (including jobs queued meanwhile). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }
}
