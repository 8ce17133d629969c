/**
 * The review list's actions in Chromium, as an official uses them on a 360 px phone: nothing
 * scrolls sideways, an entry is chosen by typing its title into the search field, and the
 * question is then answered by that entry; the list of changes fits the phone too.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchBrowser } from '../../helpers/browser.js';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { sharedKnowledge } from '../../helpers/engine.js';
import { ReviewService } from '../../../src/core/review/service.js';
import { StatsSink } from '../../../src/core/stats/sink.js';
import { SqliteReviewStore } from '../../../src/storage/sqlite-review.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';

const ADMIN = 'mat-khau-quan-tri-trinh-duyet';
const QUESTION = 'vneid đứng hình từ sáng tới giờ';
const BUSY = 'VNeID báo "Hệ thống đang bảo trì", quá tải, chậm, không vào được (faq-system-busy)';

describe.skipIf(!existsSync(CHROMIUM))('review list actions in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    let review: ReviewService | undefined;
    t = await makeApp({ ADMIN_PASSWORD: ADMIN }, {
      deps: (storage) => {
        const knowledge = { ...sharedKnowledge().knowledge };
        review = new ReviewService({ store: new SqliteReviewStore(storage.db), knowledge });
        const statsStore = new SqliteStatsStore(storage.db);
        return { knowledge, statsStore, sink: new StatsSink({ store: statsStore }), review };
      },
    });
    await review!.refresh();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const ask = async (text: string, sessionId: string) => {
    const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId, text }) });
    return ((await res.json()) as { replies: Array<{ text: string }> }).replies.map((r) => r.text).join('\n');
  };

  it('attaches a question to an entry chosen by its title, on a phone', async () => {
    expect(await ask(QUESTION, 'browser-review-1')).not.toMatch(/lỗi phía hệ thống/);
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    await page.goto(`${base}/admin/login`);
    await page.fill('input[name=password]', ADMIN);
    await page.click('button[type=submit]');
    await page.goto(`${base}/admin/review`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    const row = page.locator('tr', { hasText: QUESTION });
    const field = row.locator('input[name="id"]');
    // The search list offers the entry by its title: what the browser completes to as one types.
    expect(await page.locator(`datalist#review-entries option[value="${BUSY.replace(/"/g, '\\"')}"]`).count()).toBe(1);
    await field.fill(BUSY);
    await row.locator('button', { hasText: 'Thêm làm cách hỏi' }).click();
    await expect.poll(() => page.textContent('.ok')).toContain('Đã thêm câu hỏi làm cách hỏi mới');
    expect(await page.locator('tr', { hasText: QUESTION }).count()).toBe(0);
    expect(await ask(QUESTION, 'browser-review-2')).toMatch(/lỗi phía hệ thống/);

    await page.click('text=Các thay đổi đã làm');
    await expect.poll(() => page.locator('tr[data-change]').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.click('button:has-text("Hoàn tác")');
    await expect.poll(() => page.textContent('.ok')).toContain('Đã hoàn tác');
    expect(await ask(QUESTION, 'browser-review-3')).not.toMatch(/lỗi phía hệ thống/);
    await page.close();
  }, 60_000);
});
