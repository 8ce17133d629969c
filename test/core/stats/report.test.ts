import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/core/stats/report.js';
import { dayRange } from '../../../src/core/stats/store.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { FROM, SEED, TO } from '../../fixtures/stats-seed.js';

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;

/** Written by hand from the seeded events (see test/fixtures/stats-seed.ts). */
const EXPECTED_REPORT = `BÁO CÁO THỐNG KÊ TRỢ LÝ VNeID — XÃ TEST
Từ ngày 01/03/2025 đến ngày 31/03/2025 (giờ Việt Nam).
Số liệu ẩn danh: không chứa họ tên, số điện thoại, số định danh của người dân.

1. Tổng quan
- Số cuộc trò chuyện: 6
- Số người dùng (ẩn danh): 6
- Số câu hỏi: 7; trả lời được 4 (57,1 %), chưa chắc 1, chưa trả lời được 2
- Hướng dẫn từng bước: 9 lượt bắt đầu, 4 lượt hoàn thành; 3 lượt bấm "Tôi bị lỗi"
- Tin nhắn có thông tin cá nhân (đã nhắc người dân không chia sẻ): 1
- Tin nhắn khẩn cấp (đã đưa số 113/114/115 và liên hệ Công an xã): 1
- Lỗi gửi tin: 3

2. Kết quả hướng dẫn theo loại giấy tờ (số người)
- Kích hoạt tài khoản định danh điện tử: 1 người hoàn thành / 2 người bắt đầu
- Thẻ bảo hiểm y tế (BHYT): 1 người hoàn thành / 2 người bắt đầu
- Giấy phép lái xe (GPLX): 1 người hoàn thành / 1 người bắt đầu
- Giấy đăng ký xe: 0 người hoàn thành / 1 người bắt đầu
- Mã số thuế (MST): 0 người hoàn thành / 1 người bắt đầu
- Người phụ thuộc: 1 người hoàn thành / 1 người bắt đầu

3. Theo kênh
- Zalo: 3 cuộc trò chuyện, 3 người dùng, 3 câu hỏi (trả lời được 33,3 %)
- Telegram: 2 cuộc trò chuyện, 2 người dùng, 1 câu hỏi (trả lời được 100,0 %)
- Web chat: 1 cuộc trò chuyện, 1 người dùng, 3 câu hỏi (trả lời được 66,7 %)

4. Theo mã giới thiệu (đội tình nguyện)
- DTN01: 2 cuộc trò chuyện, 2 người, 2 hướng dẫn hoàn thành, 1 người kích hoạt tài khoản
- HOILHPN: 1 cuộc trò chuyện, 1 người, 1 hướng dẫn hoàn thành, 0 người kích hoạt tài khoản

5. Câu hỏi chưa trả lời được hoặc chưa chắc nhiều nhất (tối đa 10)
1. "xin giấy xác nhận cư trú ở đâu ạ" — 2 lần
2. "đổi số điện thoại" — 1 lần
`;

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vg-report-'));
  const storage = new SqliteStorage(join(dir, 'vneid-guide.sqlite'));
  const store = new SqliteStatsStore(storage.db);
  for (const s of SEED) await store.record(s.event, s.context);
  await storage.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('buildReport', () => {
  it('matches the hand-written report for the seeded month', async () => {
    const storage = new SqliteStorage(join(dir, 'vneid-guide.sqlite'));
    const text = await buildReport(new SqliteStatsStore(storage.db), dayRange(FROM, TO)!, { communeName: 'Xã Test' });
    await storage.close();
    expect(text).toBe(EXPECTED_REPORT);
  });

  it('says so when a period is empty', async () => {
    const storage = new SqliteStorage(join(dir, 'vneid-guide.sqlite'));
    const text = await buildReport(new SqliteStatsStore(storage.db), dayRange('2024-01-01', '2024-01-31')!, { top: 3 });
    await storage.close();
    expect(text).toContain('- Số câu hỏi: 0; trả lời được 0 (–)');
    expect(text).toContain('(không có cuộc trò chuyện nào qua mã giới thiệu)');
    expect(text).toContain('tối đa 3)\n- (không có)');
  });
});

describe('npm run report (src/cli/report.ts)', () => {
  const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/report.ts'), ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: '' } });

  it('prints the report', async () => {
    const { stdout } = await cli('--from', FROM, '--to', TO, '--data-dir', dir, '--commune', 'Xã Test');
    expect(stdout).toBe(EXPECTED_REPORT);
  });

  it('explains bad arguments in Vietnamese', async () => {
    await expect(cli('--from', '2025-03-31', '--to', '2025-03-01', '--data-dir', dir)).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Khoảng ngày không hợp lệ') });
    await expect(cli('--from', FROM)).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Thiếu --from hoặc --to') });
    await expect(cli('--from', FROM, '--to', TO, '--data-dir', join(dir, 'missing'))).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('Không tìm thấy cơ sở dữ liệu') });
  });
});
