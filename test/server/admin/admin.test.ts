import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayRange } from '../../../src/core/stats/store.js';
import { parse } from 'csv-parse/sync';
import readExcelFile from 'read-excel-file/node';
import { channelLabel } from '../../../src/core/stats/report.js';
import { BOM, toCsv, type CsvSeparator } from '../../../src/server/admin/csv.js';
import { viDay } from '../../../src/server/admin/dates.js';
import { escapeHtml } from '../../../src/server/admin/html.js';
import { failureReason, viDateTime } from '../../../src/server/admin/tables.js';
import { buildAdminTestApp, COOKIE_SECRET, login, NOON_31_MARCH, PASSWORD, type AdminTestApp } from '../../fixtures/admin-app.js';
import { EXPECTED, FROM, TO } from '../../fixtures/stats-seed.js';

const Q = `?from=${FROM}&to=${TO}`;
/** Parses a CSV download as Excel would, with a CSV library (not our own code). */
const parseCsv = (body: string, delimiter: CsvSeparator = ';'): string[][] => parse(body, { bom: true, delimiter, record_delimiter: '\r\n' });
const TITLE = {
  activate: 'Kích hoạt tài khoản định danh điện tử trên ứng dụng VNeID',
  otp: 'Không nhận được mã OTP / mã kích hoạt',
  contact: 'Liên hệ Công an xã/phường và nơi hỗ trợ trực tiếp',
  cuTru: 'Xem thông tin cư trú (hộ khẩu online) trên VNeID',
};
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
    // The inputs show dd/mm/yyyy, whatever the browser's locale.
    expect(page).toContain('name="from" value="10/03/2025"');
    expect(page).not.toContain('type="date"');
    // Links of the other pages keep the range.
    expect(page).toContain('href="/admin/review?from=2025-03-10&amp;to=2025-03-10"');
  });

  it('dates typed as dd/mm/yyyy apply, with the same numbers as the link form', async () => {
    const typed = await get(`/admin?from=${encodeURIComponent('10/3/2025')}&to=${encodeURIComponent(' 10/03/2025 ')}`);
    expect(text(/data-card="questions"[\s\S]*?<\/div>/.exec(typed)![0])).toContain(' 2 ');
    expect(typed).toContain('10/03/2025 – 10/03/2025');
    expect(typed).not.toContain('class="warning"');
    // One-click ranges, keeping the page and the view.
    const review = await get(`/admin/review${Q}&view=technical`);
    expect(review).toContain('<a href="/admin/review?from=2025-02-01&amp;to=2025-02-28&amp;view=technical">Tháng trước</a>');
  });

  it('a bad date or range: the default range, a plain Vietnamese message, what was typed kept; never a 500', async () => {
    const reversed = await get('/admin?from=31/03/2025&to=01/03/2025');
    expect(text(reversed)).toContain('“Từ ngày” (31/03/2025) phải trước hoặc bằng “Đến ngày” (01/03/2025).');
    expect(reversed).toContain('<details class="range" open>');
    const feb30 = await get(`/admin/review?from=30/02/2025&to=31/03/2025`);
    expect(text(feb30)).toContain('Không hiểu ngày “30/02/2025”. Vui lòng nhập theo dạng ngày/tháng/năm, ví dụ 01/03/2025. Đang hiển thị 30 ngày gần nhất.');
    expect(feb30).toContain('name="from" value="30/02/2025"');
    const american = await get(`/admin?from=03/31/2025&to=04/01/2025`);
    expect(text(american)).toContain('Không hiểu ngày “03/31/2025”');
    const missing = await get('/admin?from=01/03/2025');
    expect(text(missing)).toContain('Vui lòng nhập cả “Từ ngày” và “Đến ngày”');
    const junk = await get('/admin?from=%3Cscript%3E&to=x');
    expect(junk).not.toContain('<script>x');
    expect(text(junk)).toContain('Không hiểu ngày “&lt;script&gt;” và “x”');
    const long = await get(`/admin?from=01/01/2000&to=31/12/2099`);
    expect(text(long)).toContain('Khoảng ngày dài quá 10 năm');
    for (const url of ['/admin/csv/review?from=30/02/2025&to=31/03/2025', '/admin/api/review?from=x&to=y']) {
      const res = await t.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(400);
      expect(res.body, url).toContain('Vui lòng nhập theo dạng ngày/tháng/năm');
    }
  });

  it('campaign document types', async () => {
    const page = await get(`/admin/documents${Q}`);
    for (const [id, started, completed] of EXPECTED.documents) {
      const label = { 'guide-activate': 'Kích hoạt tài khoản định danh điện tử', 'integrate-bhyt': 'Thẻ bảo hiểm y tế (BHYT)', 'integrate-gplx': 'Giấy phép lái xe (GPLX)', 'integrate-dkx': 'Giấy đăng ký xe', 'integrate-mst': 'Mã số thuế (MST)', 'integrate-nguoi-phu-thuoc': 'Người phụ thuộc' }[id]!;
      const row = rowOf(page, 'documents', label);
      expect(row?.slice(1, 3), id).toEqual([String(started), String(completed)]);
    }
  });

  it('funnels per guide, with every step of the guide', async () => {
    const page = await get(`/admin/guides${Q}`);
    // Guides by title; their ids only in the technical view.
    expect(rowOf(page, 'guides', TITLE.activate)?.slice(1, 8)).toEqual(['2', '1', '50,0 %', '2', '1', '2', '0']);
    expect(page).not.toContain('guide-activate');
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
    expect(row.slice(1, 4)).toEqual(['2', '16/03/2025 15:00', 'Chưa trả lời được']);
    expect(row[4]).toBe(`${TITLE.contact} ${TITLE.cuTru}`);
    // Newest first.
    expect(review.indexOf('xin giấy xác nhận')).toBeLessThan(review.indexOf('đổi số điện thoại'));
  });

  it('topics, failures', async () => {
    const topics = await get(`/admin/topics${Q}`);
    expect(rowOf(topics, 'topics', TITLE.activate)).toEqual([TITLE.activate, '2', '0', '2', '4']);
    // What the citizen wrote, with diacritics, not the spell-corrected form.
    expect(rowOf(topics, 'questions', 'không nhận được OTP')).toEqual(['không nhận được OTP', '2', '2', TITLE.otp]);
    expect(rowOf(topics, 'questions', 'xin giấy xác nhận cư trú ở đâu ạ')).toEqual(['xin giấy xác nhận cư trú ở đâu ạ và 1 cách viết khác', '2', '0', 'Chưa trả lời được']);
    expect(topics).not.toContain('khong nhan duoc otp');
    const failures = await get(`/admin/failures${Q}`);
    expect(rowOf(failures, 'failures', 'Zalo')?.slice(0, 3)).toEqual(['Zalo', failureReason('zalo', '-230'), '2']);
  });

  it('plain labels by default; ids, normalized forms and scores one click away', async () => {
    const amp = Q.replace('&', '&amp;');
    for (const path of ['', '/topics', '/review', '/guides', '/documents', '/referrals', '/failures']) {
      const plain = await get(`/admin${path}${Q}`);
      const words = text(plain);
      for (const jargon of ['Mã mục', 'Mã hướng dẫn', 'Dạng chuẩn hóa', 'chuẩn hóa)', 'Điểm', 'phrasings', 'Mã lỗi']) expect(words, `${path}: ${jargon}`).not.toContain(jargon);
      expect(words, path).not.toMatch(/\b(?:faq|guide|integrate|l[12])-[a-z0-9-]+/);
      // The link to the technical view keeps the range, and the technical view links back.
      expect(plain, path).toContain(`href="/admin${path}${amp}&amp;view=technical"`);
      expect(plain, path).toContain('>Xem chi tiết kỹ thuật</a>');
    }
    const review = await get(`/admin/review${Q}&view=technical`);
    expect(review).toContain(`<a class="view-toggle" href="/admin/review${amp}">Ẩn chi tiết kỹ thuật</a>`);
    const row = rowOf(review, 'review', 'xin giấy xác nhận cư trú ở đâu ạ')!;
    expect(row.slice(1, 6)).toEqual(['xin giay xac nhan cu tru o dau', '2', '16/03/2025 15:00', 'Chưa trả lời được', '0,25']);
    expect(row[7]).toBe('faq-contact l2-cu-tru');
    expect(text(review)).toContain('“Điểm khớp”: từ 0 đến 1');
    // The technical view follows the navigation and the date form.
    expect(review).toContain(`href="/admin/topics${amp}&amp;view=technical"`);
    expect(review).toContain('<input type="hidden" name="view" value="technical">');
    const topics = await get(`/admin/topics${Q}&view=technical`);
    expect(rowOf(topics, 'questions', 'không nhận được OTP')).toEqual(['không nhận được OTP', 'khong nhan duoc otp', '2', '2', TITLE.otp, 'faq-otp']);
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
    const csv = (await t.app.inject({ url: `/admin/csv/review${Q}&view=technical`, headers: { cookie } })).body;
    expect(csv).toContain(`'=cmd|calc`); // guarded with an apostrophe
    expect(csv).not.toMatch(/(^|[;,"])=cmd/m);
    expect(parseCsv(csv).some((r) => r[1] === "'=cmd|calc")).toBe(true);
    const xlsx = await t.app.inject({ url: `/admin/xlsx/review${Q}&view=technical`, headers: { cookie } });
    const [sheet] = await readExcelFile(xlsx.rawPayload);
    expect(sheet!.data.some((r) => r[1] === '=cmd|calc' && r[0] === evil)).toBe(true);
    await t.storage.db.prepare("DELETE FROM stats_events WHERE user_key = '9999999999999999'").run();
  });
});

describe('CSV equals the database', () => {
  let t: AdminTestApp;
  let cookie: string;
  const range = dayRange(FROM, TO)!;
  const csv = async (key: string, extra = '') => {
    const res = await t.app.inject({ url: `/admin/csv/${key}${Q}${extra}`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="vneid-${key}-01-03-2025_31-03-2025.csv"`);
    expect(res.body.startsWith(BOM)).toBe(true);
    expect(res.body).toContain('\r\n');
    const [header, ...rows] = parseCsv(res.body);
    return { header: header!, rows };
  };
  const sql = <T>(q: string) => t.storage.db.prepare(q).all({ from: range.from, to: range.to }) as T[];
  /** Cells as the CSV has them: text that starts like a formula carries the guarding apostrophe. */
  const str = (rows: unknown[][]) => rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : typeof c === 'string' && /^[=+\-@]/.test(c) ? `'${c}` : String(c))));

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
    expect(rows.map((r) => r.slice(0, 5))).toEqual(str(db.map((r) => [channelLabel(r.channel), r.c, r.u, r.q, r.a])));
    // Percentages with the Vietnamese decimal comma: Excel set to Vietnamese reads them as numbers.
    expect(rows.find((r) => r[0] === 'Zalo')![5]).toBe('33,3');
  });

  it('review (text, counts, last time; normalized form, score and nearest ids in the technical view)', async () => {
    const db = sql<{ text: string; normalized: string; n: number; last: number; score: number; nearest: string }>(
      `SELECT text, normalized, COUNT(*) n, MAX(at) last, score, GROUP_CONCAT(DISTINCT nearest_id) nearest FROM stats_events
       WHERE type = 'question' AND outcome != 'answered' AND at >= @from AND at < @to GROUP BY normalized ORDER BY last DESC`,
    );
    const { header, rows } = await csv('review');
    expect(header).toEqual(['Câu hỏi của người dân', 'Số lần hỏi', 'Lần cuối', 'Kết quả', 'Mục gần giống nhất']);
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual(str(db.map((r) => [r.text, r.n, viDateTime(r.last)])));
    expect(rows[0]![4]).toBe(`${TITLE.contact} | ${TITLE.cuTru}`);
    const technical = await csv('review', '&view=technical');
    expect(technical.rows.map((r) => [r[0], r[1], r[2], r[3], r[5], r[7]])).toEqual(
      str(db.map((r) => [r.text, r.normalized, r.n, viDateTime(r.last), String(r.score).replace('.', ','), r.nearest.split(',').sort().join(' ')])),
    );
  });

  it('Excel (.xlsx): the same rows, numbers as numbers, dates as dd/mm/yyyy dates, a typed "=..." as text', async () => {
    const xlsx = async (key: string, extra = '') => {
      const res = await t.app.inject({ url: `/admin/xlsx/${key}${Q}${extra}`, headers: { cookie } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="vneid-${key}-01-03-2025_31-03-2025.xlsx"`);
      // Read back with a reader library, not our own code.
      const [sheet] = await readExcelFile(res.rawPayload);
      return sheet!;
    };
    const channels = await xlsx('channels');
    expect(channels.sheet).toBe('Theo kênh');
    expect(channels.data[0]).toEqual(['Kênh', 'Cuộc trò chuyện', 'Người dùng', 'Câu hỏi', 'Trả lời được', 'Tỉ lệ trả lời được (%)']);
    expect(channels.data.find((r) => r[0] === 'Zalo')).toEqual(['Zalo', 3, 3, 3, 1, 33.3]);
    const review = await xlsx('review', '&view=technical');
    const db = sql<{ text: string; n: number; last: number }>(
      `SELECT text, COUNT(*) n, MAX(at) last FROM stats_events WHERE type = 'question' AND outcome != 'answered' AND at >= @from AND at < @to GROUP BY normalized ORDER BY last DESC`,
    );
    // Dates are real dates (the Vietnam wall-clock time), numbers are numbers. Excel keeps a time as
    // a fraction of a day, so the reader may give 10:01:59.999 for 10:02: compare to the minute.
    const minute = (d: Date) => new Date(Math.round(d.getTime() / 60_000) * 60_000).toISOString().slice(0, 16);
    expect(review.data.slice(1).map((r) => [r[0], r[2], minute(r[3] as unknown as Date)])).toEqual(
      db.map((r) => [r.text, r.n, new Date(r.last + 7 * 3600_000).toISOString().slice(0, 16)]),
    );
    expect(review.data[1]![5]).toBe(0.25);
    const days = await xlsx('per-day');
    expect((days.data[1]![0] as unknown as Date).toISOString()).toBe('2025-03-03T00:00:00.000Z');
    // Every table downloads.
    for (const key of ['overview', 'per-week', 'topics', 'questions', 'guides', 'funnel', 'referrals', 'documents', 'failures', 'sensitive']) {
      const sheet = await xlsx(key);
      const json = (await t.app.inject({ url: `/admin/api/${key}${Q}`, headers: { cookie } })).json() as { headers: string[]; rows: unknown[][] };
      expect(sheet.data[0], key).toEqual(json.headers);
      expect(sheet.data.length - 1, key).toBe(json.rows.length);
    }
    expect((await t.app.inject({ url: `/admin/xlsx/review?from=x&to=y`, headers: { cookie } })).statusCode).toBe(400);
    expect((await t.app.inject({ url: `/admin/xlsx/review${Q}` })).statusCode).toBe(401);
  });

  it('comma-separated on request, with decimal points', async () => {
    const res = await t.app.inject({ url: `/admin/csv/channels${Q}&sep=comma`, headers: { cookie } });
    const rows = parseCsv(res.body, ',');
    expect(rows[0]).toEqual(['Kênh', 'Cuộc trò chuyện', 'Người dùng', 'Câu hỏi', 'Trả lời được', 'Tỉ lệ trả lời được (%)']);
    expect(rows.find((r) => r[0] === 'Zalo')).toEqual(['Zalo', '3', '3', '3', '1', '33.3']);
  });

  it('documents and guides', async () => {
    const { rows } = await csv('documents', '&view=technical');
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
    const { rows } = await csv('funnel', '&view=technical');
    const db = sql<{ g: string; s: number; n: number }>(
      `SELECT entry_id g, step s, COUNT(DISTINCT user_key) n FROM stats_events WHERE type = 'walk-step' AND at >= @from AND at < @to GROUP BY g, s`,
    );
    const withData = rows.filter((r) => db.some((d) => d.g === r[1] && String(d.s) === r[2]));
    expect(withData.map((r) => [r[1], r[2], r[4]])).toEqual(str(db.map((d) => [d.g, d.s, d.n])));
    // Steps without data are listed with zeros.
    expect(rows.filter((r) => !withData.includes(r)).every((r) => r[4] === '0')).toBe(true);
  });

  it('referrals, failures, per day', async () => {
    expect((await csv('referrals')).rows).toEqual(str(EXPECTED.referrals.map((r) => [r.code, r.conversations, r.users, r.guidesCompleted, r.activations])));
    const failures = sql<{ channel: string; code: string; n: number; last: number }>(
      `SELECT channel, failure_code code, COUNT(*) n, MAX(at) last FROM stats_events WHERE type = 'delivery-failure' AND at >= @from AND at < @to GROUP BY channel, code ORDER BY n DESC`,
    );
    expect((await csv('failures', '&view=technical')).rows).toEqual(str(failures.map((r) => [channelLabel(r.channel), failureReason(r.channel, r.code), r.code, r.n, viDateTime(r.last)])));
    const days = sql<{ d: string; n: number }>(
      `SELECT strftime('%Y-%m-%d', at / 1000 + 25200, 'unixepoch') d, COUNT(*) n FROM stats_events WHERE type = 'question' AND at >= @from AND at < @to GROUP BY d ORDER BY d`,
    );
    expect((await csv('per-day')).rows.map((r) => [r[0], r[1]])).toEqual(str(days.map((r) => [viDay(r.d), r.n])));
  });

  it('every table downloads, and JSON carries the same rows', async () => {
    const decimalComma = (rows: unknown[][]) => str(rows).map((r) => r.map((c) => (/^-?\d+\.\d+$/.test(c) ? c.replace('.', ',') : c)));
    for (const view of ['', '&view=technical']) {
      for (const key of ['overview', 'per-day', 'per-week', 'channels', 'topics', 'questions', 'review', 'guides', 'funnel', 'referrals', 'documents', 'failures', 'sensitive']) {
        const c = await csv(key, view);
        const json = (await t.app.inject({ url: `/admin/api/${key}${Q}${view}`, headers: { cookie } })).json() as { headers: string[]; rows: unknown[][] };
        expect(c.header).toEqual(json.headers);
        expect(c.rows).toEqual(decimalComma(json.rows));
      }
    }
    expect((await t.app.inject({ url: '/admin/csv/nope', headers: { cookie } })).statusCode).toBe(404);
  });
});

describe('toCsv()', () => {
  const rows = [['a,b', 'a;b', 'say "hi"', 'line\nbreak', '=1+1', '-5', 42, -5, 57.1, null, 'Tiếng Việt có dấu']];
  const header = ['x', 'y', 'z', 'w', 'f', 'g', 'n', 'm', 'p', 'e', 'v'];

  it('for Excel set to Vietnamese: BOM, `;` between cells, decimal commas, quotes, formulas guarded', () => {
    const out = toCsv(header, rows);
    expect(out.startsWith(BOM)).toBe(true);
    expect(out).toContain(`a,b;"a;b";"say ""hi""";"line\nbreak";'=1+1;'-5;42;-5;57,1;;Tiếng Việt có dấu\r\n`);
    expect(parseCsv(out)[1]).toEqual(['a,b', 'a;b', 'say "hi"', 'line\nbreak', "'=1+1", "'-5", '42', '-5', '57,1', '', 'Tiếng Việt có dấu']);
  });

  it('comma-separated with decimal points when asked', () => {
    const out = toCsv(header, rows, ',');
    expect(parseCsv(out, ',')[1]).toEqual(['a,b', 'a;b', 'say "hi"', 'line\nbreak', "'=1+1", "'-5", '42', '-5', '57.1', '', 'Tiếng Việt có dấu']);
  });
});
