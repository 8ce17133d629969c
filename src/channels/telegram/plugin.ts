/**
 * `POST /webhooks/telegram`: updates from Telegram, handled by the grammY bot inside an
 * encapsulated Fastify plugin.
 *
 * Not grammY's webhookCallback: on a timeout it answers the webhook but leaves the update
 * running, and when that update fails later its rejection is unhandled (a `.finally()` nobody
 * awaits inside grammY), which stops Node. Here an update that outlives the webhook keeps a
 * handler: its late failure is logged (through safeError: no token, no message text) and
 * counted, and the process stays up.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { createTelegramBot, type TelegramBotOptions } from './bot.js';
import { ALLOWED_UPDATES, readUpdate } from './update-shape.js';

export { ALLOWED_UPDATES } from './update-shape.js';

/** What happened to updates that outlived their webhook call (for logs and tests). */
export interface TelegramWebhookCounters {
  /** Updates still running when the webhook was answered 503. */
  timeouts: number;
  /** Of those, the ones that then failed. */
  lateFailures: number;
}

export interface TelegramPluginOptions extends TelegramBotOptions {
  webhookSecret: string;
  /** Webhook path (default /webhooks/telegram); a commune's own bot is at /webhooks/telegram/<id>. */
  path?: string;
  /** When set, setWebhook is called on start with this base URL. */
  publicUrl?: string;
  /** How long the webhook waits for an update before answering 503 (default 9 s, under Telegram's own wait). */
  timeoutMs?: number;
  /** Incremented here; the app keeps the object. */
  counters?: TelegramWebhookCounters;
  /** Told the bot's @username once it is known (from getMe, or at once from `botInfo`): volunteer posters link to it. */
  onUsername?: (username: string) => void;
}

export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram';
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

type Settled = { state: 'done' } | { state: 'failed'; error: unknown } | { state: 'timeout' };

/** The task's outcome, or 'timeout' after `ms`. Either way the task has a rejection handler. */
function settleWithin(task: Promise<unknown>, ms: number): Promise<Settled> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ state: 'timeout' }), ms);
    task.then(
      () => {
        clearTimeout(timer);
        resolve({ state: 'done' });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ state: 'failed', error });
      },
    );
  });
}

export const telegramPlugin: FastifyPluginAsync<TelegramPluginOptions> = async (app, o) => {
  const bot = createTelegramBot({ ...o, log: o.log ?? app.log });
  const counters = o.counters ?? { timeouts: 0, lateFailures: 0 };
  const timeoutMs = o.timeoutMs ?? 9_000;
  const secretDigest = sha256(o.webhookSecret);
  /** Updates still running after their webhook was answered; awaited on close. */
  const late = new Set<Promise<unknown>>();

  let initializing: Promise<void> | undefined;
  const ensureInit = () =>
    (initializing ??= bot.init().then(
      () => o.onUsername?.(bot.botInfo.username),
      (err: unknown) => {
        initializing = undefined; // try getMe again with the next update
        throw err;
      },
    ));
  if (o.botInfo) o.onUsername?.(o.botInfo.username);
  else {
    // getMe at start; if Telegram is unreachable now, it is tried again on the first update.
    await ensureInit().catch((err: unknown) => app.log.error({ err }, 'Telegram: getMe thất bại, sẽ thử lại khi có tin nhắn'));
  }

  const path = o.path ?? TELEGRAM_WEBHOOK_PATH;
  app.post(path, { config: { rateLimit: false } }, async (req, res) => {
    // Constant time, whatever the lengths (both sides hashed first).
    const given = req.headers[SECRET_HEADER];
    if (typeof given !== 'string' || !timingSafeEqual(sha256(given), secretDigest)) {
      return res.code(401).send({ error: 'unauthorized' });
    }
    const read = readUpdate(req.body);
    if (read.kind === 'not-an-update') {
      req.log.warn('Telegram: nội dung webhook không phải một cập nhật, trả 400');
      return res.code(400).send({ error: 'Yêu cầu không hợp lệ.' });
    }
    // Answered 200: a redelivery of the same body would fail the same way.
    if (read.kind === 'ignored') {
      req.log.debug({ updateId: read.updateId }, 'Telegram: loại cập nhật không dùng, bỏ qua');
      return res.code(200).send();
    }
    if (read.kind === 'malformed') {
      req.log.warn({ updateId: read.updateId, issues: read.issues }, 'Telegram: cập nhật sai cấu trúc, bỏ qua');
      return res.code(200).send();
    }
    await ensureInit();
    const update = read.update;
    const task = bot.handleUpdate(update);
    const outcome = await settleWithin(task, timeoutMs);
    // A failure answers 5xx through the app's error handler, so Telegram redelivers.
    if (outcome.state === 'failed') throw outcome.error;
    if (outcome.state === 'done') return res.code(200).send();

    // Still running (a stalled database, a slow Bot API): Telegram is told to retry later, and
    // the update keeps a handler for however it ends.
    counters.timeouts++;
    const updateId = typeof update?.update_id === 'number' ? update.update_id : undefined;
    req.log.warn({ updateId, timeoutMs, timeouts: counters.timeouts }, 'Telegram: cập nhật chưa xong khi hết thời gian chờ, trả 503 để Telegram gửi lại');
    const ending = task.then(
      () => app.log.info({ updateId }, 'Telegram: cập nhật đã xong sau khi hết thời gian chờ'),
      (err: unknown) => {
        counters.lateFailures++;
        app.log.error({ err, updateId, lateFailures: counters.lateFailures }, 'Telegram: cập nhật thất bại sau khi đã trả lời webhook');
      },
    );
    late.add(ending);
    void ending.finally(() => late.delete(ending));
    return res.code(503).send({ error: 'Máy chủ đang bận. Telegram sẽ gửi lại.' });
  });

  // Shutdown waits for updates that outlived their webhook, as for in-flight requests.
  app.addHook('onClose', async () => {
    await Promise.allSettled([...late]);
  });

  if (o.publicUrl) {
    const url = `${o.publicUrl}${path}`;
    app.addHook('onReady', async () => {
      // Telegram unreachable at start must not keep the other channels down: log and go on
      // (a webhook registered earlier keeps working).
      try {
        await bot.api.setWebhook(url, { secret_token: o.webhookSecret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false });
        app.log.info({ path }, 'Telegram: đã đăng ký webhook');
      } catch (err) {
        app.log.error({ err, path }, 'Telegram: không đăng ký được webhook');
      }
    });
  }
};
