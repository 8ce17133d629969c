import { createHmac } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Keys of recently active users, per secret, in memory only: people write several times in a few minutes. */
const recent = new Map<string, LRUCache<string, string>>();
const CACHED_USERS = 10_000;

/**
 * The anonymous key of a user: HMAC-SHA256(secret, channel + ":" + user id), truncated to
 * 128 bits. Stable for one user and secret, unlinkable without the secret. The raw id is
 * never stored; the key is what conversations and statistics are filed under.
 */
export function pseudonymize(secret: string, channel: string, userId: string): string {
  const id = `${channel}:${userId}`;
  let cache = recent.get(secret);
  if (!cache) recent.set(secret, (cache = new LRUCache({ max: CACHED_USERS })));
  let key = cache.get(id);
  if (key === undefined) cache.set(id, (key = createHmac('sha256', secret).update(id).digest('hex').slice(0, 32)));
  return key;
}
