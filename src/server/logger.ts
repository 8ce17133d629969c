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
