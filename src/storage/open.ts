/** Picks the storage for this deployment: PostgreSQL when DATABASE_URL is set, else embedded SQLite. */
import { join } from 'node:path';
import { PostgresStorage } from './postgres.js';
import { SqliteStorage } from './sqlite.js';
import type { Storage } from './storage.js';

export const SQLITE_FILE_NAME = 'vneid-guide.sqlite';

export interface OpenStorageOptions {
  /** postgres:// or postgresql:// URL; unset or blank → SQLite. */
  databaseUrl?: string | undefined;
  /** Directory of the SQLite file (created if missing); unused with PostgreSQL. */
  dataDir: string;
  /** PostgreSQL schema; default 'public'. Tests pass a fresh one. */
  schema?: string;
  /** PostgreSQL connection errors outside any call (see PostgresStorageOptions.onError). */
  onError?: (err: Error) => void;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  // A blank DATABASE_URL= line in an .env file means "not set", as for the other variables.
  const url = options.databaseUrl?.trim();
  if (!url) return new SqliteStorage(join(options.dataDir, SQLITE_FILE_NAME));
  // Anything else is a mistake, not a reason to fall back silently to a local file.
  if (!isPostgresUrl(url)) throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
  return PostgresStorage.connect(url, {
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
