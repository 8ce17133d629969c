/**
 * Pseudonyms gained a "ps." prefix (issue 12 #18). Data stored under the old bare 32-hex keys
 * (a walkthrough in progress, a numbered menu, a pending Telegram share) is renamed by a
 * migration, so a citizen mid-walkthrough continues after the upgrade; other keys are untouched.
 * PostgreSQL part skipped without TEST_DATABASE_URL.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pseudonymize } from '../../src/core/privacy/pseudonym.js';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import type { Storage } from '../../src/storage/storage.js';
import { tempDir } from '../helpers/engine.js';
import { freshSchema, PG_SKIP_MESSAGE, TEST_DATABASE_URL } from '../helpers/postgres.js';

if (!TEST_DATABASE_URL) console.warn(PG_SKIP_MESSAGE);
const describePg = TEST_DATABASE_URL ? describe : describe.skip;

const SECRET = 'migration-test-secret-0123456789';
const NEW = pseudonymize(SECRET, 'web', 'session-abc123');
const OLD = NEW.slice('ps.'.length);

/** The rename's migration version (1-based); later migrations are replayed too, harmlessly. */
const RENAME_MIGRATION = 5;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** What an older version left behind: bare keys, and keys that must not be renamed. */
const OLD_ROWS = {
  conversations: [OLD, 'not-a-pseudonym-key', `${OLD}0`],
  kv: [`numbered:${OLD}`, `tg-share:${OLD}`, 'admin-sessions', `other:${OLD}`],
};

async function expectMigrated(storage: Storage): Promise<void> {
  expect(await storage.getConversation(NEW)).toMatchObject({ state: { step: OLD_ROWS.conversations.indexOf(OLD) } });
  expect(await storage.getConversation(OLD)).toBeUndefined();
  expect(await storage.getConversation('not-a-pseudonym-key')).toBeDefined();
  expect(await storage.getConversation(`${OLD}0`)).toBeDefined();
  expect(await storage.getValue(`numbered:${NEW}`)).toBe(`v-numbered:${OLD}`);
  expect(await storage.getValue(`tg-share:${NEW}`)).toBe(`v-tg-share:${OLD}`);
  expect(await storage.getValue(`numbered:${OLD}`)).toBeUndefined();
  expect(await storage.getValue('admin-sessions')).toBe('v-admin-sessions');
  expect(await storage.getValue(`other:${OLD}`)).toBe(`v-other:${OLD}`);
}

describe('SQLite', () => {
  it('renames bare-hex pseudonym keys to the prefixed form, and nothing else', async () => {
    const tmp = tempDir('vneid-migrate-');
    cleanups.push(() => tmp.cleanup());
    const file = join(tmp.dir, 'vneid-guide.sqlite');
    const before = new SqliteStorage(file);
    const version = before.db.pragma('user_version', { simple: true }) as number;
    // Back to the schema before the rename, with the rows an older version wrote.
    before.db.pragma(`user_version = ${RENAME_MIGRATION - 1}`);
    OLD_ROWS.conversations.forEach((key, step) => before.db.prepare('INSERT INTO conversations (key, state, updated_at) VALUES (?, ?, 1)').run(key, JSON.stringify({ step })));
    for (const key of OLD_ROWS.kv) before.db.prepare('INSERT INTO kv (key, value, updated_at) VALUES (?, ?, 1)').run(key, `v-${key}`);
    await before.close();

    const after = new SqliteStorage(file);
    cleanups.push(() => after.close());
    expect(after.db.pragma('user_version', { simple: true })).toBe(version);
    await expectMigrated(after);
  });
});

describePg('PostgreSQL', () => {
  it('renames bare-hex pseudonym keys to the prefixed form, and nothing else', async () => {
    const schema = freshSchema();
    cleanups.push(() => PostgresStorage.dropSchema(TEST_DATABASE_URL!, schema));
    const before = await PostgresStorage.connect(TEST_DATABASE_URL!, { schema });
    await before.pool.query('DELETE FROM schema_migrations WHERE version >= $1', [RENAME_MIGRATION]);
    for (const [step, key] of OLD_ROWS.conversations.entries()) await before.pool.query('INSERT INTO conversations (key, state, updated_at) VALUES ($1, $2, 1)', [key, JSON.stringify({ step })]);
    for (const key of OLD_ROWS.kv) await before.pool.query('INSERT INTO kv (key, value, updated_at) VALUES ($1, $2, 1)', [key, `v-${key}`]);
    await before.close();

    const after = await PostgresStorage.connect(TEST_DATABASE_URL!, { schema });
    cleanups.push(() => after.close());
    await expectMigrated(after);
  });
});
