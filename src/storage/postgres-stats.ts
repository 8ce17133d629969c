/**
 * StatsStore over PostgreSQL (the `stats_events` table from PostgresStorage's migrations), for
 * several instances sharing one database. Same semantics, numbers and row shapes as
 * SqliteStatsStore; the translation points:
 *  - days and weeks are computed arithmetically from epoch ms in Vietnam time (UTC+7), exactly as
 *    SQLite's strftime(at / 1000 + offset, 'unixepoch') does, so the session TimeZone never matters;
 *  - SQLite's "bare column next to MAX(at)" (the latest row's value) is an ordered array_agg here,
 *    ties going to the earliest inserted row as in SQLite's scan;
 *  - counts are cast to int and bigint times converted to numbers (pg returns int8 as strings);
 *  - camelCase aliases are quoted, since PostgreSQL folds unquoted names to lower case.
 * Every value travels as a bind parameter; the SQL text is constant.
 */
import type pg from 'pg';
import { Batcher } from './batcher.js';
import { isRowError } from './postgres.js';
import type { DialogEvent } from '../core/stats/events.js';
import {
  VN_OFFSET_MS,
  type ChannelRow,
  type DayRow,
  type FailureRow,
  type FunnelRow,
  type GuideRow,
  type OverviewTotals,
  type QuestionRow,
  type ReferralGuideRow,
  type ReferralRow,
  type ReviewRow,
  type SensitiveRow,
  type CommuneRow,
  type StatsContext,
  type StatsRange,
  type StatsStore,
  type TopicRow,
  type WeekRow,
} from '../core/stats/store.js';

export interface PostgresStatsOptions {
  /** Offset of local time from UTC; Vietnam (UTC+7) by default. */
  offsetMs?: number;
}

/** What the store needs of a pool: `pg.Pool` (whose connections already have the search_path). */
export type Queryable = Pick<pg.Pool, 'query'>;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/**
 * PostgreSQL text cannot hold U+0000, which SQLite stores: replaced (U+FFFD) rather than losing
 * the event. Lone surrogates become U+FFFD on the way to UTF-8 anyway; done here explicitly so
 * that `kinds` never holds a JSON escape jsonb refuses.
 */
const storable = (s: string): string => (s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s).replace(LONE_SURROGATE, '\uFFFD');

/** Column values of one event, from its type, in the order of INSERT_SQL. */
function toValues(e: DialogEvent, c: StatsContext): unknown[] {
  let entryId: string | null = null;
  let step: number | null = null;
  let text: string | null = null;
  let normalized: string | null = null;
  let score: number | null = null;
  let outcome: string | null = null;
  let nearestId: string | null = null;
  let referral: string | null = null;
  let failureCode: string | null = null;
  let kinds: string | null = null;
  switch (e.type) {
    case 'conversation-start':
    case 'referral':
      referral = e.referral ?? null;
      break;
    case 'question':
      ({ text, normalized, matchedId: entryId, nearestId, score, outcome } = e);
      break;
    case 'entry-view':
      entryId = e.entryId;
      break;
    case 'walk-start':
    case 'walk-complete':
      entryId = e.guideId;
      break;
    case 'walk-step':
    case 'walk-stuck':
    case 'walk-abandon':
      entryId = e.guideId;
      step = e.step;
      break;
    case 'sensitive-data':
    case 'emergency':
      kinds = JSON.stringify(e.kinds.map(storable));
      break;
    case 'smalltalk':
      kinds = JSON.stringify([storable(e.kind)]);
      break;
    case 'delivery-failure':
      failureCode = e.code;
      break;
  }
  return [
    c.at,
    c.channel,
    c.commune ?? 'default',
    c.userKey,
    e.type,
    entryId,
    step,
    text,
    normalized,
    score,
    outcome,
    nearestId,
    referral,
    failureCode,
    kinds,
  ].map((v) => (typeof v === 'string' ? storable(v) : v));
}

/** Many events in one statement: one array per column, in toValues' order. */
const INSERT_SQL = `INSERT INTO stats_events (at, channel, commune, user_key, type, entry_id, step, text, normalized, score, outcome, nearest_id, referral, failure_code, kinds)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[],
                       $10::float8[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])`;
const COLUMNS = 15;

/** The range filter every query shares (named parameters @from, @to, @commune). */
const IN_RANGE =
  'at >= @from::bigint AND at < @to::bigint AND (@commune::text IS NULL OR commune = @commune::text) AND (@communes::text[] IS NULL OR commune = ANY(@communes::text[]))';
