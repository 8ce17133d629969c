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
import { viDay } from './dates.js';
import { fmtDec, fmtInt, fmtPct, html, SafeHtml } from './html.js';

export interface TableContext {
  store: StatsStore;
  content: ContentBase;
  range: StatsRange;
  /** The technical view (?view=technical): ids, normalized forms and scores as extra columns. */
  technical?: boolean;
}

interface Column<R> {
  label: string;
  /** A name to pick or hide the column by (tableBlock's `hide`). */
  id?: string;
  /** Only in the technical view (page and CSV): ids, normalized text, scores. */
  technical?: boolean;
  /** The raw value: CSV cell, and the HTML cell unless `html` says otherwise. */
  value: (r: R, ctx: TableContext) => Cell;
  html?: (r: R, ctx: TableContext) => SafeHtml | string;
  numeric?: boolean;
  /** A date (dd/mm/yyyy) or date and time (dd/mm/yyyy hh:mm) text: a real date in the .xlsx download. */
  date?: 'day' | 'datetime';
}

interface TableDef<R> {
  key: string;
  title: string;
  /** What the table shows, in plain words (both views). */
  note?: string;
  /** What the extra columns of the technical view mean. */
  technicalNote?: string;
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
  /** Column ids (empty string for columns without one), beside `headers`. */
  ids: string[];
  numeric: boolean[];
  /** Beside `headers`: which columns hold dates (see Column.date). */
  dates: Array<'day' | 'datetime' | undefined>;
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
      const columns = def.columns.filter((c) => ctx.technical || !c.technical);
      const note = [def.note, ctx.technical ? def.technicalNote : undefined].filter(Boolean).join(' ');
      return {
        key: def.key,
        title: def.title,
        ...(note ? { note } : {}),
        empty: def.empty ?? 'Chưa có số liệu trong khoảng thời gian này.',
        headers: columns.map((c) => c.label),
        ids: columns.map((c) => c.id ?? ''),
        numeric: columns.map((c) => Boolean(c.numeric)),
        dates: columns.map((c) => c.date),
        rows: rows.map((raw) => ({
          raw: raw as unknown,
          cells: columns.map((c) => c.value(raw, ctx)),
          html: columns.map((c) => (c.html ? c.html(raw, ctx) : display(c.value(raw, ctx), c.numeric))),
        })),
      };
    },
  };
}

const display = (v: Cell, numeric?: boolean): string =>
  v === null || v === undefined ? '' : numeric && typeof v === 'number' ? (Number.isInteger(v) ? fmtInt(v) : fmtDec(v)) : String(v);

/** "16/03/2025 15:00" in Vietnam time: the page and the CSV (Excel set to Vietnamese reads it as a date). */
export function viDateTime(ts: number): string {
  const iso = new Date(ts + VN_OFFSET_MS).toISOString();
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;
}

/** The CSV's date-time: the same as the page's. */
export const csvDateTime = viDateTime;

export { viDay };

const pctValue = (part: number, whole: number): number | null => (whole > 0 ? Math.round((1000 * part) / whole) / 10 : null);


