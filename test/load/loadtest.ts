/**
 * `npm run loadtest`: requests/s and latency of `/api/chat` and the Telegram webhook under load
 * (autocannon over loopback), next to a bare Fastify hello-world measured in the same run with the
 * same client placement, plus the server's RSS. The app is wired as in production (openRuntime:
 * storage and the statistics sink), and asked the real citizen questions of the eval sets; one
 * /api/chat row makes every question new, so no cache of answers can help. Telegram replies go to
 * a local fake Bot API. With TEST_DATABASE_URL set, the same runs on PostgreSQL (a throw-away
 * schema). Each row follows an unrecorded 1 s warm-up. Limits that would measure the limiter
 * instead of the app are raised.
 *
 * LOADTEST_CLIENT=process (default): autocannon runs in a child process, on its own core.
 * LOADTEST_CLIENT=inline: in the server's thread, which then also pays for the client's CPU.
 * LOADTEST_SECONDS (default 5) and LOADTEST_CONNECTIONS (default 20) set each run.
 */
import { CommuneDirectory } from '../../src/core/communes/directory.js';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pino from 'pino';
import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { FakeTelegram, BOT_INFO } from '../helpers/telegram-fake.js';
import { sharedKnowledge, tempDir } from '../helpers/engine.js';
import { makePgStorage } from '../helpers/postgres.js';
import { buildApp, rateLimitOptions, serverOptions } from '../../src/server/app.js';
import { loggerOptions } from '../../src/server/logger.js';
import rateLimit from '@fastify/rate-limit';
import { webChatPlugin } from '../../src/channels/web/plugin.js';
import type { DialogEngine } from '../../src/core/dialog/engine.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { loadConfig, type Config } from '../../src/server/config.js';
import { createEngine, openRuntime, type Runtime } from '../../src/server/runtime.js';
import { loadOrCreateSecret } from '../../src/server/secrets.js';
import { StatsSink } from '../../src/core/stats/sink.js';
import { PostgresStatsStore } from '../../src/storage/postgres-stats.js';

const DURATION = Number(process.env.LOADTEST_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.LOADTEST_CONNECTIONS ?? 20);
const WARMUP_SECONDS = 1;
const SESSIONS = 500;
const WEBHOOK_SECRET = 'load-test-secret-0123456789';

// ---------------------------------------------------------------------------------------------
// Client side: the same code runs inline or in the child process, so placement is the only change.

const QUESTION_FILES = [new URL('../../../shared/eval/dev-questions.jsonl', import.meta.url), new URL('../fixtures/heldout-questions.jsonl', import.meta.url)];
const questionFiles = QUESTION_FILES.filter((f) => existsSync(f));
/** In-scope and out-of-scope questions as citizens write them (`{"q": ..., "accept": [...]}` per line). */
const QUESTIONS = [
  ...new Set(
    questionFiles.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => (JSON.parse(line) as { q: string }).q),
    ),
  ),
];

