/**
 * `npm run eval -- [FILE.jsonl FILE.txt …] [--misses] [--loo]`: how well the bot understands
 * labelled questions, each read exactly as the bot reads a first message ({"q","accept":[ids]}; an
 * empty accept = out of scope; a .txt file: one out-of-scope question a line), per file:
 * - top-1: the bot answers with an accepted entry;
 * - one tap: answered right, or the right entry is among the "Ý bạn là…?" buttons;
 * - out of scope rejected: no answer given;
 * - rank-1: the best-ranked entry is right, threshold ignored;
 * beside the same numbers for a plain MiniSearch index over the same content (the baseline).
 * `--misses` lists every miss; `--loo` adds leave-one-out over the content's own phrasings (slow:
 * the index and the classifier are rebuilt for every phrasing). Without files: every labelled file
 * of test/fixtures and ../shared/eval (lib/labelled-files.ts).
 *
 * Emergency files ({"q","numbers":["113"]}; no numbers = not an emergency) report how many
 * emergencies get at least the numbers they need, and how many other messages are left alone;
 * small-talk files ({"q","kind":"thanks"}; null = a question) how many are small talk of that kind,
 * and how many questions are still read as questions.
 */
import { relative } from 'node:path';
import { loadKnowledge } from '../core/knowledge.js';
import { Matcher } from '../core/match/matcher.js';
import { miniSearchBaseline } from './lib/baseline.js';
import { interpret } from '../core/understand/interpret.js';
import { rowOf } from './lib/ask-row.js';
import { labelledFiles, labelOf, readLabelled, readRows, type Labelled } from './lib/labelled-files.js';
import type { Knowledge } from '../core/knowledge.js';

const args = process.argv.slice(2);
const named = args.filter((a) => !a.startsWith('--'));
const files = named.length > 0 ? named : labelledFiles().map((f) => relative(process.cwd(), f));
const showMisses = args.includes('--misses');
// CONTENT_DIR: another content folder, as for the server.
const knowledge = loadKnowledge(process.env.CONTENT_DIR || undefined);
const baseline = miniSearchBaseline(knowledge.content);

interface Verdict {
  id: string | null;
  score: number;
  nearest: string | null;
  suggest: readonly string[];
}

/** The bot's own reading of a first message (emergencies, scrubbing, small talk, matching), as `ask` prints it. */
const ask = (k: Knowledge) => (q: string): Verdict => {
  const u = interpret(q, k);
  const row = rowOf(q, u);
  const nearest = 'match' in u ? u.match.nearest : row.id;
  return { id: row.id, score: row.score, nearest, suggest: row.suggest };
};

const pct = (a: number, b: number) => (b === 0 ? '   –   ' : `${((100 * a) / b).toFixed(1).padStart(5)} %`);

function report(title: string, rows: Labelled[], answer: (q: string) => Verdict) {
  let top1 = 0, oneTap = 0, rank1 = 0, base1 = 0, inN = 0, outOk = 0, outN = 0;
  const misses: string[] = [];
  for (const row of rows) {
    const r = answer(row.q);
    if (row.accept.length > 0) {
      inN++;
      const ok = r.id !== null && row.accept.includes(r.id);
      if (ok) top1++;
      if (ok || (r.id === null && r.suggest.some((s) => row.accept.includes(s)))) oneTap++;
      if (r.nearest && row.accept.includes(r.nearest)) rank1++;
      if (row.accept.includes(baseline.search(row.q, 1)[0] ?? '')) base1++;
      if (!ok) misses.push(`  ✗ "${row.q}" → ${r.id ?? `null (gần nhất ${r.nearest}${r.suggest.length ? `, gợi ý ${r.suggest.join(' ')}` : ''})`} ${r.score.toFixed(2)}, cần ${row.accept.join(' | ')}`);
    } else {
      outN++;
      if (r.id === null) outOk++;
      else misses.push(`  ✗ "${row.q}" → ${r.id} ${r.score.toFixed(2)}, cần null`);
    }
  }
  console.log(`${title}`);
  if (inN > 0) console.log(`  trong phạm vi (${inN}): đúng top-1 ${pct(top1, inN)} · trả lời hoặc gợi ý đúng (một chạm) ${pct(oneTap, inN)} · xếp hạng đầu (bỏ ngưỡng) ${pct(rank1, inN)} | MiniSearch thuần ${pct(base1, inN)}`);
  if (outN > 0) console.log(`  ngoài phạm vi (${outN}): từ chối ${pct(outOk, outN)}`);
  if (showMisses && misses.length) console.log(`  sai (${misses.length}):\n${misses.join('\n')}`);
  return { top1, oneTap, rank1, base1, inN, outOk, outN };
}

