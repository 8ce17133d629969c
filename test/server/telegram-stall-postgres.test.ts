/**
 * Issue 12, defect 1 as it was seen: a real server process on PostgreSQL, every table locked for
 * 15 s while Telegram updates arrive. The webhook answers 503 after its 9 s (Telegram
 * redelivers), the updates that then fail or finish late are handled, and the process stays
 * up, serves the next update, and has logged no token, message text or chat id. Before the fix
 * the process exited ~11 s into the stall. Skipped without TEST_DATABASE_URL.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { PG_SKIP_MESSAGE, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg-database.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { FakeTelegram, textUpdate } from '../helpers/telegram-fake.js';
import { tempDir } from '../helpers/engine.js';

if (!TEST_DATABASE_URL) console.warn(PG_SKIP_MESSAGE);
const describePg = TEST_DATABASE_URL ? describe : describe.skip;

const TOKEN = '123456789:PGSTALL-token_abcdefghijklmnopq';
const SECRET = 'telegram-webhook-secret-pgstall';
const STALL_MS = 15_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describePg('Telegram traffic during a 15 s PostgreSQL stall (real server process)', { shuffle: false }, () => {
  let db: TestDatabase;
  let fake: FakeTelegram;
  let dir: ReturnType<typeof tempDir>;
  let server: ServerProcess;
  let base = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    await (await PostgresStorage.connect(db.url)).close(); // migrated before the server starts
    fake = await new FakeTelegram().start();
    dir = tempDir();
    server = startServerProcess(
      { DATABASE_URL: db.url, DATA_DIR: dir.dir, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.url, STATS_SECRET: 'pg-stall-stats-secret-0123456789' },
      { startTimeoutMs: 50_000 },
    );
    base = await server.listening;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await fake?.stop();
    await db?.drop();
    dir?.cleanup();
  }, 30_000);

  const post = (update: unknown) =>
    fetch(`${base}/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(update) }).then((r) => r.status);

  it('503 during the stall, the process survives, the next update is answered, nothing secret logged', async () => {
    expect(await post(textUpdate(71001, 'vneid la gi'))).toBe(200);

    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE conversations, processed, kv, stats_events IN ACCESS EXCLUSIVE MODE');
    const during = Array.from({ length: 5 }, (_, i) => post(textUpdate(72000 + i, `cccd 07920300129${i} tich hop bhyt`)));
    await sleep(STALL_MS);
    await locker.query('COMMIT');
    await locker.end();
    // Database calls time out within the webhook's 9 s (issue 12 #11): a turn fails fast (500);
    // one that still outlived the webhook gets 503. Telegram redelivers either; never a 200.
    const statuses = await Promise.all(during);
    for (const status of statuses) expect([500, 503]).toContain(status);

    // Every update that outlived its webhook has ended, one way or the other.
    const outlived = statuses.filter((s) => s === 503).length;
    const ended = () => (server.output().match(/sau khi hết thời gian chờ|sau khi đã trả lời webhook/g) ?? []).length;
    for (let i = 0; i < 200 && ended() < outlived; i++) await sleep(100);
    expect(ended()).toBe(outlived);
    expect(server.child.exitCode).toBeNull();
    expect(server.child.signalCode).toBeNull();

    fake.clear();
    expect(await post(textUpdate(73001, 'quen passcode'))).toBe(200);
    expect(fake.sent().some((c) => c.body.chat_id === 73001)).toBe(true);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const out = server.output();
    for (const secret of [TOKEN, TOKEN.split(':')[1]!, '07920300129', 'tich hop bhyt', '72000', '72001']) expect(out).not.toContain(secret);
  }, 90_000);

  it('stops cleanly on SIGTERM afterwards', async () => {
    expect(await server.stop()).toBe(0);
  }, 20_000);
});
