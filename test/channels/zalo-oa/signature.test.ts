import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { computeZaloSignature, verifyZaloSignature } from '../../../src/channels/zalo-oa/signature.js';
import { parseJsonKeepingIds } from '../../../src/channels/zalo-oa/json.js';

const appId = '4318921733410977391';
const key = 'oa-secret';
const now = 1_699_003_881_354;
const raw = Buffer.from(`{"event_name":"user_send_text","message":{"text":"Xin chào"},"timestamp":"${now}"}`, 'utf8');
const mac = 'mac=' + createHash('sha256').update(Buffer.concat([Buffer.from(appId + ''), raw, Buffer.from(String(now) + key)])).digest('hex');
const base = { rawBody: raw, timestamp: String(now), appId, secretKey: key, replayWindowMs: 10 * 60_000, now };

describe('verifyZaloSignature', () => {
  it('computes SHA-256(app_id + raw body bytes + timestamp + OA secret key)', () => {
    expect('mac=' + computeZaloSignature(appId, raw, String(now), key)).toBe(mac);
  });

  it('accepts the right mac (any case), a number timestamp too', () => {
    expect(verifyZaloSignature({ ...base, header: mac })).toEqual({ ok: true, timestamp: now });
    expect(verifyZaloSignature({ ...base, header: mac.toUpperCase().replace('MAC=', 'mac=') }).ok).toBe(true);
    expect(verifyZaloSignature({ ...base, header: mac, timestamp: now }).ok).toBe(true);
  });

  it.each([
    ['missing', undefined, 'missing'],
    ['empty', '', 'missing'],
    ['not hex', 'mac=zz', 'malformed'],
    ['short', 'mac=abcd', 'malformed'],
    ['wrong', 'mac=' + 'a'.repeat(64), 'mismatch'],
  ])('rejects a %s header', (_name, header, reason) => {
    expect(verifyZaloSignature({ ...base, header })).toEqual({ ok: false, reason });
  });

  it('rejects an altered body, another timestamp, a stale or far-future event', () => {
    const altered = Buffer.from(raw.toString('utf8').replace('chào', 'chao'), 'utf8');
    expect(verifyZaloSignature({ ...base, header: mac, rawBody: altered })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyZaloSignature({ ...base, header: mac, timestamp: String(now + 1) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyZaloSignature({ ...base, header: mac, timestamp: undefined })).toEqual({ ok: false, reason: 'no-timestamp' });
    expect(verifyZaloSignature({ ...base, header: mac, now: now + 10 * 60_000 + 1 })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyZaloSignature({ ...base, header: mac, now: now + 10 * 60_000 }).ok).toBe(true);
    expect(verifyZaloSignature({ ...base, header: mac, now: now - 6 * 60_000 })).toEqual({ ok: false, reason: 'future' });
    expect(verifyZaloSignature({ ...base, header: mac, now: now - 60_000 }).ok).toBe(true);
  });
});

describe('JSON with 64-bit ids', () => {
  it('keeps unsafe integers as their exact text and leaves everything else alone', () => {
    const text = '{"a":8830392714512213377,"b":-9223372036854775808,"c":42,"d":1.5e3,"s":"9999999999999999999 in a string \\" 12345678901234567890","n":[9007199254740993]}';
    expect(parseJsonKeepingIds(text)).toEqual({
      a: '8830392714512213377',
      b: '-9223372036854775808',
      c: 42,
      d: 1500,
      s: '9999999999999999999 in a string " 12345678901234567890',
      n: ['9007199254740993'],
    });
    expect(parseJsonKeepingIds('{"sender":{"id":"8830392714512213376"},"x":1}')).toEqual({ sender: { id: '8830392714512213376' }, x: 1 });
    expect(() => parseJsonKeepingIds('{"broken":')).toThrow();
  });
});
