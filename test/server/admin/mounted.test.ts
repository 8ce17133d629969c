/**
 * The dashboard as deployed: mounted by buildApp next to the web chat, the root rate limiter and
 * error handler (issue 12, item 20). A question asked in the web chat shows up in its numbers;
 * without ADMIN_PASSWORD there is no /admin at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { StatsSink } from '../../../src/core/stats/sink.js';
import { login } from '../../fixtures/admin-app.js';

const ADMIN = 'mat-khau-quan-tri-gan-vao-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('dashboard mounted through buildApp', () => {
  it('logs in, shows the pages, and counts a question asked in the web chat', async () => {
    t = await makeApp(
      { ADMIN_PASSWORD: ADMIN },
      {
        deps: (storage) => {
          const statsStore = new SqliteStatsStore(storage.db);
          return { statsStore, sink: new StatsSink({ store: statsStore }) };
        },
      },
    );
    const chat = await t.app.inject({ method: 'POST', url: '/api/chat', payload: { sessionId: 'mounted-session-1', text: 'tích hợp bhyt thế nào' } });
    expect(chat.statusCode).toBe(200);

    expect((await t.app.inject({ url: '/admin' })).statusCode).toBe(302);
    const cookie = await login(t.app, undefined, ADMIN);

    for (const url of ['/admin', '/admin/topics', '/admin/review', '/admin/guides', '/admin/failures', '/admin/assets/admin.css']) {
      const res = await t.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
    }
    const overview = await t.app.inject({ url: '/admin/api/overview', headers: { cookie } });
    expect(overview.statusCode).toBe(200);
    const body = overview.json() as { headers: string[]; rows: string[][] };
    const questions = body.rows.find((r) => /Câu hỏi/.test(r[0] ?? ''));
    expect(questions, JSON.stringify(body)).toBeDefined();
    expect(Number(questions![1])).toBeGreaterThanOrEqual(1);
  });

  it('without ADMIN_PASSWORD, /admin does not exist', async () => {
    t = await makeApp({}, { deps: (storage) => ({ statsStore: new SqliteStatsStore(storage.db) }) });
    expect((await t.app.inject({ url: '/admin' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/admin/api/overview' })).statusCode).toBe(404);
    expect(t.logs()).toContain('ADMIN_PASSWORD');
  });
});
