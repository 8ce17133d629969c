/**
 * Office hours in Vietnam time: is the commune police office open now, and if not, when does it
 * open? Vietnam keeps UTC+7 all year (no daylight saving), so local time is a fixed offset; the
 * clock is always passed in (tests fix it).
 */
import { WEEKDAYS, type Opening } from './schema.js';

/** Asia/Ho_Chi_Minh: UTC+7, no daylight saving since 1975. */
const VIETNAM_OFFSET_MS = 7 * 3600_000;
const DAY_MS = 24 * 3600_000;
const WEEKDAY_NAMES = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];

export type OfficeStatus = { open: true } | { open: false; opensAt: number } | { open: false; opensAt: undefined };

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** Weekday index as Date#getUTCDay counts (0 = Sunday) of a schema day name. */
const dayIndex = (d: (typeof WEEKDAYS)[number]) => (WEEKDAYS.indexOf(d) + 1) % 7;

/** Opening ranges in minutes after local midnight, for each weekday (0 = Sunday). */
function rangesByDay(open: readonly Opening[]): Array<Array<[number, number]>> {
  const days: Array<Array<[number, number]>> = [[], [], [], [], [], [], []];
  for (const o of open) {
    for (const d of o.days) {
      for (const t of o.times) {
        const [from, to] = t.split(/\s*[-–]\s*/) as [string, string];
        days[dayIndex(d)]!.push([minutes(from), minutes(to)]);
      }
    }
  }
  for (const d of days) d.sort((a, b) => a[0] - b[0]);
  return days;
}

/** Local midnight (as epoch ms) of the Vietnam day containing `now`, and that day's weekday. */
function localDay(now: number): { midnight: number; weekday: number; minute: number } {
  const local = now + VIETNAM_OFFSET_MS;
  const localMidnight = Math.floor(local / DAY_MS) * DAY_MS;
  return { midnight: localMidnight - VIETNAM_OFFSET_MS, weekday: new Date(localMidnight).getUTCDay(), minute: Math.floor((local - localMidnight) / 60_000) };
}

/** Open now, or when it next opens (within a week; undefined when no hours are open at all). */
export function officeStatus(open: readonly Opening[], now: number): OfficeStatus {
  const days = rangesByDay(open);
  const today = localDay(now);
  for (let ahead = 0; ahead < 8; ahead++) {
    const weekday = (today.weekday + ahead) % 7;
    for (const [from, to] of days[weekday]!) {
      if (ahead === 0 && today.minute >= from && today.minute < to) return { open: true };
      if (ahead > 0 || from > today.minute) return { open: false, opensAt: today.midnight + ahead * DAY_MS + from * 60_000 };
    }
  }
  return { open: false, opensAt: undefined };
}

const two = (n: number) => String(n).padStart(2, '0');

/** "7:30 sáng nay", "13:30 chiều mai (Thứ Ba, 08/12)", "7:30 sáng Thứ Hai, 07/12". */
export function describeOpening(at: number, now: number): string {
  const local = new Date(at + VIETNAM_OFFSET_MS);
  const h = local.getUTCHours();
  const time = `${h}:${two(local.getUTCMinutes())}`;
  const part = h < 11 ? 'sáng' : h < 13 ? 'trưa' : h < 18 ? 'chiều' : 'tối';
  const date = `${WEEKDAY_NAMES[local.getUTCDay()]}, ${two(local.getUTCDate())}/${two(local.getUTCMonth() + 1)}`;
  const days = Math.round((localDay(at).midnight - localDay(now).midnight) / DAY_MS);
  if (days === 0) return `${time} ${part} nay`;
  if (days === 1) return `${time} ${part} mai (${date})`;
  return `${time} ${part} ${date}`;
}
