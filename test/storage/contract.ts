/**
 * The Storage contract, one suite for every implementation: SQLite is the reference, and
 * PostgreSQL must behave the same for everything the core and the channels rely on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/storage.js';

export interface StorageUnderTest {
  storage: Storage;
  /** Closes (again, harmlessly) and removes whatever the storage left behind. */
  cleanup: () => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls until `check` holds; avoids guessing how long another holder needs. */
async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

export function storageContract(name: string, makeStorage: () => Promise<StorageUnderTest>): void {
  describe(`Storage contract: ${name}`, () => {
    let storage: Storage;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ storage, cleanup } = await makeStorage());
    });

    afterEach(async () => {
      await cleanup();
    });

    it('is ready on creation and answers ping', async () => {
      expect(['sqlite', 'postgres']).toContain(storage.kind);
      await expect(storage.ping()).resolves.toBeUndefined();
    });

    describe('conversations', () => {
      it('returns undefined for an unknown key', async () => {
        expect(await storage.getConversation('nobody')).toBeUndefined();
      });

      it('round-trips a JSON state with Vietnamese text, emoji and awkward characters', async () => {
        const state = {
          step: 2,
          guide: 'cap-lai-mat-khau',
          text: 'Xin chào, tôi cần cấp lại mật khẩu VNeID 🙏 — Đ đ ơ ư ă',
          nested: { list: [1, 'hai', null, true, { x: 1.5, y: -0.25 }], empty: {}, none: [] },
          quotes: `"'\\ \n\t`,
          nul: 'a\u0000b',
          big: Number.MAX_SAFE_INTEGER,
          long: 'ư'.repeat(50_000),
        };
        await storage.saveConversation('tg:khoá-🙂', state, 1_700_000_000_000);
        expect(await storage.getConversation('tg:khoá-🙂')).toEqual({ state, updatedAt: 1_700_000_000_000 });
      });

      it('round-trips non-object JSON states', async () => {
        for (const [i, state] of [null, 0, 'chuỗi', true, [1, [2]]].entries()) {
          await storage.saveConversation(`k${i}`, state, 1000 + i);
          expect(await storage.getConversation(`k${i}`)).toEqual({ state, updatedAt: 1000 + i });
        }
      });

      it('overwrites state and updatedAt on save', async () => {
        await storage.saveConversation('k', { step: 1 }, 1000);
        await storage.saveConversation('k', { step: 2, extra: 'x' }, 2000);
        expect(await storage.getConversation('k')).toEqual({ state: { step: 2, extra: 'x' }, updatedAt: 2000 });
      });

      it('saves asked for at once (several users, one user twice) all land; per key the last wins', async () => {
        await Promise.all([
          storage.saveConversation('u1', { step: 1 }, 1000),
          storage.saveConversation('u2', { step: 1 }, 1000),
          storage.saveConversation('u1', { step: 2 }, 2000),
          ...Array.from({ length: 30 }, (_, i) => storage.saveConversation(`many-${i}`, { i }, 3000)),
        ]);
        expect(await storage.getConversation('u1')).toEqual({ state: { step: 2 }, updatedAt: 2000 });
        expect(await storage.getConversation('u2')).toEqual({ state: { step: 1 }, updatedAt: 1000 });
        expect(await storage.getConversation('many-29')).toEqual({ state: { i: 29 }, updatedAt: 3000 });
        // A delete asked for after a save is not undone by it.
        const save = storage.saveConversation('u3', { step: 1 }, 1000);
        await storage.deleteConversation('u3');
        await save;
        expect(await storage.getConversation('u3')).toBeUndefined();
      });

      it('stamps updatedAt with the current time by default', async () => {
        const before = Date.now();
        await storage.saveConversation('k', { step: 1 });
        const after = Date.now();
        const record = await storage.getConversation('k');
        expect(record?.updatedAt).toBeGreaterThanOrEqual(before);
        expect(record?.updatedAt).toBeLessThanOrEqual(after);
        expect(typeof record?.updatedAt).toBe('number');
      });

      it('deletes one conversation, and deleting a missing one is a no-op', async () => {
        await storage.saveConversation('a', { n: 1 }, 1000);
        await storage.saveConversation('b', { n: 2 }, 1000);
        await storage.deleteConversation('a');
        await storage.deleteConversation('a');
        await storage.deleteConversation('never');
        expect(await storage.getConversation('a')).toBeUndefined();
        expect(await storage.getConversation('b')).toEqual({ state: { n: 2 }, updatedAt: 1000 });
      });

      it('lists idle conversations strictly older than the cut-off, oldest first, up to the limit', async () => {
        await storage.saveConversation('a', { n: 'a' }, 1000);
        await storage.saveConversation('b', { n: 'b' }, 3000);
        await storage.saveConversation('c', { n: 'c' }, 2000);
        await storage.saveConversation('d', { n: 'd' }, 5000);

        expect(await storage.listIdleConversations(4000, 10)).toEqual([
          { key: 'a', state: { n: 'a' }, updatedAt: 1000 },
          { key: 'c', state: { n: 'c' }, updatedAt: 2000 },
          { key: 'b', state: { n: 'b' }, updatedAt: 3000 },
        ]);
        const keys = async (olderThan: number, limit: number) => (await storage.listIdleConversations(olderThan, limit)).map((r) => r.key);
        expect(await keys(3000, 10)).toEqual(['a', 'c']);
        expect(await keys(6000, 2)).toEqual(['a', 'c']);
        expect(await keys(6000, 0)).toEqual([]);
        expect(await keys(1000, 10)).toEqual([]);

        // Saving again makes a conversation recent.
        await storage.saveConversation('a', { n: 'a2' }, 6000);
        expect(await keys(5500, 10)).toEqual(['c', 'b', 'd']);
        await storage.deleteConversation('c');
        expect(await keys(5500, 10)).toEqual(['b', 'd']);
      });
    });

    describe('processed ids', () => {
      it('is true the first time, false for a redelivery, per scope', async () => {
        expect(await storage.markProcessed('telegram', '42', 1000)).toBe(true);
        expect(await storage.markProcessed('telegram', '42', 2000)).toBe(false);
        expect(await storage.markProcessed('zalo-oa', '42', 2000)).toBe(true);
        expect(await storage.markProcessed('telegram', '43', 2000)).toBe(true);
        expect(await storage.markProcessed('zalo-oa', '42')).toBe(false);
      });

      it('lets exactly one of many concurrent marks win', async () => {
        const results = await Promise.all(Array.from({ length: 10 }, () => storage.markProcessed('telegram', 'race')));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('forgets one id so that a redelivery is processed again', async () => {
        await storage.markProcessed('telegram', '1', 1000);
        await storage.markProcessed('zalo-oa', '1', 1000);
        await storage.forgetProcessed('telegram', '1');
        await storage.forgetProcessed('telegram', 'never');
        expect(await storage.markProcessed('telegram', '1')).toBe(true);
        expect(await storage.markProcessed('zalo-oa', '1')).toBe(false);
      });

      it('prunes ids strictly older than the cut-off and returns how many', async () => {
        await storage.markProcessed('s', '1', 1000);
        await storage.markProcessed('s', '2', 2000);
        await storage.markProcessed('t', '3', 3000);

        expect(await storage.pruneProcessed(2000)).toBe(1);
        expect(await storage.pruneProcessed(2000)).toBe(0);
        expect(await storage.markProcessed('s', '2', 9000)).toBe(false); // kept
        expect(await storage.markProcessed('s', '1', 9000)).toBe(true); // forgotten
        // ('s','2') at 2000 and ('t','3') at 3000; ('s','1') is now at 9000.
        expect(await storage.pruneProcessed(3001)).toBe(2);
        expect(await storage.pruneProcessed(Number.MAX_SAFE_INTEGER)).toBe(1);
      });

      it('keeps the first time of a redelivered id', async () => {
        await storage.markProcessed('s', 'x', 1000);
        await storage.markProcessed('s', 'x', 5000);
        expect(await storage.pruneProcessed(2000)).toBe(1);
        expect(await storage.pruneProcessed(Number.MAX_SAFE_INTEGER)).toBe(0);
      });
    });

    describe('values', () => {
      it('gets, sets, overwrites and deletes', async () => {
        expect(await storage.getValue('zalo-oa:tokens')).toBeUndefined();
        await storage.setValue('zalo-oa:tokens', '{"accessToken":"a"}');
        expect(await storage.getValue('zalo-oa:tokens')).toBe('{"accessToken":"a"}');
        await storage.setValue('zalo-oa:tokens', '{"accessToken":"b"}');
        expect(await storage.getValue('zalo-oa:tokens')).toBe('{"accessToken":"b"}');
        await storage.deleteValue('zalo-oa:tokens');
        expect(await storage.getValue('zalo-oa:tokens')).toBeUndefined();
        await storage.deleteValue('zalo-oa:tokens');
        await storage.deleteValue('never');
      });

      it('keeps empty, unicode and long values exactly, per key', async () => {
        await storage.setValue('empty', '');
        await storage.setValue('vi', 'Bí mật — khoá 🔑');
        await storage.setValue('long', 'x'.repeat(100_000));
        expect(await storage.getValue('empty')).toBe('');
        expect(await storage.getValue('vi')).toBe('Bí mật — khoá 🔑');
        expect(await storage.getValue('long')).toHaveLength(100_000);
      });

      it('setValueIfAbsent: the first value stays; every caller gets the stored one', async () => {
        expect(await storage.setValueIfAbsent('stats-secret', 'first')).toBe('first');
        expect(await storage.setValueIfAbsent('stats-secret', 'second')).toBe('first');
        expect(await storage.getValue('stats-secret')).toBe('first');
        const raced = await Promise.all(['a', 'b', 'c', 'd'].map((v) => storage.setValueIfAbsent('raced', v)));
        expect(new Set(raced).size).toBe(1);
        expect(await storage.getValue('raced')).toBe(raced[0]);
      });

      it('is a namespace separate from conversations', async () => {
        await storage.setValue('same', 'value');
        await storage.saveConversation('same', { step: 1 }, 1000);
        await storage.deleteConversation('same');
        expect(await storage.getValue('same')).toBe('value');
      });
    });

    describe('withLock', () => {
      it("returns fn's value", async () => {
        expect(await storage.withLock('l', async () => 42)).toBe(42);
      });

      it('never lets two holders overlap, and serves them in call order', async () => {
        let active = 0;
        let maxActive = 0;
        const order: number[] = [];
        await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            storage.withLock('zalo-token', async () => {
              active++;
              maxActive = Math.max(maxActive, active);
              order.push(i);
              await sleep(10);
              active--;
            }),
          ),
        );
        expect(maxActive).toBe(1);
        expect(order).toEqual([0, 1, 2, 3, 4]);
      });

      it('makes a second holder wait until the first is done', async () => {
        const release = deferred();
        let firstIn = false;
        let secondIn = false;
        const first = storage.withLock('zalo-token', async () => {
          firstIn = true;
          await release.promise;
        });
        await until(() => firstIn);
        const second = storage.withLock('zalo-token', async () => {
          secondIn = true;
        });
        await sleep(100);
        expect(secondIn).toBe(false);
        release.resolve();
        await Promise.all([first, second]);
        expect(secondIn).toBe(true);
      });

      it('releases the lock when fn throws, and passes the error on', async () => {
        const failing = storage.withLock('zalo-token', async () => {
          await sleep(10);
          throw new Error('refresh failed');
        });
        const next = storage.withLock('zalo-token', async () => 'after');
        await expect(failing).rejects.toThrow('refresh failed');
        await expect(next).resolves.toBe('after');
        await expect(storage.withLock('zalo-token', async () => 'again')).resolves.toBe('again');
      });

      it('does not make different names wait for each other', async () => {
        const release = deferred();
        let aIn = false;
        const a = storage.withLock('a', async () => {
          aIn = true;
          await release.promise;
        });
        await until(() => aIn);
        await expect(storage.withLock('b', async () => 'b done')).resolves.toBe('b done');
        release.resolve();
        await a;
      });
    });

    describe('close', () => {
      it('closes once, tolerates a second close, and refuses work afterwards', async () => {
        await storage.setValue('k', 'v');
        await storage.close();
        await expect(storage.close()).resolves.toBeUndefined();
        await expect(storage.getValue('k')).rejects.toThrow();
        await expect(storage.ping()).rejects.toThrow();
      });
    });
  });
}
