/**
 * Per-user flood control: more than `max` typed messages in `windowMs` gets one polite notice,
 * then silence while the burst goes on. Other users are unaffected. In memory, per instance: a
 * flood is a burst, and bursts hit one instance.
 *
 * Button taps are counted apart and much more loosely (`tapMax`): a citizen walking through a
 * guide taps "Xong, tiếp theo" about once a second, and dropping such a tap would lose a step or
 * the completion. The notice asks the citizen to wait a few seconds: whoever does (no message for
 * `pauseMs`) is answered again at once, even if the window is still full.
 */
export interface FloodOptions {
  /** Typed messages allowed per window. */
  max: number;
  windowMs: number;
  /** Button taps allowed per window; four times `max` by default (a human never reaches it). */
  tapMax?: number;
  /** A pause this long after the notice ends the silence; 3 s by default ("đợi vài giây"). */
  pauseMs?: number;
  /** Users tracked at most (oldest forgotten first), so memory stays bounded. */
  maxUsers?: number;
}

export type FloodVerdict = 'ok' | 'notify' | 'drop';
export type MessageKind = 'typed' | 'tap';

interface UserWindow {
  typed: number[];
  taps: number[];
  notified: boolean;
  /** Last message seen, dropped ones included: a sender who never pauses stays silenced. */
  lastAt: number;
}

export const DEFAULT_PAUSE_MS = 3_000;
export const TAP_ALLOWANCE = 4;

export class FloodGuard {
  private readonly recent = new Map<string, UserWindow>();

  constructor(private readonly o: FloodOptions) {}

  check(userKey: string, now: number, kind: MessageKind = 'typed'): FloodVerdict {
    let entry = this.recent.get(userKey);
    if (entry) this.recent.delete(userKey); // re-insert: Map order = least recently seen first
    entry ??= { typed: [], taps: [], notified: false, lastAt: -Infinity };
    this.recent.set(userKey, entry);
    if (this.recent.size > (this.o.maxUsers ?? 100_000)) this.recent.delete(this.recent.keys().next().value!);

    if (entry.notified && now - entry.lastAt >= (this.o.pauseMs ?? DEFAULT_PAUSE_MS)) {
      // They waited as the notice asked: start afresh.
      entry.typed = [];
      entry.taps = [];
      entry.notified = false;
    }
    entry.lastAt = now;
    const inWindow = (t: number) => now - t < this.o.windowMs;
    entry.typed = entry.typed.filter(inWindow);
    entry.taps = entry.taps.filter(inWindow);
    const list = kind === 'tap' ? entry.taps : entry.typed;
    const limit = kind === 'tap' ? (this.o.tapMax ?? this.o.max * TAP_ALLOWANCE) : this.o.max;

    if (list.length >= limit) {
      if (entry.notified) return 'drop';
      entry.notified = true;
      return 'notify';
    }
    list.push(now);
    entry.notified = false;
    return 'ok';
  }
}
