/**
 * Officials' changes as something a maintainer reviews into the repository: a unified diff
 * (`git apply` from the repository root) that adds the attached phrasings to each entry's YAML
 * file and the dismissed questions to the off-topic examples (test/fixtures/out-of-scope.txt, read
 * by the matcher's tests and `npm run tune`), and the same as a YAML fragment per entry to copy by
 * hand. Phrasings the files already have are left out, so an export after a merge is empty.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { dump } from 'js-yaml';
import type { ContentBase } from '../content/loader.js';
import type { ReviewChange } from './changes.js';

export interface ExportInput {
  changes: readonly ReviewChange[];
  /** The content as in the files. */
  base: ContentBase;
  contentDir: string;
  /** The same normalization the service uses, to leave out what the files already hold. */
  keyOf: (text: string) => string;
}

/** New phrasings per entry id (file order of changes), without those the entry already has. */
function newPhrasings(o: ExportInput): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of o.changes) {
    if (c.kind !== 'phrasing' || c.undoneAt !== null || !c.entryId) continue;
    const entry = o.base.byId.get(c.entryId);
    if (!entry) continue;
    const key = o.keyOf(c.text);
    const have = [...entry.phrasings, ...(out.get(entry.id) ?? [])];
    if (have.some((p) => o.keyOf(p) === key)) continue;
    out.set(entry.id, [...(out.get(entry.id) ?? []), c.text]);
  }
  return out;
}

function offTopic(o: ExportInput, existing: readonly string[]): string[] {
  const seen = new Set(existing.map(o.keyOf));
  const out: string[] = [];
  for (const c of o.changes) {
    if (c.kind !== 'dismissal' || c.undoneAt !== null) continue;
    const key = o.keyOf(c.text);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c.text);
  }
  return out;
}

/** One YAML list item, quoted as YAML needs (a colon, a leading dash, a quote…). */
const yamlItem = (text: string) => `- ${dump(text, { lineWidth: -1 }).trimEnd()}`;

/**
 * The entry file with `items` added at the end of its `phrasings:` list, keeping the file's own
 * indentation and everything else byte for byte.
 */
export function addPhrasingsToYaml(source: string, items: readonly string[]): string {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => /^phrasings:\s*(#.*)?$/.test(l));
  if (start < 0) throw new Error('no "phrasings:" block');
  let last = start;
  let indent = '  ';
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    const item = /^(\s*)- /.exec(line);
    if (item) {
      if (last === start) indent = item[1]!;
      last = i;
    } else if (line.trim() === '' || /^\s+\S/.test(line) || /^\s*#/.test(line)) {
      // a continuation of a long item, a comment or a blank line inside the block
      if (/^\s+\S/.test(line) && !/^\s*#/.test(line)) last = i;
    } else break;
  }
  lines.splice(last + 1, 0, ...items.map((p) => `${indent}${yamlItem(p)}`));
  return lines.join('\n');
}

/** Where a file goes in the patch: relative to the working directory (the repository root). */
function patchPath(file: string, fallback: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || rel.startsWith(sep) ? fallback : rel.split(sep).join('/');
}

/** A unified diff of content/entries/*.yaml (and the off-topic examples), or '' when nothing is new. */
export function exportPatch(o: ExportInput): string {
  const parts: string[] = [];
  for (const [id, items] of newPhrasings(o)) {
    const file = join(o.contentDir, 'entries', `${id}.yaml`);
    if (!existsSync(file)) continue;
    const before = readFileSync(file, 'utf8');
    const path = patchPath(resolve(file), `content/entries/${id}.yaml`);
    parts.push(createTwoFilesPatch(`a/${path}`, `b/${path}`, before, addPhrasingsToYaml(before, items), undefined, undefined, { context: 3, headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true } }));
  }
  const fixture = resolve(o.contentDir, '..', 'test', 'fixtures', 'out-of-scope.txt');
  if (existsSync(fixture)) {
    const before = readFileSync(fixture, 'utf8');
    const added = offTopic(o, before.split('\n'));
    if (added.length > 0) {
      const path = patchPath(fixture, 'test/fixtures/out-of-scope.txt');
      const after = `${before}${before.endsWith('\n') || before === '' ? '' : '\n'}${added.join('\n')}\n`;
      parts.push(createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3, headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true } }));
    }
  }
  return parts.join('');
}

/** The same changes as a YAML fragment: per entry, the phrasings to add; then the off-topic questions. */
export function exportYaml(o: ExportInput, exportedAt: string): string {
  const header = `# Cách hỏi mới do cán bộ thêm từ trang thống kê (xuất lúc ${exportedAt}).\n# Chép từng danh sách vào "phrasings:" của tệp content/entries/<mã mục>.yaml, rồi chạy: npm run content:check\n`;
  const entries = [...newPhrasings(o)].map(([id, items]) => `${id}:\n  # ${o.base.byId.get(id)?.title ?? ''}\n  phrasings:\n${items.map((p) => `    ${yamlItem(p)}`).join('\n')}\n`);
  const off = offTopic(o, []);
  const offBlock = off.length
    ? `# Câu hỏi ngoài phạm vi (đã bỏ qua): thêm vào test/fixtures/out-of-scope.txt, mỗi câu một dòng.\nngoai-pham-vi:\n${off.map((t) => `  ${yamlItem(t)}`).join('\n')}\n`
    : '';
  return entries.length || offBlock ? `${header}${entries.join('')}${offBlock}` : `${header}# Không có thay đổi nào chưa có trong nội dung.\n`;
}
