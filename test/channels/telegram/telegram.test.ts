import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeTelegram, callbackUpdate, stickerUpdate, textUpdate } from '../../helpers/telegram-fake.js';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SHARE_STORAGE_VERSION, SHARE_TTL_MS } from '../../../src/channels/telegram/share.js';

const TOKEN = '123456789:TEST-token_abcdefghijklmnopqrstuv';
const SECRET = 'telegram-webhook-secret-0123';
const CHAT = 987654321;

let fake: FakeTelegram;
let t: TestApp;

beforeAll(async () => {
  fake = await new FakeTelegram().start();
  t = await makeApp({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.url });
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});
beforeEach(() => fake.clear());

const post = (update: unknown, secret: string | null = SECRET) =>
  t.app.inject({
    method: 'POST',
    url: '/webhooks/telegram',
    headers: secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret },
    payload: update as object,
  });

type Markup = { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };

describe('Telegram webhook', () => {
  it('is on, and listed as a channel', () => {
    expect(t.channels).toContain('telegram');
  });

  it('/start: greeting with a share button, then the menu as inline keyboards', async () => {
    const res = await post(textUpdate(CHAT, '/start'));
    expect(res.statusCode).toBe(200);
    const sent = fake.sent();
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((c) => c.token === TOKEN && c.body.chat_id === CHAT)).toBe(true);
    expect(sent[0]!.body.text).toContain('trợ lý VNeID');
    expect((sent[0]!.body.reply_markup as Markup).inline_keyboard.flat().map((b) => b.text)).toEqual(['Chia sẻ cho người thân']);
    const menu = sent.slice(1).flatMap((c) => (c.body.reply_markup as Markup).inline_keyboard.flat());
    expect(menu.map((b) => b.text)).toEqual(['Tiện ích mức 1', 'Tiện ích mức 2', 'Kích hoạt tài khoản', 'Tích hợp giấy tờ', 'Dịch vụ trên VNeID', 'Hỏi đáp', 'Liên hệ hỗ trợ']);
    for (const b of menu) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
  });

  it('a typed question without diacritics gets its answer', async () => {
    await post(textUpdate(CHAT, 'tich hop bang lai xe vao vneid'));
    const sent = fake.sent();
    expect(sent.at(-1)!.body.text).toContain('Giấy phép lái xe'.slice(0, 5));
    const buttons = (sent.at(-1)!.body.reply_markup as Markup).inline_keyboard.flat();
    expect(buttons.map((b) => b.text)).toContain('Hướng dẫn từng bước');
  });

  it('a button press answers the callback query and sends the next step as a new message', async () => {
    await post(callbackUpdate(CHAT, '#vg:w:integrate-bhyt'));
    expect(fake.sent('answerCallbackQuery')).toHaveLength(1);
    expect(fake.sent('editMessageText')).toHaveLength(0);
    expect(fake.sent().at(-1)!.body.text).toContain('Bước 1/');
    fake.clear();
    await post(callbackUpdate(CHAT, '#vg:next'));
    expect(fake.sent().at(-1)!.body.text).toContain('Bước 2/');
  });

  it('wrong or missing secret → 401 and nothing sent', async () => {
    expect((await post(textUpdate(CHAT, 'xin chào'), 'wrong-secret-0000000000')).statusCode).toBe(401);
    expect((await post(textUpdate(CHAT, 'xin chào'), null)).statusCode).toBe(401);
    expect(fake.calls).toHaveLength(0);
  });

  it('the same update twice → one reply', async () => {
    const update = textUpdate(CHAT, 'quen passcode');
    expect((await post(update)).statusCode).toBe(200);
    const once = fake.sent().length;
    expect(once).toBeGreaterThan(0);
    expect((await post(update)).statusCode).toBe(200);
    expect(fake.sent()).toHaveLength(once);
  });

  it('a sticker gets a kind reply and the menu', async () => {
    await post(stickerUpdate(CHAT));
    expect(fake.sent()[0]!.body.text).toContain('chỉ đọc được tin nhắn chữ');
  });

  it('deep link /start ref_<code> is accepted; share flow gives a t.me link with the team code', async () => {
    await post(textUpdate(CHAT + 1, '/start ref_DOANTN01'));
    expect(fake.sent()[0]!.body.text).toContain('trợ lý VNeID');
    fake.clear();
    await post(callbackUpdate(CHAT + 1, '#vg:share'));
    expect(fake.sent().at(-1)!.body.text).toContain('mã đội');
    fake.clear();
    await post(textUpdate(CHAT + 1, 'DOI-05'));
    expect(fake.sent().at(-1)!.body.text).toContain('https://t.me/vneid_test_bot?start=ref_DOI-05');
  });

  it('retries a 429 from the Bot API honouring retry_after', async () => {
    // A citizen the bot already knows, whatever ran before: the answer is one message, no greeting.
    const chat = CHAT + 60;
    await post(textUpdate(chat, '/start'));
    fake.clear();
    fake.failNext.push({ method: 'sendMessage', code: 429, retryAfter: 1 });
    const res = await post(textUpdate(chat, 'vneid la gi'));
    expect(res.statusCode).toBe(200);
    const attempts = fake.sent();
    expect(attempts.length).toBe(2);
    expect(attempts[1]!.body.text).toContain('VNeID');
  });

  it('stores no raw chat id and logs no message text', async () => {
    // Its own turn, so that it holds whichever order the tests run in.
    expect((await post(textUpdate(CHAT, 'quen passcode'))).statusCode).toBe(200);
    const raw = t.storage.db.prepare("SELECT group_concat(key, ' ') AS k FROM conversations").get() as { k: string | null };
    expect(raw.k).not.toBeNull();
    expect(raw.k).not.toContain(String(CHAT));
    expect(t.logs()).not.toContain('quen passcode');
    expect(t.logs()).not.toContain(String(CHAT));
  });
});

