import { createHmac } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Keys of recently active users, per secret, in memory only: people write several times in a few minutes. */
const recent = new Map<string, LRUCache<string, string>>();
const CACHED_USERS = 10_000;

/**
 * Every pseudonym starts with this. The "." is in no platform id (Telegram and Zalo ids are
 * digits, web session ids are [A-Za-z0-9_-]), so a raw id can never pass for a pseudonym: a
 * key is recognised by how it was built, not by looking like digits or hex (issue 12 #18).
 */
export const PSEUDONYM_PREFIX = 'ps.';
/** 128 bits of the HMAC, as lower-case hex. */
export const PSEUDONYM_HEX_LENGTH = 32;
const PSEUDONYM = /^ps\.([0-9a-f]{32})$/;

/**
 * The anonymous key of a user: "ps." + HMAC-SHA256(secret, channel + ":" + user id), truncated
 * to 128 bits, in hex. Stable for one user and secret, unlinkable without the secret. The raw id
 * is never stored; the key is what conversations and statistics are filed under.
 */
export function pseudonymize(secret: string, channel: string, userId: string): string {
  const id = `${channel}:${userId}`;
  let cache = recent.get(secret);
  if (!cache) recent.set(secret, (cache = new LRUCache({ max: CACHED_USERS })));
  let key = cache.get(id);
  if (key === undefined) {
    key = PSEUDONYM_PREFIX + createHmac('sha256', secret).update(id).digest('hex').slice(0, PSEUDONYM_HEX_LENGTH);
    cache.set(id, key);
  }
  return key;
}

/** True only for a key pseudonymize() could have made: the prefix and exactly 32 hex digits. */
export function isPseudonym(key: string): boolean {
  return PSEUDONYM.test(key);
}

/** The HMAC hex of a pseudonym, or undefined for anything else. */
export function pseudonymHex(key: string): string | undefined {
  return PSEUDONYM.exec(key)?.[1];
}
