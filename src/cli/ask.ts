/**
 * `npm run --silent ask -- --json < questions.txt`: one question per line in, one JSON object per
 * line out, in order (see ../shared/content-contract.md). Without --json: a readable line each.
 * Nothing but answers goes to stdout.
 */
import { createInterface } from 'node:readline';
import { loadKnowledge } from '../core/knowledge.js';

const json = process.argv.includes('--json');
const { matcher } = loadKnowledge();

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
const out: string[] = [];
const flush = () => {
  if (out.length > 0) process.stdout.write(out.join(''));
  out.length = 0;
};
for await (const line of rl) {
  // Invalid UTF-8 arrives as U+FFFD; it is treated like any other symbol.
  const q = line.replace(/^\uFEFF/, '');
  const r = matcher.match(q);
  out.push(
    json
      ? JSON.stringify({ q, id: r.id, score: r.score, alternatives: r.alternatives }) + '\n'
      : `${r.id ?? '(không rõ)'}\t${r.score.toFixed(2)}\t${q}\n`,
  );
  if (out.length >= 256) flush();
}
flush();
