/**
 * Every environment variable of the server, validated once at start-up. A bad value stops the
 * server with one line naming the variable and what is expected. `.env.example` lists them all.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const optionalString = z.string().trim().min(1).optional();
const url = z.string().url().transform((u) => u.replace(/\/+$/, ''));

/** proxy-addr's names for address ranges, accepted in a TRUST_PROXY list. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isProxyAddress = (a: string) => {
  if (PROXY_RANGE_NAMES.has(a)) return true;
  const [ip, bits, ...rest] = a.split('/');
  if (rest.length > 0 || !ip || !isIP(ip)) return false;
  const max = isIP(ip) === 4 ? 32 : 128;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
};

/**
 * Which X-Forwarded-For entries to believe (Fastify's trustProxy): `false`; a hop count (`1`
 * = the one reverse proxy in front, which appends the real client address); the proxies'
 * addresses or CIDR ranges (`10.0.0.2,10.0.0.3`, `loopback`); or `true`, which believes the
 * left-most entry — one the client writes itself, unless the proxy overwrites the header.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((v, ctx): boolean | number | string => {
    if (v === 'false' || v === '0') return false;
    if (v === 'true') return true;
    if (/^\d{1,2}$/.test(v)) return Number(v);
    const list = v.split(',').map((a) => a.trim()).filter(Boolean);
    if (list.length > 0 && list.every(isProxyAddress)) return list.join(',');
    ctx.addIssue({ code: 'custom', message: 'false, true, số proxy phía trước (1, 2…) hoặc địa chỉ/dải IP của proxy (10.0.0.2,10.0.0.0/24, loopback)' });
    return z.NEVER;
  });

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('./data'),
  CONTENT_DIR: optionalString,
  /** Conversations idle longer than this start over. */
  CONVERSATION_EXPIRY_HOURS: z.coerce.number().positive().default(24),
  COMMUNE_NAME: z.string().trim().min(1).default('Công an xã'),
  /**
   * Set inside sentences ("hỏi {contact}.", "{contact}. Tổng đài…"): a final full stop would double
   * theirs, so it is dropped.
   */
  COMMUNE_CONTACT: z
    .string()
    .trim()
    .min(1)
    .default('Trụ sở Công an xã/phường nơi bạn cư trú (giờ hành chính)')
    .transform((s) => s.replace(/\s*\.+$/u, ''))
    .pipe(z.string().min(1)),
  /** Public base URL (https://...) where platforms reach us; enables setWebhook on start. */
  PUBLIC_URL: url.optional(),
  /** Body size limit for every request, in bytes. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(256 * 1024),
  /** Web-chat messages a minute per session (one browser). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /** Requests a minute per client address, all sessions and pages together (rate-limits.ts; default max(3000, RATE_LIMIT_PER_MINUTE)). */
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).optional(),
  /** Per-user flood control: more than FLOOD_MAX_MESSAGES in FLOOD_WINDOW_SECONDS → one notice, then silence. */
  FLOOD_MAX_MESSAGES: z.coerce.number().int().min(1).default(8),
  FLOOD_WINDOW_SECONDS: z.coerce.number().positive().default(10),
  /** postgres://… switches all storage to PostgreSQL (several instances); default SQLite under DATA_DIR. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'postgres://user@host:port/database').optional(),

  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'dạng <số>:<chuỗi> như BotFather cấp')
    .optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, '16–256 ký tự A-Z a-z 0-9 _ -')
    .optional(),
  TELEGRAM_API_ROOT: url.default('https://api.telegram.org'),
  /** Username of the bot (without @), for share links; read from getMe when unset. */
  TELEGRAM_BOT_USERNAME: optionalString,

  ZALO_APP_ID: z.string().regex(/^\d+$/, 'chuỗi số (App ID của ứng dụng Zalo)').optional(),
  /** OA Secret Key from the app's Webhook page (not the App Secret): verifies webhook signatures. */
  ZALO_OA_SECRET_KEY: optionalString,
  /** App Secret: authenticates access-token refreshes. */
  ZALO_APP_SECRET: optionalString,
  ZALO_ACCESS_TOKEN: optionalString,
  ZALO_REFRESH_TOKEN: optionalString,
  ZALO_API_BASE: url.default('https://openapi.zalo.me'),
  ZALO_OAUTH_BASE: url.default('https://oauth.zaloapp.com'),
  /**
   * Signed Zalo OA events older than this are refused. Zalo retries an event after 30 s, 5, 15,
   * 30 min and 1 h with the same body and timestamp: two hours covers the last retry with a
   * margin (dedupe marks are kept at least as long: src/storage/processed-pruning.ts).
   */
  ZALO_REPLAY_WINDOW_MINUTES: z.coerce.number().positive().default(120),
  /** Choices on Zalo OA: numbered text (default, always arrives) or buttons (see src/channels/zalo-oa/choices.ts). */
  ZALO_OA_CHOICES: z.enum(['buttons', 'numbered']).default('numbered'),
  ZALO_SITE_VERIFICATION: optionalString,
  ZALO_BOT_TOKEN: optionalString,
  ZALO_BOT_WEBHOOK_SECRET: z.string().min(8, '8–256 ký tự').max(256, '8–256 ký tự').optional(),
  ZALO_BOT_API_BASE: url.default('https://bot-api.zaloplatforms.com'),

  /** The commune's Zalo OA id (digits) and display name, printed on volunteer posters (zalo.me/<id>). */
  ZALO_OA_ID: z.string().regex(/^\d{5,25}$/, 'chuỗi số (OA ID trong trang quản lý Zalo OA)').optional(),
  ZALO_OA_NAME: optionalString,

  STATS_SECRET: z.string().min(16, 'ít nhất 16 ký tự').optional(),
  ADMIN_PASSWORD: z.string().min(8, 'ít nhất 8 ký tự').optional(),
  /** Officials with their own logins and communes (yaml; `npm run admin:add-user` writes it). */
  ADMIN_USERS_FILE: optionalString,
  STATS_RETENTION_DAYS: z.coerce.number().int().min(1).default(365),
  /** How often an instance looks for officials' phrasing changes made on another instance (PostgreSQL). */
  REVIEW_SYNC_SECONDS: z.coerce.number().positive().max(3600).default(10),

  TRUST_PROXY: trustProxy.default(false),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty values count as unset (a blank line in .env must not break start-up).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Cấu hình sai — ${lines.join('; ')}`);
  }
  return parsed.data;
}
