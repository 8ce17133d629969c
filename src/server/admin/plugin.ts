/**
 * The officials' dashboard at /admin: anonymised statistics, campaign numbers, the review list of
 * unanswered questions, CSV exports. The ADMIN_PASSWORD login sees every commune; officials of
 * ADMIN_USERS_FILE (users.ts) see their own commune, or their district's or province's, and
 * compare them: the scope is added to every range on the server (pages, API, CSV), and a URL
 * naming a commune outside it gets 403. A signed HttpOnly SameSite=Strict session cookie; login
 * attempts rate-limited; POSTs checked for origin and CSRF token. Register it without a prefix:
 * its routes live under /admin.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { DEFAULT_CONTENT_DIR, type ContentBase } from '../../core/content/loader.js';
import type { StatsRange, StatsStore } from '../../core/stats/store.js';
import { passwordMatches, sameOrigin, SESSION_COOKIE, SessionSigner, type Session } from './auth.js';
import { LoginGuards, type LoginGuardOptions } from './login-guard.js';
import { AdminSessionRegistry } from './session-registry.js';
import type { Storage } from '../../storage/storage.js';
import { ADMIN_CSS, ADMIN_JS, chartJsSource } from './assets.js';
import { separatorOf, toCsv } from './csv.js';
import { toXlsx } from './xlsx.js';
import { lastDays, rangePresets, readDayRange, viDay } from './dates.js';
import { html, type SafeHtml } from './html.js';
import { verifyPassword, type AdminUser } from './users.js';
import type { CommuneDirectory } from '../../core/communes/directory.js';
import { TABLE_BY_KEY, type LoadedTable, type TableContext } from './tables.js';
import { registerTeamPages, type TeamPagesOptions } from './teams-pages.js';
import { BASE, cards, chartBlock, csvLinks, fmtInt, fmtPct, layout, loginPage, messagePage, perDaySeries, perWeekSeries, tableBlock, type RangeView } from './views.js';
import { csrfGuard } from './csrf.js';
import type { ReviewService } from '../../core/review/service.js';
import { withoutReviewed } from '../../core/review/unreviewed.js';
import { registerReviewRoutes } from './review-routes.js';
import { entryDatalist, REVIEW_CSS, reviewIntro, withReviewActions } from './review-views.js';

export interface AdminPluginOptions {
  /** ADMIN_PASSWORD (at least 8 characters): an all-communes admin. Optional when `users` are given. */
  password?: string;
  /** Officials of ADMIN_USERS_FILE, each with the communes they may read (users.ts). */
  users?: ReadonlyMap<string, AdminUser>;
  /** communes.yaml: names on the comparison page. */
  communes?: CommuneDirectory;
  store: StatsStore;
  content: ContentBase;
  /** Signs session cookies (≥ 16 characters); the stats secret will do, keys are domain-separated. */
  cookieSecret: string;
  /** Shown in the header and on the login page. */
  communeName?: string;
  /** Login attempts per IP per minute (default 5; the next one gets 429). */
  loginAttemptsPerMinute?: number;
  /** Wrong passwords for the account, from all clients together, before its login closes for a while (login-guard.ts). */
  loginGuard?: LoginGuardOptions;
  /** The same over all accounts together (default 30 wrong passwords in 15 minutes). */
  globalLoginGuard?: LoginGuardOptions;
  /** Keeps the open sessions (shared by every instance), so that logout ends a session everywhere. */
  storage: Pick<Storage, 'getValue' | 'setValue' | 'withLock'>;
  /** Always mark the cookie Secure (PUBLIC_URL is https), also when the request's protocol is not known to be https. */
  secureCookie?: boolean;
  /** Session lifetime (default 8 hours: one working day). */
  sessionTtlMs?: number;
  /** Default date range when none is given (default 30 days up to today). */
  defaultDays?: number;
  /** Volunteer teams: referral codes, printable posters, counts per code (teams-pages.ts). */
  teams?: TeamPagesOptions;
  /** Clock, for tests. */
  now?: () => number;
  /** Officials' changes from the review list (review-routes.ts); without it the list is read-only. */
  review?: ReviewService;
  /** The content files, for the patch export (default: the repository's content/). */
  contentDir?: string;
}

const COMPARE_TAB = { path: '/communes', label: 'So sánh xã/phường' } as const;

