/**
 * Routes of officials improving the answers (issue 14, item 4), registered by the admin plugin
 * after its session and CSRF hooks, so every route here needs a session and every POST its token:
 *  - JSON: POST /admin/api/phrasings {"text", "id"}, POST /admin/api/dismissals {"text"},
 *    POST /admin/api/changes/:id/undo, GET /admin/api/changes;
 *  - forms of the review list: POST /admin/review/attach, /dismiss, /undo (then back to the page);
 *  - GET /admin/review/changes (who did what, when; undo), /admin/review/export.patch and .yaml.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReviewChange } from '../../core/review/changes.js';
import { CHANGES_LISTED } from '../../core/review/changes.js';
import { exportPatch, exportYaml } from '../../core/review/export.js';
import { ReviewError, type ReviewService } from '../../core/review/service.js';
import { formatDay } from '../../core/stats/store.js';
import { changesBody, REVIEW_BASE } from './review-views.js';
import { viDateTime } from './tables.js';
import { BASE, layout, messagePage, type RangeView } from './views.js';

export interface ReviewRoutesOptions {
  review: ReviewService;
  /** Where the content files are (for the patch). */
  contentDir: string;
  csrfOf: (req: FastifyRequest) => string;
  /** The dashboard account of the request: recorded as who made a change. */
  actorOf: (req: FastifyRequest) => string;
  rangeOf: (req: FastifyRequest) => RangeView;
  communeName?: string;
  now: () => number;
}

/** Small bodies only: a question and an id. */
const BODY_LIMIT = 4096;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A change as the API returns it (no internal field is hidden: none holds citizen data). */
const toJson = (c: ReviewChange) => ({
  id: c.id,
  kind: c.kind,
  entryId: c.entryId,
  text: c.text,
  by: c.by,
  at: new Date(c.at).toISOString(),
  undoneAt: c.undoneAt === null ? null : new Date(c.undoneAt).toISOString(),
  undoneBy: c.undoneBy,
});

const bodyOf = (req: FastifyRequest): Record<string, unknown> => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});

