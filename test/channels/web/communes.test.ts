/** Two communes on one server through the real app: /xa/<id> pages and POST /api/chat with "commune". */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { loadCommunes } from '../../../src/core/communes/directory.js';

const COMMUNES_FIXTURE = new URL('../../fixtures/communes/', import.meta.url).pathname;

let t: TestApp;
beforeAll(async () => {
  // The fixture gives loc-hoa a Telegram bot: its variables must be set (nothing is sent in this file).
  const env = { LOC_HOA_TELEGRAM_BOT_TOKEN: '222222:LOCHOA-token_abcdefghijklmnopqrs', LOC_HOA_TELEGRAM_WEBHOOK_SECRET: 'lochoa-webhook-secret-0002' };
  t = await makeApp({}, { deps: () => ({ communes: loadCommunes(COMMUNES_FIXTURE), env }) });
});
afterAll(() => t.close());

const chat = (body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/chat', payload: body });
const texts = (res: { json: () => { replies: Array<{ text: string }> } }) => res.json().replies.map((r) => r.text).join('\n');

describe('a web chat page per commune', () => {
  it('/xa/<id> is the chat page of that commune, naming it and carrying its id for the script', async () => {
    const res = await t.app.inject('/xa/loc-hoa');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Xã Lộc Hòa');
    expect(res.body).toContain('<meta name="vneid-commune" content="loc-hoa">');
    // The shared page names no commune.
    expect((await t.app.inject('/')).body).not.toContain('vneid-commune');
  });

  it('an unknown commune gets a friendly Vietnamese 404 page', async () => {
    const res = await t.app.inject('/xa/khong-co');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<html lang="vi">');
    expect(res.body).toContain('không ứng với xã/phường nào');
    expect(res.body).toContain('href="/"');
  });
});

describe('POST /api/chat with "commune"', () => {
  it('each commune bound chat answers with its own police phone number', async () => {
    const a = await chat({ sessionId: 'sess-loc-hoa-1', commune: 'loc-hoa', payload: 'm:contact' });
    const b = await chat({ sessionId: 'sess-nam-dinh-1', commune: 'nam-dinh', payload: 'm:contact' });
    expect(a.statusCode).toBe(200);
    expect(texts(a)).toContain('0228 111 2222');
    expect(texts(b)).toContain('0228 333 4444');
  });

  it('an unbound chat asks the commune first, understands "xa loc hoa", and remembers it', async () => {
    const asked = await chat({ sessionId: 'sess-shared-1', text: 'số điện thoại công an xã' });
    expect(texts(asked)).toContain('Bạn ở xã/phường nào?');
    expect(texts(asked)).not.toContain('0228');
    const answered = await chat({ sessionId: 'sess-shared-1', text: 'xa loc hoa' });
    expect(texts(answered)).toContain('0228 111 2222');
    const later = await chat({ sessionId: 'sess-shared-1', payload: 'm:contact' });
    expect(texts(later)).toContain('0228 111 2222');
    expect(texts(later)).not.toContain('Bạn ở xã/phường nào?');
  });

  it('an unknown commune id is refused with a Vietnamese 400', async () => {
    const res = await chat({ sessionId: 'sess-bad-1', commune: 'khong-co', text: 'xin chào' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toContain('Không có xã/phường này');
  });
});