const PUBLIC_ROUTES = new Set([`${BASE}/login`, `${BASE}/assets/admin.css`, `${BASE}/assets/admin.js`, `${BASE}/assets/chart.umd.js`]);

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not no-referrer: browsers would then send "Origin: null" with our own form posts.
  'referrer-policy': 'same-origin',
};

/** Where to go after login: only our own pages (no open redirect). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/admin(?:[/?][^\s\\]*)?$/.test(next) && !next.startsWith('//') ? next : BASE;
}

export const adminPlugin: FastifyPluginAsync<AdminPluginOptions> = async (app, options) => {
  // Questions officials already attached or dismissed leave the review list (and its CSV).
  const o = options.review ? { ...options, store: withoutReviewed(options.store, options.review) } : options;
  const hasUsers = (o.users?.size ?? 0) > 0;
  if (o.password !== undefined && (typeof o.password !== 'string' || o.password.length < 8)) throw new Error('adminPlugin: password phải có ít nhất 8 ký tự');
  if (o.password === undefined && !hasUsers) throw new Error('adminPlugin: cần password (ADMIN_PASSWORD) hoặc users (ADMIN_USERS_FILE)');
  if (typeof o.cookieSecret !== 'string' || o.cookieSecret.length < 16) throw new Error('adminPlugin: cookieSecret phải có ít nhất 16 ký tự');
  const now = o.now ?? Date.now;
  const ttlMs = o.sessionTtlMs ?? 8 * 3600_000;
  const signer = new SessionSigner(o.cookieSecret, o.password ?? '');
  const guards = new LoginGuards(o.loginGuard, o.globalLoginGuard);
  const registry = new AdminSessionRegistry(o.storage);
  // One password, one account. Named so that the per-account budget has a key when more come.
  const ACCOUNT = 'admin';
  /** A validly signed cookie of a session that was not logged out since. */
  const openSession = async (token: string | undefined): Promise<Session | null> => {
    const session = signer.verify(token, now(), (name) => o.users?.get(name)?.passwordHash);
    return session && (await registry.isOpen(session.id, now())) ? session : null;
  };
  const sessions = new WeakMap<FastifyRequest, Session>();
  const loginOpts = (extra: { error?: string; next?: string }) => ({ ...extra, usernames: hasUsers, ...(o.communeName ? { communeName: o.communeName } : {}) });
  /** The ADMIN_PASSWORD login: every commune. */
  const ADMIN: AdminUser = { name: '', role: 'admin', communes: undefined, label: o.communeName ?? '', passwordHash: '' };
  const viewers = new WeakMap<FastifyRequest, AdminUser>();
  const viewerOf = (req: FastifyRequest) => viewers.get(req) ?? ADMIN;
  /** The commune a URL names (?commune=<id>), if any. */
  const askedCommune = (req: FastifyRequest) => {
    const c = (req.query as Record<string, unknown> | undefined)?.commune;
    return typeof c === 'string' && c !== '' ? c.slice(0, 64) : undefined;
  };
  /** Officials who oversee several communes (or all) compare them. */
  const compares = (v: AdminUser) => v.communes === undefined || v.communes.length > 1;
  const defaultDays = o.defaultDays ?? 30;

  // Both are encapsulated here; an app that already has them keeps its own.
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody, { bodyLimit: 4096 });
  if (!app.hasRequestDecorator('cookies')) await app.register(cookie);
  if (!app.hasDecorator('rateLimit')) await app.register(rateLimit, { global: false });

  app.addHook('onSend', async (req, res, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.header(k, v);
    if (!req.url.startsWith(`${BASE}/assets/`)) res.header('cache-control', 'no-store');
    return payload;
  });

  app.addHook('onRequest', async (req, res) => {
    const route = req.routeOptions.url ?? '';
    if (PUBLIC_ROUTES.has(route)) return;
    const session = await openSession(req.cookies[SESSION_COOKIE]);
    if (session) {
      sessions.set(req, session);
      const viewer = session.user === undefined ? ADMIN : o.users?.get(session.user);
      if (!viewer) return res.code(401).send({ error: 'Cần đăng nhập trang thống kê.' }); // verify() already refused it
      viewers.set(req, viewer);
      // Checked on the server for every page, API and CSV: another commune's numbers are not
      // this official's to read, whatever the URL says.
      const asked = askedCommune(req);
      if (asked !== undefined && viewer.communes !== undefined && !viewer.communes.includes(asked)) {
        req.log.warn({ admin: 'out-of-scope' }, 'admin: commune outside the official\'s scope');
        if (route.startsWith(`${BASE}/csv/`) || route.startsWith(`${BASE}/xlsx/`) || route.startsWith(`${BASE}/api/`)) {
          return res.code(403).type('application/json; charset=utf-8').send({ error: 'Bạn không có quyền xem số liệu của xã/phường này.' });
        }
        return res.code(403).type('text/html; charset=utf-8').send(messagePage('Không có quyền', 'Bạn không có quyền xem số liệu của xã/phường này.', { href: BASE, label: 'Về trang tổng quan' }));
      }
      if (route === `${BASE}${COMPARE_TAB.path}` && !compares(viewer)) {
        return res.code(403).type('text/html; charset=utf-8').send(messagePage('Không có quyền', 'Trang so sánh dành cho cán bộ phụ trách nhiều xã/phường.', { href: BASE, label: 'Về trang tổng quan' }));
      }
      return;
    }
    if (route.startsWith(`${BASE}/csv/`) || route.startsWith(`${BASE}/xlsx/`) || route.startsWith(`${BASE}/api/`)) {
      return res.code(401).type('application/json; charset=utf-8').send({ error: 'Cần đăng nhập trang thống kê.' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return res.code(401).type('text/html; charset=utf-8').send(messagePage('Cần đăng nhập', 'Phiên đăng nhập đã hết hạn.', { href: `${BASE}/login`, label: 'Đăng nhập lại' }));
    return res.redirect(`${BASE}/login?next=${encodeURIComponent(safeNext(req.url))}`, 302);
  });

  // Every POST of the dashboard (but the login form) carries the session's CSRF token.
  app.addHook('preHandler', csrfGuard({ exempt: new Set([`${BASE}/login`]), sessionOf: (req) => sessions.get(req), matches: (s, t) => signer.csrfMatches(s, t), home: BASE }));

  app.setErrorHandler((err: { statusCode?: number; code?: string; message?: string }, req, res) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status === 429 && req.routeOptions.url === `${BASE}/login`) {
      return res.code(429).type('text/html; charset=utf-8').send(loginPage(loginOpts({ error: 'Bạn đã thử đăng nhập quá nhiều lần. Vui lòng đợi 1 phút rồi thử lại.' })));
    }
    if (status === 429) {
      return res.code(429).type('text/html; charset=utf-8').send(messagePage('Chậm lại một chút', 'Bạn mở trang quá nhanh. Vui lòng đợi một phút rồi thử lại.'));
    }
    if (status >= 500) req.log.error({ err: { message: err.message, code: err.code } }, 'admin request failed');
    const message = status >= 500 ? 'Máy chủ đang gặp sự cố. Vui lòng thử lại sau.' : 'Yêu cầu không hợp lệ.';
    return res.code(status).type('text/html; charset=utf-8').send(messagePage('Có lỗi', message, { href: BASE, label: 'Về trang tổng quan' }));
  });

  // ——— assets (public: nothing secret in a stylesheet or a chart library) ———

  const asset = (path: string, type: string, body: () => string) =>
    app.get(`${BASE}/assets/${path}`, { config: { rateLimit: false } }, async (_req, res) =>
      res.type(type).header('cache-control', 'public, max-age=86400').send(body()),
    );
  asset('admin.css', 'text/css; charset=utf-8', () => ADMIN_CSS + REVIEW_CSS);
  asset('admin.js', 'application/javascript; charset=utf-8', () => ADMIN_JS);
  asset('chart.umd.js', 'application/javascript; charset=utf-8', chartJsSource);

  // ——— login / logout ———

  // HttpOnly + SameSite=Strict: no script reads it, no other site sends it. Secure when the
  // request came over https (directly, or as a trusted proxy says) or PUBLIC_URL is https: a
  // proxy that TRUST_PROXY does not name still serves the public over https.
  const cookieOptions = (req: FastifyRequest, maxAge: number) =>
    ({ path: BASE, maxAge, httpOnly: true, sameSite: 'strict', secure: o.secureCookie === true || req.protocol === 'https' }) as const;

  app.get(`${BASE}/login`, async (req, res) => {
    const next = safeNext((req.query as Record<string, unknown>).next);
    if (await openSession(req.cookies[SESSION_COOKIE])) return res.redirect(next, 303);
    return res.type('text/html; charset=utf-8').send(loginPage(loginOpts({ next })));
  });

  app.post(
    `${BASE}/login`,
    {
      config: {
        rateLimit: {
          max: o.loginAttemptsPerMinute ?? 5,
          timeWindow: 60_000,
          errorResponseBuilder: (_req: FastifyRequest, ctx: { ttl: number }) => ({ statusCode: 429, code: 'ADMIN_LOGIN_RATE', message: `retry ${Math.ceil(ctx.ttl / 1000)}s` }),
        },
      },
    },
    async (req, res) => {
      if (!sameOrigin(req.headers, req.host)) {
        return res.code(403).type('text/html; charset=utf-8').send(messagePage('Không hợp lệ', 'Yêu cầu đăng nhập không đến từ trang này.'));
      }
      const body = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(body.next);
      // An official of ADMIN_USERS_FILE, or (no name) the ADMIN_PASSWORD login.
      const username = typeof body.username === 'string' ? body.username.trim().toLowerCase().slice(0, 64) : '';
      const account = username === '' ? ACCOUNT : `user:${username}`;
      // Closed for everyone after too many wrong passwords: checked before the password, so a
      // guess made now is worth nothing, whatever address it claims.
      const locked = guards.lockedFor(account, now());
      if (locked > 0) {
        const minutes = Math.ceil(locked / 60_000);
        return res
          .code(429)
          .header('retry-after', String(Math.ceil(locked / 1000)))
          .type('text/html; charset=utf-8')
          .send(loginPage(loginOpts({ error: `Đăng nhập đang tạm khóa vì có quá nhiều lần nhập sai mật khẩu. Vui lòng thử lại sau ${minutes} phút.`, next })));
      }
      const official = username === '' ? undefined : o.users?.get(username);
      // scrypt runs for an unknown name too (verifyPassword's dummy hash): the time says nothing.
      const ok = username === '' ? o.password !== undefined && passwordMatches(body.password, o.password) : await verifyPassword(body.password, official?.passwordHash);
      if (!ok) {
        req.log.warn({ admin: 'login-failed' }, 'admin login failed');
        const closed = guards.recordFailure(account, now());
        if (closed) req.log.error({ admin: 'login-locked', budget: closed }, `admin login locked: too many wrong passwords (${closed === 'account' ? 'for the account' : 'over all accounts'}) from all clients`);
        return res.code(401).type('text/html; charset=utf-8').send(loginPage(loginOpts({ error: hasUsers ? 'Tên đăng nhập hoặc mật khẩu không đúng.' : 'Mật khẩu không đúng.', next })));
      }
      const { token, session } = signer.issue(now(), ttlMs, official ? { name: official.name, secret: official.passwordHash } : undefined);
      await registry.open(session.id, session.exp, now());
      req.log.info({ admin: 'login' }, 'admin login');
      return res.setCookie(SESSION_COOKIE, token, cookieOptions(req, Math.floor(ttlMs / 1000))).redirect(next, 303);
    },
  );

  app.post(`${BASE}/logout`, async (req, res) => {
    const session = sessions.get(req)!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!sameOrigin(req.headers, req.host) || !signer.csrfMatches(session, body.csrf)) {
      return res.code(403).type('text/html; charset=utf-8').send(messagePage('Không hợp lệ', 'Yêu cầu không đến từ trang thống kê (thiếu mã CSRF).', { href: BASE, label: 'Về trang tổng quan' }));
    }
    // Ended here, not only in this browser: a copy of the cookie is worth nothing from now on.
    await registry.close(session.id, now());
    req.log.info({ admin: 'logout' }, 'admin logout');
    return res.clearCookie(SESSION_COOKIE, cookieOptions(req, 0)).redirect(`${BASE}/login`, 303);
  });

  // ——— date range and view ———

  /**
   * The range asked for, limited to the official's communes (and to the one commune the URL
   * names, already checked to be theirs): every page, API and CSV reads through this.
   */
  function readRange(req: FastifyRequest): { view: RangeView; range: StatsRange; error?: string } {
    const r = readDates(req);
    const viewer = viewerOf(req);
    const asked = askedCommune(req);
    const commune = asked !== undefined && (viewer.communes === undefined || viewer.communes.includes(asked)) ? asked : undefined;
    return {
      ...r,
      view: { ...r.view, ...(commune ? { commune } : {}) },
      range: { ...r.range, ...(viewer.communes !== undefined ? { communes: viewer.communes } : {}), ...(commune ? { commune } : {}) },
    };
  }

  /** The dates asked for (dd/mm/yyyy as typed, or ISO from our links); the default one with a warning when it cannot be read. */
  function readDates(req: FastifyRequest): { view: RangeView; range: StatsRange; error?: string } {
    const q = req.query as Record<string, unknown>;
    const technical = q.view === 'technical';
    const from = typeof q.from === 'string' ? q.from : undefined;
    const to = typeof q.to === 'string' ? q.to : undefined;
    const fallback = lastDays(defaultDays, now());
    const presets = rangePresets(now());
    if (from === undefined && to === undefined) return { view: { from: fallback.from, to: fallback.to, technical, presets }, range: fallback.range };
    const asked = readDayRange({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
    if (asked.ok) return { view: { from: asked.from, to: asked.to, technical, presets }, range: asked.range };
    return {
      view: {
        from: fallback.from,
        to: fallback.to,
        technical,
        presets,
        warning: `${asked.message} Đang hiển thị ${defaultDays} ngày gần nhất.`,
        typed: { from: (from ?? '').slice(0, 20), to: (to ?? '').slice(0, 20) },
      },
      range: fallback.range,
      error: asked.message,
    };
  }

  const load = async (keys: string[], ctx: TableContext) => {
    const out = new Map<string, LoadedTable>();
    for (const k of keys) out.set(k, await TABLE_BY_KEY.get(k)!.load(ctx));
    return out;
  };

  const send = (res: FastifyReply, page: string) => res.type('text/html; charset=utf-8').send(page);

  // ——— pages ———

  const page = (path: string, title: string, render: (view: RangeView, ctx: TableContext, req: FastifyRequest) => Promise<{ body: SafeHtml; chartData?: unknown }>) =>
    app.get(`${BASE}${path}`, async (req, res) => {
      const { view, range } = readRange(req);
      const viewer = viewerOf(req);
      const ctx: TableContext = { store: o.store, content: o.content, range, technical: view.technical === true };
      const { body, chartData } = await render(view, ctx, req);
      // Who is reading, and which commune of theirs when the URL names one.
      const shown = view.commune ? o.communes?.byId(view.commune)?.name ?? view.commune : undefined;
      const who = [viewer.label, shown].filter(Boolean).join(' · ');
      return send(
        res,
        layout({
          title,
          active: path,
          range: view,
          csrf: sessions.get(req)!.csrf,
          body,
          ...(who ? { communeName: who } : {}),
          ...(chartData ? { chartData } : {}),
          ...(compares(viewer) && (o.communes?.size ?? 0) > 1 ? { tabs: [COMPARE_TAB] } : {}),
        }),
      );
    });

  page('', 'Tổng quan', async (view, ctx) => {
    const t = await load(['per-day', 'channels', 'per-week', 'sensitive'], ctx);
    const ov = await o.store.overview(ctx.range);
    const perDay = t.get('per-day')!;
    const perWeek = t.get('per-week')!;
    const series = perDaySeries(perDay.rows.map((r) => r.raw as { day: string; answered: number; lowConfidence: number; unanswered: number }), ctx.range.from, ctx.range.to);
    const weeks = perWeekSeries(perWeek.rows.map((r) => r.raw as { week: string; users: number }), ctx.range.from, ctx.range.to);
    const body = html`${cards([
      { key: 'conversations', label: 'Cuộc trò chuyện', value: fmtInt(ov.conversations) },
      { key: 'users', label: 'Người dùng (ẩn danh)', value: fmtInt(ov.users) },
      { key: 'questions', label: 'Câu hỏi', value: fmtInt(ov.questions) },
      { key: 'answered-rate', label: 'Tỉ lệ trả lời được', value: fmtPct(ov.answered, ov.questions) },
      { key: 'unanswered', label: 'Chưa trả lời được / chưa chắc', value: fmtInt(ov.unanswered + ov.lowConfidence) },
      { key: 'walks-completed', label: 'Lượt hoàn thành hướng dẫn', value: fmtInt(ov.walksCompleted) },
      { key: 'stuck', label: 'Lượt bấm “Tôi bị lỗi”', value: fmtInt(ov.stuck) },
      { key: 'emergencies', label: 'Tin nhắn khẩn cấp (đã đưa 113/114/115)', value: fmtInt(ov.emergencies) },
      { key: 'failures', label: 'Lỗi gửi tin', value: fmtInt(ov.deliveryFailures) },
    ])}
${csvLinks('overview', view, 'các chỉ số tổng quan')}
${chartBlock('chart-per-day', 'Câu hỏi mỗi ngày', 'Biểu đồ số câu hỏi mỗi ngày; số liệu chi tiết ở bảng bên dưới.')}
${tableBlock(t.get('channels')!, view)}
${chartBlock('chart-per-week', 'Người dùng mỗi tuần', 'Biểu đồ số người dùng mỗi tuần; số liệu ở bảng bên dưới.')}
${tableBlock(perWeek, view)}
${tableBlock(perDay, view)}
${tableBlock(t.get('sensitive')!, view)}`;
    return {
      body,
      chartData: { perDay: series, perWeek: weeks },
    };
  });

  page('/topics', 'Chủ đề và câu hỏi', async (view, ctx) => {
    const t = await load(['topics', 'questions'], ctx);
    return { body: html`${tableBlock(t.get('topics')!, view)}${tableBlock(t.get('questions')!, view)}` };
  });

  page('/review', 'Câu hỏi cần xem lại', async (view, ctx, req) => {
    const t = await load(['review'], ctx);
    if (!o.review) return { body: tableBlock(t.get('review')!, view) };
    const done = (req.query as Record<string, unknown>).done;
    const actions = withReviewActions(t.get('review')!, o.content, sessions.get(req)!.csrf, view);
    return { body: html`${reviewIntro(view, typeof done === 'string' ? done : undefined)}${tableBlock(actions, view)}${entryDatalist(o.content)}` };
  });

  page('/guides', 'Hướng dẫn từng bước', async (view, ctx) => {
    const t = await load(['guides', 'funnel'], ctx);
    const funnel = t.get('funnel')!;
    const groups = new Map<string, LoadedTable['rows']>();
    for (const r of funnel.rows) {
      const id = (r.raw as { guideId: string }).guideId;
      groups.set(id, [...(groups.get(id) ?? []), r]);
    }
    const perGuide = [...groups].map(([id, rows]) =>
      tableBlock(funnel, view, { rows, hide: ['guide', 'id'], heading: 'h3', csv: false, title: view.technical ? `${o.content.byId.get(id)?.title ?? id} (${id})` : (o.content.byId.get(id)?.title ?? id) }),
    );
    return {
      body: html`${tableBlock(t.get('guides')!, view)}
<section class="block" id="funnels"><h2>${funnel.title}</h2><p class="note">${funnel.note ?? ''}</p>
${csvLinks('funnel', view, 'tất cả hướng dẫn')}
${perGuide.length ? perGuide : html`<p class="empty">${funnel.empty}</p>`}</section>`,
    };
  });

  page('/documents', 'Theo loại giấy tờ', async (view, ctx) => {
    const t = await load(['documents'], ctx);
    return { body: tableBlock(t.get('documents')!, view) };
  });

  page('/referrals', 'Theo mã giới thiệu', async (view, ctx) => {
    const t = await load(['referrals'], ctx);
    return { body: tableBlock(t.get('referrals')!, view) };
  });

  // Comparing communes: district, province and all-communes officials (a commune official's own
  // numbers are the overview). Only communes in the official's scope are listed.
  page(COMPARE_TAB.path, 'So sánh xã/phường', async (view, ctx) => {
    // All communes of the scope, also when the URL names one of them.
    const { commune: _one, ...scope } = ctx.range;
    const rows = await o.store.perCommune(scope);
    const nameOf = (id: string) => (id === 'default' ? 'Chưa rõ xã/phường' : (o.communes?.byId(id)?.name ?? id));
    const link = (id: string) => `${BASE}?from=${encodeURIComponent(view.from)}&to=${encodeURIComponent(view.to)}&commune=${encodeURIComponent(id)}`;
    const body = rows.length
      ? html`<section class="block"><table class="data"><thead><tr><th>Xã/phường</th><th class="num">Cuộc trò chuyện</th><th class="num">Người dùng</th><th class="num">Câu hỏi</th><th class="num">Trả lời được</th><th class="num">Hoàn thành hướng dẫn</th></tr></thead>
<tbody>${rows.map(
          (r) => html`<tr><td>${r.commune === 'default' ? nameOf(r.commune) : html`<a href="${link(r.commune)}">${nameOf(r.commune)}</a>`}</td><td class="num">${fmtInt(r.conversations)}</td><td class="num">${fmtInt(r.users)}</td><td class="num">${fmtInt(r.questions)}</td><td class="num">${fmtPct(r.answered, r.questions)}</td><td class="num">${fmtInt(r.walksCompleted)}</td></tr>`,
        )}</tbody></table></section>`
      : html`<p class="empty">Chưa có số liệu trong khoảng ngày này.</p>`;
    return { body };
  });

  page('/failures', 'Lỗi gửi tin', async (view, ctx) => {
    const t = await load(['failures'], ctx);
    return { body: tableBlock(t.get('failures')!, view) };
  });

  if (o.teams) {
    registerTeamPages(app, {
      ...o.teams,
      store: o.store,
      defaultCommuneName: o.communeName ?? 'Công an xã',
      now,
      readRange,
      csrfOf: (req) => sessions.get(req)!.csrf,
      csrfOk: (req, token) => sameOrigin(req.headers, req.host) && signer.csrfMatches(sessions.get(req)!, token),
    });
  }

  // ——— exports ———

  /** The table asked for, loaded for a download; or the reply already sent (unknown table, bad dates). */
  async function download(req: FastifyRequest, res: FastifyReply): Promise<{ t: LoadedTable; name: string } | undefined> {
    const def = TABLE_BY_KEY.get((req.params as { table: string }).table);
    if (!def) {
      await res.code(404).type('application/json; charset=utf-8').send({ error: 'Không có bảng này.' });
      return undefined;
    }
    const { view, range, error } = readRange(req);
    // A file of other dates than asked for would be worse than no file: say what is wrong instead.
    if (error) {
      await res.code(400).type('text/plain; charset=utf-8').send(`${error}\n`);
      return undefined;
    }
    const t = await def.load({ store: o.store, content: o.content, range, technical: view.technical === true });
    return { t, name: `vneid-${t.key}-${viDay(view.from).replace(/\//g, '-')}_${viDay(view.to).replace(/\//g, '-')}` };
  }

  app.get(`${BASE}/csv/:table`, async (req, res) => {
    const d = await download(req, res);
    if (!d) return res;
    const sep = separatorOf((req.query as Record<string, unknown>).sep);
    return res
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${d.name}.csv"`)
      .send(toCsv(d.t.headers, d.t.rows.map((r) => r.cells), sep));
  });

  app.get(`${BASE}/xlsx/:table`, async (req, res) => {
    const d = await download(req, res);
    if (!d) return res;
    return res
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${d.name}.xlsx"`)
      .send(await toXlsx(d.t));
  });

  app.get(`${BASE}/api/:table`, async (req, res) => {
    const def = TABLE_BY_KEY.get((req.params as { table: string }).table);
    if (!def) return res.code(404).send({ error: 'Không có bảng này.' });
    const { view, range, error } = readRange(req);
    if (error) return res.code(400).send({ error });
    const t = await def.load({ store: o.store, content: o.content, range, technical: view.technical === true });
    return { table: t.key, title: t.title, from: view.from, to: view.to, headers: t.headers, rows: t.rows.map((r) => r.cells) };
  });

  if (o.review) {
    await registerReviewRoutes(app, {
      review: o.review,
      contentDir: o.contentDir ?? DEFAULT_CONTENT_DIR,
      csrfOf: (req) => sessions.get(req)!.csrf,
      // Recorded as who made a change: the official's name, or 'admin' for the ADMIN_PASSWORD login.
      actorOf: (req) => sessions.get(req)?.user ?? ACCOUNT,
      rangeOf: (req) => readRange(req).view,
      now,
      ...(o.communeName ? { communeName: o.communeName } : {}),
    });
  }
};
