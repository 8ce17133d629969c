/**
 * `npm run bench [-- --queries N]`: matcher speed and memory, side by side with the design
 * card's baseline (a plain Fuse.js search over the raw phrasings), in one run.
 * Queries: the content's phrasings, the dev set and out-of-scope fixtures, varied the way
 * citizens type (no diacritics, typos, filler words), from a fixed seed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fuse from 'fuse.js';
import { miniSearchBaseline } from './lib/baseline.js';
import { HOSTILE_MESSAGES } from './lib/hostile-messages.js';
import { FIXTURES, questionFiles, readLabelled, SHARED_EVAL } from './lib/labelled-files.js';
import { scrub } from '../core/privacy/scrub.js';

const t0 = performance.now();
const { loadKnowledge } = await import('../core/knowledge.js');
const { Matcher } = await import('../core/match/matcher.js');
const tImport = performance.now();
const knowledge = loadKnowledge();
const tReady = performance.now();

const args = process.argv.slice(2);
const n = Number(args[args.indexOf('--queries') + 1]) || 10_000;

// Deterministic PRNG (mulberry32), so two runs ask the same questions.
let seed = 20261127;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
const typo = (s: string) => {
  const i = Math.floor(rand() * s.length);
  return s.slice(0, i) + s.slice(i + 1);
};
const fillers = ['ad ơi', 'cho em hỏi', 'giúp mình với', 'ạ', 'với ạ', 'nhé', 'ở đâu vậy', 'làm sao'];

const base: string[] = knowledge.content.entries.flatMap((e) => e.phrasings);
for (const file of [join(SHARED_EVAL, 'dev-questions.jsonl'), join(FIXTURES, 'out-of-scope.txt')]) if (existsSync(file)) base.push(...readLabelled(file).map((r) => r.q));
const queries = Array.from({ length: n }, () => {
  let q = pick(base);
  if (rand() < 0.5) q = fold(q);
  if (rand() < 0.3) q = typo(q);
  if (rand() < 0.3) q = `${pick(fillers)} ${q}`;
  return q;
});

function run(name: string, fn: (q: string) => unknown, count: number) {
  for (let i = 0; i < Math.min(200, count); i++) fn(queries[i]!); // warm-up
  const times = new Float64Array(count);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const s = performance.now();
    fn(queries[i]!);
    times[i] = performance.now() - s;
  }
  const total = performance.now() - start;
  times.sort();
  const pct = (p: number) => times[Math.min(count - 1, Math.floor(p * count))]!;
  return { name, count, p50: pct(0.5), p99: pct(0.99), max: times[count - 1]!, qps: (count / total) * 1000 };
}

// The ranking itself, without the server's cache of recent results (every question ranked).
const ranker = new Matcher(knowledge.content, knowledge.lexicon, knowledge.tuning, { resultCache: 0 });
const ours = run('vneid-guide (BM25 + phân loại + sửa lỗi gõ)', (q) => ranker.match(q), n);
const heapAfterOurs = process.memoryUsage().heapUsed;
// What the server does for a question asked before: the same list again, results cached.
for (const q of queries) knowledge.matcher.match(q);
const repeated = run('  … câu đã hỏi trước đó (kết quả trong bộ nhớ đệm)', (q) => knowledge.matcher.match(q), n);

// The plain-library baseline of issue 10: MiniSearch over the same content, nothing tuned.
const mini = miniSearchBaseline(knowledge.content);
const miniRow = run('MiniSearch thuần (BM25, fuzzy 0,2, prefix)', (q) => mini.search(q), n);

const records = knowledge.content.entries.flatMap((e) => e.phrasings.map((p) => ({ id: e.id, p })));
const fuse = new Fuse(records, { keys: ['p'], includeScore: true, ignoreDiacritics: true, threshold: 0.6 });
// The baseline costs ~30 ms a question: 10,000 would take five minutes. A 1,000-question
// prefix of the same list measures it well enough; --baseline-all runs them all.
const baselineCount = args.includes('--baseline-all') ? n : Math.min(n, 1000);
const baseline = run('Fuse.js thuần trên các cách hỏi', (q) => fuse.search(q, { limit: 4 }), baselineCount);

// Accuracy beside speed, on every labelled file there is: the best-ranked entry (ours answers
// only above its threshold; the baselines have no threshold, so ours is counted both ways).
const labelled = questionFiles().filter((f) => f.endsWith('.jsonl'));
const accuracy: string[] = [];
for (const file of labelled) {
  const inScope = readLabelled(file).filter((r) => r.accept.length > 0);
  const count = (best: (q: string) => string | null | undefined) => inScope.filter((r) => r.accept.includes(best(r.q) ?? '')).length;
  const answered = count((q) => knowledge.matcher.match(q).id);
  const ranked = count((q) => knowledge.matcher.match(q).nearest);
  const miniOk = count((q) => mini.search(q, 1)[0]);
  const fuseOk = count((q) => fuse.search(q, { limit: 1 })[0]?.item.id);
  accuracy.push(
    `  ${file.split('/').pop()!.padEnd(34)} ${String(inScope.length).padStart(4)} câu: vneid-guide trả lời đúng ${answered}, xếp đầu đúng ${ranked} · MiniSearch ${miniOk} · Fuse.js ${fuseOk}`,
  );
}

// The scrubber on messages built to make its patterns backtrack, each read once (no cache yet).
const hostileMs = HOSTILE_MESSAGES.map((m) => {
  const s = performance.now();
  scrub(m);
  return performance.now() - s;
});

const fmt = (x: number) => x.toFixed(3).padStart(8);
console.log(`Khởi động: nạp nội dung + dựng chỉ mục ${(tReady - tImport).toFixed(0)} ms (nạp mã ${(tImport - t0).toFixed(0)} ms); ${knowledge.content.entries.length} mục, ${records.length} cách hỏi`);
console.log(`Bộ nhớ heap sau khi dựng và chạy: ${(heapAfterOurs / 1024 / 1024).toFixed(1)} MiB; RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(1)} MiB`);
console.log(`${'bộ so khớp'.padEnd(50)} số câu    p50 ms   p99 ms   max ms   câu/giây`);
for (const r of [ours, repeated, miniRow, baseline]) {
  console.log(`${r.name.padEnd(50)} ${String(r.count).padStart(6)} ${fmt(r.p50)} ${fmt(r.p99)} ${fmt(r.max)} ${r.qps.toFixed(0).padStart(10)}`);
}
console.log(`Lọc dữ liệu cá nhân, ${HOSTILE_MESSAGES.length} tin 2 000 ký tự gây quay lui: chậm nhất ${Math.max(...hostileMs).toFixed(1)} ms`);
if (accuracy.length) console.log(`Đúng top-1 trên các tập có nhãn (câu trong phạm vi):\n${accuracy.join('\n')}`);
