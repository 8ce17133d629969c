/**
 * `npm run loadtest`: requests/s and latency of `/api/chat` and the Telegram webhook under load
 * (autocannon over loopback), next to a bare Fastify hello-world measured in the same run, plus
 * RSS memory. Telegram replies go to a local fake Bot API. With TEST_DATABASE_URL set, the same
 * runs on PostgreSQL. Limits that would measure the limiter instead of the app are raised.
 */
import autocannon from 'autocannon';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { FakeTelegram, BOT_INFO } from '../helpers/telegram-fake.js';
import { sharedKnowledge, tempDir } from '../helpers/engine.js';
import { makePgStorage } from '../helpers/postgres.js';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import type { Storage } from '../../src/storage/storage.js';
import pino from 'pino';
import { join } from 'node:path';

const DURATION = Number(process.env.LOADTEST_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.LOADTEST_CONNECTIONS ?? 20);
const QUESTIONS = ['tich hop bhyt sao', 'ko kich hoat dc muc 2', 'quên mật khẩu vneid', 'vneid la gi', 'giá vàng hôm nay', 'thêm bằng lái vào ví giấy tờ'];

interface Row { name: string; rps: number; p50: number; p99: number; errors: number; rssMiB: number }
const rows: Row[] = [];

async function measure(name: string, opts: autocannon.Options): Promise<Row> {
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts });
  const row = {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
    rssMiB: process.memoryUsage().rss / 1024 / 1024,
  };
  rows.push(row);
  return row;
}

const address = (server: { address(): string | AddressInfo | null }) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// 1. Bare Fastify: the ceiling on this machine, in this run.
const bare = Fastify();
bare.post('/hello', async () => ({ hello: 'world' }));
await bare.listen({ port: 0, host: '127.0.0.1' });
await measure('Fastify trần (hello world)', { url: `${address(bare.server)}/hello`, method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
await bare.close();

const fake = await new FakeTelegram().start();
let counter = 0;

async function runApp(label: string, open: () => Promise<{ storage: Storage; cleanup: () => Promise<void> }>) {
  const { storage, cleanup } = await open();
  const tmp = tempDir();
  const config = loadConfig({
    DATA_DIR: tmp.dir,
    RATE_LIMIT_PER_MINUTE: '100000000',
    FLOOD_MAX_MESSAGES: '100000',
    TELEGRAM_BOT_TOKEN: '123456789:LOAD-token_abcdefghijklmnopqrstuv',
    TELEGRAM_WEBHOOK_SECRET: 'load-test-secret-0123456789',
    TELEGRAM_API_ROOT: fake.url,
  });
  const { knowledge, script } = sharedKnowledge();
  const built = await buildApp({ config, knowledge, script, storage, secret: 'load-test-secret', logger: pino({ level: 'warn' }), telegramBotInfo: BOT_INFO });
  const t = { app: built.app, close: async () => { await built.app.close(); await cleanup(); tmp.cleanup(); } };
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = address(t.app.server);
  await measure(`/api/chat (${label})`, {
    url: `${base}/api/chat`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ sessionId: `load-session-${counter++ % 500}`, text: QUESTIONS[counter % QUESTIONS.length] }) }) }],
  });
  await measure(`webhook Telegram (${label})`, {
    url: `${base}/webhooks/telegram`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'load-test-secret-0123456789' },
    requests: [
      {
        setupRequest: (req) => {
          const id = 10_000_000 + counter++;
          const chat = 1000 + (id % 500);
          return { ...req, body: JSON.stringify({ update_id: id, message: { message_id: id, date: 1, chat: { id: chat, type: 'private' }, from: { id: chat, is_bot: false, first_name: 'A' }, text: QUESTIONS[id % QUESTIONS.length] } }) };
        },
      },
    ],
  });
  fake.clear();
  await t.close();
}

await runApp('SQLite', async () => {
  const dir = tempDir();
  const storage = new SqliteStorage(join(dir.dir, 'load.sqlite'));
  return { storage, cleanup: async () => { await storage.close(); dir.cleanup(); } };
});
if (process.env.TEST_DATABASE_URL) await runApp('PostgreSQL', () => makePgStorage());
else console.log('(PostgreSQL bỏ qua: đặt TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test để đo)');
await fake.stop();

const ceiling = rows[0]!.rps;
console.log(`\n${DURATION} s mỗi lượt, ${CONNECTIONS} kết nối đồng thời, qua loopback`);
console.log(`${'đích'.padEnd(34)} ${'yêu cầu/s'.padStart(10)} ${'% trần'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'lỗi'.padStart(5)} ${'RSS MiB'.padStart(8)}`);
for (const r of rows) {
  console.log(`${r.name.padEnd(34)} ${r.rps.toFixed(0).padStart(10)} ${((100 * r.rps) / ceiling).toFixed(0).padStart(6)}% ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.errors).padStart(5)} ${r.rssMiB.toFixed(0).padStart(8)}`);
}
