/**
 * Zalo OA as it behaves in production (issue 13): refused buttons, hidden taps, first contact,
 * non-followers, late retries, rate limits, app secret proof, data deletion. Real HTTP to the
 * plugin on 127.0.0.1 and from it to the fake Zalo; Zalo's published sample payloads are sent
 * byte for byte (only the timestamp is fresh) and signed as Zalo signs them.
 */
import { describe, expect, it } from 'vitest';
import { OA_SEND_PATH, OA_ANONYMOUS_PATH } from '../../helpers/zalo-fake.js';
import { sharedKnowledge } from '../../helpers/engine.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { StatsSink, statsUserKey } from '../../../src/core/stats/sink.js';
import { pseudonymize } from '../../../src/core/privacy/pseudonym.js';
import { BUTTONS_REFUSED_PREFIX } from '../../../src/channels/zalo-oa/choices.js';
import { WorkQueue } from '../../../src/channels/zalo-oa/queue.js';
import { zaloOaPlugin } from '../../../src/channels/zalo-oa/plugin.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import Fastify from 'fastify';
import { freshSample, oaConfig, OA_ID, SECRET, sampleNames, sign, oaSuite, textEvent, USER_ID, type OaHarness } from './setup.js';

const { script } = sharedKnowledge();
const { fake, dbFile, start } = oaSuite('zalo-oa-prod-');
/** The ids in the published samples. */
const SAMPLE_USER = '246845883529197922';
const SAMPLE_OA = '388613280878808645';

/** Posts raw bytes signed as Zalo does (timestamp read from the bytes), optionally with Zalo's retry header. */
async function postRaw(h: OaHarness, raw: string, headers: Record<string, string> = {}): Promise<Response> {
  const ts = /"timestamp"\s*:\s*"(\d+)"/.exec(raw)![1]!;
  return h.post(raw, { 'x-zevent-signature': sign(raw, ts), ...headers });
}

const delivered = () => fake.deliveredMessages();
const deliveredTexts = () => delivered().map((m) => m.message.text);
const allButtons = () => fake.sentMessages().flatMap((m) => (m.message.attachment as { payload?: { buttons?: Array<{ type: string; payload: string; title: string }> } } | undefined)?.payload?.buttons ?? []);

