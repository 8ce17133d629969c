/**
 * Zalo OA webhook signature: `X-ZEvent-Signature: mac=<hex>` where
 * hex = SHA-256(app_id + raw body + timestamp + OA secret key) — a plain hash of the
 * concatenation, not an HMAC (Zalo's own SDKs). Computed over the exact bytes received: a
 * re-serialised body would not match.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-zevent-signature';

export function computeZaloSignature(appId: string, rawBody: Buffer | string, timestamp: string, secretKey: string): string {
  return createHash('sha256')
    .update(appId, 'utf8')
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .update(timestamp, 'utf8')
    .update(secretKey, 'utf8')
    .digest('hex');
}

export type SignatureFailure = 'missing' | 'malformed' | 'no-timestamp' | 'mismatch' | 'stale' | 'future';

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure };

export interface VerifyInput {
  /** The header value as received (may be absent or repeated). */
  header: string | string[] | undefined;
  rawBody: Buffer;
  /** The body's `timestamp` field (epoch ms, a string per Zalo; a number is tolerated). */
  timestamp: unknown;
  appId: string;
  secretKey: string;
  /** Events older than this are refused as replays. */
  replayWindowMs: number;
  /** Tolerated clock skew into the future (default 5 minutes). */
  futureSkewMs?: number;
  now?: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

export function verifyZaloSignature(input: VerifyInput): SignatureCheck {
  const header = Array.isArray(input.header) ? input.header[0] : input.header;
  if (!header) return { ok: false, reason: 'missing' };
  const given = header.trim().replace(/^mac=/i, '').toLowerCase();
  if (!HEX64.test(given)) return { ok: false, reason: 'malformed' };

  const ts = typeof input.timestamp === 'number' ? String(input.timestamp) : input.timestamp;
  if (typeof ts !== 'string' || !/^\d{1,16}$/.test(ts)) return { ok: false, reason: 'no-timestamp' };

  const expected = computeZaloSignature(input.appId, input.rawBody, ts, input.secretKey);
  // Both are 64 hex characters here, so the buffers have equal length as timingSafeEqual requires.
  if (!timingSafeEqual(Buffer.from(expected, 'utf8'), Buffer.from(given, 'utf8'))) return { ok: false, reason: 'mismatch' };

  // Checked after the MAC so that a forger learns nothing about our clock.
  const at = Number(ts);
  const now = input.now ?? Date.now();
  if (now - at > input.replayWindowMs) return { ok: false, reason: 'stale' };
  if (at - now > (input.futureSkewMs ?? 5 * 60_000)) return { ok: false, reason: 'future' };
  return { ok: true, timestamp: at };
}
