import { createHmac } from 'node:crypto';

/**
 * The anonymous key of a user: HMAC-SHA256(secret, channel + ":" + user id), truncated to
 * 128 bits. Stable for one user and secret, unlinkable without the secret. The raw id is
 * never stored; the key is what conversations and statistics are filed under.
 */
export function pseudonymize(secret: string, channel: string, userId: string): string {
  return createHmac('sha256', secret).update(`${channel}:${userId}`).digest('hex').slice(0, 32);
}
