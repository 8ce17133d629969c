/** The web chat served by a real app on a loopback port, and Debian's Chromium to open it. */
import type { AddressInfo } from 'node:net';
import type { Browser, Locator, Page } from 'playwright-core';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { launchBrowser } from '../../helpers/browser.js';

export interface ChatServer {
  t: TestApp;
  browser: Browser;
  base: string;
  close: () => Promise<void>;
}

export const COMMUNE = 'Xã Thử Nghiệm';
export const CONTACT = 'Công an xã Thử Nghiệm, 0200 000 000';

export async function startChatServer(env: Record<string, string> = {}): Promise<ChatServer> {
  const t = await makeApp({ COMMUNE_NAME: COMMUNE, COMMUNE_CONTACT: CONTACT, ...env });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  return {
    t,
    browser,
    base,
    close: async () => {
      await browser.close();
      await t.close();
    },
  };
}

/** A small phone: the screen the first-screen rule is written for. */
export const PHONE = { width: 360, height: 740 };

/** The page open and greeted: the greeting is the first bot message. */
export async function openChat(page: Page, base: string): Promise<Locator> {
  await page.goto(base + '/');
  const bot = page.locator('.msg.bot');
  await bot.first().waitFor();
  return bot;
}
