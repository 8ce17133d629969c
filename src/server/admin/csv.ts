/**
 * CSV for Excel: UTF-8 with BOM (so Vietnamese shows correctly), comma separated, CRLF, RFC 4180
 * quoting. Text cells that start like a formula (= + - @) get a leading apostrophe: the questions
 * are typed by the public, and a cell must never run as a formula on an official's computer.
 */
export const BOM = '\uFEFF';

export type Cell = string | number | null | undefined;

export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n;]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  return BOM + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Reads CSV produced by toCsv (for tests and round trips); undoes the formula guard. */
export function parseCsv(text: string): string[][] {
  const src = text.startsWith(BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const push = () => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') push();
    else if (c === '\r' && src[i + 1] === '\n') {
      push();
      rows.push(row);
      row = [];
      i++;
    } else cell += c;
  }
  if (cell.length > 0 || row.length > 0) {
    push();
    rows.push(row);
  }
  return rows.map((r) => r.map((c) => (/^'[=+\-@\t\r]/.test(c) ? c.slice(1) : c)));
}
