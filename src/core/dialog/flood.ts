/**
 * Per-user flood control: more than `max` messages in `windowMs` gets one polite notice, then
 * silence until the window has room again. Other users are unaffected. In memory, per
 * instance: a flood is a burst, and bursts hit one instance.
 */
export interface FloodOptions {
  max: number;
  windowMs: number;
  /** Users tracked at most (oldest forgotten first), so memory stays bounded. */
  maxUsers?: number;
}

export type FloodVerdict = 'ok' | 'notify' | 'drop';

export class FloodGuard {
  private readonly recent = new Map<string, { times: number[]; notified: boolean }>();

  constructor(private readonly o: FloodOptions) {}

  check(userKey: string, now: number): FloodVerdict {
    let entry = this.recent.get(userKey);
    if (entry) this.recent.delete(userKey); // re-insert: Map order = least recently seen first
    entry ??= { times: [], notified: false };
    entry.times = entry.times.filter((t) => now - t < this.o.windowMs);
    this.recent.set(userKey, entry);
    if (this.recent.size > (this.o.maxUsers ?? 100_000)) this.recent.delete(this.recent.keys().next().value!);

    if (entry.times.length >= this.o.max) {
      if (entry.notified) return 'drop';
      entry.notified = true;
      return 'notify';
    }
    entry.times.push(now);
    entry.notified = false;
    return 'ok';
  }
}
