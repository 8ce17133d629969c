/**
 * The dashboard in real Chromium (Debian's, driven by playwright-core): log in, see the seeded
 * numbers, the chart drawn by our own Chart.js under a strict CSP, a phone-sized layout.
 * Screenshots go to test-artifacts/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminTestApp, PASSWORD, type AdminTestApp } from '../../fixtures/admin-app.js';
import { EXPECTED } from '../../fixtures/stats-seed.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url).pathname;

describe.skipIf(!existsSync(CHROMIUM))('admin dashboard in Chromium', () => {
  let t: AdminTestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await buildAdminTestApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('logs in and shows the seeded numbers', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => !r.url().startsWith(base) && problems.push(`external request: ${r.url()}`));

    await page.goto(`${base}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.fill('input[name="password"]', 'sai-mat-khau');
    await page.click('button[type="submit"]');
    await expect.poll(() => page.textContent('.error'), { timeout: 10_000 }).toContain('Mật khẩu không đúng');
    // That 401 is the only failed request expected; from here on, no errors at all.
    expect(problems.filter((p) => !p.includes('status of 401'))).toEqual([]);
    problems.length = 0;

    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type="submit"]')]);
    const card = (k: string) => page.textContent(`[data-card="${k}"] dd`);
    expect(await card('conversations')).toBe(String(EXPECTED.overview.conversations));
    expect(await card('users')).toBe(String(EXPECTED.overview.users));
    expect(await card('questions')).toBe(String(EXPECTED.overview.questions));
    expect(await card('answered-rate')).toBe('57,1 %');
    expect(await card('failures')).toBe(String(EXPECTED.overview.deliveryFailures));

    // Chart.js (served by us) drew on the canvas.
    await page.waitForSelector('#chart-per-day[data-ready="true"]');
    const painted = await page.$eval('#chart-per-day', (c) => {
      const canvas = c as HTMLCanvasElement;
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(500);
    await page.screenshot({ path: `${ARTIFACTS}admin.png`, fullPage: true });

    // Campaign numbers, via the navigation (the date range follows).
    await page.fill('input[name="from"]', '2025-03-01');
    await page.fill('input[name="to"]', '2025-03-31');
    await Promise.all([page.waitForURL(/from=2025-03-01/), page.click('form.range button')]);
    await Promise.all([page.waitForURL(/\/admin\/documents\?/), page.click('nav.tabs >> text=Theo giấy tờ')]);
    const bhyt = await page.$$eval('[data-table="documents"] tbody tr', (rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent!.trim())).find((cells) => cells[1] === 'integrate-bhyt'),
    );
    expect(bhyt?.slice(2, 4)).toEqual(['2', '1']);
    await page.screenshot({ path: `${ARTIFACTS}admin-documents.png`, fullPage: true });

    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a phone screen', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });
    const page = await context.newPage();
    await page.goto(`${base}/admin/login`);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type="submit"]')]);
    await page.goto(`${base}/admin/guides?from=2025-03-01&to=2025-03-31`);
    // The page itself never scrolls sideways; wide tables scroll inside their own box.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.textContent('h2.page-title')).toBe('Hướng dẫn từng bước');
    await page.screenshot({ path: `${ARTIFACTS}admin-mobile.png`, fullPage: false });
    await context.close();
  });
});
