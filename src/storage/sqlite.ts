/**
 * SQLite storage (better-sqlite3): one file under DATA_DIR, WAL mode, created if missing.
 * Meant for one server process (several instances share PostgreSQL instead). Recent
 * conversations are also kept in memory; SQLite's data_version tells when another connection
 * wrote the file, and then that copy is dropped.
 */
import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ConversationRecord, Storage, Team, UserDataDeleted } from './storage.js';
import { groupCommit, type GroupCommit } from './group-commit.js';

/** Recent conversations kept in memory (a few hundred bytes each), so a turn reads no disk. */
const CACHED_CONVERSATIONS = 10_000;

interface StoredConversation {
  /** JSON, parsed on every read: callers may mutate what they get. */
  state: string;
  updatedAt: number;
}

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE conversations (
     key TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX conversations_updated ON conversations(updated_at);
   CREATE TABLE processed (
     scope TEXT NOT NULL,
     id TEXT NOT NULL,
     at INTEGER NOT NULL,
     PRIMARY KEY (scope, id)
   ) WITHOUT ROWID;
   CREATE INDEX processed_at ON processed(at);
   CREATE TABLE kv (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
  // Anonymised statistics (issue 5): scrubbed text and pseudonymous keys only.
  `CREATE TABLE stats_events (
     id INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     channel TEXT NOT NULL,
     commune TEXT NOT NULL DEFAULT 'default',
     user_key TEXT NOT NULL,
     type TEXT NOT NULL,
     entry_id TEXT,
     step INTEGER,
     text TEXT,
     normalized TEXT,
     score REAL,
     outcome TEXT,
     nearest_id TEXT,
     referral TEXT,
     failure_code TEXT,
     kinds TEXT
   );
   CREATE INDEX stats_events_at ON stats_events(at);
   CREATE INDEX stats_events_type_at ON stats_events(type, at);
   CREATE INDEX stats_events_user ON stats_events(user_key, type);`,
  // Statistics are joined per person only to completions (funnel, referrals). An index of every
  // event by a random key cost more than the rest of a turn's writes together; this one grows
  // only when a walkthrough is completed.
  `DROP INDEX stats_events_user;
   CREATE INDEX stats_events_completed ON stats_events(user_key, entry_id) WHERE type = 'walk-complete';`,
  // Telegram's share exchange kept every raw update (chat id, names, username) under tg-conv:
  // with no expiry (@grammyjs/conversations); it now stores a step and an expiry only (share.ts).
  `DELETE FROM kv WHERE key LIKE 'tg-conv:%';`,
  // Pseudonyms gained their "ps." prefix (pseudonym.ts): conversations, numbered menus and
  // Telegram shares stored under the bare 32-hex key are renamed, so none is lost.
  `UPDATE conversations SET key = 'ps.' || key WHERE length(key) = 32 AND key NOT GLOB '*[^0-9a-f]*';
   UPDATE kv SET key = substr(key, 1, 9) || 'ps.' || substr(key, 10)
     WHERE substr(key, 1, 9) IN ('numbered:', 'tg-share:') AND length(key) = 41 AND substr(key, 10) NOT GLOB '*[^0-9a-f]*';`,
  // Volunteer teams and their referral codes (issue 14); codes are stored upper-case. IF NOT
  // EXISTS: tests step the version back to replay an older migration, and this one comes after.
  `CREATE TABLE IF NOT EXISTS teams (
     code TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     commune TEXT,
     created_at INTEGER NOT NULL
   );`,
  // Officials' changes from the review list (sqlite-review.ts): scrubbed texts, account names.
  // AUTOINCREMENT: an id is never reused, so "undo change 7" can only ever mean one change.
  // IF NOT EXISTS: a database set back to an older version (a migration test) runs it again.
  `CREATE TABLE IF NOT EXISTS review_changes (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('phrasing', 'dismissal')),
     entry_id TEXT,
     text TEXT NOT NULL,
     normalized TEXT NOT NULL,
     made_by TEXT NOT NULL,
     undone_at INTEGER,
     undone_by TEXT
   );`,
];

interface TeamRow {
  code: string;
  name: string;
  commune: string | null;
  created_at: number;
}

const toTeam = (r: TeamRow): Team => ({ code: r.code, name: r.name, commune: r.commune, createdAt: r.created_at });

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly stmt;
  private readonly writes: GroupCommit;
  private readonly recent = new LRUCache<string, StoredConversation>({ max: CACHED_CONVERSATIONS });
  /** data_version when `recent` was last known to match the file. */
  private seenVersion: unknown;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // Deletion erases: a deleted conversation or statistic is overwritten with zeros, not left
    // readable in a free page or a reused cell of the file (issue 12). Per connection, so here.
    this.db.pragma('secure_delete = ON');
    this.migrate();
    this.writes = groupCommit(this.db);
    this.stmt = {
      getConv: this.db.prepare<[string], { state: string; updated_at: number }>('SELECT state, updated_at FROM conversations WHERE key = ?'),
      saveConv: this.db.prepare(
        'INSERT INTO conversations (key, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
      ),
      delConv: this.db.prepare('DELETE FROM conversations WHERE key = ?'),
      idle: this.db.prepare<[number, number], { key: string; state: string; updated_at: number }>(
        'SELECT key, state, updated_at FROM conversations WHERE updated_at < ? ORDER BY updated_at LIMIT ?',
      ),
      dataVersion: this.db.prepare<[], number>('PRAGMA data_version').pluck(),
      mark: this.db.prepare('INSERT OR IGNORE INTO processed (scope, id, at) VALUES (?, ?, ?)'),
      prune: this.db.prepare('DELETE FROM processed WHERE at < ?'),
      forget: this.db.prepare('DELETE FROM processed WHERE scope = ? AND id = ?'),
      deleteValue: this.db.prepare('DELETE FROM kv WHERE key = ?'),
      getValue: this.db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?'),
      setValue: this.db.prepare(
        'INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ),
      setValueIfAbsent: this.db.prepare('INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING'),
      createTeam: this.db.prepare('INSERT INTO teams (code, name, commune, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(code) DO NOTHING'),
      listTeams: this.db.prepare<[], TeamRow>('SELECT code, name, commune, created_at FROM teams ORDER BY created_at, code'),
      getTeam: this.db.prepare<[string], TeamRow>('SELECT code, name, commune, created_at FROM teams WHERE code = ?'),
      renameTeam: this.db.prepare('UPDATE teams SET name = ? WHERE code = ?'),
    };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  async getConversation<S>(key: string): Promise<ConversationRecord<S> | undefined> {
    // Changes only when another connection (another process, a manual edit) commits.
    const version = this.stmt.dataVersion.get();
    if (version !== this.seenVersion) {
      this.recent.clear();
      this.seenVersion = version;
    }
    let stored = this.recent.get(key);
    if (!stored) {
      this.writes.flush(); // a queued delete or save of this key must not be read around
      const row = this.stmt.getConv.get(key);
      if (!row) return undefined;
      stored = { state: row.state, updatedAt: row.updated_at };
      this.recent.set(key, stored);
    }
    return { state: JSON.parse(stored.state) as S, updatedAt: stored.updatedAt };
  }

  /** Resolves once the turn is committed (group commit: see group-commit.ts). */
  async saveConversation<S>(key: string, state: S, now = Date.now()): Promise<void> {
    const stored = { state: JSON.stringify(state), updatedAt: now };
    // Cached before the commit, so a next turn of the same user already reads it.
    this.recent.set(key, stored);
    try {
      await this.writes.run(() => this.stmt.saveConv.run(key, stored.state, now));
    } catch (err) {
      if (this.recent.get(key) === stored) this.recent.delete(key);
      throw err;
    }
  }

  async deleteConversation(key: string): Promise<void> {
    this.recent.delete(key);
    await this.writes.run(() => this.stmt.delConv.run(key));
  }

  async listIdleConversations<S>(olderThan: number, limit: number) {
    this.writes.flush();
    return this.stmt.idle.all(olderThan, limit).map((r) => ({ key: r.key, state: JSON.parse(r.state) as S, updatedAt: r.updated_at }));
  }

  /** Group-committed like the turns: a redelivery queued in the same tick still sees the first. */
  async markProcessed(scope: string, id: string, now = Date.now()): Promise<boolean> {
    return this.writes.run(() => this.stmt.mark.run(scope, id, now).changes === 1);
  }

  async forgetProcessed(scope: string, id: string): Promise<void> {
    await this.writes.run(() => this.stmt.forget.run(scope, id));
  }

  async pruneProcessed(olderThan: number): Promise<number> {
    return this.writes.run(() => this.stmt.prune.run(olderThan).changes);
  }

  async getValue(key: string): Promise<string | undefined> {
    return this.stmt.getValue.get(key)?.value;
  }

  async setValue(key: string, value: string): Promise<void> {
    this.stmt.setValue.run(key, value, Date.now());
  }

  async setValueIfAbsent(key: string, value: string): Promise<string> {
    this.stmt.setValueIfAbsent.run(key, value, Date.now());
    return this.stmt.getValue.get(key)?.value ?? this.setValueIfAbsent(key, value);
  }

  async createTeam(team: Team): Promise<boolean> {
    return this.stmt.createTeam.run(team.code.toUpperCase(), team.name, team.commune, team.createdAt).changes === 1;
  }

  async listTeams(): Promise<Team[]> {
    return this.stmt.listTeams.all().map(toTeam);
  }

  async getTeam(code: string): Promise<Team | undefined> {
    const row = this.stmt.getTeam.get(code.toUpperCase());
    return row ? toTeam(row) : undefined;
  }

  async renameTeam(code: string, name: string): Promise<boolean> {
    return this.stmt.renameTeam.run(name, code.toUpperCase()).changes === 1;
  }

  private readonly locks = new Map<string, Promise<unknown>>();

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    // Chain on the previous holder: one process owns the SQLite file, so this is enough.
    const previous = this.locks.get(name) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.locks.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    }
  }

  async deleteValue(key: string): Promise<void> {
    this.stmt.deleteValue.run(key);
  }

  async deleteUserData(userKey: string, statsKey: string): Promise<UserDataDeleted> {
    this.recent.delete(userKey);
    // In the group commit (one transaction), after any queued save of this user: nothing lands after the delete.
    return this.writes.run(() => ({
      conversations: this.db.prepare('DELETE FROM conversations WHERE key = ?').run(userKey).changes,
      // A suffix compare, not LIKE: the key is data, never a pattern.
      values: this.db.prepare("DELETE FROM kv WHERE length(key) > length(?) AND substr(key, -length(?) - 1) = ':' || ?").run(userKey, userKey, userKey).changes,
      statistics: this.db.prepare('DELETE FROM stats_events WHERE user_key = ?').run(statsKey).changes,
    }));
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.writes.flush();
    this.db.close();
  }
}
