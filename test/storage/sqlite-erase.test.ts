/**
 * Deletion erases (issue 12, #19): a deleted conversation or purged statistic must not stay in
 * the bytes of the SQLite file (free pages keep old cells unless secure_delete is on) nor in
 * its WAL after a checkpoint. Counting rows cannot see this; reading the raw file can.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStatsStore } from '../../src/storage/sqlite-stats.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { purgeExpiredStats, DAY_MS } from '../../src/core/stats/retention.js';
import { tempDir } from '../helpers/engine.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function open() {
  const tmp = tempDir('vneid-erase-');
  const file = join(tmp.dir, 'vneid-guide.sqlite');
  const storage = new SqliteStorage(file);
  cleanups.push(() => tmp.cleanup(), () => storage.close());
  return { storage, file };
}

/** Every byte SQLite keeps for this database: the main file, and the WAL if there is one. */
function rawBytes(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
}

describe('SQLite deletion erases the bytes', () => {
  it('on every connection SqliteStorage opens, whether or not statistics are used', () => {
    const { storage } = open();
    expect(storage.db.pragma('secure_delete', { simple: true })).toBe(1);
  });

  it('a deleted conversation leaves no trace in the file or the WAL', async () => {
    const { storage, file } = open();
    const marker = 'MARKER-conversation-7f3a9c';
    await storage.saveConversation('ps.0123456789abcdef0123456789abcdef', { note: marker }, 1000);
    // Neighbours on the same page, so the page stays in use after the delete (the case free-page
    // reuse alone never wipes).
    for (let i = 0; i < 5; i++) await storage.saveConversation(`other-${i}`, { note: 'ordinary' }, 1000);
    storage.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(rawBytes(file).includes(marker)).toBe(true); // the search itself works

    await storage.deleteConversation('ps.0123456789abcdef0123456789abcdef');
    storage.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(await storage.getConversation('other-0')).toBeDefined();
    expect(rawBytes(file).includes(marker)).toBe(false);
  });

  it('statistics purged by retention leave no trace in the file or the WAL', async () => {
    const { storage, file } = open();
    const stats = new SqliteStatsStore(storage.db);
    const marker = 'MARKER-question-b81d44';
    const now = 100 * DAY_MS;
    const context = { channel: 'web', userKey: '0123456789abcdef', commune: 'default' };
    await stats.record({ type: 'question', text: `hỏi ${marker}`, normalized: `hoi ${marker.toLowerCase()}`, matchedId: null, nearestId: null, score: 0.2, outcome: 'unanswered' }, { ...context, at: now - 40 * DAY_MS });
    await stats.record({ type: 'question', text: 'câu hỏi gần đây', normalized: 'cau hoi gan day', matchedId: null, nearestId: null, score: 0.2, outcome: 'unanswered' }, { ...context, at: now });
    storage.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(rawBytes(file).includes(marker)).toBe(true);

    expect(await purgeExpiredStats(stats, 30, now)).toBe(1);
    // No extra checkpoint here: the purge itself must move the erasure into the main file.
    expect(rawBytes(file).includes(marker)).toBe(false);
  });
});
