/**
 * The .xlsx download of a dashboard table (write-excel-file): opens the same in Excel whatever the
 * computer's regional settings, which a CSV cannot promise (its separator follows them). Numbers
 * are numbers, dates are dates shown as dd/mm/yyyy, text is text: a question typed as "=..." is a
 * string cell, never a formula.
 */
import writeXlsxFile, { type Cell as XlsxCell, type SheetData } from 'write-excel-file/node';
import type { LoadedTable } from './tables.js';

/** "16/03/2025" or "16/03/2025 15:00" (as the tables write them) → that wall-clock time as a UTC Date, which Excel shows unchanged. */
function asDate(text: string): Date | undefined {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2}))?$/.exec(text);
  return m ? new Date(Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), Number(m[4] ?? 0), Number(m[5] ?? 0))) : undefined;
}

/** Excel's sheet names: at most 31 characters, none of : \ / ? * [ ]. */
export const sheetName = (title: string) => title.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31).trim() || 'Bảng';

export async function toXlsx(t: LoadedTable): Promise<Buffer> {
  const header: XlsxCell[] = t.headers.map((h) => ({ value: h, type: String, fontWeight: 'bold', wrap: true }));
  const rows: SheetData = t.rows.map((r) =>
    r.cells.map((v, i): XlsxCell => {
      if (v === null || v === undefined || v === '') return null;
      if (typeof v === 'number') return Number.isInteger(v) ? { value: v, type: Number } : { value: v, type: Number, format: '0.0#' };
      const kind = t.dates[i];
      const date = kind ? asDate(v) : undefined;
      if (date) return { value: date, type: Date, format: kind === 'datetime' ? 'dd/mm/yyyy hh:mm' : 'dd/mm/yyyy' };
      return { value: v, type: String };
    }),
  );
  // Wide enough for the longest cell of each column, within reason.
  const columns = t.headers.map((h, i) => ({
    width: Math.min(60, Math.max(10, h.length * 0.9, ...t.rows.map((r) => String(r.cells[i] ?? '').length + 2))),
  }));
  return writeXlsxFile([header, ...rows], { sheet: sheetName(t.title), columns, stickyRowsCount: 1 }).toBuffer();
}
