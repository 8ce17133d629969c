/**
 * StatsStore over the bot's SQLite database (the `stats_events` table from the migrations in
 * sqlite.ts). Aggregation happens in SQL; days and weeks are counted in Vietnam time.
 */
import type Database from 'better-sqlite3';
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
import { groupCommit, type GroupCommit } from './group-commit.js';

export interface SqliteStatsOptions {
  /** Offset of local time from UTC; Vietnam (UTC+7) by default. */
  offsetMs?: number;
}

interface Row {
  at: number;
  channel: string;
  commune: string;
  user_key: string;
  type: string;
  entry_id: string | null;
  step: number | null;
  text: string | null;
  normalized: string | null;
  score: number | null;
  outcome: string | null;
  nearest_id: string | null;
  referral: string | null;
  failure_code: string | null;
  kinds: string | null;
}

/** Columns of one event, from its type. */
function toRow(e: DialogEvent, c: StatsContext): Row {
  const row: Row = {
    at: c.at,
    channel: c.channel,
    commune: c.commune ?? 'default',
    user_key: c.userKey,
    type: e.type,
    entry_id: null,
    step: null,
    text: null,
    normalized: null,
    score: null,
    outcome: null,
    nearest_id: null,
    referral: null,
    failure_code: null,
    kinds: null,
  };
  switch (e.type) {
    case 'conversation-start':
    case 'referral':
      row.referral = e.referral ?? null;
      break;
    case 'question':
      Object.assign(row, { text: e.text, normalized: e.normalized, entry_id: e.matchedId, nearest_id: e.nearestId, score: e.score, outcome: e.outcome });
      break;
    case 'entry-view':
      row.entry_id = e.entryId;
      break;
    case 'walk-start':
    case 'walk-complete':
      row.entry_id = e.guideId;
      break;
    case 'walk-step':
    case 'walk-stuck':
    case 'walk-abandon':
      row.entry_id = e.guideId;
      row.step = e.step;
      break;
    case 'sensitive-data':
    case 'emergency':
      row.kinds = JSON.stringify(e.kinds);
      break;
    case 'smalltalk':
      row.kinds = JSON.stringify([e.kind]);
      break;
    case 'delivery-failure':
      row.failure_code = e.code;
      break;
  }
  return row;
}

/** The range filter every query shares (named parameters @from, @to, @commune). */
const IN_RANGE = 'at >= @from AND at < @to AND (@commune IS NULL OR commune = @commune) AND (@communes IS NULL OR commune IN (SELECT value FROM json_each(@communes)))';
const inRange = (a: string) =>
  `${a}.at >= @from AND ${a}.at < @to AND (@commune IS NULL OR ${a}.commune = @commune) AND (@communes IS NULL OR ${a}.commune IN (SELECT value FROM json_each(@communes)))`;

export class SqliteStatsStore implements StatsStore {
  private readonly offsetSec: number;
  private readonly insert: Database.Statement;
  /** Shared with the conversations of the same connection: one commit per turn of the event loop. */
  private readonly writes: GroupCommit;

  constructor(
    readonly db: Database.Database,
    o: SqliteStatsOptions = {},
  ) {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stats_events'").get();
    if (!exists) throw new Error('Bảng stats_events chưa có: mở cơ sở dữ liệu bằng SqliteStorage (chạy migration) trước.');
    // Deleted statistics are overwritten, not left in free pages of the file.
    db.pragma('secure_delete = ON');
    this.writes = groupCommit(db);
    this.offsetSec = Math.round((o.offsetMs ?? VN_OFFSET_MS) / 1000);
    this.insert = db.prepare(
      `INSERT INTO stats_events (at, channel, commune, user_key, type, entry_id, step, text, normalized, score, outcome, nearest_id, referral, failure_code, kinds)
       VALUES (@at, @channel, @commune, @user_key, @type, @entry_id, @step, @text, @normalized, @score, @outcome, @nearest_id, @referral, @failure_code, @kinds)`,
    );
  }

  private params(r: StatsRange) {
    return { from: r.from, to: r.to, commune: r.commune ?? null, communes: r.communes ? JSON.stringify(r.communes) : null };
  }

