/**
 * `npm run content:check [DIR]`: validates everything in content/ (entries, dialog texts and menu,
 * lexicon, matcher settings) and prints file, field and reason for each error; exit 1 on error.
 */
import { join } from 'node:path';
import { ZodError } from 'zod';
import { readContent, formatContentError, DEFAULT_CONTENT_DIR } from '../core/content/loader.js';
import { loadScript, scriptErrors } from '../core/dialog/script.js';
import { loadLexicon } from '../core/text/normalize.js';
import { loadTuning } from '../core/match/tuning.js';

const dir = process.argv[2] ?? DEFAULT_CONTENT_DIR;
const { base, errors } = readContent(dir);

function check(file: string, load: () => unknown): unknown {
  try {
    return load();
  } catch (err) {
    if (err instanceof ZodError) {
      for (const issue of err.issues) errors.push({ file, field: issue.path.join('.') || '-', reason: issue.message });
    } else errors.push({ file, field: '-', reason: (err as Error).message.split('\n')[0]! });
    return undefined;
  }
}

const script = check('dialog.yaml', () => loadScript(join(dir, 'dialog.yaml'))) as ReturnType<typeof loadScript> | undefined;
check('lexicon.yaml', () => loadLexicon(join(dir, 'lexicon.yaml')));
check('matcher.yaml', () => loadTuning(join(dir, 'matcher.yaml')));
if (script) errors.push(...scriptErrors(script, base));

if (errors.length > 0) {
  for (const e of errors) console.error(formatContentError(e));
  console.error(`\n${errors.length} lỗi trong nội dung. Sửa các tệp trên rồi chạy lại: npm run content:check`);
  process.exit(1);
}
const kinds = new Map<string, number>();
for (const e of base.entries) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
console.log(`Nội dung hợp lệ: ${base.entries.length} mục (${[...kinds].map(([k, n]) => `${k}: ${n}`).join(', ')}), lời thoại, từ điển và thông số so khớp.`);
