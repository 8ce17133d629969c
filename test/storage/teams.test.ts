/**
 * Volunteer teams through the Storage interface: SQLite (a real file) and PostgreSQL (a fresh
 * schema; skipped without TEST_DATABASE_URL). Codes are unique whatever their case, and a team
 * survives a restart.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { PostgresStorage } from '../../src/storage/postgres.js';
import type { Storage, Team } from '../../src/storage/storage.js';
import { tempDir } from '../helpers/engine.js';
import { freshSchema, PG_SKIP_MESSAGE, TEST_DATABASE_URL } from '../helpers/postgres.js';

if (!TEST_DATABASE_URL) console.warn(PG_SKIP_MESSAGE);
const describePg = TEST_DATABASE_URL ? describe : describe.skip;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const team = (code: string, name: string, createdAt: number, commune: string | null = null): Team => ({ code, name, commune, createdAt });

/** Opens the same database again (a restart). */
type Open = () => Promise<Storage>;

function teamsContract(name: string, makeOpen: () => Promise<Open>): void {
  describe(`teams: ${name}`, () => {
    it('creates, lists oldest first, finds by code in any case', async () => {
      const storage = await (await makeOpen())();
      expect(await storage.listTeams()).toEqual([]);
      expect(await storage.createTeam(team('DOANTN01', 'Đoàn thanh niên thôn 3', 2_000, 'loc-hoa'))).toBe(true);
      expect(await storage.createTeam(team('hoipn', 'Hội Liên hiệp Phụ nữ xã', 1_000))).toBe(true);
      expect(await storage.listTeams()).toEqual([team('HOIPN', 'Hội Liên hiệp Phụ nữ xã', 1_000), team('DOANTN01', 'Đoàn thanh niên thôn 3', 2_000, 'loc-hoa')]);
      expect(await storage.getTeam('doantn01')).toEqual(team('DOANTN01', 'Đoàn thanh niên thôn 3', 2_000, 'loc-hoa'));
      expect(await storage.getTeam('NOPE')).toBeUndefined();
    });

    it('a code is unique whatever its case; the first team keeps it', async () => {
      const storage = await (await makeOpen())();
      expect(await storage.createTeam(team('DOANTN01', 'Đội A', 1))).toBe(true);
      expect(await storage.createTeam(team('doantn01', 'Đội B', 2))).toBe(false);
      expect(await storage.listTeams()).toEqual([team('DOANTN01', 'Đội A', 1)]);
    });

    it('two creations of one code at once: exactly one wins', async () => {
      const storage = await (await makeOpen())();
      const results = await Promise.all(['Đội A', 'Đội B', 'Đội C'].map((n, i) => storage.createTeam(team('RACE1', n, i))));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await storage.listTeams()).toHaveLength(1);
    });

    it('a team gets a new name; its code, commune and date stay; an unknown code renames nothing', async () => {
      const storage = await (await makeOpen())();
      await storage.createTeam(team('DOANTN01', 'Đoàn thanh nien thon 3', 2_000, 'loc-hoa'));
      await storage.createTeam(team('HOIPN', 'Hội Phụ nữ', 1_000));
      expect(await storage.renameTeam('doantn01', 'Đoàn thanh niên thôn 3')).toBe(true);
      expect(await storage.renameTeam('NOPE', 'Đội ma')).toBe(false);
      expect(await storage.listTeams()).toEqual([team('HOIPN', 'Hội Phụ nữ', 1_000), team('DOANTN01', 'Đoàn thanh niên thôn 3', 2_000, 'loc-hoa')]);
    });

    it('teams survive a restart', async () => {
      const open = await makeOpen();
      const first = await open();
      await first.createTeam(team('KEEP1', 'Tổ dân phố số 5', 5));
      await first.close();
      const second = await open();
      expect(await second.getTeam('KEEP1')).toEqual(team('KEEP1', 'Tổ dân phố số 5', 5));
    });
  });
}

teamsContract('SQLite', async () => {
  const tmp = tempDir('vneid-teams-');
  cleanups.push(() => tmp.cleanup());
  return async () => {
    const storage = new SqliteStorage(join(tmp.dir, 'vneid-guide.sqlite'));
    cleanups.push(() => storage.close());
    return storage;
  };
});

describePg('PostgreSQL', () => {
  teamsContract('PostgreSQL', async () => {
    const schema = freshSchema();
    cleanups.push(() => PostgresStorage.dropSchema(TEST_DATABASE_URL!, schema));
    return async () => {
      const storage = await PostgresStorage.connect(TEST_DATABASE_URL!, { schema });
      cleanups.push(() => storage.close());
      return storage;
    };
  });
});
