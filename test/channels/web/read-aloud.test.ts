/**
 * Issue 11 item 6: "Đọc to" reads a bot answer with the browser's own speech synthesis. Chromium
 * here has no voices, so the page gets a stand-in speechSynthesis before its scripts run: it
 * lists its voices only after a moment (as Chrome does, then `voiceschanged`) and records what it
 * is asked to say. Nothing reaches the server but the chat's own requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openChat, PHONE, startChatServer, type ChatServer } from './chat-page.js';

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
}, 60_000);
afterAll(() => server?.close());

interface FakeVoice {
  name: string;
  lang: string;
  localService: boolean;
}

/** Runs in the page before its scripts: a speechSynthesis that records instead of speaking. */
function installFakeSpeech(voices: FakeVoice[]) {
  const w = window as unknown as Record<string, unknown>;
  const spoken: Array<{ text: string; lang: string; rate: number; voice: string | undefined }> = [];
  let cancels = 0;
  let listed = false;
  let queue: Array<{ onend?: () => void }> = [];
  const synth = Object.assign(new EventTarget(), {
    paused: false,
    speaking: false,
    getVoices: () => (listed ? voices.map((v) => ({ ...v, default: false, voiceURI: v.name })) : []),
    speak(u: { text: string; lang: string; rate: number; voice?: { name: string } }) {
      spoken.push({ text: u.text, lang: u.lang, rate: u.rate, voice: u.voice?.name });
      queue.push(u as { onend?: () => void });
    },
    cancel() {
      cancels += 1;
      queue = [];
    },
    resume() {},
    pause() {},
  });
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  w.SpeechSynthesisUtterance = class {
    lang = '';
    rate = 1;
    voice: unknown = null;
    onend: (() => void) | null = null;
    onerror: (() => void) | null = null;
    constructor(readonly text: string) {}
  };
  w.__speech = {
    spoken: () => spoken,
    cancels: () => cancels,
    /** The engine says the last queued utterance to its end. */
    finish: () => {
      const last = queue.at(-1);
      queue = [];
      last?.onend?.();
    },
  };
  // Voices arrive after the page has started, as in Chrome.
  setTimeout(() => {
    listed = true;
    synth.dispatchEvent(new Event('voiceschanged'));
  }, 300);
}

const speech = <T>(page: Page, what: 'spoken' | 'cancels') =>
  page.evaluate((k) => (window as unknown as { __speech: Record<string, () => unknown> }).__speech[k]!(), what) as Promise<T>;

async function askBhyt(page: Page) {
  await page.getByLabel('Câu hỏi của bạn').fill('tích hợp bhyt thế nào');
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('.msg.bot').count(), { timeout: 10_000 }).toBeGreaterThan(2);
  await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('');
}

describe('"Đọc to" in real Chromium', () => {
  it('appears once a Vietnamese voice is listed, reads the whole answer in vi-VN, slowly; pressed again it stops', async () => {
    const page = await server.browser.newPage({ viewport: PHONE });
    await page.addInitScript(installFakeSpeech, [
      { name: 'English', lang: 'en-US', localService: true },
      { name: 'Tiếng Việt', lang: 'vi-VN', localService: true },
    ]);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    const bot = await openChat(page, server.base);
    await askBhyt(page);
    const answer = bot.last();
    const read = answer.getByRole('button', { name: 'Đọc to' });
    await expect.poll(() => read.isVisible(), { timeout: 10_000 }).toBe(true);

    await read.click();
    const spoken = await speech<Array<{ text: string; lang: string; rate: number; voice: string }>>(page, 'spoken');
    expect(spoken.length).toBeGreaterThan(0);
    expect(new Set(spoken.map((s) => s.lang))).toEqual(new Set(['vi-VN']));
    expect(new Set(spoken.map((s) => s.voice))).toEqual(new Set(['Tiếng Việt']));
    for (const s of spoken) expect(s.rate).toBeCloseTo(0.85, 2);
    // Every word of the answer is read, the collapsed part too (punctuation may differ: "→" is read as a pause).
    const words = (s: string) => s.match(/[\p{L}\p{N}]+/gu) ?? [];
    const full = (await answer.locator('.text').textContent())!;
    expect(words(spoken.map((s) => s.text).join(' '))).toEqual(words(full));

    // While it reads, the same button stops it.
    const stop = answer.getByRole('button', { name: 'Dừng đọc' });
    await stop.click();
    expect(await speech<number>(page, 'cancels')).toBeGreaterThan(0);
    await expect.poll(() => read.isVisible()).toBe(true);
    expect(await speech<unknown[]>(page, 'spoken')).toHaveLength(spoken.length);

    // Another answer's button switches to that answer.
    await read.click();
    const cancels = await speech<number>(page, 'cancels');
    const before = (await speech<unknown[]>(page, 'spoken')).length;
    const greeting = bot.first();
    await greeting.getByRole('button', { name: 'Đọc to' }).click();
    expect(await speech<number>(page, 'cancels')).toBeGreaterThan(cancels);
    const after = (await speech<Array<{ text: string }>>(page, 'spoken')).slice(before);
    expect(words(after.map((s) => s.text).join(' '))).toEqual(words((await greeting.locator('.text').textContent())!));
    expect(await answer.getByRole('button', { name: 'Dừng đọc' }).count()).toBe(0);
    await expect.poll(() => greeting.getByRole('button', { name: 'Dừng đọc' }).isVisible()).toBe(true);
    // At the end of the reading the button is back to "Đọc to".
    await page.evaluate(() => (window as unknown as { __speech: { finish: () => void } }).__speech.finish());
    await expect.poll(() => greeting.getByRole('button', { name: 'Đọc to' }).isVisible()).toBe(true);

    // Nothing but the page, its files and the chat's own endpoint was requested.
    expect(requests.filter((p) => p !== '/' && !p.startsWith('/static/') && p !== '/api/chat')).toEqual([]);
    await page.close();
  }, 60_000);

  it('is hidden without speechSynthesis, and where the only Vietnamese voice is a network one', async () => {
    const none = await server.browser.newPage({ viewport: PHONE });
    await none.addInitScript(() => {
      Object.defineProperty(window, 'speechSynthesis', { value: undefined, configurable: true });
    });
    await openChat(none, server.base);
    await askBhyt(none);
    expect(await none.locator('.msg.bot .text').count()).toBeGreaterThan(0);
    expect(await none.getByRole('button', { name: 'Đọc to' }).count()).toBe(0);
    await none.close();

    const remote = await server.browser.newPage({ viewport: PHONE });
    await remote.addInitScript(installFakeSpeech, [
      { name: 'English', lang: 'en-US', localService: true },
      { name: 'Online Vietnamese', lang: 'vi-VN', localService: false },
    ]);
    await openChat(remote, server.base);
    await askBhyt(remote);
    // The voices have been listed (the class would be set by now if one fitted).
    await expect.poll(() => remote.evaluate(() => speechSynthesis.getVoices().length)).toBe(2);
    expect(await remote.getByRole('button', { name: 'Đọc to' }).count()).toBe(0);
    expect(await remote.locator('.msg.bot .read-aloud').count()).toBeGreaterThan(0);
    await remote.close();
  }, 60_000);
});
