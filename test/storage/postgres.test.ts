/**
 * PostgresStorage against a real server (TEST_DATABASE_URL): the shared contract, then what
 * only a shared database has to get right — several instances on one schema.
 */
import net from 'node:net';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POSTGRES_SCHEMA_VERSION, PostgresStorage, PostgresStorageError } from '../../src/storage/postgres.js';
import { freshSchema, makePgStorage, PG_SKIP_MESSAGE, TEST_DATABASE_URL, type PgTestStorage } from '../helpers/postgres.js';
import { storageContract } from './contract.js';
import { PostgresStatsStore } from '../../src/storage/postgres-stats.js';

// The one line saying how to enable the suite (npm test stays green without PostgreSQL).
if (!TEST_DATABASE_URL) console.warn(PG_SKIP_MESSAGE);
const describePg = TEST_DATABASE_URL ? describe : describe.skip;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

/** A side connection for looking at the server from outside the storage under test. */
async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Backends holding (granted) the advisory lock withLock(name) takes in `schema`. */
async function lockHolders(schema: string, name: string): Promise<number[]> {
  return admin(async (c) => {
    const { rows } = await c.query<{ pid: number }>(
      `SELECT pid FROM pg_locks
        WHERE locktype = 'advisory' AND objsubid = 2 AND granted
          AND classid = hashtext($1)::oid AND objid = hashtext($2)::oid`,
      [schema, name],
    );
    return rows.map((r) => r.pid);
  });
}

