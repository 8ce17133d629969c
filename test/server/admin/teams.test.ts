/**
 * Volunteer teams end to end (issue 14 item 3), through buildApp as deployed: an official logs
 * in, creates a team's code (CSRF-checked), prints its poster, whose QR codes decode (jsQR on
 * the PNG the poster shows) to the exact links with the code; citizens come through those links
 * (the Telegram webhook over a loopback fake, the web chat) or type the code (as on Zalo OA), walk
 * the guides, and the team's counts appear on the dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { FakeTelegram, textUpdate } from '../../helpers/telegram-fake.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { StatsSink } from '../../../src/core/stats/sink.js';
import { login } from '../../fixtures/admin-app.js';

// jsqr is CommonJS with an `exports.default`: TypeScript (NodeNext) types the default import as
// the module object; at run time it is the function or carries it as .default.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as typeof jsQRModule.default;

const ADMIN = 'mat-khau-quan-tri-doi-tinh-nguyen';
const TOKEN = '123456789:TEST-token_abcdefghijklmnopqrstuv';
const WEBHOOK_SECRET = 'telegram-webhook-secret-0123';
const OA_ID = '2491302944280861639';
const PUBLIC_URL = 'https://vneid.loc-hoa.example.vn';

let fake: FakeTelegram;
let t: TestApp;
let cookie: string;

beforeAll(async () => {
  fake = await new FakeTelegram().start();
  t = await makeApp(
      { ADMIN_PASSWORD: ADMIN, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET, TELEGRAM_API_ROOT: fake.url, ZALO_OA_ID: OA_ID, PUBLIC_URL },
    {
      deps: (storage) => {
        const statsStore = new SqliteStatsStore(storage.db);
        // No bot info handed in and no TELEGRAM_BOT_USERNAME, as in production: the posters'
        // t.me links use the name the Telegram fake answers to getMe.
        return { statsStore, sink: new StatsSink({ store: statsStore }), telegramBotInfo: undefined };
      },
    },
  );
  cookie = await login(t.app, undefined, ADMIN);
});
afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

const get = (url: string, headers: Record<string, string> = { cookie }) => t.app.inject({ url, headers });
const postForm = (data: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/admin/teams',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(data).toString(),
  });
const postJson = (data: unknown, headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/admin/api/teams', headers: { cookie, ...headers }, payload: data as object });

/** The session's CSRF token, as the page carries it. */
async function csrf(): Promise<string> {
  const page = await get('/admin/teams');
  const token = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
  expect(token).toBeTruthy();
  return token!;
}

/** Visible text, entities decoded. */
const text = (page: string) =>
  page
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** Decodes a QR code PNG with jsQR: what a phone camera would read. */
function decodeQr(png: Buffer): string {
  const image = PNG.sync.read(png);
  const found = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
  expect(found, 'a QR code in the image').not.toBeNull();
  return found!.data;
}

/** The row of a team in the list's table, cells as text. */
async function teamRow(code: string): Promise<string[]> {
  const page = await get('/admin/teams');
  const tr = new RegExp(`<tr data-code="${code}">([\\s\\S]*?)</tr>`).exec(page.body)?.[1] ?? '';
  return [...tr.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => text(m[1]!).trim());
}

