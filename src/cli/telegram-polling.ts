/**
 * `npm run telegram:polling`: the Telegram bot by long polling, for local use without a public
 * URL. Same engine, storage and statistics as the server. Needs TELEGRAM_BOT_TOKEN.
 */
import pino from 'pino';
import { loadConfig } from '../server/config.js';
import { loggerOptions } from '../server/logger.js';
import { createEngine, openRuntime } from '../server/runtime.js';
import { createTelegramBot } from '../channels/telegram/bot.js';
import { ALLOWED_UPDATES } from '../channels/telegram/plugin.js';

const config = loadConfig();
if (!config.TELEGRAM_BOT_TOKEN) {
  console.error('Thiếu TELEGRAM_BOT_TOKEN: đặt biến môi trường này (token do BotFather cấp) rồi chạy lại.');
  process.exit(1);
}
const logger = pino(loggerOptions(config.LOG_LEVEL));
const runtime = await openRuntime(config, logger);
const engine = createEngine(config, runtime);
const bot = createTelegramBot({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT, engine, storage: runtime.storage, secret: runtime.secret });
bot.catch((err) => logger.error({ err: { message: err.message } }, 'Lỗi xử lý cập nhật Telegram'));
// Polling and a webhook exclude each other: drop the webhook first.
await bot.api.deleteWebhook();
process.once('SIGINT', () => void bot.stop());
process.once('SIGTERM', () => void bot.stop());
logger.info('Telegram (long polling) đang chạy. Ctrl+C để dừng.');
await bot.start({ allowed_updates: [...ALLOWED_UPDATES] });
await runtime.close();
