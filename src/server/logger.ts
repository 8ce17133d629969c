import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';
import { cleanMessage, safeError } from './safe-error.js';

/**
 * pino options shared by the server and commands. Request bodies and secrets never reach the
 * log: webhook bodies carry message text and user ids, headers carry tokens and signatures.
 * Errors go through `safeError` (library errors carry tokens, payloads and request configs);
 * a line whose message is an error's own message gets that message cleaned too (pino and
 * Fastify use `err.message` as the line's text).
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: { err: safeError, error: safeError },
    hooks: {
      logMethod(args, method) {
        const [first, second] = args as unknown[];
        if (first instanceof Error) {
          // logger.error(err) would print err.message, raw, as the text of the line.
          const text = typeof second === 'string' ? second : cleanMessage(first.message) || first.name;
          return method.apply(this, [{ err: first }, text, ...args.slice(2)] as never);
        }
        const err = (first as { err?: unknown } | null)?.err;
        if (err instanceof Error && (second === undefined || second === err.message)) {
          // Fastify's default error log uses the raw message as the text.
          return method.apply(this, [first, cleanMessage(err.message) || err.name, ...args.slice(2)] as never);
        }
        return method.apply(this, args);
      },
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-telegram-bot-api-secret-token"]',
        'req.headers["x-zevent-signature"]',
        'req.headers["x-bot-api-secret-token"]',
        'req.headers["x-forwarded-for"]',
        'req.remoteAddress',
        'req.remotePort',
        'req.body',
        'body',
        'text',
        'payload',
        'res.headers["set-cookie"]',
        'access_token',
        'refresh_token',
        // Defence in depth for objects logged as they come (not through safeError).
        'token',
        '*.token',
        '*.payload',
        '*.text',
        '*.access_token',
        '*.refresh_token',
        'headers.authorization',
        'headers.access_token',
        'config.headers',
        'config.data',
      ],
      censor: '[ẨN]',
    },
  };
}

/**
 * Fastify's two lines per request ("incoming request", "request completed") at `debug`, not
 * `info`: at the default level they cost a fifth of the throughput and repeat the reverse
 * proxy's access log. Errors keep Fastify's own levels; LOG_LEVEL=debug shows every request.
 */
export class RequestLogAtDebug extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
