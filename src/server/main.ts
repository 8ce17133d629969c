/** `npm start`: the server with embedded defaults (SQLite under DATA_DIR, web chat on). */
import pino from 'pino';
import { loadConfig, ConfigError } from './config.js';
import { ZodError } from 'zod';
import { InvalidContentError } from '../core/content/loader.js';
import { buildApp } from './app.js';
import { loggerOptions } from './logger.js';
import { openRuntime } from './runtime.js';
import { guardProcess } from './process-guard.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino(loggerOptions(config.LOG_LEVEL));
  // Before anything can fail in the background: logged through safeError, never dumped raw.
  guardProcess(logger);
  const runtime = await openRuntime(config, logger);
  const { knowledge, storage } = runtime;

  const { app, channels, engine } = await buildApp({ config, logger, ...runtime });
  // Walkthroughs left idle past the expiry are counted as abandoned without waiting for the citizen to return.
  const sweep = setInterval(() => {
    engine.sweepIdle().catch((err: unknown) => logger.error({ err }, 'quét hội thoại bỏ dở thất bại'));
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
      await app.close(); // stops accepting, waits for in-flight requests and queued channel work
      await runtime.close();
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
  // One clear line for configuration errors, one line per content error: the operator's to fix.
  if (err instanceof ConfigError || err instanceof InvalidContentError) console.error(err.message);
  else if (err instanceof ZodError) console.error(`Nội dung không hợp lệ (dialog.yaml, lexicon.yaml hoặc matcher.yaml) — ${err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}. Chạy: npm run content:check`);
  else console.error('Không khởi động được:', err instanceof Error ? err.message : err);
  process.exit(1);
});
