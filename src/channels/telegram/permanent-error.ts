/**
 * Which Bot API failures are permanent for one chat. A citizen who blocked the bot (403
 * "Forbidden: bot was blocked by the user"), a chat that no longer exists (400 "Bad Request:
 * chat not found"), or any other 400/403 answer the same way however often the call is
 * repeated: failing the update only made Telegram redeliver it and the whole turn run again
 * (issue 12, defect 17).
 *
 * Everything else stays transient: 429 and 5xx are retried by auto-retry and then fail the
 * update, so Telegram redelivers it; 401/404 mean a wrong or revoked token, an operator's
 * problem that must stay loud rather than be counted as one citizen's delivery failure.
 */
import { GrammyError } from 'grammy';

const PERMANENT_CODES: ReadonlySet<number> = new Set([400, 403]);

/** The failure code to record ("403", "400"), or null when the error is not a permanent one. */
export function permanentFailureCode(err: unknown): string | null {
  return err instanceof GrammyError && PERMANENT_CODES.has(err.error_code) ? String(err.error_code) : null;
}
