/**
 * Zalo Bot Platform webhook `POST /webhooks/zalo-bot` (a bot at bot.zaloplatforms.com, separate
 * from the OA). The platform has no buttons: choices go out as a numbered list and a number
 * typed back is taken as the choice (shared renderer in ../render/numbered.ts).
 *
 * Wiring (src/server/app.ts), when `zaloBotEnabled(config)`:
 *   app.register(zaloBotPlugin, { config, engine, storage, secret, sink })
 * With PUBLIC_URL set, the plugin calls setWebhook(PUBLIC_URL + '/webhooks/zalo-bot') once listening.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../server/config.js';
import type { DialogEngine, Turn } from '../../core/dialog/engine.js';
import { pseudonymize } from '../../core/privacy/pseudonym.js';
import { nullSink, type EventSink } from '../../core/stats/events.js';
import type { Storage } from '../../storage/storage.js';
import { NumberedRenderer, type NumberedOptions } from '../render/numbered.js';
import { DEFAULT_MAX_CHARS, splitText } from '../render/split.js';
import { idString, isRecord, parseJsonKeepingIds } from '../zalo-oa/json.js';
import type { ChannelLogger, RetryOptions } from '../zalo-oa/log.js';
import { WorkQueue } from '../zalo-oa/queue.js';
import { ZaloBotClient, type ZaloBotSender } from './client.js';

export const ZALO_BOT_CHANNEL = 'zalo-bot';
export const ZALO_BOT_WEBHOOK_PATH = '/webhooks/zalo-bot';
export const SECRET_HEADER = 'x-bot-api-secret-token';
const MAX_USER_TEXT = 2000;

export type ZaloBotConfig = Pick<Config, 'ZALO_BOT_TOKEN' | 'ZALO_BOT_WEBHOOK_SECRET' | 'ZALO_BOT_API_BASE' | 'PUBLIC_URL'>;

export function zaloBotEnabled(config: Pick<Config, 'ZALO_BOT_TOKEN' | 'ZALO_BOT_WEBHOOK_SECRET'>): boolean {
  return Boolean(config.ZALO_BOT_TOKEN && config.ZALO_BOT_WEBHOOK_SECRET);
}

export interface ZaloBotPluginOptions {
  config: ZaloBotConfig;
  engine: Pick<DialogEngine, 'handle'>;
  storage: Storage;
  /** Pseudonymization secret. */
  secret: string;
  sink?: EventSink;
  /** Default: a ZaloBotClient on ZALO_BOT_API_BASE. */
  client?: ZaloBotSender & { setWebhook?(url: string, secretToken: string): Promise<unknown> };
  retry?: RetryOptions;
  sleep?: (ms: number) => Promise<void>;
  queue?: WorkQueue;
  numbered?: NumberedOptions;
  /** Call setWebhook once listening when PUBLIC_URL is set (default true). */
  setWebhookOnStart?: boolean;
}

