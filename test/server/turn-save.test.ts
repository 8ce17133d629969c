/**
 * A turn is answered only once its conversation is saved (issue 12, item 20): a failed save fails
 * the turn, a slow save holds the answer back. Both fail if saveConversation were
 * fire-and-forget (the answer would go out first, the failure nowhere).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const ask = (app: TestApp['app'], text: string) => app.inject({ method: 'POST', url: '/api/chat', payload: { sessionId: 'save-test-session', text } });

describe('saving the conversation is part of the turn', () => {
  it('a failed save: no answer (a Vietnamese error, not a 200), and the next turn works again', async () => {
    t = await makeApp();
    const save = t.storage.saveConversation.bind(t.storage);
    t.storage.saveConversation = async () => {
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    };
    const failed = await ask(t.app, 'tích hợp bhyt thế nào');
    expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    expect(failed.json()).toEqual({ error: expect.stringContaining('Vui lòng thử lại') });
    expect(failed.json().replies).toBeUndefined();

    t.storage.saveConversation = save;
    const ok = await ask(t.app, 'tích hợp bhyt thế nào');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().replies.length).toBeGreaterThan(0);
  });

  it('a slow save: the answer waits until the save is done', async () => {
    t = await makeApp();
    const save = t.storage.saveConversation.bind(t.storage);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let saveStarted!: () => void;
    const started = new Promise<void>((r) => (saveStarted = r));
    let saved = false;
    t.storage.saveConversation = async (...args: Parameters<typeof save>) => {
      saveStarted();
      await released;
      await save(...args);
      saved = true;
    };
    let answered = false;
    const reply = ask(t.app, 'tích hợp bhyt thế nào').then((r) => {
      answered = true;
      return r;
    });
    await started;
    // Plenty of turns of the event loop for a response that did not wait for the save.
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
    expect(answered).toBe(false);
    release();
    const res = await reply;
    expect(saved).toBe(true);
    expect(res.statusCode).toBe(200);
    expect(res.json().replies.length).toBeGreaterThan(0);
  });
});
