/**
 * Issue 12, defect 12: logout ends the session on the server (a copy of the cookie reads nothing
 * afterwards), and the cookie is Secure whenever the public reaches us over https. Through
 * buildApp, as deployed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';

const ADMIN = 'mat-khau-quan-tri-phien';

let t: TestApp | undefined;
let u: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  await u?.close();
  t = u = undefined;
});

const withAdmin = (env: Record<string, string> = {}, dir?: string) =>
  makeApp({ ADMIN_PASSWORD: ADMIN, ...env }, { ...(dir ? { dir } : {}), deps: (storage) => ({ statsStore: new SqliteStatsStore(storage.db) }) });

async function login(app: TestApp['app'], headers: Record<string, string> = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/admin/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams({ password: ADMIN }).toString(),
  });
  expect(res.statusCode).toBe(303);
  const setCookie = String(res.headers['set-cookie']);
  return { setCookie, cookie: setCookie.split(';')[0]! };
}

async function csrfOf(app: TestApp['app'], cookie: string) {
  const page = await app.inject({ url: '/admin', headers: { cookie } });
  expect(page.statusCode).toBe(200);
  return /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
}

const PROTECTED = ['/admin/api/overview', '/admin/csv/review', '/admin/csv/documents'];

describe('logout ends the session on the server', () => {
  it('the old cookie, replayed after logout, reads neither the JSON API nor the CSVs', async () => {
    t = await withAdmin();
    const { cookie } = await login(t.app);
    for (const url of PROTECTED) expect((await t.app.inject({ url, headers: { cookie } })).statusCode, url).toBe(200);

    const out = await t.app.inject({ method: 'POST', url: '/admin/logout', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `csrf=${await csrfOf(t.app, cookie)}` });
    expect(out.statusCode).toBe(303);

    for (const url of PROTECTED) {
      const replay = await t.app.inject({ url, headers: { cookie } });
      expect(replay.statusCode, url).toBe(401);
    }
    expect((await t.app.inject({ url: '/admin', headers: { cookie } })).statusCode).toBe(302);
    // The login page does not take the ended session for an open one either.
    const loginPage = await t.app.inject({ url: '/admin/login', headers: { cookie } });
    expect(loginPage.statusCode).toBe(200);
  });

  it('ending one session leaves the others open; a restart over the same database keeps both facts', async () => {
    t = await withAdmin();
    const a = await login(t.app);
    const b = await login(t.app);
    await t.app.inject({ method: 'POST', url: '/admin/logout', headers: { cookie: a.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `csrf=${await csrfOf(t.app, a.cookie)}` });
    expect((await t.app.inject({ url: '/admin/api/overview', headers: { cookie: b.cookie } })).statusCode).toBe(200);

    // Another instance (same database file, same secret): the ended session stays ended there.
    const dir = t.dir;
    await t.app.close();
    await t.storage.close();
    t = undefined;
    u = await withAdmin({}, dir);
    expect((await u.app.inject({ url: '/admin/api/overview', headers: { cookie: a.cookie } })).statusCode).toBe(401);
    expect((await u.app.inject({ url: '/admin/api/overview', headers: { cookie: b.cookie } })).statusCode).toBe(200);
    // Only hashes of sessions are stored, never the cookie.
    const stored = (await u.storage.getValue('admin-sessions')) ?? '';
    expect(stored).not.toContain(b.cookie.split('=')[1]!.split('.')[1]!);
  });
});

describe('Secure cookie', () => {
  it('plain http, no proxy, no https PUBLIC_URL: not Secure (a local test set-up still logs in)', async () => {
    t = await withAdmin();
    expect((await login(t.app)).setCookie).not.toMatch(/;\s*Secure/i);
  });

  it('https through a trusted proxy (X-Forwarded-Proto): Secure', async () => {
    t = await withAdmin({ TRUST_PROXY: '1' });
    expect((await login(t.app, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.5' })).setCookie).toMatch(/;\s*Secure/i);
  });

  it('PUBLIC_URL is https and TRUST_PROXY=false: Secure, and on the logout cookie too', async () => {
    t = await withAdmin({ PUBLIC_URL: 'https://vneid.example.vn', TRUST_PROXY: 'false' });
    const { setCookie, cookie } = await login(t.app);
    expect(setCookie).toMatch(/;\s*Secure/i);
    const out = await t.app.inject({ method: 'POST', url: '/admin/logout', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `csrf=${await csrfOf(t.app, cookie)}` });
    expect(String(out.headers['set-cookie'])).toMatch(/;\s*Secure/i);
  });
});
