/** `npm start`: the server with embedded defaults (SQLite under DATA_DIR, web chat on). */
import { join, resolve } from 'node:path';
import pino from 'pino';
import { loadConfig, ConfigError } from './config.js';
import { loadKnowledge } from '../core/knowledge.js';
import { InvalidContentError, DEFAULT_CONTENT_DIR } from '../core/content/loader.js';
import { loadScript } from '../core/dialog/script.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { openStorage } from '../storage/open.js';
import type { Storage } from '../storage/storage.js';
import type { PostgresStorage } from '../storage/postgres.js';
import type { StatsStore } from '../core/stats/store.js';
import { loadOrCreateSecret } from './secrets.js';
import { buildApp } from './app.js';
import { loggerOptions } from './logger.js';
import { SqliteStatsStore } from '../storage/sqlite-stats.js';
import { StatsSink } from '../core/stats/sink.js';
import { scheduleStatsRetention } from '../core/stats/retention.js';

/** Statistics live in the same database as the conversations. */
async function openStatsStore(storage: Storage): Promise<StatsStore> {
  if (storage instanceof SqliteStorage) return new SqliteStatsStore(storage.db);
  const { PostgresStatsStore } = await import('../storage/postgres-stats.js');
  return new PostgresStatsStore((storage as PostgresStorage).pool);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino(loggerOptions(config.LOG_LEVEL));
  const contentDir = config.CONTENT_DIR ? resolve(config.CONTENT_DIR) : DEFAULT_CONTENT_DIR;
  const knowledge = loadKnowledge(contentDir);
  const script = loadScript(join(contentDir, 'dialog.yaml'));
  const dataDir = resolve(config.DATA_DIR);
  const storage = await openStorage({
    databaseUrl: config.DATABASE_URL,
    dataDir,
    onError: (err) => logger.warn({ err: { message: err.message } }, 'PostgreSQL: mất kết nối'),
  });
  const secret = loadOrCreateSecret(dataDir, config.STATS_SECRET);

  const statsStore = await openStatsStore(storage);
  const sink = new StatsSink({ store: statsStore, onError: (err) => logger.error({ err: { message: (err as Error).message } }, 'ghi thống kê thất bại') });
  const stopRetention = scheduleStatsRetention(statsStore, {
    retentionDays: config.STATS_RETENTION_DAYS,
    onPurged: (n) => n > 0 && logger.info({ deleted: n }, 'đã xóa thống kê cũ'),
    onError: (err) => logger.error({ err: { message: (err as Error).message } }, 'xóa thống kê cũ thất bại'),
  });

  const { app, channels, engine } = await buildApp({ config, knowledge, script, storage, secret, logger, sink, statsStore });
  // Walkthroughs left idle past the expiry are counted as abandoned without waiting for the citizen to return.
  const sweep = setInterval(() => {
    engine.sweepIdle().catch((err: unknown) => logger.error({ err: { message: (err as Error).message } }, 'quét hội thoại bỏ dở thất bại'));
  }, 15 * 60_000).unref();
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ channels, entries: knowledge.content.entries.length, storage: storage.kind }, `vneid-guide đang chạy; kênh bật: ${channels.join(', ')}`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'đang dừng');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    try {
      clearInterval(sweep);
      stopRetention();
      await app.close(); // stops accepting, waits for in-flight requests and queued channel work
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
