/**
 * The one Telegram-only exchange: a volunteer presses "Chia sẻ cho người thân", may send a team
 * code, and gets a t.me link carrying it (counted in statistics when someone starts the bot
 * from it).
 *
 * What is stored while the bot waits for the code: under the user's pseudonymous key, the step
 * and when it expires — no update, no chat id, no name (the conversations plugin used before
 * kept every raw update of the exchange, with no expiry). A typed question is never taken for a
 * code: a team code is one word of letters and digits with at least one letter and at least one
 * digit, `-` or `_` (DOANTN01, DOI-05), so "bhyt" or "vneid" are answered as questions; and a
 * run of 6+ digits (a phone or ID number) is never a code.
 */
import type { Storage } from '../../storage/storage.js';

/** How long the bot waits for the team code after the button is pressed. */
export const SHARE_TTL_MS = 10 * 60_000;

const TEAM_CODE = /^(?=.*[A-Za-z])(?=.*[0-9_-])[A-Za-z0-9_-]{2,24}$/;
const LONG_NUMBER = /\d{6,}/;

/** Whether a typed text is a team code (and not a question or a personal number). */
export function asTeamCode(text: string): string | undefined {
  const t = text.trim();
  return TEAM_CODE.test(t) && !LONG_NUMBER.test(t) ? t : undefined;
}

interface PendingShare {
  step: 'team-code';
  expiresAt: number;
}

export class ShareFlow {
  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
  ) {}

  private key(userKey: string): string {
    return `tg-share:${userKey}`;
  }

  /** The button was pressed: wait for a team code for SHARE_TTL_MS. */
  async begin(userKey: string): Promise<void> {
    const pending: PendingShare = { step: 'team-code', expiresAt: this.now() + SHARE_TTL_MS };
    await this.storage.setValue(this.key(userKey), JSON.stringify(pending));
  }

  /** Ends the wait: true when one was pending and had not expired. */
  async end(userKey: string): Promise<boolean> {
    const raw = await this.storage.getValue(this.key(userKey));
    if (raw === undefined) return false;
    await this.storage.deleteValue(this.key(userKey));
    try {
      const pending = JSON.parse(raw) as Partial<PendingShare>;
      return pending.step === 'team-code' && typeof pending.expiresAt === 'number' && pending.expiresAt > this.now();
    } catch {
      return false;
    }
  }
}
