import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayRange } from '../../../src/core/stats/store.js';
import { BOM, parseCsv, toCsv } from '../../../src/server/admin/csv.js';
import { escapeHtml } from '../../../src/server/admin/html.js';
import { csvDateTime } from '../../../src/server/admin/tables.js';
import { buildAdminTestApp, COOKIE_SECRET, login, NOON_31_MARCH, PASSWORD, type AdminTestApp } from '../../fixtures/admin-app.js';
import { EXPECTED, FROM, TO } from '../../fixtures/stats-seed.js';

const Q = `?from=${FROM}&to=${TO}`;
const form = (data: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(data).toString(),
});
/** Visible text of an HTML page, for "does the page show this number" checks. */
const text = (page: string) =>
  page
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
/** The cells of one row of a rendered table, found by its first cell's text. */
function rowOf(page: string, tableKey: string, first: string): string[] | undefined {
  const table = new RegExp(`<section[^>]*data-table="${tableKey}"[\\s\\S]*?</section>`).exec(page)?.[0] ?? '';
  for (const tr of table.match(/<tr>[\s\S]*?<\/tr>/g) ?? []) {
    const cells = [...tr.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => text(m[1]!).trim());
    if (cells[0] !== undefined && (cells[0] === first || cells[0].startsWith(`${first} `))) return cells;
  }
  return undefined;
}

