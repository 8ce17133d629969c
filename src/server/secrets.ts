import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '../storage/storage.js';

/**
 * The pseudonymization secret (HMAC key of user keys; also signs admin session cookies):
 *  - STATS_SECRET when set;
 *  - with PostgreSQL, the one stored in the database: instances sharing the database must
 *    derive the same key for the same citizen (a walkthrough continues on any instance, a
 *    citizen counts once, an admin cookie works on all). The first instance to start stores
 *    one (INSERT … ON CONFLICT DO NOTHING), every other reads it;
 *  - with SQLite, one generated on first start and kept in DATA_DIR/stats-secret (mode 0600).
 * Never logged. Losing it only unlinks old statistics.
 */
export const SECRET_STORAGE_KEY = 'stats-secret';
const SECRET_FILE = 'stats-secret';

function readFileSecret(dataDir: string): string | undefined {
  try {
    const existing = readFileSync(join(dataDir, SECRET_FILE), 'utf8').trim();
    return existing.length >= 32 ? existing : undefined;
  } catch {
    return undefined; // first start
  }
}

/** The secret of a single SQLite instance: STATS_SECRET, or the file in the data directory. */
export function loadOrCreateSecret(dataDir: string, fromEnv?: string): string {
  if (fromEnv) return fromEnv;
  const existing = readFileSecret(dataDir);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(join(dataDir, SECRET_FILE), secret + '\n', { mode: 0o600 });
  return secret;
}

export interface ResolvedSecret {
  secret: string;
  source: 'env' | 'database' | 'file';
}

/** The secret for this deployment (see above); with PostgreSQL, shared through the database. */
export async function resolveSecret(o: { storage: Storage; dataDir: string; fromEnv?: string | undefined }): Promise<ResolvedSecret> {
  if (o.fromEnv) return { secret: o.fromEnv, source: 'env' };
  if (o.storage.kind !== 'postgres') return { secret: loadOrCreateSecret(o.dataDir), source: 'file' };
  // An instance that ran before this change has a file: offered first, so the keys it already
  // wrote to the shared database stay linked. Whatever the database holds wins.
  const candidate = readFileSecret(o.dataDir) ?? randomBytes(32).toString('hex');
  return { secret: await o.storage.setValueIfAbsent(SECRET_STORAGE_KEY, candidate), source: 'database' };
}
