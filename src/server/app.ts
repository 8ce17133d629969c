/**
 * Wires the Fastify application: one encapsulated plugin per concern (health, web chat, each
 * channel, admin). Channels switch on when their configuration is present.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from 'pino';
import type { UserFromGetMe } from 'grammy/types';
import { ConfigError, type Config } from './config.js';
import type { Knowledge } from '../core/knowledge.js';
import type { Script } from '../core/dialog/script.js';
import type { CommuneDirectory } from '../core/communes/directory.js';
import type { Storage } from '../storage/storage.js';
import type { EventSink } from '../core/stats/events.js';
import type { DialogEngine } from '../core/dialog/engine.js';
import { createEngine } from './runtime.js';
import { healthPlugin } from './health.js';
import { webChatPlugin } from '../channels/web/plugin.js';
import { loggerOptions, RequestLogAtDebug } from './logger.js';
import { limitChatSessions, rateLimitOptions } from './rate-limits.js';

// The load test builds its HTTP floor with the same limiter.
export { rateLimitOptions } from './rate-limits.js';
import { adminPlugin } from './admin/plugin.js';
import type { StatsStore } from '../core/stats/store.js';
import { telegramPlugin, TELEGRAM_WEBHOOK_PATH, type TelegramWebhookCounters } from '../channels/telegram/plugin.js';
import type { ReviewService } from '../core/review/service.js';
import { zaloOaPlugin, zaloOaEnabled, createZaloTokenManager, ZALO_OA_WEBHOOK_PATH } from '../channels/zalo-oa/plugin.js';
import { zaloBotPlugin, zaloBotEnabled } from '../channels/zalo-bot/plugin.js';
import { communeChannels } from './commune-channels.js';
import { CachedReferralDirectory } from '../core/referral.js';
import type { PosterChannels } from './admin/teams-links.js';
import { loadAdminUsers } from './admin/users.js';

export interface AppDeps {
  config: Config;
  knowledge: Knowledge;
  script: Script;
  /** CONTENT_DIR/communes.yaml (openRuntime); absent or empty: single-commune. */
  communes?: CommuneDirectory;
  storage: Storage;
  /** Pseudonymization secret (see secrets.ts). */
  secret: string;
  sink?: EventSink;
  /** Statistics for the officials' dashboard (on with ADMIN_PASSWORD). */
  statsStore?: StatsStore;
  /** Officials attach review-list questions to entries, dismiss them, undo (runtime.ts makes it). */
  review?: ReviewService;
  /** The content files, for the dashboard's patch export. */
  contentDir?: string;
  /** A ready logger (tests pass one that captures output); default: pino from LOG_LEVEL. */
  logger?: Logger;
  /** Known Telegram bot identity: skips getMe at start (tests). */
  telegramBotInfo?: UserFromGetMe;
  /** How long the Telegram webhook waits for an update (default 9 s; tests shorten it). */
  telegramTimeoutMs?: number;
  /** Where the communes' channel credentials are read (communes.yaml names the variables); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface App {
  app: FastifyInstance;
  engine: DialogEngine;
  /** Channels that are switched on, for the start-up log. */
  channels: string[];
  /** Telegram updates that outlived their webhook call, and how many of them failed. */
  telegram: TelegramWebhookCounters;
}