describe('admin access', () => {
  let t: AdminTestApp;
  beforeAll(async () => {
    t = await buildAdminTestApp({ rootRateLimit: true });
  });
  afterAll(() => t.close());

  it('no session: pages redirect to the login form, CSV and JSON get 401', async () => {
    const page = await t.app.inject({ url: '/admin' });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/admin/login?next=%2Fadmin');
    const deep = await t.app.inject({ url: `/admin/review${Q}` });
    expect(deep.statusCode).toBe(302);
    expect(decodeURIComponent(String(deep.headers.location))).toBe(`/admin/login?next=/admin/review${Q}`);
    for (const url of ['/admin/csv/documents', `/admin/csv/review${Q}`, '/admin/api/overview']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(401);
      expect(res.body).not.toContain('xin giấy');
    }
    const logout = await t.app.inject({ method: 'POST', url: '/admin/logout', ...form({ csrf: 'x' }) });
    expect(logout.statusCode).toBe(401);
  });

  it('login page: Vietnamese, mobile-friendly, strict headers', async () => {
    const res = await t.app.inject({ url: '/admin/login' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="vi">');
    expect(res.body).toContain('name="viewport"');
    expect(res.body).toContain('Mật khẩu');
    expect(res.body).toContain('Đăng nhập');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('wrong password → 401 with the form again', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/admin/login', remoteAddress: '10.0.0.1', ...form({ password: 'sai-mat-khau' }) });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Mật khẩu không đúng.');
    expect(res.headers['set-cookie']).toBeUndefined();
    const empty = await t.app.inject({ method: 'POST', url: '/admin/login', remoteAddress: '10.0.0.1', ...form({}) });
    expect(empty.statusCode).toBe(401);
  });

  it('the 6th login attempt within a minute from one IP → 429 (other IPs unaffected)', async () => {
    const attempt = (ip: string, password = 'doan-bua-' + Math.random()) =>
      t.app.inject({ method: 'POST', url: '/admin/login', remoteAddress: ip, ...form({ password }) });
    for (let i = 1; i <= 5; i++) expect((await attempt('10.0.0.2')).statusCode, `attempt ${i}`).toBe(401);
    const sixth = await attempt('10.0.0.2');
    expect(sixth.statusCode).toBe(429);
    expect(sixth.body).toContain('quá nhiều lần');
    expect(sixth.headers['retry-after']).toBeDefined();
    // Even the right password waits: no brute force around the limit.
    expect((await attempt('10.0.0.2', PASSWORD)).statusCode).toBe(429);
    expect((await attempt('10.0.0.3', PASSWORD)).statusCode).toBe(303);
  });

  it('correct login → signed HttpOnly SameSite=Strict cookie, redirect to the dashboard', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/admin/login', remoteAddress: '10.0.0.4', ...form({ password: PASSWORD, next: `/admin/documents${Q}` }) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/documents${Q}`);
    const cookie = String(res.headers['set-cookie']);
    const [pair, ...attributes] = cookie.split('; ');
    expect(pair).toMatch(/^vg_admin=[^;]+$/);
    expect(attributes.sort()).toEqual(['HttpOnly', 'Max-Age=28800', 'Path=/admin', 'SameSite=Strict']);
    expect(cookie).not.toContain(PASSWORD);
    expect(cookie).not.toContain(COOKIE_SECRET);
  });

  it('never redirects off-site after login', async () => {
    for (const next of ['//evil.example/admin', 'https://evil.example', '/admin\\@evil', '/administrator']) {
      const res = await t.app.inject({ method: 'POST', url: '/admin/login', remoteAddress: '10.0.0.5', ...form({ password: PASSWORD, next }) });
      expect(res.headers.location, next).toBe('/admin');
    }
  });

  it('refuses a login posted from another site', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/login',
      remoteAddress: '10.0.0.6',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      payload: `password=${PASSWORD}`,
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('tampered, expired or foreign cookies are no session', async () => {
    const cookie = await login(t.app, '10.0.0.7');
    const [name, value] = cookie.split('=') as [string, string];
    const parts = value.split('.');
    const forged = `${name}=${String(Number(parts[0]) + 86_400_000)}.${parts[1]}.${parts[2]}`;
    expect((await t.app.inject({ url: '/admin', headers: { cookie: forged } })).statusCode).toBe(302);
    expect((await t.app.inject({ url: '/admin', headers: { cookie: `${cookie}x` } })).statusCode).toBe(302);
    expect((await t.app.inject({ url: '/admin', headers: { cookie } })).statusCode).toBe(200);

    const later = await buildAdminTestApp({ seed: false, options: { now: () => NOON_31_MARCH + 9 * 3600_000 } });
    expect((await later.app.inject({ url: '/admin', headers: { cookie } })).statusCode).toBe(302); // 8 h session is over
    await later.close();

    const otherPassword = await buildAdminTestApp({ seed: false, options: { password: 'mat-khau-moi-2025' } });
    expect((await otherPassword.app.inject({ url: '/admin', headers: { cookie } })).statusCode).toBe(302); // password changed
    await otherPassword.close();
  });

  it('logout needs the CSRF token of the session', async () => {
    const cookie = await login(t.app, '10.0.0.8');
    const page = await t.app.inject({ url: '/admin', headers: { cookie } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
    expect(csrf).toBeTruthy();
    const bad = await t.app.inject({ method: 'POST', url: '/admin/logout', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'csrf=wrong' });
    expect(bad.statusCode).toBe(403);
    const other = await t.app.inject({
      method: 'POST',
      url: '/admin/logout',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      payload: `csrf=${csrf}`,
    });
    expect(other.statusCode).toBe(403);
    const ok = await t.app.inject({ method: 'POST', url: '/admin/logout', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `csrf=${csrf}` });
    expect(ok.statusCode).toBe(303);
    expect(String(ok.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('serves Chart.js itself (no CDN), without a session', async () => {
    const res = await t.app.inject({ url: '/admin/assets/chart.umd.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.body).toContain('Chart');
    expect(res.body.length).toBeGreaterThan(100_000);
  });
});

describe('dashboard numbers', () => {
  let t: AdminTestApp;
  let cookie: string;
  const get = async (url: string) => {
    const res = await t.app.inject({ url, headers: { cookie } });
    expect(res.statusCode, url).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    // No root limiter here: the plugin brings its own.
    t = await buildAdminTestApp();
    cookie = await login(t.app);
  });
  afterAll(() => t.close());

  it('overview shows the seeded totals (default range: last 30 days)', async () => {
    const page = await get('/admin');
    const card = (k: string) => text(new RegExp(`data-card="${k}"[\\s\\S]*?</div>`).exec(page)?.[0] ?? '');
    expect(card('conversations')).toContain(' 6 ');
    expect(card('users')).toContain(' 6 ');
    expect(card('questions')).toContain(' 7 ');
    expect(card('answered-rate')).toContain('57,1 %'); // 4 of 7
    expect(card('unanswered')).toContain(' 3 '); // 2 unanswered + 1 low-confidence
    expect(card('walks-completed')).toContain(' 4 ');
    expect(card('stuck')).toContain(' 3 ');
    expect(card('emergencies')).toContain(' 1 '); // kind only: no text of it anywhere
    expect(card('failures')).toContain(' 3 ');
    expect(rowOf(page, 'channels', 'Zalo')).toEqual(['Zalo', '3', '3', '3', '1', '33,3 %']);
    expect(rowOf(page, 'channels', 'Web chat')).toEqual(['Web chat', '1', '1', '3', '2', '66,7 %']);
    expect(rowOf(page, 'per-week', '17/03/2025')).toEqual(['17/03/2025', '2']);
    expect(rowOf(page, 'per-day', '10/03/2025')).toEqual(['10/03/2025', '2', '0', '1', '1']);
    expect(page).toContain('src="/admin/assets/chart.umd.js"');
    expect(page).toContain('id="chart-data"');
    expect(page).not.toMatch(/https?:\/\/(?:cdn|unpkg|jsdelivr)/);
  });

  it('chart data: every day and week of the range, zeros included', async () => {
    const page = await get(`/admin${Q}`);
    const data = JSON.parse(/<script type="application\/json" id="chart-data">([\s\S]*?)<\/script>/.exec(page)![1]!) as {
      perDay: { labels: string[]; answered: number[]; lowConfidence: number[]; unanswered: number[] };
      perWeek: { labels: string[]; users: number[] };
    };
    expect(data.perDay.labels).toHaveLength(31);
    expect(data.perDay.labels[9]).toBe('10/03');
    expect([data.perDay.answered[9], data.perDay.lowConfidence[9], data.perDay.unanswered[9]]).toEqual([0, 1, 1]);
    expect(data.perDay.answered.reduce((a, b) => a + b, 0)).toBe(EXPECTED.overview.answered);
    // 1 March 2025 is a Saturday: the first week starts on Monday 24 February.
    expect(data.perWeek.labels).toEqual(['24/02', '03/03', '10/03', '17/03', '24/03', '31/03']);
    expect(data.perWeek.users).toEqual([0, 2, 2, 2, 0, 1]);
  });

  it('limits login attempts with its own limiter when the app has none', async () => {
    const attempt = () => t.app.inject({ method: 'POST', url: '/admin/login', remoteAddress: '10.9.9.9', ...form({ password: 'x' }) });
    for (let i = 0; i < 5; i++) expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).statusCode).toBe(429);
  });

  it('the date filter applies (one day)', async () => {
    const page = await get('/admin?from=2025-03-10&to=2025-03-10');
    expect(text(/data-card="questions"[\s\S]*?<\/div>/.exec(page)![0])).toContain(' 2 ');
    expect(page).toContain('value="2025-03-10"');
    // Links of the other pages keep the range.
    expect(page).toContain('href="/admin/review?from=2025-03-10&amp;to=2025-03-10"');
  });

  it('a bad range falls back to the default, with a warning', async () => {
    const page = await get('/admin?from=2025-03-31&to=2025-03-01');
    expect(page).toContain('Khoảng ngày không hợp lệ');
    const junk = await get('/admin?from=%3Cscript%3E&to=x');
    expect(junk).not.toContain('<script>x');
    expect(junk).toContain('Khoảng ngày không hợp lệ');
  });

  it('campaign document types', async () => {
    const page = await get(`/admin/documents${Q}`);
    for (const [id, started, completed] of EXPECTED.documents) {
      const label = { 'guide-activate': 'Kích hoạt tài khoản định danh điện tử', 'integrate-bhyt': 'Thẻ bảo hiểm y tế (BHYT)', 'integrate-gplx': 'Giấy phép lái xe (GPLX)', 'integrate-dkx': 'Giấy đăng ký xe', 'integrate-mst': 'Mã số thuế (MST)', 'integrate-nguoi-phu-thuoc': 'Người phụ thuộc' }[id]!;
      const row = rowOf(page, 'documents', label);
      expect(row?.slice(1, 4), id).toEqual([id, String(started), String(completed)]);
    }
  });

  it('funnels per guide, with every step of the guide', async () => {
    const page = await get(`/admin/guides${Q}`);
    // The title sits under the id in the first cell (the CSV keeps it as its own column).
    expect(rowOf(page, 'guides', 'guide-activate')?.slice(1, 8)).toEqual(['2', '1', '50,0 %', '2', '1', '2', '0']);
    const activate = /<h3>Kích hoạt[\s\S]*?<\/table>/.exec(page)![0];
    const rows = [...activate.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map((m) => [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => text(c[1]!).trim()));
    // [step, text, reached, stopped here, "Tôi bị lỗi", abandoned]
    expect(rows.map((r) => [r[0], r[2], r[3], r[4], r[5]])).toEqual([
      ['1', '2', '0', '0', '0'],
      ['2', '2', '1', '2', '0'],
      ['3', '1', '0', '0', '0'],
      ['4', '1', '0', '0', '0'],
      ['5', '1', '0', '0', '0'],
      ['6', '1', '0', '0', '0'],
      ['7', '1', '0', '0', '0'],
    ]);
    // The dependents guide has 3 steps of data but more steps in the content: zeros are shown.
    const npt = /<h3>Thêm thông tin người phụ thuộc[\s\S]*?<\/table>/.exec(page)![0];
    expect((npt.match(/<tr>/g) ?? []).length - 1).toBeGreaterThan(3);
  });

  it('referral codes and review list', async () => {
    const refs = await get(`/admin/referrals${Q}`);
    expect(rowOf(refs, 'referrals', 'DTN01')).toEqual(['DTN01', '2', '2', '2', '1']);
    expect(rowOf(refs, 'referrals', 'HOILHPN')).toEqual(['HOILHPN', '1', '1', '1', '0']);
    const review = await get(`/admin/review${Q}`);
    const row = rowOf(review, 'review', 'xin giấy xác nhận cư trú ở đâu ạ')!;
    expect(row.slice(1, 6)).toEqual(['xin giay xac nhan cu tru o dau', '2', '16/03/2025 15:00', 'Không trả lời được', '0,25']);
    expect(row[6]).toContain('faq-contact');
    expect(row[6]).toContain('l2-cu-tru');
    // Newest first.
    expect(review.indexOf('xin giấy xác nhận')).toBeLessThan(review.indexOf('đổi số điện thoại'));
  });

  it('topics, failures', async () => {
    const topics = await get(`/admin/topics${Q}`);
    expect(rowOf(topics, 'topics', 'guide-activate')).toEqual(['guide-activate', 'Kích hoạt tài khoản định danh điện tử trên ứng dụng VNeID', '2', '0', '2', '4']);
    expect(rowOf(topics, 'questions', 'khong nhan duoc otp')).toEqual(['khong nhan duoc otp', '2', '2', 'faq-otp']);
    const failures = await get(`/admin/failures${Q}`);
    expect(rowOf(failures, 'failures', 'Zalo')?.slice(0, 3)).toEqual(['Zalo', '-230', '2']);
  });

  it('every value is escaped in HTML, and CSV cells never run as formulas', async () => {
    const evil = '<script>alert("x")</script> & =HYPERLINK("http://evil")';
    await t.store.record(
      { type: 'question', text: evil, normalized: '=cmd|calc', matchedId: null, nearestId: null, score: 0.1, outcome: 'unanswered' },
      { channel: 'web', userKey: '9999999999999999', at: NOON_31_MARCH - 1000, commune: 'default' },
    );
    const page = await get(`/admin/review${Q}`);
    expect(page).not.toContain('<script>alert');
    expect(page).toContain(escapeHtml(evil));
    const csv = (await t.app.inject({ url: `/admin/csv/review${Q}`, headers: { cookie } })).body;
    expect(csv).toContain(`"'=cmd|calc"`.replace(/^"|"$/g, '')); // guarded with an apostrophe
    expect(csv).not.toMatch(/(^|,)=cmd/m);
    await t.storage.db.prepare("DELETE FROM stats_events WHERE user_key = '9999999999999999'").run();
  });
});

describe('CSV equals the database', () => {
  let t: AdminTestApp;
  let cookie: string;
  const range = dayRange(FROM, TO)!;
  const csv = async (key: string) => {
    const res = await t.app.inject({ url: `/admin/csv/${key}${Q}`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="vneid-${key}-${FROM}_${TO}.csv"`);
    expect(res.body.startsWith(BOM)).toBe(true);
    expect(res.body).toContain('\r\n');
    const [header, ...rows] = parseCsv(res.body);
    return { header: header!, rows };
  };
  const sql = <T>(q: string) => t.storage.db.prepare(q).all({ from: range.from, to: range.to }) as T[];
  const str = (rows: unknown[][]) => rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));

  beforeAll(async () => {
    t = await buildAdminTestApp();
    cookie = await login(t.app);
  });
  afterAll(() => t.close());

  it('channels', async () => {
    const { header, rows } = await csv('channels');
    expect(header).toEqual(['Kênh', 'Cuộc trò chuyện', 'Người dùng', 'Câu hỏi', 'Trả lời được', 'Tỉ lệ trả lời được (%)']);
    const db = sql<{ channel: string; c: number; u: number; q: number; a: number }>(
      `SELECT channel, SUM(type = 'conversation-start') c, COUNT(DISTINCT user_key) u, SUM(type = 'question') q, SUM(type = 'question' AND outcome = 'answered') a
       FROM stats_events WHERE at >= @from AND at < @to GROUP BY channel ORDER BY c DESC`,
    );
    expect(rows.map((r) => r.slice(0, 5))).toEqual(str(db.map((r) => [r.channel, r.c, r.u, r.q, r.a])));
  });

  it('review (text, counts, last time, nearest ids)', async () => {
    const { rows } = await csv('review');
    const db = sql<{ text: string; normalized: string; n: number; last: number; nearest: string }>(
      `SELECT text, normalized, COUNT(*) n, MAX(at) last, GROUP_CONCAT(DISTINCT nearest_id) nearest FROM stats_events
       WHERE type = 'question' AND outcome != 'answered' AND at >= @from AND at < @to GROUP BY normalized ORDER BY last DESC`,
    );
    expect(rows.map((r) => [r[0], r[1], r[2], r[3], r[6]])).toEqual(
      str(db.map((r) => [r.text, r.normalized, r.n, csvDateTime(r.last), r.nearest.split(',').sort().join(' ')])),
    );
  });

  it('documents and guides', async () => {
    const { rows } = await csv('documents');
    const db = sql<{ g: string; s: number; c: number }>(
      `SELECT entry_id g, COUNT(DISTINCT CASE WHEN type = 'walk-start' THEN user_key END) s, COUNT(DISTINCT CASE WHEN type = 'walk-complete' THEN user_key END) c
       FROM stats_events WHERE entry_id IN ('guide-activate','integrate-bhyt','integrate-gplx','integrate-dkx','integrate-mst','integrate-nguoi-phu-thuoc')
       AND at >= @from AND at < @to GROUP BY entry_id`,
    );
    const byId = new Map(db.map((r) => [r.g, r]));
    for (const r of rows) expect([r[2], r[3]], r[1]).toEqual([String(byId.get(r[1]!)?.s ?? 0), String(byId.get(r[1]!)?.c ?? 0)]);
    expect(rows).toHaveLength(6);
  });

  it('funnel (reached = distinct people per step)', async () => {
    const { rows } = await csv('funnel');
    const db = sql<{ g: string; s: number; n: number }>(
      `SELECT entry_id g, step s, COUNT(DISTINCT user_key) n FROM stats_events WHERE type = 'walk-step' AND at >= @from AND at < @to GROUP BY g, s`,
    );
    const withData = rows.filter((r) => db.some((d) => d.g === r[0] && String(d.s) === r[1]));
    expect(withData.map((r) => [r[0], r[1], r[3]])).toEqual(str(db.map((d) => [d.g, d.s, d.n])));
    // Steps without data are listed with zeros.
    expect(rows.filter((r) => !withData.includes(r)).every((r) => r[3] === '0')).toBe(true);
  });

  it('referrals, failures, per day', async () => {
    expect((await csv('referrals')).rows).toEqual(str(EXPECTED.referrals.map((r) => [r.code, r.conversations, r.users, r.guidesCompleted, r.activations])));
    const failures = sql<{ channel: string; code: string; n: number; last: number }>(
      `SELECT channel, failure_code code, COUNT(*) n, MAX(at) last FROM stats_events WHERE type = 'delivery-failure' AND at >= @from AND at < @to GROUP BY channel, code ORDER BY n DESC`,
    );
    expect((await csv('failures')).rows).toEqual(str(failures.map((r) => [r.channel, r.code, r.n, csvDateTime(r.last)])));
    const days = sql<{ d: string; n: number }>(
      `SELECT strftime('%Y-%m-%d', at / 1000 + 25200, 'unixepoch') d, COUNT(*) n FROM stats_events WHERE type = 'question' AND at >= @from AND at < @to GROUP BY d ORDER BY d`,
    );
    expect((await csv('per-day')).rows.map((r) => [r[0], r[1]])).toEqual(str(days.map((r) => [r.d, r.n])));
  });

  it('every table downloads, and JSON carries the same rows', async () => {
    for (const key of ['overview', 'per-day', 'per-week', 'channels', 'topics', 'questions', 'review', 'guides', 'funnel', 'referrals', 'documents', 'failures', 'sensitive']) {
      const c = await csv(key);
      const json = (await t.app.inject({ url: `/admin/api/${key}${Q}`, headers: { cookie } })).json() as { headers: string[]; rows: unknown[][] };
      expect(c.header).toEqual(json.headers);
      expect(c.rows).toEqual(str(json.rows));
    }
    expect((await t.app.inject({ url: '/admin/csv/nope', headers: { cookie } })).statusCode).toBe(404);
  });
});

describe('csv()', () => {
  it('quotes, doubles quotes, guards formulas, round-trips', () => {
    const rows = [['a,b', 'say "hi"', 'line\nbreak', '=1+1', '-5', 42, -5, null, 'Tiếng Việt có dấu']];
    const out = toCsv(['x', 'y', 'z', 'f', 'g', 'n', 'm', 'e', 'v'], rows);
    expect(out.startsWith(BOM)).toBe(true);
    expect(out).toContain(`"a,b","say ""hi""","line\nbreak",'=1+1,'-5,42,-5,,Tiếng Việt có dấu\r\n`);
    expect(parseCsv(out)[1]).toEqual(['a,b', 'say "hi"', 'line\nbreak', '=1+1', '-5', '42', '-5', '', 'Tiếng Việt có dấu']);
  });
});
