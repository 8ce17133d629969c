/**
 * "Xóa dữ liệu của tôi" (issue 13 #7): a command every channel gets from the engine. It asks
 * first; the confirmation erases the conversation, remembered choices and statistics of that
 * person (by pseudonym) and says so in Vietnamese; nothing else is touched.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { StatsSink, statsUserKey } from '../../../src/core/stats/sink.js';
import { pseudonymize } from '../../../src/core/privacy/pseudonym.js';
import { FORGET_CANCEL, FORGET_CONFIRM, isForgetCommand } from '../../../src/core/dialog/forget.js';
import type { DialogEngine } from '../../../src/core/dialog/engine.js';
import { PAYLOAD_PREFIX } from '../../../src/core/dialog/reply.js';
import { makeEngine, tempDir } from '../../helpers/engine.js';

const SECRET = 'pseudonym-secret-for-tests-0123456789';
let tmp: ReturnType<typeof tempDir>;
let storage: SqliteStorage;
let engine: DialogEngine;

beforeEach(() => {
  tmp = tempDir('forget-');
  storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
  engine = makeEngine(storage, { sink: new StatsSink({ store: new SqliteStatsStore(storage.db) }) });
});
afterEach(async () => {
  await storage.close();
  tmp.cleanup();
});

const statsRows = (key: string) => (storage.db.prepare('SELECT COUNT(*) AS n FROM stats_events WHERE user_key = ?').get(statsUserKey(key)) as { n: number }).n;

describe('the command', () => {
  it.each([
    'xóa dữ liệu của tôi',
    'Xoá dữ liệu của tôi',
    'xoa du lieu cua toi',
    'XÓA DỮ LIỆU CỦA TÔI!',
    'Hãy xóa dữ liệu của mình đi',
    'xóa hết dữ liệu của tôi.',
    'xóa dữ liệu',
  ])('recognises "%s"', (text) => {
    expect(isForgetCommand(text)).toBe(true);
  });

  it.each(['cách xóa dữ liệu trên VNeID như thế nào?', 'dữ liệu của tôi ở đâu', 'xóa tài khoản', 'tôi không muốn xóa dữ liệu của tôi vì sao'])(
    'leaves "%s" to the matcher',
    (text) => {
      expect(isForgetCommand(text)).toBe(false);
    },
  );
});

describe.each(['telegram', 'zalo-oa', 'zalo-bot', 'web'])('on %s', (channel) => {
  it('asks, then the confirmation erases that person\'s conversation, choices and statistics and says what went', async () => {
    const me = pseudonymize(SECRET, channel, '1001');
    const other = pseudonymize(SECRET, channel, '1002');
    for (const who of [me, other]) {
      await engine.handle({ channel, userKey: who, start: true });
      await engine.handle({ channel, userKey: who, text: 'cách kích hoạt tài khoản định danh mức 2' });
      await storage.setValue(`numbered:${who}`, JSON.stringify({ payloads: ['#vg:menu'], at: Date.now() }));
    }
    const before = statsRows(me);
    expect(before).toBeGreaterThan(0);

    const ask = await engine.handle({ channel, userKey: me, text: 'xoa du lieu cua toi' });
    expect(ask).toHaveLength(1);
    expect(ask[0]!.text).toContain('Bạn muốn xóa dữ liệu của mình');
    expect(ask[0]!.buttons?.map((b) => b.payload)).toEqual([PAYLOAD_PREFIX + FORGET_CONFIRM, PAYLOAD_PREFIX + FORGET_CANCEL]);
    // Asking changes nothing.
    expect(await storage.getConversation(me)).toBeDefined();
    expect(statsRows(me)).toBe(before);

    const done = await engine.handle({ channel, userKey: me, payload: ask[0]!.buttons![0]!.payload });
    expect(done).toHaveLength(1);
    expect(done[0]!.text).toBe(
      `Đã xóa dữ liệu của bạn: cuộc trò chuyện đang dở, 1 lựa chọn đã ghi nhớ và ${before} bản ghi thống kê.\nNếu cần hỗ trợ tiếp, bạn cứ nhắn tin như bình thường.`,
    );
    expect(await storage.getConversation(me)).toBeUndefined();
    expect(await storage.getValue(`numbered:${me}`)).toBeUndefined();
    // The erasure itself is not counted either.
    expect(statsRows(me)).toBe(0);

    expect(await storage.getConversation(other)).toBeDefined();
    expect(await storage.getValue(`numbered:${other}`)).toBeDefined();
    expect(statsRows(other)).toBeGreaterThan(0);

    // The next message starts afresh.
    const again = await engine.handle({ channel, userKey: me, text: 'xin chào' });
    expect(again.length).toBeGreaterThan(0);
  });

  it('"Không xóa" keeps everything', async () => {
    const me = pseudonymize(SECRET, channel, '1003');
    await engine.handle({ channel, userKey: me, start: true });
    const before = statsRows(me);
    const r = await engine.handle({ channel, userKey: me, payload: PAYLOAD_PREFIX + FORGET_CANCEL });
    expect(r[0]!.text).toBe('Đã hủy, dữ liệu của bạn được giữ nguyên.');
    expect(await storage.getConversation(me)).toBeDefined();
    expect(statsRows(me)).toBe(before);
  });
});
