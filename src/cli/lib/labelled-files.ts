/**
 * The labelled files `eval`, `bench` and `tune` read, found by listing the folders (a new file
 * counts everywhere the day it lands, with no list to keep by hand), and how to read one.
 *
 * - `*.jsonl` in test/fixtures and ../shared/eval (beside the repository, when it is there), one
 *   object a line whose first line says what it labels: `accept` (questions: the entries that are a
 *   right answer, none = out of scope), `numbers` (emergencies) or `kind` (small talk);
 * - `*.txt` in test/fixtures: one question a line that no entry answers.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Labelled {
  q: string;
  /** Ids that are a right answer; empty: out of scope. */
  accept: string[];
}

export type LabelKind = 'accept' | 'numbers' | 'kind';

const ROOT = new URL('../../../', import.meta.url).pathname;
export const FIXTURES = join(ROOT, 'test/fixtures');
export const SHARED_EVAL = join(ROOT, '../shared/eval');

const nonEmptyLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());

/**
 * What a file labels. A `.txt` file is a list of out-of-scope questions; a `.jsonl` file says so in
 * its first line. Null for anything else, with the reason, so a caller can say why it skips it.
 */
export function labelOf(file: string): { kind: LabelKind } | { kind: null; reason: string } {
  if (!existsSync(file)) return { kind: null, reason: 'không có tệp này' };
  if (file.endsWith('.txt')) return { kind: 'accept' };
  const first = nonEmptyLines(file)[0];
  if (first === undefined) return { kind: null, reason: 'tệp rỗng' };
  let row: unknown;
  try {
    row = JSON.parse(first);
  } catch {
    return { kind: null, reason: 'dòng đầu không phải JSON (tệp .jsonl: mỗi dòng một đối tượng; tệp .txt: mỗi dòng một câu ngoài phạm vi)' };
  }
  if (typeof row !== 'object' || row === null) return { kind: null, reason: 'dòng đầu không phải một đối tượng JSON' };
  if (Array.isArray((row as { accept?: unknown }).accept)) return { kind: 'accept' };
  if (Array.isArray((row as { numbers?: unknown }).numbers)) return { kind: 'numbers' };
  if ('kind' in row) return { kind: 'kind' };
  return { kind: null, reason: 'dòng đầu không có "accept", "numbers" hay "kind"' };
}

/** Labelled questions of a `.jsonl` file, or a `.txt` list read as out of scope. */
export function readLabelled(file: string): Labelled[] {
  const lines = nonEmptyLines(file);
  return file.endsWith('.txt') ? lines.map((q) => ({ q, accept: [] })) : lines.map((l) => JSON.parse(l) as Labelled);
}

/** Rows of a `.jsonl` file of another kind (emergencies, small talk). */
export function readRows<T>(file: string): T[] {
  return nonEmptyLines(file).map((l) => JSON.parse(l) as T);
}

const listed = (dir: string, ext: string) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => join(dir, f)) : [];

/** Every labelled file with what it labels: the fixtures' (`.jsonl`, then the `.txt` lists), then the shared sets. */
function labelled(): { file: string; kind: LabelKind | null }[] {
  return [...listed(FIXTURES, '.jsonl'), ...listed(FIXTURES, '.txt'), ...listed(SHARED_EVAL, '.jsonl')].map((file) => ({ file, kind: labelOf(file).kind }));
}

/** Every labelled file, in that order. */
export function labelledFiles(): string[] {
  return labelled().flatMap((l) => (l.kind !== null ? [l.file] : []));
}

/** The files of labelled questions (in scope or not), without emergencies and small talk. */
export function questionFiles(): string[] {
  return labelled().flatMap((l) => (l.kind === 'accept' ? [l.file] : []));
}
