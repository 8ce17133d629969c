/**
 * The dashboard's own stylesheet and script, served from memory under /admin/assets/ (a strict
 * CSP allows only same-origin scripts and styles: no inline code, no CDN). Chart.js is read from
 * node_modules at start-up.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const ADMIN_CSS = `
:root { --fg: #1b1f24; --muted: #5b6570; --line: #d9dee3; --bg: #f5f7f9; --card: #fff; --accent: #0b5cad; --ok: #2e7d32; --warn: #b26a00; --bad: #c62828; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
header.top { background: #0b3d6e; color: #fff; padding: .5rem 1rem; display: flex; align-items: center; gap: .75rem; }
header.top h1 { font-size: 1.1rem; margin: 0; flex: 1; min-width: 0; }
header.top form.logout { margin: 0; flex: none; }
nav.tabs { display: flex; flex-wrap: wrap; gap: .25rem; padding: .4rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
nav.tabs a { padding: .4rem .6rem; border-radius: .4rem; text-decoration: none; font-size: .95rem; white-space: nowrap; }
nav.tabs a[aria-current="page"] { background: var(--accent); color: #fff; }
main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
details.range { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; margin-bottom: .75rem; }
details.range summary { padding: .5rem .75rem; cursor: pointer; list-style: none; display: flex; flex-wrap: wrap; gap: .35rem; align-items: baseline; }
details.range summary::-webkit-details-marker { display: none; }
details.range summary .change { color: var(--accent); text-decoration: underline; margin-left: auto; }
details.range form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; padding: 0 .75rem .75rem; }
details.range label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
details.range .hint { flex-basis: 100%; margin: 0; font-size: .8rem; color: var(--muted); }
details.range .presets { margin: 0; padding: 0 .75rem .75rem; font-size: .9rem; }
input, button { font: inherit; }
input[type="text"], input[type="password"] { padding: .45rem .5rem; border: 1px solid var(--line); border-radius: .4rem; min-height: 2.5rem; }
details.range input[type="text"] { width: 9.5rem; }
button { padding: .5rem .9rem; border: 0; border-radius: .4rem; background: var(--accent); color: #fff; min-height: 2.5rem; cursor: pointer; }
button.link { background: transparent; color: #fff; text-decoration: underline; padding: 0; min-height: 0; }
.title-row { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: .25rem .75rem; margin: 0 0 .75rem; }
.view-toggle { font-size: .875rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .75rem; margin-bottom: 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .75rem; }
.card dt { font-size: .85rem; color: var(--muted); }
.card dd { margin: .25rem 0 0; font-size: 1.5rem; font-weight: 600; }
section.block { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .75rem; margin-bottom: 1rem; }
section.block h2 { font-size: 1.05rem; margin: 0 0 .25rem; }
section.block h3 { font-size: 1rem; margin: .75rem 0 .25rem; }
.note { color: var(--muted); font-size: .875rem; margin: .25rem 0 .5rem; }
.downloads { font-size: .875rem; margin: .25rem 0; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: .925rem; margin-top: .5rem; }
th, td { border-bottom: 1px solid var(--line); padding: .4rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eef2f6; font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td small { color: var(--muted); }
td > div > div + div { margin-top: .3rem; }
code { font-size: .85em; background: #eef2f6; padding: 0 .2em; border-radius: .2em; overflow-wrap: anywhere; }
progress { width: 6rem; height: .8rem; vertical-align: middle; }
.muted { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.chart { position: relative; height: 280px; }
.warning { background: #fff4e5; border: 1px solid #f0c36d; padding: .5rem .75rem; border-radius: .4rem; margin-bottom: 1rem; }
.error { background: #fdecea; border: 1px solid #f5c2c0; padding: .5rem .75rem; border-radius: .4rem; margin-bottom: 1rem; }
.login { max-width: 380px; margin: 3rem auto; background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: 1.25rem; }
.login h1 { font-size: 1.2rem; margin-top: 0; }
.login label { display: block; margin-bottom: .75rem; }
.login input { width: 100%; margin-top: .25rem; }
.page-title { font-size: 1.2rem; margin: 0; }
footer { color: var(--muted); font-size: .8rem; padding: 1rem; text-align: center; }
/* Phones: one line of header, one scrolling line of tabs, the date filter folded, and every table
   row as a card (label: value), so nothing scrolls sideways. */