type Kind = 'bare' | 'chat' | 'chat-new' | 'telegram';
interface Job {
  url: string;
  kind: Kind;
  seconds: number;
}
interface Outcome {
  rps: number;
  p50: number;
  p99: number;
  /** Requests sent, answered or not: the server handled each of them. */
  sent: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

// Shared by all connections and kept across runs, so each request takes the next question and
// session, and a "new" question is never repeated anywhere in the run.
let seq = 0;
let fresh = 0;

/**
 * A word no question contains: "zq" + counter in base-26 letters. Letters, not digits, which
 * could look like a phone or ID number and take the personal-data warning path instead.
 */
function freshWord(n: number): string {
  let s = '';
  for (let i = n + 1; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(97 + ((i - 1) % 26)) + s;
  return `zq${s}`;
}

function chatBody(text: string, n: number): string {
  return JSON.stringify({ sessionId: `load-session-${n % SESSIONS}`, text });
}

function requestOptions(job: Job): autocannon.Options {
  const json = { 'content-type': 'application/json' };
  const base = { url: job.url, method: 'POST' as const, connections: CONNECTIONS, duration: job.seconds };
  // A setupRequest function builds every request anew; a static `requests` array would instead be
  // replayed from its start by each connection, repeating the same texts in lockstep.
  const dynamic = (body: () => string): autocannon.Request[] => [{ setupRequest: (req) => ({ ...req, body: body() }) }];
  switch (job.kind) {
    case 'bare':
      return { ...base, headers: json, body: '{}' };
    case 'chat':
      return { ...base, headers: json, requests: dynamic(() => chatBody(QUESTIONS[seq % QUESTIONS.length]!, seq++)) };
    case 'chat-new':
      return { ...base, headers: json, requests: dynamic(() => chatBody(`${QUESTIONS[seq % QUESTIONS.length]!} ${freshWord(fresh++)}`, seq++)) };
    case 'telegram':
      return {
        ...base,
        headers: { ...json, 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
        requests: dynamic(() => {
          const n = seq++;
          const id = 10_000_000 + n;
          const chat = 1000 + (n % SESSIONS);
          const text = QUESTIONS[n % QUESTIONS.length]!;
          return JSON.stringify({ update_id: id, message: { message_id: id, date: 1, chat: { id: chat, type: 'private' }, from: { id: chat, is_bot: false, first_name: 'A' }, text } });
        }),
      };
  }
}

async function fire(job: Job): Promise<Outcome> {
  const r = await autocannon(requestOptions(job));
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    sent: r.requests.sent,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0])),
  };
}

interface Client {
  placement: string;
  run(job: Job): Promise<Outcome>;
  close(): Promise<void>;
}

function inlineClient(): Client {
  return { placement: 'cùng luồng với máy chủ (LOADTEST_CLIENT=inline)', run: fire, close: async () => {} };
}

/** This same file in a child process (fork keeps tsx's loader flags), driven over IPC, one job at a time. */
function processClient(): Client {
  const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, LOADTEST_ROLE: 'client' } });
  let pending: { resolve: (o: Outcome) => void; reject: (e: Error) => void } | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (m: Outcome | { error: string }) => {
    const p = pending;
    pending = undefined;
    if ('error' in m) p?.reject(new Error(`autocannon (tiến trình con): ${m.error}`));
    else p?.resolve(m);
  });
  child.once('exit', (code) => pending?.reject(new Error(`tiến trình autocannon dừng (mã ${code})`)));
  return {
    placement: 'tiến trình riêng (LOADTEST_CLIENT=process)',
    run: (job) =>
      new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.send(job);
      }),
    close: async () => {
      child.disconnect();
      await exited;
    },
  };
}

if (process.env.LOADTEST_ROLE === 'client') {
  process.on('message', (job: Job) => {
    fire(job).then(
      (out) => process.send!(out),
      (err: unknown) => process.send!({ error: (err as Error).message }),
    );
  });
  process.once('disconnect', () => process.exit(0));
} else {
  await serve();
  // Everything serve() opened is closed by now, so the process should end here. If anything still
  // holds the event loop (a Telegram update that outlived its webhook and keeps retrying, a
  // socket, a pool), name it and leave rather than idle for minutes after the table. Unref'd: when
  // nothing is left, the process ends at once and this never fires.
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
    console.error(`loadtest: đo xong nhưng còn mở ${open.join(', ') || '(không rõ)'}; thoát`);
    process.exit(process.exitCode ?? 0);
  }, 3_000).unref();
}

// ---------------------------------------------------------------------------------------------
// Server side.

