/**
 * The dashboard's part of officials improving the answers: the actions on each row of the review
 * list (attach to an entry chosen by its Vietnamese title, or dismiss as off-topic), and the page
 * listing the changes made, with undo and the exports.
 */
import type { ContentBase } from '../../core/content/loader.js';
import type { ReviewChange } from '../../core/review/changes.js';
import type { ReviewRow } from '../../core/stats/store.js';
import { html, type SafeHtml } from './html.js';
import type { LoadedTable } from './tables.js';
import { viDateTime } from './tables.js';
import { BASE, type RangeView } from './views.js';

export const REVIEW_BASE = `${BASE}/review`;

export const REVIEW_CSS = `
.review-actions { min-width: 16rem; text-align: left; }
.review-actions form { display: flex; flex-wrap: wrap; gap: .35rem; align-items: center; margin: 0 0 .35rem; }
.review-actions input[type="text"] { flex: 1 1 12rem; min-width: 0; width: 100%; padding: .4rem .5rem; border: 1px solid var(--line); border-radius: .4rem; min-height: 2.5rem; }
button.secondary { background: #fff; color: var(--accent); border: 1px solid var(--accent); }
.ok { background: #e8f5e9; border: 1px solid #a5d6a7; padding: .5rem .75rem; border-radius: .4rem; margin-bottom: 1rem; }
.undone { color: var(--muted); text-decoration: line-through; }
/* On a phone the row is a card: the actions take its whole width under their label. */
@media (max-width: 640px) {
  table.stack td[data-label="Xử lý"] { display: block; }
  table.stack td[data-label="Xử lý"]::before { display: block; margin-bottom: .25rem; }
  .review-actions { min-width: 0; }
  .review-actions button { flex: 1 1 auto; }
}
`;

/** The search list of entries, by Vietnamese title: one per page, shared by every row's input. */
export const ENTRY_LIST_ID = 'review-entries';

/** "Tiêu đề (mã)": what the search list offers and the server reads back (ReviewService.resolveEntry). */
export const entryChoice = (content: ContentBase, id: string) => {
  const e = content.byId.get(id);
  return e ? `${e.title} (${e.id})` : id;
};

export function entryDatalist(content: ContentBase): SafeHtml {
  const sorted = [...content.entries].sort((a, b) => a.title.localeCompare(b.title, 'vi'));
  return html`<datalist id="${ENTRY_LIST_ID}">${sorted.map((e) => html`<option value="${entryChoice(content, e.id)}"></option>`)}</datalist>`;
}

const hiddenRange = (range: RangeView) => html`<input type="hidden" name="from" value="${range.from}"><input type="hidden" name="to" value="${range.to}">`;

/** The two forms of one review row. */
function rowActions(row: ReviewRow, content: ContentBase, csrf: string, range: RangeView): SafeHtml {
  const nearest = row.nearestIds[0];
  const hidden = html`<input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="text" value="${row.text}"><input type="hidden" name="normalized" value="${row.normalized}">${hiddenRange(range)}`;
  return html`<div class="review-actions">
<form method="post" action="${REVIEW_BASE}/attach">${hidden}
<input type="text" name="id" list="${ENTRY_LIST_ID}" value="${nearest ? entryChoice(content, nearest) : ''}" placeholder="Gõ để tìm mục theo tiêu đề" aria-label="Mục sẽ trả lời câu hỏi này" required>
<button type="submit">Thêm làm cách hỏi</button></form>
<form method="post" action="${REVIEW_BASE}/dismiss">${hidden}<button type="submit" class="secondary">Bỏ qua (ngoài phạm vi)</button></form>
</div>`;
}

/** The review table with a last column of actions (the CSV download keeps the table's own columns). */
export function withReviewActions(table: LoadedTable, content: ContentBase, csrf: string, range: RangeView): LoadedTable {
  return {
    ...table,
    headers: [...table.headers, 'Xử lý'],
    ids: [...table.ids, 'actions'],
    numeric: [...table.numeric, false],
    rows: table.rows.map((r) => ({ ...r, cells: [...r.cells, ''], html: [...r.html, rowActions(r.raw as ReviewRow, content, csrf, range)] })),
  };
}

