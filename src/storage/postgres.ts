/**
 * PostgreSQL storage (node-postgres `pg.Pool`) for running several instances on one shared
 * database. Same contract and semantics as SqliteStorage; the differences that matter:
 *  - migrations run at start-up in one transaction under an advisory lock, so instances that
 *    start together do not race;
 *  - `withLock` is cross-instance: a session-level advisory lock held on a dedicated client.
 */
import pg from 'pg';
import { Batcher } from './batcher.js';
import type { ConversationRecord, Storage, Team, UserDataDeleted } from './storage.js';

/** Applied in order; the index + 1 is the version recorded in `schema_migrations`. Append only. */
const MIGRATIONS: readonly string[] = [
  // `state` is the JSON text, not jsonb: jsonb rejects "\u0000" and lone surrogates that
  // JSON.stringify can produce, and reorders keys; text round-trips exactly like SQLite.
  // Times are epoch ms, which overflow int4: bigint.
  `CREATE TABLE conversations (
     key TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX conversations_updated ON conversations(updated_at);
   CREATE TABLE processed (
     scope TEXT NOT NULL,
     id TEXT NOT NULL,
     at BIGINT NOT NULL,
     PRIMARY KEY (scope, id)
   );
   CREATE INDEX processed_at ON processed(at);
   CREATE TABLE kv (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     updated_at BIGINT NOT NULL
   );`,
  // Statistics (postgres-stats.ts), the same columns as SQLite's stats_events. Text columns
  // compare and sort byte-wise (COLLATE "C") like SQLite's BINARY, whatever the database's
  // locale, so both stores order ties identically. score is float8: SQLite's REAL is a double.
  `CREATE TABLE stats_events (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at BIGINT NOT NULL,
     channel TEXT COLLATE "C" NOT NULL,
     commune TEXT COLLATE "C" NOT NULL DEFAULT 'default',
     user_key TEXT COLLATE "C" NOT NULL,
     type TEXT COLLATE "C" NOT NULL,
     entry_id TEXT COLLATE "C",
     step INTEGER,
     text TEXT COLLATE "C",
     normalized TEXT COLLATE "C",
     score DOUBLE PRECISION,
     outcome TEXT COLLATE "C",
     nearest_id TEXT COLLATE "C",
     referral TEXT COLLATE "C",
     failure_code TEXT COLLATE "C",
     kinds TEXT
   );
   CREATE INDEX stats_events_at ON stats_events(at);
   CREATE INDEX stats_events_type_at ON stats_events(type, at);
   CREATE INDEX stats_events_user ON stats_events(user_key, type);`,
  // Per-person joins are to completions only (see the SQLite migration of the same name).
  `DROP INDEX stats_events_user;
   CREATE INDEX stats_events_completed ON stats_events(user_key, entry_id) WHERE type = 'walk-complete';`,
  // Telegram's share exchange kept every raw update (chat id, names, username) under tg-conv:
  // with no expiry (@grammyjs/conversations); it now stores a step and an expiry only (share.ts).
  `DELETE FROM kv WHERE key LIKE 'tg-conv:%';`,
  // Pseudonyms gained their "ps." prefix (pseudonym.ts): conversations, numbered menus and
  // Telegram shares stored under the bare 32-hex key are renamed, so none is lost.
  `UPDATE conversations SET key = 'ps.' || key WHERE key ~ '^[0-9a-f]{32}$';
   UPDATE kv SET key = regexp_replace(key, '^(numbered:|tg-share:)', '\\1ps.') WHERE key ~ '^(numbered:|tg-share:)[0-9a-f]{32}$';`,
  // Volunteer teams and their referral codes (issue 14); codes are stored upper-case. IF NOT
  // EXISTS: tests step the version back to replay an older migration, and this one comes after.
  `CREATE TABLE IF NOT EXISTS teams (
     code TEXT COLLATE "C" PRIMARY KEY,
     name TEXT NOT NULL,
     commune TEXT COLLATE "C",
     created_at BIGINT NOT NULL
   );`,
  // Officials' changes from the review list (postgres-review.ts), as in SQLite.
  `CREATE TABLE IF NOT EXISTS review_changes (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at BIGINT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('phrasing', 'dismissal')),
     entry_id TEXT,
     text TEXT NOT NULL,
     normalized TEXT NOT NULL,
     made_by TEXT NOT NULL,
     undone_at BIGINT,
     undone_by TEXT
   );`,
];

