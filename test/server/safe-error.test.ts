/**
 * Errors from grammY and axios carry the bot token, the Bot API payload (the citizen's text, the
 * chat id) and request configs (URLs, access tokens). Each is forced here for real (a local fake
 * that refuses, a closed port), logged through the server's pino options, and the captured
 * output is searched for every secret and personal value.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import axios from 'axios';
import pino from 'pino';
import { Api, Bot } from 'grammy';
import { loggerOptions } from '../../src/server/logger.js';
import { safeError } from '../../src/server/safe-error.js';
import { BOT_INFO, FakeTelegram } from '../helpers/telegram-fake.js';

const TOKEN = '123456789:SAFE-error_token_abcdefghijklmno';
const CHAT = 555000111;
const CITIZEN_TEXT = 'cccd 079203001299 của Trần Thị Bích Ngọc';
const ZALO_ACCESS = 'zalo-access-token-must-not-leak';

function capture() {
  let out = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  return { logger: pino(loggerOptions('info'), stream), out: () => out };
}

/** Every value that must never reach a log line. */
function expectNothingSecret(out: string) {
  for (const secret of [TOKEN, TOKEN.split(':')[1]!, String(CHAT), '079203001299', '079 203 001 299', 'Bích Ngọc', ZALO_ACCESS]) {
    expect(out).not.toContain(secret);
  }
}

let fake: FakeTelegram;
let closedPort: number;
beforeAll(async () => {
  fake = await new FakeTelegram().start();
  // A port that was just free: connecting to it is refused.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(() => fake.stop());

describe('grammY errors in the log', () => {
  it('GrammyError (Bot API refused sendMessage): method, status and description, no payload', async () => {
    fake.failNext.push({ method: 'sendMessage', code: 400 });
    const api = new Api(TOKEN, { apiRoot: fake.url });
    const err = await api.sendMessage(CHAT, CITIZEN_TEXT).catch((e: unknown) => e);
    // The error really carries what must not be logged.
    expect(JSON.stringify((err as { payload: unknown }).payload)).toContain('079203001299');

    const { logger, out } = capture();
    logger.error({ err }, 'Telegram: gửi tin thất bại');
    logger.error(err as Error);
    expectNothingSecret(out());
    const line = JSON.parse(out().split('\n')[0]!);
    expect(line.err).toMatchObject({ name: 'GrammyError', method: 'sendMessage', status: 400 });
    expect(line.err.payload).toBeUndefined();
  });

  it('HttpError (Bot API unreachable): node-fetch puts /bot<token>/ in its message; only the host is logged', async () => {
    const api = new Api(TOKEN, { apiRoot: `http://127.0.0.1:${closedPort}` });
    const err = await api.sendMessage(CHAT, CITIZEN_TEXT).catch((e: unknown) => e);
    expect(String((err as { error?: Error }).error?.message)).toContain(TOKEN);

    const { logger, out } = capture();
    logger.error({ err }, 'Telegram: mất kết nối');
    logger.error(err as Error);
    expectNothingSecret(out());
    const line = JSON.parse(out().split('\n')[0]!);
    expect(line.err.name).toBe('HttpError');
    expect(line.err.cause.message).toContain(`127.0.0.1:${closedPort}`);
    expect(line.err.cause.code).toBe('ECONNREFUSED');
  });

  it('BotError (a failed update): the inner error is logged, never the context with update and token', async () => {
    fake.failNext.push({ method: 'sendMessage', code: 403 });
    const bot = new Bot(TOKEN, { botInfo: BOT_INFO, client: { apiRoot: fake.url } });
    bot.on('message:text', (ctx) => ctx.reply(`Bạn vừa gửi: ${ctx.message.text}`));
    const update = {
      update_id: 1,
      message: {
        message_id: 1,
        date: 1_767_000_000,
        chat: { id: CHAT, type: 'private' as const, first_name: 'Bích Ngọc' },
        from: { id: CHAT, is_bot: false, first_name: 'Bích Ngọc', username: 'bichngoc_1990' },
        text: CITIZEN_TEXT,
      },
    };
    const err = await bot.handleUpdate(update).catch((e: unknown) => e);
    expect((err as Error).name).toBe('BotError');

    const { logger, out } = capture();
    logger.error({ err }, 'Telegram: xử lý cập nhật thất bại');
    logger.error(err as Error);
    expectNothingSecret(out());
    expect(out()).not.toContain('bichngoc_1990');
    expect(JSON.parse(out().split('\n')[0]!).err).toMatchObject({ name: 'GrammyError', wrappedIn: 'BotError', method: 'sendMessage', status: 403 });
  });
});

describe('axios errors in the log', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: -1, message: `echo ${CITIZEN_TEXT}` }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a 500 answer: status, method and host; no URL query, header token, request or response body', async () => {
    const err = await axios
      .post(`${base}/v3.0/oa/message/cs?access_token=${ZALO_ACCESS}`, { recipient: { user_id: String(CHAT) }, message: { text: CITIZEN_TEXT } }, { headers: { access_token: ZALO_ACCESS } })
      .catch((e: unknown) => e);
    expect(JSON.stringify((err as { config: unknown }).config)).toContain(ZALO_ACCESS);

    const { logger, out } = capture();
    logger.error({ err }, 'Zalo: gọi API thất bại');
    logger.error(err as Error);
    expectNothingSecret(out());
    expect(JSON.parse(out().split('\n')[0]!).err).toMatchObject({ name: 'AxiosError', status: 500, method: 'POST', host: new URL(base).host });
  });
});

describe('safeError', () => {
  it('a thrown non-error (a string, an update object) is logged by type only', () => {
    expect(safeError(CITIZEN_TEXT)).toEqual({ name: 'string', message: '[giá trị không phải Error]' });
    expect(JSON.stringify(safeError({ message: { text: CITIZEN_TEXT } }))).not.toContain('079203001299');
  });

  it('quoted values and URLs with passwords in a message are cut; identifiers stay', () => {
    const err = Object.assign(new Error(`invalid input syntax for type integer: "${CITIZEN_TEXT}" at postgres://vneid:hunter2pass@db.internal:5432/vneid in relation "kv"`), { code: '22P02' });
    const s = safeError(err);
    expect(s.code).toBe('22P02');
    expect(s.message).not.toContain('079203001299');
    expect(s.message).not.toContain('hunter2pass');
    expect(s.message).toContain('"kv"');
    expect(s.message).toContain('db.internal:5432');
  });
});
