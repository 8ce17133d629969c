import { readdirSync, readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { load as parseYaml, YAMLException } from 'js-yaml';
import { entrySchema, type Entry } from './schema.js';

export interface ContentError {
  file: string;
  field: string;
  reason: string;
}

export interface ContentBase {
  entries: readonly Entry[];
  byId: ReadonlyMap<string, Entry>;
}

export class InvalidContentError extends Error {
  constructor(readonly errors: readonly ContentError[]) {
    super(`Nội dung không hợp lệ (${errors.length} lỗi):\n${errors.map(formatContentError).join('\n')}`);
    this.name = 'InvalidContentError';
  }
}

export function formatContentError(e: ContentError): string {
  return `${e.file}: ${e.field}: ${e.reason}`;
}

export const DEFAULT_CONTENT_DIR = new URL('../../../content/', import.meta.url).pathname;

/**
 * An unquoted value with " #" in it ("ký tự đặc biệt (ví dụ @, #)") ends where the YAML comment
 * starts, silently: the citizen reads half a sentence. Entries carry no trailing comments of their
 * own, so every such line is a mistake. Returns the line numbers.
 */
export function cutByComment(text: string): number[] {
  const found: number[] = [];
  let blockIndent = -1; // inside a "|" or ">" block, "#" is text, not a comment
  text.split('\n').forEach((line, i) => {
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0 && (line.trim() === '' || indent > blockIndent)) return;
    blockIndent = -1;
    const value = line.trimStart().replace(/^-\s+/, '').replace(/^[A-Za-z_]+:\s+/, '');
    if (/^[|>][-+]?\d*$/.test(value)) blockIndent = indent;
    else if (value !== '' && !/^["'[{#]/.test(value) && /\s#/.test(value)) found.push(i + 1);
  });
  return found;
}

/** Reads and validates every `*.yaml` entry under `<dir>/entries`. Never throws: errors are returned. */
export function readContent(dir: string = DEFAULT_CONTENT_DIR): { base: ContentBase; errors: ContentError[] } {
  const entriesDir = join(dir, 'entries');
  const errors: ContentError[] = [];
  const entries: Entry[] = [];
  const fileOf = new Map<string, string>();

  let files: string[];
  try {
    files = readdirSync(entriesDir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  } catch (err) {
    errors.push({ file: entriesDir, field: '-', reason: `không đọc được thư mục (${(err as Error).message})` });
    return { base: { entries, byId: new Map() }, errors };
  }

  for (const name of files) {
    const file = join('entries', name);
    let raw: unknown;
    try {
      const text = readFileSync(join(entriesDir, name), 'utf8');
      for (const line of cutByComment(text)) {
        errors.push({ file, field: `dòng ${line}`, reason: 'dấu " #" bắt đầu một ghi chú YAML: phần sau nó bị bỏ, người dân không đọc được. Đặt cả câu trong ngoặc kép' });
      }
      raw = parseYaml(text, { filename: name });
    } catch (err) {
      const where = err instanceof YAMLException && err.mark ? `dòng ${err.mark.line + 1}` : '-';
      errors.push({ file, field: where, reason: `YAML sai cú pháp: ${(err as Error).message.split('\n')[0]}` });
      continue;
    }
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        errors.push({ file, field: issue.path.join('.') || '-', reason: issue.message });
      }
      continue;
    }
    const entry = parsed.data;
    const stem = basename(name).replace(/\.ya?ml$/, '');
    if (stem !== entry.id) errors.push({ file, field: 'id', reason: `tên tệp phải là "${entry.id}.yaml"` });
    const seen = fileOf.get(entry.id);
    if (seen) {
      errors.push({ file, field: 'id', reason: `id "${entry.id}" đã dùng trong ${seen}` });
      continue;
    }
    fileOf.set(entry.id, file);
    entries.push(entry);
  }

  const byId = new Map(entries.map((e) => [e.id, e]));
  for (const e of entries) {
    const file = fileOf.get(e.id)!;
    const mustExist = (ref: string, field: string) => {
      if (!byId.has(ref)) errors.push({ file, field, reason: `id "${ref}" không tồn tại` });
    };
    e.related.forEach((r, i) => mustExist(r, `related.${i}`));
    e.next.forEach((r, i) => mustExist(r, `next.${i}`));
    e.steps?.forEach((s, si) => {
      s.problems.forEach((p, pi) => p.faq && mustExist(p.faq, `steps.${si}.problems.${pi}.faq`));
      s.choices?.forEach((c, ci) => c.faq && mustExist(c.faq, `steps.${si}.choices.${ci}.faq`));
      const branches = new Set(e.steps!.flatMap((x) => x.choices?.map((c) => c.branch) ?? []));
      if (s.only && !branches.has(s.only)) {
        errors.push({ file, field: `steps.${si}.only`, reason: `không có lựa chọn nào dẫn tới nhánh "${s.only}"` });
      }
    });
  }
  return { base: { entries, byId }, errors };
}

/** Loads content for the server: refuses invalid content (the server must not start on it). */
export function loadContent(dir?: string): ContentBase {
  const { base, errors } = readContent(dir);
  if (errors.length > 0) throw new InvalidContentError(errors);
  if (base.entries.length === 0) throw new InvalidContentError([{ file: dir ?? DEFAULT_CONTENT_DIR, field: '-', reason: 'không có mục nội dung nào' }]);
  return base;
}
