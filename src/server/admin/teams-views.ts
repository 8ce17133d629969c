/**
 * The volunteer teams' pages: the list with its creation form and counts (inside the dashboard
 * layout), and each team's printable A4 poster (a page of its own, print CSS, @page A4).
 */
import { html, fmtInt, type SafeHtml } from './html.js';
import { BASE, shell } from './views.js';
import { viDay } from './tables.js';
import { formatDay } from '../../core/stats/store.js';
import type { Team } from '../../storage/storage.js';
import { CHANNEL_NAMES, HELPS_WITH, howTo, SCAM_WARNING, shareText, type PosterLink } from './teams-links.js';
import { TEAM_NAME_MAX } from './teams-input.js';

export const TEAMS_PATH = '/teams';

/** One team's numbers over the range (no personal data: counts of anonymous keys). */
export interface TeamCounts {
  conversations: number;
  users: number;
  /** People who completed the activation walkthrough. */
  activations: number;
  /** (person, integration guide) completions: BHYT, GPLX, vehicle, tax code, dependants. */
  integrations: number;
}

export interface TeamRow {
  team: Team;
  counts: TeamCounts;
}

export interface TeamFormState {
  values?: { name?: string; code?: string; commune?: string };
  error?: string;
  created?: Team;
  renamed?: Team;
}

export const posterPath = (code: string) => `${BASE}${TEAMS_PATH}/${encodeURIComponent(code)}/poster`;
export const renamePath = (code: string) => `${BASE}${TEAMS_PATH}/${encodeURIComponent(code)}/name`;
export const qrPath = (code: string, channel: string) => `${BASE}${TEAMS_PATH}/${encodeURIComponent(code)}/qr/${channel}.png`;

const COLUMNS: ReadonlyArray<{ label: string; numeric?: boolean }> = [
  { label: 'Mã' },
  { label: 'Tên đội' },
  { label: 'Xã/phường' },
  { label: 'Ngày tạo' },
  { label: 'Cuộc trò chuyện', numeric: true },
  { label: 'Người dùng', numeric: true },
  { label: 'Kích hoạt tài khoản (người)', numeric: true },
  { label: 'Tích hợp giấy tờ (lượt hoàn thành)', numeric: true },
  { label: 'Áp phích' },
];

const assets = html`<link rel="stylesheet" href="${BASE}/assets/teams.css">`;
const script = html`<script src="${BASE}/assets/teams.js"></script>`;

export function teamsBody(o: {
  rows: readonly TeamRow[];
  csrf: string;
  form: TeamFormState;
  communeLabel: (id: string | null) => string;
  /** The server's communes: a list to choose from; none: a free id. */
  communes: ReadonlyArray<{ id: string; name: string }>;
}): SafeHtml {
  const v = o.form.values ?? {};
  const created = o.form.created;
  const table =
    o.rows.length === 0
      ? html`<p class="empty">Chưa có đội nào. Tạo mã cho đội đầu tiên ở trên.</p>`
      : html`<table class="stack">
<thead><tr>${COLUMNS.map((c) => html`<th scope="col"${c.numeric ? html` class="n"` : ''}>${c.label}</th>`)}</tr></thead>
<tbody>${o.rows.map((r) => {
          const cells: Array<string | SafeHtml> = [
            html`<code>${r.team.code}</code>`,
            r.team.name,
            o.communeLabel(r.team.commune),
            viDay(formatDay(r.team.createdAt)),
            fmtInt(r.counts.conversations),
            fmtInt(r.counts.users),
            fmtInt(r.counts.activations),
            fmtInt(r.counts.integrations),
            html`<a href="${posterPath(r.team.code)}">Xem và in</a>
<details class="rename"><summary>Đổi tên</summary><form method="post" action="${renamePath(r.team.code)}"><input type="hidden" name="csrf" value="${o.csrf}"><label>Tên mới <input type="text" name="name" required maxlength="${TEAM_NAME_MAX}" value="${r.team.name}"></label><button type="submit">Lưu tên</button></form></details>`,
          ];
          // On a phone each row is a card (the dashboard's table.stack): every cell names its column.
          return html`<tr data-code="${r.team.code}">${cells.map(
            (cell, i) => html`<td${COLUMNS[i]!.numeric ? html` class="n"` : i === 0 ? html` class="lead"` : ''} data-label="${COLUMNS[i]!.label}"><div>${cell}</div></td>`,
          )}</tr>`;
        })}</tbody>
</table>`;
  return html`${assets}
<section class="block" id="team-form">
<h2>Tạo mã cho đội tình nguyện</h2>
<p class="note">Mỗi đội (đoàn thanh niên, hội phụ nữ, tổ dân phố…) có một mã riêng, in trên áp phích có mã QR. Người dân quét mã là trò chuyện được với trợ lý; số liệu bên dưới đếm theo mã, không lưu thông tin cá nhân nào.</p>
${o.form.error ? html`<p class="error" role="alert">${o.form.error}</p>` : ''}
${o.form.renamed ? html`<p class="ok" role="status">Đã đổi tên đội <strong>${o.form.renamed.code}</strong> thành “${o.form.renamed.name}”. Mã và số liệu của đội giữ nguyên.</p>` : ''}
${created ? html`<p class="ok" role="status">Đã tạo mã <strong>${created.code}</strong> cho đội “${created.name}”. <a href="${posterPath(created.code)}">Xem và in áp phích</a></p>` : ''}
<form class="team" method="post" action="${BASE}${TEAMS_PATH}">
  <input type="hidden" name="csrf" value="${o.csrf}">
  <label>Tên đội <input type="text" name="name" required maxlength="${TEAM_NAME_MAX}" value="${v.name ?? ''}" placeholder="Ví dụ: Đoàn thanh niên thôn 3"></label>
  ${o.communes.length > 0
    ? html`<label>Xã/phường <select name="commune" required><option value="">— Chọn xã/phường —</option>${o.communes.map(
        (c) => html`<option value="${c.id}"${v.commune === c.id ? html` selected` : ''}>${c.name}</option>`,
      )}</select></label>`
    : html`<label>Xã/phường (mã, không bắt buộc) <input type="text" name="commune" maxlength="64" value="${v.commune ?? ''}" placeholder="Ví dụ: loc-hoa"></label>`}
  <label>Mã đội (không bắt buộc) <input type="text" name="code" maxlength="32" value="${v.code ?? ''}" placeholder="Để trống: tự tạo" autocapitalize="characters"></label>
  <button type="submit">Tạo mã</button>
</form>
</section>
<section class="block" id="t-teams" data-table="teams">
<h2>Các đội và số liệu trong khoảng ngày đã chọn</h2>
<p class="note">Cuộc trò chuyện: bắt đầu qua mã QR (Telegram, trang web) hoặc khi người dân gửi mã cho Zalo OA. Kích hoạt: số người hoàn thành hướng dẫn kích hoạt tài khoản. Tích hợp giấy tờ: số lượt người hoàn thành hướng dẫn tích hợp BHYT, GPLX, đăng ký xe, mã số thuế, người phụ thuộc.</p>
${table}
</section>`;
}

