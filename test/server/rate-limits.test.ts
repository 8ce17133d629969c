/**
 * Limits of the web chat (issue 12, defect 5): per session for one browser, per address with a
 * ceiling a commune office's NAT can live with, and that ceiling keyed on the address the proxy
 * reports, not on what the client writes into X-Forwarded-For.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { addressLimit, DEFAULT_ADDRESS_LIMIT } from '../../src/server/rate-limits.js';
import { loadConfig } from '../../src/server/config.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const chat = (app: TestApp, sessionId: string, o: { remoteAddress?: string; forwardedFor?: string } = {}) =>
  app.app.inject({
    method: 'POST',
    url: '/api/chat',
    remoteAddress: o.remoteAddress ?? '192.0.2.10',
    headers: o.forwardedFor ? { 'x-forwarded-for': o.forwardedFor } : {},
    payload: { sessionId, text: 'vneid la gi' },
  });

describe('/api/chat limits', () => {
  it('per session: past RATE_LIMIT_PER_MINUTE, 429 with a Vietnamese message and Retry-After; other sessions at that address go on', async () => {
    t = await makeApp({ RATE_LIMIT_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) {
      const ok = await chat(t, 'session-rl-0001');
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-ratelimit-remaining']).toBeUndefined();
    }
    const refused = await chat(t, 'session-rl-0001');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatch(/^Bạn gửi quá nhanh\. Vui lòng thử lại sau \d+ giây\.$/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await chat(t, 'session-rl-0002')).statusCode).toBe(200);
  });

  it('300 citizens behind one address (defaults): every one is answered', async () => {
    t = await makeApp();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const s = (await chat(t, `office-nat-${String(i).padStart(4, '0')}`)).statusCode;
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 300 });
  });

  it('per address: new session ids do not lift the ceiling; the page is under it too', async () => {
    t = await makeApp({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '20' });
    for (let i = 0; i < 19; i++) expect((await chat(t, `script-session-${i}`)).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/', remoteAddress: '192.0.2.10' })).statusCode).toBe(200);
    const refused = await chat(t, 'script-session-new');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toContain('Bạn gửi quá nhanh');
    expect((await t.app.inject({ url: '/', remoteAddress: '192.0.2.10' })).statusCode).toBe(429);
    // Another address is not affected.
    expect((await chat(t, 'script-session-new', { remoteAddress: '192.0.2.11' })).statusCode).toBe(200);
  });

  it('TRUST_PROXY=1: a forged X-Forwarded-For per request does not lift the address ceiling', async () => {
    t = await makeApp({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '10', TRUST_PROXY: '1' });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      // The proxy (127.0.0.1) appends the real client address after whatever the client sent.
      statuses.push((await chat(t, `forger-session-${i}`, { remoteAddress: '127.0.0.1', forwardedFor: `198.51.100.${i + 1}, 203.0.113.50` })).statusCode);
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
    // A different real client behind the same proxy has its own count.
    expect((await chat(t, 'neighbour-session', { remoteAddress: '127.0.0.1', forwardedFor: '203.0.113.51' })).statusCode).toBe(200);
  });

  it('the address ceiling defaults to 3000 a minute, never below the per-session limit', () => {
    expect(addressLimit(loadConfig({}))).toBe(DEFAULT_ADDRESS_LIMIT);
    expect(addressLimit(loadConfig({ RATE_LIMIT_PER_MINUTE: '100000' }))).toBe(100000);
    expect(addressLimit(loadConfig({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '500' }))).toBe(500);
  });
});
