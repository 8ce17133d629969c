/**
 * Answer quality is measured on questions we did not write into the content: no phrasing may be
 * an evaluation question, or a near copy of one (the same words with a typo, in capitals, one word
 * changed). Short questions ("đổi passcode vneid ở đâu") are left out: the few natural ways to say
 * them coincide with the content's by necessity, as do the glossary's "X là gì".
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { distance } from 'fastest-levenshtein';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/core/knowledge.js';
import { tokenize } from '../../src/core/text/normalize.js';
import { readExamplesFile } from '../../src/core/understand/emergency-reader.js';

const root = new URL('../../', import.meta.url).pathname;
/** Folded words of at least this many: shorter questions are left out (see above). */
const MIN_WORDS = 7;
/** Similarity (1 − edit distance / length, over folded words) from which a phrasing is a copy. */
const NEAR = 0.9;
/**
 * The app's own messages, which the content contract asks for word for word as phrasings: a
 * question that quotes one is close to them by design.
 */
const APP_MESSAGES = new Set(['Tài khoản của bạn đã thực hiện kích hoạt', 'Báo "Tài khoản của bạn đã thực hiện kích hoạt"', 'Báo "Tài khoản của bạn chưa được định danh điện tử"', 'Tài khoản của bạn chưa được định danh điện tử']);

const folded = (text: string) => tokenize(text).join(' ');
const similarity = (a: string, b: string) => 1 - distance(a, b) / Math.max(a.length, b.length);

function evaluationQuestions(): Array<{ file: string; q: string }> {
  const dirs = [join(root, 'test/fixtures'), join(root, '../shared/eval')].filter(existsSync);
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { q?: unknown; accept?: unknown })
          .filter((row): row is { q: string; accept: unknown } => typeof row.q === 'string' && Array.isArray(row.accept))
          .map((row) => ({ file: f, q: row.q })),
      ),
  );
}

describe('no evaluation question is copied into the content', () => {
  const { content } = loadKnowledge();
  const questions = evaluationQuestions()
    .map((e) => ({ ...e, folded: folded(e.q) }))
    .filter((e) => e.folded.split(' ').length >= MIN_WORDS);
  const phrasings = content.entries
    .filter((e) => e.kind !== 'term')
    .flatMap((e) => e.phrasings.filter((p) => !APP_MESSAGES.has(p)).map((p) => ({ id: e.id, p, folded: folded(p) })));

  it(`reads the labelled files (${questions.length} questions of ${MIN_WORDS}+ words)`, () => {
    expect(questions.length).toBeGreaterThan(300);
  });

  it(`no phrasing is ${NEAR * 100} % the same as one of them`, () => {
    const copies: string[] = [];
    for (const q of questions) {
      for (const p of phrasings) {
        if (Math.abs(p.folded.length - q.folded.length) > (1 - NEAR) * q.folded.length) continue;
        if (similarity(p.folded, q.folded) >= NEAR) copies.push(`${p.id}: "${p.p}" ≈ ${q.file}: "${q.q}"`);
      }
    }
    expect(copies).toEqual([]);
  });

  it('would see a copy written in capitals, without diacritics or with a typo', () => {
    const q = questions[0]!.folded;
    expect(similarity(folded(questions[0]!.q.toUpperCase()), q)).toBe(1);
    expect(similarity(q.replace(/a/, 'e'), q)).toBeGreaterThanOrEqual(NEAR);
  });
});

describe('no evaluation message is copied into the emergency reader\'s examples', () => {
  const examples = readExamplesFile().examples.length;
  const texts = readFileSync(join(root, 'content/emergency-examples.yaml'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('    - '))
    .map((l) => folded(l));
  const messages = [join(root, 'test/fixtures')].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.startsWith('emergency-') && f.endsWith('.jsonl'))
      .flatMap((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => ({ file: f, q: (JSON.parse(line) as { q: string }).q })),
      ),
  );

  it(`reads the examples (${texts.length}) and the emergency files (${messages.length} messages)`, () => {
    expect(examples).toBeGreaterThan(500);
    expect(texts.length).toBe(examples);
    expect(messages.length).toBeGreaterThan(1000);
  });

  it(`no example is ${NEAR * 100} % the same as a message of an emergency file`, () => {
    const copies: string[] = [];
    for (const m of messages) {
      const q = folded(m.q);
      for (const t of texts) {
        if (Math.abs(t.length - q.length) > (1 - NEAR) * q.length) continue;
        if (similarity(t, q) >= NEAR) copies.push(`"${t}" ≈ ${m.file}: "${m.q}"`);
      }
    }
    expect(copies).toEqual([]);
  });
});
