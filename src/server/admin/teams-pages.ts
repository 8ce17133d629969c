/**
 * Volunteer teams on the dashboard (issue 14): an official creates a referral code for a team,
 * prints its A4 poster (QR codes made here), and reads its numbers. Registered by adminPlugin
 * inside its own context, so every route here is behind the admin session; the state-changing
 * ones also check the origin and the session's CSRF token, as the dashboard's other POSTs do.
 *
 *   GET  /admin/teams                     list, creation form, counts over ?from&to
 *   POST /admin/teams                     form: csrf, name, commune?, code? (303 to the list)
 *   POST /admin/teams/:code/name          form: csrf, name (303 to the list): a new name, same code
 *   GET  /admin/teams/:code/poster        the printable poster and the share text
 *   GET  /admin/teams/:code/qr/:ch.png    a QR code (ch: zalo, telegram, web)
 *   GET  /admin/api/teams                 the same list as JSON
 *   POST /admin/api/teams                 JSON {name, commune?, code?}, header x-csrf-token
 *   POST /admin/api/teams/:code/name      JSON {name}, header x-csrf-token
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StatsRange, StatsStore } from '../../core/stats/store.js';
import type { Storage, Team } from '../../storage/storage.js';
import { layout, messagePage, BASE, type RangeView } from './views.js';
import { MESSAGES, randomTeamCode, readTeamInput, readTeamName, type TeamInput } from './teams-input.js';
import { posterLinks, qrPng, type PosterChannel, type PosterChannels } from './teams-links.js';
import { posterPage, posterPath, teamsBody, TEAMS_PATH, type TeamCounts, type TeamFormState, type TeamRow } from './teams-views.js';
import { TEAMS_CSS, TEAMS_JS } from './teams-assets.js';

/** What the server passes in (app.ts). */
export interface TeamPagesOptions {
  storage: Pick<Storage, 'createTeam' | 'listTeams' | 'getTeam' | 'renameTeam'>;
  /** The configured channels a poster of a team of this commune (null: no commune) can point at. */
  channels: (commune: string | null) => PosterChannels;
  /** Told when a team is created, so the engine knows its code at once (CachedReferralDirectory). */
  onCreated?: (team: Team) => void;
  /** The communes of this server (communes.yaml), offered in the form; absent or empty: any well-formed id. */
  communes?: ReadonlyArray<{ id: string; name: string }>;
}

/** What adminPlugin lends from its own context. */
export interface TeamPagesContext extends TeamPagesOptions {
  store: StatsStore;
  /** The server's commune (COMMUNE_NAME). */
  defaultCommuneName: string;
  now: () => number;
  csrfOf: (req: FastifyRequest) => string;
  /** Same origin and the session's CSRF token. */
  csrfOk: (req: FastifyRequest, token: unknown) => boolean;
  readRange: (req: FastifyRequest) => { view: RangeView; range: StatsRange };
}

const INTEGRATION_GUIDE = /^integrate-/;
const ACTIVATION_GUIDE = 'guide-activate';
const CHANNELS: ReadonlySet<string> = new Set<PosterChannel>(['zalo', 'telegram', 'web']);

