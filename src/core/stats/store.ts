/**
 * The statistics store: anonymised dialog events in, the dashboard's and the monthly report's
 * numbers out. The core depends on this interface only; SQLite implements it
 * (src/storage/sqlite-stats.ts). Everything written here went through StatsSink first: scrubbed
 * text, pseudonymous keys, known ids only.
 */
import type { DialogEvent, EventContext, Outcome } from './events.js';

export interface StatsContext extends EventContext {
  /** The citizen's commune (communes.yaml id); 'default' on a single-commune server or while unknown. */
  commune?: string;
}

/** Half-open interval [from, to) in epoch ms; optionally one commune, or a set of them (an official's scope). */
export interface StatsRange {
  from: number;
  to: number;
  commune?: string;
  /** Only these communes (both filters apply when both are given); an empty list matches nothing. */
  communes?: readonly string[];
}

/** One commune's numbers, side by side with the others' (district and province officials compare them). */
export interface CommuneRow {
  commune: string;
  conversations: number;
  users: number;
  questions: number;
  answered: number;
  walksCompleted: number;
}

export interface OverviewTotals {
  conversations: number;
  /** Distinct anonymous keys with any event in the range. */
  users: number;
  questions: number;
  answered: number;
  lowConfidence: number;
  unanswered: number;
  entryViews: number;
  walksStarted: number;
  walksCompleted: number;
  stuck: number;
  /** Messages in which citizens sent personal data (and got the safety warning). */
  sensitive: number;
  /** Messages about a danger (crime, fire, accident, scam) that got the emergency numbers. */
  emergencies: number;
  /** Thanks, goodbyes, "ok": answered briefly, not counted as questions. */
  smallTalk: number;
  deliveryFailures: number;
}

/** `day` is YYYY-MM-DD in local (Vietnam) time. */
export interface DayRow {
  day: string;
  questions: number;
  answered: number;
  lowConfidence: number;
  unanswered: number;
}

/** `week` is the Monday (YYYY-MM-DD) that starts the week. */
export interface WeekRow {
  week: string;
  users: number;
}

export interface ChannelRow {
  channel: string;
  conversations: number;
  users: number;
  questions: number;
  answered: number;
}

/** How often a content id came up: matched questions, opened from a button, walkthroughs started. */
export interface TopicRow {
  id: string;
  questions: number;
  views: number;
  walks: number;
  total: number;
}

/** Frequent questions, grouped by normalized text (typos corrected, no diacritics). */
export interface QuestionRow {
  normalized: string;
  /** What the citizen wrote (scrubbed of personal data), in the group's latest occurrence: officials read this, not `normalized`. */
  text: string;
  /** Different scrubbed wordings in the group ("và 2 cách viết khác"). */
  wordings: number;
  count: number;
  answered: number;
  /** Matched id of the latest occurrence. */
  matchedId: string | null;
  lastAt: number;
}

/** Unanswered / low-confidence questions, grouped by normalized text: the officials' review list. */
export interface ReviewRow {
  normalized: string;
  /** The latest scrubbed wording. */
  text: string;
  count: number;
  lastAt: number;
  /** Outcome and score of the latest occurrence. */
  outcome: Exclude<Outcome, 'answered'>;
  score: number;
  nearestIds: string[];
}

export interface GuideRow {
  guideId: string;
  /** People (distinct keys) who started / completed. */
  startedUsers: number;
  completedUsers: number;
  /** Events: one person may start a guide several times. */
  starts: number;
  completions: number;
  stuck: number;
  abandoned: number;
}

/** One step of one guide. Steps are positions on the path the citizen followed (1-based). */
export interface FunnelRow {
  guideId: string;
  step: number;
  /** People who reached this step. */
  reached: number;
  /** People whose furthest step was this one and who did not complete the guide. */
  stoppedHere: number;
  /** "Tôi bị lỗi" presses at this step. */
  stuck: number;
  /** Walkthroughs left idle at this step (detected when the citizen came back). */
  abandoned: number;
}

export interface ReferralRow {
  code: string;
  conversations: number;
  users: number;
  /** Distinct (person, guide) completions by people who came through this code. */
  guidesCompleted: number;
  /** People from this code who completed the activation walkthrough. */
  activations: number;
}

/** People who came through a code and completed a guide (each person once per guide). */
export interface ReferralGuideRow {
  code: string;
  guideId: string;
  people: number;
}

export interface FailureRow {
  channel: string;
  code: string;
  count: number;
  lastAt: number;
}