  private all<T>(sql: string, range: StatsRange, extra: Record<string, unknown> = {}): T[] {
    this.writes.flush(); // what is queued counts too
    return this.db.prepare(sql).all({ ...this.params(range), ...extra }) as T[];
  }

  /** SQL for the local day of `at` (YYYY-MM-DD). */
  private day(col = 'at'): string {
    return `strftime('%Y-%m-%d', ${col} / 1000 + ${this.offsetSec}, 'unixepoch')`;
  }

  async record(event: DialogEvent, context: StatsContext): Promise<void> {
    const row = toRow(event, context);
    await this.writes.run(() => this.insert.run(row));
  }

  async overview(range: StatsRange): Promise<OverviewTotals> {
    const [row] = this.all<OverviewTotals>(
      `SELECT
         COALESCE(SUM(type = 'conversation-start'), 0) AS conversations,
         COUNT(DISTINCT user_key) AS users,
         COALESCE(SUM(type = 'question'), 0) AS questions,
         COALESCE(SUM(type = 'question' AND outcome = 'answered'), 0) AS answered,
         COALESCE(SUM(type = 'question' AND outcome = 'low-confidence'), 0) AS lowConfidence,
         COALESCE(SUM(type = 'question' AND outcome = 'unanswered'), 0) AS unanswered,
         COALESCE(SUM(type = 'entry-view'), 0) AS entryViews,
         COALESCE(SUM(type = 'walk-start'), 0) AS walksStarted,
         COALESCE(SUM(type = 'walk-complete'), 0) AS walksCompleted,
         COALESCE(SUM(type = 'walk-stuck'), 0) AS stuck,
         COALESCE(SUM(type = 'sensitive-data'), 0) AS sensitive,
         COALESCE(SUM(type = 'emergency'), 0) AS emergencies,
         COALESCE(SUM(type = 'smalltalk'), 0) AS smallTalk,
         COALESCE(SUM(type = 'delivery-failure'), 0) AS deliveryFailures
       FROM stats_events WHERE ${IN_RANGE}`,
      range,
    );
    return row!;
  }

  async questionsPerDay(range: StatsRange): Promise<DayRow[]> {
    return this.all<DayRow>(
      `SELECT ${this.day()} AS day,
         COUNT(*) AS questions,
         SUM(outcome = 'answered') AS answered,
         SUM(outcome = 'low-confidence') AS lowConfidence,
         SUM(outcome = 'unanswered') AS unanswered
       FROM stats_events WHERE type = 'question' AND ${IN_RANGE}
       GROUP BY day ORDER BY day`,
      range,
    );
  }

  async usersPerWeek(range: StatsRange): Promise<WeekRow[]> {
    // 'weekday 0' moves to the coming Sunday (or stays on one); 6 days back is that week's Monday.
    return this.all<WeekRow>(
      `SELECT date(${this.day()}, 'weekday 0', '-6 days') AS week, COUNT(DISTINCT user_key) AS users
       FROM stats_events WHERE ${IN_RANGE}
       GROUP BY week ORDER BY week`,
      range,
    );
  }

  async perChannel(range: StatsRange): Promise<ChannelRow[]> {
    return this.all<ChannelRow>(
      `SELECT channel,
         SUM(type = 'conversation-start') AS conversations,
         COUNT(DISTINCT user_key) AS users,
         SUM(type = 'question') AS questions,
         SUM(type = 'question' AND outcome = 'answered') AS answered
       FROM stats_events WHERE ${IN_RANGE}
       GROUP BY channel ORDER BY conversations DESC, users DESC, channel`,
      range,
    );
  }

  async topTopics(range: StatsRange, limit: number): Promise<TopicRow[]> {
    return this.all<TopicRow>(
      `SELECT id, SUM(q) AS questions, SUM(v) AS views, SUM(w) AS walks, SUM(q + v + w) AS total FROM (
         SELECT entry_id AS id, 1 AS q, 0 AS v, 0 AS w FROM stats_events
           WHERE type = 'question' AND outcome = 'answered' AND entry_id IS NOT NULL AND ${IN_RANGE}
         UNION ALL
         SELECT entry_id, 0, 1, 0 FROM stats_events WHERE type = 'entry-view' AND ${IN_RANGE}
         UNION ALL
         SELECT entry_id, 0, 0, 1 FROM stats_events WHERE type = 'walk-start' AND ${IN_RANGE}
       ) GROUP BY id ORDER BY total DESC, id LIMIT @limit`,
      range,
      { limit },
    );
  }

