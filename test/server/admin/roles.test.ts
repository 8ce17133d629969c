/**
 * Roles on the dashboard (ADMIN_USERS_FILE): a commune official reads only their commune, by page,
 * API and CSV, and a URL naming another commune gets 403; a district official reads and compares
 * the communes of their district; the ADMIN_PASSWORD login still sees everything. Passwords are
 * scrypt hashes with a per-user salt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildAdminTestApp, login, NOON_31_MARCH, type AdminTestApp } from '../../fixtures/admin-app.js';
import { loadCommunes } from '../../../src/core/communes/directory.js';
import { hashPassword, parseAdminUsers, verifyPassword } from '../../../src/server/admin/users.js';
import { SESSION_COOKIE } from '../../../src/server/admin/auth.js';

const COMMUNES_FIXTURE = new URL('../../fixtures/communes/', import.meta.url).pathname;
const communes = loadCommunes(COMMUNES_FIXTURE);
const PASSWORDS = { lochoa: 'mat-khau-loc-hoa-01', namdinh: 'mat-khau-nam-dinh-02', cum: 'mat-khau-cum-nam-dinh-03' };

let t: AdminTestApp;
beforeAll(async () => {
  const users = parseAdminUsers(
    {
      users: [
        { name: 'lochoa', role: 'commune', commune: 'loc-hoa', passwordHash: await hashPassword(PASSWORDS.lochoa) },
        { name: 'namdinh', role: 'commune', commune: 'nam-dinh', passwordHash: await hashPassword(PASSWORDS.namdinh) },
        { name: 'cum', role: 'district', district: 'Cụm Nam Định', passwordHash: await hashPassword(PASSWORDS.cum) },
      ],
    },
    communes,
  );
  t = await buildAdminTestApp({ seed: false, teams: true, options: { users, communes } });
  await t.storage.createTeam({ code: 'DOANLH', name: 'Đoàn thanh niên Lộc Hòa', commune: 'loc-hoa', createdAt: NOON_31_MARCH - 7200_000 });
  await t.storage.createTeam({ code: 'DOANND', name: 'Đoàn thanh niên Nam Định', commune: 'nam-dinh', createdAt: NOON_31_MARCH - 7200_000 });
  // Questions of two communes (3 in Lộc Hòa, 5 in Nam Định) and one whose commune is not known.
  const at = NOON_31_MARCH - 3600_000;
  const ask = (commune: string | undefined, i: number) =>
    t.store.record(
      { type: 'question', text: `câu hỏi ${commune ?? 'chung'} số ${i}`, normalized: `cau hoi ${commune ?? 'chung'} so ${i}`, matchedId: null, nearestId: null, score: 0.1, outcome: 'unanswered' },
      { channel: 'web', userKey: `${(commune ?? 'x').padEnd(8, '0')}${String(i).padStart(8, '0')}`.slice(0, 16), at: at + i, ...(commune ? { commune } : {}) },
    );
  for (let i = 0; i < 3; i++) await ask('loc-hoa', i);
  for (let i = 0; i < 5; i++) await ask('nam-dinh', i);
  await ask(undefined, 9);
});
afterAll(() => t.close());

async function loginAs(app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/admin/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ username, password }).toString(),
  });
  expect(res.statusCode).toBe(303);
  return String(res.headers['set-cookie']).split(';')[0]!;
}
const get = (cookie: string, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });
const questionsIn = async (cookie: string, query = '') => {
  const res = await get(cookie, `/admin/api/overview${query}`);
  expect(res.statusCode).toBe(200);
  const rows = (res.json() as { rows: Array<[string, number]> }).rows;
  return rows.find((r) => r[0] === 'Câu hỏi')![1];
};
const reviewTexts = async (cookie: string, query = '') => ((await get(cookie, `/admin/api/review${query}`)).json() as { rows: string[][] }).rows.map((r) => r[0] ?? '');

describe('a commune official', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = await loginAs(t.app, 'lochoa', PASSWORDS.lochoa);
  });

  it("sees only their commune's numbers, on the API and the pages", async () => {
    expect(await questionsIn(cookie)).toBe(3);
    const texts = await reviewTexts(cookie);
    expect(texts).toHaveLength(3);
    expect(texts.every((q) => q.includes('loc-hoa'))).toBe(true);
    const page = await get(cookie, '/admin/review');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Công an xã Lộc Hòa');
    expect(page.body).not.toContain('nam-dinh số');
    expect(page.body).not.toContain('So sánh xã/phường');
  });

  it("cannot read another commune's numbers by URL: page, API and CSV answer 403", async () => {
    for (const url of ['/admin?commune=nam-dinh', '/admin/review?commune=nam-dinh', '/admin/api/review?commune=nam-dinh', '/admin/csv/review?commune=nam-dinh', '/admin/xlsx/review?commune=nam-dinh', '/admin/api/overview?commune=nam-dinh']) {
      const res = await get(cookie, url);
      expect(res.statusCode, url).toBe(403);
      expect(res.body).not.toContain('nam-dinh số');
    }
    expect((await get(cookie, '/admin/communes')).statusCode).toBe(403);
    // Their own commune named in the URL is fine.
    expect(await questionsIn(cookie, '?commune=loc-hoa')).toBe(3);
  });

  it("lists only their commune's volunteer teams", async () => {
    // Another test of this official adds a team of their own commune; in any order, only loc-hoa teams show.
    const teams = ((await get(cookie, '/admin/api/teams')).json() as { teams: Array<{ code: string; commune: string | null }> }).teams;
    expect(teams.map((x) => x.code)).toContain('DOANLH');
    expect(teams.map((x) => x.code)).not.toContain('DOANND');
    expect(new Set(teams.map((x) => x.commune))).toEqual(new Set(['loc-hoa']));
    expect((await get(cookie, '/admin/teams')).body).not.toContain('Nam Định');
  });

  it("cannot open another commune's team poster or create a team there, by URL either", async () => {
    expect((await get(cookie, '/admin/teams/DOANLH/poster')).statusCode).toBe(200);
    expect((await get(cookie, '/admin/teams/DOANND/poster')).statusCode).toBe(404);
    expect((await get(cookie, '/admin/teams/DOANND/qr/web.png')).statusCode).toBe(404);
    const page = await get(cookie, '/admin/teams');
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)![1]!;
    const create = (payload: Record<string, string>) => t.app.inject({ method: 'POST', url: '/admin/api/teams', headers: { cookie, 'x-csrf-token': csrf }, payload });
    const there = await create({ name: 'Đội phường khác', commune: 'nam-dinh', code: 'NDKHAC' });
    expect(there.statusCode).toBe(403);
    expect(there.json().error).toBe('Bạn chỉ tạo được mã cho đội thuộc xã/phường mình phụ trách.');
    // Naming no commune: the team is theirs.
    const own = await create({ name: 'Tổ dân phố thôn Đông', code: 'LHTDP' });
    expect(own.statusCode).toBe(201);
    expect(own.json().team).toMatchObject({ code: 'LHTDP', commune: 'loc-hoa' });
    expect(await t.storage.getTeam('NDKHAC')).toBeUndefined();
    // Nor rename one: to them it does not exist.
    const renameThere = await t.app.inject({ method: 'POST', url: '/admin/api/teams/DOANND/name', headers: { cookie, 'x-csrf-token': csrf }, payload: { name: 'Đổi trộm' } });
    expect(renameThere.statusCode).toBe(404);
    expect(await t.storage.getTeam('DOANND')).toMatchObject({ name: 'Đoàn thanh niên Nam Định' });
    const renameOwn = await t.app.inject({ method: 'POST', url: '/admin/api/teams/DOANLH/name', headers: { cookie, 'x-csrf-token': csrf }, payload: { name: 'Đoàn thanh niên Lộc Hòa' } });
    expect(renameOwn.statusCode).toBe(200);
  });

  it("the CSV holds only their commune's rows", async () => {
    const csv = await get(cookie, '/admin/csv/review');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('loc-hoa số 0');
    expect(csv.body).not.toContain('nam-dinh');
    expect(csv.body).not.toContain('chung');
  });

  it('a cookie edited to name another official is refused', async () => {
    const token = cookie.slice(SESSION_COOKIE.length + 1);
    const forged = `${SESSION_COOKIE}=${token.replace('.lochoa.', '.namdinh.')}`;
    expect(forged).not.toBe(cookie);
    expect((await get(forged, '/admin/api/overview')).statusCode).toBe(401);
    // Nor does dropping the name make it the all-communes admin.
    const dropped = `${SESSION_COOKIE}=${token.replace('.lochoa.', '.')}`;
    expect((await get(dropped, '/admin/api/overview')).statusCode).toBe(401);
  });
});

describe('a district official', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = await loginAs(t.app, 'cum', PASSWORDS.cum);
  });

  it('sees the communes of their district together, and each one', async () => {
    expect(await questionsIn(cookie)).toBe(8);
    expect(await questionsIn(cookie, '?commune=nam-dinh')).toBe(5);
    expect(await questionsIn(cookie, '?commune=loc-hoa')).toBe(3);
    // Events of no commune are not theirs.
    expect((await reviewTexts(cookie)).some((q) => q.includes('chung'))).toBe(false);
  });

  it('compares their communes', async () => {
    const res = await get(cookie, '/admin/communes');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('So sánh xã/phường');
    expect(res.body).toContain('Xã Lộc Hòa');
    expect(res.body).toContain('Phường Nam Định');
    expect(res.body).toMatch(/commune=nam-dinh/);
    expect(res.body).not.toContain('Chưa rõ xã/phường');
  });

  it('a commune outside the district is refused', async () => {
    expect((await get(cookie, '/admin/api/overview?commune=ha-noi')).statusCode).toBe(403);
  });
});

describe('the ADMIN_PASSWORD login and passwords', () => {
  it('keeps working as an all-communes admin', async () => {
    const cookie = await login(t.app);
    expect(await questionsIn(cookie)).toBe(9);
    expect(await questionsIn(cookie, '?commune=nam-dinh')).toBe(5);
    expect((await get(cookie, '/admin/communes')).body).toContain('Chưa rõ xã/phường');
    const teams = ((await get(cookie, '/admin/api/teams')).json() as { teams: Array<{ code: string }> }).teams.map((x) => x.code);
    // LHTDP: created by the commune official's test, when it ran first (any order).
    expect(teams.filter((c) => c !== 'LHTDP').sort()).toEqual(['DOANLH', 'DOANND', 'DTN01', 'HOILHPN']);
  });

  it('a wrong password or an unknown name gets the same answer', async () => {
    const post = (username: string, password: string) =>
      t.app.inject({ method: 'POST', url: '/admin/login', remoteAddress: '10.9.9.9', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ username, password }).toString() });
    const wrong = await post('lochoa', 'khong-dung-mat-khau');
    const unknown = await post('khongco', PASSWORDS.lochoa);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    expect(unknown.body).toBe(wrong.body);
    // Another official's password does not open this account.
    expect((await post('lochoa', PASSWORDS.namdinh)).statusCode).toBe(401);
  });

  it('stores scrypt hashes with a per-user salt, compared in constant time', async () => {
    const a = await hashPassword('mot-mat-khau-dai');
    const b = await hashPassword('mot-mat-khau-dai');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b); // salted
    expect(await verifyPassword('mot-mat-khau-dai', a)).toBe(true);
    expect(await verifyPassword('mot-mat-khau-dai!', a)).toBe(false);
    expect(await verifyPassword('mot-mat-khau-dai', undefined)).toBe(false);
  });

  it('a users file naming an unknown commune or an empty district is refused with the path', () => {
    const hash = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    expect(() => parseAdminUsers({ users: [{ name: 'a1', role: 'commune', commune: 'ha-noi', passwordHash: hash }] }, communes)).toThrow(/users\.0\.commune: .*unknown commune "ha-noi"/);
    expect(() => parseAdminUsers({ users: [{ name: 'a2', role: 'district', district: 'Không có', passwordHash: hash }] }, communes)).toThrow(/users\.0\.district/);
    expect(() => parseAdminUsers({ users: [{ name: 'a3', role: 'commune', commune: 'loc-hoa', passwordHash: 'matkhau123' }] }, communes)).toThrow(/passwordHash: mã băm/);
  });
});
