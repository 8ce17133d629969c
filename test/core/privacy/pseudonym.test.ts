import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPseudonym, pseudonymHex, pseudonymize } from '../../../src/core/privacy/pseudonym.js';

const SECRET = 'a-test-secret-of-32-characters!!';

describe('pseudonymize', () => {
  it('is stable for one user and secret', () => {
    expect(pseudonymize(SECRET, 'telegram', '123456789')).toBe(pseudonymize(SECRET, 'telegram', '123456789'));
  });

  it('is HMAC-SHA256(secret, channel:userId) truncated to 128 bits', () => {
    const full = createHmac('sha256', SECRET).update('zalo:8837261').digest('hex');
    const key = pseudonymize(SECRET, 'zalo', '8837261');
    expect(key).toBe(`ps.${full.slice(0, 32)}`);
    expect(isPseudonym(key)).toBe(true);
    expect(pseudonymHex(key)).toBe(full.slice(0, 32));
  });

  it('is recognised by construction: no raw id of any channel passes for one', () => {
    const raw = [
      '7733112299', // Telegram user or chat id
      '-1001234567890', // Telegram group chat id
      '4455667788990011223', // Zalo OA user id (19 digits)
      '8a3f9c0d2b1e4f5a', // Zalo Bot user id (hex-looking)
      '0123456789abcdef0123456789abcdef', // a web session id that happens to be 32 hex digits
      'ps_0123456789abcdef0123456789abcdef', // a web session id imitating the form
      'websession-0912345678',
    ];
    for (const id of raw) expect(isPseudonym(id), id).toBe(false);
    // Near misses of the form itself.
    const key = pseudonymize(SECRET, 'web', 'abc12345');
    for (const bad of [key.toUpperCase(), key.slice(0, -1), `${key}0`, ` ${key}`, key.slice(3)]) expect(isPseudonym(bad), bad).toBe(false);
  });

  it('differs across users, channels and secrets', () => {
    const keys = new Set([
      pseudonymize(SECRET, 'telegram', '1001'),
      pseudonymize(SECRET, 'telegram', '1002'),
      pseudonymize(SECRET, 'zalo', '1001'),
      pseudonymize(SECRET, 'web', '1001'),
      pseudonymize('another-secret-of-32-characters!', 'telegram', '1001'),
    ]);
    expect(keys.size).toBe(5);
  });

  it('never contains the raw id', () => {
    for (const id of ['0912345678', '001203004567', 'user-abc']) {
      expect(pseudonymize(SECRET, 'web', id)).not.toContain(id);
    }
  });

  it('spreads 10 000 users without collision', () => {
    const keys = new Set(Array.from({ length: 10_000 }, (_, i) => pseudonymize(SECRET, 'zalo', String(100000 + i))));
    expect(keys.size).toBe(10_000);
  });
});
