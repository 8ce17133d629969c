/** `npm start`: the server with embedded defaults (SQLite under DATA_DIR, web chat on). */
import { join, resolve } from 'node:path';
import pino from 'pino';
import { loadConfig, ConfigError } from './config.js';
import { loadKnowledge } from '../core/knowledge.js';
import { InvalidContentError, DEFAULT_CONTENT_DIR } from '../core/content/loader.js';
import { loadScript } from '../core/dialog/script.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { loadOrCreateSecret } from './secrets.js';
import { buildApp } from './app.js';
import { loggerOptions } from './logger.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino(loggerOptions(config.LOG_LEVEL));
  const contentDir = config.CONTENT_DIR ? resolve(config.CONTENT_DIR) : DEFAULT_CONTENT_DIR;
  const knowledge = loadKnowledge(contentDir);
  const script = loadScript(join(contentDir, 'dialog.yaml'));
  const dataDir = resolve(config.DATA_DIR);
  const storage = new SqliteStorage(join(dataDir, 'vneid-guide.sqlite'));
  const secret = loadOrCreateSecret(dataDir, config.STATS_SECRET);

  const { app, channels } = await buildApp({ config, knowledge, script, storage, secret, logger });
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ channels, entries: knowledge.content.entries.length, storage: storage.kind }, `vneid-guide đang chạy; kênh bật: ${channels.join(', ')}`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'đang dừng');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    try {
      await app.close(); // stops accepting, waits for in-flight requests
      await storage.close();
      clearTimeout(force);
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'dừng không sạch');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // One clear line for configuration and content errors; they are the operator's to fix.
  if (err instanceof ConfigError || err instanceof InvalidContentError) console.error(err.message);
  else console.error('Không khởi động được:', err instanceof Error ? err.message : err);
  process.exit(1);
});