const inRange = (a: string) =>
  `${a}.at >= @from::bigint AND ${a}.at < @to::bigint AND (@commune::text IS NULL OR ${a}.commune = @commune::text) AND (@communes::text[] IS NULL OR ${a}.commune = ANY(@communes::text[]))`;
/** COUNT(*) of the rows matching `cond`, as a JS number (SQLite's SUM(cond)). */
const countIf = (cond: string) => `(COUNT(*) FILTER (WHERE ${cond}))::int`;
/** The value of `col` in the latest row of the group (SQLite's bare column beside MAX(at)). */
const latest = (col: string) => `(array_agg(${col} ORDER BY at DESC, id))[1]`;
/** Local day number since 1970-01-01 (SQLite: integer at / 1000, plus the offset, floored to days). */
const DAY_NUMBER = '((at / 1000 + @off::bigint) / 86400)::int';
const DAY = `to_char(DATE '1970-01-01' + ${DAY_NUMBER}, 'YYYY-MM-DD') COLLATE "C"`;
/** The Monday starting the local week: 1970-01-01 was a Thursday, 3 days after a Monday. */
const WEEK = `to_char(DATE '1970-01-01' + ${DAY_NUMBER} - ((${DAY_NUMBER} % 7 + 10) % 7), 'YYYY-MM-DD') COLLATE "C"`;

const SAFE = Number.MAX_SAFE_INTEGER;
/** For `at >= x` / `at < x` on integer times: the same rows as comparing with ceil(x), and a valid bigint. */
const bound = (x: number) => (Number.isNaN(x) ? 0 : Math.min(Math.max(Math.ceil(x), -SAFE), SAFE));
/** SQLite's LIMIT -1 means no limit; PostgreSQL's is LIMIT NULL (and it refuses a negative one). */
const limitParam = (n: number): number | null => {
  if (n < 0 || n === Infinity) return null;
  return Number.isFinite(n) ? Math.floor(n) : 0;
};

/** `@name` placeholders → `$n` (one number per name, reused), and the values in that order. */
function compile(sql: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const index = new Map<string, number>();
  const values: unknown[] = [];
  const text = sql.replace(/@(\w+)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`PostgresStatsStore: no value for @${name}`);
    let i = index.get(name);
    if (i === undefined) {
      values.push(params[name]);
      index.set(name, (i = values.length));
    }
    return `$${i}`;
  });
  return { text, values };
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

export class PostgresStatsStore implements StatsStore {
  private readonly offsetSec: number;
  /** Events of concurrent turns go in one INSERT (and one commit). */
  private readonly inserts: Batcher<unknown[]>;

  constructor(
    readonly pool: Queryable,
    o: PostgresStatsOptions = {},
  ) {
    this.offsetSec = Math.round((o.offsetMs ?? VN_OFFSET_MS) / 1000);
    this.inserts = new Batcher(async (rows) => {
      await this.pool.query(INSERT_SQL, Array.from({ length: COLUMNS }, (_, c) => rows.map((r) => r[c])));
    }, isRowError);
  }

  /** Resolves when every event handed over so far is written. */
  drain(): Promise<void> {
    return this.inserts.drain();
  }

  private async all<T>(sql: string, range: StatsRange, extra: Record<string, unknown> = {}): Promise<T[]> {
    await this.inserts.drain(); // what is queued counts too
    const params = {
      from: bound(range.from),
      to: bound(range.to),
      commune: range.commune ?? null,
      communes: range.communes ? [...range.communes] : null,
      off: this.offsetSec,
      ...extra,
    };
    const { text, values } = compile(sql, params);
    const { rows } = await this.pool.query(text, values);
    return rows as T[];
  }

  async record(event: DialogEvent, context: StatsContext): Promise<void> {
    await this.inserts.add(toValues(event, context));
  }

