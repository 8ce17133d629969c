/**
 * The admin sessions that are still open, kept in the shared Storage so that logout ends a
 * session on every instance: the signed cookie proves who issued it, this list proves it was not
 * ended since. One small value (id → expiry), rewritten under the storage's named lock; expired
 * entries are dropped on every write, so it never grows past the sessions of one working day.
 * Ids are hashes of the cookie's nonce, never the cookie itself.
 */
import type { Storage } from '../../storage/storage.js';

const KEY = 'admin-sessions';
/** More open sessions than officials will ever have; the ones expiring soonest go first. */
const MAX_OPEN = 500;

type Open = Record<string, number>;

export class AdminSessionRegistry {
  constructor(private readonly storage: Pick<Storage, 'getValue' | 'setValue' | 'withLock'>) {}

  private async read(): Promise<Open> {
    const raw = await this.storage.getValue(KEY);
    if (!raw) return {};
    try {
      const parsed = JSON.parse(raw) as unknown;
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Open) : {};
    } catch {
      return {}; // a damaged list ends every session (fail closed), officials log in again
    }
  }

  private update(now: number, change: (open: Open) => void): Promise<void> {
    return this.storage.withLock(KEY, async () => {
      const open = await this.read();
      change(open);
      const live = Object.entries(open)
        .filter(([, exp]) => typeof exp === 'number' && exp > now)
        .sort((a, b) => b[1] - a[1])
        .slice(0, MAX_OPEN);
      await this.storage.setValue(KEY, JSON.stringify(Object.fromEntries(live)));
    });
  }

  open(id: string, exp: number, now: number): Promise<void> {
    return this.update(now, (o) => {
      o[id] = exp;
    });
  }

  close(id: string, now: number): Promise<void> {
    return this.update(now, (o) => {
      delete o[id];
    });
  }

  async isOpen(id: string, now: number): Promise<boolean> {
    const exp = (await this.read())[id];
    return typeof exp === 'number' && exp > now;
  }
}
