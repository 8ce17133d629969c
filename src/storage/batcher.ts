/**
 * Group commit for an asynchronous database (PostgreSQL): rows handed over while a write is in
 * flight wait and go together in the next one, so under load one statement and one commit serve
 * many turns, and when idle a row is written at the next turn of the event loop. Each caller's
 * promise settles when its own row is committed, as with a write per row.
 */
export class Batcher<T, R = void> {
  private pending: Array<{ row: T; resolve: (result: R) => void; reject: (err: unknown) => void }> = [];
  private running: Promise<void> | undefined;
  private scheduled = false;

  /**
   * `write` stores all the rows it gets, atomically (one statement or one transaction), and
   * returns one result per row in their order (or nothing, for R = void). `rowError` says
   * whether a failed write may be one bad row (then each row is tried alone); otherwise
   * (database down, timeout) the whole batch fails at once, without a retry per row.
   */
  constructor(
    private readonly write: (rows: T[]) => Promise<R[] | void>,
    private readonly rowError: (err: unknown) => boolean = () => true,
  ) {}

  add(row: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when everything handed over so far is written (or has failed). */
  async drain(): Promise<void> {
    while (this.running || this.pending.length > 0) {
      if (!this.running) this.start();
      await this.running;
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.running) this.start();
    });
  }

  private start(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.running = this.flush(batch).finally(() => {
      this.running = undefined;
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async flush(batch: typeof this.pending): Promise<void> {
    let results: R[] | void;
    try {
      results = await this.write(batch.map((p) => p.row));
    } catch (err) {
      if (!this.rowError(err)) {
        // The database is down or stalled (a timeout): the rows that queued up behind this write
        // fail with it, now. Written next, each would wait out a timeout of its own after this
        // one's, and a turn must fail within the webhook's time, not twice the timeout (issue 12).
        const queued = this.pending;
        this.pending = [];
        for (const p of [...batch, ...queued]) p.reject(err);
        return;
      }
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // One bad row must not fail the others: each again, alone.
      for (const p of batch) {
        try {
          const [result] = (await this.write([p.row])) ?? [];
          p.resolve(result as R);
        } catch (e) {
          p.reject(e);
        }
      }
      return;
    }
    batch.forEach((p, i) => p.resolve(results?.[i] as R));
  }
}
