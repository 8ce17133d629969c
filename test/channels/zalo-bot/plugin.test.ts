import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { ZaloFake } from '../../helpers/zalo-fake.js';
import { makeEngine, sharedKnowledge, tempDir } from '../../helpers/engine.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { WorkQueue } from '../../../src/channels/zalo-oa/queue.js';
import { zaloBotPlugin, zaloBotEnabled, type ZaloBotConfig, type ZaloBotPluginOptions } from '../../../src/channels/zalo-bot/plugin.js';
import { MemorySink, sampleNames, sampleRaw } from '../zalo-oa/setup.js';
import { pseudonymize } from '../../../src/core/privacy/pseudonym.js';

const TOKEN = '1234567890:AbCdEfGhIjKlMnOpQrStUvWxYz';
const WEBHOOK_SECRET = 'zalo-bot-webhook-secret';
const SECRET = 'pseudonym-secret-for-tests-0123456789';
const CHAT = '7f3a9c2e5b1d4e8f9a0b';
const { script } = sharedKnowledge();

const fake = new ZaloFake();
let tmp: ReturnType<typeof tempDir>;

interface BotHarness {
  app: FastifyInstance;
  storage: SqliteStorage;
  queue: WorkQueue;
  sink: MemorySink;
  logs: string[];
  post(body: unknown, secret?: string | null): Promise<Response>;
  close(): Promise<void>;
}
let bot: BotHarness | undefined;

