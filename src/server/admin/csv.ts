/**
 * CSV for Excel: UTF-8 with BOM (so Vietnamese shows correctly), CRLF, RFC 4180 quoting.
 *
 * The separator: Excel splits a CSV by the list separator of the computer's regional settings,
 * and with Vietnamese settings that is `;` (the comma is the decimal mark). So the dashboard's
 * CSV is `;`-separated with decimal commas ("57,1"), which opens in columns there with numbers as
 * numbers; `sep=comma` gives the usual `,`-separated file with decimal points for other tools.
 * (A "sep=;" first line would also tell Excel, but then Excel ignores the BOM and garbles the
 * diacritics.)
 *
 * Text cells that start like a formula (= + - @) get a leading apostrophe: the questions are typed
 * by the public, and a cell must never run as a formula on an official's computer.
 */
export const BOM = '\uFEFF';

export type Cell = string | number | null | undefined;

export type CsvSeparator = ';' | ',';

/** The `sep` query parameter: `comma` (or `,`) for commas, anything else the Excel-for-Vietnam `;`. */
export function separatorOf(sep: unknown): CsvSeparator {
  return sep === 'comma' || sep === ',' ? ',' : ';';
}

export function csvCell(v: Cell, sep: CsvSeparator = ';'): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  if (typeof v === 'number' && sep === ';') s = s.replace('.', ',');
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return s.includes(sep) || /["\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>, sep: CsvSeparator = ';'): string {
  return BOM + [header, ...rows].map((r) => r.map((c) => csvCell(c, sep)).join(sep)).join('\r\n') + '\r\n';
}
