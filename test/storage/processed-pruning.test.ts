/**
 * The dedupe marks are pruned on a schedule (issue 12 #14), through the real scheduler and a
 * real SQLite file: marks older than the keep window go, recent ones stay and still stop a
 * redelivery.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { DEFAULT_PROCESSED_KEEP_MS, scheduleProcessedPruning } from '../../src/storage/processed-pruning.js';
import { tempDir } from '../helpers/engine.js';

const HOUR = 3_600_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function open(): SqliteStorage {
  const tmp = tempDir('vneid-prune-');
  const storage = new SqliteStorage(join(tmp.dir, 'vneid-guide.sqlite'));
  cleanups.push(() => tmp.cleanup(), () => storage.close());
  return storage;
}

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 5));
}

describe('scheduleProcessedPruning', () => {
  it('keeps marks for a day by default, at least as long as Telegram and Zalo redeliver', () => {
    expect(DEFAULT_PROCESSED_KEEP_MS).toBeGreaterThanOrEqual(24 * HOUR);
    const storage = open();
    expect(() => scheduleProcessedPruning(storage, { keepMs: HOUR })).toThrow(RangeError);
  });

  it('removes old marks at start and on every tick, keeping recent ones', async () => {
    const storage = open();
    let clock = 100 * 24 * HOUR;
    // An update from two days ago, one from 90 minutes ago (inside a Zalo retry window), one now.
    await storage.markProcessed('telegram', 'old', clock - 48 * HOUR);
    await storage.markProcessed('zalo', 'retrying', clock - 90 * 60_000);
    await storage.markProcessed('telegram', 'new', clock);
    const pruned: number[] = [];
    const stop = scheduleProcessedPruning(storage, { intervalMs: 10, now: () => clock, onPruned: (n) => pruned.push(n) });
    cleanups.push(stop);
    await until(() => pruned.length >= 1);
    expect(pruned[0]).toBe(1);
    // Still marked: a redelivery is refused. Forgotten: the old id counts as new again.
    expect(await storage.markProcessed('zalo', 'retrying', clock)).toBe(false);
    expect(await storage.markProcessed('telegram', 'new', clock)).toBe(false);

    // A day later the timer (not the first run) prunes the rest.
    clock += 25 * HOUR;
    await until(() => pruned.slice(1).includes(2));
    stop();
    expect(await storage.markProcessed('telegram', 'new', clock)).toBe(true);
    expect(await storage.markProcessed('zalo', 'retrying', clock)).toBe(true);
    expect(await storage.markProcessed('telegram', 'old', clock)).toBe(true);
  });

  it('reports a failure instead of throwing, and keeps its schedule', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const stop = scheduleProcessedPruning(
      { pruneProcessed: async () => (++calls, Promise.reject(new Error('database is locked'))) },
      { intervalMs: 10, onError: (e) => errors.push(e) },
    );
    cleanups.push(stop);
    await until(() => calls >= 2);
    stop();
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect((errors[0] as Error).message).toBe('database is locked');
  });
});

describe('the server runtime', () => {
  it('prunes the dedupe marks it starts with (openRuntime wires the scheduler)', async () => {
    const { openRuntime } = await import('../../src/server/runtime.js');
    const { loadConfig } = await import('../../src/server/config.js');
    const pino = (await import('pino')).default;
    const tmp = tempDir('vneid-prune-runtime-');
    cleanups.push(() => tmp.cleanup());
    const before = new SqliteStorage(join(tmp.dir, 'vneid-guide.sqlite'));
    await before.markProcessed('telegram', 'two-days-old', Date.now() - 48 * HOUR);
    await before.markProcessed('telegram', 'just-now', Date.now());
    await before.close();

    const runtime = await openRuntime(loadConfig({ DATA_DIR: tmp.dir, STATS_SECRET: 'x'.repeat(32) }), pino({ level: 'silent' }));
    cleanups.push(() => runtime.close());
    expect(runtime.storage.kind).toBe('sqlite');
    // markProcessed answers true only once the old mark is gone (false leaves it as it was).
    while (!(await runtime.storage.markProcessed('telegram', 'two-days-old'))) await new Promise((r) => setTimeout(r, 5));
    expect(await runtime.storage.markProcessed('telegram', 'just-now')).toBe(false);
  });
});