export function registerTeamPages(app: FastifyInstance, o: TeamPagesContext): void {
  const communes = new Map((o.communes ?? []).map((c) => [c.id, c.name]));
  const isCommune = communes.size > 0 ? (id: string) => communes.has(id) : undefined;
  const communeLabel = (id: string | null) => (id === null ? '' : (communes.get(id) ?? id));
  const posterCommune = (team: Team) => (team.commune ? (communes.get(team.commune) ?? o.defaultCommuneName) : o.defaultCommuneName);
  const linksOf = (team: Team) => posterLinks(team.code, o.channels(team.commune), posterCommune(team));
  /** The communes the official may see and act for (their scope, carried by the range); undefined: all. */
  const scopeOf = (req: FastifyRequest) => o.readRange(req).range.communes;
  const inScope = (commune: string | null, scope: readonly string[] | undefined) => scope === undefined || (commune !== null && scope.includes(commune));
  /** A team's poster or QR code is for officials of its commune (and those above them). */
  const visible = (req: FastifyRequest, team: Team | undefined) => (team && inScope(team.commune, scopeOf(req)) ? team : undefined);
  /** A commune official creates teams of their own commune only (filled in when they name none). */
  const scoped = (req: FastifyRequest, input: TeamInput): TeamInput | undefined => {
    const scope = scopeOf(req);
    if (scope === undefined) return input;
    const commune = input.commune ?? (scope.length === 1 ? scope[0]! : null);
    return inScope(commune, scope) ? { ...input, commune } : undefined;
  };
  const OUT_OF_SCOPE = 'Bạn chỉ tạo được mã cho đội thuộc xã/phường mình phụ trách.';

  async function rows(range: StatsRange): Promise<TeamRow[]> {
    const [teams, referrals, guides] = await Promise.all([o.storage.listTeams(), o.store.referrals(range), o.store.referralGuides(range)]);
    const counts = new Map<string, TeamCounts>();
    const at = (code: string) => {
      let c = counts.get(code);
      if (!c) counts.set(code, (c = { conversations: 0, users: 0, activations: 0, integrations: 0 }));
      return c;
    };
    for (const r of referrals) Object.assign(at(r.code), { conversations: r.conversations, users: r.users });
    for (const g of guides) {
      if (g.guideId === ACTIVATION_GUIDE) at(g.code).activations += g.people;
      else if (INTEGRATION_GUIDE.test(g.guideId)) at(g.code).integrations += g.people;
    }
    // An official sees the teams of their communes only (the range carries their scope, adminPlugin).
    const inScope = (t: Team) =>
      (range.communes === undefined || (t.commune !== null && range.communes.includes(t.commune))) && (range.commune === undefined || t.commune === range.commune);
    // Newest team first: the one just created is at the top.
    return [...teams].filter(inScope).reverse().map((team) => ({ team, counts: counts.get(team.code) ?? { conversations: 0, users: 0, activations: 0, integrations: 0 } }));
  }

  /** Creates the team, or says in Vietnamese why not. */
  async function create(input: TeamInput): Promise<{ ok: true; team: Team } | { ok: false; status: number; error: string }> {
    const base = { name: input.name, commune: input.commune, createdAt: o.now() };
    if (input.code) {
      const team = { ...base, code: input.code };
      if (await o.storage.createTeam(team)) return { ok: true, team };
      const other = await o.storage.getTeam(input.code);
      return { ok: false, status: 409, error: MESSAGES.duplicate(input.code, other?.name ?? '') };
    }
    // A random code that happens to exist already: draw again.
    for (let i = 0; i < 5; i++) {
      const team = { ...base, code: randomTeamCode() };
      if (await o.storage.createTeam(team)) return { ok: true, team };
    }
    throw new Error('no free team code after 5 draws');
  }

  async function listPage(req: FastifyRequest, res: FastifyReply, form: TeamFormState, status = 200) {
    const { view, range } = o.readRange(req);
    const offered = [...communes].filter(([id]) => inScope(id, range.communes)).map(([id, name]) => ({ id, name }));
    const body = teamsBody({ rows: await rows(range), csrf: o.csrfOf(req), form, communeLabel, communes: offered });
    return res
      .code(status)
      .type('text/html; charset=utf-8')
      .send(layout({ title: 'Đội tình nguyện và mã giới thiệu', active: TEAMS_PATH, range: view, csrf: o.csrfOf(req), body, communeName: o.defaultCommuneName }));
  }

  /** A form POST without the session's CSRF token, or from another site. */
  const csrfRefused = (res: FastifyReply) =>
    res
      .code(403)
      .type('text/html; charset=utf-8')
      .send(messagePage('Không hợp lệ', 'Yêu cầu không đến từ trang thống kê (thiếu mã CSRF). Vui lòng tải lại trang rồi thử lại.', { href: `${BASE}${TEAMS_PATH}`, label: 'Về trang đội tình nguyện' }));

  const asset = (path: string, type: string, body: string) =>
    app.get(`${BASE}/assets/${path}`, async (_req, res) => res.type(type).header('cache-control', 'private, max-age=3600').send(body));
  asset('teams.css', 'text/css; charset=utf-8', TEAMS_CSS);
  asset('teams.js', 'application/javascript; charset=utf-8', TEAMS_JS);

  app.get(`${BASE}${TEAMS_PATH}`, async (req, res) => {
    // After a creation (post/redirect/get: reloading the page does not post the form again).
    const query = req.query as Record<string, unknown>;
    const teamOf = async (code: unknown) => (typeof code === 'string' && code.length <= 32 ? visible(req, await o.storage.getTeam(code)) : undefined);
    const created = await teamOf(query.created);
    const renamed = created ? undefined : await teamOf(query.renamed);
    return listPage(req, res, created ? { created } : renamed ? { renamed } : {});
  });

  app.post(`${BASE}${TEAMS_PATH}`, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!o.csrfOk(req, body.csrf)) return csrfRefused(res);
    const values = { name: typeof body.name === 'string' ? body.name : '', code: typeof body.code === 'string' ? body.code : '', commune: typeof body.commune === 'string' ? body.commune : '' };
    const input = readTeamInput(body, isCommune);
    if (!input.ok) return listPage(req, res, { values, error: input.error }, 400);
    const allowed = scoped(req, input.team);
    if (!allowed) return listPage(req, res, { values, error: OUT_OF_SCOPE }, 403);
    const result = await create(allowed);
    if (!result.ok) return listPage(req, res, { values, error: result.error }, result.status);
    o.onCreated?.(result.team);
    req.log.info({ admin: 'team-created' }, 'volunteer team created');
    return res.redirect(`${BASE}${TEAMS_PATH}?created=${encodeURIComponent(result.team.code)}`, 303);
  });

  app.get(`${BASE}/api${TEAMS_PATH}`, async (req) => {
    const { view, range } = o.readRange(req);
    return { from: view.from, to: view.to, teams: (await rows(range)).map((r) => ({ ...r.team, ...r.counts })) };
  });

  app.post(`${BASE}/api${TEAMS_PATH}`, async (req, res) => {
    if (!o.csrfOk(req, req.headers['x-csrf-token'])) return res.code(403).send({ error: 'Thiếu hoặc sai mã CSRF (header x-csrf-token).' });
    const body = req.body !== null && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const input = readTeamInput(body, isCommune);
    if (!input.ok) return res.code(400).send({ error: input.error, field: input.field });
    const allowed = scoped(req, input.team);
    if (!allowed) return res.code(403).send({ error: OUT_OF_SCOPE, field: 'commune' });
    const result = await create(allowed);
    if (!result.ok) return res.code(result.status).send({ error: result.error, field: 'code' });
    o.onCreated?.(result.team);
    req.log.info({ admin: 'team-created' }, 'volunteer team created');
    return res.code(201).send({ team: result.team, poster: posterPath(result.team.code), links: linksOf(result.team) });
  });

  const findTeam = async (req: FastifyRequest): Promise<Team | undefined> => {
    const code = (req.params as { code?: unknown }).code;
    return typeof code === 'string' && code.length <= 32 ? o.storage.getTeam(code) : undefined;
  };
  const NO_TEAM = 'Không có đội nào có mã này.';
  const noTeam = (res: FastifyReply) =>
    res
      .code(404)
      .type('text/html; charset=utf-8')
      .send(messagePage('Không tìm thấy', NO_TEAM, { href: `${BASE}${TEAMS_PATH}`, label: 'Về trang đội tình nguyện' }));

  /** A new name for a team the official may see; the code, commune and counts stay. */
  async function rename(req: FastifyRequest, name: unknown): Promise<{ ok: true; team: Team } | { ok: false; status: number; error: string }> {
    const team = visible(req, await findTeam(req));
    if (!team) return { ok: false, status: 404, error: NO_TEAM };
    const checked = readTeamName(name);
    if (!checked.ok) return { ok: false, status: 400, error: checked.error };
    if (!(await o.storage.renameTeam(team.code, checked.name))) return { ok: false, status: 404, error: NO_TEAM };
    req.log.info({ admin: 'team-renamed' }, 'volunteer team renamed');
    return { ok: true, team: { ...team, name: checked.name } };
  }

  app.post(`${BASE}${TEAMS_PATH}/:code/name`, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!o.csrfOk(req, body.csrf)) return csrfRefused(res);
    const result = await rename(req, body.name);
    if (!result.ok) return result.status === 404 ? noTeam(res) : listPage(req, res, { error: result.error }, result.status);
    return res.redirect(`${BASE}${TEAMS_PATH}?renamed=${encodeURIComponent(result.team.code)}`, 303);
  });

  app.post(`${BASE}/api${TEAMS_PATH}/:code/name`, async (req, res) => {
    if (!o.csrfOk(req, req.headers['x-csrf-token'])) return res.code(403).send({ error: 'Thiếu hoặc sai mã CSRF (header x-csrf-token).' });
    const body = req.body !== null && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const result = await rename(req, body.name);
    if (!result.ok) return res.code(result.status).send({ error: result.error, ...(result.status === 400 ? { field: 'name' } : {}) });
    return { team: result.team };
  });

  app.get(`${BASE}${TEAMS_PATH}/:code/poster`, async (req, res) => {
    const team = visible(req, await findTeam(req));
    if (!team) return noTeam(res);
    const communeName = posterCommune(team);
    return res
      .type('text/html; charset=utf-8')
      .send(posterPage({ team, links: linksOf(team), communeName, csrf: o.csrfOf(req), communeLabel: communeLabel(team.commune) }));
  });

  app.get(`${BASE}${TEAMS_PATH}/:code/qr/:file`, async (req, res) => {
    const file = (req.params as { file: string }).file;
    const channel = /^([a-z]+)\.png$/.exec(file)?.[1];
    const team = visible(req, await findTeam(req));
    const link = team && channel && CHANNELS.has(channel) ? linksOf(team).find((l) => l.channel === channel) : undefined;
    if (!link) return res.code(404).send({ error: 'Không có mã QR này.' });
    return res.type('image/png').header('cache-control', 'private, max-age=3600').send(await qrPng(link.url));
  });
}
