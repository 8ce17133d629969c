import { afterEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const chat = (app: TestApp, sessionId: string, text: string) =>
  app.app.inject({ method: 'POST', url: '/api/chat', payload: { sessionId, text } });

describe('flood control', () => {
  it('one polite notice past the limit, then silence; other users unaffected', async () => {
    t = await makeApp({ FLOOD_MAX_MESSAGES: '3', FLOOD_WINDOW_SECONDS: '60' });
    for (let i = 0; i < 3; i++) expect((await chat(t, 'flooder-0001', 'vneid la gi')).json().replies.length).toBeGreaterThan(0);
    const notice = (await chat(t, 'flooder-0001', 'vneid la gi')).json().replies;
    expect(notice).toHaveLength(1);
    expect(notice[0].text).toContain('gửi nhanh quá');
    expect((await chat(t, 'flooder-0001', 'vneid la gi')).json().replies).toEqual([]);
    const other = (await chat(t, 'calm-user-0001', 'vneid la gi')).json().replies;
    expect(other.at(-1).text).toContain('VNeID');
  });

  it('an emergency is answered with its numbers even in the middle of a burst, at the notice and after it', async () => {
    t = await makeApp({ FLOOD_MAX_MESSAGES: '3', FLOOD_WINDOW_SECONDS: '60' });
    for (let i = 0; i < 3; i++) await chat(t, 'panicking-0001', 'cuu');
    for (const text of ['chay nha cuu voi', 'CHÁY NHÀ CỨU VỚI!!!']) {
      const replies = (await chat(t, 'panicking-0001', text)).json().replies;
      expect(replies[0].text, text).toContain('114');
    }
    // The burst still counts: an ordinary question stays silenced.
    expect((await chat(t, 'panicking-0001', 'vneid la gi')).json().replies).toEqual([]);
  });
});

describe('failing storage', () => {
  it('5xx while storage is down (the platform redelivers), /healthz unhealthy, recovers after', async () => {
    t = await makeApp();
    const storage = t.storage;
    const original = { get: storage.getConversation.bind(storage), ping: storage.ping.bind(storage) };
    const down = async () => {
      throw new Error('SQLITE_FULL: database or disk is full');
    };
    storage.getConversation = down;
    storage.ping = down;
    const failed = await chat(t, 'session-down-01', 'vneid la gi');
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain('SQLITE_FULL');
    expect(failed.json().error).toContain('Máy chủ');
    expect((await t.app.inject('/healthz')).statusCode).toBe(503);
    // The failure is logged (without the error's details reaching the client); routine requests are not.
    expect(t.logs()).toContain('request failed');
    expect(t.logs()).not.toContain('incoming request');

    storage.getConversation = original.get;
    storage.ping = original.ping;
    expect((await chat(t, 'session-down-01', 'vneid la gi')).statusCode).toBe(200);
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
  });
});