const OUTCOME_LABEL: Record<string, string> = {
  answered: 'Trả lời được',
  'low-confidence': 'Chưa chắc, đã gợi ý vài mục gần giống',
  unanswered: 'Chưa trả lời được',
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

/** A content entry as officials know it: by its title (the id is in the technical view). */
const entryTitle = (content: ContentBase, id: string | null, none = '—') => (id ? titleOf(content, id) : html`<span class="muted">${none}</span>`);

/** What a delivery failure code means, in plain words (the code itself is in the technical view). */
export function failureReason(channel: string, code: string): string {
  if (code === 'timeout') return 'Nền tảng không trả lời kịp (mạng chậm hoặc quá tải)';
  if (code === 'network') return 'Mất kết nối mạng khi gửi';
  if (code === 'unknown') return 'Lỗi không rõ';
  if (code.startsWith('token')) return 'Khóa truy cập Zalo OA hết hạn hoặc sai: báo người quản trị kỹ thuật';
  if (/^http-5\d\d$/.test(code)) return 'Máy chủ của nền tảng đang gặp sự cố';
  if (channel === 'telegram' && code === '403') return 'Người dân đã chặn hoặc xóa bot';
  if (code === '429' || code.endsWith(':429')) return 'Gửi quá nhiều tin trong thời gian ngắn, nền tảng tạm chặn';
  if (channel.startsWith('zalo') && code === '-230') return 'Người dân không nhắn cho Zalo OA trong 7 ngày qua (Zalo chỉ cho trả lời trong 7 ngày)';
  return 'Lỗi khác của nền tảng (xem mã lỗi ở chi tiết kỹ thuật)';
}

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
      { label: 'Ngày', value: (r) => viDay(r.day), date: 'day' },
      { label: 'Câu hỏi', value: (r) => r.questions, numeric: true },
      { label: 'Trả lời được', value: (r) => r.answered, numeric: true },
      { label: 'Chưa chắc', value: (r) => r.lowConfidence, numeric: true },
      { label: 'Chưa trả lời được', value: (r) => r.unanswered, numeric: true },
    ],
    load: ({ store, range }) => store.questionsPerDay(range),
  }),
  define<WeekRow>({
    key: 'per-week',
    title: 'Người dùng theo tuần',
    note: 'Tuần tính từ thứ Hai. Mỗi người được đếm một lần mỗi tuần (theo mã ẩn danh).',
    columns: [
      { label: 'Tuần bắt đầu (thứ Hai)', value: (r) => viDay(r.week), date: 'day' },
      { label: 'Người dùng', value: (r) => r.users, numeric: true },
    ],
    load: ({ store, range }) => store.usersPerWeek(range),
  }),
  define<ChannelRow>({
    key: 'channels',
    title: 'Theo kênh',
    columns: [
      { label: 'Kênh', value: (r) => channelLabel(r.channel) },
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
    note: 'Mỗi dòng là một mục trả lời của trợ lý: số câu hỏi được trả lời bằng mục đó, số lần người dân bấm nút mở mục, số lần bắt đầu hướng dẫn từng bước.',
    technicalNote: '“Mã mục” là mã của mục trong thư mục nội dung (content/).',
    columns: [
      { label: 'Mục trả lời', value: (r) => r.title },
      { label: 'Mã mục', id: 'id', technical: true, value: (r) => r.id, html: (r) => html`<code>${r.id}</code>` },
      { label: 'Câu hỏi được trả lời', value: (r) => r.questions, numeric: true },
      { label: 'Lượt mở bằng nút', value: (r) => r.views, numeric: true },
      { label: 'Lượt hướng dẫn từng bước', value: (r) => r.walks, numeric: true },
      { label: 'Tổng', value: (r) => r.total, numeric: true },
    ],
    load: async ({ store, range, content }) => (await store.topTopics(range, 50)).map((r) => ({ ...r, title: titleOf(content, r.id) })),
  }),
  define<QuestionRow>({
    key: 'questions',
    title: 'Câu hỏi gặp nhiều nhất',
    note: 'Câu hỏi đúng như người dân đã viết; thông tin cá nhân đã được che (ví dụ [SĐT], [SỐ ĐỊNH DANH]). Những câu chỉ khác nhau về dấu, lỗi gõ hoặc chữ hoa được gộp làm một, hiển thị câu gần nhất.',
    technicalNote: '“Dạng chuẩn hóa” là câu sau khi bỏ dấu và sửa lỗi gõ, dạng máy dùng để so khớp và gộp câu.',
    columns: [
      {
        label: 'Câu hỏi của người dân',
        value: (r) => r.text,
        html: (r) => (r.wordings > 1 ? html`${r.text}<br><small>và ${fmtInt(r.wordings - 1)} cách viết khác</small>` : r.text),
      },
      { label: 'Dạng chuẩn hóa', id: 'normalized', technical: true, value: (r) => r.normalized },
      { label: 'Số lần hỏi', value: (r) => r.count, numeric: true },
      { label: 'Số lần trả lời được', value: (r) => r.answered, numeric: true },
      { label: 'Trả lời bằng mục (lần gần nhất)', id: 'entry', value: (r, ctx) => (r.matchedId ? titleOf(ctx.content, r.matchedId) : 'Chưa trả lời được'), html: (r, ctx) => entryTitle(ctx.content, r.matchedId, 'Chưa trả lời được') },
      { label: 'Mã mục', id: 'id', technical: true, value: (r) => r.matchedId ?? '', html: (r) => (r.matchedId ? html`<code>${r.matchedId}</code>` : '') },
    ],
    load: ({ store, range }) => store.topQuestions(range, 50),
  }),
  define<ReviewRow>({
    key: 'review',
    title: 'Câu hỏi trợ lý chưa trả lời được',
    note: 'Mới nhất trước; thông tin cá nhân đã được che (ví dụ [SĐT]). Câu đã có mục trả lời thì thêm làm một cách hỏi của mục đó; việc mới thì cần viết mục mới.',
    technicalNote: '“Dạng chuẩn hóa”: câu sau khi bỏ dấu và sửa lỗi gõ. “Điểm khớp”: từ 0 đến 1, càng gần 1 câu hỏi càng giống mục gần nhất; dưới ngưỡng thì trợ lý không trả lời.',
    empty: 'Không có câu hỏi nào cần xem lại trong khoảng thời gian này.',
    columns: [
      { label: 'Câu hỏi của người dân', value: (r) => r.text },
      { label: 'Dạng chuẩn hóa', id: 'normalized', technical: true, value: (r) => r.normalized },
      { label: 'Số lần hỏi', value: (r) => r.count, numeric: true },
      { label: 'Lần cuối', value: (r) => viDateTime(r.lastAt), date: 'datetime' },
      { label: 'Kết quả', value: (r) => OUTCOME_LABEL[r.outcome] ?? r.outcome },
      { label: 'Điểm khớp', id: 'score', technical: true, value: (r) => r.score, html: (r) => fmtDec(r.score), numeric: true },
      {
        label: 'Mục gần giống nhất',
        id: 'nearest',
        value: (r, ctx) => r.nearestIds.map((id) => titleOf(ctx.content, id)).join(' | '),
        html: (r, ctx) => (r.nearestIds.length ? html`${r.nearestIds.map((id) => html`<div>${titleOf(ctx.content, id)}</div>`)}` : html`<span class="muted">—</span>`),
      },
      { label: 'Mã mục gần nhất', id: 'nearest-ids', technical: true, value: (r) => r.nearestIds.join(' '), html: (r) => html`${r.nearestIds.map((id) => html`<code>${id}</code> `)}` },
    ],
    load: ({ store, range }) => store.reviewQuestions(range, 200),
  }),
  define<GuideRow & { title: string }>({
    key: 'guides',
    title: 'Hướng dẫn từng bước',
    note: '“Người” đếm mỗi người dân một lần (mã ẩn danh); “lượt” đếm mọi lần bắt đầu hoặc hoàn thành.',
    columns: [
      { label: 'Hướng dẫn', value: (r) => r.title },
      { label: 'Mã hướng dẫn', id: 'id', technical: true, value: (r) => r.guideId, html: (r) => html`<code>${r.guideId}</code>` },
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
  define<FunnelRow & { title: string; text: string; top: number }>({
    key: 'funnel',
    title: 'Người dân dừng ở bước nào',
    note: 'Với mỗi bước: số người tới bước đó, số người dừng hẳn ở bước đó (không hoàn thành), số lần bấm “Tôi bị lỗi” và số lần bỏ dở tại bước.',
    columns: [
      { label: 'Hướng dẫn', id: 'guide', value: (r) => r.title },
      { label: 'Mã hướng dẫn', id: 'id', technical: true, value: (r) => r.guideId, html: (r) => html`<code>${r.guideId}</code>` },
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
      return rows.map((r) => ({ ...r, title: titleOf(ctx.content, r.guideId), text: stepText(ctx.content.byId.get(r.guideId), r.step), top: top.get(r.guideId) ?? 0 }));
    },
  }),
  define<ReferralRow>({
    key: 'referrals',
    title: 'Theo mã giới thiệu (đội tình nguyện)',
    note: 'Mã của đội có trong đường link hoặc mã QR giới thiệu. “Hướng dẫn hoàn thành” đếm mỗi người × mỗi hướng dẫn một lần.',
    empty: 'Chưa có cuộc trò chuyện nào đến từ mã giới thiệu trong khoảng thời gian này.',
    columns: [
      { label: 'Mã giới thiệu', value: (r) => r.code, html: (r) => html`<strong>${r.code}</strong>` },
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
      { label: 'Mã hướng dẫn', id: 'id', technical: true, value: (r) => r.guideId, html: (r) => html`<code>${r.guideId}</code>` },
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
    note: 'Tin trả lời không gửi được tới người dân, và lý do.',
    technicalNote: '“Mã lỗi” là mã nền tảng (Zalo, Telegram) trả về.',
    empty: 'Không có lỗi gửi tin trong khoảng thời gian này.',
    columns: [
      { label: 'Kênh', value: (r) => channelLabel(r.channel) },
      { label: 'Lý do', value: (r) => failureReason(r.channel, r.code) },
      { label: 'Mã lỗi', id: 'code', technical: true, value: (r) => r.code, html: (r) => html`<code>${r.code}</code>` },
      { label: 'Số lần', value: (r) => r.count, numeric: true },
      { label: 'Lần cuối', value: (r) => viDateTime(r.lastAt), date: 'datetime' },
    ],
    load: ({ store, range }) => store.deliveryFailures(range),
  }),
  define<SensitiveRow>({
    key: 'sensitive',
    title: 'Tin nhắn có thông tin cá nhân',
    note: 'Người dân gửi thông tin cá nhân và đã được nhắc không chia sẻ. Nội dung không được lưu, chỉ đếm số lần theo loại; trong câu hỏi, thông tin đó hiện bằng ký hiệu thay thế.',
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
