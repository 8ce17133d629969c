/**
 * Request limits of the public routes (webhooks and health opt out: they are verified instead).
 *
 * Two keys, because one is not enough for a commune campaign:
 *  - per client address, a ceiling high enough for a whole office or a mobile carrier's NAT
 *    (hundreds of citizens behind one address), on every route;
 *  - per web-chat session on `POST /api/chat`, the tight limit: one person's browser.
 * Session ids are chosen by the client, so a script can make new ones at will; the address
 * ceiling is what bounds it. The address is the one TRUST_PROXY lets Fastify believe.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { Config } from './config.js';

export const CHAT_ROUTE = '/api/chat';
/** The web chat's session id format (see channels/web/plugin.ts). */
const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** The address ceiling when RATE_LIMIT_PER_ADDRESS_PER_MINUTE is unset: 300 citizens × 10 a minute. */
export const DEFAULT_ADDRESS_LIMIT = 3000;
/** Counters kept in memory (least recently used dropped first). */
const CACHED_KEYS = 20_000;

type LimitConfig = Pick<Config, 'RATE_LIMIT_PER_MINUTE' | 'RATE_LIMIT_PER_ADDRESS_PER_MINUTE'>;

/** Requests a minute from one address; never below one session's own limit. */
export function addressLimit(config: LimitConfig): number {
  return config.RATE_LIMIT_PER_ADDRESS_PER_MINUTE ?? Math.max(DEFAULT_ADDRESS_LIMIT, config.RATE_LIMIT_PER_MINUTE);
}

const tooFast = (ttlMs: number) => `Bạn gửi quá nhanh. Vui lòng thử lại sau ${Math.ceil(ttlMs / 1000)} giây.`;

/** The per-address limit, for @fastify/rate-limit at the root (every route that does not opt out). */
export function rateLimitOptions(config: LimitConfig): RateLimitPluginOptions {
  return {
    max: addressLimit(config),
    timeWindow: '1 minute',
    cache: CACHED_KEYS,
    // Counters on every answer cost time and tell a chat page nothing; a refused request still
    // gets Retry-After and the limits.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: tooFast(ctx.ttl) }),
  };
}

/**
 * The per-session limit of `POST /api/chat`, as a root preHandler (the body, and so the session
 * id, is parsed by then). Register after @fastify/rate-limit and before the web-chat plugin.
 */
export function limitChatSessions(app: FastifyInstance, config: LimitConfig): void {
  const check = app.createRateLimit({
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    // Its own in-memory store (5,000 most recent sessions): a session dropped from it starts a
    // fresh count, still under the address ceiling.
    keyGenerator: (req: FastifyRequest) => `session:${(req.body as { sessionId: string }).sessionId}`,
  });
  app.addHook('preHandler', async (req: FastifyRequest, res: FastifyReply) => {
    if (req.method !== 'POST' || req.routeOptions.url !== CHAT_ROUTE) return;
    const sessionId = (req.body as { sessionId?: unknown } | null)?.sessionId;
    // No valid session id: the handler answers 400; the address limit already counted it.
    if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) return;
    const r = await check(req);
    if (!r.isAllowed && r.isExceeded) {
      return res.code(429).header('retry-after', String(r.ttlInSeconds)).send({ error: tooFast(r.ttl) });
    }
  });
}