describe("Zalo's published sample payloads, verbatim with a fresh timestamp", () => {
  type Outcome = 'answer' | 'non-text' | 'greet' | 'anonymous' | 'ignored';
  const EXPECTED: Record<string, Outcome> = {
    'user_send_text.json': 'answer',
    'user_send_text_quote.json': 'answer',
    'user_send_image.json': 'non-text',
    'user_send_gif.json': 'non-text',
    'user_send_link.json': 'non-text',
    'user_send_audio.json': 'non-text',
    'user_send_video.json': 'non-text',
    'user_send_sticker.json': 'non-text',
    'user_send_location.json': 'non-text',
    'user_send_file.json': 'non-text',
    'user_send_business_card.json': 'non-text',
    'follow.json': 'greet',
    'user_click_chatnow.json': 'greet',
    'anonymous_send_text.json': 'anonymous',
    'unfollow.json': 'ignored',
    'oa_send_text.json': 'ignored',
    'user_received_message.json': 'ignored',
    'user_seen_message.json': 'ignored',
    'user_reacted_message.json': 'ignored',
    'user_submit_info.json': 'ignored',
    'add_user_to_tag.json': 'ignored',
    'user_send_group_text.json': 'ignored',
  };

  it('every sample file has an expected outcome here', () => {
    expect(sampleNames('oa').sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s → %s', async (name, outcome) => {
    const oa = await start();
    const raw = freshSample(name);
    expect((await postRaw(oa, raw)).status).toBe(200);
    await oa.queue.idle();
    const sent = delivered();
    switch (outcome) {
      case 'ignored':
        expect(fake.requests).toHaveLength(0);
        break;
      case 'greet':
        expect(sent[0]!.recipient).toEqual({ user_id: name === 'follow.json' ? '24684588352919792' : SAMPLE_USER });
        expect(sent[0]!.message.text).toContain('Xin chào! Mình là trợ lý VNeID của Xã Thử Nghiệm.');
        break;
      case 'non-text':
        expect(sent[0]!.recipient).toEqual({ user_id: SAMPLE_USER });
        expect(sent[0]!.message.text).toBe(script.messages.nonText.trim());
        break;
      case 'answer':
        expect(sent.length).toBeGreaterThan(0);
        expect(sent.every((m) => m.recipient.user_id === SAMPLE_USER)).toBe(true);
        break;
      case 'anonymous':
        expect(fake.to(OA_SEND_PATH)).toHaveLength(0);
        expect(fake.anonymousMessages().length).toBeGreaterThan(0);
        break;
    }
    // Nothing personal from the payloads reaches the logs.
    const logs = oa.logs.join('\n');
    for (const secret of [SAMPLE_USER, '0912345678', '84912345678', 'Name Example', 'Tân Thuận']) expect(logs).not.toContain(secret);
  });
});

describe('choices that always arrive', () => {
  it.each([-201, -233] as const)('buttons refused with %i → the same reply arrives as text with numbered choices; a number typed back is the choice', async (code) => {
    fake.refuseButtons(code);
    let oa = await start();
    // (follow.json names another OA id than the message samples: a typo in Zalo's docs.)
    expect((await postRaw(oa, freshSample('user_click_chatnow.json'))).status).toBe(200);
    await oa.queue.idle();
    const texts = deliveredTexts();
    // Greeting (no buttons: went through), then both menu messages as one numbered list.
    expect(texts[0]).toContain('Xin chào! Mình là trợ lý VNeID');
    const menu = texts.slice(1).join('\n');
    expect(menu).toContain('Bạn cần hỗ trợ gì?\n\n1. Tiện ích mức 1\n2. Tiện ích mức 2\n3. Kích hoạt tài khoản\n4. Tích hợp giấy tờ');
    expect(menu).toContain('Hoặc:\n\n5. Dịch vụ trên VNeID\n6. Hỏi đáp\n7. Liên hệ hỗ trợ');
    expect(menu).toContain('Bạn trả lời bằng số thứ tự');
    expect(delivered().every((m) => m.message.attachment === undefined)).toBe(true);
    expect(menu).not.toContain('#vg:');

    // "7" means "Liên hệ hỗ trợ", and the answer goes straight to text (no second refusal).
    const before = fake.sentMessages().length;
    const seven = JSON.parse(freshSample('user_send_text.json')) as Record<string, Record<string, unknown>>;
    seven.message!.text = '7';
    await postRaw(oa, JSON.stringify(seven));
    await oa.queue.idle();
    const after = fake.sentMessages().slice(before);
    expect(after.every((m) => m.message.attachment === undefined)).toBe(true);
    expect(after.map((m) => m.message.text).join('\n')).toContain('Liên hệ hỗ trợ trực tiếp:');

    // Remembered for this OA, in storage: a restart still sends text at once.
    const stored = JSON.parse((await oa.storage.getValue(BUTTONS_REFUSED_PREFIX + SAMPLE_OA))!) as { code: string };
    expect(stored.code).toBe(String(code));
    await oa.close();
    fake.reset();
    oa = await start();
    await oa.postSigned(textEvent('menu', { userId: USER_ID }));
    // textEvent's recipient is another OA: that one has not refused anything yet.
    await oa.queue.idle();
    expect(fake.sentMessages().some((m) => m.message.attachment !== undefined)).toBe(true);
    fake.reset();
    await postRaw(oa, freshSample('user_send_sticker.json'));
    await oa.queue.idle();
    expect(fake.sentMessages().length).toBeGreaterThan(0);
    expect(fake.sentMessages().every((m) => m.message.attachment === undefined)).toBe(true);
  });

  it('a failure that is not about buttons (-213, the citizen unfollowed) is not retried as text and not remembered', async () => {
    fake.script(OA_SEND_PATH, { body: { error: 0, data: { message_id: 'g' } } }, { body: { error: -213, message: 'User has not followed OA' } });
    const oa = await start();
    await postRaw(oa, freshSample('follow.json'));
    await oa.queue.idle();
    expect(fake.to(OA_SEND_PATH)).toHaveLength(2);
    expect(oa.sink.ofType('delivery-failure').map((e) => e.event.code)).toEqual(['-213']);
    expect(await oa.storage.getValue(BUTTONS_REFUSED_PREFIX + SAMPLE_OA)).toBeUndefined();
  });

  it('ZALO_OA_CHOICES unset → numbered text from the start (the default), understood by number', async () => {
    const config = oaConfig(fake);
    delete (config as { ZALO_OA_CHOICES?: unknown }).ZALO_OA_CHOICES;
    const oa = await start({ config });
    await postRaw(oa, freshSample('user_click_chatnow.json'));
    await oa.queue.idle();
    expect(fake.sentMessages().every((m) => m.message.attachment === undefined)).toBe(true);
    expect(deliveredTexts().join('\n')).toContain('2. Tiện ích mức 2');
    const two = JSON.parse(freshSample('user_send_text.json')) as Record<string, Record<string, unknown>>;
    two.message!.text = 'số 2';
    fake.reset();
    await postRaw(oa, JSON.stringify(two));
    await oa.queue.idle();
    expect(deliveredTexts()[0]).toContain('mức 2');
    expect(deliveredTexts().join('\n')).toMatch(/\n1\. /);
  });
});

describe('taps read like the citizen\'s own words', () => {
  it('no button ever posts its internal code into the chat: every button is oa.query.hide, through menus, answers and a walkthrough', async () => {
    const oa = await start();
    await oa.postSigned(textEvent('xin chào'));
    await oa.queue.idle();
    // Tap through what the bot offers, as a citizen would: first, second and last button of each answer.
    const seen = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const last = fake.sentMessages().at(-1);
      const buttons = (last?.message.attachment as { payload?: { buttons?: Array<{ payload: string }> } } | undefined)?.payload?.buttons ?? [];
      const next = buttons.find((b) => !seen.has(b.payload));
      if (!next) break;
      seen.add(next.payload);
      await oa.postSigned(textEvent(next.payload));
      await oa.queue.idle();
    }
    const buttons = allButtons();
    expect(seen.size).toBeGreaterThan(5);
    expect(buttons.length).toBeGreaterThan(10);
    expect(buttons.every((b) => b.type === 'oa.query.hide')).toBe(true);
    expect(buttons.some((b) => b.payload.startsWith('#vg:'))).toBe(true);
    // …and no message the OA sends shows a code either.
    expect(fake.sentMessages().every((m) => !m.message.text.includes('#vg:'))).toBe(true);
  });
});

