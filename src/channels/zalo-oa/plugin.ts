/**
 * Zalo Official Account webhook `POST /webhooks/zalo`. Zalo retries events that are not answered
 * within ≈2 s, so the route only authenticates and answers 200; the dialog and the replies run
 * afterwards in a per-user queue. Redeliveries are dropped by `msg_id` (persisted).
 *
 * Wiring (src/server/app.ts), when `zaloOaEnabled(config)`:
 *   const zaloTokens = createZaloTokenManager(config, storage, app.log);
 *   health check: zaloTokens.healthCheck
 *   app.register(zaloOaPlugin, { config, engine, storage, secret, sink, tokens: zaloTokens })
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../server/config.js';
import type { DialogEngine, Turn } from '../../core/dialog/engine.js';
import { isPayload } from '../../core/dialog/reply.js';
import { pseudonymize } from '../../core/privacy/pseudonym.js';
import { nullSink, type EventSink } from '../../core/stats/events.js';
import type { Storage } from '../../storage/storage.js';
import { ZaloOaClient, type ZaloOaSender } from './client.js';
import { idString, isRecord, parseJsonKeepingIds } from './json.js';
import type { ChannelLogger, RetryOptions } from './log.js';
import { WorkQueue } from './queue.js';
import { SIGNATURE_HEADER, verifyZaloSignature } from './signature.js';
import { ZaloTokenManager, type AccessTokenSource } from './tokens.js';

export const ZALO_OA_CHANNEL = 'zalo-oa';
export const ZALO_OA_WEBHOOK_PATH = '/webhooks/zalo';
/** Longest user text handed to the dialog (Zalo's own limit). */
const MAX_USER_TEXT = 2000;

export type ZaloOaConfig = Pick<
  Config,
  | 'ZALO_APP_ID'
  | 'ZALO_OA_SECRET_KEY'
  | 'ZALO_APP_SECRET'
  | 'ZALO_ACCESS_TOKEN'
  | 'ZALO_REFRESH_TOKEN'
  | 'ZALO_API_BASE'
  | 'ZALO_OAUTH_BASE'
  | 'ZALO_REPLAY_WINDOW_MINUTES'
>;

/** The channel is on when webhooks can be verified. */
export function zaloOaEnabled(config: Pick<Config, 'ZALO_APP_ID' | 'ZALO_OA_SECRET_KEY'>): boolean {
  return Boolean(config.ZALO_APP_ID && config.ZALO_OA_SECRET_KEY);
}

