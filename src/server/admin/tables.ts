/**
 * Every table of the dashboard, defined once: the HTML page and the CSV download read the same
 * definition, so what an official downloads is what they saw.
 */
import type { ContentBase } from '../../core/content/loader.js';
import type { Entry } from '../../core/content/schema.js';
import { pathOf } from '../../core/dialog/walkthrough.js';
import { PLACEHOLDER, type SensitiveKind } from '../../core/privacy/scrub.js';
import {
  documentCounts,
  VN_OFFSET_MS,
  type ChannelRow,
  type DayRow,
  type DocumentRow,
  type FailureRow,
  type FunnelRow,
  type GuideRow,
  type QuestionRow,
  type ReferralRow,
  type ReviewRow,
  type SensitiveRow,
  type StatsRange,
  type StatsStore,
  type TopicRow,
  type WeekRow,
} from '../../core/stats/store.js';
import { channelLabel } from '../../core/stats/report.js';
import type { Cell } from './csv.js';
import { fmtInt, fmtPct, html, SafeHtml } from './html.js';

export interface TableContext {
  store: StatsStore;
  content: ContentBase;
  range: StatsRange;
}

interface Column<R> {
  label: string;
  /** The raw value: CSV cell, and the HTML cell unless `html` says otherwise. */
  value: (r: R) => Cell;
  html?: (r: R, ctx: TableContext) => SafeHtml | string;
  numeric?: boolean;
}

interface TableDef<R> {
  key: string;
  title: string;
  note?: string;
  empty?: string;
  columns: Array<Column<R>>;
  load: (ctx: TableContext) => Promise<R[]>;
}

export interface LoadedTable<R = unknown> {
  key: string;
  title: string;
  note?: string;
  empty: string;
  headers: string[];
  numeric: boolean[];
  rows: Array<{ raw: R; cells: Cell[]; html: Array<SafeHtml | string> }>;
}

export interface AnyTable {
  key: string;
  title: string;
  load(ctx: TableContext): Promise<LoadedTable>;
}

function define<R>(def: TableDef<R>): AnyTable {
  return {
    key: def.key,
    title: def.title,
    async load(ctx) {
      const rows = await def.load(ctx);
      return {
        key: def.key,
        title: def.title,
        ...(def.note ? { note: def.note } : {}),
        empty: def.empty ?? 'Chưa có số liệu trong khoảng thời gian này.',
        headers: def.columns.map((c) => c.label),
        numeric: def.columns.map((c) => Boolean(c.numeric)),
        rows: rows.map((raw) => ({
          raw: raw as unknown,
          cells: def.columns.map((c) => c.value(raw)),
          html: def.columns.map((c) => (c.html ? c.html(raw, ctx) : display(c.value(raw), c.numeric))),
        })),
      };
    },
  };
}

const display = (v: Cell, numeric?: boolean): string => (v === null || v === undefined ? '' : numeric && typeof v === 'number' ? fmtInt(v) : String(v));