describe('first contact and non-followers', () => {
  it('user_click_chatnow → a greeting (and the menu) to user_id, once even if Zalo redelivers it', async () => {
    const oa = await start();
    const raw = freshSample('user_click_chatnow.json');
    await postRaw(oa, raw);
    await postRaw(oa, raw, { num_retry: '1' });
    await oa.queue.idle();
    const sent = delivered();
    expect(sent.every((m) => m.recipient.user_id === SAMPLE_USER)).toBe(true);
    expect(sent.filter((m) => m.message.text.includes('Xin chào! Mình là trợ lý VNeID của Xã Thử Nghiệm.'))).toHaveLength(1);
    expect(sent.map((m) => m.message.text)).toContain('Bạn cần hỗ trợ gì?');
  });

  it('anonymous_send_text → answered on the anonymous message call (anonymous_id + conversation_id), text only, choices by number', async () => {
    const oa = await start();
    await postRaw(oa, freshSample('anonymous_send_text.json'));
    await oa.queue.idle();
    const sent = fake.anonymousMessages();
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((m) => m.recipient.anonymous_id === '3dc0fd88a8cd4193c8dc' && m.recipient.conversation_id === '1d1b9f5cb6e3a0f7')).toBe(true);
    expect(sent.every((m) => m.message.attachment === undefined)).toBe(true);
    expect(sent.map((m) => m.message.text).join('\n')).toContain('VNeID');
    expect(fake.to(OA_ANONYMOUS_PATH)[0]!.headers['access_token']).toBe('AT-0');
  });
});

