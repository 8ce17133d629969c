/** `npm run content:check [DIR]`: validates content/ and prints file, field and reason for each error. */
import { readContent, formatContentError, DEFAULT_CONTENT_DIR } from '../core/content/loader.js';

const dir = process.argv[2] ?? DEFAULT_CONTENT_DIR;
const { base, errors } = readContent(dir);
if (errors.length > 0) {
  for (const e of errors) console.error(formatContentError(e));
  console.error(`\n${errors.length} lỗi trong nội dung. Sửa các tệp trên rồi chạy lại: npm run content:check`);
  process.exit(1);
}
const kinds = new Map<string, number>();
for (const e of base.entries) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
console.log(`Nội dung hợp lệ: ${base.entries.length} mục (${[...kinds].map(([k, n]) => `${k}: ${n}`).join(', ')}).`);