  async topQuestions(range: StatsRange, limit: number): Promise<QuestionRow[]> {
    // SQLite takes bare columns (entry_id, text) from the row that holds MAX(at): the latest match and wording.
    const rows = this.all<QuestionRow>(
      `SELECT normalized, text, COUNT(DISTINCT text) AS wordings, COUNT(*) AS count, SUM(outcome = 'answered') AS answered, MAX(at) AS lastAt, entry_id AS matchedId
       FROM stats_events WHERE type = 'question' AND normalized IS NOT NULL AND normalized != '' AND ${IN_RANGE}
       GROUP BY normalized ORDER BY count DESC, lastAt DESC LIMIT @limit`,
      range,
      { limit },
    );
    // Events written before the wording was kept have none: the normalized form stands in.
    return rows.map((r) => ({ ...r, text: r.text || r.normalized, wordings: Math.max(1, r.wordings) }));
  }

  async reviewQuestions(range: StatsRange, limit: number): Promise<ReviewRow[]> {
    const rows = this.all<Omit<ReviewRow, 'nearestIds'> & { nearest: string | null }>(
      `SELECT COALESCE(NULLIF(normalized, ''), text, '') AS normalized, COUNT(*) AS count, MAX(at) AS lastAt,
         text, outcome, score, GROUP_CONCAT(DISTINCT nearest_id) AS nearest
       FROM stats_events WHERE type = 'question' AND outcome IN ('low-confidence', 'unanswered') AND ${IN_RANGE}
       GROUP BY COALESCE(NULLIF(normalized, ''), text, '') ORDER BY lastAt DESC, count DESC LIMIT @limit`,
      range,
      { limit },
    );
    return rows.map(({ nearest, ...r }) => ({ ...r, text: r.text ?? '', score: r.score ?? 0, nearestIds: nearest ? nearest.split(',').sort() : [] }));
  }

