/**
 * End to end: citizens type personal data into a real DialogEngine (and through the real web
 * chat app with a captured log); the SQLite file, its WAL and the log must not contain any of it,
 * while the statistics still count what happened.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledge, type Knowledge } from '../../../src/core/knowledge.js';
import { loadScript, type Script } from '../../../src/core/dialog/script.js';
import { DialogEngine } from '../../../src/core/dialog/engine.js';
import { pseudonymize } from '../../../src/core/privacy/pseudonym.js';
import { StatsSink } from '../../../src/core/stats/sink.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { buildApp } from '../../../src/server/app.js';
import { loadConfig } from '../../../src/server/config.js';
import { loggerOptions } from '../../../src/server/logger.js';

const SECRET = 'test-stats-secret-0123456789abcdef';

/** What the citizens send, and the personal data in it that must never be stored or logged. */
const MESSAGES = [
  'Tôi tên là Nguyễn Thị Phương Thảo, sđt 0912 345 678, không nhận được OTP',
  'số CCCD của tôi là 036185004321 mà kích hoạt báo sai',
  'mã otp là 482913 nhập vào đâu',
  'mật khẩu của em là Thao@1985 sao không đăng nhập được',
  'email thao.nguyen85@gmail.com có dùng được không',
  'em là Trần Văn Khải, địa chỉ: số 17 ngõ 42 Trần Duy Hưng, muốn tích hợp BHYT',
  'mã thẻ BHYT DN4013612345678 không tích hợp được',
  'xe máy biển số 29-B1 567.89 tích hợp vào VNeID thế nào',
  'gọi giúp em +84 987 654 321 nhé',
  'cmnd cũ 145236987 còn dùng được không',
];
const PERSONAL = [
  'Phương Thảo',
  'Nguyễn Thị',
  '0912 345 678',
  '0912345678',
  '912345678',
  '036185004321',
  '482913',
  'Thao@1985',
  'thao.nguyen85',
  'gmail.com',
  'Trần Văn Khải',
  'Khải',
  'Trần Duy Hưng',
  'ngõ 42',
  'DN4013612345678',
  '4013612345678',
  '29-B1',
  '567.89',
  '987 654 321',
  '987654321',
  '145236987',
];
/** Raw platform user ids: only their pseudonyms may be stored. */
const RAW_IDS = { telegram: '7733112299', zalo: '4455667788990011223', web: 'websession-0912345678' };

function rawBytes(file: string): Buffer {
  const parts = [file, `${file}-wal`, `${file}-journal`].filter(existsSync).map((f) => readFileSync(f));
  return Buffer.concat(parts);
}

function leaks(haystack: Buffer | string, needles: readonly string[]): string[] {
  const buf = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  return needles.filter((n) => buf.includes(Buffer.from(n, 'utf8')) || buf.includes(Buffer.from(n.normalize('NFD'), 'utf8')));
}

let knowledge: Knowledge;
let script: Script;
let dir: string;