describe('retries within Zalo\'s schedule', () => {
  it('an event redelivered 30 minutes late, never processed before → answered, once; the same event again → not answered twice', async () => {
    const oa = await start();
    const raw = freshSample('user_send_text_quote.json', Date.now() - 30 * 60_000);
    expect((await postRaw(oa, raw, { num_retry: '4' })).status).toBe(200);
    await oa.queue.idle();
    const answered = fake.sentMessages().length;
    expect(answered).toBeGreaterThan(0);
    expect(deliveredTexts().join('\n')).toMatch(/kích hoạt/i);

    expect((await postRaw(oa, raw, { num_retry: '5' })).status).toBe(200);
    await oa.queue.idle();
    expect(fake.sentMessages()).toHaveLength(answered);
  });

  it('an hour late (Zalo\'s last retry) is still answered; more than two hours late is refused', async () => {
    const oa = await start();
    expect((await postRaw(oa, freshSample('user_send_text.json', Date.now() - 61 * 60_000))).status).toBe(200);
    expect((await postRaw(oa, freshSample('user_send_image.json', Date.now() - 125 * 60_000))).status).toBe(401);
    await oa.queue.idle();
    expect(delivered().length).toBeGreaterThan(0);
    expect(deliveredTexts()).not.toContain(script.messages.nonText.trim());
  });

  it('answers 200 before touching storage: a storage that hangs does not hold the webhook', async () => {
    const oa = await start();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const original = oa.storage.markProcessed.bind(oa.storage);
    oa.storage.markProcessed = async (...args) => {
      await gate;
      return original(...args);
    };
    expect((await postRaw(oa, freshSample('user_send_text.json'))).status).toBe(200);
    expect(fake.sentMessages()).toHaveLength(0);
    release();
    await oa.queue.idle();
    expect(delivered().length).toBeGreaterThan(0);
  });
});

describe('rate limit (-32)', () => {
  it('a burst beyond the per-window limit: the OA pauses and every reply is still delivered, in order per citizen', async () => {
    fake.rateLimit(2, 1_000);
    const oa = await start({ rateLimit: { baseDelayMs: 40, maxDelayMs: 160, maxWaitMs: 30_000 } });
    const users = ['1000000000000000001', '1000000000000000002', '1000000000000000003', '1000000000000000004'];
    await Promise.all(users.map((u) => oa!.postSigned(textEvent('#vg:m:contact', { userId: u }))));
    await oa.queue.idle();
    const refused = fake.to(OA_SEND_PATH).filter((r) => (r.response?.body as { error?: number }).error === -32);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(delivered().map((m) => m.recipient.user_id))).toEqual(new Set(users));
    expect(delivered()).toHaveLength(users.length);
    expect(oa.sink.ofType('delivery-failure')).toHaveLength(0);
  });

  it('still limited after the whole window → counted as a delivery failure with its code', async () => {
    fake.rateLimit(0, 60_000);
    const oa = await start();
    await oa.postSigned(textEvent('#vg:m:contact'));
    await oa.queue.idle();
    expect(delivered()).toHaveLength(0);
    expect(oa.sink.ofType('delivery-failure').map((e) => e.event)).toEqual([{ type: 'delivery-failure', code: '-32' }]);
  });

  it('the queue of an OA is bounded: past its size an event is refused and counted, not kept without end', async () => {
    let releaseEngine!: () => void;
    const slow = new Promise<void>((resolve) => (releaseEngine = resolve));
    const engine = {
      handle: async () => {
        await slow;
        return [{ text: 'Xin chào' }];
      },
    };
    const oa = await start({ engine, queue: new WorkQueue(() => undefined, 2) });
    for (const u of ['2000000000000000001', '2000000000000000002', '2000000000000000003']) await oa.postSigned(textEvent('hỏi', { userId: u }));
    releaseEngine();
    await oa.queue.idle();
    expect(delivered()).toHaveLength(2);
    expect(oa.sink.ofType('delivery-failure').map((e) => e.event.code)).toEqual(['queue-full']);
  });
});