  async guides(range: StatsRange): Promise<GuideRow[]> {
    return this.all<GuideRow>(
      `SELECT entry_id AS guideId,
         COUNT(DISTINCT CASE WHEN type = 'walk-start' THEN user_key END) AS startedUsers,
         COUNT(DISTINCT CASE WHEN type = 'walk-complete' THEN user_key END) AS completedUsers,
         SUM(type = 'walk-start') AS starts,
         SUM(type = 'walk-complete') AS completions,
         SUM(type = 'walk-stuck') AS stuck,
         SUM(type = 'walk-abandon') AS abandoned
       FROM stats_events
       WHERE type IN ('walk-start', 'walk-complete', 'walk-stuck', 'walk-abandon') AND entry_id IS NOT NULL AND ${IN_RANGE}
       GROUP BY entry_id ORDER BY startedUsers DESC, guideId`,
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
    for (const r of this.all<{ g: string; s: number; n: number }>(
      `SELECT entry_id AS g, step AS s, COUNT(DISTINCT user_key) AS n FROM stats_events
       WHERE type = 'walk-step' AND step IS NOT NULL AND ${IN_RANGE} GROUP BY entry_id, step`,
      range,
    ))
      at(r.g, r.s).reached = r.n;
    // Furthest step per person and guide, for people with no completion of that guide in the range.
    for (const r of this.all<{ g: string; s: number; n: number }>(
      `SELECT g, s, COUNT(*) AS n FROM (
         SELECT e.entry_id AS g, e.user_key AS u, MAX(e.step) AS s FROM stats_events e
         WHERE e.type = 'walk-step' AND e.step IS NOT NULL AND ${inRange('e')}
           AND NOT EXISTS (SELECT 1 FROM stats_events c INDEXED BY stats_events_completed WHERE c.type = 'walk-complete' AND c.entry_id = e.entry_id
                           AND c.user_key = e.user_key AND ${inRange('c')})
         GROUP BY e.entry_id, e.user_key
       ) GROUP BY g, s`,
      range,
    ))
      at(r.g, r.s).stoppedHere = r.n;
    for (const r of this.all<{ g: string; s: number; t: string; n: number }>(
      `SELECT entry_id AS g, step AS s, type AS t, COUNT(*) AS n FROM stats_events
       WHERE type IN ('walk-stuck', 'walk-abandon') AND step IS NOT NULL AND ${IN_RANGE} GROUP BY entry_id, step, type`,
      range,
    )) {
      if (r.t === 'walk-stuck') at(r.g, r.s).stuck = r.n;
      else at(r.g, r.s).abandoned = r.n;
    }
    return [...rows.values()].sort((a, b) => (a.guideId < b.guideId ? -1 : a.guideId > b.guideId ? 1 : a.step - b.step));
  }

  async referrals(range: StatsRange): Promise<ReferralRow[]> {
    // Completions are joined on the anonymous key: a person counts for every code they came through.
    return this.all<ReferralRow>(
      `WITH refs AS (
         SELECT referral AS code, user_key FROM stats_events
         WHERE type IN ('conversation-start', 'referral') AND referral IS NOT NULL AND ${IN_RANGE}
       ),
       people AS (SELECT DISTINCT code, user_key FROM refs),
       done AS (
         SELECT p.code,
           COUNT(DISTINCT c.user_key || ':' || c.entry_id) AS guidesCompleted,
           COUNT(DISTINCT CASE WHEN c.entry_id = 'guide-activate' THEN c.user_key END) AS activations
         FROM people p JOIN stats_events c INDEXED BY stats_events_completed ON c.user_key = p.user_key AND c.type = 'walk-complete' AND ${inRange('c')}
         GROUP BY p.code
       )
       SELECT r.code, COUNT(*) AS conversations, COUNT(DISTINCT r.user_key) AS users,
         COALESCE(d.guidesCompleted, 0) AS guidesCompleted, COALESCE(d.activations, 0) AS activations
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
       SELECT p.code, c.entry_id AS guideId, COUNT(DISTINCT c.user_key) AS people
       FROM people p JOIN stats_events c INDEXED BY stats_events_completed ON c.user_key = p.user_key AND c.type = 'walk-complete' AND ${inRange('c')}
       WHERE c.entry_id IS NOT NULL
       GROUP BY p.code, c.entry_id ORDER BY p.code, c.entry_id`,
      range,
    );
  }

  async deliveryFailures(range: StatsRange): Promise<FailureRow[]> {
    return this.all<FailureRow>(
      `SELECT channel, COALESCE(failure_code, 'unknown') AS code, COUNT(*) AS count, MAX(at) AS lastAt
       FROM stats_events WHERE type = 'delivery-failure' AND ${IN_RANGE}
       GROUP BY channel, code ORDER BY count DESC, lastAt DESC`,
      range,
    );
  }

  async sensitiveKinds(range: StatsRange): Promise<SensitiveRow[]> {
    return this.all<SensitiveRow>(
      `SELECT j.value AS kind, COUNT(*) AS count
       FROM stats_events e, json_each(CASE WHEN json_valid(e.kinds) THEN e.kinds ELSE '[]' END) j
       WHERE e.type = 'sensitive-data' AND ${inRange('e')}
       GROUP BY j.value ORDER BY count DESC, kind`,
      range,
    );
  }

  async perCommune(range: StatsRange): Promise<CommuneRow[]> {
    return this.all<CommuneRow>(
      `SELECT commune,
         COALESCE(SUM(type = 'conversation-start'), 0) AS conversations,
         COUNT(DISTINCT user_key) AS users,
         COALESCE(SUM(type = 'question'), 0) AS questions,
         COALESCE(SUM(type = 'question' AND outcome = 'answered'), 0) AS answered,
         COALESCE(SUM(type = 'walk-complete'), 0) AS walksCompleted
       FROM stats_events WHERE ${IN_RANGE}
       GROUP BY commune ORDER BY commune`,
      range,
    );
  }

  async deleteOlderThan(ts: number): Promise<number> {
    this.writes.flush();
    const deleted = this.db.prepare('DELETE FROM stats_events WHERE at < ?').run(ts).changes;
    // Move the deletion out of the WAL into the main file now, not at some later checkpoint.
    if (deleted > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return deleted;
  }
}
