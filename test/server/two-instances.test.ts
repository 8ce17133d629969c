/**
 * Scale-out on PostgreSQL: two real server processes (`src/server/main.ts` under tsx, the
 * `npm start` path; the built dist/ path is covered by production.test.ts) on two ports, sharing
 * one PostgreSQL database through DATABASE_URL and nothing else (separate data directories).
 *  - One web-chat conversation alternating between the instances keeps its walkthrough step.
 *  - Started together with an access token that needs refreshing, they make exactly one Zalo
 *    OAuth refresh (the advisory lock of PostgresStorage.withLock) and both use the new token.
 * The database is a fresh one, dropped afterwards: a server takes its storage from DATABASE_URL
 * alone, and PostgresStorage keeps the `public` schema for a URL (see helpers/pg-database.ts).
 * Without TEST_DATABASE_URL: skipped, with one visible line.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { TOKEN_LOCK, TOKEN_STORAGE_KEY } from '../../src/channels/zalo-oa/tokens.js';
import { computeZaloSignature } from '../../src/channels/zalo-oa/signature.js';
import { pseudonymize } from '../../src/core/privacy/pseudonym.js';
import { statsUserKey } from '../../src/core/stats/sink.js';
import { PG_SKIP_MESSAGE, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg-database.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { OAUTH_PATH, ZaloFake } from '../helpers/zalo-fake.js';
import { tempDir } from '../helpers/engine.js';

if (!TEST_DATABASE_URL) console.warn(PG_SKIP_MESSAGE);
const describePg = TEST_DATABASE_URL ? describe : describe.skip;

const STATS_SECRET = 'two-instances-stats-secret-0123456789';
const APP_ID = '4318921733410977391';
const OA_SECRET_KEY = 'oa-secret-key-for-two-instances';
const APP_SECRET = 'app-secret-for-two-instances';
const OLD = { access: 'AT-old-needs-refresh', refresh: 'RT-old-single-use' };
const NEW = { access: 'AT-new-after-refresh', refresh: 'RT-new-after-refresh' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

interface ChatReply {
  text: string;
  buttons?: Array<{ label: string; payload: string }>;
}

describePg('two server processes on one PostgreSQL database', { shuffle: false }, () => {
  let db: TestDatabase;
  let storage: PostgresStorage;
  let fake: ZaloFake;
  let dirs: Array<ReturnType<typeof tempDir>> = [];
  let servers: ServerProcess[] = [];
  let bases: string[] = [];
  /** Set by the fake OAuth endpoint when it saw the other instance waiting for the token lock. */
  let otherInstanceWaited = false;

  /** Backends waiting for the advisory lock withLock('zalo-token') takes (schema `public`). */
  const lockWaiters = async () => {
    const { rows } = await storage.pool.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid = hashtext('public')::oid AND objid = hashtext($1)::oid`,
      [TOKEN_LOCK],
    );
    return rows[0]!.n;
  };

  beforeAll(async () => {
    dirs = [tempDir(), tempDir()];
    db = await createTestDatabase();
    // Migrates the new database (what the servers will find) and lets the test look inside.
    storage = await PostgresStorage.connect(db.url);
    // A token pair from an earlier run, descending from the env seed, whose access token has
    // expired: the first thing each instance does is try to refresh it.
    const seed = createHash('sha256').update(OLD.refresh).digest('hex').slice(0, 16);
    await storage.setValue(
      TOKEN_STORAGE_KEY,
      JSON.stringify({ accessToken: OLD.access, refreshToken: OLD.refresh, expiresAt: Date.now() - 60_000, refreshedAt: null, seed }),
    );

    fake = await new ZaloFake().start();
    // The refresh answers only once the other instance is seen queued on the token lock (or after
    // 15 s), so the two really overlap: without the lock both would spend the refresh token.
    fake.setDefault(OAUTH_PATH, async () => {
      const end = Date.now() + 15_000;
      while (!otherInstanceWaited && Date.now() < end) {
        // A run cut short (a server that did not start) closes the pool under this loop.
        const waiting = await lockWaiters().catch(() => -1);
        if (waiting < 0) break;
        if (waiting > 0) otherInstanceWaited = true;
        else await sleep(20);
      }
      return { body: { access_token: NEW.access, refresh_token: NEW.refresh, expires_in: '90000' } };
    });

    const env = (dataDir: string): Record<string, string> => ({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      STATS_SECRET,
      ZALO_APP_ID: APP_ID,
      ZALO_OA_SECRET_KEY: OA_SECRET_KEY,
      ZALO_APP_SECRET: APP_SECRET,
      ZALO_ACCESS_TOKEN: OLD.access,
      ZALO_REFRESH_TOKEN: OLD.refresh,
      ZALO_API_BASE: fake.baseUrl,
      ZALO_OAUTH_BASE: fake.baseUrl,
    });
    // Started at the same time.
    // Two tsx start-ups at once on a busy CI machine can take well over 20 s.
    servers = dirs.map((d) => startServerProcess(env(d.dir), { startTimeoutMs: 50_000 }));
    bases = await Promise.all(servers.map((s) => s.listening));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await fake?.close();
    await storage?.close();
    await db?.drop();
    for (const d of dirs) d.cleanup();
  }, 30_000);

  it('listens on two ports, both healthy, on PostgreSQL', async () => {
    expect(bases).toHaveLength(2);
    expect(bases[0]).not.toBe(bases[1]);
    for (const [i, base] of bases.entries()) {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      // Logged right after "Server listening at".
      await until(() => servers[i]!.output().includes('"storage":"postgres"'), 'the start-up line naming the storage', 5_000);
    }
  });

  it('one web-chat conversation alternating A, B, A keeps its walkthrough step', async () => {
    const sessionId = 'two-instances-session-01';
    const chat = async (base: string, body: Record<string, string>): Promise<ChatReply[]> => {
      const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId, ...body }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { replies: ChatReply[] }).replies;
    };
    const next = (replies: ChatReply[]) => replies.flatMap((r) => r.buttons ?? []).find((b) => b.label === 'Xong, tiếp theo')!.payload;
    const [a, b] = bases as [string, string];

    const first = await chat(a, { payload: '#vg:w:guide-activate' });
    expect(first[0]!.text).toContain('Bước 1/7');
    const second = await chat(b, { payload: next(first) });
    expect(second.map((r) => r.text).join('\n')).toContain('Bước 2/7');
    const third = await chat(a, { payload: next(second) });
    expect(third.map((r) => r.text).join('\n')).toContain('Bước 3/7');

    // Statistics went to PostgreSQL (PostgresStatsStore) from both instances, under one
    // anonymous key: both derive it from the same STATS_SECRET.
    const key = statsUserKey(pseudonymize(STATS_SECRET, 'web', sessionId));
    const rows = await until(async () => {
      const { rows } = await storage.pool.query<{ user_key: string; type: string; step: number | null }>(
        "SELECT user_key, type, step FROM stats_events WHERE channel = 'web' AND entry_id = 'guide-activate' ORDER BY id",
      );
      return rows.filter((r) => r.type === 'walk-step').length >= 3 && rows;
    }, 'three walk-step events');
    expect(new Set(rows.map((r) => r.user_key))).toEqual(new Set([key]));
    expect(rows.map((r) => [r.type, r.step])).toEqual([
      ['walk-start', null],
      ['walk-step', 1],
      ['walk-step', 2],
      ['walk-step', 3],
    ]);
  }, 30_000);

  it('one Zalo refresh for two instances started together; both then use the new token', async () => {
    await until(() => fake.oauthCalls().length > 0, 'the OAuth refresh call', 25_000);
    const stored = await until(async () => {
      const raw = await storage.getValue(TOKEN_STORAGE_KEY);
      const t = raw ? (JSON.parse(raw) as { accessToken: string; refreshToken: string }) : undefined;
      return t?.accessToken === NEW.access && t;
    }, 'the new token pair in PostgreSQL');
    expect(stored.refreshToken).toBe(NEW.refresh);
    expect(otherInstanceWaited).toBe(true);

    // Each instance answers one citizen through the OA API.
    const users = ['1000000000000000001', '1000000000000000002'];
    for (const [i, base] of bases.entries()) {
      const timestamp = String(Date.now());
      const raw = JSON.stringify({
        event_name: 'user_send_text',
        app_id: APP_ID,
        sender: { id: users[i] },
        recipient: { id: '2491302944280861639' },
        message: { text: 'vneid là gì', msg_id: `two-instances-msg-${i}` },
        timestamp,
      });
      const res = await fetch(`${base}/webhooks/zalo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-zevent-signature': `mac=${computeZaloSignature(APP_ID, raw, timestamp, OA_SECRET_KEY)}` },
        body: raw,
      });
      expect(res.status).toBe(200);
    }
    await fake.waitFor(() => users.every((u) => fake.sentMessages().some((m) => m.recipient.user_id === u)), 15_000);
    const tokensUsed = new Set(fake.to('/v3.0/oa/message/cs').map((r) => r.headers['access_token']));
    expect(tokensUsed).toEqual(new Set([NEW.access]));

    // Still exactly one refresh, spending the old refresh token once, with the app secret.
    await sleep(300);
    const calls = fake.oauthCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toMatchObject({ refresh_token: OLD.refresh, app_id: APP_ID, grant_type: 'refresh_token' });
    expect(calls[0]!.headers['secret_key']).toBe(APP_SECRET);
    for (const base of bases) expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // No token ever reaches the logs.
    for (const s of servers) for (const secret of [OLD.access, OLD.refresh, NEW.access, NEW.refresh]) expect(s.output()).not.toContain(secret);
  }, 40_000);

  it('both shut down gracefully on SIGTERM', async () => {
    expect(await Promise.all(servers.map((s) => s.stop()))).toEqual([0, 0]);
  }, 20_000);
});

