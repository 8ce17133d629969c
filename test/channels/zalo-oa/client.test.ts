import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ZaloFake, OA_SEND_PATH } from '../../helpers/zalo-fake.js';
import { tempDir } from '../../helpers/engine.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { buildMessages, ZaloOaClient, type ZaloOaClientOptions } from '../../../src/channels/zalo-oa/client.js';
import { TOKEN_STORAGE_KEY, ZaloTokenManager, type ZaloTokenManagerOptions } from '../../../src/channels/zalo-oa/tokens.js';
import type { ChannelLogger } from '../../../src/channels/zalo-oa/log.js';

const fake = new ZaloFake();
let tmp: ReturnType<typeof tempDir>;
let storage: SqliteStorage;

beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  tmp = tempDir('zalo-client-');
  storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
  fake.reset();
});
afterEach(async () => {
  await storage.close();
  tmp.cleanup();
});

const USER = '8830392714512213376';

class CapturingLogger implements ChannelLogger {
  readonly lines: Array<{ level: string; obj: object; msg: string }> = [];
  debug = (obj: object, msg: string) => void this.lines.push({ level: 'debug', obj, msg });
  info = (obj: object, msg: string) => void this.lines.push({ level: 'info', obj, msg });
  warn = (obj: object, msg: string) => void this.lines.push({ level: 'warn', obj, msg });
  error = (obj: object, msg: string) => void this.lines.push({ level: 'error', obj, msg });
  get text() {
    return JSON.stringify(this.lines);
  }
}

function tokens(o: Partial<ZaloTokenManagerOptions> = {}) {
  return new ZaloTokenManager({
    storage,
    appId: '4318921733410977391',
    appSecret: 'app-secret-for-tests',
    oauthBase: fake.baseUrl,
    initialAccessToken: 'AT-0',
    initialRefreshToken: 'RT-0',
    ...o,
  });
}

function client(o: Partial<ZaloOaClientOptions> = {}) {
  const delays: number[] = [];
  const failures: string[] = [];
  const c = new ZaloOaClient({
    apiBase: fake.baseUrl,
    tokens: o.tokens ?? tokens(),
    maxTries: 3,
    baseDelayMs: 5,
    timeoutMs: 2_000,
    sleep: async (ms) => void delays.push(ms),
    onFailure: (code) => void failures.push(code),
    ...o,
  });
  return { c, delays, failures };
}

/** Stores a token pair directly, as a previous run would have. */
async function storeTokens(accessToken: string, refreshToken: string, expiresAt: number) {
  await storage.setValue(TOKEN_STORAGE_KEY, JSON.stringify({ accessToken, refreshToken, expiresAt, refreshedAt: Date.now() }));
}
const stored = async () => JSON.parse((await storage.getValue(TOKEN_STORAGE_KEY))!) as { accessToken: string; refreshToken: string; expiresAt: number };

