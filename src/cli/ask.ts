/**
 * `npm run --silent ask -- --json < questions.txt`: one question per line in, one JSON object per
 * line out, in order (see ../shared/content-contract.md "The ask command"). Each line goes through
 * the same interpretation as a citizen's first message to the bot (emergencies, scrubbing, small
 * talk, matching), so what `ask` prints is what the bot does:
 *
 *   {"q", "id", "score", "alternatives", "suggest"}  and, for an emergency or small talk, its
 *   "intent": "emergency" | "smalltalk". Small talk and most emergencies have "id": null; a scam
 *   emergency has the scam-warning entry the bot shows after the numbers (score 1: it is not a guess).
 *
 * `suggest` lists the entries the bot offers as "Ý bạn là…?" buttons (empty when it answers or
 * offers nothing). Without --json: a readable line each. Nothing but answers goes to stdout.
 */
import { createInterface } from 'node:readline';
import { loadKnowledge } from '../core/knowledge.js';
import { interpret } from '../core/understand/interpret.js';
import { rowOf } from './lib/ask-row.js';

// A reader that stops early (`| head`) closes the pipe: that ends the run, it is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const json = process.argv.includes('--json');
const knowledge = loadKnowledge();

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
const out: string[] = [];
const flush = () => {
  if (out.length > 0) process.stdout.write(out.join(''));
  out.length = 0;
};
for await (const line of rl) {
  // Invalid UTF-8 arrives as U+FFFD; it is treated like any other symbol.
  const q = line.replace(/^\uFEFF/, '');
  const row = rowOf(q, interpret(q, knowledge));
  out.push(json ? JSON.stringify(row) + '\n' : `${row.intent ?? row.id ?? '(không rõ)'}\t${row.score.toFixed(2)}\t${row.suggest.length > 0 ? `[${row.suggest.join(', ')}] ` : ''}${q}\n`);
  if (out.length >= 256) flush();
}
flush();
