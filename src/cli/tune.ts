/**
 * `npm run tune [-- FILE.jsonl …]`: fits the confidence model of content/matcher.yaml.
 *
 * The confidence is a logistic model over named features of the best-ranked entry (coverage,
 * pairs covered, margin, evidence, another service named). It is fitted on HALF of each labelled
 * file (even lines) and reported on the other half (odd lines) and on files never fitted
 * (../shared/eval), so the numbers printed are numbers on questions the model did not see.
 * Each file weighs the same, whatever its length. Prints the settings to copy into matcher.yaml.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadKnowledge } from '../core/knowledge.js';
import { features, Matcher, type Candidate } from '../core/match/matcher.js';
import { CONFIDENCE_FEATURES, type Tuning } from '../core/match/tuning.js';

interface Labelled {
  q: string;
  accept: string[];
}
interface Sample {
  accept: string[];
  top: Candidate | undefined;
  second: string[];
  x: number[];
  file: number;
}

const here = (p: string) => new URL(p, import.meta.url).pathname;
const FITTED = ['../../test/fixtures/real-questions.jsonl', '../../test/fixtures/conversational-questions.jsonl', '../../test/fixtures/heldout-questions.jsonl', '../../test/fixtures/out-of-scope.txt'].map(here);
const REPORTED_ONLY = ['../../../shared/eval/dev-real.jsonl', '../../../shared/eval/dev-questions.jsonl'].map(here).filter(existsSync);
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function read(file: string): Labelled[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  return file.endsWith('.txt') ? lines.map((q) => ({ q, accept: [] })) : lines.map((l) => JSON.parse(l) as Labelled);
}

const knowledge = loadKnowledge(process.env.CONTENT_DIR || undefined);
const matcher = new Matcher(knowledge.content, knowledge.lexicon, knowledge.tuning, { resultCache: 0 });
const sample = (rows: Labelled[], file: number): Sample[] =>
  rows.map((r) => {
    const { candidates } = matcher.explain(r.q);
    const top = candidates[0];
    const f = top ? features(top) : undefined;
    return { accept: r.accept, top, second: candidates.slice(1, 3).map((c) => c.id), x: CONFIDENCE_FEATURES.map((n) => f?.[n] ?? 0), file };
  });

const fitFiles = args.length > 0 ? args : FITTED;
const fit = fitFiles.flatMap((f, i) => sample(read(f).filter((_, k) => k % 2 === 0), i));
const reports = [
  ...fitFiles.map((f, i) => ({ name: `${f.split('/').pop()} (dòng lẻ)`, rows: sample(read(f).filter((_, k) => k % 2 === 1), i) })),
  ...REPORTED_ONLY.map((f, i) => ({ name: `${f.split('/').pop()} (không dùng để khớp)`, rows: sample(read(f), 100 + i) })),
];

// Logistic regression by gradient descent; the target is "the best-ranked entry is right".
const right = (s: Sample) => (s.top && s.accept.includes(s.top.id) ? 1 : 0);
const perFile = new Map<number, number>();
for (const s of fit) perFile.set(s.file, (perFile.get(s.file) ?? 0) + 1);
const weightOf = (s: Sample) => 1 / perFile.get(s.file)!;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
let bias = 0;
let w: number[] = CONFIDENCE_FEATURES.map(() => 0);
const L2 = 0.001;
for (let it = 0; it < 5000; it++) {
  let gb = 0;
  const g = w.map(() => 0);
  let total = 0;
  for (const s of fit) {
    if (!s.top) continue;
    const e = (sigmoid(bias + s.x.reduce((z, v, i) => z + v * w[i]!, 0)) - right(s)) * weightOf(s);
    total += weightOf(s);
    gb += e;
    s.x.forEach((v, i) => (g[i]! += e * v));
  }
  bias -= (1.0 * gb) / total;
  w = w.map((v, i) => v - (1.0 * g[i]!) / total - L2 * v);
}
const model = { bias, ...Object.fromEntries(CONFIDENCE_FEATURES.map((n, i) => [n, w[i]!])) } as Tuning['confidence'];
const prob = (s: Sample) => (s.top ? sigmoid(bias + s.x.reduce((z, v, i) => z + v * w[i]!, 0)) : 0);

interface Rates { top1: number; oneTap: number; rejected: number }
function rates(rows: Sample[], threshold: number, suggest: number): Rates {
  let top1 = 0, oneTap = 0, inN = 0, rejected = 0, outN = 0;
  for (const s of rows) {
    const p = prob(s);
    if (s.accept.length > 0) {
      inN++;
      const ok = p >= threshold && right(s) === 1;
      if (ok) top1++;
      const offered = p < threshold && p >= suggest && s.top ? [s.top.id, ...s.second] : [];
      if (ok || offered.some((id) => s.accept.includes(id))) oneTap++;
    } else {
      outN++;
      if (p < threshold) rejected++;
    }
  }
  return { top1: inN ? top1 / inN : NaN, oneTap: inN ? oneTap / inN : NaN, rejected: outN ? rejected / outN : NaN };
}
// Per-file means: a long file must not decide alone.
function mean(threshold: number, suggest: number): Rates {
  const byFile = [...perFile.keys()].map((f) => rates(fit.filter((s) => s.file === f), threshold, suggest));
  const avg = (k: keyof Rates) => {
    const v = byFile.map((r) => r[k]).filter((x) => !Number.isNaN(x));
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  return { top1: avg('top1'), oneTap: avg('oneTap'), rejected: avg('rejected') };
}
/** While choosing the threshold, suggestions are offered down to this confidence. */
const SUGGEST_FLOOR = 0.03;
const grid = (from: number, to: number, step: number) => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => +(from + i * step).toFixed(3));
// Answering right counts most; rejecting the unknown next (a wrong answer is worse than "I do not
// know"); reaching the right entry in one tap (answered or offered as a button) counts too.
let threshold = 0.5;
let best = -Infinity;
for (const t of grid(0.2, 0.9, 0.01)) {
  const r = mean(t, SUGGEST_FLOOR);
  const objective = 2 * r.top1 + 1.5 * r.rejected + r.oneTap;
  if (objective > best) [best, threshold] = [objective, t];
}
// Suggestions cost a tap, never a wrong answer: the highest floor that keeps one tap near its best.
const oneTapAt = (s: number) => mean(threshold, s).oneTap;
const bestTap = oneTapAt(0);
const suggestThreshold = grid(0, threshold, 0.01).filter((s) => oneTapAt(s) >= bestTap - 0.001).at(-1) ?? 0;

const pct = (x: number) => (Number.isNaN(x) ? '   –  ' : `${(100 * x).toFixed(1).padStart(5)} %`);
const onFit = mean(threshold, suggestThreshold);
console.log(`Khớp trên ${fit.length} câu (dòng chẵn của ${fitFiles.length} tệp): đúng top-1 ${pct(onFit.top1)} · một chạm ${pct(onFit.oneTap)} · từ chối ${pct(onFit.rejected)} (trung bình các tệp).`);
console.log(`Kết quả trên câu KHÔNG dùng để khớp:`);
for (const r of reports) {
  const x = rates(r.rows, threshold, suggestThreshold);
  console.log(`  ${r.name.padEnd(48)} đúng top-1 ${pct(x.top1)} · một chạm ${pct(x.oneTap)} · từ chối ngoài phạm vi ${pct(x.rejected)}`);
}
const round = (x: number) => Math.round(x * 100) / 100;
console.log(`\nChép vào content/matcher.yaml:\nthreshold: ${threshold}\nsuggestThreshold: ${suggestThreshold}\nconfidence:`);
for (const [k, v] of Object.entries(model)) console.log(`  ${k}: ${round(v)}`);
