/**
 * Stylesheet and script of the volunteer teams' pages, served from memory under /admin/assets/
 * like the dashboard's own (the CSP allows same-origin files only: no inline style or script).
 * The poster is A4 in print: one page, no navigation, the share box left out.
 */
export const TEAMS_CSS = `
form.team { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .75rem; align-items: end; }
form.team label { display: flex; flex-direction: column; font-size: .9rem; color: var(--muted, #5b6570); }
form.team input[type="text"], form.team select { font: inherit; padding: .45rem .5rem; border: 1px solid #d9dee3; border-radius: .4rem; min-height: 2.5rem; margin-top: .25rem; color: #1b1f24; }
.ok { background: #edf7ed; border: 1px solid #a5d6a7; padding: .5rem .75rem; border-radius: .4rem; margin-bottom: 1rem; }
details.rename { margin-top: .35rem; }
details.rename summary { cursor: pointer; color: var(--accent, #0b5cad); min-height: 2.75rem; display: flex; align-items: center; }
details.rename form { display: flex; flex-wrap: wrap; gap: .4rem; align-items: end; }
details.rename label { display: flex; flex-direction: column; font-size: .9rem; min-width: 0; flex: 1 1 10rem; }
details.rename input[type="text"] { font: inherit; padding: .4rem .5rem; border: 1px solid #d9dee3; border-radius: .4rem; min-height: 2.75rem; max-width: 100%; box-sizing: border-box; }
details.rename button { font: inherit; min-height: 2.75rem; padding: .4rem .8rem; }

body.poster-page { margin: 0; background: #e9edf1; color: #111; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; }
.toolbar { display: flex; gap: 1rem; align-items: center; justify-content: space-between; max-width: 210mm; margin: 0 auto; padding: .75rem 1rem; }
.toolbar button, .share button { font: inherit; padding: .5rem .9rem; border: 0; border-radius: .4rem; background: #0b5cad; color: #fff; min-height: 2.5rem; cursor: pointer; }
.poster { background: #fff; width: 210mm; max-width: 100%; min-height: 297mm; margin: 0 auto; padding: 14mm 14mm 10mm; box-sizing: border-box; display: flex; flex-direction: column; gap: 5mm; }
.poster header { text-align: center; border-bottom: 2px solid #b71c1c; padding-bottom: 4mm; }
.poster .commune { margin: 0; font-size: 14pt; text-transform: uppercase; letter-spacing: .02em; }
.poster h1 { margin: 2mm 0; font-size: 40pt; color: #b71c1c; letter-spacing: .03em; }
.poster .tagline { margin: 0; font-size: 15pt; }
.poster .helps { margin: 0; padding-left: 7mm; font-size: 14pt; }
.poster .helps li { margin: 1.5mm 0; }
.poster .qrs { display: grid; gap: 6mm; justify-items: center; }
.poster .qrs-1 { grid-template-columns: 1fr; }
.poster .qrs-2 { grid-template-columns: 1fr 1fr; }
.poster .qrs-3 { grid-template-columns: 1fr 1fr 1fr; }
.poster figure.qr { margin: 0; text-align: center; }
.poster figure.qr img { width: 75mm; height: 75mm; image-rendering: pixelated; }
.poster .qrs-2 figure.qr img { width: 70mm; height: 70mm; }
.poster .qrs-3 figure.qr img { width: 52mm; height: 52mm; }
.poster figcaption { font-size: 12pt; }
.poster figcaption .url { font-size: 9pt; color: #444; word-break: break-all; }
.poster .code { text-align: center; font-size: 16pt; margin: 0; }
.poster .code strong { font-size: 30pt; letter-spacing: .08em; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.poster .code span { font-size: 12pt; }
.poster .scam { border: 2px solid #b71c1c; background: #fdecea; padding: 3mm 4mm; font-size: 13pt; font-weight: 600; margin: 0; }
.poster footer { margin-top: auto; font-size: 10pt; color: #333; text-align: center; }
.share { max-width: 210mm; margin: 1rem auto 2rem; padding: 1rem; background: #fff; box-sizing: border-box; }
.share h2 { margin-top: 0; font-size: 1.1rem; }
.share textarea { width: 100%; box-sizing: border-box; font: inherit; padding: .5rem; }
.share .note { color: #5b6570; }
.error { background: #fdecea; border: 1px solid #f5c2c0; padding: .5rem .75rem; border-radius: .4rem; }

@page { size: A4; margin: 0; }
@media print {
  body.poster-page { background: #fff; }
  .screen-only { display: none !important; }
  .poster { width: 210mm; height: 297mm; min-height: 0; margin: 0; overflow: hidden; break-after: avoid; }
  .poster .scam { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/** Print button and "copy the share text" (clipboard API, or selecting the text where it is missing). */
export const TEAMS_JS = `
'use strict';
document.querySelectorAll('[data-print]').forEach(function (b) {
  b.addEventListener('click', function () { window.print(); });
});
document.querySelectorAll('[data-copy]').forEach(function (b) {
  b.addEventListener('click', function () {
    var box = document.getElementById(b.getAttribute('data-copy'));
    var status = document.getElementById('copy-status');
    if (!box) return;
    var done = function () { if (status) status.textContent = 'Đã sao chép. Mở Zalo và dán vào tin nhắn.'; };
    var fallback = function () {
      box.focus();
      box.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      if (ok) done(); else if (status) status.textContent = 'Chưa sao chép được: nội dung đã được chọn, bạn bấm giữ rồi chọn “Sao chép”.';
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(box.value).then(done, fallback);
    else fallback();
  });
});
`;
