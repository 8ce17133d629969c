import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

/**
 * pino options shared by the server and commands. Request bodies and secrets never reach the
 * log: webhook bodies carry message text and user ids, headers carry tokens and signatures.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
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
