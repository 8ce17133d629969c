/** The officials' review changes live in the same database as the conversations. */
import type { ReviewStore } from '../core/review/changes.js';
import type { PostgresStorage } from './postgres.js';
import { SqliteStorage } from './sqlite.js';
import { SqliteReviewStore } from './sqlite-review.js';
import type { Storage } from './storage.js';

export async function openReviewStore(storage: Storage): Promise<ReviewStore> {
  if (storage instanceof SqliteStorage) return new SqliteReviewStore(storage.db);
  const { PostgresReviewStore } = await import('./postgres-review.js');
  return new PostgresReviewStore((storage as PostgresStorage).pool);
}