async function startBot(extra: Partial<ZaloBotConfig> = {}, options: Partial<ZaloBotPluginOptions> = {}): Promise<BotHarness> {
  const storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
  const sink = new MemorySink();
  const queue = new WorkQueue();
  const logs: string[] = [];
  const app = Fastify({ logger: { level: 'debug', stream: { write: (l: string) => void logs.push(l) } } });
  await app.register(zaloBotPlugin, {
    config: { ZALO_BOT_TOKEN: TOKEN, ZALO_BOT_WEBHOOK_SECRET: WEBHOOK_SECRET, ZALO_BOT_API_BASE: fake.baseUrl, PUBLIC_URL: undefined, ...extra },
    engine: makeEngine(storage, { sink }),
    storage,
    secret: SECRET,
    sink,
    queue,
    retry: { maxTries: 3, baseDelayMs: 5, timeoutMs: 2_000 },
    ...options,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/webhooks/zalo-bot`;
  return {
    app,
    storage,
    queue,
    sink,
    logs,
    post: (body, secret = WEBHOOK_SECRET) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret !== null ? { 'x-bot-api-secret-token': secret } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: async () => {
      await app.close();
      await storage.close();
    },
  };
}

let seq = 0;
function update(eventName: string, text?: string, messageId = `bmsg-${++seq}`) {
  return {
    event_name: eventName,
    message: {
      from: { id: CHAT, display_name: 'Người dùng', is_bot: false },
      chat: { id: CHAT, chat_type: 'PRIVATE' },
      ...(text !== undefined ? { text } : {}),
      message_id: messageId,
      date: Date.now(),
    },
  };
}
const wrapped = (u: object) => ({ ok: true, result: u });
const sentTexts = () => fake.botCalls('sendMessage').map((r) => (r.body as { text: string }).text);

beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  tmp = tempDir('zalo-bot-');
  fake.reset();
});
afterEach(async () => {
  await bot?.close();
  bot = undefined;
  tmp.cleanup();
});

describe('POST /webhooks/zalo-bot', () => {
  it('is enabled only with a token and a webhook secret', () => {
    expect(zaloBotEnabled({ ZALO_BOT_TOKEN: TOKEN, ZALO_BOT_WEBHOOK_SECRET: WEBHOOK_SECRET })).toBe(true);
    expect(zaloBotEnabled({ ZALO_BOT_TOKEN: TOKEN, ZALO_BOT_WEBHOOK_SECRET: undefined })).toBe(false);
  });

  it('rejects a missing or wrong X-Bot-Api-Secret-Token with 401 and does nothing', async () => {
    bot = await startBot();
    expect((await bot.post(wrapped(update('message.text.received', 'xin chào')), null)).status).toBe(401);
    expect((await bot.post(wrapped(update('message.text.received', 'xin chào')), 'wrong-secret')).status).toBe(401);
    expect((await bot.post(wrapped(update('message.text.received', 'xin chào')), WEBHOOK_SECRET + 'x')).status).toBe(401);
    await bot.queue.idle();
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ['wrapped {ok, result}', (u: object) => wrapped(u)],
    ['bare', (u: object) => u],
  ])('accepts a %s text update and answers with sendMessage {chat_id, text}', async (_name, shape) => {
    bot = await startBot();
    expect((await bot.post(shape(update('message.text.received', 'liên hệ')))).status).toBe(200);
    await bot.queue.idle();
    const calls = fake.botCalls('sendMessage');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[0]!.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(Object.keys(calls[0]!.body as object).sort()).toEqual(['chat_id', 'text']);
    expect((calls[0]!.body as { chat_id: string }).chat_id).toBe(CHAT);
  });

  it('shows choices as a numbered list and takes "2" as the second choice', async () => {
    bot = await startBot();
    await bot.post(wrapped(update('message.text.received', 'menu')));
    await bot.queue.idle();
    const menu = sentTexts();
    expect(menu.join('\n')).toContain('1. Tiện ích mức 1\n2. Tiện ích mức 2\n3. Kích hoạt tài khoản');
    expect(menu.join('\n')).toContain('4. Tích hợp giấy tờ');
    expect(menu.at(-1)).toContain('Bạn trả lời bằng số thứ tự');

    fake.reset();
    await bot.post(wrapped(update('message.text.received', ' 2 ')));
    await bot.queue.idle();
    // "2" = Tiện ích mức 2 (payload m:l2): its intro text comes back.
    expect(sentTexts()[0]).toContain('Tài khoản mức 2 có 9 tiện ích của mức 1 và 7 tiện ích dưới đây');
  });

  it('other events (image, sticker, unsupported) → the "text only" reply and the menu', async () => {
    bot = await startBot();
    for (const name of ['message.image.received', 'message.sticker.received', 'message.unsupported.received']) {
      fake.reset();
      expect((await bot.post(update(name))).status).toBe(200);
      await bot.queue.idle();
      expect(sentTexts()[0]).toBe(script.messages.nonText.trim());
    }
  });

  it('processes a message_id once', async () => {
    bot = await startBot();
    const u = update('message.text.received', 'xin chào', 'same-id-1');
    await bot.post(u);
    await bot.post(wrapped(u));
    await bot.queue.idle();
    const first = sentTexts().length;
    expect(first).toBeGreaterThan(0);
    await bot.post(u);
    await bot.queue.idle();
    expect(sentTexts()).toHaveLength(first);
  });

  it('an empty body with the right secret → 200, nothing processed; non-message events → 200 ignored', async () => {
    bot = await startBot();
    expect((await bot.post('')).status).toBe(200);
    expect((await bot.post({ event_name: 'bot.added' })).status).toBe(200);
    await bot.queue.idle();
    expect(fake.requests).toHaveLength(0);
  });

  it('a failed sendMessage is retried on 5xx, then recorded as a delivery failure without content', async () => {
    bot = await startBot();
    const path = `/bot${TOKEN}/sendMessage`;
    fake.script(path, { status: 502, body: { ok: false, error_code: 502, description: 'Bad gateway' } }, { body: { ok: true, result: {} } });
    await bot.post(update('message.text.received', 'liên hệ'));
    await bot.queue.idle();
    expect(fake.botCalls('sendMessage').length).toBeGreaterThanOrEqual(2);
    expect(bot.sink.ofType('delivery-failure')).toHaveLength(0);

    fake.reset();
    fake.setDefault(path, () => ({ body: { ok: false, error_code: 403, description: 'Forbidden' } }));
    await bot.post(update('message.text.received', 'liên hệ'));
    await bot.queue.idle();
    expect(fake.botCalls('sendMessage')).toHaveLength(1);
    expect(bot.sink.ofType('delivery-failure').map((e) => e.event)).toEqual([{ type: 'delivery-failure', code: 'bot:403' }]);
    // The bot token is in every API URL: it must never reach the log.
    expect(bot.logs.join('\n')).not.toContain(TOKEN.split(':')[1]);
    expect(bot.logs.join('\n')).not.toContain(CHAT);
  });

  it('calls setWebhook {url, secret_token} once listening when PUBLIC_URL is set', async () => {
    bot = await startBot({ PUBLIC_URL: 'https://vneid.xa-test.example' });
    await fake.waitFor(() => fake.botCalls('setWebhook').length > 0);
    expect(fake.botCalls('setWebhook')[0]!.body).toEqual({ url: 'https://vneid.xa-test.example/webhooks/zalo-bot', secret_token: WEBHOOK_SECRET });
  });

  describe("Zalo's published Bot samples, verbatim", () => {
    const EXPECTED: Record<string, { chat: string; reply: 'answer' | 'non-text' }> = {
      'text_wrapped.json': { chat: '6ede9afa66b88fe6d6a9', reply: 'answer' },
      'text_bare.json': { chat: 'e4ea2cd5189df1c3a88c', reply: 'answer' },
      // No event_name (a getUpdates sample): a message with text is still a text message.
      'getupdates_sample_no_event_name.json': { chat: 'e4ea2cd5189df1c3a88c', reply: 'answer' },
      'image.json': { chat: '6ede9afa66b88fe6d6a9', reply: 'non-text' },
      'sticker.json': { chat: '6ede9afa66b88fe6d6a9', reply: 'non-text' },
      'unsupported.json': { chat: '6ede9afa66b88fe6d6a9', reply: 'non-text' },
    };

    it('every sample file has an expected outcome here', () => {
      expect(sampleNames('bot').sort()).toEqual(Object.keys(EXPECTED).sort());
    });

    it.each(Object.entries(EXPECTED))('%s → %o', async (name, expected) => {
      bot = await startBot();
      expect((await bot.post(sampleRaw('bot', name))).status).toBe(200);
      await bot.queue.idle();
      const sent = fake.botCalls('sendMessage').map((r) => r.body as { chat_id: string; text: string });
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((m) => m.chat_id === expected.chat)).toBe(true);
      if (expected.reply === 'non-text') expect(sent[0]!.text).toBe(script.messages.nonText.trim());
      else expect(sent[0]!.text).not.toBe(script.messages.nonText.trim());
      expect(bot.logs.join('\n')).not.toContain(expected.chat);
    });
  });

  it('"xoa du lieu cua toi" asks with numbered choices; "1" erases the conversation and remembered choices', async () => {
    bot = await startBot();
    await bot.post(update('message.text.received', 'cách kích hoạt tài khoản'));
    await bot.post(update('message.text.received', 'xoa du lieu cua toi'));
    await bot.queue.idle();
    const last = () => (fake.botCalls('sendMessage').at(-1)!.body as { text: string }).text;
    expect(last()).toContain('Bạn muốn xóa dữ liệu của mình');
    expect(last()).toContain('1. Xóa dữ liệu\n2. Không xóa');
    const key = pseudonymize(SECRET, 'zalo-bot', CHAT);
    expect(await bot.storage.getConversation(key)).toBeDefined();
    await bot.post(update('message.text.received', '1'));
    await bot.queue.idle();
    expect(last()).toMatch(/^Đã xóa dữ liệu của bạn: cuộc trò chuyện đang dở, /);
    expect(await bot.storage.getConversation(key)).toBeUndefined();
  });
});
