/**
 * `npm run telegram:polling`: the Telegram bot by long polling, for local use without a public
 * URL. Same engine, same SQLite data as the server. Needs TELEGRAM_BOT_TOKEN.
 */
import { join, resolve } from 'node:path';
import { loadConfig } from '../server/config.js';
import { loadKnowledge } from '../core/knowledge.js';
import { loadScript } from '../core/dialog/script.js';
import { DialogEngine } from '../core/dialog/engine.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { loadOrCreateSecret } from '../server/secrets.js';
import { createTelegramBot } from '../channels/telegram/bot.js';
import { ALLOWED_UPDATES } from '../channels/telegram/plugin.js';

const config = loadConfig();
if (!config.TELEGRAM_BOT_TOKEN) {
  console.error('Thiếu TELEGRAM_BOT_TOKEN: đặt biến môi trường này (token do BotFather cấp) rồi chạy lại.');
  process.exit(1);
}
const dataDir = resolve(config.DATA_DIR);
const storage = new SqliteStorage(join(dataDir, 'vneid-guide.sqlite'));
const secret = loadOrCreateSecret(dataDir, config.STATS_SECRET);
const engine = new DialogEngine({
  knowledge: loadKnowledge(),
  script: loadScript(),
  storage,
  communeName: config.COMMUNE_NAME,
  communeContact: config.COMMUNE_CONTACT,
  expiryMs: config.CONVERSATION_EXPIRY_HOURS * 3600_000,
});
const bot = createTelegramBot({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT, engine, storage, secret });
bot.catch((err) => console.error('Lỗi xử lý cập nhật Telegram:', err.message));
// Polling and a webhook exclude each other: drop the webhook first.
await bot.api.deleteWebhook();
process.once('SIGINT', () => void bot.stop());
process.once('SIGTERM', () => void bot.stop());
console.log('Telegram (long polling) đang chạy. Ctrl+C để dừng.');
await bot.start({ allowed_updates: [...ALLOWED_UPDATES] });
await storage.close();