async function serve(): Promise<void> {
  const mode = process.env.LOADTEST_CLIENT ?? 'process';
  if (mode !== 'process' && mode !== 'inline') throw new Error(`LOADTEST_CLIENT=${mode}: dùng process hoặc inline`);
  if (QUESTIONS.length === 0) throw new Error('không tìm thấy câu hỏi (dev-questions.jsonl, heldout-questions.jsonl)');
  const client = mode === 'process' ? processClient() : inlineClient();

  interface Row extends Outcome {
    name: string;
    rssMiB: number;
  }
  const rows: Row[] = [];
  const notes: string[] = [];
  let sent = 0;
  const run = async (job: Job) => {
    const out = await client.run(job);
    sent += out.sent;
    return out;
  };
  const measure = async (name: string, target: Omit<Job, 'seconds'>): Promise<Row> => {
    // Unrecorded warm-up first: a route's first seconds pay for JIT and lazy set-up (without it
    // the first /api/chat row of a run came out at less than half its steady rate).
    await run({ ...target, seconds: WARMUP_SECONDS });
    const row = { name, ...(await run({ ...target, seconds: DURATION })), rssMiB: process.memoryUsage().rss / 1024 / 1024 };
    rows.push(row);
    return row;
  };
  const address = (server: { address(): string | AddressInfo | null }) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Logging as in production (default level, redaction), written to /dev/null: its cost counts,
  // its lines would only bury the table.
  const logger = pino(loggerOptions('info'), pino.destination('/dev/null'));

  // 1. Bare Fastify: the ceiling on this machine, in this run, with this client placement.
  const bare = Fastify();
  bare.post('/hello', async () => ({ hello: 'world' }));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  await measure('Fastify trần (hello world)', { url: `${address(bare.server)}/hello`, kind: 'bare' });
  await bare.close();


  const fake = await new FakeTelegram().start();
  const appConfig = (dataDir: string): Config =>
    loadConfig({
      DATA_DIR: dataDir,
      RATE_LIMIT_PER_MINUTE: '100000000',
      FLOOD_MAX_MESSAGES: '100000',
      // As in production: the dashboard on (its plugin is encapsulated, so it costs the chat nothing).
      ADMIN_PASSWORD: 'load-test-admin-password',
      TELEGRAM_BOT_TOKEN: '123456789:LOAD-token_abcdefghijklmnopqrstuv',
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TELEGRAM_API_ROOT: fake.url,
    });

  // 2. The HTTP floor of /api/chat: the real web-chat plugin behind the real rate limit, with a
  // dialog engine that returns a fixed, typical answer. What the chat can reach whatever the
  // engine costs; the difference to the rows below is the engine (matching, storage, statistics).
  {
    const { knowledge, script } = sharedKnowledge();
    const tmp = tempDir();
    const floorConfig = appConfig(tmp.dir);
    const scratch = new SqliteStorage(':memory:');
    const typical = await createEngine(floorConfig, { knowledge, script, storage: scratch }).handle({ channel: 'web', userKey: 'f'.repeat(32), text: 'tich hop bhyt sao' });
    await scratch.close();
    const floor = Fastify(serverOptions(floorConfig, logger));
    await floor.register(rateLimit, rateLimitOptions(floorConfig));
    await floor.register(webChatPlugin, { engine: { handle: async () => typical } as unknown as DialogEngine, secret: 'load-floor-secret', communeName: 'Xã' });
    await floor.listen({ port: 0, host: '127.0.0.1' });
    await measure('/api/chat, câu trả lời cố định (sàn HTTP)', { url: `${address(floor.server)}/api/chat`, kind: 'chat' });
    await floor.close();
    tmp.cleanup();
  }

  async function runApp(label: string, config: Config, runtime: Omit<Runtime, 'close' | 'review' | 'contentDir'>) {
    const { app } = await buildApp({ config, ...runtime, logger, telegramBotInfo: BOT_INFO });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = address(app.server);
    const started = Date.now();
    const sentBefore = sent;
    await measure(`/api/chat (${label}, câu hỏi lặp lại)`, { url: `${base}/api/chat`, kind: 'chat' });
    await measure(`/api/chat (${label}, câu hỏi mới)`, { url: `${base}/api/chat`, kind: 'chat-new' });
    const sentToChat = sent - sentBefore;
    await measure(`webhook Telegram (${label})`, { url: `${base}/webhooks/telegram`, kind: 'telegram' });
    // autocannon drops its connections at the end of a run with requests still inside the server:
    // wait until every request sent has its statistics written (each records one question), else
    // closing the storage fails them. The count also proves the sink runs on the request path.
    const expected = sent - sentBefore;
    const totals = () => runtime.statsStore.overview({ from: started, to: Date.now() + 1 });
    let t = await totals();
    for (const deadline = Date.now() + 10_000; t.questions < expected && Date.now() < deadline; t = await totals()) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    notes.push(
      `thống kê đã ghi (${label}): ${t.questions} câu hỏi cho ${expected} yêu cầu đã gửi (cả khởi động) — trả lời ${t.answered}, chưa chắc ${t.lowConfidence}, không trả lời ${t.unanswered}; dữ liệu cá nhân ${t.sensitive}`,
    );
    await app.close();
    notes.push(`Telegram (${label}): ${fake.sent().length} tin trả lời gửi tới Bot API giả cho ${sent - sentBefore - sentToChat} cập nhật`);
    fake.clear();
  }

  {
    const tmp = tempDir();
    const config = appConfig(tmp.dir);
    const runtime = await openRuntime(config, logger);
    try {
      await runApp('SQLite', config, runtime);
    } finally {
      await runtime.close();
      tmp.cleanup();
    }
  }

  if (process.env.TEST_DATABASE_URL) {
    // openRuntime always uses the 'public' schema of DATABASE_URL; the test helper's fresh schema
    // keeps runs apart and is dropped afterwards. The rest is wired as openRuntime does (its daily
    // retention timer aside, which never fires during a run).
    const tmp = tempDir();
    const config = appConfig(tmp.dir);
    const pg = await makePgStorage({ onError: (err) => logger.warn({ err: { message: err.message } }, 'PostgreSQL: mất kết nối') });
    try {
      const statsStore = new PostgresStatsStore(pg.storage.pool);
      const sink = new StatsSink({ store: statsStore, onError: (err) => logger.error({ err: { message: (err as Error).message } }, 'ghi thống kê thất bại') });
      const { knowledge, script } = sharedKnowledge();
      await runApp('PostgreSQL', config, { knowledge, script, communes: new CommuneDirectory([]), storage: pg.storage, secret: loadOrCreateSecret(tmp.dir), statsStore, sink });
      await statsStore.drain(); // as runtime.close() does: queued inserts are written before the pool closes
    } finally {
      await pg.cleanup();
      tmp.cleanup();
    }
  } else {
    console.log('(PostgreSQL bỏ qua: đặt TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test để đo)');
  }
  await fake.stop();
  await client.close();

  const ceiling = rows[0]!.rps;
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`\n${DURATION} s mỗi lượt, ${CONNECTIONS} kết nối đồng thời, qua loopback; máy khách autocannon: ${client.placement}`);
  console.log(`${QUESTIONS.length} câu hỏi thật (${questionFiles.map((f) => fileURLToPath(f).split('/').pop()).join(', ')}), ${SESSIONS} phiên; RSS của tiến trình máy chủ${mode === 'inline' ? ' (gồm cả autocannon)' : ''}`);
  console.log(`${'đích'.padEnd(width)} ${'yêu cầu/s'.padStart(10)} ${'% trần'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'lỗi'.padStart(5)} ${'RSS MiB'.padStart(8)}`);
  for (const r of rows) {
    const errors = r.errors + r.non2xx;
    console.log(
      `${r.name.padEnd(width)} ${r.rps.toFixed(0).padStart(10)} ${((100 * r.rps) / ceiling).toFixed(0).padStart(6)}% ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(errors).padStart(5)} ${r.rssMiB.toFixed(0).padStart(8)}`,
    );
  }
  // Errors should be 0: when not, say which kind so the cause can be found.
  for (const r of rows.filter((r) => r.errors + r.non2xx > 0)) {
    console.log(`lỗi ở "${r.name}": kết nối ${r.errors} (quá giờ ${r.timeouts}), mã HTTP ${JSON.stringify(r.statusCodes)}`);
  }
  for (const n of notes) console.log(n);
}
