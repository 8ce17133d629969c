/** `POST /webhooks/telegram`: grammY's webhook adapter inside an encapsulated Fastify plugin. */
import type { FastifyPluginAsync } from 'fastify';
import { webhookCallback } from 'grammy';
import { createTelegramBot, type TelegramBotOptions } from './bot.js';

export interface TelegramPluginOptions extends TelegramBotOptions {
  webhookSecret: string;
  /** When set, setWebhook is called on start with this base URL. */
  publicUrl?: string;
}

export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram';
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

export const telegramPlugin: FastifyPluginAsync<TelegramPluginOptions> = async (app, o) => {
  const bot = createTelegramBot(o);
  if (!o.botInfo) {
    // getMe at start; if Telegram is unreachable now, grammY retries on the first update.
    await bot.init().catch((err: unknown) => app.log.error({ err }, 'Telegram: getMe thất bại, sẽ thử lại khi có tin nhắn'));
  }
  // The adapter checks X-Telegram-Bot-Api-Secret-Token in constant time (401 otherwise).
  // On a timeout or an error it answers 5xx, so Telegram redelivers: nothing is lost.
  const handle = webhookCallback(bot, 'fastify', { secretToken: o.webhookSecret, onTimeout: 'throw', timeoutMilliseconds: 9_000 });
  app.post(TELEGRAM_WEBHOOK_PATH, { config: { rateLimit: false } }, handle);

  if (o.publicUrl) {
    const url = `${o.publicUrl}${TELEGRAM_WEBHOOK_PATH}`;
    app.addHook('onReady', async () => {
      // Telegram unreachable at start must not keep the other channels down: log and go on
      // (a webhook registered earlier keeps working).
      try {
        await bot.api.setWebhook(url, { secret_token: o.webhookSecret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false });
        app.log.info('Telegram: đã đăng ký webhook');
      } catch (err) {
        app.log.error({ err }, 'Telegram: không đăng ký được webhook');
      }
    });
  }
};
