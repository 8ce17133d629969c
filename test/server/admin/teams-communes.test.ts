/**
 * Volunteer teams on a server of two communes (test/fixtures/communes): a team names one of them
 * (chosen from a list), its poster points at that commune's own Telegram bot and web page, and a
 * citizen who comes through its code on the shared page is not asked for the commune again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { CommuneDirectory, loadCommunes } from '../../../src/core/communes/directory.js';
import { communeChannels } from '../../../src/server/commune-channels.js';
import { loadConfig } from '../../../src/server/config.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { StatsSink } from '../../../src/core/stats/sink.js';
import { login } from '../../fixtures/admin-app.js';
import { FakeTelegram } from '../../helpers/telegram-fake.js';

// jsqr is CommonJS with an `exports.default` (see teams.test.ts).
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as typeof jsQRModule.default;

const COMMUNES_FIXTURE = new URL('../../fixtures/communes/', import.meta.url).pathname;
const ADMIN = 'mat-khau-quan-tri-hai-xa';
const PUBLIC_URL = 'https://vneid.cum-nam-dinh.example.vn';

let t: TestApp;
// With PUBLIC_URL the commune's bot registers its webhook at start: with this fake, not Telegram.
let fake: FakeTelegram;
let stats: SqliteStatsStore;
let cookie: string;
let csrf: string;

beforeAll(async () => {
  fake = await new FakeTelegram().start();
  const env = {
    LOC_HOA_TELEGRAM_BOT_TOKEN: '222222:LOCHOA-token_abcdefghijklmnopqrs',
    LOC_HOA_TELEGRAM_WEBHOOK_SECRET: 'lochoa-webhook-secret-0002',
    LOC_HOA_TELEGRAM_BOT_USERNAME: '@conganlochoa_bot',
  };
  t = await makeApp(
    { ADMIN_PASSWORD: ADMIN, PUBLIC_URL, TELEGRAM_API_ROOT: fake.url },
    {
      deps: (storage) => {
        stats = new SqliteStatsStore(storage.db);
        return { communes: loadCommunes(COMMUNES_FIXTURE), env, statsStore: stats, sink: new StatsSink({ store: stats }) };
      },
    },
  );
  cookie = await login(t.app, undefined, ADMIN);
  csrf = /name="csrf" value="([^"]+)"/.exec((await t.app.inject({ url: '/admin/teams', headers: { cookie } })).body)![1]!;
});
afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

const create = (data: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/admin/api/teams', headers: { cookie, 'x-csrf-token': csrf }, payload: data });
const chat = async (body: Record<string, unknown>) =>
  ((await t.app.inject({ method: 'POST', url: '/api/chat', payload: body })).json() as { replies: Array<{ text: string }> }).replies.map((r) => r.text).join('\n');

describe('volunteer teams with communes', () => {
  it('the form lists the communes; a team must name one of them', async () => {
    const page = await t.app.inject({ url: '/admin/teams', headers: { cookie } });
    expect(page.body).toContain('<option value="loc-hoa">Xã Lộc Hòa</option>');
    expect(page.body).toContain('<option value="nam-dinh">Phường Nam Định</option>');
    const unknown = await create({ name: 'Đội lạ', commune: 'khong-co' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toEqual({ error: 'Không có xã/phường này trong danh sách.', field: 'commune' });
  });

  it("a team's poster points at its commune's own bot and page, and names the commune", async () => {
    const res = await create({ name: 'Đoàn thanh niên xã Lộc Hòa', commune: 'loc-hoa', code: 'LHTN01' });
    expect(res.statusCode).toBe(201);
    expect(res.json().links).toEqual([
      expect.objectContaining({ channel: 'telegram', url: 'https://t.me/conganlochoa_bot?start=ref_LHTN01' }),
      expect.objectContaining({ channel: 'web', url: `${PUBLIC_URL}/xa/loc-hoa?ref=LHTN01` }),
    ]);
    const poster = await t.app.inject({ url: '/admin/teams/LHTN01/poster', headers: { cookie } });
    expect(poster.body).toContain('<p class="commune">Xã Lộc Hòa</p>');
    expect(poster.body).toContain('Đội giới thiệu: Đoàn thanh niên xã Lộc Hòa — Xã Lộc Hòa');
    const png = PNG.sync.read((await t.app.inject({ url: '/admin/teams/LHTN01/qr/web.png', headers: { cookie } })).rawPayload);
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(`${PUBLIC_URL}/xa/loc-hoa?ref=LHTN01`);
    // A team of another commune gets the server's page (that commune has no bot of its own).
    const other = await create({ name: 'Tổ dân phố 5', commune: 'nam-dinh', code: 'NDTDP5' });
    expect(other.json().links).toEqual([expect.objectContaining({ channel: 'web', url: `${PUBLIC_URL}/xa/nam-dinh?ref=NDTDP5` })]);
  });

  it("without usernameEnv, a commune bot's poster link uses the name its getMe returned", async () => {
    const env = { LOC_HOA_TELEGRAM_BOT_TOKEN: '333333:LOCHOA-token_abcdefghijklmnopqrs', LOC_HOA_TELEGRAM_WEBHOOK_SECRET: 'lochoa-webhook-secret-0003' };
    const bare = await makeApp(
      { ADMIN_PASSWORD: ADMIN, PUBLIC_URL, TELEGRAM_API_ROOT: fake.url },
      { deps: (storage) => ({ communes: loadCommunes(COMMUNES_FIXTURE), env, statsStore: new SqliteStatsStore(storage.db), telegramBotInfo: undefined }) },
    );
    try {
      expect(fake.calls.some((c) => c.method === 'getMe' && c.token === env.LOC_HOA_TELEGRAM_BOT_TOKEN)).toBe(true);
      const bareCookie = await login(bare.app, undefined, ADMIN);
      const token = /name="csrf" value="([^"]+)"/.exec((await bare.app.inject({ url: '/admin/teams', headers: { cookie: bareCookie } })).body)![1]!;
      const res = await bare.app.inject({ method: 'POST', url: '/admin/api/teams', headers: { cookie: bareCookie, 'x-csrf-token': token }, payload: { name: 'Đội getMe', commune: 'loc-hoa', code: 'LHGM01' } });
      expect(res.statusCode).toBe(201);
      expect(res.json().links).toContainEqual(expect.objectContaining({ channel: 'telegram', url: 'https://t.me/vneid_test_bot?start=ref_LHGM01' }));
    } finally {
      await bare.close();
    }
  });

  it("on the shared page, a citizen who came through the team's code gets its commune's contact without being asked", async () => {
    await create({ name: 'Hội Phụ nữ Lộc Hòa', commune: 'loc-hoa', code: 'LHPN02' });
    await chat({ sessionId: 'shared-page-ref-1', text: '/start ref_LHPN02' });
    const contact = await chat({ sessionId: 'shared-page-ref-1', text: 'số điện thoại công an xã' });
    expect(contact).toContain('0228 111 2222');
    expect(contact).not.toContain('Bạn ở xã/phường nào?');
    // The same typed as a message (as on Zalo OA).
    await chat({ sessionId: 'shared-page-ref-2', text: 'mã lhpn02' });
    expect(await chat({ sessionId: 'shared-page-ref-2', payload: 'm:contact' })).toContain('0228 111 2222');
    // Without a code the shared page still asks.
    expect(await chat({ sessionId: 'shared-page-no-ref', text: 'số điện thoại công an xã' })).toContain('Bạn ở xã/phường nào?');
    // Counted for the team, in its commune.
    const range = { from: Date.now() - 3600_000, to: Date.now() + 3600_000 };
    expect((await stats.referrals({ ...range, commune: 'loc-hoa' })).find((r) => r.code === 'LHPN02')).toMatchObject({ conversations: 2, users: 2 });
  });
});

describe("a commune's own Zalo OA on its teams' posters", () => {
  it('oaIdEnv / oaNameEnv are read with the other OA variables, the id checked as digits', () => {
    const fixture = loadCommunes(COMMUNES_FIXTURE);
    const withOa = new CommuneDirectory(
      fixture.list.map((c) => ({
        ...c,
        telegram: undefined,
        ...(c.id === 'nam-dinh' ? { zaloOa: { appIdEnv: 'ND_ZALO_APP_ID', oaSecretKeyEnv: 'ND_ZALO_OA_SECRET_KEY', oaIdEnv: 'ND_ZALO_OA_ID', oaNameEnv: 'ND_ZALO_OA_NAME' } } : {}),
      })),
    );
    const env = { ND_ZALO_APP_ID: '2222222222222222222', ND_ZALO_OA_SECRET_KEY: 'nam-dinh-oa-secret-key', ND_ZALO_OA_ID: '3333333333333333333', ND_ZALO_OA_NAME: 'Công an phường Nam Định' };
    const config = loadConfig({});
    expect(communeChannels(withOa, config, env).zaloOa).toEqual([
      expect.objectContaining({ commune: 'nam-dinh', oaId: '3333333333333333333', oaName: 'Công an phường Nam Định' }),
    ]);
    expect(() => communeChannels(withOa, config, { ...env, ND_ZALO_OA_ID: 'zalo.me/abc' })).toThrow(/ND_ZALO_OA_ID \(xã\/phường "nam-dinh"\): chuỗi số/);
  });
});
