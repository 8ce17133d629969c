/**
 * Issue 14, item 4, Must show: attach an unanswered question to faq-system-busy through
 * POST /admin/api/phrasings on a real server process (`npm start`'s path), and it is answered
 * with that entry at once, and again after the process is stopped and started on the same
 * SQLite file (DATA_DIR).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { tempDir } from '../helpers/engine.js';

const ADMIN = 'mat-khau-quan-tri-khoi-dong-lai';
const QUESTION = 'vneid đứng hình từ sáng tới giờ';
const BUSY_ANSWER = /lỗi phía hệ thống/;

const running: ServerProcess[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
  for (const c of cleanups.splice(0)) c();
});

function start(dataDir: string): ServerProcess {
  const p = startServerProcess({ DATA_DIR: dataDir, ADMIN_PASSWORD: ADMIN, STATS_SECRET: 'secret-for-the-restart-test-0123' }, { startTimeoutMs: 60_000 });
  running.push(p);
  return p;
}

async function ask(base: string, text: string, sessionId: string): Promise<string> {
  const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId, text }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: Array<{ text: string }> }).replies.map((r) => r.text).join('\n');
}

async function login(base: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${base}/admin/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ password: ADMIN }) });
  expect(res.status).toBe(303);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  const page = await (await fetch(`${base}/admin/review`, { headers: { cookie } })).text();
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]! };
}

describe('a phrasing attached on the dashboard survives a restart', () => {
  it('answered with faq-system-busy at once, and after the server process restarts on the same data', async () => {
    const tmp = tempDir('vneid-review-restart-');
    cleanups.push(() => tmp.cleanup());

    const first = start(tmp.dir);
    const base = await first.listening;
    expect(await ask(base, QUESTION, 'restart-session-1')).not.toMatch(BUSY_ANSWER);
    const { cookie, csrf } = await login(base);
    const res = await fetch(`${base}/admin/api/phrasings`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ text: QUESTION, id: 'faq-system-busy' }),
    });
    expect(res.status).toBe(201);
    expect(await ask(base, QUESTION, 'restart-session-2')).toMatch(BUSY_ANSWER);
    expect(await first.stop()).toBe(0);

    const second = start(tmp.dir);
    const again = await second.listening;
    expect(await ask(again, QUESTION, 'restart-session-3')).toMatch(BUSY_ANSWER);
    expect(second.output()).toContain('đã dựng lại chỉ mục câu hỏi với cách hỏi cán bộ thêm');
  }, 150_000);
});