describe('app secret proof', () => {
  it('with ZALO_APP_SECRET set, every call carries appsecret_proof and an OA that requires it answers', async () => {
    fake.requireAppSecretProof('app-secret-for-tests');
    const oa = await start();
    await postRaw(oa, freshSample('user_click_chatnow.json'));
    await postRaw(oa, freshSample('anonymous_send_text.json'));
    await oa.queue.idle();
    expect(delivered().length).toBeGreaterThan(3);
    expect(fake.requests.every((r) => typeof r.headers['appsecret_proof'] === 'string')).toBe(true);
    expect(oa.sink.ofType('delivery-failure')).toHaveLength(0);
  });

  it('without it, such an OA refuses with -242 (counted, with its code)', async () => {
    fake.requireAppSecretProof('app-secret-for-tests');
    const config = oaConfig(fake);
    delete (config as { ZALO_APP_SECRET?: unknown }).ZALO_APP_SECRET;
    const oa = await start({ config });
    await postRaw(oa, freshSample('user_click_chatnow.json'));
    await oa.queue.idle();
    expect(delivered()).toHaveLength(0);
    expect(fake.requests[0]!.headers['appsecret_proof']).toBeUndefined();
    expect(oa.sink.ofType('delivery-failure').map((e) => e.event.code)).toEqual(['-242']);
  });
});

describe('user_withdraw', () => {
  it("erases that citizen's conversation, choices and statistics (by pseudonym); logs only that it happened", async () => {
    const oa = await start({ sinkFor: (storage) => new StatsSink({ store: new SqliteStatsStore(storage.db) }) });
    const other = '8830392714512219999';
    await oa.postSigned(textEvent('cách kích hoạt tài khoản định danh mức 2'));
    await oa.postSigned(textEvent('xin chào', { userId: other }));
    await oa.queue.idle();
    const me = pseudonymize(SECRET, 'zalo-oa', USER_ID);
    const them = pseudonymize(SECRET, 'zalo-oa', other);
    const rows = (key: string) => (oa!.storage.db.prepare('SELECT COUNT(*) AS n FROM stats_events WHERE user_key = ?').get(statsUserKey(key)) as { n: number }).n;
    expect(await oa.storage.getConversation(me)).toBeDefined();
    expect(rows(me)).toBeGreaterThan(0);

    const sent = fake.requests.length;
    const withdraw = { app_id: '360846524940903967', oa_id: OA_ID, user_id: USER_ID, user_id_by_app: '5520199330041128811', event_name: 'user_withdraw', timestamp: String(Date.now()) };
    expect((await oa.postSigned(withdraw)).status).toBe(200);
    await oa.queue.idle();

    expect(await oa.storage.getConversation(me)).toBeUndefined();
    expect(await oa.storage.getValue(`numbered:${me}`)).toBeUndefined();
    expect(rows(me)).toBe(0);
    expect(await oa.storage.getConversation(them)).toBeDefined();
    expect(rows(them)).toBeGreaterThan(0);
    // Nothing is sent to the citizen; the log says it happened and nothing more.
    expect(fake.requests).toHaveLength(sent);
    const line = oa.logs.find((l) => l.includes('user_withdraw'));
    expect(line).toBeDefined();
    expect(oa.logs.join('\n')).not.toContain(USER_ID);
    expect(oa.logs.join('\n')).not.toContain(me);
    expect(JSON.stringify(oa.storage.db.prepare('SELECT id FROM processed').all())).not.toContain(me);
  });

  it('"xoa du lieu cua toi" typed in the OA chat asks, then "1" (the numbered confirmation) erases', async () => {
    const config = oaConfig(fake, { ZALO_OA_CHOICES: 'numbered' });
    const oa = await start({ config });
    await oa.postSigned(textEvent('cách kích hoạt tài khoản'));
    await oa.postSigned(textEvent('xoa du lieu cua toi'));
    await oa.queue.idle();
    expect(deliveredTexts().at(-1)).toContain('1. Xóa dữ liệu\n2. Không xóa');
    await oa.postSigned(textEvent('1'));
    await oa.queue.idle();
    expect(deliveredTexts().at(-1)).toMatch(/^Đã xóa dữ liệu của bạn: cuộc trò chuyện đang dở, \d+ lựa chọn đã ghi nhớ/);
    expect(await oa.storage.getConversation(pseudonymize(SECRET, 'zalo-oa', USER_ID))).toBeUndefined();
  });
});

