import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { zaloOaPlugin } from '../../../src/channels/zalo-oa/plugin.js';
import { OA_SEND_PATH } from '../../helpers/zalo-fake.js';
import { sharedKnowledge } from '../../helpers/engine.js';
import type { Reply } from '../../../src/core/dialog/reply.js';
import {
  attachmentEvent,
  followEvent,
  NON_TEXT_EVENTS,
  oaConfig,
  oaSendEvent,
  receiptEvent,
  SECRET,
  sign,
  oaSuite,
  textEvent,
  USER_ID,
} from './setup.js';

const { script } = sharedKnowledge();
const { fake, dbFile, start } = oaSuite('zalo-oa-');
const texts = () => fake.sentMessages().map((m) => m.message.text);

describe('POST /webhooks/zalo: authentication', () => {
  it('answers the unsigned empty test POST with 200 and processes nothing', async () => {
    const oa = await start();
    expect((await oa.post('')).status).toBe(200);
    expect((await oa.post('{}')).status).toBe(200);
    expect((await fetch(oa.url, { method: 'POST' })).status).toBe(200);
    await oa.queue.idle();
    expect(fake.requests).toHaveLength(0);
  });

  it('accepts a correctly signed event and replies to sender.id', async () => {
    const oa = await start();
    const res = await oa.postSigned(textEvent('xin chào'));
    expect(res.status).toBe(200);
    await oa.queue.idle();
    const sent = fake.sentMessages();
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((m) => m.recipient.user_id === USER_ID)).toBe(true);
    expect(fake.to(OA_SEND_PATH)[0]!.headers['access_token']).toBe('AT-0');
  });

  it('rejects a bad mac, a missing header, an altered body, an old or far-future timestamp with 401', async () => {
    const oa = await start();
    const raw = JSON.stringify(textEvent('xin chào'));
    const ts = JSON.parse(raw).timestamp as string;
    const good = sign(raw, ts);

    expect((await oa.post(raw, { 'x-zevent-signature': 'mac=' + '0'.repeat(64) })).status).toBe(401);
    expect((await oa.post(raw, { 'x-zevent-signature': sign(raw, ts, 'wrong-key') })).status).toBe(401);
    expect((await oa.post(raw, { 'x-zevent-signature': 'mac=xyz' })).status).toBe(401);
    expect((await oa.post(raw)).status).toBe(401);
    expect((await oa.post(raw.replace('xin chào', 'xin chao'), { 'x-zevent-signature': good })).status).toBe(401);
    // Same bytes re-serialised with other spacing: the signature is over the raw bytes.
    expect((await oa.post(JSON.stringify(JSON.parse(raw), null, 1), { 'x-zevent-signature': good })).status).toBe(401);

    // Zalo's last retry comes about an hour after the event: two hours are accepted, not more.
    const old = JSON.stringify(textEvent('xin chào', { timestamp: Date.now() - 121 * 60_000 }));
    expect((await oa.post(old, { 'x-zevent-signature': sign(old, JSON.parse(old).timestamp) })).status).toBe(401);
    const future = JSON.stringify(textEvent('xin chào', { timestamp: Date.now() + 60 * 60_000 }));
    expect((await oa.post(future, { 'x-zevent-signature': sign(future, JSON.parse(future).timestamp) })).status).toBe(401);
    // Within the window is fine.
    const recent = JSON.stringify(textEvent('xin chào', { timestamp: Date.now() - 119 * 60_000 }));
    expect((await oa.post(recent, { 'x-zevent-signature': sign(recent, JSON.parse(recent).timestamp) })).status).toBe(200);

    await oa.queue.idle();
    // Only the accepted event was answered.
    expect(new Set(fake.sentMessages().map((m) => m.recipient.user_id))).toEqual(new Set([USER_ID]));
    expect(oa.logs.join('\n')).toContain('"reason":"stale"');
  });
});