/** Highest migration version this build knows. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * A stalled database must fail a request fast (issue 12 #11): Telegram gives a webhook 9 s, and
 * a turn that is still waiting then is answered by nobody and redelivered. One database call is
 * bounded by getting a connection (from the pool or a new one) plus running its statement: the
 * server cancels a statement after STATEMENT_TIMEOUT_MS (a locked table), and the client gives
 * up QUERY_TIMEOUT_MS after sending it even if the server never answers (a frozen connection:
 * there the server's own timeout cannot reach us). The connection is then destroyed, not pooled.
 */
export const POSTGRES_TIMEOUTS = {
  connectionMs: 2_000,
  statementMs: 5_000,
  queryMs: 6_000,
} as const;
const CONNECTION_TIMEOUT_MS = POSTGRES_TIMEOUTS.connectionMs;
const STATEMENT_TIMEOUT_MS = POSTGRES_TIMEOUTS.statementMs;
const QUERY_TIMEOUT_MS = POSTGRES_TIMEOUTS.queryMs;
/** Waiting for another instance's withLock; longer than a statement, since the holder makes HTTP calls. */
const DEFAULT_LOCK_WAIT_MS = 60_000;

// A plain identifier: it goes into the libpq `options` string and into DDL unquoted-safe.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresStorageOptions {
  /** Schema holding the tables (created if missing); default 'public'. Tests use one per run. */
  schema?: string;
  /** Pool size; default 10. Each withLock name held at once pins one client. */
  max?: number;
  /** How long withLock waits for another instance's holder before rejecting; default 60 s. */
  lockWaitMs?: number;
  /**
   * Connection errors that happen outside any call (an idle client dropped because PostgreSQL
   * restarted). Without a listener `pg` would crash the process; the pool replaces the client.
   */
  onError?: (err: Error) => void;
}

export class PostgresStorageError extends Error {
  override name = 'PostgresStorageError';
}

function checkSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new PostgresStorageError(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: expected lower-case letters, digits and _`);
  }
  return schema;
}

/**
 * search_path goes in the startup packet so every pooled connection has it before its first
 * query. A connection string's own `options` would override the config's, so ours is appended
 * to it instead (the last `-c` wins).
 */
function poolConfig(url: string, schema: string, max: number): pg.PoolConfig {
  const searchPath = `-c search_path=${schema}`;
  let connectionString = url;
  let options = searchPath;
  if (/[?&]options=/.test(url)) {
    const parsed = new URL(url);
    parsed.searchParams.set('options', `${parsed.searchParams.get('options') ?? ''} ${searchPath}`.trim());
    connectionString = parsed.toString();
    options = '';
  }
  return {
    connectionString,
    ...(options ? { options } : {}),
    max,
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    // A crashed step must not leave a transaction (and the migration lock) open forever.
    idle_in_transaction_session_timeout: 60_000,
    // Notices a half-open connection (network cut) instead of waiting on it indefinitely.
    keepAlive: true,
    application_name: 'vneid-guide',
  };
}

async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  let failed: unknown;
  try {
    await client.query('BEGIN');
    // Transaction-scoped: released by COMMIT/ROLLBACK or if this connection dies. One key per
    // schema, so parallel test files in their own schemas do not wait for each other. This is
    // the one-bigint key space; withLock uses the two-int one, so they can never collide.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vneid-guide:migrate:${schema}`]);
    // Checked first: CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      applied_at BIGINT NOT NULL
    )`);
    const applied = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(applied.rows.map((r) => r.version));
    for (let v = 1; v <= MIGRATIONS.length; v++) {
      if (done.has(v)) continue;
      await client.query(MIGRATIONS[v - 1]!);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [v, Date.now()]);
    }
    await client.query('COMMIT');
  } catch (err) {
    failed = err;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    // A connection in an unknown state is dropped, not pooled.
    client.release(failed ? true : undefined);
  }
}

/**
 * An error about the data of a statement (SQLSTATE class 22: data exception, 23: constraint), as
 * opposed to the database being unreachable: only then is a batch worth retrying row by row.
 */
export const isRowError = (err: unknown): boolean => /^2[23]/.test(String((err as { code?: unknown })?.code ?? ''));

interface TeamRow {
  code: string;
  name: string;
  commune: string | null;
  /** bigint comes back as a string. */
  created_at: string;
}

const toTeam = (r: TeamRow): Team => ({ code: r.code, name: r.name, commune: r.commune, createdAt: Number(r.created_at) });

export class PostgresStorage implements Storage {
  readonly kind = 'postgres' as const;
  private readonly locks = new Map<string, Promise<unknown>>();
  private closed?: Promise<void>;
  /** Saves of concurrent turns go in one upsert (and one commit); each resolves once committed. */
  private readonly saves = new Batcher<{ key: string; state: string; updatedAt: number }>(async (rows) => {
    // ON CONFLICT cannot touch a row twice in one statement: per key, the last save wins.
    const latest = [...new Map(rows.map((r) => [r.key, r])).values()];
    await this.pool.query(
      `INSERT INTO conversations (key, state, updated_at) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      [latest.map((r) => r.key), latest.map((r) => r.state), latest.map((r) => r.updatedAt)],
    );
  }, isRowError);
  /**
   * Atomic across instances: exactly one INSERT of a (scope, id) pair wins, and within a batch
   * its first occurrence (DO NOTHING skips the repeats; RETURNING names the rows inserted).
   */
  private readonly marks = new Batcher<{ scope: string; id: string; at: number }, boolean>(async (rows) => {
    const { rows: inserted } = await this.pool.query<{ scope: string; id: string }>(
      `INSERT INTO processed (scope, id, at) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT DO NOTHING RETURNING scope, id`,
      [rows.map((r) => r.scope), rows.map((r) => r.id), rows.map((r) => r.at)],
    );
    const won = new Set(inserted.map((r) => `${r.scope}\u0000${r.id}`));
    return rows.map((r) => won.delete(`${r.scope}\u0000${r.id}`));
  }, isRowError);

  private constructor(
    /** The shared pool, e.g. for a PostgreSQL statistics store. */
    readonly pool: pg.Pool,
    readonly schema: string,
    private readonly lockWaitMs: number,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Creates the pool, runs pending migrations, returns a ready storage. */
  static async connect(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    const schema = checkSchema(options.schema ?? 'public');
    const onError = options.onError ?? (() => undefined);
    const pool = new pg.Pool(poolConfig(url, schema, options.max ?? 10));
    pool.on('error', onError);
    try {
      await migrate(pool, schema);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new PostgresStorage(pool, schema, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS, onError);
  }

  /** Drops a schema and everything in it (test clean-up). Refuses 'public'. */
  static async dropSchema(url: string, schema: string): Promise<void> {
    if (checkSchema(schema) === 'public') throw new PostgresStorageError('refusing to drop the public schema');
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECTION_TIMEOUT_MS, statement_timeout: STATEMENT_TIMEOUT_MS });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async getConversation<S>(key: string): Promise<ConversationRecord<S> | undefined> {
    const { rows } = await this.pool.query<{ state: string; updated_at: string }>('SELECT state, updated_at FROM conversations WHERE key = $1', [key]);
    const row = rows[0];
    // pg returns bigint as a string; epoch ms are well inside Number's safe range.
    return row ? { state: JSON.parse(row.state) as S, updatedAt: Number(row.updated_at) } : undefined;
  }

  async saveConversation<S>(key: string, state: S, now = Date.now()): Promise<void> {
    await this.saves.add({ key, state: JSON.stringify(state), updatedAt: now });
  }

  async deleteConversation(key: string): Promise<void> {
    await this.saves.drain(); // a save asked for earlier must not land after the delete
    await this.pool.query('DELETE FROM conversations WHERE key = $1', [key]);
  }

  async listIdleConversations<S>(olderThan: number, limit: number): Promise<Array<{ key: string } & ConversationRecord<S>>> {
    await this.saves.drain(); // a conversation being saved is not idle
    const { rows } = await this.pool.query<{ key: string; state: string; updated_at: string }>(
      // `key` breaks ties so that pages are stable; SQLite's LIMIT -1 (no limit) maps to ALL (null).
      'SELECT key, state, updated_at FROM conversations WHERE updated_at < $1 ORDER BY updated_at, key LIMIT $2',
      [olderThan, limit < 0 ? null : limit],
    );
    return rows.map((r) => ({ key: r.key, state: JSON.parse(r.state) as S, updatedAt: Number(r.updated_at) }));
  }

  /** Batched like the saves: a webhook update costs no commit of its own. */
  async markProcessed(scope: string, id: string, now = Date.now()): Promise<boolean> {
    return this.marks.add({ scope, id, at: now });
  }

  async forgetProcessed(scope: string, id: string): Promise<void> {
    await this.marks.drain(); // a mark asked for earlier must not land after the forget
    await this.pool.query('DELETE FROM processed WHERE scope = $1 AND id = $2', [scope, id]);
  }

  async pruneProcessed(olderThan: number): Promise<number> {
    const result = await this.pool.query('DELETE FROM processed WHERE at < $1', [olderThan]);
    return result.rowCount ?? 0;
  }

  async getValue(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM kv WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async setValue(key: string, value: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO kv (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      [key, value, Date.now()],
    );
  }

  async setValueIfAbsent(key: string, value: string): Promise<string> {
    // The primary key decides which instance wins; the loser reads the winner's value (a
    // separate statement: ON CONFLICT DO NOTHING returns no row for the loser).
    await this.pool.query('INSERT INTO kv (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [key, value, Date.now()]);
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM kv WHERE key = $1', [key]);
    // Deleted in between (nothing deletes these keys; still): try again.
    return rows[0]?.value ?? this.setValueIfAbsent(key, value);
  }

  async deleteValue(key: string): Promise<void> {
    await this.pool.query('DELETE FROM kv WHERE key = $1', [key]);
  }

  async createTeam(team: Team): Promise<boolean> {
    // The primary key decides between two officials (or instances) creating the same code.
    const result = await this.pool.query('INSERT INTO teams (code, name, commune, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING', [
      team.code.toUpperCase(),
      team.name,
      team.commune,
      team.createdAt,
    ]);
    return result.rowCount === 1;
  }

  async listTeams(): Promise<Team[]> {
    const { rows } = await this.pool.query<TeamRow>('SELECT code, name, commune, created_at FROM teams ORDER BY created_at, code');
    return rows.map(toTeam);
  }

  async getTeam(code: string): Promise<Team | undefined> {
    const { rows } = await this.pool.query<TeamRow>('SELECT code, name, commune, created_at FROM teams WHERE code = $1', [code.toUpperCase()]);
    return rows[0] ? toTeam(rows[0]) : undefined;
  }

  async renameTeam(code: string, name: string): Promise<boolean> {
    const result = await this.pool.query('UPDATE teams SET name = $1 WHERE code = $2', [name, code.toUpperCase()]);
    return result.rowCount === 1;
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    // Chain in-process first (as SqliteStorage does): waiters of this process queue here
    // instead of each pinning a pool client while blocked on the advisory lock.
    const previous = this.locks.get(name) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.holdAdvisoryLock(name, fn));
    const tail = run.catch(() => undefined);
    this.locks.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    }
  }

  /** Cross-instance exclusion: a session advisory lock, keyed by (schema, name), on one client. */
  private async holdAdvisoryLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no pool listener: an unhandled 'error' would crash the process.
    // If the connection dies while fn runs, the session (and so the lock) is gone; nothing to undo.
    const onClientError = (err: Error) => this.onError(err);
    client.on('error', onClientError);
    // Only a client back at the pool's defaults, holding no lock, may be reused.
    let reusable = false;
    try {
      // The wait is one statement: give it its own bound instead of the 5 s statement timeout.
      await client.query("SELECT set_config('statement_timeout', $1, false)", [String(this.lockWaitMs)]);
      // The client-side bound too, with a margin so that the server's own timeout answers first
      // (pg reads a per-query query_timeout; @types/pg does not declare it).
      const lockQuery = { text: 'SELECT pg_advisory_lock(hashtext($1), hashtext($2))', values: [this.schema, name], query_timeout: this.lockWaitMs + QUERY_TIMEOUT_MS };
      await client.query(lockQuery as pg.QueryConfig<string[]>);
      await client.query("SELECT set_config('statement_timeout', $1, false)", [String(STATEMENT_TIMEOUT_MS)]);
      try {
        return await fn();
      } finally {
        try {
          const { rows } = await client.query<{ unlocked: boolean }>('SELECT pg_advisory_unlock(hashtext($1), hashtext($2)) AS unlocked', [this.schema, name]);
          reusable = rows[0]?.unlocked === true;
        } catch (err) {
          // fn's outcome stands; destroying the client below ends the session and its lock.
          this.onError(err instanceof Error ? err : new Error(String(err)));
        }
      }
    } finally {
      client.removeListener('error', onClientError);
      client.release(reusable ? undefined : true);
    }
  }

  async deleteUserData(userKey: string, statsKey: string): Promise<UserDataDeleted> {
    await this.saves.drain(); // a save asked for earlier must not land after the delete
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const conversations = await client.query('DELETE FROM conversations WHERE key = $1', [userKey]);
      // A suffix compare, not LIKE: the key is data, never a pattern.
      const values = await client.query("DELETE FROM kv WHERE right(key, length($1) + 1) = ':' || $1 AND length(key) > length($1) + 1", [userKey]);
      const statistics = await client.query('DELETE FROM stats_events WHERE user_key = $1', [statsKey]);
      await client.query('COMMIT');
      return { conversations: conversations.rowCount ?? 0, values: values.rowCount ?? 0, statistics: statistics.rowCount ?? 0 };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    // Idempotent like SqliteStorage.close; pg throws on a second end().
    this.closed ??= Promise.all([this.saves.drain(), this.marks.drain()]).then(() => this.pool.end());
    await this.closed;
  }
}
