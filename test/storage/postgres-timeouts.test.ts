/**
 * A stalled PostgreSQL fails a request fast (issue 12 #11): every database call is bounded by
 * less than Telegram's 9 s webhook, whether the server is alive but blocked (a locked table:
 * the server cancels the statement) or the connection is frozen (no answer at all: the client
 * gives up). Skipped without TEST_DATABASE_URL (CI sets it).
 */
import net from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_TIMEOUTS, PostgresStorage } from '../../src/storage/postgres.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { freshSchema, makePgStorage, PG_SKIP_MESSAGE, TEST_DATABASE_URL, type PgTestStorage } from '../helpers/postgres.js';

if (!TEST_DATABASE_URL) console.warn(PG_SKIP_MESSAGE);
const describePg = TEST_DATABASE_URL ? describe : describe.skip;

/** Telegram answers a webhook that took longer with a redelivery; nothing may wait that long. */
const TELEGRAM_WEBHOOK_MS = 9_000;

describe('PostgreSQL timeouts (configuration)', () => {
  it('getting a connection plus one statement fits in the webhook time', () => {
    expect(POSTGRES_TIMEOUTS.statementMs).toBeLessThan(POSTGRES_TIMEOUTS.queryMs);
    expect(POSTGRES_TIMEOUTS.connectionMs + POSTGRES_TIMEOUTS.queryMs).toBeLessThan(TELEGRAM_WEBHOOK_MS);
  });

  it('SQLite waits for a lock held by another connection (the report CLI) less than that too', async () => {
    const storage = new SqliteStorage(':memory:');
    try {
      const busy = storage.db.pragma('busy_timeout', { simple: true }) as number;
      expect(busy).toBeGreaterThan(0);
      expect(busy).toBeLessThan(TELEGRAM_WEBHOOK_MS);
    } finally {
      await storage.close();
    }
  });
});

describePg('a stalled PostgreSQL fails calls instead of hanging', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('a locked table: the read and the save are cancelled by the server, then work again', { timeout: TELEGRAM_WEBHOOK_MS * 3 }, async () => {
    const t: PgTestStorage = await makePgStorage();
    cleanups.push(t.cleanup);
    await t.storage.saveConversation('ps.0123456789abcdef0123456789abcdef', { step: 1 }, 1000);
    const locker = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${t.schema}` });
    await locker.connect();
    cleanups.push(() => locker.end());
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE conversations IN ACCESS EXCLUSIVE MODE');

    // Without the timeouts these would wait for the lock (or the socket) for ever: the test's
    // own timeout is the backstop; the error says which bound fired.
    const [read, save] = await Promise.allSettled([
      t.storage.getConversation('ps.0123456789abcdef0123456789abcdef'),
      t.storage.saveConversation('ps.0123456789abcdef0123456789abcdef', { step: 2 }, 2000),
    ]);
    for (const r of [read, save]) {
      expect(r.status).toBe('rejected');
      // 57014 query_canceled: "canceling statement due to statement timeout".
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: '57014' });
    }

    await locker.query('ROLLBACK');
    expect(await t.storage.getConversation('ps.0123456789abcdef0123456789abcdef')).toMatchObject({ state: { step: 1 } });
  });

  it('a frozen connection (no answer at all): the client gives up, the connection is replaced', { timeout: TELEGRAM_WEBHOOK_MS * 3 }, async () => {
    // A TCP relay that can stop relaying while keeping both sockets open: the server is alive,
    // answers, but nothing reaches the client, as on a half-dead network path.
    const upstream = new URL(TEST_DATABASE_URL!);
    let frozen = false;
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((client) => {
      const server = net.connect(Number(upstream.port || 5432), upstream.hostname);
      for (const s of [client, server]) {
        sockets.add(s);
        s.on('error', () => undefined).on('close', () => sockets.delete(s));
      }
      client.on('data', (d) => frozen || server.write(d));
      server.on('data', (d) => frozen || client.write(d));
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      relay.close();
      sockets.forEach((s) => s.destroy());
    });
    const url = new URL(TEST_DATABASE_URL!);
    url.port = String((relay.address() as net.AddressInfo).port);
    const schema = freshSchema();
    const storage = await PostgresStorage.connect(url.toString(), { schema, onError: () => undefined });
    cleanups.push(() => PostgresStorage.dropSchema(TEST_DATABASE_URL!, schema));
    cleanups.push(() => Promise.race([storage.close().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000).unref())]));
    await storage.saveConversation('before', { step: 1 }, 1000);

    frozen = true;
    const outcome = await Promise.allSettled([storage.getConversation('before'), storage.markProcessed('telegram', '42')]);
    expect(outcome.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((outcome[0] as PromiseRejectedResult).reason)).toMatch(/timeout/i);

    frozen = false;
    expect(await storage.getConversation('before')).toMatchObject({ state: { step: 1 } });
  });
});
