import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp({ ZALO_SITE_VERIFICATION: 'abc123-verify' });
});
afterAll(() => t.close());

const chat = (payload: unknown, contentType = 'application/json') =>
  t.app.inject({ method: 'POST', url: '/api/chat', headers: { 'content-type': contentType }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

describe('server with no channel tokens', () => {
  it('starts with only the web chat on', () => {
    expect(t.channels).toEqual(['web']);
  });

  it('GET /healthz → ok', async () => {
    const res = await t.app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET / serves the Vietnamese chat page with the Zalo verification tag', async () => {
    const res = await t.app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<html lang="vi">');
    expect(res.body).toContain('<meta name="zalo-platform-site-verification" content="abc123-verify">');
    expect(res.body).toContain('Xã Thử Nghiệm');
    const js = await t.app.inject('/static/chat.js');
    expect(js.statusCode).toBe(200);
  });

  it('Telegram webhook is not mounted without a token', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/webhooks/telegram', payload: {} })).statusCode).toBe(404);
  });
});

describe('POST /api/chat', () => {
  it('answers text and button payloads', async () => {
    const res = await chat({ sessionId: 'session-0001', text: 'ko nhan dc otp' });
    expect(res.statusCode).toBe(200);
    const { replies } = res.json() as { replies: Array<{ text: string; buttons?: Array<{ label: string; payload: string }> }> };
    expect(replies.at(-1)!.text).toMatch(/OTP/);
    const walk = await chat({ sessionId: 'session-0001', payload: '#vg:w:guide-activate' });
    expect(walk.json().replies[0].text).toContain('Bước 1/');
  });

  it.each([
    ['missing sessionId', { text: 'hi' }],
    ['short sessionId', { sessionId: 'abc', text: 'hi' }],
    ['bad characters', { sessionId: 'abc def ghi!', text: 'hi' }],
    ['both text and payload', { sessionId: 'session-0001', text: 'a', payload: '#vg:menu' }],
    ['neither', { sessionId: 'session-0001' }],
    ['text not a string', { sessionId: 'session-0001', text: 42 }],
    ['unknown field', { sessionId: 'session-0001', text: 'a', userName: 'x' }],
  ])('400 with a Vietnamese message: %s', async (_name, body) => {
    const res = await chat(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toContain('không hợp lệ');
  });

  it('malformed JSON → 400 without a stack trace', async () => {
    const res = await chat('{"sessionId": ');
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toMatch(/at .*\.js:\d+/);
    expect(res.json().error).toBeTruthy();
  });

  it('text over 2,000 characters → 413', async () => {
    const res = await chat({ sessionId: 'session-0001', text: 'a'.repeat(2001) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toContain('2000');
  });

  it('a body over the global limit → 413', async () => {
    const res = await chat({ sessionId: 'session-0001', text: 'a'.repeat(300 * 1024) });
    expect(res.statusCode).toBe(413);
  });

  it('the session id is never stored raw', async () => {
    await chat({ sessionId: 'raw-session-id-xyz', text: 'xin chao' });
    const keys = t.storage.db.prepare('SELECT key FROM conversations').all() as Array<{ key: string }>;
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.map((k) => k.key).join()).not.toContain('raw-session-id-xyz');
  });
});