describe('POST /webhooks/zalo: deduplication', () => {
  it('processes a redelivered msg_id once, also after a restart on the same database file', async () => {
    let oa = await start();
    const event = textEvent('xin chào', { msgId: 'redelivered-0001' });
    expect((await oa.postSigned(event)).status).toBe(200);
    expect((await oa.postSigned(event)).status).toBe(200);
    await oa.queue.idle();
    const afterFirst = fake.sentMessages().length;
    expect(afterFirst).toBeGreaterThan(0);

    await oa.close();
    oa = await start();
    // Zalo retries later with a fresh timestamp but the same msg_id.
    expect((await oa.postSigned({ ...event, timestamp: String(Date.now()) })).status).toBe(200);
    await oa.queue.idle();
    expect(fake.sentMessages()).toHaveLength(afterFirst);

    // A new message from the same user is still answered.
    await oa.postSigned(textEvent('menu'));
    await oa.queue.idle();
    expect(fake.sentMessages().length).toBeGreaterThan(afterFirst);
  });
});

describe('POST /webhooks/zalo: failing storage', () => {
  it('storage down → still 200 at once; the event is kept and answered once storage is back (our own retry), once', async () => {
    const oa = await start();
    const event = textEvent('vneid la gi', { msgId: 'storage-down-0001' });
    const original = oa.storage.markProcessed.bind(oa.storage);
    let refusals = 0;
    oa.storage.markProcessed = async () => {
      refusals++;
      throw new Error('disk I/O error');
    };
    expect((await oa.postSigned(event)).status).toBe(200);
    // Zalo's own redelivery meanwhile takes no second slot and is not answered twice.
    expect((await oa.postSigned(event)).status).toBe(200);
    await fake.waitFor(() => refusals >= 3);
    expect(fake.sentMessages()).toHaveLength(0);

    oa.storage.markProcessed = original;
    await fake.waitFor(() => fake.sentMessages().length > 0);
    await oa.queue.idle();
    expect(texts().at(-1)).toContain('VNeID');
    const answered = fake.sentMessages().length;
    expect(oa.logs.join('\n')).toContain('giữ sự kiện để thử lại');

    // Zalo retries it once more, later: already processed.
    await oa.postSigned({ ...event, timestamp: String(Date.now()) });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await oa.queue.idle();
    expect(fake.sentMessages()).toHaveLength(answered);
  });
});