export interface SensitiveRow {
  kind: string;
  count: number;
}

export interface StatsStore {
  /** Writes one event. Callers go through StatsSink, which scrubs and validates first. */
  record(event: DialogEvent, context: StatsContext): Promise<void>;

  overview(range: StatsRange): Promise<OverviewTotals>;
  questionsPerDay(range: StatsRange): Promise<DayRow[]>;
  usersPerWeek(range: StatsRange): Promise<WeekRow[]>;
  perChannel(range: StatsRange): Promise<ChannelRow[]>;
  topTopics(range: StatsRange, limit: number): Promise<TopicRow[]>;
  topQuestions(range: StatsRange, limit: number): Promise<QuestionRow[]>;
  /** Newest first. */
  reviewQuestions(range: StatsRange, limit: number): Promise<ReviewRow[]>;
  guides(range: StatsRange): Promise<GuideRow[]>;
  /** Only steps with data; the dashboard fills the others from the content. */
  funnel(range: StatsRange): Promise<FunnelRow[]>;
  referrals(range: StatsRange): Promise<ReferralRow[]>;
  /** Per code and guide: the volunteer teams' page (activation, integration guides). */
  referralGuides(range: StatsRange): Promise<ReferralGuideRow[]>;
  deliveryFailures(range: StatsRange): Promise<FailureRow[]>;
  sensitiveKinds(range: StatsRange): Promise<SensitiveRow[]>;
  /** Per commune, for comparing communes (only those with events in the range). */
  perCommune(range: StatsRange): Promise<CommuneRow[]>;

  /** Deletes events recorded before `ts` (epoch ms); returns how many. */
  deleteOlderThan(ts: number): Promise<number>;
  /** Stores that batch writes: resolves when every event handed over is written (before closing). */
  drain?(): Promise<void>;
}

/** Campaign document types (Đề án 06 reports): the walkthrough that guides each one. */
export const DOCUMENT_TYPES: ReadonlyArray<{ guideId: string; label: string }> = [
  { guideId: 'guide-activate', label: 'Kích hoạt tài khoản định danh điện tử' },
  { guideId: 'integrate-bhyt', label: 'Thẻ bảo hiểm y tế (BHYT)' },
  { guideId: 'integrate-gplx', label: 'Giấy phép lái xe (GPLX)' },
  { guideId: 'integrate-dkx', label: 'Giấy đăng ký xe' },
  { guideId: 'integrate-mst', label: 'Mã số thuế (MST)' },
  { guideId: 'integrate-nguoi-phu-thuoc', label: 'Người phụ thuộc' },
];

export interface DocumentRow {
  guideId: string;
  label: string;
  startedUsers: number;
  completedUsers: number;
  starts: number;
  completions: number;
}

/** One row per campaign document type, zeros included (a report lists every type). */
export function documentCounts(guides: readonly GuideRow[]): DocumentRow[] {
  const byId = new Map(guides.map((g) => [g.guideId, g]));
  return DOCUMENT_TYPES.map(({ guideId, label }) => {
    const g = byId.get(guideId);
    return {
      guideId,
      label,
      startedUsers: g?.startedUsers ?? 0,
      completedUsers: g?.completedUsers ?? 0,
      starts: g?.starts ?? 0,
      completions: g?.completions ?? 0,
    };
  });
}

/** Vietnam has one time zone and no daylight saving: UTC+7 all year. */
export const VN_OFFSET_MS = 7 * 3600_000;

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2025-03-01" → epoch ms of 00:00 that day in Vietnam; undefined when not a real date. */
export function parseDay(day: string, offsetMs = VN_OFFSET_MS): number | undefined {
  const m = DAY_RE.exec(day.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = Date.UTC(y, mo - 1, d);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  return utc - offsetMs;
}

/** Epoch ms → its day (YYYY-MM-DD) in Vietnam. */
export function formatDay(ts: number, offsetMs = VN_OFFSET_MS): string {
  return new Date(ts + offsetMs).toISOString().slice(0, 10);
}

/** An inclusive day range (from 00:00 of `from` to the end of `to`) as a StatsRange. */
export function dayRange(from: string, to: string, offsetMs = VN_OFFSET_MS): StatsRange | undefined {
  const a = parseDay(from, offsetMs);
  const b = parseDay(to, offsetMs);
  if (a === undefined || b === undefined || b < a) return undefined;
  return { from: a, to: b + 86_400_000 };
}
