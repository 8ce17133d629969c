/**
 * Web chat: the page at `/` and its JSON endpoint `POST /api/chat`. The browser keeps a random
 * session id; we only ever see its pseudonym. With communes.yaml, each commune has its own page
 * `/xa/<id>`, whose questions carry `"commune": "<id>"`; the page at `/` is shared, and the
 * engine asks the citizen's commune when it needs it.
 */
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import helmet from '@fastify/helmet';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DialogEngine } from '../../core/dialog/engine.js';
import { pseudonymize } from '../../core/privacy/pseudonym.js';
import { chatHelmetOptions } from '../../server/security-headers.js';
import type { CommuneDirectory } from '../../core/communes/directory.js';

export const WEB_PUBLIC_DIR = new URL('../../../src/channels/web/public/', import.meta.url).pathname;
export const MAX_CHAT_TEXT = 2000;

export interface WebChatOptions {
  engine: DialogEngine;
  secret: string;
  communeName: string;
  /** The communes of this server (communes.yaml): their pages /xa/<id>. */
  communes?: CommuneDirectory;
  /** Content of Zalo's domain-verification meta tag, when configured. */
  siteVerification?: string;
}

const bodySchema = z
  .object({
    sessionId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
    text: z.string().optional(),
    payload: z.string().max(128).optional(),
    commune: z.string().max(64).optional(),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.payload === undefined));

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const webChatPlugin: FastifyPluginAsync<WebChatOptions> = async (app, o) => {
  const template = readFileSync(join(WEB_PUBLIC_DIR, 'index.html'), 'utf8');
  const pageFor = (name: string, communeId?: string) =>
    template
      .replaceAll('{{COMMUNE}}', escapeHtml(name))
      .replace(
        '<!--SITE_VERIFICATION-->',
        o.siteVerification ? `<meta name="zalo-platform-site-verification" content="${escapeHtml(o.siteVerification)}">` : '',
      )
      .replace('<!--COMMUNE_META-->', communeId ? `<meta name="vneid-commune" content="${escapeHtml(communeId)}">` : '');
  const page = pageFor(o.communeName);
  const communePages = new Map((o.communes?.list ?? []).map((c) => [c.id, pageFor(c.name, c.id)]));
  const notFoundPage = readFileSync(join(WEB_PUBLIC_DIR, 'not-found.html'), 'utf8');

  // CSP, frame-ancestors/X-Frame-Options, nosniff, Referrer-Policy on the page, its files and the API.
  await app.register(helmet, chatHelmetOptions);
  await app.register(fastifyStatic, { root: WEB_PUBLIC_DIR, prefix: '/static/', index: false, maxAge: '1h' });

  app.get('/', async (_req, res) => res.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page));
  app.get<{ Params: { id: string } }>('/xa/:id', async (req, res) => {
    const communePage = communePages.get(req.params.id);
    if (!communePage) return res.code(404).type('text/html; charset=utf-8').send(notFoundPage);
    return res.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(communePage);
  });

  app.post('/api/chat', async (req, res) => {
    const parsed = bodySchema.safeParse(req.body);
    if (!parsed.success) {
      return res.code(400).send({
        error: 'Yêu cầu không hợp lệ: cần JSON {"sessionId": "8–64 ký tự A-Z a-z 0-9 _ -", "text": "..."} hoặc {"sessionId": "...", "payload": "..."}.',
      });
    }
    const { sessionId, text, payload, commune } = parsed.data;
    if (commune !== undefined && !communePages.has(commune)) {
      return res.code(400).send({ error: 'Không có xã/phường này trên trợ lý. Bạn mở lại trang chat của xã/phường mình, hoặc trang chính.' });
    }
    if (text !== undefined && text.length > MAX_CHAT_TEXT) {
      return res.code(413).send({ error: `Tin nhắn quá dài: tối đa ${MAX_CHAT_TEXT} ký tự. Bạn hãy hỏi ngắn gọn hơn nhé.` });
    }
    const replies = await o.engine.handle({
      channel: 'web',
      userKey: pseudonymize(o.secret, 'web', sessionId),
      ...(commune !== undefined ? { commune } : {}),
      ...(payload !== undefined ? { payload } : { text: text ?? '' }),
    });
    return { replies };
  });
};