describe('POST /webhooks/zalo: events', () => {
  it('follow → greeting and the menu as Zalo buttons (exact JSON), to follower.id', async () => {
    const oa = await start();
    const follower = '3301928374650019283';
    expect((await oa.postSigned(followEvent('follow', { userId: follower }))).status).toBe(200);
    await oa.queue.idle();
    const sent = fake.sentMessages();
    expect(sent).toHaveLength(3);
    expect(sent[0]!.recipient.user_id).toBe(follower);
    expect(sent[0]!.message.text).toContain('Xin chào! Mình là trợ lý VNeID của Xã Thử Nghiệm.');
    expect(sent[0]!.message.attachment).toBeUndefined();
    expect(sent[1]).toEqual({
      recipient: { user_id: follower },
      message: {
        text: 'Bạn cần hỗ trợ gì?',
        attachment: {
          type: 'template',
          payload: {
            buttons: [
              { title: 'Tiện ích mức 1', type: 'oa.query.hide', payload: '#vg:m:l1' },
              { title: 'Tiện ích mức 2', type: 'oa.query.hide', payload: '#vg:m:l2' },
              { title: 'Kích hoạt tài khoản', type: 'oa.query.hide', payload: '#vg:m:activate' },
              { title: 'Tích hợp giấy tờ', type: 'oa.query.hide', payload: '#vg:m:docs' },
            ],
          },
        },
      },
    });
    expect(sent[2]).toEqual({
      recipient: { user_id: follower },
      message: {
        text: 'Hoặc:',
        attachment: {
          type: 'template',
          payload: {
            buttons: [
              { title: 'Dịch vụ trên VNeID', type: 'oa.query.hide', payload: '#vg:m:svc' },
              { title: 'Hỏi đáp', type: 'oa.query.hide', payload: '#vg:m:faq' },
              { title: 'Liên hệ hỗ trợ', type: 'oa.query.hide', payload: '#vg:m:contact' },
            ],
          },
        },
      },
    });
    // The raw request body is the JSON Zalo documents, with the access_token header (not Bearer).
    const req = fake.to(OA_SEND_PATH)[1]!;
    expect(req.headers['content-type']).toContain('application/json');
    expect(req.headers['access_token']).toBe('AT-0');
    expect(req.headers['authorization']).toBeUndefined();
  });

  it('a button tap arrives as text with our prefix and is handled as the payload', async () => {
    const oa = await start();
    await oa.postSigned(textEvent('#vg:m:contact'));
    await oa.queue.idle();
    const sent = fake.sentMessages();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.message.text).toContain('Liên hệ hỗ trợ trực tiếp:');
    expect(sent[0]!.message.attachment).toEqual({
      type: 'template',
      payload: { buttons: [{ title: 'Về menu', type: 'oa.query.hide', payload: '#vg:menu' }] },
    });
  });

  it.each(NON_TEXT_EVENTS)('%s → the "text only" reply and the menu', async (eventName) => {
    const oa = await start();
    expect((await oa.postSigned(attachmentEvent(eventName))).status).toBe(200);
    await oa.queue.idle();
    expect(texts()[0]).toBe(script.messages.nonText.trim());
    expect(texts()).toContain('Bạn cần hỗ trợ gì?');
  });

  it.each([
    ['unfollow', () => followEvent('unfollow')],
    ['oa_send_text', () => oaSendEvent('oa_send_text')],
    ['oa_send_image', () => oaSendEvent('oa_send_image')],
    ['user_received_message', () => receiptEvent('user_received_message')],
    ['user_seen_message', () => receiptEvent('user_seen_message')],
  ])('%s → 200 and ignored', async (_name, make) => {
    const oa = await start();
    expect((await oa.postSigned(make())).status).toBe(200);
    await oa.queue.idle();
    expect(fake.requests).toHaveLength(0);
  });

  it('an unknown event → 200, one log line with only the event name', async () => {
    const oa = await start();
    const event = { ...textEvent('số điện thoại của tôi 0912345678'), event_name: 'user_send_poll' };
    expect((await oa.postSigned(event)).status).toBe(200);
    await oa.queue.idle();
    expect(fake.requests).toHaveLength(0);
    const line = oa.logs.find((l) => l.includes('user_send_poll'));
    expect(line).toBeDefined();
    expect(line).not.toContain(USER_ID);
    expect(line).not.toContain('0912345678');
  });

  it('keeps a 64-bit id exact even if it arrives as a JSON number', async () => {
    const oa = await start();
    const raw = JSON.stringify(textEvent('xin chào')).replace(`"id":"${USER_ID}"`, '"id":8830392714512213377');
    expect(raw).toContain('"sender":{"id":8830392714512213377}');
    const ts = /"timestamp":"(\d+)"/.exec(raw)![1]!;
    expect((await oa.post(raw, { 'x-zevent-signature': sign(raw, ts) })).status).toBe(200);
    await oa.queue.idle();
    expect(fake.sentMessages()[0]!.recipient.user_id).toBe('8830392714512213377');
  });
});

