/**
 * `npm run report -- --from 2025-03-01 --to 2025-05-31 [--data-dir ./data] [--top 10]`:
 * the statistics of a period as Vietnamese plain text, fit to paste into the monthly report.
 * Opens the database read-only, so it can run while the server is running.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport } from '../core/stats/report.js';
import { dayRange } from '../core/stats/store.js';
import { SqliteStatsStore } from '../storage/sqlite-stats.js';

/** Same file name as src/server/main.ts. */
export const DB_FILE = 'vneid-guide.sqlite';

const USAGE = 'Cách dùng: npm run report -- --from YYYY-MM-DD --to YYYY-MM-DD [--data-dir ./data] [--top 10] [--commune "Xã ..."]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'data-dir': { type: 'string' },
        top: { type: 'string' },
        commune: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.from || !values.to) {
    console.error(`Thiếu --from hoặc --to.\n${USAGE}`);
    return 2;
  }
  const range = dayRange(values.from, values.to);
  if (!range) {
    console.error(`Khoảng ngày không hợp lệ: cần ngày dạng YYYY-MM-DD và --from không sau --to.\n${USAGE}`);
    return 2;
  }
  const top = values.top === undefined ? 10 : Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 1000) {
    console.error(`--top phải là số nguyên từ 1 đến 1000.\n${USAGE}`);
    return 2;
  }
  const file = join(resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './data'), DB_FILE);
  if (!existsSync(file)) {
    console.error(`Không tìm thấy cơ sở dữ liệu: ${file}`);
    return 1;
  }
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const store = new SqliteStatsStore(db);
    process.stdout.write(await buildReport(store, range, { top, ...(values.commune ? { communeName: values.commune } : {}) }));
    return 0;
  } finally {
    db.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error('Không lập được báo cáo:', err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
