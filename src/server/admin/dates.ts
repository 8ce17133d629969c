/**
 * Dates as officials type and read them: dd/mm/yyyy. The date filter uses text inputs, not
 * `type=date` (which shows mm/dd/yyyy or dd/mm/yyyy depending on the browser's locale), so the
 * server reads what was typed here, with a message in plain Vietnamese when it cannot.
 * Links and the API also take ISO days (yyyy-mm-dd), which is what the dashboard's own links carry.
 */
import { dayRange, formatDay, parseDay, type StatsRange } from '../../core/stats/store.js';

/** "16/03/2025", also "16-3-2025", "16.03.2025" → "2025-03-16"; an ISO day stays as it is. */
export function parseViDay(input: string): string | undefined {
  const s = input.trim();
  let y: number, m: number, d: number;
  const vi = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$/.exec(s);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (vi) [d, m, y] = [Number(vi[1]), Number(vi[2]), Number(vi[3])];
  else if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else return undefined;
  const day = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  // parseDay refuses 31/02, 29/02 of a common year, month 13...
  return parseDay(day) === undefined || y < 2000 || y > 2100 ? undefined : day;
}

/** "2025-03-16" → "16/03/2025". */
export const viDay = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

/** The longest range a page may ask for (a year's report and then some; bounds the queries). */
export const MAX_RANGE_DAYS = 3700;

export interface RangeRequest {
  /** As typed (or from the link); undefined when absent. */
  from?: string;
  to?: string;
}

export type RangeResult =
  | { ok: true; from: string; to: string; range: StatsRange }
  /** `message` is for the official: what is wrong and how to type it. */
  | { ok: false; message: string };

const shown = (s: string) => (s.length > 30 ? `${s.slice(0, 29)}…` : s);

/** Reads a from/to pair typed by an official: ISO days and a StatsRange, or a message why not. */
export function readDayRange(q: RangeRequest): RangeResult {
  const rawFrom = q.from?.trim() ?? '';
  const rawTo = q.to?.trim() ?? '';
  if (!rawFrom || !rawTo) return { ok: false, message: 'Vui lòng nhập cả “Từ ngày” và “Đến ngày”, theo dạng ngày/tháng/năm, ví dụ 01/03/2025.' };
  const from = parseViDay(rawFrom);
  const to = parseViDay(rawTo);
  const bad = [!from ? rawFrom : undefined, !to ? rawTo : undefined].filter((x): x is string => x !== undefined);
  if (bad.length > 0) {
    return { ok: false, message: `Không hiểu ngày ${bad.map((b) => `“${shown(b)}”`).join(' và ')}. Vui lòng nhập theo dạng ngày/tháng/năm, ví dụ 01/03/2025.` };
  }
  const range = dayRange(from!, to!);
  if (!range) return { ok: false, message: `“Từ ngày” (${viDay(from!)}) phải trước hoặc bằng “Đến ngày” (${viDay(to!)}).` };
  if (range.to - range.from > MAX_RANGE_DAYS * 86_400_000) return { ok: false, message: 'Khoảng ngày dài quá 10 năm. Vui lòng chọn khoảng ngắn hơn.' };
  return { ok: true, from: from!, to: to!, range };
}

/** The last `days` days up to today (Vietnam time). */
export function lastDays(days: number, now: number): { from: string; to: string; range: StatsRange } {
  const from = formatDay(now - (days - 1) * 86_400_000);
  const to = formatDay(now);
  return { from, to, range: dayRange(from, to)! };
}

export interface RangePreset {
  label: string;
  from: string;
  to: string;
}

/** One-click ranges for the date filter, so that an official rarely has to type a date. */
export function rangePresets(now: number): RangePreset[] {
  const today = formatDay(now);
  const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
  const iso = (yy: number, mm: number, dd: number) => new Date(Date.UTC(yy, mm - 1, dd)).toISOString().slice(0, 10);
  return [
    { label: '7 ngày qua', from: formatDay(now - 6 * 86_400_000), to: today },
    { label: '30 ngày qua', from: formatDay(now - 29 * 86_400_000), to: today },
    { label: 'Tháng này', from: iso(y, m, 1), to: today },
    // Day 0 of this month is the last day of the previous one.
    { label: 'Tháng trước', from: iso(y, m - 1, 1), to: iso(y, m, 0) },
  ];
}
