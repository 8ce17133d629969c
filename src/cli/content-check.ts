/**
 * `npm run content:check [DIR]`: validates everything in content/ (entries, dialog texts and menu,
 * lexicon, matcher settings, the retired phrases) and prints file, field and reason for each error;
 * exit 1 on error. Then the writing rules of src/core/content/lint.ts: their findings are errors or
 * warnings as LINT_ERRORS_FAIL says, and entries to re-verify are listed (never an error).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { ZodError } from 'zod';
import { readContent, formatContentError, DEFAULT_CONTENT_DIR } from '../core/content/loader.js';
import { formatLintReport, lintContent, parseRetired } from '../core/content/lint.js';
import { loadScript, scriptErrors } from '../core/dialog/script.js';
import { loadLexicon, normalizeTokens, unreachableNames } from '../core/text/normalize.js';
import { loadTuning } from '../core/match/tuning.js';
import { cancelledEmergencyPhrases, readIntentsFile } from '../core/understand/intents.js';
import { readExamplesFile } from '../core/understand/emergency-reader.js';
import { readCommunes } from '../core/communes/directory.js';

const dir = process.argv[2] ?? DEFAULT_CONTENT_DIR;
const { base, errors } = readContent(dir);

function check<T>(file: string, load: () => T): T | undefined {
  try {
    return load();
  } catch (err) {
    if (err instanceof ZodError) {
      for (const issue of err.issues) errors.push({ file, field: issue.path.join('.') || '-', reason: issue.message });
    } else errors.push({ file, field: '-', reason: (err as Error).message.split('\n')[0]! });
    return undefined;
  }
}

const script = check('dialog.yaml', () => loadScript(join(dir, 'dialog.yaml')));
const lexicon = check('lexicon.yaml', () => loadLexicon(join(dir, 'lexicon.yaml')));
const tuning = check('matcher.yaml', () => loadTuning(join(dir, 'matcher.yaml')));
const intents = check('intents.yaml', () => readIntentsFile(join(dir, 'intents.yaml')));
// Optional: without it, only the phrases of intents.yaml recognise emergencies.
if (existsSync(join(dir, 'emergency-examples.yaml'))) check('emergency-examples.yaml', () => readExamplesFile(join(dir, 'emergency-examples.yaml')));
const retired = check('retired.yaml', () => parseRetired(parseYaml(readFileSync(join(dir, 'retired.yaml'), 'utf8'))));
if (script) errors.push(...scriptErrors(script, base));
if (tuning?.scamFirst) {
  const { warning, unless } = tuning.scamFirst;
  for (const [field, id] of [['scamFirst.warning', warning], ...unless.map((u, i) => [`scamFirst.unless.${i}`, u])] as const) {
    if (!base.byId.has(id)) errors.push({ file: 'matcher.yaml', field, reason: `id "${id}" không tồn tại` });
  }
}
if (intents) {
  for (const c of cancelledEmergencyPhrases(intents)) {
    errors.push({ file: 'intents.yaml', field: `emergency.${c.kind}`, reason: `"${c.phrase}" không bao giờ là khẩn cấp: cụm "${c.by.join('", "')}" trong "not" luôn hủy nó (từ từ 5 chữ cái trở lên khớp cả khi khác một chữ)` });
  }
}
if (lexicon) {
  for (const u of unreachableNames(lexicon)) {
    errors.push({ file: 'lexicon.yaml', field: u.list, reason: `"${u.name}" đọc thành "${u.readsAs}": không câu hỏi nào khớp được (tên chỉ một hoặc hai từ, không phải hư từ, từ viết tắt hay cụm từ bị đổi)` });
  }
}
// Optional: without communes.yaml the server is single-commune (COMMUNE_NAME, COMMUNE_CONTACT).
const communes = readCommunes(dir);
errors.push(...communes.errors);

// The writing rules run on whatever could be read, so one pass shows everything to fix.
// Labels are compared as the matcher reads them, when the lexicon could be read.
const readAs = lexicon && ((text: string) => normalizeTokens(text, lexicon).filter((t) => !lexicon.stopwords.has(t)).join(' '));
const lint = formatLintReport(lintContent({ entries: base.entries, ...(script ? { script } : {}), retired: retired ?? [], today: new Date(), ...(readAs ? { readAs } : {}) }));
for (const line of lint.stdout) console.log(line);
for (const line of lint.stderr) console.error(line);
console.log(lint.summary);

for (const e of errors) console.error(formatContentError(e));
if (errors.length > 0 || lint.failed) {
  const lintErrors = lint.failed ? lint.stderr.length : 0;
  console.error(`\n${errors.length + lintErrors} lỗi trong nội dung. Sửa các tệp trên rồi chạy lại: npm run content:check`);
  process.exit(1);
}
const kinds = new Map<string, number>();
for (const e of base.entries) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
console.log(`Nội dung hợp lệ: ${base.entries.length} mục (${[...kinds].map(([k, n]) => `${k}: ${n}`).join(', ')}), lời thoại, từ điển và thông số so khớp.`);
console.log(communes.present ? `communes.yaml: ${communes.communes.length} xã/phường.` : 'Không có communes.yaml: một xã/phường (COMMUNE_NAME, COMMUNE_CONTACT).');
