/** The dashboard's pages: a shared layout, the login form, and tables rendered from tables.ts. */
import { formatDay } from '../../core/stats/store.js';
import { fmtInt, fmtPct, html, jsonForScript, type SafeHtml } from './html.js';
import type { LoadedTable } from './tables.js';
import { viDay } from './dates.js';

export const BASE = '/admin';

export interface PageTab {
  path: string;
  label: string;
}

export const TABS: readonly PageTab[] = [
  { path: '', label: 'Tổng quan' },
  { path: '/topics', label: 'Chủ đề' },
  { path: '/review', label: 'Cần xem lại' },
  { path: '/guides', label: 'Hướng dẫn từng bước' },
  { path: '/documents', label: 'Theo giấy tờ' },
  { path: '/referrals', label: 'Mã giới thiệu' },
  { path: '/teams', label: 'Đội tình nguyện' },
  { path: '/failures', label: 'Lỗi gửi tin' },
];

export interface RangeView {
  /** ISO days (yyyy-mm-dd) of the range shown. */
  from: string;
  to: string;
  /** The technical view: ids, normalized forms, scores (?view=technical). */
  technical?: boolean;
  /** Why the range asked for is not the one shown (bad date typed...). */
  warning?: string;
  /** What the official typed, put back in the inputs when it could not be read. */
  typed?: { from: string; to: string };
  /** One-click ranges offered in the date filter (dates.ts rangePresets). */
  presets?: ReadonlyArray<{ label: string; from: string; to: string }>;
  /** One commune of the official's scope (?commune=<id>), kept from page to page. */
  commune?: string;
}

/** The query string that keeps the range (and the view) from page to page. */
export const qs = (r: RangeView, extra = '') =>
  `?from=${encodeURIComponent(r.from)}&to=${encodeURIComponent(r.to)}${r.technical ? '&view=technical' : ''}${r.commune ? `&commune=${encodeURIComponent(r.commune)}` : ''}${extra}`;

/**
 * The page around every dashboard body. `csrf`: the session's token, for scripts and API clients
 * (`x-csrf-token`, see csrf.ts); `page`: another stylesheet and a class on <body>, for a page with
 * its own layout (the A4 poster).
 */
