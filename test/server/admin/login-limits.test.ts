/**
 * Admin password guessing behind a reverse proxy (issue 12, defect 4). The per-IP limit keys on
 * the address Fastify derives from X-Forwarded-For under TRUST_PROXY; a client that writes its
 * own X-Forwarded-For must not get a fresh limit per guess:
 *  - TRUST_PROXY=true believes the client's entry: the global failure budget closes the login;
 *  - TRUST_PROXY=<hops> or <proxy addresses> believes only what the proxy appended: the per-IP
 *    limit holds on the real address.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { buildAdminTestApp, NOON_31_MARCH, PASSWORD, type AdminTestApp } from '../../fixtures/admin-app.js';

const ADMIN = 'mat-khau-quan-tri-proxy';

let t: TestApp | undefined;
let admin: AdminTestApp | undefined;
afterEach(async () => {
  await t?.close();
  await admin?.close();
  t = admin = undefined;
});

const withAdmin = (env: Record<string, string>) => makeApp({ ADMIN_PASSWORD: ADMIN, ...env }, { deps: (storage) => ({ statsStore: new SqliteStatsStore(storage.db) }) });

function loginAttempt(app: TestApp['app'], o: { password?: string; remoteAddress?: string; forwardedFor?: string }) {
  return app.inject({
    method: 'POST',
    url: '/admin/login',
    remoteAddress: o.remoteAddress ?? '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(o.forwardedFor ? { 'x-forwarded-for': o.forwardedFor } : {}) },
    payload: new URLSearchParams({ password: o.password ?? `doan-${Math.random()}` }).toString(),
  });
}

/** A new, made-up address per try. */
const rotating = (i: number) => `198.51.${Math.floor(i / 250)}.${(i % 250) + 1}`;

describe('admin login behind a proxy', () => {
  it('TRUST_PROXY=true, a new X-Forwarded-For per guess: 40 tries get 429 from the 11th on, the right password too', async () => {
    t = await withAdmin({ TRUST_PROXY: 'true' });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await loginAttempt(t.app, { forwardedFor: rotating(i) })).statusCode);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(30).fill(429));
    const locked = await loginAttempt(t.app, { forwardedFor: rotating(99), password: ADMIN });
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain('tạm khóa');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.headers['set-cookie']).toBeUndefined();
    expect(t.logs()).toContain('admin login locked');
    // And the operator was told that TRUST_PROXY=true is forgeable.
    expect(t.logs()).toContain('TRUST_PROXY=true');
  });

  it('TRUST_PROXY=1: only the address the proxy appended counts; a forged left part changes nothing', async () => {
    t = await withAdmin({ TRUST_PROXY: '1' });
    // nginx's $proxy_add_x_forwarded_for: what the client sent, then the address it came from.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await loginAttempt(t.app, { forwardedFor: `${rotating(i)}, 203.0.113.7` })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Another citizen's address behind the same proxy is not held back.
    expect((await loginAttempt(t.app, { forwardedFor: '203.0.113.8', password: ADMIN })).statusCode).toBe(303);
  });

  it('TRUST_PROXY=<proxy address>: X-Forwarded-For is believed only from that proxy', async () => {
    t = await withAdmin({ TRUST_PROXY: '10.0.0.2' });
    const statuses: number[] = [];
    // Straight from 10.0.0.9, not through the proxy: its header is ignored, the limit is on 10.0.0.9.
    for (let i = 0; i < 6; i++) statuses.push((await loginAttempt(t.app, { remoteAddress: '10.0.0.9', forwardedFor: rotating(i) })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Through the proxy, the client it names is the one limited.
    expect((await loginAttempt(t.app, { remoteAddress: '10.0.0.2', forwardedFor: '203.0.113.9', password: ADMIN })).statusCode).toBe(303);
  });
});

describe('global login budget (LoginGuard through the admin plugin)', () => {
  it('failures older than the window do not count; the lock-out ends after its time', async () => {
    let clock = NOON_31_MARCH;
    admin = await buildAdminTestApp({ options: { now: () => clock, loginAttemptsPerMinute: 1000, loginGuard: { maxFailures: 3, windowMs: 60_000, lockoutMs: 300_000 } } });
    const attempt = (password = 'sai') =>
      admin!.app.inject({
        method: 'POST',
        url: '/admin/login',
        remoteAddress: `10.1.0.${Math.floor(Math.random() * 250) + 1}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ password }).toString(),
      });
    expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).statusCode).toBe(401);
    clock += 61_000; // those two leave the window
    expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).statusCode).toBe(401); // the third within a minute closes the login
    expect((await attempt(PASSWORD)).statusCode).toBe(429);
    clock += 299_000;
    expect((await attempt(PASSWORD)).statusCode).toBe(429);
    clock += 1_000;
    expect((await attempt(PASSWORD)).statusCode).toBe(303);
  });
});

describe('per-account and global budgets', () => {
  const wrong = (app: AdminTestApp['app'], i: number, password = 'sai') =>
    app.inject({
      method: 'POST',
      url: '/admin/login',
      remoteAddress: `10.2.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ password }).toString(),
    });

  it('the account budget closes its login whatever addresses the guesses come from', async () => {
    admin = await buildAdminTestApp({ options: { loginAttemptsPerMinute: 1000, loginGuard: { maxFailures: 4 }, globalLoginGuard: { maxFailures: 1000 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await wrong(admin.app, i)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    expect((await wrong(admin.app, 99, PASSWORD)).statusCode).toBe(429);
  });

  it('the global budget closes the login on its own, when it is the tighter one', async () => {
    admin = await buildAdminTestApp({ options: { loginAttemptsPerMinute: 1000, loginGuard: { maxFailures: 1000 }, globalLoginGuard: { maxFailures: 3 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await wrong(admin.app, i)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await wrong(admin.app, 99, PASSWORD)).statusCode).toBe(429);
  });
});
