/**
 * Every state-changing request to the dashboard (POST, PUT, PATCH, DELETE) must come from one of
 * its own pages: the browser's Origin names this host, and the session's CSRF token is sent back,
 * in the `x-csrf-token` header (scripts and API clients; every page carries it as
 * `<meta name="csrf-token">`) or as the `csrf` field of a form. Checked once for the whole
 * dashboard, so a route added later cannot forget it. The login form has no session yet: its
 * own origin check and rate limits guard it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sameOrigin, type Session } from './auth.js';
import { messagePage } from './views.js';

export interface CsrfGuardOptions {
  /** Routes without a session (the login form). */
  exempt: ReadonlySet<string>;
  sessionOf: (req: FastifyRequest) => Session | undefined;
  matches: (session: Session, given: unknown) => boolean;
  /** Where a refused page request can go back to. */
  home: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';
const REFUSED = 'Yêu cầu không đến từ trang thống kê (thiếu hoặc sai mã CSRF). Vui lòng tải lại trang rồi thử lại.';

/** The token a request carries: the header first, else the form field. */
function tokenOf(req: FastifyRequest): unknown {
  const header = req.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  const body = req.body;
  return body && typeof body === 'object' ? (body as Record<string, unknown>).csrf : undefined;
}

export function csrfGuard(o: CsrfGuardOptions) {
  return async (req: FastifyRequest, res: FastifyReply) => {
    if (SAFE_METHODS.has(req.method) || o.exempt.has(req.routeOptions.url ?? '')) return;
    const session = o.sessionOf(req);
    if (session && sameOrigin(req.headers, req.host) && o.matches(session, tokenOf(req))) return;
    req.log.warn({ admin: 'csrf-refused', route: req.routeOptions.url }, 'admin request refused: CSRF token missing or wrong');
    if ((req.routeOptions.url ?? '').includes('/api/') || req.headers['content-type']?.startsWith('application/json')) {
      return res.code(403).type('application/json; charset=utf-8').send({ error: REFUSED });
    }
    return res.code(403).type('text/html; charset=utf-8').send(messagePage('Không hợp lệ', REFUSED, { href: o.home, label: 'Về trang tổng quan' }));
  };
}
