import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { AddressInfo } from 'node:net';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { ARTIFACTS, launchBrowser } from '../../helpers/browser.js';

let t: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  t = await makeApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('web chat in real Chromium', () => {
  it('greets, walks two steps by buttons, answers a question typed without diacritics', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(base + '/');
    const bot = page.locator('.msg.bot');
    await expect.poll(() => bot.first().textContent(), { timeout: 10_000 }).toContain('trợ lý VNeID');
    await page.getByRole('button', { name: 'Tích hợp giấy tờ' }).click();
    await expect.poll(() => bot.last().textContent(), { timeout: 10_000 }).toContain('Tích hợp giấy tờ');
    await page.getByRole('button', { name: 'Tích hợp BHYT' }).click();
    await expect.poll(() => bot.last().textContent(), { timeout: 10_000 }).toContain('Bước 1/');
    await bot.last().getByRole('button', { name: 'Xong, tiếp theo' }).click();
    await expect.poll(() => bot.last().textContent(), { timeout: 10_000 }).toContain('Bước 2/');

    // Keyboard: type and press Enter.
    await page.getByLabel('Câu hỏi của bạn').fill('quen mat khau dang nhap thi lam sao');
    await page.keyboard.press('Enter');
    await expect.poll(() => bot.last().textContent(), { timeout: 10_000 }).toContain('Quên mật khẩu');
    expect(await page.locator('.msg.me').last().textContent()).toBe('quen mat khau dang nhap thi lam sao');

    // Readable at 360 px: nothing wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // For older eyes and fingers: no text under 16 px, no button or field under 44 × 44 px. The
    // "Đọc to" buttons are shown as on a phone with a Vietnamese voice (this Chromium has none).
    await page.evaluate(() => document.documentElement.classList.add('can-read-aloud'));
    expect(await page.locator('.msg.bot .tools .expand').count()).toBeGreaterThan(0);
    expect(await page.locator('.msg.bot .tools .read-aloud').count()).toBeGreaterThan(0);
    const tooSmall = await page.evaluate(() => {
      const visible = (el: Element) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
      };
      const describe = (el: Element) => `${el.tagName.toLowerCase()}.${el.className} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
      const small: string[] = [];
      for (const el of Array.from(document.body.querySelectorAll('*'))) {
        if (!visible(el) || el.classList.contains('visually-hidden')) continue;
        const ownText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (ownText && size < 16) small.push(`${describe(el)}: ${size}px text`);
        if (el.matches('button, input')) {
          const r = el.getBoundingClientRect();
          if (r.height < 44 || r.width < 44) small.push(`${describe(el)}: ${Math.round(r.width)}×${Math.round(r.height)} px`);
        }
      }
      return small;
    });
    expect(tooSmall).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}web-chat.png`, fullPage: false });
    await page.close();
  }, 60_000);

  it('a reload continues the walkthrough where it was', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(base + '/');
    await page.getByRole('button', { name: 'Kích hoạt tài khoản' }).first().click();
    await expect.poll(() => page.locator('.msg.bot').last().textContent(), { timeout: 10_000 }).toContain('Để kích hoạt tài khoản');
    // The menu item leads where its label says: activation is its first button.
    const choices = page.locator('.msg.bot').last().locator('.buttons button');
    expect(await choices.first().textContent()).toBe('Kích hoạt tài khoản');
    await choices.first().click();
    await expect.poll(() => page.locator('.msg.bot').last().textContent(), { timeout: 10_000 }).toContain('Bước 1/');
    await page.locator('.msg.bot').last().getByRole('button', { name: 'Xong, tiếp theo' }).click();
    await expect.poll(() => page.locator('.msg.bot').last().textContent(), { timeout: 10_000 }).toContain('Bước 2/');
    await page.reload();
    await expect.poll(() => page.locator('.msg.bot').last().textContent(), { timeout: 10_000 }).toContain('Bước 2/');
    await context.close();
  }, 60_000);
});
