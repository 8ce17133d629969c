import { describe, expect, it } from 'vitest';
import { lastDays, parseViDay, rangePresets, readDayRange, viDay } from '../../../src/server/admin/dates.js';
import { dayRange, parseDay } from '../../../src/core/stats/store.js';

describe('parseViDay: dates as officials type them', () => {
  it('reads day/month/year with /, - or . and with or without leading zeros', () => {
    for (const typed of ['16/03/2025', '16/3/2025', ' 16-03-2025 ', '16.3.2025', '16 / 03 / 2025']) expect(parseViDay(typed), typed).toBe('2025-03-16');
    expect(parseViDay('01/12/2024')).toBe('2024-12-01');
  });

  it('also takes the ISO days of the dashboard links', () => {
    expect(parseViDay('2025-03-16')).toBe('2025-03-16');
  });

  it('refuses days that do not exist, month-first dates past the 12th, two-digit years and junk', () => {
    for (const bad of ['30/02/2025', '29/02/2025', '31/04/2025', '03/31/2025', '16/13/2025', '00/01/2025', '16/03/25', '16032025', 'hôm qua', '', '<script>', '16/03/1900']) {
      expect(parseViDay(bad), bad).toBeUndefined();
    }
    expect(parseViDay('29/02/2024')).toBe('2024-02-29');
  });

  it('viDay writes dd/mm/yyyy', () => {
    expect(viDay('2025-03-01')).toBe('01/03/2025');
  });
});

describe('readDayRange', () => {
  it('an inclusive range in Vietnam time', () => {
    const r = readDayRange({ from: '01/03/2025', to: '31/03/2025' });
    expect(r).toEqual({ ok: true, from: '2025-03-01', to: '2025-03-31', range: dayRange('2025-03-01', '2025-03-31') });
  });

  it('says in plain Vietnamese what is wrong', () => {
    expect(readDayRange({ from: '01/03/2025' })).toEqual({ ok: false, message: 'Vui lòng nhập cả “Từ ngày” và “Đến ngày”, theo dạng ngày/tháng/năm, ví dụ 01/03/2025.' });
    expect(readDayRange({ from: '31/02/2025', to: 'mai' })).toEqual({
      ok: false,
      message: 'Không hiểu ngày “31/02/2025” và “mai”. Vui lòng nhập theo dạng ngày/tháng/năm, ví dụ 01/03/2025.',
    });
    expect(readDayRange({ from: '31/03/2025', to: '01/03/2025' })).toEqual({ ok: false, message: '“Từ ngày” (31/03/2025) phải trước hoặc bằng “Đến ngày” (01/03/2025).' });
    expect(readDayRange({ from: '01/01/2000', to: '01/01/2020' })).toEqual({ ok: false, message: 'Khoảng ngày dài quá 10 năm. Vui lòng chọn khoảng ngắn hơn.' });
    const long = readDayRange({ from: 'x'.repeat(500), to: '01/03/2025' });
    expect(!long.ok && long.message.length).toBeLessThan(200);
  });

  it('lastDays: the days up to today, today included', () => {
    const noon = parseDay('2025-03-31')! + 12 * 3600_000;
    expect(lastDays(30, noon)).toEqual({ from: '2025-03-02', to: '2025-03-31', range: dayRange('2025-03-02', '2025-03-31') });
  });
});

describe('rangePresets', () => {
  it('last 7 and 30 days, this month, last month (across a year end too)', () => {
    expect(rangePresets(parseDay('2025-03-31')! + 12 * 3600_000)).toEqual([
      { label: '7 ngày qua', from: '2025-03-25', to: '2025-03-31' },
      { label: '30 ngày qua', from: '2025-03-02', to: '2025-03-31' },
      { label: 'Tháng này', from: '2025-03-01', to: '2025-03-31' },
      { label: 'Tháng trước', from: '2025-02-01', to: '2025-02-28' },
    ]);
    // 1 January 2026, 06:00 in Vietnam (still 31 December in UTC).
    const presets = rangePresets(parseDay('2026-01-01')! + 6 * 3600_000);
    expect(presets[2]).toEqual({ label: 'Tháng này', from: '2026-01-01', to: '2026-01-01' });
    expect(presets[3]).toEqual({ label: 'Tháng trước', from: '2025-12-01', to: '2025-12-31' });
  });
});
