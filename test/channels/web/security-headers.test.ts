/**
 * Issue 12, defect 13: the web chat's page, its static files and its API carry security headers
 * (a strict CSP, framing refused, nosniff, a referrer policy), and the page still works under
 * that CSP in real Chromium: greeting, a typed question, "Xem thêm", with no CSP violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChat, PHONE, startChatServer, type ChatServer } from './chat-page.js';

let s: ChatServer;
beforeAll(async () => {
  s = await startChatServer();
}, 60_000);
afterAll(() => s?.close());

function expectSecurityHeaders(headers: Record<string, unknown>, what: string) {
  const csp = String(headers['content-security-policy'] ?? '');
  expect(csp, what).toContain("default-src 'none'");
  expect(csp, what).toContain("script-src 'self'");
  expect(csp, what).toContain("style-src 'self'");
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).not.toContain('unsafe-inline');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['referrer-policy'], what).toBe('same-origin');
}

describe('security headers of the web chat', () => {
  it('on /, every static file and /api/chat', async () => {
    for (const url of ['/', '/static/chat.js', '/static/chat.css', '/static/collapse.js', '/static/read-aloud.js']) {
      const res = await s.t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expectSecurityHeaders(res.headers, url);
    }
    const api = await s.t.app.inject({ method: 'POST', url: '/api/chat', payload: { sessionId: 'hdr-session-1', text: 'xin chào' } });
    expect(api.statusCode).toBe(200);
    expectSecurityHeaders(api.headers, '/api/chat');
  });

  it('the page works under its CSP in Chromium, with no violation reported', async () => {
    const page = await s.browser.newPage({ viewport: PHONE });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    const bot = await openChat(page, s.base);
    await page.getByLabel('Câu hỏi của bạn').fill('quen mat khau dang nhap thi lam sao');
    await page.keyboard.press('Enter');
    await expect.poll(() => bot.last().textContent(), { timeout: 10_000 }).toContain('Quên mật khẩu');
    // The stylesheet applied (a file under 'self'): the form is laid out as chat.css says.
    expect(await page.locator('#ask').evaluate((el) => getComputedStyle(el).display)).toBe('flex');
    expect(violations).toEqual([]);
    await page.close();
  });
});
