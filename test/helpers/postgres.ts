/**
 * PostgreSQL for tests: `TEST_DATABASE_URL` (set by .ci/run) points at a real server; each
 * storage gets its own fresh schema, dropped at clean-up, so test files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { PostgresStorage, type PostgresStorageOptions } from '../../src/storage/postgres.js';

export const TEST_DATABASE_URL: string | undefined = process.env.TEST_DATABASE_URL?.trim() || undefined;

export const PG_SKIP_MESSAGE = 'PostgreSQL tests skipped: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them';

/** The URL, or a clear failure when a PostgreSQL-only helper is used without one. */
export function testDatabaseUrl(): string {
  if (!TEST_DATABASE_URL) throw new Error(PG_SKIP_MESSAGE);
  return TEST_DATABASE_URL;
}

/** A schema name no other test (or process) uses. */
export function freshSchema(prefix = 'vneid_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export interface PgTestStorage {
  storage: PostgresStorage;
  schema: string;
  /** Closes the storage and drops its schema. */
  cleanup: () => Promise<void>;
}

/** A migrated PostgresStorage in a new schema. */
export async function makePgStorage(options: PostgresStorageOptions = {}): Promise<PgTestStorage> {
  const url = testDatabaseUrl();
  const schema = options.schema ?? freshSchema();
  const storage = await PostgresStorage.connect(url, { ...options, schema });
  return {
    storage,
    schema,
    cleanup: async () => {
      try {
        // close() waits for checked-out clients: a failed test still holding a lock must not
        // also leak its schema.
        await Promise.race([storage.close(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      } finally {
        await PostgresStorage.dropSchema(url, schema);
      }
    },
  };
}