/**
 * Issue 12, defect 3: set up as README says — one DATABASE_URL, separate data directories, no
 * STATS_SECRET. The pseudonym secret must then come from the database, so the two instances
 * agree on every citizen's key and on admin session cookies.
 */
describePg('two server processes on one PostgreSQL database, without STATS_SECRET', { shuffle: false }, () => {
  const ADMIN_PASSWORD = 'mat-khau-quan-tri-chung';
  let db: TestDatabase;
  let storage: PostgresStorage;
  let dirs: Array<ReturnType<typeof tempDir>> = [];
  let servers: ServerProcess[] = [];
  let bases: string[] = [];

  beforeAll(async () => {
    dirs = [tempDir(), tempDir()];
    db = await createTestDatabase();
    storage = await PostgresStorage.connect(db.url);
    // Started together: the secret is created once even when both race for it.
    servers = dirs.map((d) => startServerProcess({ DATABASE_URL: db.url, DATA_DIR: d.dir, ADMIN_PASSWORD }, { startTimeoutMs: 50_000 }));
    bases = await Promise.all(servers.map((s) => s.listening));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await storage?.close();
    await db?.drop();
    for (const d of dirs) d.cleanup();
  }, 30_000);

  it('one secret, in the database, none in either data directory', async () => {
    const secret = await storage.getValue('stats-secret');
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    for (const d of dirs) expect(existsSync(join(d.dir, 'stats-secret'))).toBe(false);
    for (const s of servers) expect(s.output()).not.toContain(secret!);
  });

  it('a web walkthrough begun on A continues on B and back; one citizen, one key', async () => {
    const sessionId = 'no-secret-session-01';
    const chat = async (base: string, body: Record<string, string>): Promise<ChatReply[]> => {
      const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId, ...body }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { replies: ChatReply[] }).replies;
    };
    const next = (replies: ChatReply[]) => replies.flatMap((r) => r.buttons ?? []).find((b) => b.label === 'Xong, tiếp theo')!.payload;
    const [a, b] = bases as [string, string];

    const first = await chat(a, { payload: '#vg:w:guide-activate' });
    expect(first[0]!.text).toContain('Bước 1/7');
    const second = await chat(b, { payload: next(first) });
    expect(second.map((r) => r.text).join('\n')).toContain('Bước 2/7');
    const third = await chat(a, { payload: next(second) });
    expect(third.map((r) => r.text).join('\n')).toContain('Bước 3/7');

    const secret = (await storage.getValue('stats-secret'))!;
    const key = statsUserKey(pseudonymize(secret, 'web', sessionId));
    const rows = await until(async () => {
      const { rows } = await storage.pool.query<{ user_key: string; type: string }>("SELECT user_key, type FROM stats_events WHERE channel = 'web' AND entry_id = 'guide-activate'");
      return rows.filter((r) => r.type === 'walk-step').length >= 3 && rows;
    }, 'three walk-step events');
    expect(new Set(rows.map((r) => r.user_key))).toEqual(new Set([key]));
  }, 30_000);

  it('an admin session cookie issued by A is accepted by B', async () => {
    const [a, b] = bases as [string, string];
    const login = await fetch(`${a}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: ADMIN_PASSWORD }).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).toMatch(/^vg_admin=/);
    const onB = await fetch(`${b}/admin/api/overview`, { headers: { cookie } });
    expect(onB.status).toBe(200);
    expect(((await onB.json()) as { table: string }).table).toBe('overview');
    expect((await fetch(`${b}/admin/api/overview`)).status).toBe(401);
  }, 20_000);
});
