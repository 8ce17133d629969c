/**
 * A failure budget for the admin login, whatever address the guesses claim. The per-IP limit
 * alone stops one address; but behind a proxy trusted too widely (TRUST_PROXY=true) every guess
 * can claim a new address in X-Forwarded-For, and a botnet has many. Past `maxFailures` wrong
 * passwords within `windowMs` the login closes for `lockoutMs`, and no password is checked
 * meanwhile (a guess during the lock-out teaches nothing).
 *
 * The plugin keeps one budget per account and one for all accounts together (LoginGuards
 * below). Today there is one account (the ADMIN_PASSWORD user), so its budget closes first and
 * the global one is the ceiling that stays when more accounts come.
 *
 * The price is that an attacker can keep officials out while attacking; they wait and the log
 * says why. In memory, per instance: n instances allow n budgets, still a few dozen guesses an
 * hour instead of hundreds a second.
 */
export interface LoginGuardOptions {
  /** Wrong passwords allowed within the window before the lock-out (default 10). */
  maxFailures?: number;
  /** Default 15 minutes. */
  windowMs?: number;
  /** Default 15 minutes. */
  lockoutMs?: number;
}

export class LoginGuard {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockoutMs: number;
  /** Times of recent wrong passwords, oldest first. */
  private failures: number[] = [];
  private lockedUntil = 0;

  constructor(o: LoginGuardOptions = {}) {
    this.maxFailures = o.maxFailures ?? 10;
    this.windowMs = o.windowMs ?? 15 * 60_000;
    this.lockoutMs = o.lockoutMs ?? 15 * 60_000;
  }

  /** Milliseconds until logins are accepted again; 0 when open. */
  lockedFor(now: number): number {
    return Math.max(0, this.lockedUntil - now);
  }

  /** Records a wrong password; true when it closes the login. */
  recordFailure(now: number): boolean {
    this.failures = this.failures.filter((t) => t > now - this.windowMs);
    this.failures.push(now);
    if (this.failures.length < this.maxFailures) return false;
    this.failures = [];
    this.lockedUntil = now + this.lockoutMs;
    return true;
  }
}

/** One budget per account plus a looser one over all accounts; a login is open when both are. */
export class LoginGuards {
  private readonly perAccount = new Map<string, LoginGuard>();
  private readonly all: LoginGuard;

  constructor(
    private readonly accountOptions: LoginGuardOptions = {},
    globalOptions: LoginGuardOptions = {},
  ) {
    this.all = new LoginGuard({ maxFailures: 30, ...globalOptions });
  }

  private account(name: string): LoginGuard {
    let g = this.perAccount.get(name);
    if (!g) this.perAccount.set(name, (g = new LoginGuard(this.accountOptions)));
    return g;
  }

  lockedFor(account: string, now: number): number {
    return Math.max(this.all.lockedFor(now), this.perAccount.get(account)?.lockedFor(now) ?? 0);
  }

  /** Records a wrong password for `account`; says which budget, if any, it closed. */
  recordFailure(account: string, now: number): 'account' | 'global' | undefined {
    const accountClosed = this.account(account).recordFailure(now);
    const globalClosed = this.all.recordFailure(now);
    return accountClosed ? 'account' : globalClosed ? 'global' : undefined;
  }
}
