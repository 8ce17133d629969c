import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open.js';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { tempDir } from '../helpers/engine.js';
import { freshSchema, TEST_DATABASE_URL } from '../helpers/postgres.js';

describe('openStorage', () => {
  it('opens SQLite under the data directory when no database URL is given', async () => {
    const tmp = tempDir('vneid-open-');
    try {
      const dataDir = join(tmp.dir, 'nested', 'data');
      for (const databaseUrl of [undefined, '', '  ']) {
        const storage = await openStorage({ databaseUrl, dataDir });
        expect(storage).toBeInstanceOf(SqliteStorage);
        expect(storage.kind).toBe('sqlite');
        await storage.setValue('k', 'v');
        await storage.close();
      }
      expect(existsSync(join(dataDir, 'vneid-guide.sqlite'))).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });

  it('rejects a URL that is not PostgreSQL instead of falling back to SQLite', async () => {
    await expect(openStorage({ databaseUrl: 'mysql://root@127.0.0.1/db', dataDir: '/nonexistent' })).rejects.toThrow(
      'DATABASE_URL must start with postgres:// or postgresql://',
    );
  });

  it('fails promptly, leaving nothing open, when PostgreSQL does not answer', async () => {
    const started = Date.now();
    await expect(openStorage({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test', dataDir: '/nonexistent' })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it.skipIf(!TEST_DATABASE_URL)('opens PostgreSQL for a postgres:// or postgresql:// URL', async () => {
    const url = TEST_DATABASE_URL!;
    for (const databaseUrl of [url, url.replace(/^postgres(ql)?:/, 'postgresql:')]) {
      const schema = freshSchema();
      const storage = await openStorage({ databaseUrl, dataDir: '/nonexistent', schema });
      try {
        expect(storage).toBeInstanceOf(PostgresStorage);
        expect(storage.kind).toBe('postgres');
        await storage.ping();
      } finally {
        await storage.close();
        await PostgresStorage.dropSchema(url, schema);
      }
    }
  });
});
