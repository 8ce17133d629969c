/**
 * A stalled database under Telegram traffic (defect 1 of issue 12): the webhook gives up waiting
 * and answers 503, the update keeps running, and when the stalled write finally fails that
 * failure must be handled, logged without token or message text, and counted. Before the fix
 * the late rejection was unhandled and stopped Node (here: vitest's unhandled-error report and
 * the listener below).
 */
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { buildApp, type App } from '../../../src/server/app.js';
import { loadConfig } from '../../../src/server/config.js';
import { loggerOptions } from '../../../src/server/logger.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { BOT_INFO, FakeTelegram, textUpdate } from '../../helpers/telegram-fake.js';
import { sharedKnowledge, tempDir } from '../../helpers/engine.js';

const TOKEN = '123456789:STALL-token_abcdefghijklmnopqr';
const SECRET = 'telegram-webhook-secret-stall';
const CHAT = 424242420;
const QUESTION = 'cccd 079203001299 tich hop bhyt the nao';
/** Long enough for any normal turn on a busy machine; the stalled one is held until released. */
const WEBHOOK_TIMEOUT_MS = 2_000;

/** A write that hangs until the test lets it go (then fails or completes). */
function gate() {
  let release!: () => void;
  const opened = new Promise<void>((r) => (release = r));
  return { opened, release };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let fake: FakeTelegram;
let built: App;
let storage: SqliteStorage;
let tmp: ReturnType<typeof tempDir>;
let logs = '';
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  fake = await new FakeTelegram().start();
  tmp = tempDir();
  storage = new SqliteStorage(join(tmp.dir, 'vneid-guide.sqlite'));
  const config = loadConfig({ DATA_DIR: tmp.dir, FLOOD_MAX_MESSAGES: '1000', TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.url });
  const logger = pino(
    loggerOptions('info'),
    new Writable({
      write(chunk, _enc, cb) {
        logs += chunk.toString();
        cb();
      },
    }),
  );
  built = await buildApp({ config, ...sharedKnowledge(), storage, secret: 'stall-test-secret-0123456789', logger, telegramBotInfo: BOT_INFO, telegramTimeoutMs: WEBHOOK_TIMEOUT_MS });
  await built.app.ready();
});
afterAll(async () => {
  await built.app.close();
  await storage.close();
  await fake.stop();
  tmp.cleanup();
  process.off('unhandledRejection', onUnhandled);
});

const post = (update: unknown) =>
  built.app.inject({ method: 'POST', url: '/webhooks/telegram', headers: { 'x-telegram-bot-api-secret-token': SECRET }, payload: update as object });

describe('Telegram webhook with a stalled database', () => {
  it('answers 503 in time, handles the late failure (logged clean, counted), then works again', async () => {
    const save = storage.saveConversation.bind(storage);
    // Counters are shared by the file's tests: compare with what they were, whatever ran before.
    const before = { ...built.telegram };
    fake.clear();
    // The database hangs past the webhook's wait, then the write fails (a frozen connection that times out).
    const stall = gate();
    storage.saveConversation = async () => {
      await stall.opened;
      throw Object.assign(new Error(`write failed for "${QUESTION}" (connection timeout)`), { code: 'ETIMEDOUT' });
    };
    const update = textUpdate(CHAT, QUESTION);
    const res = await post(update);
    expect(res.statusCode).toBe(503);
    expect(built.telegram.timeouts).toBe(before.timeouts + 1);
    expect(built.telegram.lateFailures).toBe(before.lateFailures);

    stall.release();
    await until(() => built.telegram.lateFailures === before.lateFailures + 1, 'the late failure to be counted');
    await sleep(50); // a rejection is reported as unhandled one turn after it happens
    expect(unhandled).toEqual([]);
    expect(logs).toContain('Telegram: cập nhật thất bại sau khi đã trả lời webhook');
    const lateLine = JSON.parse(logs.split('\n').find((l) => l.includes('sau khi đã trả lời webhook'))!);
    expect(lateLine.err).toMatchObject({ name: 'Error', code: 'ETIMEDOUT', wrappedIn: 'BotError' });
    expect(lateLine.updateId).toBe(update.update_id);
    for (const secret of [TOKEN, '079203001299', 'bhyt the nao', String(CHAT), '"Lan"']) expect(logs).not.toContain(secret);
    expect(fake.sent()).toHaveLength(0); // nothing was answered from a turn that was not saved

    // The database is back: Telegram's redelivery of the same update is processed (its dedupe
    // mark was taken back), and later updates work.
    storage.saveConversation = save;
    expect((await post(update)).statusCode).toBe(200);
    expect(fake.sent().at(-1)!.body.text).toContain('BHYT');
    fake.clear();
    expect((await post(textUpdate(CHAT, 'vneid la gi'))).statusCode).toBe(200);
    expect(fake.sent().at(-1)!.body.chat_id).toBe(CHAT);
    expect(built.telegram.lateFailures).toBe(before.lateFailures + 1);
  });

  it('an update that ends well after the timeout is logged as finished, not as a failure', async () => {
    const save = storage.saveConversation.bind(storage);
    const before = { ...built.telegram };
    const stall = gate();
    storage.saveConversation = async (...args: Parameters<typeof save>) => {
      await stall.opened;
      return save(...args);
    };
    try {
      expect((await post(textUpdate(CHAT + 1, 'quen passcode'))).statusCode).toBe(503);
      stall.release();
      await until(() => logs.includes('Telegram: cập nhật đã xong sau khi hết thời gian chờ'), 'the late success');
      expect(built.telegram).toEqual({ timeouts: before.timeouts + 1, lateFailures: before.lateFailures });
      expect(fake.sent().some((c) => c.body.chat_id === CHAT + 1)).toBe(true);
    } finally {
      storage.saveConversation = save;
    }
  });
});
