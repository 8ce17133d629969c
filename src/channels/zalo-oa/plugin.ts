/**
 * Zalo Official Account webhook `POST /webhooks/zalo` (or the `path` given at registration: the
 * plugin keeps no module-level state, so one server can register it once per OA). Zalo wants a
 * 200 within ≈2 s, so the route only authenticates and queues; storage is not touched before
 * the answer. The dialog and the replies run afterwards in a per-user queue:
 *  - redeliveries are dropped by `msg_id` (persisted marks, kept longer than the replay window);
 *  - if storage is down, the event is kept in memory and retried by us with a growing delay
 *    (Zalo may not redeliver an event it got a 200 for), until it is older than the window;
 *  - choices go out as numbered text or buttons (choices.ts); a number typed back is the choice.
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
import { statsUserKey } from '../../core/stats/sink.js';
import type { Storage } from '../../storage/storage.js';
import { NumberedRenderer, type NumberedOptions } from '../render/numbered.js';
import { DEFAULT_CHOICES, OaReplier } from './choices.js';
import { ZaloOaClient, type RateLimitOptions, type ZaloOaSender, type ZaloRecipient } from './client.js';
import { idString, isRecord, parseJsonKeepingIds } from './json.js';
import type { ChannelLogger, RetryOptions } from './log.js';
import { WorkQueue } from './queue.js';
import { SIGNATURE_HEADER, verifyZaloSignature } from './signature.js';
import { TOKEN_LOCK, TOKEN_STORAGE_KEY, ZaloTokenManager, type AccessTokenSource } from './tokens.js';

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
> &
  Partial<Pick<Config, 'ZALO_OA_CHOICES'>>;

/** The channel is on when webhooks can be verified. */
export function zaloOaEnabled(config: Pick<Config, 'ZALO_APP_ID' | 'ZALO_OA_SECRET_KEY'>): boolean {
  return Boolean(config.ZALO_APP_ID && config.ZALO_OA_SECRET_KEY);
}

/**
 * The token holder for the OA; create it in buildApp so /healthz can read `healthCheck`. A
 * commune's own OA (communes.yaml id) keeps its tokens under its own key and lock.
 */
