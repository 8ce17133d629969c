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
import { TABS } from '../../../src/server/admin/views.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url).pathname;

describe.skipIf(!existsSync(CHROMIUM))('admin dashboard in Chromium', () => {
  let t: AdminTestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await buildAdminTestApp({ teams: true });
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

    // Campaign numbers, via the navigation (the date range follows). The filter takes dd/mm/yyyy
    // as typed, whatever the browser's locale.
    await page.click('details.range summary');
    await page.fill('input[name="from"]', '01/03/2025');
    await page.fill('input[name="to"]', '31/03/2025');
    await Promise.all([page.waitForURL(/from=01%2F03%2F2025/), page.click('details.range button')]);
    expect(await page.textContent('details.range summary strong')).toBe('01/03/2025 – 31/03/2025');
    await Promise.all([page.waitForURL(/\/admin\/documents\?/), page.click('nav.tabs >> text=Theo giấy tờ')]);
    const bhyt = await page.$$eval('[data-table="documents"] tbody tr', (rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent!.trim())).find((cells) => cells[0] === 'Thẻ bảo hiểm y tế (BHYT)'),
    );
    expect(bhyt?.slice(1, 3)).toEqual(['2', '1']);
    await page.screenshot({ path: `${ARTIFACTS}admin-documents.png`, fullPage: true });

    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  // Every tab of the dashboard, those other pages add included.
  const PAGES = TABS.map((t) => t.path);

  // Fourteen pages in a real browser: slow on a busy machine, hence its own time limit.
  it('fits a 360 px phone: no page scrolls sideways, and the first screen shows numbers, not only header and filter', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/admin/login`);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type="submit"]')]);
    for (const view of ['', '&view=technical']) {
      for (const path of PAGES) {
        const url = `${base}/admin${path}?from=01/03/2025&to=31/03/2025${view}`;
        await page.goto(url);
        const m = await page.evaluate(() => {
          // The first piece of real content: a number card, a table row (as a card), the "no data" line, or a form to fill.
          const first = document.querySelector('main .cards .card, main section.block tbody tr, main section.block .empty, main section.block form');
          const header = document.querySelector('header.top')!.getBoundingClientRect();
          const nav = document.querySelector('nav.tabs')!.getBoundingClientRect();
          const td = document.querySelector('main section.block tbody td');
          return {
            scrollWidth: document.documentElement.scrollWidth,
            firstTop: first ? first.getBoundingClientRect().top : Infinity,
            chrome: header.height + nav.height + document.querySelector('details.range')!.getBoundingClientRect().height,
            cellDisplay: td ? getComputedStyle(td).display : 'none',
          };
        });
        await page.screenshot({ path: `${ARTIFACTS}admin-360${path.replace('/', '-') || '-overview'}${view ? '-technical' : ''}.png`, fullPage: false });
        expect(m.scrollWidth, url).toBeLessThanOrEqual(360);
        // Real content starts on the first screen, with room to read it (at least 160 px of it).
        expect(m.firstTop, url).toBeLessThanOrEqual(740 - 160);
        // Header, tabs and the folded date filter together take well under a third of the screen.
        expect(m.chrome, url).toBeLessThan(740 / 3);
        // Table rows are stacked as cards: no cell laid out as a table column.
        if (m.cellDisplay !== 'none') expect(m.cellDisplay, url).not.toBe('table-cell');
      }
    }
    // The date filter opens and fits too.
    await page.goto(`${base}/admin/review?from=01/03/2025&to=31/03/2025`);
    await page.click('details.range summary');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: `${ARTIFACTS}admin-360-date-filter.png`, fullPage: false });
    await page.fill('input[name="from"]', '10/03/2025');
    await page.fill('input[name="to"]', '16/03/2025');
    await Promise.all([page.waitForURL(/from=10%2F03%2F2025/), page.click('details.range button')]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await page.textContent('main')).toContain('xin giấy xác nhận cư trú ở đâu ạ');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('a date typed the American way gets a clear message, not a wrong range (browser locale en-US)', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/admin/login`);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type="submit"]')]);
    await page.click('details.range summary');
    await page.fill('input[name="from"]', '03/31/2025');
    await page.fill('input[name="to"]', '04/01/2025');
    const [res] = await Promise.all([page.waitForNavigation(), page.click('details.range button')]);
    expect(res?.status()).toBe(200);
    expect(await page.textContent('.warning')).toContain('Không hiểu ngày “03/31/2025”');
    expect(await page.inputValue('input[name="from"]')).toBe('03/31/2025');
    await page.screenshot({ path: `${ARTIFACTS}admin-360-bad-date.png`, fullPage: false });
    await context.close();
  }, 60_000);
});