describePg('PostgresStorage', () => {
  storageContract('PostgreSQL', () => makePgStorage());

  describe('schema and migrations', () => {
    it('creates its tables in its own schema and records the version', async () => {
      const { storage, schema, cleanup } = await makePgStorage();
      try {
        const tables = await admin(async (c) =>
          (await c.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema])).rows.map(
            (r) => r.table_name,
          ),
        );
        expect(tables).toEqual(['conversations', 'kv', 'processed', 'review_changes', 'schema_migrations', 'stats_events', 'teams']);
        const versions = (await storage.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY 1')).rows.map((r) => r.version);
        expect(versions).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
      } finally {
        await cleanup();
      }
    });

    it('is safe when two instances migrate the same fresh schema at once, and again later', async () => {
      const url = TEST_DATABASE_URL!;
      const schema = freshSchema();
      try {
        const [a, b] = await Promise.all([PostgresStorage.connect(url, { schema }), PostgresStorage.connect(url, { schema })]);
        const c = await PostgresStorage.connect(url, { schema });
        await a.setValue('k', 'from a');
        expect(await b.getValue('k')).toBe('from a');
        expect(await c.getValue('k')).toBe('from a');
        const { rows } = await c.pool.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations');
        expect(Number(rows[0]?.n)).toBe(POSTGRES_SCHEMA_VERSION);
        await Promise.all([a.close(), b.close(), c.close()]);
      } finally {
        await PostgresStorage.dropSchema(url, schema);
      }
    });

    it("keeps its schema when the URL carries its own connection options", async () => {
      const url = TEST_DATABASE_URL!;
      const withOptions = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c search_path=public -c work_mem=5MB')}`;
      const schema = freshSchema();
      try {
        const storage = await PostgresStorage.connect(withOptions, { schema });
        const { rows } = await storage.pool.query<{ path: string; mem: string }>(
          "SELECT current_setting('search_path') AS path, current_setting('work_mem') AS mem",
        );
        expect(rows[0]).toEqual({ path: schema, mem: '5MB' });
        await storage.close();
      } finally {
        await PostgresStorage.dropSchema(url, schema);
      }
    });

    it('refuses a schema name it cannot put safely into a connection option', async () => {
      await expect(PostgresStorage.connect(TEST_DATABASE_URL!, { schema: 'Bad name; --' })).rejects.toThrow(PostgresStorageError);
      await expect(PostgresStorage.dropSchema(TEST_DATABASE_URL!, 'public')).rejects.toThrow('refusing');
    });
  });

  describe('two instances on one schema', () => {
    let a: PgTestStorage;
    let b: PostgresStorage;

    beforeEach(async () => {
      a = await makePgStorage();
      b = await PostgresStorage.connect(TEST_DATABASE_URL!, { schema: a.schema });
    });

    afterEach(async () => {
      await b.close();
      await a.cleanup();
    });

    it('share conversations: one conversation alternating between them keeps its state', async () => {
      await a.storage.saveConversation('tg:u1', { guide: 'dang-ky', step: 1 }, 1000);
      const seen = await b.getConversation<{ guide: string; step: number }>('tg:u1');
      expect(seen).toEqual({ state: { guide: 'dang-ky', step: 1 }, updatedAt: 1000 });
      await b.saveConversation('tg:u1', { ...seen!.state, step: 2 }, 2000);
      expect(await a.storage.getConversation('tg:u1')).toEqual({ state: { guide: 'dang-ky', step: 2 }, updatedAt: 2000 });
    });

    it('dedupe a redelivered update across instances: exactly one wins', async () => {
      expect(await a.storage.markProcessed('telegram', '1')).toBe(true);
      expect(await b.markProcessed('telegram', '1')).toBe(false);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a.storage : b).markProcessed('telegram', 'race')));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('setValueIfAbsent across instances: both end up with the one value that won', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a.storage : b).setValueIfAbsent('stats-secret', `candidate-${i}`)));
      expect(new Set(results).size).toBe(1);
      expect(await b.getValue('stats-secret')).toBe(results[0]);
      expect(await a.storage.setValueIfAbsent('stats-secret', 'late')).toBe(results[0]);
    });

    it('withLock excludes across instances: B waits until A releases', async () => {
      const release = deferred();
      let aIn = false;
      let bIn = false;
      const first = a.storage.withLock('zalo-token', async () => {
        aIn = true;
        await release.promise;
        return 'a';
      });
      await until(() => aIn);
      expect(await lockHolders(a.schema, 'zalo-token')).toHaveLength(1);
      const second = b.withLock('zalo-token', async () => {
        bIn = true;
        return 'b';
      });
      await sleep(300);
      expect(bIn).toBe(false);
      release.resolve();
      expect(await Promise.all([first, second])).toEqual(['a', 'b']);
      expect(bIn).toBe(true);
      // Unlocked, and the clients went back to the pools.
      expect(await lockHolders(a.schema, 'zalo-token')).toEqual([]);
    });

    it('withLock makes read-modify-write safe across instances', async () => {
      await a.storage.setValue('counter', '0');
      const increment = (s: PostgresStorage) =>
        s.withLock('counter', async () => {
          const n = Number(await s.getValue('counter'));
          await sleep(2);
          await s.setValue('counter', String(n + 1));
        });
      await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 ? a.storage : b)));
      expect(await a.storage.getValue('counter')).toBe('20');
    });

    it('a throwing holder releases the lock for the other instance', async () => {
      await expect(
        a.storage.withLock('zalo-token', async () => {
          throw new Error('refresh failed');
        }),
      ).rejects.toThrow('refresh failed');
      expect(await lockHolders(a.schema, 'zalo-token')).toEqual([]);
      await expect(b.withLock('zalo-token', async () => 'b')).resolves.toBe('b');
    });

    it('the same lock name in another schema (another deployment) does not wait', async () => {
      const other = await makePgStorage();
      const release = deferred();
      let aIn = false;
      try {
        const held = a.storage.withLock('zalo-token', async () => {
          aIn = true;
          await release.promise;
        });
        await until(() => aIn);
        await expect(other.storage.withLock('zalo-token', async () => 'other')).resolves.toBe('other');
        release.resolve();
        await held;
      } finally {
        release.resolve();
        await other.cleanup();
      }
    });

    it('a waiter gives up after lockWaitMs, and its instance can lock again afterwards', async () => {
      const impatient = await PostgresStorage.connect(TEST_DATABASE_URL!, { schema: a.schema, lockWaitMs: 200 });
      const release = deferred();
      let aIn = false;
      try {
        const held = a.storage.withLock('zalo-token', async () => {
          aIn = true;
          await release.promise;
        });
        await until(() => aIn);
        let entered = false;
        await expect(
          impatient.withLock('zalo-token', async () => {
            entered = true;
          }),
        ).rejects.toThrow(/statement timeout/);
        expect(entered).toBe(false);
        release.resolve();
        await held;
        await expect(impatient.withLock('zalo-token', async () => 'ok')).resolves.toBe('ok');
        // The timed-out client was dropped, not pooled with a 200 ms statement timeout.
        const { rows } = await impatient.pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
        expect(rows[0]?.statement_timeout).toBe('5s');
      } finally {
        release.resolve();
        await impatient.close();
      }
    });

    it("a holder whose connection dies loses the lock to the other instance, without crashing", async () => {
      const errors: Error[] = [];
      const fragile = await PostgresStorage.connect(TEST_DATABASE_URL!, { schema: a.schema, onError: (err) => errors.push(err) });
      const release = deferred();
      let fragileIn = false;
      try {
        const held = fragile.withLock('zalo-token', async () => {
          fragileIn = true;
          await release.promise;
          return 'finished';
        });
        await until(() => fragileIn);
        const [pid] = await lockHolders(a.schema, 'zalo-token');
        await admin((c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
        await expect(b.withLock('zalo-token', async () => 'b')).resolves.toBe('b');
        release.resolve();
        await expect(held).resolves.toBe('finished');
        await until(() => errors.length > 0);
        // The dead client was not pooled: the instance keeps working.
        await expect(fragile.withLock('zalo-token', async () => 'again')).resolves.toBe('again');
        await fragile.ping();
      } finally {
        release.resolve();
        await fragile.close();
      }
    });
  });

  describe('resilience', () => {
    it('PostgreSQL unreachable: saves and statistics fail (the turn gets a 5xx), then work again when it is back', async () => {
      // A TCP relay we can cut, between the storage and the real server.
      const upstream = new URL(TEST_DATABASE_URL!);
      const sockets = new Set<net.Socket>();
      const relay = () =>
        net.createServer((client) => {
          const server = net.connect(Number(upstream.port || 5432), upstream.hostname);
          for (const s of [client, server]) {
            sockets.add(s);
            s.on('error', () => undefined).on('close', () => sockets.delete(s));
          }
          client.pipe(server).pipe(client);
        });
      let proxy = relay();
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const port = (proxy.address() as net.AddressInfo).port;
      const url = new URL(TEST_DATABASE_URL!);
      url.port = String(port);
      const schema = freshSchema();
      const storage = await PostgresStorage.connect(url.toString(), { schema, onError: () => undefined });
      const stats = new PostgresStatsStore(storage.pool);
      try {
        await storage.saveConversation('before', { step: 1 }, 1000);

        await new Promise<void>((resolve) => proxy.close(() => resolve()) && sockets.forEach((s) => s.destroy()));
        const outage = await Promise.allSettled([
          ...Array.from({ length: 5 }, (_, i) => storage.saveConversation(`during-${i}`, { step: 1 }, 2000)),
          stats.record({ type: 'conversation-start' }, { channel: 'web', userKey: 'k', at: 2000 }),
        ]);
        expect(outage.map((r) => r.status)).toEqual(Array(6).fill('rejected'));

        proxy = relay();
        await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
        await storage.saveConversation('after', { step: 2 }, 3000);
        await stats.record({ type: 'conversation-start' }, { channel: 'web', userKey: 'k', at: 3000 });
        expect(await storage.getConversation('after')).toEqual({ state: { step: 2 }, updatedAt: 3000 });
        expect(await storage.getConversation('during-0')).toBeUndefined();
        expect((await stats.overview({ from: 0, to: 10_000 })).conversations).toBe(1);
      } finally {
        await storage.close().catch(() => undefined);
        proxy.close();
        sockets.forEach((s) => s.destroy());
        await PostgresStorage.dropSchema(TEST_DATABASE_URL!, schema);
      }
    });

    it('survives PostgreSQL dropping an idle pooled connection, and reports it', async () => {
      const errors: Error[] = [];
      const { storage, cleanup } = await makePgStorage({ onError: (err) => errors.push(err) });
      try {
        const { rows } = await storage.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin((c) => c.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]));
        await until(() => errors.length > 0);
        await expect(storage.ping()).resolves.toBeUndefined();
        await storage.setValue('k', 'v');
        expect(await storage.getValue('k')).toBe('v');
      } finally {
        await cleanup();
      }
    });
  });
});
