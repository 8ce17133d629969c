/**
 * A whole throw-away PostgreSQL database, for tests of real server processes: those configure
 * storage through DATABASE_URL only, and PostgresStorage keeps the `public` schema for a URL
 * (its search_path option overrides one in the URL), so a fresh schema cannot be passed to
 * them; a fresh database can. Needs CREATEDB (the CI's `postgres` user has it).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from './postgres.js';

export interface TestDatabase {
  name: string;
  /** TEST_DATABASE_URL pointed at the new database. */
  url: string;
  /** Drops the database, disconnecting whatever is still connected to it. */
  drop: () => Promise<void>;
}

async function onServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl(), connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createTestDatabase(prefix = 'vneid_test_db'): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer((c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => onServer(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`))),
  };
}