/** "2025-03-16 15:00" in Vietnam time (CSV: sortable). */
export function csvDateTime(ts: number): string {
  return new Date(ts + VN_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** "16/03/2025 15:00" in Vietnam time (HTML). */
export function viDateTime(ts: number): string {
  const iso = new Date(ts + VN_OFFSET_MS).toISOString();
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;
}

/** "2025-03-16" → "16/03/2025". */
export const viDay = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

const pctValue = (part: number, whole: number): number | null => (whole > 0 ? Math.round((1000 * part) / whole) / 10 : null);


const OUTCOME_LABEL: Record<string, string> = {
  answered: 'Trả lời được',
  'low-confidence': 'Chưa chắc (đã gợi ý)',
  unanswered: 'Không trả lời được',
};

const SENSITIVE_LABEL: Record<SensitiveKind, string> = {
  id: 'Số định danh / CCCD',
  cmnd: 'Số CMND (9 số)',
  phone: 'Số điện thoại',
  email: 'Email',
  code: 'Mã OTP / mã số',
  bhyt: 'Mã thẻ BHYT',
  plate: 'Biển số xe',
  password: 'Mật khẩu / passcode',
  name: 'Họ tên',
  address: 'Địa chỉ',
  birthdate: 'Ngày sinh',
  number: 'Dãy số dài khác',
};

function titleOf(content: ContentBase, id: string | null): string {
  if (!id) return '';
  return content.byId.get(id)?.title ?? '(mục không còn trong nội dung)';
}

const idWithTitle = (content: ContentBase, id: string | null) =>
  id ? html`<code>${id}</code><br><small>${titleOf(content, id)}</small>` : html`<span class="muted">—</span>`;

/** Longest path through a guide, over all its branches. */
export function guideLength(entry: Entry | undefined): number {
  if (!entry?.steps) return 0;
  const branches = new Set<string | undefined>([undefined]);
  for (const s of entry.steps) for (const c of s.choices ?? []) if (c.branch) branches.add(c.branch);
  return Math.max(...[...branches].map((b) => pathOf(entry, b).length));
}

/** Step n of a guide without branches (with branches, step n differs by path). */
function stepText(entry: Entry | undefined, n: number): string {
  if (!entry?.steps) return '';
  if (entry.steps.some((s) => s.only)) return '(tùy nhánh người dân chọn)';
  const text = entry.steps[n - 1]?.text ?? '';
  return text.length > 90 ? text.slice(0, 89) + '…' : text;
}

/** Funnel rows for every step of every guide with data, steps without data as zeros. */
export async function fullFunnel(ctx: TableContext): Promise<FunnelRow[]> {
  const rows = await ctx.store.funnel(ctx.range);
  const byGuide = new Map<string, Map<number, FunnelRow>>();
  for (const r of rows) {
    const m = byGuide.get(r.guideId) ?? new Map<number, FunnelRow>();
    m.set(r.step, r);
    byGuide.set(r.guideId, m);
  }
  const out: FunnelRow[] = [];
  for (const guideId of [...byGuide.keys()].sort()) {
    const m = byGuide.get(guideId)!;
    const last = Math.max(guideLength(ctx.content.byId.get(guideId)), ...m.keys());
    for (let step = 1; step <= last; step++) out.push(m.get(step) ?? { guideId, step, reached: 0, stoppedHere: 0, stuck: 0, abandoned: 0 });
  }
  return out;
}

const OVERVIEW_LABELS: Array<[keyof Awaited<ReturnType<StatsStore['overview']>>, string]> = [
  ['conversations', 'Cuộc trò chuyện'],
  ['users', 'Người dùng (ẩn danh)'],
  ['questions', 'Câu hỏi'],
  ['answered', 'Trả lời được'],
  ['lowConfidence', 'Chưa chắc (đã gợi ý)'],
  ['unanswered', 'Không trả lời được'],
  ['entryViews', 'Lượt xem mục'],
  ['walksStarted', 'Lượt bắt đầu hướng dẫn từng bước'],
  ['walksCompleted', 'Lượt hoàn thành hướng dẫn'],
  ['stuck', 'Lượt bấm "Tôi bị lỗi"'],
  ['sensitive', 'Tin nhắn có thông tin cá nhân (đã cảnh báo)'],
  ['emergencies', 'Tin nhắn khẩn cấp (đã đưa số 113/114/115)'],
  ['smallTalk', 'Tin nhắn xã giao (cảm ơn, chào...)'],
  ['deliveryFailures', 'Lỗi gửi tin'],
];

export const TABLES: readonly AnyTable[] = [
  define<{ label: string; value: number }>({
    key: 'overview',
    title: 'Tổng quan',
    columns: [
      { label: 'Chỉ số', value: (r) => r.label },
      { label: 'Giá trị', value: (r) => r.value, numeric: true },
    ],
    load: async ({ store, range }) => {
      const o = await store.overview(range);
      return [...OVERVIEW_LABELS.map(([k, label]) => ({ label, value: o[k] })), { label: 'Tỉ lệ trả lời được (%)', value: pctValue(o.answered, o.questions) ?? 0 }];
    },
  }),
  define<DayRow>({
    key: 'per-day',
    title: 'Câu hỏi theo ngày',
    columns: [
      { label: 'Ngày', value: (r) => r.day, html: (r) => viDay(r.day) },
      { label: 'Câu hỏi', value: (r) => r.questions, numeric: true },
      { label: 'Trả lời được', value: (r) => r.answered, numeric: true },
      { label: 'Chưa chắc', value: (r) => r.lowConfidence, numeric: true },
      { label: 'Không trả lời được', value: (r) => r.unanswered, numeric: true },
    ],
    load: ({ store, range }) => store.questionsPerDay(range),
  }),
  define<WeekRow>({
    key: 'per-week',
    title: 'Người dùng theo tuần',
    note: 'Tuần tính từ thứ Hai. Mỗi người được đếm một lần mỗi tuần (theo mã ẩn danh).',
    columns: [
      { label: 'Tuần bắt đầu (thứ Hai)', value: (r) => r.week, html: (r) => viDay(r.week) },
      { label: 'Người dùng', value: (r) => r.users, numeric: true },
    ],
    load: ({ store, range }) => store.usersPerWeek(range),
  }),
  define<ChannelRow>({
    key: 'channels',
    title: 'Theo kênh',
    columns: [
      { label: 'Kênh', value: (r) => r.channel, html: (r) => channelLabel(r.channel) },
      { label: 'Cuộc trò chuyện', value: (r) => r.conversations, numeric: true },
      { label: 'Người dùng', value: (r) => r.users, numeric: true },
      { label: 'Câu hỏi', value: (r) => r.questions, numeric: true },
      { label: 'Trả lời được', value: (r) => r.answered, numeric: true },
      { label: 'Tỉ lệ trả lời được (%)', value: (r) => pctValue(r.answered, r.questions), html: (r) => fmtPct(r.answered, r.questions), numeric: true },
    ],
    load: ({ store, range }) => store.perChannel(range),
  }),
  define<TopicRow & { title: string }>({
    key: 'topics',
    title: 'Chủ đề được quan tâm nhất',
    note: 'Câu hỏi trả lời được theo mục, lượt mở mục bằng nút, lượt bắt đầu hướng dẫn từng bước.',
    columns: [
      { label: 'Mã mục', value: (r) => r.id, html: (r) => html`<code>${r.id}</code>` },
      { label: 'Tiêu đề', value: (r) => r.title },
      { label: 'Câu hỏi khớp', value: (r) => r.questions, numeric: true },
      { label: 'Lượt xem', value: (r) => r.views, numeric: true },
      { label: 'Lượt hướng dẫn', value: (r) => r.walks, numeric: true },
      { label: 'Tổng', value: (r) => r.total, numeric: true },
    ],
    load: async ({ store, range, content }) => (await store.topTopics(range, 50)).map((r) => ({ ...r, title: titleOf(content, r.id) })),
  }),
  define<QuestionRow>({
    key: 'questions',
    title: 'Câu hỏi gặp nhiều nhất (dạng chuẩn hóa)',
    note: 'Câu hỏi đã bỏ dấu, viết thường và đã ẩn thông tin cá nhân, gộp theo cách viết giống nhau.',
    columns: [
      { label: 'Câu hỏi (chuẩn hóa)', value: (r) => r.normalized },
      { label: 'Số lần', value: (r) => r.count, numeric: true },
      { label: 'Trả lời được', value: (r) => r.answered, numeric: true },
      { label: 'Mục khớp (lần gần nhất)', value: (r) => r.matchedId ?? '', html: (r) => (r.matchedId ? html`<code>${r.matchedId}</code>` : html`<span class="muted">không khớp</span>`) },
    ],
    load: ({ store, range }) => store.topQuestions(range, 50),
  }),
  define<ReviewRow>({
    key: 'review',
    title: 'Câu hỏi chưa trả lời được hoặc chưa chắc',
    note: 'Mới nhất trước. Dùng danh sách này để bổ sung cách hỏi (phrasings) hoặc viết mục mới. Thông tin cá nhân đã được thay bằng [SĐT], [SỐ ĐỊNH DANH]…',
    empty: 'Không có câu hỏi nào cần xem lại trong khoảng thời gian này.',
    columns: [
      { label: 'Câu hỏi (đã ẩn thông tin cá nhân)', value: (r) => r.text },
      { label: 'Dạng chuẩn hóa', value: (r) => r.normalized },
      { label: 'Số lần', value: (r) => r.count, numeric: true },
      { label: 'Lần cuối', value: (r) => csvDateTime(r.lastAt), html: (r) => viDateTime(r.lastAt) },
      { label: 'Kết quả', value: (r) => OUTCOME_LABEL[r.outcome] ?? r.outcome },
      { label: 'Điểm', value: (r) => r.score, html: (r) => r.score.toFixed(2).replace('.', ','), numeric: true },
      {
        label: 'Mục gần nhất',
        value: (r) => r.nearestIds.join(' '),
        html: (r, ctx) => (r.nearestIds.length ? html`${r.nearestIds.map((id) => html`<div>${idWithTitle(ctx.content, id)}</div>`)}` : html`<span class="muted">—</span>`),
      },
    ],
    load: ({ store, range }) => store.reviewQuestions(range, 200),
  }),
  define<GuideRow & { title: string }>({
    key: 'guides',
    title: 'Hướng dẫn từng bước',
    note: '“Người” đếm mỗi người dân một lần (mã ẩn danh); “lượt” đếm mọi lần bắt đầu hoặc hoàn thành.',
    columns: [
      { label: 'Mã hướng dẫn', value: (r) => r.guideId, html: (r, ctx) => idWithTitle(ctx.content, r.guideId) },
      { label: 'Tiêu đề', value: (r) => r.title },
      { label: 'Người bắt đầu', value: (r) => r.startedUsers, numeric: true },
      { label: 'Người hoàn thành', value: (r) => r.completedUsers, numeric: true },
      { label: 'Tỉ lệ hoàn thành (%)', value: (r) => pctValue(r.completedUsers, r.startedUsers), html: (r) => fmtPct(r.completedUsers, r.startedUsers), numeric: true },
      { label: 'Lượt bắt đầu', value: (r) => r.starts, numeric: true },
      { label: 'Lượt hoàn thành', value: (r) => r.completions, numeric: true },
      { label: 'Bấm “Tôi bị lỗi”', value: (r) => r.stuck, numeric: true },
      { label: 'Bỏ dở', value: (r) => r.abandoned, numeric: true },
    ],
    load: async ({ store, range, content }) => (await store.guides(range)).map((r) => ({ ...r, title: titleOf(content, r.guideId) })),
  }),
  define<FunnelRow & { text: string; top: number }>({
    key: 'funnel',
    title: 'Phễu theo từng bước',
    note: 'Số người tới mỗi bước, số người dừng hẳn ở bước đó (không hoàn thành), số lần bấm “Tôi bị lỗi” và số lần bỏ dở tại bước.',
    columns: [
      { label: 'Mã hướng dẫn', value: (r) => r.guideId, html: (r) => html`<code>${r.guideId}</code>` },
      { label: 'Bước', value: (r) => r.step, numeric: true },
      { label: 'Nội dung bước', value: (r) => r.text },
      {
        label: 'Số người tới bước',
        value: (r) => r.reached,
        html: (r) => html`<span class="num">${fmtInt(r.reached)}</span> <progress max="${Math.max(1, r.top)}" value="${r.reached}" aria-hidden="true"></progress>`,
        numeric: true,
      },
      { label: 'Dừng ở bước này', value: (r) => r.stoppedHere, numeric: true },
      { label: 'Bấm “Tôi bị lỗi”', value: (r) => r.stuck, numeric: true },
      { label: 'Bỏ dở', value: (r) => r.abandoned, numeric: true },
    ],
    load: async (ctx) => {
      const rows = await fullFunnel(ctx);
      const top = new Map<string, number>();
      for (const r of rows) top.set(r.guideId, Math.max(top.get(r.guideId) ?? 0, r.reached));
      return rows.map((r) => ({ ...r, text: stepText(ctx.content.byId.get(r.guideId), r.step), top: top.get(r.guideId) ?? 0 }));
    },
  }),
  define<ReferralRow>({
    key: 'referrals',
    title: 'Theo mã giới thiệu (đội tình nguyện)',
    note: 'Mã lấy từ đường link giới thiệu (deep link). “Hướng dẫn hoàn thành” đếm mỗi người × mỗi hướng dẫn một lần.',
    empty: 'Chưa có cuộc trò chuyện nào đến từ mã giới thiệu trong khoảng thời gian này.',
    columns: [
      { label: 'Mã giới thiệu', value: (r) => r.code, html: (r) => html`<code>${r.code}</code>` },
      { label: 'Cuộc trò chuyện', value: (r) => r.conversations, numeric: true },
      { label: 'Người dùng', value: (r) => r.users, numeric: true },
      { label: 'Hướng dẫn hoàn thành', value: (r) => r.guidesCompleted, numeric: true },
      { label: 'Kích hoạt tài khoản hoàn thành', value: (r) => r.activations, numeric: true },
    ],
    load: ({ store, range }) => store.referrals(range),
  }),
  define<DocumentRow>({
    key: 'documents',
    title: 'Theo loại giấy tờ (số liệu báo cáo chiến dịch)',
    note: 'Số người dân được hướng dẫn từng bước kích hoạt tài khoản và tích hợp từng loại giấy tờ.',
    columns: [
      { label: 'Loại', value: (r) => r.label },
      { label: 'Mã hướng dẫn', value: (r) => r.guideId, html: (r) => html`<code>${r.guideId}</code>` },
      { label: 'Người bắt đầu', value: (r) => r.startedUsers, numeric: true },
      { label: 'Người hoàn thành', value: (r) => r.completedUsers, numeric: true },
      { label: 'Lượt bắt đầu', value: (r) => r.starts, numeric: true },
      { label: 'Lượt hoàn thành', value: (r) => r.completions, numeric: true },
    ],
    load: async ({ store, range }) => documentCounts(await store.guides(range)),
  }),
  define<FailureRow>({
    key: 'failures',
    title: 'Lỗi gửi tin',
    note: 'Tin trả lời không gửi được tới người dân (mã lỗi của nền tảng).',
    empty: 'Không có lỗi gửi tin trong khoảng thời gian này.',
    columns: [
      { label: 'Kênh', value: (r) => r.channel, html: (r) => channelLabel(r.channel) },
      { label: 'Mã lỗi', value: (r) => r.code, html: (r) => html`<code>${r.code}</code>` },
      { label: 'Số lần', value: (r) => r.count, numeric: true },
      { label: 'Lần cuối', value: (r) => csvDateTime(r.lastAt), html: (r) => viDateTime(r.lastAt) },
    ],
    load: ({ store, range }) => store.deliveryFailures(range),
  }),
  define<SensitiveRow>({
    key: 'sensitive',
    title: 'Tin nhắn có thông tin cá nhân',
    note: 'Người dân gửi thông tin cá nhân và đã được nhắc không chia sẻ. Nội dung không được lưu, chỉ đếm số lần theo loại.',
    empty: 'Không có tin nhắn nào chứa thông tin cá nhân.',
    columns: [
      { label: 'Loại thông tin', value: (r) => SENSITIVE_LABEL[r.kind as SensitiveKind] ?? r.kind },
      { label: 'Ký hiệu thay thế', value: (r) => PLACEHOLDER[r.kind as SensitiveKind] ?? '' },
      { label: 'Số lần', value: (r) => r.count, numeric: true },
    ],
    load: ({ store, range }) => store.sensitiveKinds(range),
  }),
];

export const TABLE_BY_KEY: ReadonlyMap<string, AnyTable> = new Map(TABLES.map((t) => [t.key, t]));
