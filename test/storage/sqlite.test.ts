import { SqliteStorage } from '../../src/storage/sqlite.js';
import { tempDir } from '../helpers/engine.js';
import { join } from 'node:path';
import { storageContract } from './contract.js';

// A real file in a temp dir (not :memory:), as in production: WAL mode and all.
storageContract('SQLite', async () => {
  const tmp = tempDir('vneid-storage-');
  const storage = new SqliteStorage(join(tmp.dir, 'vneid-guide.sqlite'));
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      tmp.cleanup();
    },
  };
});