describe('volunteer teams: access and CSRF', () => {
  it('without a session: the page redirects to login, the form and the API refuse', async () => {
    expect((await get('/admin/teams', {})).statusCode).toBe(302);
    const form = await t.app.inject({ method: 'POST', url: '/admin/teams', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=X&csrf=x' });
    expect(form.statusCode).toBe(401);
    const api = await t.app.inject({ method: 'POST', url: '/admin/api/teams', payload: { name: 'X' } });
    expect(api.statusCode).toBe(401);
    expect((await get('/admin/teams/ABC/poster', {})).statusCode).toBe(302);
    expect((await get('/admin/teams/ABC/qr/telegram.png', {})).statusCode).toBe(302);
  });

  it('a session without the right CSRF token, or from another site, creates nothing', async () => {
    const token = await csrf();
    const missing = await postForm({ name: 'Đội không có mã CSRF', code: 'NOCSRF1' });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('CSRF');
    expect((await postForm({ name: 'Đội sai mã', code: 'NOCSRF2', csrf: 'sai-ma' })).statusCode).toBe(403);
    expect((await postForm({ name: 'Đội trang khác', code: 'NOCSRF3', csrf: token }, { origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await postJson({ name: 'Đội API' , code: 'NOCSRF4' }, {})).statusCode).toBe(403);
    expect((await postJson({ name: 'Đội API', code: 'NOCSRF5' }, { 'x-csrf-token': 'sai' })).statusCode).toBe(403);
    expect(await t.storage.listTeams()).toEqual(expect.not.arrayContaining([expect.objectContaining({ code: expect.stringMatching(/^NOCSRF/) })]));
    expect((await t.storage.listTeams()).filter((x) => x.code.startsWith('NOCSRF'))).toEqual([]);
  });
});

describe('volunteer teams: creation and bad input', () => {
  it('creates a team from the form (post/redirect/get), a random code when none is given', async () => {
    const token = await csrf();
    const res = await postForm({ name: '  Đoàn thanh niên   thôn 3 ', code: 'doantn01', commune: 'loc-hoa', csrf: token });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/teams?created=DOANTN01');
    const page = await get(String(res.headers.location));
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Đã tạo mã DOANTN01 cho đội “Đoàn thanh niên thôn 3”');
    expect(await t.storage.getTeam('DOANTN01')).toMatchObject({ name: 'Đoàn thanh niên thôn 3', commune: 'loc-hoa' });

    const auto = await postForm({ name: 'Hội Liên hiệp Phụ nữ xã', csrf: token });
    expect(auto.statusCode).toBe(303);
    const code = /created=([A-Z0-9]+)/.exec(String(auto.headers.location))?.[1];
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(await t.storage.getTeam(code!)).toMatchObject({ name: 'Hội Liên hiệp Phụ nữ xã', commune: null });
  });

  it('empty name, duplicate code, a number as code: a clear Vietnamese message, the values kept, nothing stored', async () => {
    const token = await csrf();
    const before = (await t.storage.listTeams()).length;
    const empty = await postForm({ name: '   ', code: 'EMPTY1', csrf: token });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('role="alert">Vui lòng nhập tên đội.');
    expect(empty.body).toContain('value="EMPTY1"');

    await postForm({ name: 'Tổ dân phố số 5', code: 'TDP5', csrf: token });
    const duplicate = await postForm({ name: 'Tổ khác', code: 'tdp5', csrf: token });
    expect(duplicate.statusCode).toBe(409);
    expect(text(duplicate.body)).toContain('Mã TDP5 đã được dùng cho đội “Tổ dân phố số 5”. Vui lòng chọn mã khác');
    expect(duplicate.body).toContain('value="Tổ khác"');

    const phone = await postForm({ name: 'Đội A', code: '0912345678', csrf: token });
    expect(phone.statusCode).toBe(400);
    expect(text(phone.body)).toContain('có ít nhất một chữ cái');
    const accents = await postForm({ name: 'Đội A', code: 'ĐỘI-A', csrf: token });
    expect(accents.statusCode).toBe(400);
    const personal = await postForm({ name: 'Đội anh Nam 0912 345 678', csrf: token });
    expect(personal.statusCode).toBe(400);
    expect(text(personal.body)).toContain('Tên đội không được chứa số điện thoại');
    expect(await t.storage.listTeams()).toHaveLength(before + 1);
  });

  it('the JSON API: same rules, 201 with the poster and links, 400/409 with the message', async () => {
    const token = await csrf();
    const ok = await postJson({ name: 'Chi đoàn Trường THPT', code: 'THPT-LH' }, { 'x-csrf-token': token });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({
      team: { code: 'THPT-LH', name: 'Chi đoàn Trường THPT', commune: null },
      poster: '/admin/teams/THPT-LH/poster',
      links: [
        { channel: 'zalo', url: `https://zalo.me/${OA_ID}`, carriesCode: false },
        { channel: 'telegram', url: 'https://t.me/vneid_test_bot?start=ref_THPT-LH', carriesCode: true },
        { channel: 'web', url: `${PUBLIC_URL}/?ref=THPT-LH`, carriesCode: true },
      ],
    });
    const dup = await postJson({ name: 'Khác', code: 'thpt-lh' }, { 'x-csrf-token': token });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toContain('Mã THPT-LH đã được dùng');
    const empty = await postJson({ name: '' }, { 'x-csrf-token': token });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toEqual({ error: 'Vui lòng nhập tên đội.', field: 'name' });
    const badCommune = await postJson({ name: 'Đội B', commune: 'Lộc Hòa' }, { 'x-csrf-token': token });
    expect(badCommune.statusCode).toBe(400);
    expect(badCommune.json().field).toBe('commune');
  });
});

describe('volunteer teams: a new name', () => {
  // Its own team, so these tests pass in any order.
  beforeAll(async () => {
    await t.storage.createTeam({ code: 'RENAME01', name: 'Doan thanh nien thon 7', commune: 'loc-hoa', createdAt: Date.now() });
  });
  const rename = (code: string, data: Record<string, string>, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/admin/teams/${code}/name`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(data).toString(),
    });

  it('the list offers it on every team; the form renames (post/redirect/get), code and counts unchanged', async () => {
    const list = await get('/admin/teams');
    expect(list.body).toContain('action="/admin/teams/RENAME01/name"');
    const res = await rename('rename01', { name: '  Đoàn thanh niên   thôn 7 ', csrf: await csrf() });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/teams?renamed=RENAME01');
    const page = await get(String(res.headers.location));
    expect(text(page.body)).toContain('Đã đổi tên đội RENAME01 thành “Đoàn thanh niên thôn 7”. Mã và số liệu của đội giữ nguyên.');
    expect(await t.storage.getTeam('RENAME01')).toMatchObject({ code: 'RENAME01', name: 'Đoàn thanh niên thôn 7', commune: 'loc-hoa' });
    const poster = await get('/admin/teams/RENAME01/poster');
    expect(text(poster.body)).toContain('Đội giới thiệu: Đoàn thanh niên thôn 7');
  });

  it('the same rules as a new team, a clear message; without CSRF nothing changes; an unknown code is a 404', async () => {
    const token = await csrf();
    const before = (await t.storage.getTeam('RENAME01'))!.name;
    const empty = await rename('RENAME01', { name: '  ', csrf: token });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('role="alert">Vui lòng nhập tên đội.');
    const phone = await rename('RENAME01', { name: 'Đội anh Nam 0912 345 678', csrf: token });
    expect(phone.statusCode).toBe(400);
    expect(text(phone.body)).toContain('Tên đội không được chứa số điện thoại');
    expect((await rename('RENAME01', { name: 'Đội không có CSRF' })).statusCode).toBe(403);
    expect((await rename('RENAME01', { name: 'Đội trang khác', csrf: token }, { origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await rename('KHONGCO9', { name: 'Đội ma', csrf: token })).statusCode).toBe(404);
    expect(await t.storage.getTeam('RENAME01')).toMatchObject({ name: before });
  });

  it('the JSON API: 200 with the team, 400 with the field, 403 without the header', async () => {
    const token = await csrf();
    const url = '/admin/api/teams/RENAME01/name';
    const ok = await t.app.inject({ method: 'POST', url, headers: { cookie, 'x-csrf-token': token }, payload: { name: 'Chi đoàn thôn 7' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ team: expect.objectContaining({ code: 'RENAME01', name: 'Chi đoàn thôn 7', commune: 'loc-hoa' }) });
    const bad = await t.app.inject({ method: 'POST', url, headers: { cookie, 'x-csrf-token': token }, payload: { name: '' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'Vui lòng nhập tên đội.', field: 'name' });
    expect((await t.app.inject({ method: 'POST', url, headers: { cookie }, payload: { name: 'X' } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url, payload: { name: 'X' } })).statusCode).toBe(401);
  });
});

describe('volunteer teams: the poster', () => {
  // Its own team, so the poster tests pass in any order (the creation tests make theirs).
  beforeAll(async () => {
    await t.storage.createTeam({ code: 'POSTER01', name: 'Đoàn thanh niên thôn 5', commune: 'loc-hoa', createdAt: Date.now() });
  });

  it('an A4 page in Vietnamese: the bot, three lines, the scam warning, the code, the share text', async () => {
    const res = await get('/admin/teams/poster01/poster');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const body = text(res.body);
    expect(res.body).toContain('<html lang="vi">');
    expect(res.body).toMatch(/<meta name="csrf-token" content="[^"]+">/);
    expect(body).toContain('TRỢ LÝ VNeID');
    expect(body).toContain('Xã Thử Nghiệm');
    expect(res.body.match(/<li>/g)).toHaveLength(3);
    expect(body).toContain('@vneid_test_bot');
    expect(body).toContain('không bao giờ hỏi mã OTP, mật khẩu hay passcode');
    expect(body).toContain('Mã đội: POSTER01');
    expect(body).toContain('bấm “Quan tâm”, rồi gửi tin nhắn: POSTER01');
    expect(body).toContain('Đội giới thiệu: Đoàn thanh niên thôn 5 — loc-hoa');
    const share = /<textarea id="share-text"[^>]*>([\s\S]*?)<\/textarea>/.exec(res.body)?.[1] ?? '';
    expect(text(share)).toContain(`mở https://zalo.me/${OA_ID}, bấm “Quan tâm” rồi gửi mã POSTER01`);
    expect(text(share)).toContain('https://t.me/vneid_test_bot?start=ref_POSTER01');
    expect(text(share)).toContain('không bao giờ hỏi mã OTP');
    expect(res.body).toContain('data-copy="share-text"');

    const css = await get('/admin/assets/teams.css');
    expect(css.statusCode).toBe(200);
    expect(css.body).toContain('@page { size: A4;');
    expect(css.body).toContain('@media print');
    const js = await get('/admin/assets/teams.js');
    expect(js.body).toContain('navigator.clipboard');
  });

  it('its QR codes decode to the exact links with the code', async () => {
    const res = await get('/admin/teams/POSTER01/poster');
    const images = [...res.body.matchAll(/<figure class="qr" data-channel="(\w+)">\s*<img src="([^"]+)"/g)].map((m) => ({ channel: m[1]!, src: m[2]! }));
    expect(images.map((i) => i.channel)).toEqual(['zalo', 'telegram', 'web']);
    const decoded: Record<string, string> = {};
    for (const { channel, src } of images) {
      const png = await get(src);
      expect(png.statusCode).toBe(200);
      expect(png.headers['content-type']).toBe('image/png');
      decoded[channel] = decodeQr(png.rawPayload);
    }
    expect(decoded).toEqual({
      zalo: `https://zalo.me/${OA_ID}`,
      telegram: 'https://t.me/vneid_test_bot?start=ref_POSTER01',
      web: `${PUBLIC_URL}/?ref=POSTER01`,
    });
  });

  it('an unknown team or channel: 404 with a message', async () => {
    const page = await get('/admin/teams/KHONGCO/poster');
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Không có đội nào có mã này.');
    expect((await get('/admin/teams/POSTER01/qr/fax.png')).statusCode).toBe(404);
    expect((await get('/admin/teams/KHONGCO/qr/telegram.png')).statusCode).toBe(404);
  });
});

describe('volunteer teams: counts after scripted conversations', () => {
  const chat = async (sessionId: string, body: { text: string } | { payload: string }) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/chat', payload: { sessionId, ...body } });
    expect(res.statusCode).toBe(200);
    return (res.json() as { replies: Array<{ text: string }> }).replies;
  };
  /** Taps "next" through a walkthrough until it congratulates. */
  const walk = async (sessionId: string, guideId: string) => {
    let replies = await chat(sessionId, { payload: `#vg:w:${guideId}` });
    for (let i = 0; i < 20 && !replies.at(-1)!.text.startsWith('Chúc mừng'); i++) replies = await chat(sessionId, { payload: '#vg:next' });
    expect(replies.at(-1)!.text).toContain('Chúc mừng');
  };
  const tgPost = (update: unknown) =>
    t.app.inject({ method: 'POST', url: '/webhooks/telegram', headers: { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET }, payload: update as object });

  it('links from the decoded QR codes and a typed code are counted per team, without personal data', async () => {
    const token = await csrf();
    expect((await postForm({ name: 'Đội đếm số', code: 'DEM01', csrf: token })).statusCode).toBe(303);
    const links = (await postJson({ name: 'Đội khác', code: 'KHAC01' }, { 'x-csrf-token': token })).json().links as Array<{ channel: string; url: string }>;
    expect(links.length).toBe(3);
    // The poster's own QR codes, as a citizen's phone reads them.
    const telegramUrl = new URL(decodeQr((await get('/admin/teams/DEM01/qr/telegram.png')).rawPayload));
    const webUrl = new URL(decodeQr((await get('/admin/teams/DEM01/qr/web.png')).rawPayload));

    // 1. Telegram: the link opens the bot, which receives "/start <start parameter>".
    expect((await tgPost(textUpdate(555_001, `/start ${telegramUrl.searchParams.get('start')}`))).statusCode).toBe(200);
    expect(fake.sent().some((c) => String(c.body.text).includes('trợ lý VNeID'))).toBe(true);
    // 2. Web chat: the page sends "/start ref_<ref>" (chat.js); this person activates and integrates BHYT.
    await chat('dem01-web-person-1', { text: `/start ref_${webUrl.searchParams.get('ref')}` });
    await walk('dem01-web-person-1', 'guide-activate');
    await walk('dem01-web-person-1', 'integrate-bhyt');
    // 3. As on Zalo OA: the first message is the code; this person activates too.
    const greeting = await chat('dem01-zalo-like-2', { text: 'mã dem01' });
    expect(greeting[0]!.text).toContain('trợ lý VNeID');
    await walk('dem01-zalo-like-2', 'guide-activate');
    // 4. Someone else asks a question without a code: counted nowhere here.
    await chat('no-code-person-3', { text: 'dem01 là gì' });
    await walk('no-code-person-3', 'guide-activate');

    // code, name, commune, created, conversations, users, activations, integrations, poster
    expect((await teamRow('DEM01')).slice(4, 8)).toEqual(['3', '3', '2', '1']);
    expect((await teamRow('KHAC01')).slice(4, 8)).toEqual(['0', '0', '0', '0']);
    const api = (await get('/admin/api/teams')).json() as { teams: Array<Record<string, unknown>> };
    expect(api.teams.find((x) => x.code === 'DEM01')).toMatchObject({ name: 'Đội đếm số', conversations: 3, users: 3, activations: 2, integrations: 1 });
    // Nothing personal in what the dashboard shows: no chat id, no session id.
    const page = (await get('/admin/teams')).body;
    expect(page).not.toContain('555001');
    expect(page).not.toContain('dem01-web-person-1');
  });
});