describe('message shape', () => {
  it('sendButtons posts the template JSON Zalo expects: ≤ 5 buttons, titles ≤ 20 characters', async () => {
    const { c } = client();
    const buttons = [
      { label: 'Xong, tiếp theo', payload: '#vg:next' },
      { label: 'Một nhãn nút rất dài quá hai mươi ký tự', payload: '#vg:e:x' },
      { label: 'Ba', payload: '#vg:3' },
      { label: 'Bốn', payload: '#vg:4' },
      { label: 'Năm', payload: '#vg:5' },
      { label: 'Sáu', payload: '#vg:6' },
    ];
    expect(await c.sendButtons(USER, 'Bước 1/3:\nMở ứng dụng VNeID.', buttons)).toEqual({ ok: true, messageIds: ['msg-1'] });
    const req = fake.to(OA_SEND_PATH)[0]!;
    expect(JSON.parse(req.raw)).toEqual({
      recipient: { user_id: USER },
      message: {
        text: 'Bước 1/3:\nMở ứng dụng VNeID.',
        attachment: {
          type: 'template',
          payload: {
            buttons: [
              { title: 'Xong, tiếp theo', type: 'oa.query.hide', payload: '#vg:next' },
              { title: 'Một nhãn nút rất dà…', type: 'oa.query.hide', payload: '#vg:e:x' },
              { title: 'Ba', type: 'oa.query.hide', payload: '#vg:3' },
              { title: 'Bốn', type: 'oa.query.hide', payload: '#vg:4' },
              { title: 'Năm', type: 'oa.query.hide', payload: '#vg:5' },
            ],
          },
        },
      },
    });
    expect(req.headers['access_token']).toBe('AT-0');
  });

  it('sendText splits a 4,500-character text into ordered parts of ≤ 2,000 at sentence boundaries', async () => {
    const sentence = 'Người dân mang căn cước đến Công an xã để được kích hoạt tài khoản định danh mức 2. ';
    const text = sentence.repeat(Math.ceil(4_500 / sentence.length)).slice(0, 4_500).trim();
    const { c } = client();
    const r = await c.sendText(USER, text);
    expect(r.ok && r.messageIds).toEqual(['msg-1', 'msg-2', 'msg-3']);
    const parts = fake.sentMessages().map((m) => m.message.text);
    expect(parts).toHaveLength(3);
    expect(parts.every((p) => p.length <= 2_000)).toBe(true);
    expect(parts.slice(0, -1).every((p) => p.endsWith('mức 2.'))).toBe(true);
    expect(parts.join(' ')).toBe(text);
    expect(buildMessages(text).map((m) => m.text)).toEqual(parts);
  });
});