/** Constant-time comparison of secrets of any length (hashing equalises the lengths). */
export function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  const value = Array.isArray(given) ? given[0] : given;
  if (typeof value !== 'string' || value.length === 0) return false;
  const a = createHash('sha256').update(value, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

const safeEventName = (name: unknown) => (typeof name === 'string' ? name.replace(/[^\w.-]/g, '').slice(0, 64) : '');

export const zaloBotPlugin: FastifyPluginAsync<ZaloBotPluginOptions> = async (app, o) => {
  const { config, storage } = o;
  const token = config.ZALO_BOT_TOKEN;
  const webhookSecret = config.ZALO_BOT_WEBHOOK_SECRET;
  if (!token || !webhookSecret) throw new Error('Zalo Bot: cần ZALO_BOT_TOKEN và ZALO_BOT_WEBHOOK_SECRET');
  const log: ChannelLogger = app.log.child({ channel: ZALO_BOT_CHANNEL });
  const sink = o.sink ?? nullSink;
  const numbered = new NumberedRenderer(storage, o.numbered);
  const client =
    o.client ??
    new ZaloBotClient({ apiBase: config.ZALO_BOT_API_BASE, token, logger: log, ...o.retry, ...(o.sleep ? { sleep: o.sleep } : {}) });
  const queue =
    o.queue ??
    new WorkQueue((err) => log.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'Zalo Bot: xử lý sự kiện thất bại'));

  if (config.PUBLIC_URL && o.setWebhookOnStart !== false && client.setWebhook) {
    const url = `${config.PUBLIC_URL}${ZALO_BOT_WEBHOOK_PATH}`;
    const setWebhook = client.setWebhook.bind(client);
    // After listening (the platform may probe the URL); in the background so start-up never waits on Zalo.
    app.addHook('onListen', async () => {
      queue.push('setWebhook', async () => {
        const r = (await setWebhook(url, webhookSecret)) as { ok?: boolean; code?: string };
        if (r.ok) log.info({}, 'Zalo Bot: đã đăng ký webhook');
        else log.error({ code: r.code }, 'Zalo Bot: đăng ký webhook thất bại');
      });
    });
  }
  app.addHook('onClose', async () => {
    await queue.idle();
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post(ZALO_BOT_WEBHOOK_PATH, { config: { rateLimit: false } }, async (req, res) => {
    if (!secretMatches(req.headers[SECRET_HEADER], webhookSecret)) {
      log.warn({}, 'Zalo Bot: sai hoặc thiếu X-Bot-Api-Secret-Token');
      return res.code(401).send({ error: 'Không được phép.' });
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (raw.toString('utf8').trim() === '') return { ok: true };
    let body: unknown;
    try {
      body = parseJsonKeepingIds(raw.toString('utf8'));
    } catch {
      return res.code(400).send({ error: 'Yêu cầu không hợp lệ.' });
    }
    if (!isRecord(body)) return res.code(400).send({ error: 'Yêu cầu không hợp lệ.' });
    // Accept both `{ok, result: {...}}` and the bare update.
    const update = isRecord(body.result) ? body.result : body;
    const message = isRecord(update.message) ? update.message : {};
    // getUpdates samples in Zalo's docs carry no event_name: a message with text is a text message.
    const event = safeEventName(update.event_name) || (typeof message.text === 'string' ? 'message.text.received' : isRecord(update.message) ? 'message.unsupported.received' : '');
    const chatId = isRecord(message.chat) ? idString(message.chat.id) : undefined;
    const fromId = (isRecord(message.from) ? idString(message.from.id) : undefined) ?? chatId;
    if (!event.startsWith('message.')) {
      log.info({ event }, 'Zalo Bot: sự kiện chưa hỗ trợ');
      return { ok: true };
    }
    if (!chatId || !fromId) {
      log.warn({ event }, 'Zalo Bot: sự kiện thiếu id cuộc trò chuyện');
      return { ok: true };
    }
    const rawText = typeof message.text === 'string' ? message.text : typeof update.text === 'string' ? update.text : '';
    const isText = event === 'message.text.received';
    const dedupeId = idString(message.message_id) ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    const userKey = pseudonymize(o.secret, ZALO_BOT_CHANNEL, fromId);

    queue.push(userKey, async () => {
      if (!(await storage.markProcessed(ZALO_BOT_CHANNEL, dedupeId))) {
        log.debug({ event }, 'Zalo Bot: sự kiện trùng, bỏ qua');
        return;
      }
      let turn: Omit<Turn, 'channel' | 'userKey'>;
      if (isText) {
        const text = rawText.slice(0, MAX_USER_TEXT);
        const payload = await numbered.resolve(userKey, text);
        turn = payload ? { payload } : { text };
      } else turn = { nonText: true };
      const replies = await o.engine.handle({ channel: ZALO_BOT_CHANNEL, userKey, ...turn });
      const texts = await numbered.render(userKey, replies);
      for (const part of texts.flatMap((t) => splitText(t, DEFAULT_MAX_CHARS))) {
        const r = await client.sendMessage(chatId, part);
        if (!r.ok) {
          await sink.record({ type: 'delivery-failure', code: r.code }, { channel: ZALO_BOT_CHANNEL, userKey, at: Date.now() });
          break;
        }
      }
    });
    return { ok: true };
  });
};