  async overview(range: StatsRange): Promise<OverviewTotals> {
    const [row] = await this.all<OverviewTotals>(
      `SELECT
         ${countIf("type = 'conversation-start'")} AS conversations,
         COUNT(DISTINCT user_key)::int AS users,
         ${countIf("type = 'question'")} AS questions,
         ${countIf("type = 'question' AND outcome = 'answered'")} AS answered,
         ${countIf("type = 'question' AND outcome = 'low-confidence'")} AS "lowConfidence",
         ${countIf("type = 'question' AND outcome = 'unanswered'")} AS unanswered,
         ${countIf("type = 'entry-view'")} AS "entryViews",
         ${countIf("type = 'walk-start'")} AS "walksStarted",
         ${countIf("type = 'walk-complete'")} AS "walksCompleted",
         ${countIf("type = 'walk-stuck'")} AS stuck,
         ${countIf("type = 'sensitive-data'")} AS sensitive,
         ${countIf("type = 'emergency'")} AS emergencies,
         ${countIf("type = 'smalltalk'")} AS "smallTalk",
         ${countIf("type = 'delivery-failure'")} AS "deliveryFailures"
       FROM stats_events WHERE ${IN_RANGE}`,
      range,
    );
    return row!;
  }

  async questionsPerDay(range: StatsRange): Promise<DayRow[]> {
    return this.all<DayRow>(
      `SELECT ${DAY} AS day,
         COUNT(*)::int AS questions,
         ${countIf("outcome = 'answered'")} AS answered,
         ${countIf("outcome = 'low-confidence'")} AS "lowConfidence",
         ${countIf("outcome = 'unanswered'")} AS unanswered
       FROM stats_events WHERE type = 'question' AND ${IN_RANGE}
       GROUP BY 1 ORDER BY day`,
      range,
    );
  }

  async usersPerWeek(range: StatsRange): Promise<WeekRow[]> {
    return this.all<WeekRow>(
      `SELECT ${WEEK} AS week, COUNT(DISTINCT user_key)::int AS users
       FROM stats_events WHERE ${IN_RANGE}
       GROUP BY 1 ORDER BY week`,
      range,
    );
  }

  async perChannel(range: StatsRange): Promise<ChannelRow[]> {
    return this.all<ChannelRow>(
      `SELECT channel,
         ${countIf("type = 'conversation-start'")} AS conversations,
         COUNT(DISTINCT user_key)::int AS users,
         ${countIf("type = 'question'")} AS questions,
         ${countIf("type = 'question' AND outcome = 'answered'")} AS answered
       FROM stats_events WHERE ${IN_RANGE}
       GROUP BY channel ORDER BY conversations DESC, users DESC, channel`,
      range,
    );
  }

  async topTopics(range: StatsRange, limit: number): Promise<TopicRow[]> {
    return this.all<TopicRow>(
      `SELECT id, SUM(q)::int AS questions, SUM(v)::int AS views, SUM(w)::int AS walks, SUM(q + v + w)::int AS total FROM (
         SELECT entry_id AS id, 1 AS q, 0 AS v, 0 AS w FROM stats_events
           WHERE type = 'question' AND outcome = 'answered' AND entry_id IS NOT NULL AND ${IN_RANGE}
         UNION ALL
         SELECT entry_id, 0, 1, 0 FROM stats_events WHERE type = 'entry-view' AND ${IN_RANGE}
         UNION ALL
         SELECT entry_id, 0, 0, 1 FROM stats_events WHERE type = 'walk-start' AND ${IN_RANGE}
       ) AS topics GROUP BY id ORDER BY total DESC, id LIMIT @limit::bigint`,
      range,
      { limit: limitParam(limit) },
    );
  }

  async topQuestions(range: StatsRange, limit: number): Promise<QuestionRow[]> {
    const rows = await this.all<QuestionRow>(
      `SELECT normalized, ${latest('text')} AS text, COUNT(DISTINCT text)::int AS wordings,
         COUNT(*)::int AS count, ${countIf("outcome = 'answered'")} AS answered, MAX(at) AS "lastAt",
         ${latest('entry_id')} AS "matchedId"
       FROM stats_events WHERE type = 'question' AND normalized IS NOT NULL AND normalized != '' AND ${IN_RANGE}
       GROUP BY normalized ORDER BY count DESC, "lastAt" DESC, normalized LIMIT @limit::bigint`,
      range,
      { limit: limitParam(limit) },
    );
    // Events written before the wording was kept have none: the normalized form stands in.
    return rows.map((r) => ({ ...r, text: r.text || r.normalized, wordings: Math.max(1, r.wordings), lastAt: num(r.lastAt) }));
  }