@media (max-width: 640px) {
  header.top { padding: .4rem .75rem; }
  header.top h1 { font-size: .95rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  nav.tabs { flex-wrap: nowrap; overflow-x: auto; padding: .3rem .5rem; scrollbar-width: none; }
  nav.tabs::-webkit-scrollbar { display: none; }
  nav.tabs a { font-size: .9rem; padding: .35rem .5rem; }
  main { padding: .5rem; }
  .page-title { font-size: 1.05rem; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .5rem; }
  .card { padding: .5rem .6rem; }
  .card dd { font-size: 1.25rem; }
  section.block { padding: .6rem; }
  .chart { height: 220px; }
  details.range input[type="text"] { width: 8.5rem; }
  table.stack, table.stack tbody { display: block; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack tr { display: block; border: 1px solid var(--line); border-radius: .4rem; padding: .35rem .5rem; margin-bottom: .5rem; }
  .wide-only { display: none; }
  details.range summary { flex-wrap: nowrap; }
  table.stack td, table.stack td.n { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: .75rem; border: 0; padding: .15rem 0; text-align: left; white-space: normal; }
  table.stack td::before { content: attr(data-label); color: var(--muted); text-align: left; }
  table.stack td.lead { display: block; text-align: left; font-weight: 600; padding-bottom: .25rem; }
  table.stack td.lead::before { content: none; }
  table.stack td.lead small { font-weight: 400; }
  progress { width: 4rem; }
}
`;

export const ADMIN_JS = `(function () {
  'use strict';
  // On a phone the tabs scroll sideways in one line: bring the current one into sight.
  var current = document.querySelector('nav.tabs [aria-current="page"]');
  if (current && current.parentNode.scrollWidth > current.parentNode.clientWidth) {
    current.parentNode.scrollLeft = current.offsetLeft - 16;
  }
  var data = document.getElementById('chart-data');
  if (!data || typeof Chart === 'undefined') return;
  var d = JSON.parse(data.textContent || '{}');
  var ticks = { precision: 0 };
  var day = document.getElementById('chart-per-day');
  if (day && d.perDay) {
    new Chart(day, {
      type: 'bar',
      data: {
        labels: d.perDay.labels,
        datasets: [
          { label: 'Trả lời được', data: d.perDay.answered, backgroundColor: '#2e7d32', stack: 'q' },
          { label: 'Chưa chắc', data: d.perDay.lowConfidence, backgroundColor: '#f0a500', stack: 'q' },
          { label: 'Không trả lời được', data: d.perDay.unanswered, backgroundColor: '#c62828', stack: 'q' }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: ticks } },
        plugins: { legend: { position: 'bottom' } }
      }
    });
    day.setAttribute('data-ready', 'true');
  }
  var week = document.getElementById('chart-per-week');
  if (week && d.perWeek) {
    new Chart(week, {
      type: 'line',
      data: { labels: d.perWeek.labels, datasets: [{ label: 'Người dùng mỗi tuần', data: d.perWeek.users, borderColor: '#0b5cad', backgroundColor: '#0b5cad', tension: 0.2 }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: ticks } }, plugins: { legend: { position: 'bottom' } } }
    });
    week.setAttribute('data-ready', 'true');
  }
})();
`;

let chartJs: string | undefined;

/** Chart.js UMD build from node_modules (served by us: no CDN, works offline in a commune office). */
export function chartJsSource(): string {
  if (chartJs === undefined) {
    const require = createRequire(import.meta.url);
    chartJs = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8');
  }
  return chartJs;
}