/** Emergencies recognised with the numbers they need; other messages left alone. */
function reportEmergencies(file: string, rows: ReadonlyArray<{ q: string; numbers: string[] }>) {
  let caught = 0, needed = 0, alone = 0, others = 0;
  const misses: string[] = [];
  for (const row of rows) {
    const u = interpret(row.q, knowledge);
    const given: readonly string[] = u.intent === 'emergency' ? u.numbers : [];
    if (row.numbers.length > 0) {
      needed++;
      if (u.intent === 'emergency' && row.numbers.every((n) => given.includes(n))) caught++;
      else misses.push(`  ✗ "${row.q}" → ${u.intent === 'emergency' ? given.join(' ') : u.intent}, cần ${row.numbers.join(' ')}`);
    } else {
      others++;
      if (u.intent !== 'emergency') alone++;
      else misses.push(`  ✗ "${row.q}" → ${given.join(' ')}, không phải khẩn cấp`);
    }
  }
  console.log(`Tập ${file} (${rows.length} tin nhắn)`);
  console.log(`  khẩn cấp (${needed}): nhận ra, đủ số cần gọi ${pct(caught, needed)} | không khẩn cấp (${others}): để yên ${pct(alone, others)}`);
  if (showMisses && misses.length) console.log(`  sai (${misses.length}):\n${misses.join('\n')}`);
}

/** Small talk recognised as its kind; questions still read as questions. */
function reportSmallTalk(file: string, rows: ReadonlyArray<{ q: string; kind: string | null }>) {
  let right = 0, talk = 0, kept = 0, questions = 0;
  const misses: string[] = [];
  for (const row of rows) {
    const u = interpret(row.q, knowledge);
    const kind = u.intent === 'smalltalk' ? u.kind : null;
    if (row.kind !== null) {
      talk++;
      if (kind === row.kind) right++;
      else misses.push(`  ✗ "${row.q}" → ${kind ?? u.intent}, cần ${row.kind}`);
    } else {
      questions++;
      if (kind === null) kept++;
      else misses.push(`  ✗ "${row.q}" → ${kind}, cần câu hỏi`);
    }
  }
  console.log(`Tập ${file} (${rows.length} tin nhắn)`);
  console.log(`  xã giao (${talk}): nhận ra đúng loại ${pct(right, talk)} | câu hỏi (${questions}): vẫn là câu hỏi ${pct(kept, questions)}`);
  if (showMisses && misses.length) console.log(`  sai (${misses.length}):\n${misses.join('\n')}`);
}

for (const file of files) {
  const label = labelOf(file);
  if (label.kind === null) {
    console.error(`Bỏ qua ${file}: ${label.reason}.`);
    process.exitCode = 1;
  } else if (label.kind === 'numbers') reportEmergencies(file, readRows<{ q: string; numbers: string[] }>(file));
  else if (label.kind === 'kind') reportSmallTalk(file, readRows<{ q: string; kind: string | null }>(file));
  else {
    const rows = readLabelled(file);
    report(`Tập ${file} (${rows.length} câu)`, rows, ask(knowledge));
  }
}

if (args.includes('--loo')) {
  // Leave-one-out: rebuild the index without entry E's phrasing P, ask P.
  const rows: Labelled[] = [];
  const results: Verdict[] = [];
  const total = knowledge.content.entries.reduce((n, e) => n + e.phrasings.length, 0);
  for (const entry of knowledge.content.entries) {
    entry.phrasings.forEach((p, i) => {
      if (rows.length % 100 === 0) process.stderr.write(`bỏ-một-ra: ${rows.length}/${total}\r`);
      const entries = knowledge.content.entries.map((e) => (e === entry ? { ...e, phrasings: e.phrasings.filter((_, k) => k !== i) } : e));
      const m = new Matcher({ entries, byId: new Map(entries.map((e) => [e.id, e])) }, knowledge.lexicon, knowledge.tuning, { resultCache: 0 });
      rows.push({ q: p, accept: [entry.id] });
      results.push(ask({ ...knowledge, matcher: m })(p));
    });
  }
  let k = 0;
  report(`Bỏ-một-ra trên ${rows.length} cách hỏi của nội dung`, rows, () => results[k++]!);
}
