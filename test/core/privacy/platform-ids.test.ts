/**
 * Only pseudonyms are stored (issue 12 #18). Real-shaped ids of every channel — Telegram chat
 * ids, a 19-digit Zalo OA user id, a web session id, a Zalo Bot id — go through the real app
 * (webhooks and /api/chat, real SQLite file, statistics on): no id, nor its first 16 digits
 * (what a 19-digit Zalo id used to be stored as), is in the database file or its WAL; every
 * conversation key is a pseudonym and every statistics key is 16 hex digits.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPseudonym } from '../../../src/core/privacy/pseudonym.js';
import { StatsSink } from '../../../src/core/stats/sink.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { FakeTelegram, textUpdate } from '../../helpers/telegram-fake.js';
import { ZaloFake } from '../../helpers/zalo-fake.js';
import { oaConfig, sign, textEvent } from '../../channels/zalo-oa/setup.js';

const TELEGRAM_IDS = [7733112299, 5012345678901234]; // a user id, and one at Telegram's 52-bit size
const ZALO_OA_ID = '4455667788990011223';
const ZALO_BOT_ID = '7f3a9c2e5b1d4e8f9a0b';
const WEB_SESSION = '0123456789abcdef0123456789abcdef'; // a session id that looks like hex on purpose
const TG_SECRET = 'telegram-webhook-secret-ids';
const BOT_SECRET = 'zalo-bot-webhook-secret-ids';
/** How the four channels name themselves in the statistics. */
const CHANNELS = ['telegram', 'web', 'zalo-bot', 'zalo-oa'];
const QUESTION = 'quên mật khẩu VNeID thì làm sao';

let telegram: FakeTelegram;
const zalo = new ZaloFake();
let t: TestApp;
let base: string;

beforeAll(async () => {
  telegram = await new FakeTelegram().start();
  await zalo.start();
  const oa = oaConfig(zalo);
  t = await makeApp(
    {
      TELEGRAM_BOT_TOKEN: '1234567:AbCdEfGhIjKlMnOpQrStUvWxYz012345678',
      TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
      TELEGRAM_API_ROOT: telegram.url,
      ...Object.fromEntries(Object.entries(oa).map(([k, v]) => [k, String(v)])),
      ZALO_BOT_TOKEN: '1234567890:AbCdEfGhIjKlMnOpQrStUvWxYz',
      ZALO_BOT_WEBHOOK_SECRET: BOT_SECRET,
      ZALO_BOT_API_BASE: zalo.baseUrl,
    },
    { deps: (storage) => ({ sink: new StatsSink({ store: new SqliteStatsStore(storage.db) }) }) },
  );
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
}, 30_000);

afterAll(async () => {
  await t?.close();
  await telegram?.stop();
  await zalo.close();
});

async function waitFor(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(predicate()).toBe(true);
}

function rawBytes(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
}

describe('ids of every channel, through the real app', () => {
  it('are stored only as pseudonyms', async () => {
    for (const id of TELEGRAM_IDS) {
      const res = await fetch(`${base}/webhooks/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET },
        body: JSON.stringify(textUpdate(id, QUESTION)),
      });
      expect(res.status).toBe(200);
    }
    const web = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: WEB_SESSION, text: QUESTION }) });
    expect(web.status).toBe(200);
    const raw = JSON.stringify(textEvent(QUESTION, { userId: ZALO_OA_ID }));
    const oa = await fetch(`${base}/webhooks/zalo`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-zevent-signature': sign(raw, JSON.parse(raw).timestamp as string) }, body: raw });
    expect(oa.status).toBe(200);
    const bot = await fetch(`${base}/webhooks/zalo-bot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bot-api-secret-token': BOT_SECRET },
      body: JSON.stringify({ event_name: 'message.text.received', message: { from: { id: ZALO_BOT_ID, display_name: 'Người dùng', is_bot: false }, chat: { id: ZALO_BOT_ID, chat_type: 'PRIVATE' }, text: QUESTION, message_id: 'bmsg-ids-1', date: Date.now() } }),
    });
    expect(bot.status).toBe(200);

    // Every channel answered (so every turn ran and was stored).
    await waitFor(() => TELEGRAM_IDS.every((id) => telegram.sent().some((c) => c.body.chat_id === id)));
    await waitFor(() => zalo.sentMessages().some((m) => m.recipient.user_id === ZALO_OA_ID));
    await waitFor(() => zalo.botCalls('sendMessage').length > 0);

    const db = t.storage.db;
    const channels = db.prepare('SELECT DISTINCT channel FROM stats_events ORDER BY channel').pluck().all();
    expect(channels).toEqual(CHANNELS);
    const userKeys = db.prepare('SELECT DISTINCT user_key FROM stats_events').pluck().all() as string[];
    expect(userKeys.length).toBeGreaterThanOrEqual(5);
    for (const k of userKeys) expect(k).toMatch(/^[0-9a-f]{16}$/);
    const convKeys = db.prepare('SELECT key FROM conversations').pluck().all() as string[];
    expect(convKeys.length).toBeGreaterThanOrEqual(5);
    for (const k of convKeys) expect(isPseudonym(k), k).toBe(true);

    const bytes = rawBytes(join(t.dir, 'vneid-guide.sqlite'));
    expect(bytes.includes(convKeys[0]!)).toBe(true); // the search sees what is stored
    const ids = [...TELEGRAM_IDS.map(String), ZALO_OA_ID, ZALO_OA_ID.slice(0, 16), ZALO_BOT_ID, ZALO_BOT_ID.slice(0, 16), WEB_SESSION, WEB_SESSION.slice(0, 16)];
    for (const id of ids) expect(bytes.includes(id), id).toBe(false);
  });
});