  async reviewQuestions(range: StatsRange, limit: number): Promise<ReviewRow[]> {
    // Grouped by position: in GROUP BY a bare `normalized` would be the column, not the alias.
    const rows = await this.all<Omit<ReviewRow, 'nearestIds'> & { nearest: string | null }>(
      `SELECT COALESCE(NULLIF(normalized, ''), text, '') AS normalized, COUNT(*)::int AS count, MAX(at) AS "lastAt",
         ${latest('text')} AS text, ${latest('outcome')} AS outcome, ${latest('score')} AS score,
         string_agg(DISTINCT nearest_id, ',') AS nearest
       FROM stats_events WHERE type = 'question' AND outcome IN ('low-confidence', 'unanswered') AND ${IN_RANGE}
       GROUP BY 1 ORDER BY "lastAt" DESC, count DESC, 1 LIMIT @limit::bigint`,
      range,
      { limit: limitParam(limit) },
    );
    return rows.map(({ nearest, ...r }) => ({
      ...r,
      lastAt: num(r.lastAt),
      text: r.text ?? '',
      score: r.score ?? 0,
      nearestIds: nearest ? nearest.split(',').sort() : [],
    }));
  }

  async guides(range: StatsRange): Promise<GuideRow[]> {
    return this.all<GuideRow>(
      `SELECT entry_id AS "guideId",
         COUNT(DISTINCT CASE WHEN type = 'walk-start' THEN user_key END)::int AS "startedUsers",
         COUNT(DISTINCT CASE WHEN type = 'walk-complete' THEN user_key END)::int AS "completedUsers",
         ${countIf("type = 'walk-start'")} AS starts,
         ${countIf("type = 'walk-complete'")} AS completions,
         ${countIf("type = 'walk-stuck'")} AS stuck,
         ${countIf("type = 'walk-abandon'")} AS abandoned
       FROM stats_events
       WHERE type IN ('walk-start', 'walk-complete', 'walk-stuck', 'walk-abandon') AND entry_id IS NOT NULL AND ${IN_RANGE}
       GROUP BY entry_id ORDER BY "startedUsers" DESC, "guideId"`,
      range,
    );
  }

  async funnel(range: StatsRange): Promise<FunnelRow[]> {
    const key = (g: string, s: number) => `${g}\u0000${s}`;
    const rows = new Map<string, FunnelRow>();
    const at = (guideId: string, step: number) => {
      let r = rows.get(key(guideId, step));
      if (!r) rows.set(key(guideId, step), (r = { guideId, step, reached: 0, stoppedHere: 0, stuck: 0, abandoned: 0 }));
      return r;
    };
    const [reached, stopped, trouble] = await Promise.all([
      this.all<{ g: string; s: number; n: number }>(
        `SELECT entry_id AS g, step AS s, COUNT(DISTINCT user_key)::int AS n FROM stats_events
         WHERE type = 'walk-step' AND step IS NOT NULL AND ${IN_RANGE} GROUP BY entry_id, step`,
        range,
      ),
      // Furthest step per person and guide, for people with no completion of that guide in the range.
      this.all<{ g: string; s: number; n: number }>(
        `SELECT g, s, COUNT(*)::int AS n FROM (
           SELECT e.entry_id AS g, e.user_key AS u, MAX(e.step) AS s FROM stats_events e
           WHERE e.type = 'walk-step' AND e.step IS NOT NULL AND ${inRange('e')}
             AND NOT EXISTS (SELECT 1 FROM stats_events c WHERE c.type = 'walk-complete' AND c.entry_id = e.entry_id
                             AND c.user_key = e.user_key AND ${inRange('c')})
           GROUP BY e.entry_id, e.user_key
         ) AS furthest GROUP BY g, s`,
        range,
      ),
      this.all<{ g: string; s: number; t: string; n: number }>(
        `SELECT entry_id AS g, step AS s, type AS t, COUNT(*)::int AS n FROM stats_events
         WHERE type IN ('walk-stuck', 'walk-abandon') AND step IS NOT NULL AND ${IN_RANGE} GROUP BY entry_id, step, type`,
        range,
      ),
    ]);
    for (const r of reached) at(r.g, r.s).reached = r.n;
    for (const r of stopped) at(r.g, r.s).stoppedHere = r.n;
    for (const r of trouble) {
      if (r.t === 'walk-stuck') at(r.g, r.s).stuck = r.n;
      else at(r.g, r.s).abandoned = r.n;
    }
    return [...rows.values()].sort((a, b) => (a.guideId < b.guideId ? -1 : a.guideId > b.guideId ? 1 : a.step - b.step));
  }