describe('Telegram share flow ("Chia sẻ cho người thân")', () => {
  const VOLUNTEER = CHAT + 50;
  const kvRows = () => t.storage.db.prepare('SELECT key, value FROM kv').all() as Array<{ key: string; value: string }>;
  const shareRows = () => kvRows().filter((r) => r.key.startsWith('tg-share:'));
  const links = () => fake.sent().filter((c) => String(c.body.text).includes('https://t.me/'));
  /** What Telegram tells about the volunteer: none of it may reach the database. */
  const PERSONAL = { first_name: 'Bích Ngọc', last_name: 'Trần', username: 'bichngoc_share', language_code: 'kk', chat_instance: '-7301928374650192837' };
  /** A button press from a user with a name and a username, as Telegram sends it. */
  const pressShare = () => {
    const u = callbackUpdate(VOLUNTEER, '#vg:share');
    const { first_name, last_name, username, language_code, chat_instance } = PERSONAL;
    u.callback_query.from = { ...u.callback_query.from, first_name, last_name, username, language_code } as typeof u.callback_query.from;
    u.callback_query.message.chat = { ...u.callback_query.message.chat, first_name, last_name, username } as typeof u.callback_query.message.chat;
    u.callback_query.chat_instance = chat_instance;
    return post(u);
  };
  /** The stored conversation state, with its expiry. */
  const storedShare = () => JSON.parse(shareRows()[0]!.value) as { expiresAt: number; state: { version: unknown[] } };

  it('while waiting for the team code, stores the conversation under the pseudonymous key with an expiry, and no id, name or username', async () => {
    expect((await pressShare()).statusCode).toBe(200);
    expect(fake.sent().at(-1)!.body.text).toContain('mã đội');
    expect(fake.sent().at(-1)!.body.chat_id).toBe(VOLUNTEER);
    const rows = shareRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).toMatch(/^tg-share:ps\.[0-9a-f]{32}$/);
    const value = storedShare();
    expect(Object.keys(value).sort()).toEqual(['expiresAt', 'state']);
    expect(value.state.version).toEqual([0, SHARE_STORAGE_VERSION]);
    expect(value.expiresAt).toBeGreaterThan(Date.now());
    expect(value.expiresAt).toBeLessThanOrEqual(Date.now() + SHARE_TTL_MS);
    const everything = JSON.stringify(kvRows());
    for (const personal of [String(VOLUNTEER), ...Object.values(PERSONAL)]) expect(everything).not.toContain(personal);
    for (const field of Object.keys(PERSONAL)) expect(rows[0]!.value).not.toContain(`"${field}"`);
    // Nothing is written the way the old conversations plugin did.
    expect(kvRows().filter((r) => r.key.startsWith('tg-conv:'))).toEqual([]);
  });

  it('a question typed instead of a code is answered, no link is sent', async () => {
    await pressShare();
    expect(shareRows()).toHaveLength(1);
    fake.clear();
    await post(textUpdate(VOLUNTEER, 'tích hợp bhyt thế nào'));
    expect(links()).toEqual([]);
    expect(fake.sent().at(-1)!.body.text).toContain('BHYT');
    expect(fake.sent().at(-1)!.body.chat_id).toBe(VOLUNTEER);
    // The question ended the exchange: nothing is kept, a code typed now is not taken.
    expect(shareRows()).toEqual([]);
    // One-word questions are not codes either.
    fake.clear();
    await post(textUpdate(VOLUNTEER, 'vneid'));
    expect(links()).toEqual([]);
    expect(fake.sent().length).toBeGreaterThan(0);
  });

  it('a phone or ID number typed while waiting is never made into a referral link', async () => {
    await pressShare();
    fake.clear();
    await post(textUpdate(VOLUNTEER, '0912345678'));
    expect(shareRows()).toEqual([]);
    await pressShare();
    await post(textUpdate(VOLUNTEER, 'A079203001299'));
    expect(links()).toEqual([]);
    expect(JSON.stringify(kvRows())).not.toContain('0912345678');
  });

  it('a code arriving after the wait expired is not taken (and the state is removed)', async () => {
    await pressShare();
    const expired = JSON.stringify({ ...storedShare(), expiresAt: Date.now() - 1 });
    t.storage.db.prepare("UPDATE kv SET value = ? WHERE key LIKE 'tg-share:%'").run(expired);
    fake.clear();
    await post(textUpdate(VOLUNTEER, 'DOI-05'));
    expect(links()).toEqual([]);
    expect(fake.sent().length).toBeGreaterThan(0);
    expect(shareRows()).toEqual([]);
  });

  it('"Bỏ qua" gives the plain link and ends the wait; a valid code gives the team link once', async () => {
    await pressShare();
    fake.clear();
    await post(callbackUpdate(VOLUNTEER, '#vg:share:skip'));
    expect(links().map((c) => c.body.text)).toEqual([expect.stringContaining('https://t.me/vneid_test_bot?start=share')]);
    expect(fake.sent('answerCallbackQuery')).toHaveLength(1);
    expect(shareRows()).toEqual([]);

    await pressShare();
    fake.clear();
    await post(textUpdate(VOLUNTEER, 'DOANTN01'));
    // The conversation is replayed from its stored (blanked) state: the prompt is not sent
    // again, and the link goes to the real chat, not to the blanked id.
    expect(fake.sent().map((c) => c.body.text)).toEqual([expect.stringContaining('https://t.me/vneid_test_bot?start=ref_DOANTN01')]);
    expect(fake.sent()[0]!.body.chat_id).toBe(VOLUNTEER);
    expect(shareRows()).toEqual([]);
    fake.clear();
    await post(textUpdate(VOLUNTEER, 'DOANTN01'));
    expect(links()).toEqual([]);
  });

  it('raw updates left by the old share exchange (tg-conv:) are deleted when the database is migrated', () => {
    const file = `${t.dir}/old-version.sqlite`;
    const old = new SqliteStorage(file);
    old.db.prepare('INSERT INTO kv (key, value, updated_at) VALUES (?, ?, 0)').run('tg-conv:abc', JSON.stringify({ update: { message: { chat: { id: VOLUNTEER }, from: { first_name: 'Bích Ngọc' } } } }));
    old.db.prepare('INSERT INTO kv (key, value, updated_at) VALUES (?, ?, 0)').run('zalo-oa:tokens', '{}');
    // Back to version 3, before the tg-conv clean-up (migration 4; later ones exist since).
    old.db.pragma('user_version = 3');
    old.db.close();
    const reopened = new SqliteStorage(file);
    try {
      expect(reopened.db.prepare('SELECT key FROM kv ORDER BY key').pluck().all()).toEqual(['zalo-oa:tokens']);
    } finally {
      reopened.db.close();
    }
  });
});

describe('Telegram webhook registration', () => {
  it('with PUBLIC_URL, setWebhook is called on start with the secret and allowed_updates', async () => {
    const own = await new FakeTelegram().start();
    const app = await makeApp({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: own.url,
      PUBLIC_URL: 'https://bot.xa-thu-nghiem.gov.vn/',
    });
    try {
      const calls = own.sent('setWebhook');
      expect(calls).toHaveLength(1);
      expect(calls[0]!.body).toMatchObject({
        url: 'https://bot.xa-thu-nghiem.gov.vn/webhooks/telegram',
        secret_token: SECRET,
        allowed_updates: ['message', 'callback_query'],
      });
    } finally {
      await app.close();
      await own.stop();
    }
  });
});