export function shell(title: string, body: SafeHtml, scripts: SafeHtml | '' = '', csrf?: string, page: { stylesheet?: string; bodyClass?: string } = {}): string {
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
${csrf ? html`<meta name="csrf-token" content="${csrf}">\n` : ''}<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${BASE}/assets/${page.stylesheet ?? 'admin.css'}">
</head>
<body${page.bodyClass ? html` class="${page.bodyClass}"` : ''}>
${body}
${scripts}
</body>
</html>`.value;
}

export interface LayoutOptions {
  title: string;
  active: string;
  range: RangeView;
  csrf: string;
  communeName?: string;
  body: SafeHtml;
  chartData?: unknown;
  /** Tabs only some officials have (comparing communes). */
  tabs?: readonly PageTab[];
}

export function layout(o: LayoutOptions): string {
  const nav = [...TABS, ...(o.tabs ?? [])].map(
    (t) => html`<a href="${BASE}${t.path}${qs(o.range)}" ${t.path === o.active ? html`aria-current="page"` : ''}>${t.label}</a>`,
  );
  const here = `${BASE}${o.active}`;
  const toggle = o.range.technical
    ? html`<a class="view-toggle" href="${here}${qs({ ...o.range, technical: false })}">Ẩn chi tiết kỹ thuật</a>`
    : html`<a class="view-toggle" href="${here}${qs({ ...o.range, technical: true })}" title="Mã mục, dạng chuẩn hóa của câu hỏi, điểm khớp: dành cho người quản trị nội dung">Xem chi tiết kỹ thuật</a>`;
  const typed = o.range.typed ?? { from: viDay(o.range.from), to: viDay(o.range.to) };
  const body = html`<header class="top">
  <h1>Thống kê <span class="wide-only">trợ lý </span>VNeID${o.communeName ? html`<span class="commune"> — ${o.communeName}</span>` : ''}</h1>
  <form class="logout" method="post" action="${BASE}/logout">
    <input type="hidden" name="csrf" value="${o.csrf}">
    <button class="link" type="submit">Đăng xuất</button>
  </form>
</header>
<nav class="tabs" aria-label="Các trang thống kê">${nav}</nav>
<main>
  <details class="range"${o.range.warning ? html` open` : ''}>
    <summary><span class="muted wide-only">Đang xem:</span> <strong>${viDay(o.range.from)} – ${viDay(o.range.to)}</strong> <span class="change">Đổi ngày</span></summary>
    <form method="get" action="${here}">
      <label>Từ ngày <input type="text" name="from" value="${typed.from}" inputmode="numeric" placeholder="ngày/tháng/năm" autocomplete="off" maxlength="20" required></label>
      <label>Đến ngày <input type="text" name="to" value="${typed.to}" inputmode="numeric" placeholder="ngày/tháng/năm" autocomplete="off" maxlength="20" required></label>
      ${o.range.technical ? html`<input type="hidden" name="view" value="technical">` : ''}
      ${o.range.commune ? html`<input type="hidden" name="commune" value="${o.range.commune}">` : ''}
      <button type="submit">Xem</button>
      <p class="hint">Nhập ngày theo dạng ngày/tháng/năm, ví dụ 01/03/2025.</p>
    </form>
    ${o.range.presets?.length ? html`<p class="presets">Chọn nhanh: ${o.range.presets.map((p, i) => html`${i > 0 ? ' · ' : ''}<a href="${here}${qs({ ...o.range, from: p.from, to: p.to })}">${p.label}</a>`)}</p>` : ''}
  </details>
  ${o.range.warning ? html`<p class="warning" role="alert">${o.range.warning}</p>` : ''}
  <div class="title-row"><h2 class="page-title">${o.title}</h2>${toggle}</div>
  ${o.body}
</main>
<footer>Số liệu ẩn danh: không lưu tên, số điện thoại, số định danh hay nội dung chưa che. Giờ Việt Nam (UTC+7). Dữ liệu cũ hơn thời hạn lưu trữ được tự động xóa hằng ngày.</footer>`;
  const scripts =
    o.chartData === undefined
      ? html`<script src="${BASE}/assets/admin.js"></script>`
      : html`<script type="application/json" id="chart-data">${jsonForScript(o.chartData)}</script>
<script src="${BASE}/assets/chart.umd.js"></script>
<script src="${BASE}/assets/admin.js"></script>`;
  return shell(`${o.title} — Thống kê VNeID`, body, scripts, o.csrf);
}

export function loginPage(o: { error?: string; next?: string; communeName?: string; usernames?: boolean }): string {
  return shell(
    'Đăng nhập — Thống kê VNeID',
    html`<main>
  <form class="login" method="post" action="${BASE}/login">
    <h1>Trang thống kê trợ lý VNeID</h1>
    <p class="muted">Dành cho cán bộ${o.communeName ? html` ${o.communeName}` : ''}. Nhập mật khẩu quản trị để xem số liệu.</p>
    ${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
    ${o.usernames ? html`<label>Tên đăng nhập
      <input type="text" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="32" autofocus>
      <span class="hint">Để trống nếu dùng mật khẩu quản trị chung.</span>
    </label>` : ''}
    <label>Mật khẩu
      <input type="password" name="password" autocomplete="current-password" required${o.usernames ? '' : html` autofocus`}>
    </label>
    <input type="hidden" name="next" value="${o.next ?? ''}">
    <button type="submit">Đăng nhập</button>
  </form>
</main>`,
  );
}

export function messagePage(title: string, message: string, link?: { href: string; label: string }): string {
  return shell(title, html`<main><div class="login"><h1>${title}</h1><p>${message}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}</div></main>`);
}

/**
 * The download links of a table: Excel (.xlsx, opens the same on any computer), CSV for Excel set
 * to Vietnamese (`;`), and in the technical view the usual `,` CSV too. `what` names the content.
 */
export function csvLinks(key: string, range: RangeView, what?: string): SafeHtml {
  return html`<p class="downloads">Tải về${what ? ` ${what}` : ''}: <a class="xlsx" href="${BASE}/xlsx/${key}${qs(range)}" download>Excel (.xlsx)</a> · <a class="csv" href="${BASE}/csv/${key}${qs(range)}" download title="Dấu chấm phẩy giữa các cột, dùng cho Excel cài đặt vùng Việt Nam">CSV</a>${
    range.technical ? html` · <a class="csv" href="${BASE}/csv/${key}${qs(range, '&sep=comma')}" download>CSV dấu phẩy</a>` : ''
  }</p>`;
}

/**
 * One table with its download link; `hide` leaves out columns by id. On a phone each row becomes
 * a card: every cell carries its column's name (data-label) for the stylesheet to show.
 */
export function tableBlock(t: LoadedTable, range: RangeView, o: { hide?: string[]; heading?: 'h2' | 'h3'; title?: string; csv?: boolean; rows?: LoadedTable['rows'] } = {}): SafeHtml {
  const cols = t.headers.map((_, i) => i).filter((i) => !(t.ids[i] && o.hide?.includes(t.ids[i]!)));
  const rows = o.rows ?? t.rows;
  const title = o.title ?? t.title;
  const heading = o.heading === 'h3' ? html`<h3>${title}</h3>` : html`<h2>${title}</h2>`;
  const csv = o.csv === false ? '' : csvLinks(t.key, range);
  const table =
    rows.length === 0
      ? html`<p class="empty">${t.empty}</p>`
      : html`<table class="stack">
<thead><tr>${cols.map((i) => html`<th scope="col"${t.numeric[i] ? html` class="n"` : ''}>${t.headers[i]}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${cols.map((i, k) => html`<td${t.numeric[i] ? html` class="n"` : k === 0 ? html` class="lead"` : ''} data-label="${t.headers[i]}"><div>${r.html[i]}</div></td>`)}</tr>`)}</tbody>
</table>`;
  return html`<section class="block" id="t-${t.key}" data-table="${t.key}">
${heading}
${t.note ? html`<p class="note">${t.note}</p>` : ''}
${csv}
${table}
</section>`;
}

export interface Card {
  key: string;
  label: string;
  value: string;
}

export function cards(list: readonly Card[]): SafeHtml {
  return html`<dl class="cards">${list.map((c) => html`<div class="card" data-card="${c.key}"><dt>${c.label}</dt><dd>${c.value}</dd></div>`)}</dl>`;
}

export function chartBlock(id: string, title: string, fallback: string): SafeHtml {
  return html`<section class="block"><h2>${title}</h2><div class="chart"><canvas id="${id}" role="img" aria-label="${fallback}"></canvas></div></section>`;
}

/** Per-day series with the days without questions as zeros (the table keeps days with data only). */
export function perDaySeries(rows: ReadonlyArray<{ day: string; answered: number; lowConfidence: number; unanswered: number }>, from: number, to: number) {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const labels: string[] = [];
  const answered: number[] = [];
  const lowConfidence: number[] = [];
  const unanswered: number[] = [];
  const days = Math.min(Math.round((to - from) / 86_400_000), 800);
  for (let i = 0; i < days; i++) {
    const day = formatDay(from + i * 86_400_000);
    const r = byDay.get(day);
    labels.push(`${day.slice(8, 10)}/${day.slice(5, 7)}`);
    answered.push(r?.answered ?? 0);
    lowConfidence.push(r?.lowConfidence ?? 0);
    unanswered.push(r?.unanswered ?? 0);
  }
  return { labels, answered, lowConfidence, unanswered };
}

/** Users per week with the weeks without anyone as zeros, from the Monday of the first week. */
export function perWeekSeries(rows: ReadonlyArray<{ week: string; users: number }>, from: number, to: number) {
  const byWeek = new Map(rows.map((r) => [r.week, r.users]));
  const first = formatDay(from);
  const weekday = (new Date(`${first}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
  const labels: string[] = [];
  const users: number[] = [];
  const start = Date.parse(`${first}T00:00:00Z`) - weekday * 86_400_000;
  const end = Date.parse(`${formatDay(to - 1)}T00:00:00Z`);
  for (let t = start, i = 0; t <= end && i < 600; t += 7 * 86_400_000, i++) {
    const week = new Date(t).toISOString().slice(0, 10);
    labels.push(`${week.slice(8, 10)}/${week.slice(5, 7)}`);
    users.push(byWeek.get(week) ?? 0);
  }
  return { labels, users };
}

export { fmtInt, fmtPct };