describe('replies', () => {
  it('splits a 4,500-character answer into ordered parts, buttons on the last only', async () => {
    const steps = Array.from({ length: 30 }, (_, i) => `${i + 1}. Bước ${i + 1}: ${'Mở ứng dụng VNeID, chọn mục cần dùng và làm theo hướng dẫn trên màn hình. '.repeat(2).trimEnd()}`);
    const long = steps.join('\n');
    expect(long.length).toBeGreaterThan(4_500);
    const longReply: Reply = { text: long.slice(0, long.lastIndexOf('\n', 4_500)), buttons: [{ label: 'Về menu', payload: '#vg:menu' }] };
    const engine = { handle: async () => [longReply] };
    const oa = await start({ engine });
    await oa.postSigned(textEvent('hướng dẫn dài'));
    await oa.queue.idle();
    const sent = fake.sentMessages();
    expect(sent.length).toBe(3);
    expect(sent.every((m) => m.message.text.length <= 2_000)).toBe(true);
    // Ordered, nothing lost, every part starts at a step.
    expect(sent.map((m) => m.message.text).join('\n')).toBe(longReply.text);
    expect(sent.every((m) => /^\d+\. Bước/.test(m.message.text))).toBe(true);
    expect(sent.slice(0, -1).every((m) => m.message.attachment === undefined)).toBe(true);
    expect(sent.at(-1)!.message.attachment).toEqual({
      type: 'template',
      payload: { buttons: [{ title: 'Về menu', type: 'oa.query.hide', payload: '#vg:menu' }] },
    });
  });

  it('-213 (not a follower) → no retry, later replies dropped, a delivery-failure recorded without content', async () => {
    const oa = await start();
    fake.script(OA_SEND_PATH, { body: { error: -213, message: 'User has not followed OA' } });
    await oa.postSigned(followEvent('follow'));
    await oa.queue.idle();
    expect(fake.to(OA_SEND_PATH)).toHaveLength(1);
    const failures = oa.sink.ofType('delivery-failure');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.event).toEqual({ type: 'delivery-failure', code: '-213' });
    expect(failures[0]!.context.channel).toBe('zalo-oa');
    expect(failures[0]!.context.userKey).toMatch(/^ps\.[0-9a-f]{32}$/);
    expect(JSON.stringify(failures)).not.toContain(USER_ID);
  });

  it('-216 mid-conversation → one refresh, then the retry succeeds with the new token', async () => {
    const oa = await start();
    fake.script(OA_SEND_PATH, { body: { error: -216, message: 'Access token is invalid' } });
    await oa.postSigned(textEvent('#vg:m:contact'));
    await oa.queue.idle();
    expect(fake.oauthCalls()).toHaveLength(1);
    const sends = fake.to(OA_SEND_PATH);
    expect(sends.map((r) => r.headers['access_token'])).toEqual(['AT-0', 'AT-1']);
    expect(oa.sink.ofType('delivery-failure')).toHaveLength(0);
  });
});

describe('privacy', () => {
  it('logs and the database never hold the raw Zalo user id, message text or tokens', async () => {
    const oa = await start();
    fake.script(OA_SEND_PATH, { body: { error: -216, message: 'Access token is invalid' } });
    await oa.postSigned(textEvent('cách đăng ký tài khoản định danh mức 2'));
    await oa.postSigned(followEvent('follow'));
    const forged = JSON.stringify(textEvent('giả mạo'));
    expect((await oa.post(forged, { 'x-zevent-signature': 'mac=' + 'f'.repeat(64) })).status).toBe(401);
    await oa.queue.idle();
    const logs = oa.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [USER_ID, 'đăng ký tài khoản', 'AT-0', 'AT-1', 'RT-0', 'RT-1']) expect(logs).not.toContain(secret);

    const rows = [
      ...oa.storage.db.prepare('SELECT key, state FROM conversations').all(),
      ...oa.storage.db.prepare('SELECT id FROM processed').all(),
      ...oa.storage.db.prepare("SELECT key FROM kv WHERE key != 'zalo-oa:tokens'").all(),
    ];
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(USER_ID);
  });
});

describe('encapsulation', () => {
  it('keeps the raw-body parser inside the plugin: other routes still get parsed JSON', async () => {
    const storage = new SqliteStorage(':memory:');
    const app = Fastify();
    await app.register(zaloOaPlugin, { config: oaConfig(fake), engine: { handle: async () => [] }, storage, secret: SECRET, autoRefresh: false });
    app.post('/echo', async (req) => ({ body: req.body }));
    const r = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } });
    expect(r.json()).toEqual({ body: { a: 1 } });
    await app.close();
    await storage.close();
  });
});
