/**
 * Two communes on one server, through Telegram: each commune's own bot at
 * /webhooks/telegram/<id> answers with its commune's police, and the shared bot at
 * /webhooks/telegram asks the commune first. Real HTTP to the local Bot API fake.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeTelegram, callbackUpdate, textUpdate } from '../../helpers/telegram-fake.js';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { CommuneDirectory, loadCommunes } from '../../../src/core/communes/directory.js';
import { communeChannels } from '../../../src/server/commune-channels.js';
import { loadConfig } from '../../../src/server/config.js';

const COMMUNES_FIXTURE = new URL('../../fixtures/communes/', import.meta.url).pathname;
const communes = loadCommunes(COMMUNES_FIXTURE);
// The fixture gives loc-hoa its own bot; nam-dinh gets one too for this test.
const withNamDinhBot = new CommuneDirectory(
  communes.list.map((c) => (c.id === 'nam-dinh' ? { ...c, telegram: { tokenEnv: 'NAM_DINH_TG_TOKEN', webhookSecretEnv: 'NAM_DINH_TG_SECRET' } } : c)),
);

const SHARED = { token: '111111:SHARED-token_abcdefghijklmnopqrs', secret: 'shared-webhook-secret-0001' };
const LOC_HOA = { token: '222222:LOCHOA-token_abcdefghijklmnopqrs', secret: 'lochoa-webhook-secret-0002' };
const NAM_DINH = { token: '333333:NAMDINH-token_abcdefghijklmnopqr', secret: 'namdinh-webhook-secret-003' };
const env = {
  LOC_HOA_TELEGRAM_BOT_TOKEN: LOC_HOA.token,
  LOC_HOA_TELEGRAM_WEBHOOK_SECRET: LOC_HOA.secret,
  NAM_DINH_TG_TOKEN: NAM_DINH.token,
  NAM_DINH_TG_SECRET: NAM_DINH.secret,
};
const CHAT = 555000111;

let fake: FakeTelegram;
let t: TestApp;
beforeAll(async () => {
  fake = await new FakeTelegram().start();
  t = await makeApp(
    { TELEGRAM_BOT_TOKEN: SHARED.token, TELEGRAM_WEBHOOK_SECRET: SHARED.secret, TELEGRAM_API_ROOT: fake.url },
    { deps: () => ({ communes: withNamDinhBot, env }) },
  );
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});
beforeEach(() => fake.clear());

const post = (path: string, secret: string, update: unknown) =>
  t.app.inject({ method: 'POST', url: path, headers: { 'x-telegram-bot-api-secret-token': secret }, payload: update as object });
const sentBy = (token: string) =>
  fake
    .sent()
    .filter((c) => c.token === token)
    .map((c) => String(c.body.text))
    .join('\n');

describe('Telegram bots of two communes on one server', () => {
  it('registers one webhook route per commune bot besides the shared one', () => {
    expect(t.channels).toEqual(expect.arrayContaining(['telegram', 'telegram/loc-hoa', 'telegram/nam-dinh']));
  });

  it("each commune's bot answers with its own police phone number", async () => {
    expect((await post('/webhooks/telegram/loc-hoa', LOC_HOA.secret, callbackUpdate(CHAT, '#vg:m:contact'))).statusCode).toBe(200);
    expect((await post('/webhooks/telegram/nam-dinh', NAM_DINH.secret, callbackUpdate(CHAT, '#vg:m:contact'))).statusCode).toBe(200);
    expect(sentBy(LOC_HOA.token)).toContain('0228 111 2222');
    expect(sentBy(LOC_HOA.token)).not.toContain('0228 333 4444');
    expect(sentBy(NAM_DINH.token)).toContain('0228 333 4444');
    expect(sentBy(NAM_DINH.token)).not.toContain('0228 111 2222');
  });

  it("a commune bot refuses another bot's secret, and an unknown commune has no webhook", async () => {
    expect((await post('/webhooks/telegram/loc-hoa', NAM_DINH.secret, textUpdate(CHAT, 'xin chào'))).statusCode).toBe(401);
    expect((await post('/webhooks/telegram/khong-co', LOC_HOA.secret, textUpdate(CHAT, 'xin chào'))).statusCode).toBe(404);
    expect(fake.sent()).toHaveLength(0);
  });

  it('update ids are per bot: the same id on two bots is answered by both', async () => {
    await post('/webhooks/telegram/loc-hoa', LOC_HOA.secret, textUpdate(CHAT, 'quên passcode', 424242));
    await post('/webhooks/telegram/nam-dinh', NAM_DINH.secret, textUpdate(CHAT, 'quên passcode', 424242));
    expect(sentBy(LOC_HOA.token)).not.toBe('');
    expect(sentBy(NAM_DINH.token)).not.toBe('');
  });

  it('the shared bot asks the commune first, understands "xa loc hoa", and remembers it', async () => {
    await post('/webhooks/telegram', SHARED.secret, textUpdate(CHAT, 'số điện thoại công an xã'));
    expect(sentBy(SHARED.token)).toContain('Bạn ở xã/phường nào?');
    expect(sentBy(SHARED.token)).not.toContain('0228');
    fake.clear();
    await post('/webhooks/telegram', SHARED.secret, textUpdate(CHAT, 'xa loc hoa'));
    expect(sentBy(SHARED.token)).toContain('0228 111 2222');
    fake.clear();
    await post('/webhooks/telegram', SHARED.secret, callbackUpdate(CHAT, '#vg:m:contact'));
    expect(sentBy(SHARED.token)).toContain('0228 111 2222');
    expect(sentBy(SHARED.token)).not.toContain('Bạn ở xã/phường nào?');
  });
});

describe("communes' credentials are env-var names", () => {
  const config = loadConfig({});
  it('a missing or malformed variable stops the start with one line naming the commune and the variable', () => {
    expect(() => communeChannels(communes, config, {})).toThrow(/LOC_HOA_TELEGRAM_BOT_TOKEN \(xã\/phường "loc-hoa" trong communes\.yaml\): chưa đặt/);
    expect(() => communeChannels(communes, config, { ...env, LOC_HOA_TELEGRAM_WEBHOOK_SECRET: 'short' })).toThrow(/LOC_HOA_TELEGRAM_WEBHOOK_SECRET \(xã\/phường "loc-hoa"\): 16–256/);
  });
  it('one bot token for two webhooks is refused', () => {
    expect(() => communeChannels(communes, loadConfig({ TELEGRAM_BOT_TOKEN: LOC_HOA.token, TELEGRAM_WEBHOOK_SECRET: SHARED.secret }), env)).toThrow(/cùng token với TELEGRAM_BOT_TOKEN/);
  });
  it('without communes.yaml there is nothing to read', () => {
    expect(communeChannels(undefined, config, {})).toEqual({ telegram: [], zaloOa: [] });
  });
});