export function createZaloTokenManager(config: ZaloOaConfig, storage: Storage, logger?: ChannelLogger, timeoutMs?: number, commune?: string): ZaloTokenManager {
  return new ZaloTokenManager({
    storage,
    ...(commune ? { storageKey: `${TOKEN_STORAGE_KEY}:${commune}`, lockName: `${TOKEN_LOCK}:${commune}` } : {}),
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
  /** `forgetUser` serves `user_withdraw`; without it the plugin erases through storage itself. */
  engine: Pick<DialogEngine, 'handle'> & Partial<Pick<DialogEngine, 'forgetUser'>>;
  /** Webhook path (default /webhooks/zalo); one registration per OA. */
  path?: string;
  /**
   * The commune this OA belongs to (communes.yaml id): every turn carries it, and its users and
   * dedupe marks are kept apart from other OAs' (as a commune's Telegram bot does). Pass the
   * same id to createZaloTokenManager.
   */
  commune?: string;
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
  /** Pauses of the default client after a -32 (default: doubling from 1 s, over 75 s in all). */
  rateLimit?: RateLimitOptions;
  sleep?: (ms: number) => Promise<void>;
  /** Background job queue; pass one to await `idle()` (app.close() waits for it anyway). */
  queue?: WorkQueue;
  /** Jobs the default queue holds for this OA before refusing more (default 5,000). */
  maxPending?: number;
  /** Our own retries of events that storage could not take (default: 1 s doubling to 60 s, 1,000 events). */
  storageRetry?: { baseDelayMs?: number; maxDelayMs?: number; maxEvents?: number };
  numbered?: NumberedOptions;
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
/**
 * Receipts, echoes, reactions, tags and events we never asked for (user_submit_info carries
 * phone and address: dropped unread). Group chats (user_send_group_*) cannot be answered with a
 * consultation message: ignored too.
 */
const IGNORED_EVENTS = new Set([
  'unfollow',
  'user_received_message',
  'user_seen_message',
  'user_submit_info',
  'user_reacted_message',
  'add_user_to_tag',
  'remove_user_from_tag',
]);
const IGNORED_PREFIXES = ['oa_send_', 'user_send_group_'];

const safeEventName = (name: unknown) => (typeof name === 'string' ? name.replace(/[^\w.-]/g, '').slice(0, 64) : '');

interface Job {
  event: string;
  /** A turn of the dialog, or the erasure of the person's data (user_withdraw). */
  kind: 'turn' | 'withdraw';
  /** Who to answer; the raw id stays in memory only. */
  recipient: ZaloRecipient;
  /** The id the pseudonym is made of. */
  userId: string;
  oaId: string;
  /** msg_id, or a template whose "{user}" becomes a hash of the pseudonym (never the raw id). */
  dedupeId: string;
  /** Event time (epoch ms): our own retries stop once Zalo's window is over. */
  at: number;
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
  const tokens: TokenHolder = o.tokens ?? createZaloTokenManager(config, storage, log, o.retry?.timeoutMs, o.commune);
  /** Pseudonyms and dedupe marks: apart per commune OA; the channel of turns and statistics stays "zalo-oa". */
  const scope = o.commune ? `${ZALO_OA_CHANNEL}:${o.commune}` : ZALO_OA_CHANNEL;
  const bound = o.commune ? { commune: o.commune } : {};
  const client =
    o.client ??
    new ZaloOaClient({
      apiBase: config.ZALO_API_BASE,
      tokens,
      logger: log,
      ...(config.ZALO_APP_SECRET ? { appSecret: config.ZALO_APP_SECRET } : {}),
      ...o.retry,
      ...(o.rateLimit ? { rateLimit: o.rateLimit } : {}),
      ...(o.sleep ? { sleep: o.sleep } : {}),
    });
  const queue =
    o.queue ??
    new WorkQueue(
      (err) => log.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'Zalo OA: xử lý sự kiện thất bại'),
      o.maxPending ?? 5_000,
    );
  const numbered = new NumberedRenderer(storage, o.numbered);
  const replier = new OaReplier({ sender: client, storage, numbered, mode: config.ZALO_OA_CHOICES ?? DEFAULT_CHOICES, logger: log, now });
  const retry = { base: o.storageRetry?.baseDelayMs ?? 1_000, max: o.storageRetry?.maxDelayMs ?? 60_000, maxEvents: o.storageRetry?.maxEvents ?? 1_000 };
  /** Events waiting for storage, by dedupe id (a redelivery meanwhile does not take a second slot). */
  const retained = new Map<string, NodeJS.Timeout>();
  let closing = false;

  app.addHook('onReady', async () => {
    try {
      await tokens.init?.();
    } catch (err) {
      log.error({ err: { name: (err as Error)?.name } }, 'Zalo OA: không đọc được token');
    }
    if (o.autoRefresh !== false) tokens.start?.();
  });
  app.addHook('onClose', async () => {
    closing = true;
    tokens.stop?.();
    for (const timer of retained.values()) clearTimeout(timer);
    if (retained.size > 0) log.error({ events: retained.size }, 'Zalo OA: tắt máy chủ khi còn sự kiện chờ lưu trữ; các sự kiện này bị bỏ');
    retained.clear();
    await queue.idle();
  });

  // The signature covers the exact bytes: keep every body of this plugin raw (encapsulated, so
  // other routes keep Fastify's JSON parser).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const failed = (userKey: string, code: string) =>
    sink.record({ type: 'delivery-failure', code }, { channel: ZALO_OA_CHANNEL, userKey, at: now() }).catch(() => undefined);

  const keyOf = (job: Job) => pseudonymize(o.secret, scope, 'anonymous_id' in job.recipient ? `anonymous:${job.userId}` : job.userId);

  /** Queues a job; nothing here waits on storage, so Zalo gets its 200 at once. */
  const intake = (job: Job, userKey = keyOf(job), marked = false, attempt = 0): void => {
    const dedupeId = job.dedupeId.replace('{user}', createHash('sha256').update(userKey).digest('hex').slice(0, 32));
    const queued = queue.push(userKey, () => processJob(job, userKey, dedupeId, marked, attempt));
    if (!queued) {
      log.warn({ event: job.event }, 'Zalo OA: hàng đợi đầy, bỏ sự kiện');
      void failed(userKey, 'queue-full');
    }
  };

  const processJob = async (job: Job, userKey: string, dedupeId: string, marked: boolean, attempt: number): Promise<void> => {
    let replies;
    try {
      if (!marked) {
        if (!(await storage.markProcessed(scope, dedupeId))) {
          log.debug({ event: job.event }, 'Zalo OA: sự kiện trùng, bỏ qua');
          return;
        }
        marked = true;
      }
      if (job.kind === 'withdraw') {
        await (o.engine.forgetUser ? o.engine.forgetUser(userKey) : storage.deleteUserData(userKey, statsUserKey(userKey)));
        // That it happened, nothing about whom.
        log.info({ event: job.event }, 'Zalo OA: đã xóa dữ liệu của một người dùng theo yêu cầu (user_withdraw)');
        return;
      }
      let turn = job.turn;
      if (turn.text !== undefined) {
        const payload = await numbered.resolve(userKey, turn.text, now());
        if (payload) turn = { payload };
      }
      replies = await o.engine.handle({ channel: ZALO_OA_CHANNEL, userKey, ...bound, ...turn });
    } catch (err) {
      retryLater(job, userKey, dedupeId, marked, attempt + 1, err);
      return;
    }
    const result = await replier.send({ recipient: job.recipient, userKey, oaId: job.oaId, textOnly: 'anonymous_id' in job.recipient }, replies);
    // Later replies would arrive without context: the replier stopped; officials see the failure.
    if (!result.ok) await failed(userKey, result.code);
  };

  /**
   * Storage could not take the event (the dedupe mark or the turn): keep it and try again
   * ourselves, with a growing delay, while Zalo's window lasts. Memory only, bounded.
   */
  const retryLater = (job: Job, userKey: string, dedupeId: string, marked: boolean, attempt: number, err: unknown): void => {
    const errInfo = { name: (err as Error)?.name, code: (err as { code?: unknown })?.code };
    if (closing || retained.has(dedupeId)) return;
    if (now() - job.at > replayWindowMs || retained.size >= retry.maxEvents) {
      log.error({ event: job.event, err: errInfo, attempts: attempt }, 'Zalo OA: lưu trữ lỗi, bỏ sự kiện sau nhiều lần thử');
      void failed(userKey, 'storage');
      return;
    }
    const delay = Math.min(retry.base * 2 ** Math.min(attempt - 1, 20), retry.max);
    log.warn({ event: job.event, err: errInfo, attempt, delayMs: delay }, 'Zalo OA: lưu trữ lỗi, giữ sự kiện để thử lại');
    const timer = setTimeout(() => {
      retained.delete(dedupeId);
      if (!closing) intake(job, userKey, marked, attempt);
    }, delay);
    timer.unref();
    retained.set(dedupeId, timer);
  };

  // Rate limiting by IP would throttle all citizens at once (Zalo posts from a few addresses);
  // every accepted request is signed instead.
  app.post(o.path ?? ZALO_OA_WEBHOOK_PATH, { config: { rateLimit: false } }, async (req, res) => {
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
    const retryCount = req.headers['num_retry'] ?? req.headers['num-retry'];
    if (retryCount !== undefined) log.debug({ event, retry: String(retryCount).slice(0, 8) }, 'Zalo OA: sự kiện gửi lại');
    const job = toJob(event, body, raw, check.timestamp, appId);
    if (job === 'ignored') return { ok: true };
    if (job === 'unknown') log.info({ event }, 'Zalo OA: sự kiện chưa hỗ trợ');
    else if (job === 'no-user') log.warn({ event }, 'Zalo OA: sự kiện thiếu id người dùng');
    else intake(job);
    return { ok: true };
  });
};

function toJob(event: string, body: Record<string, unknown>, raw: Buffer, at: number, appId: string): Job | 'ignored' | 'unknown' | 'no-user' {
  if (IGNORED_EVENTS.has(event) || IGNORED_PREFIXES.some((p) => event.startsWith(p))) return 'ignored';
  const message = isRecord(body.message) ? body.message : {};
  const msgId = idString(message.msg_id);
  // No msg_id (should not happen): the body's hash still catches a verbatim redelivery.
  const dedupeId = msgId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const senderId = isRecord(body.sender) ? idString(body.sender.id) : undefined;
  const oaId = idString(body.oa_id) ?? (isRecord(body.recipient) ? idString(body.recipient.id) : undefined) ?? appId;
  const ts = idString(body.timestamp) ?? '';
  const base = { event, oaId, at, kind: 'turn' as const };
  const textTurn = (): Job['turn'] => {
    const text = typeof message.text === 'string' ? message.text.slice(0, MAX_USER_TEXT) : '';
    // Button taps (oa.query.hide) arrive as text: our payload prefix tells them apart.
    return isPayload(text.trim()) ? { payload: text.trim() } : { text };
  };

  if (event === 'user_send_text') {
    if (!senderId) return 'no-user';
    return { ...base, recipient: { user_id: senderId }, userId: senderId, dedupeId, turn: textTurn() };
  }
  if (NON_TEXT_EVENTS.has(event)) {
    if (!senderId) return 'no-user';
    return { ...base, recipient: { user_id: senderId }, userId: senderId, dedupeId, turn: { nonText: true } };
  }
  if (event.startsWith('anonymous_send_')) {
    // Not a follower: answered through the anonymous message call, text only.
    const conversationId = idString(message.conversation_id);
    if (!senderId || !conversationId) return 'no-user';
    const recipient = { anonymous_id: senderId, conversation_id: conversationId };
    return { ...base, recipient, userId: senderId, dedupeId, turn: event === 'anonymous_send_text' ? textTurn() : { nonText: true } };
  }
  // No msg_id on the events below: one per (user, event time). "{user}" becomes a hash of the
  // pseudonym, so the mark names no one.
  if (event === 'follow') {
    const followerId = isRecord(body.follower) ? idString(body.follower.id) : undefined;
    if (!followerId) return 'no-user';
    return { ...base, recipient: { user_id: followerId }, userId: followerId, dedupeId: `follow:{user}:${ts}`, turn: { start: true } };
  }
  if (event === 'user_click_chatnow') {
    // The citizen pressed "Nhắn tin" for the first time: greet them (the OA may now write).
    const userId = idString(body.user_id);
    if (!userId) return 'no-user';
    return { ...base, recipient: { user_id: userId }, userId, dedupeId: `chatnow:{user}:${ts}`, turn: { start: true } };
  }
  if (event === 'user_withdraw') {
    // The citizen exercised their data-subject rights: erase their data (the id field is not
    // documented consistently: user_id, sender or follower).
    const userId = idString(body.user_id) ?? senderId ?? (isRecord(body.follower) ? idString(body.follower.id) : undefined);
    if (!userId) return 'no-user';
    return { ...base, kind: 'withdraw', recipient: { user_id: userId }, userId, dedupeId: `withdraw:{user}:${ts}`, turn: {} };
  }
  return 'unknown';
}
