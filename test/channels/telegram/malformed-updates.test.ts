/**
 * Malformed but authenticated webhook bodies (issue 12, defect 10): the secret is right, the
 * body is not a usable update. Each used to reach grammY or the engine and answer 500, so
 * Telegram would redeliver it for ever. Now: 400 when it is not an update at all, 200 (dropped)
 * when it is an update the adapter cannot use; nothing sent, no content in the log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeTelegram, textUpdate } from '../../helpers/telegram-fake.js';
import { makeApp, type TestApp } from '../../helpers/app.js';

const TOKEN = '123456789:MALFORMED-token_abcdefghijklmn';
const SECRET = 'telegram-webhook-secret-malformed';
const CHAT = 555000111;
/** Distinctive text inside the malformed bodies: must never be logged. */
const MARKER = 'noi-dung-rieng-tu-7788';

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

/** Raw bytes, as an HTTP client would send them (inject would serialise an object itself). */
const postRaw = (payload: string) =>
  t.app.inject({
    method: 'POST',
    url: '/webhooks/telegram',
    headers: { 'x-telegram-bot-api-secret-token': SECRET, 'content-type': 'application/json' },
    payload,
  });

let id = 9_100_000;
const message = (fields: Record<string, unknown>) => ({ update_id: ++id, message: { message_id: id, date: 1_767_000_000, ...fields } });
const chat = { id: CHAT, type: 'private', first_name: MARKER };
const from = { id: CHAT, is_bot: false, first_name: MARKER };

const NOT_AN_UPDATE: Array<[string, string]> = [
  ['null', 'null'],
  ['an empty object', '{}'],
  ['an array', '[]'],
  ['a string', JSON.stringify(MARKER)],
  ['a number', '42'],
  ['update_id as a string', JSON.stringify({ update_id: 'abc', message: { message_id: 1, date: 1, chat, text: MARKER } })],
  ['a negative update_id', JSON.stringify({ update_id: -1, message: { message_id: 1, date: 1, chat, text: MARKER } })],
];

const UNUSABLE: Array<[string, unknown]> = [
  ['a message without chat', message({ from, text: MARKER })],
  ['text as a number', message({ chat, from, text: 790203001299 })],
  ['text as an object', message({ chat, from, text: { value: MARKER } })],
  ['a chat without id', message({ chat: { type: 'private', first_name: MARKER }, from, text: MARKER })],
  ['a chat id as a string', message({ chat: { ...chat, id: String(CHAT) }, from, text: MARKER })],
  ['message as a string', { update_id: ++id, message: MARKER }],
  ['message null', { update_id: ++id, message: null }],
  ['a callback query with data as a number', { update_id: ++id, callback_query: { id: 'cb1', chat_instance: 'ci', from, data: 5 } }],
  ['a callback query without from', { update_id: ++id, callback_query: { id: 'cb2', chat_instance: 'ci', data: '#vg:next', message: { message_id: 1, date: 1, chat } } }],
  ['a callback query whose message has no chat', { update_id: ++id, callback_query: { id: 'cb3', chat_instance: 'ci', from, data: '#vg:next', message: { message_id: 1, date: 1 } } }],
];

const UNKNOWN_TYPES: Array<[string, unknown]> = [
  ['an edited message (not subscribed)', { update_id: ++id, edited_message: { message_id: 1, date: 1, edit_date: 2, chat, from, text: MARKER } }],
  ['a type Telegram has not invented yet', { update_id: ++id, future_update: { text: MARKER } }],
  ['only an update_id', { update_id: ++id }],
];

describe('malformed authenticated Telegram updates: never a 500', () => {
  it.each(NOT_AN_UPDATE)('%s → 400, nothing sent', async (_name, payload) => {
    const res = await postRaw(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Yêu cầu không hợp lệ.' });
    expect(fake.calls).toEqual([]);
  });

  it.each(UNUSABLE)('%s → 200 and dropped, nothing sent', async (_name, update) => {
    const res = await postRaw(JSON.stringify(update));
    expect(res.statusCode).toBe(200);
    expect(fake.calls).toEqual([]);
  });

  it.each(UNKNOWN_TYPES)('%s → 200 and dropped, nothing sent', async (_name, update) => {
    const res = await postRaw(JSON.stringify(update));
    expect(res.statusCode).toBe(200);
    expect(fake.calls).toEqual([]);
  });

  it('a body that is not JSON → 400', async () => {
    expect((await postRaw(`{"update_id": 1, "message": ${MARKER}`)).statusCode).toBe(400);
    expect(fake.calls).toEqual([]);
  });

  it('the log names the broken field and update id, never the content; no error-level line', async () => {
    const from = t.logs().length;
    for (const [, payload] of NOT_AN_UPDATE) await postRaw(payload);
    for (const [, update] of [...UNUSABLE, ...UNKNOWN_TYPES]) await postRaw(JSON.stringify(update));
    const lines = t
      .logs()
      .slice(from)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg?: string; issues?: string[]; updateId?: number });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    const malformed = lines.filter((l) => l.msg === 'Telegram: cập nhật sai cấu trúc, bỏ qua');
    expect(malformed).toHaveLength(UNUSABLE.length);
    expect(malformed.every((l) => l.level === 40 && typeof l.updateId === 'number')).toBe(true);
    expect(malformed.flatMap((l) => l.issues)).toEqual(expect.arrayContaining(['message.chat:invalid_type', 'message.text:invalid_type', 'callback_query.data:invalid_type']));
    expect(t.logs()).not.toContain(MARKER);
    expect(t.logs()).not.toContain('790203001299');
    expect(t.logs()).not.toContain(String(CHAT));
  });

  it('after all of that, a well-formed update is still answered', async () => {
    const res = await postRaw(JSON.stringify(textUpdate(CHAT, 'vneid la gi')));
    expect(res.statusCode).toBe(200);
    expect(fake.sent().at(-1)!.body.chat_id).toBe(CHAT);
  });
});