/** The printable poster: A4, one QR code per configured channel, the team's code in large type. */
export function posterPage(o: { team: Team; links: readonly PosterLink[]; communeName: string; csrf: string; communeLabel: string }): string {
  const { team, links } = o;
  const needsTyping = links.some((l) => !l.carriesCode);
  const qrs =
    links.length === 0
      ? html`<p class="error" role="alert">Chưa cấu hình kênh nào để in mã QR. Quản trị máy chủ cần đặt ZALO_OA_ID (Zalo OA), TELEGRAM_BOT_TOKEN (Telegram) hoặc PUBLIC_URL (trang web) rồi khởi động lại.</p>`
      : html`<div class="qrs qrs-${links.length}">${links.map(
          (l) => html`<figure class="qr" data-channel="${l.channel}">
<img src="${qrPath(team.code, l.channel)}" alt="Mã QR mở ${CHANNEL_NAMES[l.channel]}: ${l.url}" width="300" height="300">
<figcaption><strong>${CHANNEL_NAMES[l.channel]}</strong>: ${l.botName}<br><span class="how">${howTo(l, team.code)}</span><br><span class="url">${l.url}</span></figcaption>
</figure>`,
        )}</div>`;
  const text = shareText(team.code, links, o.communeName);
  const page = html`<nav class="toolbar screen-only"><a href="${BASE}${TEAMS_PATH}">← Các đội tình nguyện</a> <button type="button" data-print>In áp phích (khổ A4)</button></nav>
<article class="poster">
<header>
<p class="commune">${o.communeName}</p>
<h1>TRỢ LÝ VNeID</h1>
<p class="tagline">Hỏi đáp và hướng dẫn dùng ứng dụng VNeID — miễn phí, mọi lúc</p>
</header>
<ul class="helps">${HELPS_WITH.map((h) => html`<li>${h}</li>`)}</ul>
${qrs}
<p class="code">Mã đội: <strong>${team.code}</strong>${needsTyping ? html`<br><span>(Trên Zalo, gửi mã này làm tin nhắn đầu tiên)</span>` : ''}</p>
<p class="scam" role="note">⚠ ${SCAM_WARNING}</p>
<footer>Đội giới thiệu: ${team.name}${o.communeLabel ? html` — ${o.communeLabel}` : ''}. Trợ lý không hỏi và không lưu họ tên, số điện thoại hay số định danh của bạn.</footer>
</article>
<section class="share screen-only" aria-labelledby="share-title">
<h2 id="share-title">Nội dung chia sẻ qua Zalo</h2>
<p class="note">Sao chép rồi dán vào tin nhắn Zalo gửi người thân, nhóm thôn, tổ dân phố.</p>
<textarea id="share-text" rows="12" readonly>${text}</textarea>
<p><button type="button" data-copy="share-text">Sao chép nội dung</button> <span id="copy-status" role="status"></span></p>
</section>
`;
  return shell(`Áp phích — ${team.name} (${team.code})`, page, script, o.csrf, { stylesheet: 'teams.css', bodyClass: 'poster-page' });
}
