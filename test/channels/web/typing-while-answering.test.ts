/**
 * Issue 12 item 9: a message typed while the bot is answering is never lost. The page's requests
 * go through Playwright's router, which holds a reply until the test lets it go: no timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import { openChat, PHONE, startChatServer, type ChatServer } from './chat-page.js';

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
}, 60_000);
afterAll(() => server?.close());

interface Held {
  /** Bodies of /api/chat requests in the order they left the page. */
  sent: Array<{ text?: string; payload?: string }>;
  /** Lets the held request through. */
  release: () => void;
}

/** Holds the next /api/chat request that `matches` until `release()`; `abortFirst` fails it instead, once. */
async function holdChat(page: Page, matches: (body: { text?: string; payload?: string }) => boolean, abortFirst = false): Promise<Held> {
  const sent: Held['sent'] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let aborted = false;
  await page.route('**/api/chat', async (route: Route) => {
    const body = route.request().postDataJSON() as { text?: string; payload?: string };
    sent.push(body);
    if (matches(body)) {
      if (abortFirst && !aborted) {
        aborted = true;
        return route.abort('internetdisconnected');
      }
      await gate;
    }
    return route.continue();
  });
  return { sent, release };
}

const type = async (page: Page, text: string) => {
  await page.getByLabel('Câu hỏi của bạn').fill(text);
  await page.keyboard.press('Enter');
};

describe('typing while the bot is answering (Chromium)', () => {
  it('shows the second message at once and sends it after the first reply, in order', async () => {
    const page = await server.browser.newPage({ viewport: PHONE });
    const held = await holdChat(page, (b) => b.text === 'quen mat khau thi lam sao');
    const bot = await openChat(page, server.base);
    await type(page, 'quen mat khau thi lam sao');
    await expect.poll(() => held.sent.length).toBe(2); // the greeting, then the held question

    await type(page, 'tich hop bhyt the nao');
    const mine = page.locator('.msg.me');
    await expect.poll(() => mine.allTextContents()).toEqual(['quen mat khau thi lam sao', 'tich hop bhyt the nao']);
    expect(await page.getByLabel('Câu hỏi của bạn').inputValue()).toBe('');
    // Not sent yet: one request at a time, so the answers come in the order of the questions.
    expect(held.sent.map((b) => b.text)).toEqual(['/start', 'quen mat khau thi lam sao']);

    held.release();
    await expect.poll(() => held.sent.map((b) => b.text)).toEqual(['/start', 'quen mat khau thi lam sao', 'tich hop bhyt the nao']);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('');
    const answers = (await bot.locator('.text').allTextContents()).slice(-2);
    expect(answers[0]).toMatch(/mật khẩu/i);
    expect(answers[1]).toMatch(/BHYT/);
    expect(await page.locator('.msg.me.queued').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('a second tap on a button while its answer is coming is not sent twice', async () => {
    const page = await server.browser.newPage({ viewport: PHONE });
    const held = await holdChat(page, (b) => b.payload === '#vg:m:docs');
    await openChat(page, server.base);
    const docs = page.getByRole('button', { name: 'Tích hợp giấy tờ' }).first();
    await docs.click();
    await expect.poll(() => held.sent.length).toBe(2);
    await docs.click();
    held.release();
    await expect.poll(() => page.locator('.msg.bot').last().textContent(), { timeout: 10_000 }).toContain('Ví giấy tờ');
    expect(held.sent.filter((b) => b.payload === '#vg:m:docs')).toHaveLength(1);
    expect(await page.locator('.msg.me').count()).toBe(1);
    await page.close();
  }, 60_000);

  it('a message whose request fails keeps a "Gửi lại" button that sends it again', async () => {
    const page = await server.browser.newPage({ viewport: PHONE });
    const held = await holdChat(page, (b) => b.text === 'ko nhan dc otp', true);
    held.release();
    const bot = await openChat(page, server.base);
    await type(page, 'ko nhan dc otp');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toContain('Không kết nối được');
    const again = page.locator('.msg.me').last().getByRole('button', { name: 'Gửi lại' });
    await again.click();
    await expect.poll(() => bot.last().locator('.text').textContent(), { timeout: 10_000 }).toMatch(/OTP/);
    expect(held.sent.filter((b) => b.text === 'ko nhan dc otp')).toHaveLength(2);
    expect(await again.count()).toBe(0);
    await page.close();
  }, 60_000);
});
