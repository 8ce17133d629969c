import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/storage/batcher.js';
import { isRowError } from '../../src/storage/postgres.js';

/** A write the test lets finish when it wants. */
function controlledWrites() {
  const calls: number[][] = [];
  const gates: Array<() => void> = [];
  const batcher = new Batcher<number>(async (rows) => {
    calls.push(rows);
    await new Promise<void>((resolve) => gates.push(resolve));
    if (rows.includes(-1)) throw new Error(`bad row in [${rows}]`);
  });
  const openAll = async () => {
    while (gates.length > 0) gates.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { batcher, calls, openAll };
}

describe('Batcher (group commit for PostgreSQL)', () => {
  it('rows of one tick go in one write; rows added while it runs go together in the next', async () => {
    const { batcher, calls, openAll } = controlledWrites();
    const first = [1, 2, 3].map((n) => batcher.add(n));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1, 2, 3]]);
    const second = [4, 5].map((n) => batcher.add(n));
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1); // waits for the write in flight
    await openAll();
    await Promise.all(first);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1, 2, 3], [4, 5]]);
    await openAll();
    await Promise.all(second);
  });

  it('a caller is told only after its own row is written', async () => {
    const { batcher, openAll } = controlledWrites();
    let done = false;
    const p = batcher.add(1).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    await openAll();
    await p;
    expect(done).toBe(true);
  });

  it('one bad row fails alone: the batch is retried row by row', async () => {
    const batcher = new Batcher<number>(async (rows) => {
      if (rows.includes(-1)) throw new Error('bad row');
    });
    const results = await Promise.allSettled([batcher.add(1), batcher.add(-1), batcher.add(2)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('a batch that fails for another reason (database down) fails at once, without a write per row', async () => {
    let writes = 0;
    const batcher = new Batcher<number>(
      async () => {
        writes++;
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
      isRowError,
    );
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(n)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(writes).toBe(1);
    expect(isRowError(Object.assign(new Error('invalid byte sequence'), { code: '22021' }))).toBe(true);
    expect(isRowError(Object.assign(new Error('unique violation'), { code: '23505' }))).toBe(true);
    expect(isRowError(Object.assign(new Error('admin shutdown'), { code: '57P01' }))).toBe(false);
  });

  it('a stalled database: rows queued behind the failing write fail with it, not a timeout later', async () => {
    const gates: Array<() => void> = [];
    let writes = 0;
    const batcher = new Batcher<number>(
      async () => {
        writes++;
        await new Promise<void>((resolve) => gates.push(resolve));
        throw Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
      },
      isRowError,
    );
    const first = batcher.add(1);
    await new Promise((r) => setImmediate(r));
    const queued = [2, 3].map((n) => batcher.add(n));
    gates.shift()!();
    const results = await Promise.allSettled([first, ...queued]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(writes).toBe(1); // the queued rows never waited for a write of their own
    // The batcher is usable afterwards.
    const later = batcher.add(4);
    await new Promise((r) => setImmediate(r));
    expect(writes).toBe(2);
    gates.shift()!();
    await expect(later).rejects.toMatchObject({ code: '57014' });
  });

  it('each caller gets the result of its own row, also when rows are retried alone', async () => {
    const batcher = new Batcher<number, number>(async (rows) => {
      if (rows.includes(-1)) throw Object.assign(new Error('bad row'), { code: '22P02' });
      return rows.map((n) => n * 10);
    }, isRowError);
    expect(await Promise.all([1, 2, 3].map((n) => batcher.add(n)))).toEqual([10, 20, 30]);
    const mixed = await Promise.allSettled([4, -1, 5].map((n) => batcher.add(n)));
    expect(mixed.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).toEqual([40, 'rejected', 50]);
  });

  it('drain() waits for the write in flight and for rows still waiting', async () => {
    const written: number[] = [];
    const batcher = new Batcher<number>(async (rows) => {
      await new Promise((r) => setTimeout(r, 5));
      written.push(...rows);
    });
    void batcher.add(1);
    await new Promise((r) => setImmediate(r));
    void batcher.add(2);
    await batcher.drain();
    expect(written).toEqual([1, 2]);
  });
});
