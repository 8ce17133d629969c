/**
 * `npm run tune`: fits the confidence weights and thresholds of content/matcher.yaml.
 * In-scope examples: leave-one-out over the content's own phrasings (each asked with itself
 * removed from the index). Out-of-scope examples: test/fixtures/out-of-scope.txt. The dev set is
 * reported as a check, never fitted. Prints the best settings; copy them into matcher.yaml.
 */
import { readFileSync } from 'node:fs';
import { loadKnowledge } from '../core/knowledge.js';
import { Matcher, type Candidate } from '../core/match/matcher.js';

const knowledge = loadKnowledge();
const { entries } = knowledge.content;

interface Sample { accept: string[]; top: Candidate | undefined }
const loo: Sample[] = [];
for (const entry of entries) {
  entry.phrasings.forEach((p, i) => {
    const reduced = entries.map((e) => (e === entry ? { ...e, phrasings: e.phrasings.filter((_, k) => k !== i) } : e));
    const m = new Matcher({ entries: reduced, byId: new Map(reduced.map((e) => [e.id, e])) }, knowledge.lexicon, knowledge.tuning);
    loo.push({ accept: [entry.id], top: m.explain(p).candidates[0] });
  });
}
const oosFile = new URL('../../test/fixtures/out-of-scope.txt', import.meta.url).pathname;
const oos: Sample[] = readFileSync(oosFile, 'utf8').split('\n').filter((l) => l.trim()).map((q) => ({ accept: [], top: knowledge.matcher.explain(q).candidates[0] }));

const ranked = loo.filter((s) => s.top && s.accept.includes(s.top.id)).length;
console.log(`Xếp hạng (bỏ-một-ra): mục đúng đứng đầu ${ranked}/${loo.length} = ${((100 * ranked) / loo.length).toFixed(1)} %`);

const grid = (from: number, to: number, step: number) => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => +(from + i * step).toFixed(3));
let best = { objective: -1, w: knowledge.tuning.weights, threshold: 0, inAcc: 0, outAcc: 0 };
for (const wc of grid(0.3, 0.9, 0.05)) {
  for (const wb of grid(0, 1 - wc, 0.05)) {
    const w = { coverage: wc, bigramCoverage: wb, margin: +(1 - wc - wb).toFixed(3) };
    for (const threshold of grid(0.3, 0.8, 0.01)) {
      const conf = (s: Sample) => (s.top ? knowledge.matcher.confidence(s.top, w) : 0);
      const inOk = loo.filter((s) => s.top && s.accept.includes(s.top.id) && conf(s) >= threshold).length / loo.length;
      const outOk = oos.filter((s) => conf(s) < threshold).length / oos.length;
      // Answering wrongly is worse than saying "I don't know": weigh rejection of the unknown.
      const objective = inOk + 0.8 * outOk;
      if (objective > best.objective) best = { objective, w, threshold, inAcc: inOk, outAcc: outOk };
    }
  }
}
console.log(`Tốt nhất: weights ${JSON.stringify(best.w)}, threshold ${best.threshold}`);
console.log(`  bỏ-một-ra trả lời đúng ${(100 * best.inAcc).toFixed(1)} %, ngoài phạm vi từ chối ${(100 * best.outAcc).toFixed(1)} %`);