/** Believe the last `hops` proxies: each appends the address it received the request from. */
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/** Fastify's own options for the server (also used by the load test's HTTP-floor row). */
export function serverOptions(config: Config, logger?: Logger) {
  return {
    ...(logger ? { loggerInstance: logger } : { logger: loggerOptions(config.LOG_LEVEL) }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // A hop count as the function Fastify makes of one (its types list no number).
    trustProxy: typeof config.TRUST_PROXY === 'number' ? trustHops(config.TRUST_PROXY) : config.TRUST_PROXY,
    // Our request ids are counters; no need to trust a client-sent header.
    requestIdHeader: false as const,
    logController: new RequestLogAtDebug(),
  };
}

/**
 * The channels a volunteer poster can point at: those whose public address is configured. A
 * commune's team gets its commune's own Telegram bot and Zalo OA when communes.yaml names their
 * OA id (oaIdEnv) and its commune's web page; otherwise the server's. A bot's @username is the
 * configured one (TELEGRAM_BOT_USERNAME, usernameEnv) or else what getMe said (`telegramUsernames`,
 * filled by the Telegram plugins as they learn it: null for the shared bot, else the commune id).
 */
function posterChannels(config: Config, telegramUsernames: ReadonlyMap<string | null, string>, perCommune: ReturnType<typeof communeChannels>, communes: CommuneDirectory | undefined) {
  const shared = (): PosterChannels => {
    const telegramUsername = config.TELEGRAM_BOT_TOKEN ? (config.TELEGRAM_BOT_USERNAME ?? telegramUsernames.get(null)) : undefined;
    return {
      ...(config.ZALO_OA_ID ? { zaloOaId: config.ZALO_OA_ID } : {}),
      ...(config.ZALO_OA_NAME ? { zaloOaName: config.ZALO_OA_NAME } : {}),
      ...(telegramUsername ? { telegramUsername: telegramUsername.replace(/^@/, '') } : {}),
      ...(config.PUBLIC_URL ? { webUrl: `${config.PUBLIC_URL}/` } : {}),
    };
  };
  return (commune: string | null): PosterChannels => {
    // Only a commune of communes.yaml has a page (/xa/<id>) and maybe a bot of its own.
    if (commune === null || !communes?.byId(commune)) return shared();
    const ownBot = perCommune.telegram.find((b) => b.commune === commune);
    const username = ownBot ? (ownBot.username ?? telegramUsernames.get(commune)) : undefined;
    const oa = perCommune.zaloOa.find((z) => z.commune === commune);
    return {
      ...shared(),
      ...(oa?.oaId ? { zaloOaId: oa.oaId, ...(oa.oaName ? { zaloOaName: oa.oaName } : {}) } : {}),
      ...(username ? { telegramUsername: username } : {}),
      ...(config.PUBLIC_URL ? { webUrl: `${config.PUBLIC_URL}/xa/${encodeURIComponent(commune)}` } : {}),
    };
  };
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  // Before anything is built: a commune's missing credential stops the start with one line.
  const perCommune = communeChannels(deps.communes, config, deps.env);
  // Officials and their communes (ADMIN_USERS_FILE): a bad file stops the start, naming the user and field.
  const adminUsers = config.ADMIN_USERS_FILE ? loadAdminUsers(config.ADMIN_USERS_FILE, deps.communes) : undefined;
  const app = Fastify(serverOptions(config, deps.logger)) as unknown as FastifyInstance;

  // Never a stack trace to the client; a Vietnamese message and the right status.
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string; error?: unknown }, req, res) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    // safeError (the logger's err serializer) keeps name, code and a cleaned message only.
    if (status >= 500) req.log.error({ err }, 'request failed');
    const message =
      status === 413
        ? 'Nội dung gửi lên quá lớn.'
        : status === 429
          ? // The rate limiter's own message (rateLimitOptions) says how long to wait.
            typeof err.error === 'string'
            ? err.error
            : 'Bạn gửi quá nhanh. Vui lòng đợi một chút rồi thử lại.'
          : status === 415
            ? 'Định dạng nội dung không được hỗ trợ (cần JSON).'
            : status < 500
              ? 'Yêu cầu không hợp lệ.'
              : 'Máy chủ đang gặp sự cố. Vui lòng thử lại sau.';
    return res.code(status).send({ error: message });
  });
  if (config.TRUST_PROXY === true) {
    app.log.warn('TRUST_PROXY=true: địa chỉ trái cùng trong X-Forwarded-For do người gửi tự ghi được, giới hạn theo IP có thể bị lách; nên đặt số proxy phía trước (TRUST_PROXY=1) hoặc địa chỉ của proxy');
  }
  app.setNotFoundHandler((_req, res) => res.code(404).send({ error: 'Không tìm thấy trang này.' }));

  // Per address on every route (a NAT of hundreds fits), per session on /api/chat.
  await app.register(rateLimit, rateLimitOptions(config));
  limitChatSessions(app, config);

  // Volunteer teams' codes: the engine reads typed codes against them, the dashboard creates them.
  const referrals = new CachedReferralDirectory(deps.storage);
  const engine = createEngine(config, { ...deps, referrals });
  const channels = ['web'];
  const telegram: TelegramWebhookCounters = { timeouts: 0, lateFailures: 0 };
  /** Bots' @usernames as getMe tells them (null: the shared bot; else the commune id), for posters. */
  const telegramUsernames = new Map<string | null, string>();

  // A Zalo OA whose token cannot be refreshed needs an admin: /healthz says so.
  const zaloTokens = zaloOaEnabled(config) ? createZaloTokenManager(config, deps.storage, app.log) : undefined;
  // Each commune's own OA has its own token pair, and its own health check.
  const communeOas = perCommune.zaloOa.map((oa) => ({ ...oa, tokens: createZaloTokenManager(oa.config, deps.storage, app.log, undefined, oa.commune) }));
  const zaloChecks = [...(zaloTokens ? [zaloTokens.healthCheck] : []), ...communeOas.map((oa) => oa.tokens.healthCheck)];
  await app.register(healthPlugin, { storage: deps.storage, checks: zaloChecks });
  await app.register(webChatPlugin, {
    engine,
    secret: deps.secret,
    communeName: config.COMMUNE_NAME,
    ...(deps.communes ? { communes: deps.communes } : {}),
    ...(config.ZALO_SITE_VERIFICATION ? { siteVerification: config.ZALO_SITE_VERIFICATION } : {}),
  });

  if ((config.ADMIN_PASSWORD || adminUsers) && deps.statsStore) {
    await app.register(adminPlugin, {
      ...(config.ADMIN_PASSWORD ? { password: config.ADMIN_PASSWORD } : {}),
      ...(adminUsers ? { users: adminUsers } : {}),
      ...(deps.communes ? { communes: deps.communes } : {}),
      store: deps.statsStore,
      content: deps.knowledge.content,
      cookieSecret: deps.secret,
      communeName: config.COMMUNE_NAME,
      storage: deps.storage,
      secureCookie: config.PUBLIC_URL?.startsWith('https://') ?? false,
      teams: {
        storage: deps.storage,
        channels: posterChannels(config, telegramUsernames, perCommune, deps.communes),
        ...(deps.communes ? { communes: deps.communes.list.map((c) => ({ id: c.id, name: c.name })) } : {}),
        onCreated: () => referrals.invalidate(),
      },
      ...(deps.review ? { review: deps.review } : {}),
      ...(deps.contentDir ? { contentDir: deps.contentDir } : {}),
    });
  } else {
    app.log.warn('ADMIN_PASSWORD và ADMIN_USERS_FILE chưa đặt: trang thống kê /admin đang tắt');
  }

  // What the shared bot and every commune's own bot have in common.
  const telegramShared = {
    apiRoot: config.TELEGRAM_API_ROOT,
    engine,
    storage: deps.storage,
    secret: deps.secret,
    counters: telegram,
    ...(deps.sink ? { sink: deps.sink } : {}),
    ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
    ...(deps.telegramBotInfo ? { botInfo: deps.telegramBotInfo } : {}),
    ...(deps.telegramTimeoutMs !== undefined ? { timeoutMs: deps.telegramTimeoutMs } : {}),
  };
  if (config.TELEGRAM_BOT_TOKEN) {
    if (!config.TELEGRAM_WEBHOOK_SECRET) {
      throw new ConfigError('Cấu hình sai — TELEGRAM_WEBHOOK_SECRET: bắt buộc khi đặt TELEGRAM_BOT_TOKEN (16–256 ký tự A-Z a-z 0-9 _ -)');
    }
    await app.register(telegramPlugin, {
      token: config.TELEGRAM_BOT_TOKEN,
      webhookSecret: config.TELEGRAM_WEBHOOK_SECRET,
      onUsername: (username) => telegramUsernames.set(null, username),
      ...telegramShared,
    });
    channels.push('telegram');
  }
  // Each commune's own bot, at /webhooks/telegram/<id>: its citizens get its contact without being asked.
  for (const bot of perCommune.telegram) {
    await app.register(telegramPlugin, {
      token: bot.token,
      webhookSecret: bot.webhookSecret,
      path: `${TELEGRAM_WEBHOOK_PATH}/${bot.commune}`,
      commune: bot.commune,
      onUsername: (username) => telegramUsernames.set(bot.commune, username),
      ...telegramShared,
    });
    channels.push(`telegram/${bot.commune}`);
  }

  if (zaloTokens) {
    await app.register(zaloOaPlugin, { config, engine, storage: deps.storage, secret: deps.secret, tokens: zaloTokens, ...(deps.sink ? { sink: deps.sink } : {}) });
    channels.push('zalo-oa');
  }  // Each commune's own OA, at /webhooks/zalo/<id> (Zalo's hosts and replay window are shared).
  for (const oa of communeOas) {
    await app.register(zaloOaPlugin, {
      // Only this OA's own credentials: nothing of the shared OA's (ZALO_APP_SECRET…) leaks in.
      config: { ...oa.config, ...(config.ZALO_OA_CHOICES ? { ZALO_OA_CHOICES: config.ZALO_OA_CHOICES } : {}) },
      path: `${ZALO_OA_WEBHOOK_PATH}/${oa.commune}`,
      commune: oa.commune,
      engine,
      storage: deps.storage,
      secret: deps.secret,
      tokens: oa.tokens,
      ...(deps.sink ? { sink: deps.sink } : {}),
    });
    channels.push(`zalo-oa/${oa.commune}`);
  }

  if (zaloBotEnabled(config)) {
    await app.register(zaloBotPlugin, { config, engine, storage: deps.storage, secret: deps.secret, ...(deps.sink ? { sink: deps.sink } : {}) });
    channels.push('zalo-bot');
  }

  return { app, engine, channels, telegram };
}
