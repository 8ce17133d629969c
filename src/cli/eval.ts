/**
 * `npm run eval -- FILE.jsonl [--loo]`: accuracy of the matcher on labelled questions
 * ({"q","accept":[ids]}; empty accept = out of scope), with every miss listed.
 * `--loo` also runs leave-one-out over the content's own phrasings (each phrasing asked with
 * itself removed from the index): a check on questions the content has never seen.
 */
import { readFileSync } from 'node:fs';
import { loadKnowledge } from '../core/knowledge.js';
import { Matcher } from '../core/match/matcher.js';

interface Labelled {
  q: string;
  accept: string[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const knowledge = loadKnowledge();

function report(title: string, rows: Labelled[], answer: (q: string) => { id: string | null; score: number; nearest: string | null }) {
  let inOk = 0, inN = 0, outOk = 0, outN = 0;
  const misses: string[] = [];
  for (const row of rows) {
    const r = answer(row.q);
    if (row.accept.length > 0) {
      inN++;
      if (r.id && row.accept.includes(r.id)) inOk++;
      else misses.push(`  ✗ "${row.q}" → ${r.id ?? `null (gần nhất ${r.nearest})`} ${r.score.toFixed(2)}, cần ${row.accept.join(' | ')}`);
    } else {
      outN++;
      if (r.id === null) outOk++;
      else misses.push(`  ✗ "${row.q}" → ${r.id} ${r.score.toFixed(2)}, cần null`);
    }
  }
  const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)} %`);
  console.log(`${title}`);
  console.log(`  trong phạm vi, đúng top-1: ${inOk}/${inN} = ${pct(inOk, inN)}`);
  console.log(`  ngoài phạm vi, từ chối:    ${outOk}/${outN} = ${pct(outOk, outN)}`);
  if (misses.length) console.log(`  sai (${misses.length}):\n${misses.join('\n')}`);
  return { inOk, inN, outOk, outN };
}

if (file) {
  const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Labelled);
  report(`Tập ${file} (${rows.length} câu)`, rows, (q) => knowledge.matcher.match(q));
}

if (args.includes('--loo') || !file) {
  // Leave-one-out: rebuild the index without entry E's phrasing P, ask P.
  const rows: Labelled[] = [];
  let total = 0;
  const results: ReturnType<Matcher['match']>[] = [];
  for (const entry of knowledge.content.entries) {
    entry.phrasings.forEach((p, i) => {
      const entries = knowledge.content.entries.map((e) => (e === entry ? { ...e, phrasings: e.phrasings.filter((_, k) => k !== i) } : e));
      const m = new Matcher({ entries, byId: new Map(entries.map((e) => [e.id, e])) }, knowledge.lexicon, knowledge.tuning);
      rows.push({ q: p, accept: [entry.id] });
      results.push(m.match(p));
      total++;
    });
  }
  let k = 0;
  report(`Bỏ-một-ra trên ${total} cách hỏi của nội dung`, rows, () => results[k++]!);
}