export async function registerReviewRoutes(app: FastifyInstance, o: ReviewRoutesOptions): Promise<void> {
  const { review } = o;

  // ——— JSON API: its own error handler, so that a bad body gets JSON, not the dashboard's page ———
  await app.register(async (api) => {
    api.setErrorHandler((err: { statusCode?: number; message?: string; code?: string }, req, res) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
      if (status >= 500) req.log.error({ err: { message: err.message, code: err.code } }, 'admin review request failed');
      const error =
        status === 413
          ? 'Nội dung gửi lên quá lớn.'
          : status === 415
            ? 'Cần gửi JSON (Content-Type: application/json).'
            : status === 429
              ? 'Bạn gửi quá nhanh. Vui lòng đợi một chút rồi thử lại.'
              : status < 500
                ? 'Yêu cầu không hợp lệ (JSON sai cú pháp?).'
                : 'Máy chủ đang gặp sự cố. Vui lòng thử lại sau.';
      return res.code(status).type('application/json; charset=utf-8').send({ error });
    });

    const fail = (res: FastifyReply, err: unknown) => {
      if (err instanceof ReviewError) return res.code(err.status).type('application/json; charset=utf-8').send({ error: err.message });
      throw err;
    };

    api.post(`${BASE}/api/phrasings`, { bodyLimit: BODY_LIMIT }, async (req, res) => {
      try {
        const body = bodyOf(req);
        const { change, applied } = await review.attach({ text: body.text, id: body.id }, o.actorOf(req));
        req.log.info({ admin: 'phrasing-added', change: change.id, entry: change.entryId }, 'admin attached a phrasing');
        return res.code(201).send({ change: toJson(change), applied });
      } catch (err) {
        return fail(res, err);
      }
    });

    api.post(`${BASE}/api/dismissals`, { bodyLimit: BODY_LIMIT }, async (req, res) => {
      try {
        const body = bodyOf(req);
        const change = await review.dismiss({ text: body.text, normalized: body.normalized }, o.actorOf(req));
        req.log.info({ admin: 'question-dismissed', change: change.id }, 'admin dismissed a question');
        return res.code(201).send({ change: toJson(change) });
      } catch (err) {
        return fail(res, err);
      }
    });

    api.post(`${BASE}/api/changes/:id/undo`, { bodyLimit: BODY_LIMIT }, async (req, res) => {
      try {
        const { change, applied } = await review.undo((req.params as { id: string }).id, o.actorOf(req));
        req.log.info({ admin: 'change-undone', change: change.id }, 'admin undid a change');
        return res.send({ change: toJson(change), applied });
      } catch (err) {
        return fail(res, err);
      }
    });

    api.get(`${BASE}/api/changes`, async () => ({ changes: (await review.list(CHANGES_LISTED)).map(toJson) }));
  });

  // ——— forms of the review list and of the list of changes ———

  /** Back to the page the form was on, with its date range and the result to show. */
  const back = (req: FastifyRequest, page: string, done: string) => {
    const b = bodyOf(req);
    const range = typeof b.from === 'string' && typeof b.to === 'string' && DAY.test(b.from) && DAY.test(b.to) ? `from=${b.from}&to=${b.to}&` : '';
    return `${BASE}${page}?${range}done=${done}`;
  };

  const form = (path: string, page: string, done: string, act: (req: FastifyRequest) => Promise<unknown>) =>
    app.post(`${REVIEW_BASE}/${path}`, { bodyLimit: BODY_LIMIT }, async (req, res) => {
      try {
        await act(req);
        return res.redirect(back(req, page, done), 303);
      } catch (err) {
        if (!(err instanceof ReviewError)) throw err;
        return res
          .code(err.status === 404 ? 404 : 400)
          .type('text/html; charset=utf-8')
          .send(messagePage('Chưa thực hiện được', err.message, { href: `${BASE}${page}`, label: 'Quay lại' }));
      }
    });

  form('attach', '/review', 'attached', (req) => review.attach({ text: bodyOf(req).text, id: bodyOf(req).id }, o.actorOf(req)));
  form('dismiss', '/review', 'dismissed', (req) => review.dismiss({ text: bodyOf(req).text, normalized: bodyOf(req).normalized }, o.actorOf(req)));
  form('undo', '/review/changes', 'undone', (req) => review.undo(bodyOf(req).id, o.actorOf(req)));

  // ——— the list of changes, and the exports ———

  app.get(`${REVIEW_BASE}/changes`, async (req, res) => {
    const done = (req.query as Record<string, unknown>).done;
    const changes = await review.list(CHANGES_LISTED);
    const range = o.rangeOf(req);
    const page = layout({
      title: 'Các thay đổi đã làm',
      active: '/review',
      range,
      csrf: o.csrfOf(req),
      body: changesBody(changes, review.base, o.csrfOf(req), range, typeof done === 'string' ? done : undefined),
      ...(o.communeName ? { communeName: o.communeName } : {}),
    });
    return res.type('text/html; charset=utf-8').send(page);
  });

  const exportInput = async () => ({ changes: await review.active(), base: review.base, contentDir: o.contentDir, keyOf: (t: string) => review.keyOf(t) });
  const stamp = () => formatDay(o.now());

  app.get(`${REVIEW_BASE}/export.patch`, async (_req, res) => {
    const patch = exportPatch(await exportInput());
    return res
      .type('text/x-diff; charset=utf-8')
      .header('content-disposition', `attachment; filename="vneid-cach-hoi-moi-${stamp()}.patch"`)
      .send(patch || '# Không có thay đổi nào chưa có trong nội dung.\n');
  });

  app.get(`${REVIEW_BASE}/export.yaml`, async (_req, res) =>
    res
      .type('text/yaml; charset=utf-8')
      .header('content-disposition', `attachment; filename="vneid-cach-hoi-moi-${stamp()}.yaml"`)
      .send(exportYaml(await exportInput(), viDateTime(o.now()))),
  );
}
