/**
 * STATS_RETENTION_DAYS reaches the retention scheduler that openRuntime starts (issue 12, item
 * 20): with 5 days, an event 10 days old is deleted at start while one a day old stays. With the
 * setting ignored (the default 365 days), the old event would stay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/server/config.js';
import { openRuntime, type Runtime } from '../../src/server/runtime.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../src/storage/sqlite-stats.js';
import { SQLITE_FILE_NAME } from '../../src/storage/open.js';
import { SEED } from '../fixtures/stats-seed.js';
import { tempDir } from '../helpers/engine.js';

const DAY = 86_400_000;

let runtime: Runtime | undefined;
let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(async () => {
  await runtime?.close();
  tmp?.cleanup();
  runtime = tmp = undefined;
});

describe('STATS_RETENTION_DAYS through openRuntime', () => {
  it('5 days: the 10-day-old question is purged at start, yesterday’s stays', async () => {
    tmp = tempDir();
    const question = SEED.find((s) => s.event.type === 'question')!;
    const now = Date.now();
    {
      const storage = new SqliteStorage(join(tmp.dir, SQLITE_FILE_NAME));
      const store = new SqliteStatsStore(storage.db);
      await store.record(question.event, { ...question.context, at: now - 10 * DAY });
      await store.record(question.event, { ...question.context, at: now - 1 * DAY });
      await storage.close();
    }
    const config = loadConfig({ DATA_DIR: tmp.dir, STATS_RETENTION_DAYS: '5', LOG_LEVEL: 'silent' });
    runtime = await openRuntime(config, pino({ level: 'silent' }));
    const all = { from: 0, to: now + DAY };
    await expect.poll(async () => (await runtime!.statsStore.overview(all)).questions, { timeout: 10_000 }).toBe(1);
    expect((await runtime.statsStore.overview({ from: now - 2 * DAY, to: now + DAY })).questions).toBe(1);
  });
});