describe('several OAs on one server', () => {
  it('registers once per OA (commune) at its own path: own tokens, own users and dedupe marks, turns bound to the commune', async () => {
    const storage = new SqliteStorage(dbFile());
    const turns: Array<{ commune?: string; userKey: string }> = [];
    const engine = {
      handle: async (t: { commune?: string; userKey: string }) => {
        turns.push({ userKey: t.userKey, ...(t.commune ? { commune: t.commune } : {}) });
        return [{ text: `Xin chào từ ${t.commune}` }];
      },
    };
    const app = Fastify();
    const queue = new WorkQueue();
    for (const id of ['xa-a', 'xa-b']) {
      await app.register(zaloOaPlugin, {
        config: oaConfig(fake, { ZALO_ACCESS_TOKEN: `AT-${id}`, ZALO_REFRESH_TOKEN: `RT-${id}` }),
        path: `/webhooks/zalo/${id}`,
        commune: id,
        engine,
        storage,
        secret: SECRET,
        queue,
        autoRefresh: false,
      });
    }
    try {
      const raw = freshSample('user_click_chatnow.json');
      const headers = { 'content-type': 'application/json', 'x-zevent-signature': sign(raw, /"timestamp"\s*:\s*"(\d+)"/.exec(raw)![1]!) };
      for (const id of ['xa-a', 'xa-b']) expect((await app.inject({ method: 'POST', url: `/webhooks/zalo/${id}`, headers, payload: raw })).statusCode).toBe(200);
      await queue.idle();
      expect(turns.map((t) => t.commune).sort()).toEqual(['xa-a', 'xa-b']);
      // The same Zalo user id on two OAs is two people (Zalo's ids are per OA), and one OA's
      // dedupe mark does not swallow the other's event.
      expect(turns[0]!.userKey).not.toBe(turns[1]!.userKey);
      const sends = fake.to(OA_SEND_PATH).map((r) => [r.headers['access_token'], (r.body as { message: { text: string } }).message.text]);
      expect(sends.sort()).toEqual([
        ['AT-xa-a', 'Xin chào từ xa-a'],
        ['AT-xa-b', 'Xin chào từ xa-b'],
      ]);
      expect(await storage.getValue('zalo-oa:tokens:xa-a')).toContain('RT-xa-a');
      expect(await storage.getValue('zalo-oa:tokens:xa-b')).toContain('RT-xa-b');
    } finally {
      await app.close();
      await storage.close();
    }
  });
});