/** Above the review list: what the actions do, the result of the last one, the way to the list of changes. */
export function reviewIntro(range: RangeView, done?: string): SafeHtml {
  const message = done ? DONE_MESSAGES[done] : undefined;
  return html`${message ? html`<p class="ok" role="status">${message}</p>` : ''}
<p class="note">Với mỗi câu hỏi: chọn mục trả lời đúng (gõ vài chữ của tiêu đề để tìm) rồi bấm “Thêm làm cách hỏi” — trợ lý trả lời câu đó bằng mục này ngay lập tức. Câu không liên quan đến VNeID thì bấm “Bỏ qua”. Mọi thay đổi đều xem lại và hoàn tác được ở trang <a href="${REVIEW_BASE}/changes?from=${range.from}&to=${range.to}">Các thay đổi đã làm</a>.</p>`;
}

export const DONE_MESSAGES: Record<string, string> = {
  attached: 'Đã thêm câu hỏi làm cách hỏi mới. Trợ lý đã trả lời câu này bằng mục đã chọn.',
  dismissed: 'Đã bỏ qua câu hỏi (ngoài phạm vi). Câu này không còn trong danh sách cần xem lại.',
  undone: 'Đã hoàn tác thay đổi.',
};

const KIND_LABEL: Record<ReviewChange['kind'], string> = {
  phrasing: 'Thêm cách hỏi',
  dismissal: 'Bỏ qua (ngoài phạm vi)',
};

/** The body of the page listing changes. */
export function changesBody(changes: readonly ReviewChange[], content: ContentBase, csrf: string, range: RangeView, done?: string): SafeHtml {
  const message = done ? DONE_MESSAGES[done] : undefined;
  const rows = changes.map((c) => {
    const entry = c.entryId ? content.byId.get(c.entryId) : undefined;
    const state =
      c.undoneAt === null
        ? html`<form method="post" action="${REVIEW_BASE}/undo"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="id" value="${c.id}">${hiddenRange(range)}<button type="submit" class="secondary">Hoàn tác</button></form>`
        : html`<span class="muted">Đã hoàn tác ${viDateTime(c.undoneAt)}${c.undoneBy ? html` (${c.undoneBy})` : ''}</span>`;
    const cell = (label: string, content: SafeHtml | string, cls?: string) => html`<td data-label="${label}"${cls ? html` class="${cls}"` : ''}><div>${content}</div></td>`;
    return html`<tr data-change="${c.id}">
${cell('Câu hỏi', c.text, c.undoneAt === null ? 'lead' : 'lead undone')}${cell('Việc', KIND_LABEL[c.kind])}
${cell('Mục', entry ? html`${entry.title}<br><small><code>${entry.id}</code></small>` : c.entryId ? html`<code>${c.entryId}</code> <small>(mục không còn trong nội dung)</small>` : html`<span class="muted">—</span>`)}
${cell('Người làm', c.by)}${cell('Lúc', viDateTime(c.at))}${cell('Số', String(c.id), 'n')}${cell('Trạng thái', state)}</tr>`;
  });
  return html`${message ? html`<p class="ok" role="status">${message}</p>` : ''}
<section class="block" id="t-review-changes">
<h2>Các thay đổi đã làm</h2>
<p class="note">Mới nhất trước. Cách hỏi thêm ở đây có hiệu lực ngay và vẫn giữ sau khi khởi động lại máy chủ. Để đưa vào nội dung chính thức (thư mục content/), tải bản vá và gửi cho người quản lý nội dung xem xét.</p>
<p><a href="${REVIEW_BASE}/export.patch" download>Tải bản vá cho content/ (.patch)</a> · <a href="${REVIEW_BASE}/export.yaml" download>Tải đoạn YAML theo từng mục</a> · <a href="${BASE}/review?from=${range.from}&to=${range.to}">Quay lại danh sách cần xem lại</a></p>
${
  changes.length === 0
    ? html`<p class="empty">Chưa có thay đổi nào.</p>`
    : html`<table class="stack">
<thead><tr><th scope="col">Câu hỏi</th><th scope="col">Việc</th><th scope="col">Mục</th><th scope="col">Người làm</th><th scope="col">Lúc</th><th scope="col" class="n">Số</th><th scope="col">Trạng thái</th></tr></thead>
<tbody>${rows}</tbody></table>`
}
</section>`;
}
