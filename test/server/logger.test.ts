import Fastify from 'fastify';
import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loggerOptions, RequestLogAtDebug } from '../../src/server/logger.js';

/** A Fastify app logging as the server does, at `level`, into a string. */
async function appAt(level: string) {
  const lines: Array<{ level: number; msg: string; req?: { url?: string; remoteAddress?: string } }> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  const app = Fastify({ loggerInstance: pino(loggerOptions(level), stream), logController: new RequestLogAtDebug() });
  app.get('/ok', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  await app.ready();
  return { app, lines };
}

describe('request logging', () => {
  it('at info: no line for a routine request, the error line for a failure', async () => {
    const { app, lines } = await appAt('info');
    await app.inject('/ok');
    expect(lines.filter((l) => /request/.test(l.msg))).toEqual([]);
    await app.inject('/boom');
    expect(lines.some((l) => l.level === 50 && l.msg === 'boom')).toBe(true);
    await app.close();
  });

  it('at debug: both lines of every request, without the IP address or secret headers', async () => {
    const { app, lines } = await appAt('debug');
    await app.inject({ url: '/ok', headers: { 'x-telegram-bot-api-secret-token': 'very-secret-value' } });
    const incoming = lines.find((l) => l.msg === 'incoming request');
    expect(incoming?.level).toBe(20);
    expect(incoming?.req?.url).toBe('/ok');
    expect(incoming?.req?.remoteAddress).toBe('[ẨN]');
    expect(lines.find((l) => l.msg === 'request completed')?.level).toBe(20);
    expect(JSON.stringify(lines)).not.toContain('very-secret-value');
    await app.close();
  });
});