  async referrals(range: StatsRange): Promise<ReferralRow[]> {
    // Completions are joined on the anonymous key: a person counts for every code they came through.
    // MAX() over `done`'s columns: one row per code there, but PostgreSQL wants them aggregated.
    return this.all<ReferralRow>(
      `WITH refs AS (
         SELECT referral AS code, user_key FROM stats_events
         WHERE type IN ('conversation-start', 'referral') AND referral IS NOT NULL AND ${IN_RANGE}
       ),
       people AS (SELECT DISTINCT code, user_key FROM refs),
       done AS (
         SELECT p.code,
           COUNT(DISTINCT c.user_key || ':' || c.entry_id)::int AS completed,
           COUNT(DISTINCT CASE WHEN c.entry_id = 'guide-activate' THEN c.user_key END)::int AS activations
         FROM people p JOIN stats_events c ON c.user_key = p.user_key AND c.type = 'walk-complete' AND ${inRange('c')}
         GROUP BY p.code
       )
       SELECT r.code, COUNT(*)::int AS conversations, COUNT(DISTINCT r.user_key)::int AS users,
         COALESCE(MAX(d.completed), 0)::int AS "guidesCompleted", COALESCE(MAX(d.activations), 0)::int AS activations
       FROM refs r LEFT JOIN done d ON d.code = r.code
       GROUP BY r.code ORDER BY conversations DESC, r.code`,
      range,
    );
  }

  async referralGuides(range: StatsRange): Promise<ReferralGuideRow[]> {
    return this.all<ReferralGuideRow>(
      `WITH people AS (
         SELECT DISTINCT referral AS code, user_key FROM stats_events
         WHERE type IN ('conversation-start', 'referral') AND referral IS NOT NULL AND ${IN_RANGE}
       )
       SELECT p.code, c.entry_id AS "guideId", COUNT(DISTINCT c.user_key)::int AS people
       FROM people p JOIN stats_events c ON c.user_key = p.user_key AND c.type = 'walk-complete' AND ${inRange('c')}
       WHERE c.entry_id IS NOT NULL
       GROUP BY p.code, c.entry_id ORDER BY p.code, c.entry_id`,
      range,
    );
  }

  async deliveryFailures(range: StatsRange): Promise<FailureRow[]> {
    const rows = await this.all<FailureRow>(
      `SELECT channel, COALESCE(failure_code, 'unknown') AS code, COUNT(*)::int AS count, MAX(at) AS "lastAt"
       FROM stats_events WHERE type = 'delivery-failure' AND ${IN_RANGE}
       GROUP BY channel, code ORDER BY count DESC, "lastAt" DESC, channel, code`,
      range,
    );
    return rows.map((r) => ({ ...r, lastAt: num(r.lastAt) }));
  }

  async sensitiveKinds(range: StatsRange): Promise<SensitiveRow[]> {
    // kinds is always JSON.stringify(string[]) written by record(), so the cast cannot fail; a
    // non-array counts nothing, as behind SQLite's json_valid guard.
    return this.all<SensitiveRow>(
      `SELECT j.kind, COUNT(*)::int AS count
       FROM stats_events e
       CROSS JOIN LATERAL jsonb_array_elements_text(
         CASE WHEN jsonb_typeof(e.kinds::jsonb) = 'array' THEN e.kinds::jsonb ELSE '[]'::jsonb END
       ) AS j(kind)
       WHERE e.type = 'sensitive-data' AND ${inRange('e')}
       GROUP BY j.kind ORDER BY count DESC, j.kind COLLATE "C"`,
      range,
    );
  }

  async perCommune(range: StatsRange): Promise<CommuneRow[]> {
    return this.all<CommuneRow>(
      `SELECT commune,
         ${countIf("type = 'conversation-start'")} AS conversations,
         COUNT(DISTINCT user_key)::int AS users,
         ${countIf("type = 'question'")} AS questions,
         ${countIf("type = 'question' AND outcome = 'answered'")} AS answered,
         ${countIf("type = 'walk-complete'")} AS "walksCompleted"
       FROM stats_events WHERE ${IN_RANGE}
       GROUP BY commune ORDER BY commune COLLATE "C"`,
      range,
    );
  }

  async deleteOlderThan(ts: number): Promise<number> {
    await this.inserts.drain();
    const result = await this.pool.query('DELETE FROM stats_events WHERE at < $1', [bound(ts)]);
    return result.rowCount ?? 0;
  }
}