beforeAll(() => {
  knowledge = loadKnowledge();
  script = loadScript();
  dir = mkdtempSync(join(tmpdir(), 'vg-privacy-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a conversation full of personal data, through DialogEngine + StatsSink + SQLite', () => {
  it('leaves none of it in the database file or its WAL, and still counts everything', async () => {
    const file = join(dir, 'engine.sqlite');
    const storage = new SqliteStorage(file);
    const store = new SqliteStatsStore(storage.db);
    const errors: unknown[] = [];
    const sink = new StatsSink({ store, onError: (e) => errors.push(e) });
    const engine = new DialogEngine({ knowledge, script, storage, sink, communeName: 'Xã Test', communeContact: 'Công an xã Test', expiryMs: 86_400_000 });

    const t0 = Date.UTC(2025, 2, 10, 2, 0);
    let n = 0;
    const say = (channel: keyof typeof RAW_IDS, turn: { text?: string; payload?: string }) =>
      engine.handle({ channel, userKey: pseudonymize(SECRET, channel, RAW_IDS[channel]), now: t0 + 1000 * n++, ...turn });

    await say('telegram', { text: '/start ref_DTN01' });
    for (const text of MESSAGES) await say('telegram', { text });
    // A walkthrough with "Tôi bị lỗi", personal data typed in the middle of it, then completed.
    await say('telegram', { payload: 'w:guide-activate' });
    await say('telegram', { payload: 'next' });
    await say('telegram', { payload: 'stuck' });
    await say('telegram', { text: 'bước này hỏi số điện thoại 0912345678 của tôi' });
    for (let i = 0; i < 12; i++) await say('telegram', { payload: 'next' });
    for (const text of MESSAGES.slice(0, 4)) await say('zalo', { text });
    await say('web', { text: MESSAGES[5]! });

    expect(errors).toEqual([]);
    const range = { from: t0 - 1000, to: t0 + 1000 * n + 1000 };
    const ov = await store.overview(range);
    expect(ov.conversations).toBe(3);
    expect(ov.users).toBe(3);
    expect(ov.questions).toBe(MESSAGES.length + 1 + 4 + 1);
    expect(ov.sensitive).toBeGreaterThanOrEqual(MESSAGES.length);
    expect(ov.walksStarted).toBe(1);
    expect(ov.walksCompleted).toBe(1);
    expect(ov.stuck).toBe(1);
    expect(await store.referrals(range)).toEqual([{ code: 'DTN01', conversations: 1, users: 1, guidesCompleted: 1, activations: 1 }]);
    // Only the kinds the engine warns about (WARN_KINDS) are reported as sensitive-data events.
    const kinds = (await store.sensitiveKinds(range)).map((k) => k.kind);
    expect(kinds).toEqual(expect.arrayContaining(['phone', 'id', 'code', 'password', 'bhyt', 'cmnd']));

    // Readable for officials, with placeholders where the data was.
    const texts = (storage.db.prepare("SELECT text FROM stats_events WHERE type = 'question'").all() as Array<{ text: string }>).map((r) => r.text);
    expect(texts).toContain('Tôi tên là [HỌ TÊN], sđt [SĐT], không nhận được OTP');
    expect(texts.some((t) => t.includes('[SỐ ĐỊNH DANH]'))).toBe(true);

    // The raw bytes, while the database is open (data may sit in the WAL) and after closing.
    const keys = Object.values(RAW_IDS);
    expect(leaks(rawBytes(file), [...PERSONAL, ...keys])).toEqual([]);
    await storage.close();
    expect(leaks(rawBytes(file), [...PERSONAL, ...keys])).toEqual([]);
  });
});

describe('the same through the web chat app, with the log captured', () => {
  it('neither the database nor the log holds the personal data', async () => {
    const file = join(dir, 'app.sqlite');
    const storage = new SqliteStorage(file);
    const store = new SqliteStatsStore(storage.db);
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = pino(loggerOptions('trace'), stream);
    const sink = new StatsSink({ store, onError: (err) => logger.error({ err }, 'stats write failed') });
    // Ten messages in a row would trip the per-user flood guard: raise it, this test is about privacy.
    const config = loadConfig({ LOG_LEVEL: 'trace', DATA_DIR: dir, FLOOD_MAX_MESSAGES: '1000' });
    const { app } = await buildApp({ config, knowledge, script, storage, secret: SECRET, sink, logger });
    await app.ready();

    const sessionId = 'sess-0912345678-abc';
    for (const text of MESSAGES) {
      const res = await app.inject({ method: 'POST', url: '/api/chat', payload: { sessionId, text } });
      expect(res.statusCode).toBe(200);
    }
    const ov = await store.overview({ from: 0, to: Date.now() + 60_000 });
    expect(ov.questions).toBe(MESSAGES.length);
    expect(lines.length).toBeGreaterThan(0);

    const log = lines.join('');
    expect(leaks(log, [...PERSONAL, sessionId, '0912345678'])).toEqual([]);
    expect(leaks(rawBytes(file), [...PERSONAL, sessionId])).toEqual([]);
    await app.close();
    await storage.close();
    expect(leaks(rawBytes(file), [...PERSONAL, sessionId])).toEqual([]);
  });
});