describe('error handling', () => {
  it('-32 (rate limit) → the OA pauses, doubling, then the message goes through', async () => {
    fake.script(OA_SEND_PATH, { body: { error: -32, message: 'Rate limit' } }, { body: { error: -32, message: 'Rate limit' } });
    // A clock that stands still (a real one moves a millisecond now and then on a busy machine).
    const { c, delays, failures } = client({ now: () => 0, rateLimit: { baseDelayMs: 1_000, maxDelayMs: 16_000, maxWaitMs: 75_000 } });
    const r = await c.sendText(USER, 'Xin chào');
    expect(r.ok).toBe(true);
    expect(fake.to(OA_SEND_PATH)).toHaveLength(3);
    // The injected sleep does not move the clock: each wait is the whole remaining pause.
    expect(delays.slice(0, 2)).toEqual([1_000, 2_000]);
    expect(failures).toEqual([]);
  });

  it('-32 every time → keeps pausing until more than Zalo\'s one-minute window has passed, then reports -32 once', async () => {
    fake.setDefault(OA_SEND_PATH, () => ({ body: { error: -32, message: 'Rate limit' } }));
    let clock = 0;
    const { c, failures } = client({
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
      rateLimit: { baseDelayMs: 1_000, maxDelayMs: 16_000, maxWaitMs: 75_000 },
    });
    expect(await c.sendText(USER, 'Xin chào')).toEqual({ ok: false, code: '-32', sentParts: 0 });
    expect(clock).toBeGreaterThanOrEqual(60_000);
    expect(clock).toBeLessThanOrEqual(75_000);
    // 1 + 2 + 4 + 8 + 16 + 16 + 16 + 12 s of pauses: nine attempts, not three within 1.5 s.
    expect(fake.to(OA_SEND_PATH)).toHaveLength(9);
    expect(failures).toEqual(['-32']);
  });

  it('one -32 pauses every send of the OA, not only the message that hit it', async () => {
    fake.script(OA_SEND_PATH, { body: { error: -32, message: 'Rate limit' } });
    let clock = 0;
    const waits: number[] = [];
    const { c } = client({
      now: () => clock,
      sleep: async (ms) => void waits.push(ms),
      rateLimit: { baseDelayMs: 1_000 },
    });
    expect((await c.sendText(USER, 'Một')).ok).toBe(true);
    // The clock has not moved: a second message still waits at the gate.
    expect((await c.sendText(USER, 'Hai')).ok).toBe(true);
    // One wait for the retry of "Một", one for "Hai" (which Zalo never refused).
    expect(waits).toEqual([1_000, 1_000]);
    clock = 1_000;
    expect((await c.sendText(USER, 'Ba')).ok).toBe(true);
    expect(waits).toHaveLength(2);
  });

  it('HTTP 503 and a timeout are retried', async () => {
    fake.script(OA_SEND_PATH, { status: 503, body: { message: 'unavailable' } }, { delayMs: 400, body: { error: 0, data: { message_id: 'late' } } });
    const { c, delays } = client({ timeoutMs: 150 });
    const r = await c.sendText(USER, 'Xin chào');
    expect(r.ok).toBe(true);
    expect(fake.to(OA_SEND_PATH)).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it.each([-213, -230, -232, -201])('%i → no retry, onFailure(code)', async (code) => {
    fake.script(OA_SEND_PATH, { body: { error: code, message: 'refused' } });
    const { c, failures, delays } = client();
    expect(await c.sendReply(USER, { text: 'Xin chào', buttons: [{ label: 'Về menu', payload: '#vg:menu' }] })).toEqual({
      ok: false,
      code: String(code),
      sentParts: 0,
    });
    expect(fake.to(OA_SEND_PATH)).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(failures).toEqual([String(code)]);
  });

  it.each([-216, -220])('%i → refreshes once and retries with the new token', async (code) => {
    fake.script(OA_SEND_PATH, { body: { error: code, message: 'Access token is invalid' } });
    const { c } = client();
    expect((await c.sendText(USER, 'Xin chào')).ok).toBe(true);
    expect(fake.oauthCalls()).toHaveLength(1);
    expect(fake.to(OA_SEND_PATH).map((r) => r.headers['access_token'])).toEqual(['AT-0', 'AT-1']);
  });

  it('-216 again after the refresh → gives up (no refresh loop)', async () => {
    fake.script(OA_SEND_PATH, { body: { error: -216 } }, { body: { error: -216 } });
    const { c, failures } = client();
    expect(await c.sendText(USER, 'Xin chào')).toEqual({ ok: false, code: '-216', sentParts: 0 });
    expect(fake.oauthCalls()).toHaveLength(1);
    expect(fake.to(OA_SEND_PATH)).toHaveLength(2);
    expect(failures).toEqual(['-216']);
  });

  it('stops a split answer at the first part that fails', async () => {
    fake.script(OA_SEND_PATH, { body: { error: 0, data: { message_id: 'p1' } } }, { body: { error: -230 } });
    const { c } = client();
    const text = 'Một câu khá dài. '.repeat(300);
    expect(await c.sendText(USER, text)).toEqual({ ok: false, code: '-230', sentParts: 1 });
    expect(fake.to(OA_SEND_PATH)).toHaveLength(2);
  });
});

describe('access token lifecycle', () => {
  it('seeds storage from the environment only when it has no tokens yet', async () => {
    const t = tokens();
    expect(await t.getAccessToken()).toBe('AT-0');
    expect((await stored()).refreshToken).toBe('RT-0');

    await storeTokens('AT-7', 'RT-7', Date.now() + 20 * 3600_000);
    const again = tokens();
    // Stored tokens without the env fingerprint came from elsewhere: keep them.
    expect(await again.getAccessToken()).toBe('AT-7');
    expect(fake.oauthCalls()).toHaveLength(0);
  });

  it('a refreshed pair survives a restart with the same env values; a new env refresh token (re-authorisation) replaces it', async () => {
    const first = tokens();
    await first.refresh('AT-0');
    expect((await stored()).refreshToken).toBe('RT-1');
    expect(await tokens().getAccessToken()).toBe('AT-1');
    expect(await tokens({ initialAccessToken: 'AT-new', initialRefreshToken: 'RT-new' }).getAccessToken()).toBe('AT-new');
  });

  it('refreshes ahead of expiry; the new single-use refresh token is persisted before the new access token is used', async () => {
    await storeTokens('AT-old', 'RT-old', Date.now() + 60_000); // inside the 30-minute refresh-ahead margin
    let storedAtUse: string | undefined;
    fake.script(OA_SEND_PATH, async (req) => {
      storedAtUse = (await storage.getValue(TOKEN_STORAGE_KEY)) ?? undefined;
      return { body: { error: 0, data: { message_id: `m-${String(req.headers['access_token'])}` } } };
    });
    const { c } = client();
    expect((await c.sendText(USER, 'Xin chào')).ok).toBe(true);

    const [oauth] = fake.oauthCalls();
    expect(oauth!.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(oauth!.headers['secret_key']).toBe('app-secret-for-tests');
    expect(oauth!.body).toEqual({ refresh_token: 'RT-old', app_id: '4318921733410977391', grant_type: 'refresh_token' });
    expect(fake.to(OA_SEND_PATH)[0]!.headers['access_token']).toBe('AT-1');
    expect(JSON.parse(storedAtUse!)).toMatchObject({ accessToken: 'AT-1', refreshToken: 'RT-1' });
  });

  it('reads expires_in given as a string or a number', async () => {
    fake.script('/v4/oa/access_token', { body: { access_token: 'AT-s', refresh_token: 'RT-s', expires_in: '90000' } });
    fake.script('/v4/oa/access_token', { body: { access_token: 'AT-n', refresh_token: 'RT-n', expires_in: 3600 } });
    const t = tokens();
    await t.init();
    const before = Date.now();
    await t.refresh('AT-0');
    const s = await stored();
    expect(s.expiresAt).toBeGreaterThanOrEqual(before + 90_000_000);
    expect(s.expiresAt).toBeLessThanOrEqual(Date.now() + 90_000_000);
    await t.refresh('AT-s');
    expect((await stored()).expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect((await stored()).accessToken).toBe('AT-n');
  });

  it('two concurrent sends during an expiry → exactly one OAuth call, both use the new token', async () => {
    await storeTokens('AT-old', 'RT-old', Date.now() - 1_000);
    fake.script('/v4/oa/access_token', { delayMs: 100, body: { access_token: 'AT-1', refresh_token: 'RT-1', expires_in: '90000' } });
    const t = tokens();
    const a = client({ tokens: t });
    const b = client({ tokens: t });
    const [ra, rb] = await Promise.all([a.c.sendText(USER, 'Một'), b.c.sendText(USER, 'Hai')]);
    expect(ra.ok && rb.ok).toBe(true);
    expect(fake.oauthCalls()).toHaveLength(1);
    expect(fake.to(OA_SEND_PATH).map((r) => r.headers['access_token'])).toEqual(['AT-1', 'AT-1']);
  });

  it('two holders on one storage (as two instances would be) both hit -216 → one refresh: the waiter re-reads storage', async () => {
    await storeTokens('AT-old', 'RT-old', Date.now() + 20 * 3600_000);
    fake.script('/v4/oa/access_token', { delayMs: 100, body: { access_token: 'AT-1', refresh_token: 'RT-1', expires_in: 90000 } });
    fake.script(OA_SEND_PATH, { body: { error: -216 } }, { body: { error: -216 } });
    const a = client({ tokens: tokens() });
    const b = client({ tokens: tokens() });
    const [ra, rb] = await Promise.all([a.c.sendText(USER, 'Một'), b.c.sendText(USER, 'Hai')]);
    expect(ra.ok && rb.ok).toBe(true);
    expect(fake.oauthCalls()).toHaveLength(1);
    expect((await stored()).refreshToken).toBe('RT-1');
  });

  it('a failed refresh sets the health flag, logs one clear line without tokens; a later success clears it', async () => {
    await storeTokens('AT-old', 'RT-old', Date.now() - 1_000);
    fake.script('/v4/oa/access_token', { body: { error: -14014, error_name: 'Invalid refresh token', error_reason: 'RT-old is expired' } });
    const log = new CapturingLogger();
    let offset = 0;
    const t = tokens({ logger: log, now: () => Date.now() + offset });
    const { c, failures } = client({ tokens: t });
    // The ahead-of-expiry refresh fails; the old token is tried anyway and Zalo refuses it.
    fake.script(OA_SEND_PATH, { body: { error: -216 } });
    expect(await c.sendText(USER, 'Xin chào')).toEqual({ ok: false, code: 'token:oauth:-14014', sentParts: 0 });
    expect(failures).toEqual(['token:oauth:-14014']);
    // A refresh token Zalo refused is not offered again at every message (cool-down).
    expect(fake.oauthCalls()).toHaveLength(1);
    expect(t.healthy).toBe(false);
    expect(t.healthCheck()).toEqual({ name: 'zalo-oa-token', ok: false });
    const errors = log.lines.filter((l) => l.level === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]!.msg).toContain('cấp quyền lại');
    expect(log.text).not.toMatch(/AT-|RT-|app-secret/);
    // The stored (still only) refresh token was not thrown away.
    expect((await stored()).refreshToken).toBe('RT-old');

    offset = 2 * 60_000;
    expect(await t.refresh('AT-old')).toBe('AT-1');
    expect(t.healthy).toBe(true);
    expect(fake.oauthCalls()).toHaveLength(2);
  });

  it('a refresh token another instance already spent → the fake\'s own -14014; unhealthy, one OAuth call however many sends', async () => {
    // Two instances seeded with the same tokens but not sharing a database: A refreshes first,
    // which spends RT-0 at Zalo; B then offers the same RT-0.
    const otherTmp = tempDir('zalo-client-other-');
    const otherStorage = new SqliteStorage(join(otherTmp.dir, 'db.sqlite'));
    try {
      const a = tokens({ storage: otherStorage, initialAccessToken: 'AT-0', initialRefreshToken: 'RT-0' });
      await a.init();
      expect(await a.refresh('AT-0')).toBe('AT-1');

      const log = new CapturingLogger();
      const b = tokens({ logger: log });
      const { c, failures } = client({ tokens: b });
      fake.script(OA_SEND_PATH, { body: { error: -216, message: 'Access token is invalid' } });
      expect(await c.sendText(USER, 'Xin chào')).toMatchObject({ ok: false, code: 'token:oauth:-14014' });
      const oauth = fake.oauthCalls();
      expect(oauth.map((r) => (r.body as { refresh_token: string }).refresh_token)).toEqual(['RT-0', 'RT-0']);
      expect(b.healthCheck()).toEqual({ name: 'zalo-oa-token', ok: false });
      expect(log.lines.filter((l) => l.level === 'error').map((l) => l.obj)).toContainEqual({ code: 'oauth:-14014' });

      // No retry storm: further messages do not offer the refused token again.
      for (let i = 0; i < 5; i++) {
        fake.script(OA_SEND_PATH, { body: { error: -216, message: 'Access token is invalid' } });
        await c.sendText(USER, `Tin ${i}`);
      }
      expect(fake.oauthCalls()).toHaveLength(2);
      expect(failures.every((f) => f === 'token:oauth:-14014')).toBe(true);
      expect(log.text).not.toMatch(/AT-|RT-|app-secret/);
    } finally {
      await otherStorage.close();
      otherTmp.cleanup();
    }
  });

  it('no token at all → unhealthy, and sends fail without calling Zalo', async () => {
    const t = new ZaloTokenManager({ storage, appId: '1', oauthBase: fake.baseUrl });
    const { c } = client({ tokens: t });
    expect(await c.sendText(USER, 'Xin chào')).toEqual({ ok: false, code: 'token:no-tokens', sentParts: 0 });
    expect(t.healthy).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });
});
