/**
 * Bot API failures that no retry can fix (issue 12, defect 17): a citizen who blocked the bot
 * (403) or a chat that is gone (400 "chat not found"). The webhook answers 200 once, the
 * failure is counted for officials, and a redelivery of the same update runs nothing again.
 * 429 and 5xx stay transient: retried, and a lasting one fails the update so Telegram
 * redelivers it. The fake answers with Telegram's real error bodies.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeTelegram, TELEGRAM_ERRORS, callbackUpdate, textUpdate } from '../../helpers/telegram-fake.js';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { StatsSink } from '../../../src/core/stats/sink.js';

const TOKEN = '123456789:PERMANENT-token_abcdefghijklm';
const SECRET = 'telegram-webhook-secret-permanent';
const BLOCKED = 611000001;
const GONE = 611000002;
const OK = 611000003;

let fake: FakeTelegram;
let t: TestApp;
beforeAll(async () => {
  fake = await new FakeTelegram().start();
  fake.blockedChats.add(BLOCKED);
  fake.missingChats.add(GONE);
  t = await makeApp(
    { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.url },
    {
      deps: (storage) => {
        const statsStore = new SqliteStatsStore(storage.db);
        return { statsStore, sink: new StatsSink({ store: statsStore }) };
      },
    },
  );
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});
beforeEach(() => fake.clear());

const post = (update: unknown) =>
  t.app.inject({ method: 'POST', url: '/webhooks/telegram', headers: { 'x-telegram-bot-api-secret-token': SECRET }, payload: update as object });

/** Statistics rows of one type, read from the SQLite file. */
const events = (type: string) =>
  t.storage.db.prepare('SELECT channel, failure_code AS code FROM stats_events WHERE type = ? ORDER BY id').all(type) as Array<{ channel: string; code: string | null }>;
const count = (type: string) => events(type).length;

describe('the fake speaks Telegram', () => {
  it('a blocked chat gets the Bot API 403 body, status and all', async () => {
    const res = await fetch(`${fake.url}/bot${TOKEN}/sendMessage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: BLOCKED, text: 'x' }) });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
  });
  it('a missing chat gets 400 "chat not found"', async () => {
    const res = await fetch(`${fake.url}/bot${TOKEN}/sendMessage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: GONE, text: 'x' }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, error_code: 400, description: 'Bad Request: chat not found' });
  });
});

describe.each([
  ['blocked the bot (403)', BLOCKED, '403'],
  ['chat not found (400)', GONE, '400'],
])('a citizen whose chat fails permanently: %s', (_name, chatId, code) => {
  it('answered 200 once, one send attempt, one delivery failure; a redelivery runs nothing', async () => {
    const questionsBefore = count('question');
    const failuresBefore = count('delivery-failure');
    const update = textUpdate(chatId, 'vneid la gi');

    const first = await post(update);
    expect(first.statusCode).toBe(200);
    // Not retried: one call, and the next replies of the turn are not tried either.
    expect(fake.sent()).toHaveLength(1);
    expect(count('question')).toBe(questionsBefore + 1);
    expect(events('delivery-failure').slice(failuresBefore)).toEqual([{ channel: 'telegram', code }]);

    // Telegram redelivers (e.g. the 200 was lost): the turn is not run a second time.
    fake.clear();
    const again = await post(update);
    expect(again.statusCode).toBe(200);
    expect(fake.sent()).toEqual([]);
    expect(count('question')).toBe(questionsBefore + 1);
    expect(count('delivery-failure')).toBe(failuresBefore + 1);

    // Logged with its code, never with the chat id or the text.
    expect(t.logs()).toContain(`"code":"${code}"`);
    expect(t.logs()).not.toContain(String(chatId));
    expect(t.logs()).not.toContain('vneid la gi');
  });

  it('a walkthrough step is advanced once, not once per redelivery', async () => {
    const failing = chatId === BLOCKED ? fake.blockedChats : fake.missingChats;
    // Reachable while the walkthrough starts, unreachable for the next step.
    failing.delete(chatId);
    await post(callbackUpdate(chatId, '#vg:w:integrate-bhyt'));
    expect(fake.sent().at(-1)!.body.text).toContain('Bước 1/');
    failing.add(chatId);

    const next = callbackUpdate(chatId, '#vg:next');
    expect((await post(next)).statusCode).toBe(200);
    expect((await post(next)).statusCode).toBe(200);

    // Reachable again: the next step shown is 3, so the failed "next" ran exactly once.
    failing.delete(chatId);
    fake.clear();
    await post(callbackUpdate(chatId, '#vg:next'));
    expect(fake.sent().at(-1)!.body.text).toContain('Bước 3/');
    failing.add(chatId);
  });
});

describe('transient failures stay transient', () => {
  it('429 with retry_after is retried and delivered; no delivery failure', async () => {
    const failures = count('delivery-failure');
    fake.failNext.push({ method: 'sendMessage', error: TELEGRAM_ERRORS.tooManyRequests(1) });
    expect((await post(textUpdate(OK, 'vneid la gi'))).statusCode).toBe(200);
    // The refused message is sent again, then the rest of the turn.
    const texts = fake.sent().map((c) => c.body.text);
    expect(texts[1]).toBe(texts[0]);
    expect(texts.at(-1)).toContain('VNeID');
    expect(count('delivery-failure')).toBe(failures);
  });

  it('a 502 is retried and delivered; no delivery failure', async () => {
    const failures = count('delivery-failure');
    fake.failNext.push({ method: 'sendMessage', error: TELEGRAM_ERRORS.badGateway });
    expect((await post(textUpdate(OK + 1, 'vneid la gi'))).statusCode).toBe(200);
    const texts = fake.sent().map((c) => c.body.text);
    expect(texts[1]).toBe(texts[0]);
    expect(texts.at(-1)).toContain('VNeID');
    expect(count('delivery-failure')).toBe(failures);
  });

  it('an old button ("query is too old", 400 on answerCallbackQuery) still gets its answer', async () => {
    fake.failNext.push({ method: 'answerCallbackQuery', error: TELEGRAM_ERRORS.queryTooOld });
    const failures = count('delivery-failure');
    expect((await post(callbackUpdate(OK + 2, '#vg:w:integrate-bhyt'))).statusCode).toBe(200);
    expect(fake.sent().at(-1)!.body.text).toContain('Bước 1/');
    expect(count('delivery-failure')).toBe(failures);
  });
});