/** The token holder for the OA; create it in buildApp so /healthz can read `healthCheck`. */
export function createZaloTokenManager(config: ZaloOaConfig, storage: Storage, logger?: ChannelLogger, timeoutMs?: number): ZaloTokenManager {
  return new ZaloTokenManager({
    storage,
    appId: config.ZALO_APP_ID ?? '',
    oauthBase: config.ZALO_OAUTH_BASE,
    ...(config.ZALO_APP_SECRET ? { appSecret: config.ZALO_APP_SECRET } : {}),
    ...(config.ZALO_ACCESS_TOKEN ? { initialAccessToken: config.ZALO_ACCESS_TOKEN } : {}),
    ...(config.ZALO_REFRESH_TOKEN ? { initialRefreshToken: config.ZALO_REFRESH_TOKEN } : {}),
    ...(logger ? { logger } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}

type TokenHolder = AccessTokenSource & { init?(): Promise<void>; start?(): void; stop?(): void };

export interface ZaloOaPluginOptions {
  config: ZaloOaConfig;
  engine: Pick<DialogEngine, 'handle'>;
  storage: Storage;
  /** Pseudonymization secret. */
  secret: string;
  sink?: EventSink;
  /** Default: createZaloTokenManager(config, storage). Pass your own to read its health flag. */
  tokens?: TokenHolder;
  /** Default: a ZaloOaClient on ZALO_API_BASE. */
  client?: ZaloOaSender;
  /** Retries and timeout of the default client (tests make them tiny). */
  retry?: RetryOptions;
  sleep?: (ms: number) => Promise<void>;
  /** Background job queue; pass one to await `idle()` (app.close() waits for it anyway). */
  queue?: WorkQueue;
  /** Refresh the access token ahead of expiry in the background (default true). */
  autoRefresh?: boolean;
  /** Clock for the replay window (tests). */
  now?: () => number;
  futureSkewMs?: number;
}

const NON_TEXT_EVENTS = new Set([
  'user_send_image',
  'user_send_sticker',
  'user_send_audio',
  'user_send_video',
  'user_send_gif',
  'user_send_file',
  'user_send_location',
  'user_send_link',
  'user_send_business_card',
]);
/** Receipts, echoes and events we never asked for (user_submit_info carries phone and address: dropped unread). */
const IGNORED_EVENTS = new Set(['unfollow', 'user_received_message', 'user_seen_message', 'user_submit_info']);

const safeEventName = (name: unknown) => (typeof name === 'string' ? name.replace(/[^\w.-]/g, '').slice(0, 64) : '');

interface Job {
  event: string;
  userId: string;
  dedupeId: string;
  turn: Omit<Turn, 'channel' | 'userKey'>;
}

export const zaloOaPlugin: FastifyPluginAsync<ZaloOaPluginOptions> = async (app, o) => {
  const { config, storage } = o;
  const appId = config.ZALO_APP_ID;
  const secretKey = config.ZALO_OA_SECRET_KEY;
  if (!appId || !secretKey) throw new Error('Zalo OA: cần ZALO_APP_ID và ZALO_OA_SECRET_KEY');
  const log: ChannelLogger = app.log.child({ channel: ZALO_OA_CHANNEL });
  const sink = o.sink ?? nullSink;
  const now = o.now ?? Date.now;
  const replayWindowMs = config.ZALO_REPLAY_WINDOW_MINUTES * 60_000;
  const tokens: TokenHolder = o.tokens ?? createZaloTokenManager(config, storage, log, o.retry?.timeoutMs);
  const client =
    o.client ??
    new ZaloOaClient({ apiBase: config.ZALO_API_BASE, tokens, logger: log, ...o.retry, ...(o.sleep ? { sleep: o.sleep } : {}) });
  const queue =
    o.queue ??
    new WorkQueue((err) => log.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'Zalo OA: xử lý sự kiện thất bại'));

  app.addHook('onReady', async () => {
    try {
      await tokens.init?.();
    } catch (err) {
      log.error({ err: { name: (err as Error)?.name } }, 'Zalo OA: không đọc được token');
    }
    if (o.autoRefresh !== false) tokens.start?.();
  });
  app.addHook('onClose', async () => {
    tokens.stop?.();
    await queue.idle();
  });

  // The signature covers the exact bytes: keep every body of this plugin raw (encapsulated, so
  // other routes keep Fastify's JSON parser).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  /**
   * The dedupe mark is written before Zalo gets its 200: if storage is down the webhook answers
   * 5xx and Zalo redelivers later, so nothing is lost. The answer itself is sent after the 200.
   */
  const accept = async (job: Job): Promise<void> => {
    const userKey = pseudonymize(o.secret, ZALO_OA_CHANNEL, job.userId);
    const dedupeId = job.dedupeId.replace('{user}', userKey);
    if (!(await storage.markProcessed(ZALO_OA_CHANNEL, dedupeId))) {
      log.debug({ event: job.event }, 'Zalo OA: sự kiện trùng, bỏ qua');
      return;
    }
    run(job, userKey);
  };

  const run = (job: Job, userKey: string) => {
    queue.push(userKey, async () => {
      const replies = await o.engine.handle({ channel: ZALO_OA_CHANNEL, userKey, ...job.turn });
      for (const reply of replies) {
        const result = await client.sendReply(job.userId, reply);
        if (!result.ok) {
          // Later replies would arrive without context: stop, and let officials see the failure.
          await sink.record({ type: 'delivery-failure', code: result.code }, { channel: ZALO_OA_CHANNEL, userKey, at: now() });
          break;
        }
      }
    });
  };

  // Rate limiting by IP would throttle all citizens at once (Zalo posts from a few addresses);
  // every accepted request is signed instead.
  app.post(ZALO_OA_WEBHOOK_PATH, { config: { rateLimit: false } }, async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const text = raw.toString('utf8');
    // Zalo's test POST when the webhook URL is saved: possibly unsigned, nothing to process.
    if (text.trim() === '') return res.code(200).send({ ok: true });
    let body: unknown;
    try {
      body = parseJsonKeepingIds(text);
    } catch {
      body = undefined;
    }
    if (isRecord(body) && Object.keys(body).length === 0) return res.code(200).send({ ok: true });

    const header = req.headers[SIGNATURE_HEADER];
    if (!header) {
      log.warn({ reason: 'missing' }, 'Zalo OA: webhook không có chữ ký');
      return res.code(401).send({ error: 'Thiếu chữ ký.' });
    }
    if (!isRecord(body)) return res.code(400).send({ error: 'Yêu cầu không hợp lệ.' });
    const check = verifyZaloSignature({
      header,
      rawBody: raw,
      timestamp: body.timestamp,
      appId,
      secretKey,
      replayWindowMs,
      now: now(),
      ...(o.futureSkewMs !== undefined ? { futureSkewMs: o.futureSkewMs } : {}),
    });
    if (!check.ok) {
      log.warn({ reason: check.reason }, 'Zalo OA: chữ ký webhook không hợp lệ');
      return res.code(401).send({ error: 'Chữ ký không hợp lệ.' });
    }

    const event = safeEventName(body.event_name);
    const job = toJob(event, body, raw);
    if (job === 'ignored') return { ok: true };
    if (job === 'unknown') log.info({ event }, 'Zalo OA: sự kiện chưa hỗ trợ');
    else if (job === 'no-user') log.warn({ event }, 'Zalo OA: sự kiện thiếu id người dùng');
    else await accept(job);
    return { ok: true };
  });
};

function toJob(event: string, body: Record<string, unknown>, raw: Buffer): Job | 'ignored' | 'unknown' | 'no-user' {
  if (IGNORED_EVENTS.has(event) || event.startsWith('oa_send_')) return 'ignored';
  const message = isRecord(body.message) ? body.message : {};
  const msgId = idString(message.msg_id);
  // No msg_id (should not happen): the body's hash still catches a verbatim redelivery.
  const dedupeId = msgId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const senderId = isRecord(body.sender) ? idString(body.sender.id) : undefined;

  if (event === 'user_send_text') {
    if (!senderId) return 'no-user';
    const text = typeof message.text === 'string' ? message.text.slice(0, MAX_USER_TEXT) : '';
    // Button taps arrive as text: our payload prefix tells them apart.
    return { event, userId: senderId, dedupeId, turn: isPayload(text.trim()) ? { payload: text.trim() } : { text } };
  }
  if (NON_TEXT_EVENTS.has(event)) {
    if (!senderId) return 'no-user';
    return { event, userId: senderId, dedupeId, turn: { nonText: true } };
  }
  if (event === 'follow') {
    const followerId = isRecord(body.follower) ? idString(body.follower.id) : undefined;
    if (!followerId) return 'no-user';
    // No msg_id on follow: one greeting per (user, event time). The user part is filled with the
    // pseudonym, never the raw id.
    return { event, userId: followerId, dedupeId: `follow:{user}:${idString(body.timestamp) ?? ''}`, turn: { start: true } };
  }
  return 'unknown';
}
