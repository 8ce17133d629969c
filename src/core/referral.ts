/**
 * Volunteer teams' referral codes (issue 14): the shape of a code, how it arrives (a Telegram
 * deep link "/start ref_CODE", or typed as a message where a link cannot carry it, as on a
 * Zalo OA), and a cached directory of the codes officials created.
 */
import { scrub } from './privacy/scrub.js';

/** Prefix of a code in a Telegram start parameter: t.me/<bot>?start=ref_<CODE>. */
export const START_PREFIX = 'ref_';

const SHAPE = /^[A-Za-z0-9_-]{2,32}$/;

/**
 * A code that may be stored and counted: 2–32 characters A–Z a–z 0–9 _ -, at least one letter
 * (a bare number could be a phone or ID number), and nothing the scrubber reads as personal data
 * (it would be hidden from the statistics, so the team's numbers would be lost).
 */
export function isReferralCode(code: string): boolean {
  return SHAPE.test(code) && /[A-Za-z]/.test(code) && scrub(code).found.size === 0;
}

/** The code of a start parameter ("ref_DOANTN01", "ref-x" or a bare "DOANTN01"), if it is one. */
export function referralFromStart(arg: string | undefined): string | undefined {
  const code = arg?.replace(/^ref[_-]/i, '');
  return code && isReferralCode(code) ? code : undefined;
}

/**
 * The code candidate of a typed message: "DOANTN01", "#DOANTN01", "ref_DOANTN01", "mã DOANTN01",
 * "ma doi: doantn01". Upper-cased (codes are stored upper-case). Only a candidate: the engine
 * takes it for a referral when a team has that code, so an ordinary word ("vneid") stays a question.
 */
export function typedReferral(text: string): string | undefined {
  const m = /^(?:#|ref[_ -]?|m[aã]\s*(?:(?:đ|d)[oộ]i\s*)?[:：]?\s*)?([A-Za-z0-9_-]{2,32})$/iu.exec(text.trim().normalize('NFC'));
  const code = m?.[1]?.toUpperCase();
  return code && isReferralCode(code) ? code : undefined;
}

/** A known team's code as stored, and the commune the team works in (null: none named). */
export interface KnownReferral {
  code: string;
  commune: string | null;
}

/** What the engine needs to recognise the codes of existing teams. */
export interface ReferralDirectory {
  /** The team of a code (case-insensitive match), or undefined. */
  resolve(code: string): Promise<KnownReferral | undefined>;
}

/**
 * The codes of all teams, read from storage at most once per `ttlMs` (a typed "ok" must not cost
 * a query). A team created on this instance is known at once (invalidate); on another instance
 * sharing PostgreSQL, within `ttlMs`. A failed read keeps the codes known so far.
 */
export class CachedReferralDirectory implements ReferralDirectory {
  /** Code → the team's commune. */
  private codes = new Map<string, string | null>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly source: { listTeams(): Promise<ReadonlyArray<{ code: string; commune: string | null }>> },
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  invalidate(): void {
    this.loadedAt = Number.NEGATIVE_INFINITY;
  }

  async resolve(code: string): Promise<KnownReferral | undefined> {
    if (this.now() - this.loadedAt > this.ttlMs) await this.refresh();
    const upper = code.toUpperCase();
    const commune = this.codes.get(upper);
    return commune === undefined ? undefined : { code: upper, commune };
  }

  private refresh(): Promise<void> {
    this.loading ??= this.source
      .listTeams()
      .then(
        (teams) => {
          this.codes = new Map(teams.map((t) => [t.code.toUpperCase(), t.commune]));
          this.loadedAt = this.now();
        },
        // Tried again after ttlMs, not on every message while the database is away.
        () => {
          this.loadedAt = this.now();
        },
      )
      .finally(() => (this.loading = undefined));
    return this.loading;
  }
}
