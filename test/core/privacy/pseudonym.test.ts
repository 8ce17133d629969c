import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pseudonymize } from '../../../src/core/privacy/pseudonym.js';

const SECRET = 'a-test-secret-of-32-characters!!';

describe('pseudonymize', () => {
  it('is stable for one user and secret', () => {
    expect(pseudonymize(SECRET, 'telegram', '123456789')).toBe(pseudonymize(SECRET, 'telegram', '123456789'));
  });

  it('is HMAC-SHA256(secret, channel:userId) truncated to 128 bits', () => {
    const full = createHmac('sha256', SECRET).update('zalo:8837261').digest('hex');
    const key = pseudonymize(SECRET, 'zalo', '8837261');
    expect(key).toBe(full.slice(0, 32));
    expect(key).toMatch(/^[0-9a-f]{32}$/);
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
