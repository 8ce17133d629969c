import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildApp, type App, type AppDeps } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { loggerOptions } from '../../src/server/logger.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { BOT_INFO } from './telegram-fake.js';
import { sharedKnowledge, tempDir } from './engine.js';

export interface TestApp extends App {
  storage: SqliteStorage;
  dir: string;
  /** Everything the server logged, as raw text. */
  logs: () => string;
  close: () => Promise<void>;
}

/** A real app on a real SQLite file in a temp dir, logging into memory. */
export async function makeApp(env: Record<string, string> = {}, options: { dir?: string; deps?: (storage: SqliteStorage) => Partial<AppDeps> } = {}): Promise<TestApp> {
  const tmp = options.dir ? { dir: options.dir, cleanup: () => {} } : tempDir();
  // Tests send bursts on purpose; flood control gets its own test with small limits.
  const config = loadConfig({ DATA_DIR: tmp.dir, LOG_LEVEL: 'info', COMMUNE_NAME: 'Xã Thử Nghiệm', FLOOD_MAX_MESSAGES: '1000', ...env });
  const storage = new SqliteStorage(join(tmp.dir, 'vneid-guide.sqlite'));
  let captured = '';
  const sinkStream = new Writable({
    write(chunk, _enc, cb) {
      captured += chunk.toString();
      cb();
    },
  });
  const logger = pino(loggerOptions('info'), sinkStream);
  const { knowledge, script } = sharedKnowledge();
  const built = await buildApp({ config, knowledge, script, storage, secret: 'test-secret-0123456789abcdef', logger, telegramBotInfo: BOT_INFO, ...options.deps?.(storage) });
  await built.app.ready();
  return {
    ...built,
    storage,
    dir: tmp.dir,
    logs: () => captured,
    close: async () => {
      await built.app.close();
      await storage.close();
      tmp.cleanup();
    },
  };
}
