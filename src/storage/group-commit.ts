/**
 * Group commit for one SQLite connection. Writes requested during one turn of the event loop are
 * committed together in one transaction, and each caller's promise settles only after that commit:
 * a reply still waits for its own turn to be written (as durable as a commit per write), but
 * twenty concurrent turns share one commit instead of paying for twenty.
 */
import type Database from 'better-sqlite3';

interface PendingWrite {
  write: () => unknown;
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private pending: PendingWrite[] = [];
  private scheduled = false;

  constructor(private readonly db: Database.Database) {}

  /**
   * Queues a synchronous write; resolves with what it returned once it is committed, rejects if
   * it could not be. Writes run in the order they were queued.
   */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve: resolve as (result: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Commits everything queued now. Readers that query the tables directly call this first, so
   * they see every write already requested; close() calls it so nothing queued is lost.
   */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let results: unknown[];
    try {
      results = this.db.transaction(() => batch.map((w) => w.write()))();
    } catch {
      // One bad write must not fail the others: each again, in its own transaction.
      for (const w of batch) {
        try {
          w.resolve(this.db.transaction(w.write)());
        } catch (err) {
          w.reject(err);
        }
      }
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]));
  }
}

const byConnection = new WeakMap<Database.Database, GroupCommit>();

/** The one group commit of a connection, shared by everything that writes through it. */
export function groupCommit(db: Database.Database): GroupCommit {
  let gc = byConnection.get(db);
  if (!gc) byConnection.set(db, (gc = new GroupCommit(db)));
  return gc;
}
