/**
 * Issue 14, item 4: officials improve the answers from the review list. Through buildApp and
 * Fastify inject, on a real SQLite file: attach a question to faq-system-busy with
 * POST /admin/api/phrasings and the bot answers it so at once, and again after the app is built
 * anew on the same file; CSRF on every POST; Vietnamese 400s; undo; export; dismissals.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { sharedKnowledge, tempDir } from '../../helpers/engine.js';
import { adminPlugin } from '../../../src/server/admin/plugin.js';
import { hashPassword, parseAdminUsers } from '../../../src/server/admin/users.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { SqliteReviewStore } from '../../../src/storage/sqlite-review.js';
import { ReviewService } from '../../../src/core/review/service.js';
import { StatsSink } from '../../../src/core/stats/sink.js';

const ADMIN = 'mat-khau-quan-tri-review';
/** Not answered by the content as shipped (checked in the first test). */
const QUESTION = 'vneid đứng hình từ sáng tới giờ';
const BUSY_ANSWER = /lỗi phía hệ thống/;
const ROOT = new URL('../../../', import.meta.url).pathname;

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/**
 * The app as runtime.ts wires it, with its own copy of the knowledge (the review service swaps
 * its matcher; the shared copy of other tests must not see that).
 */
async function withReview(dir?: string) {
  let review: ReviewService | undefined;
  const app = await makeApp({ ADMIN_PASSWORD: ADMIN }, {
    ...(dir ? { dir } : {}),
    deps: (storage: SqliteStorage) => {
      const knowledge = { ...sharedKnowledge().knowledge };
      review = new ReviewService({ store: new SqliteReviewStore(storage.db), knowledge });
      const statsStore = new SqliteStatsStore(storage.db);
      return { knowledge, statsStore, sink: new StatsSink({ store: statsStore }), review };
    },
  });
  await review!.refresh(); // as openRuntime does before serving
  return app;
}

async function login(app: TestApp['app']): Promise<{ cookie: string; csrf: string }> {
  const res = await app.inject({ method: 'POST', url: '/admin/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ password: ADMIN }).toString() });
  expect(res.statusCode).toBe(303);
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  const page = await app.inject({ url: '/admin/review', headers: { cookie } });
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)?.[1];
  expect(csrf, 'every dashboard page carries the CSRF token').toBeTruthy();
  return { cookie, csrf: csrf! };
}

async function ask(app: TestApp['app'], text: string, sessionId = `review-${Math.random().toString(36).slice(2, 10)}`): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/chat', payload: { sessionId, text } });
  expect(res.statusCode).toBe(200);
  return (res.json() as { replies: Array<{ text: string }> }).replies.map((r) => r.text).join('\n');
}

const postJson = (app: TestApp['app'], url: string, body: unknown, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });

const postForm = (app: TestApp['app'], url: string, fields: Record<string, string>, cookie: string) =>
  app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });

describe('POST /admin/api/phrasings', () => {
  it('attaches a question to faq-system-busy: answered at once, and after a restart on the same SQLite file', async () => {
    t = await withReview();
    expect(await ask(t.app, QUESTION)).not.toMatch(BUSY_ANSWER);
    const { cookie, csrf } = await login(t.app);

    const res = await postJson(t.app, '/admin/api/phrasings', { text: QUESTION, id: 'faq-system-busy' }, { cookie, 'x-csrf-token': csrf });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { change: { id: number; entryId: string; text: string; by: string }; applied: boolean };
    expect(body).toMatchObject({ applied: true, change: { entryId: 'faq-system-busy', text: QUESTION, by: 'admin' } });
    expect(await ask(t.app, QUESTION)).toMatch(BUSY_ANSWER);

    // Restart: a new app (new knowledge, new matcher, new connection) on the same file.
    const dir = t.dir;
    await t.app.close();
    await t.storage.close();
    t = await withReview(dir);
    expect(await ask(t.app, QUESTION)).toMatch(BUSY_ANSWER);
    const listed = await t.app.inject({ url: '/admin/api/changes', headers: { cookie: (await login(t.app)).cookie } });
    expect((listed.json() as { changes: Array<{ text: string; by: string }> }).changes[0]).toMatchObject({ text: QUESTION, by: 'admin' });
  });

  it('refuses a missing or wrong CSRF token, or another site, with 403 and changes nothing', async () => {
    t = await withReview();
    const { cookie, csrf } = await login(t.app);
    const attempts: Array<Record<string, string>> = [
      { cookie },
      { cookie, 'x-csrf-token': 'sai-ma-csrf-0123456789012345678901234567890' },
      { cookie, 'x-csrf-token': csrf, origin: 'https://ke-gian.example' },
    ];
    for (const headers of attempts) {
      const res = await postJson(t.app, '/admin/api/phrasings', { text: QUESTION, id: 'faq-system-busy' }, headers);
      expect(res.statusCode, JSON.stringify(Object.keys(headers))).toBe(403);
      expect((res.json() as { error: string }).error).toMatch(/CSRF/);
    }
    // The forms too: a dismissal without the token is refused.
    const form = await postForm(t.app, '/admin/review/dismiss', { text: 'giá vàng hôm nay' }, cookie);
    expect(form.statusCode).toBe(403);
    expect(form.body).toContain('thiếu hoặc sai mã CSRF');
    expect(((await t.app.inject({ url: '/admin/api/changes', headers: { cookie } })).json() as { changes: unknown[] }).changes).toEqual([]);
    expect(await ask(t.app, QUESTION)).not.toMatch(BUSY_ANSWER);
    // Without a session: 401, not a change either.
    expect((await postJson(t.app, '/admin/api/phrasings', { text: QUESTION, id: 'faq-system-busy' }, { 'x-csrf-token': csrf })).statusCode).toBe(401);
  });

  it('answers bad requests with 400 and a Vietnamese message, never a 500', async () => {
    t = await withReview();
    const { cookie, csrf } = await login(t.app);
    const h = { cookie, 'x-csrf-token': csrf };
    const cases: Array<[unknown, RegExp]> = [
      [{ text: QUESTION, id: 'faq-khong-co-that' }, /Không có mục nội dung nào mang mã “faq-khong-co-that”/],
      [{ text: QUESTION }, /Chưa chọn mục/],
      [{ id: 'faq-system-busy' }, /Thiếu câu hỏi/],
      [{ text: 'ạ'.repeat(201), id: 'faq-system-busy' }, /dài quá: tối đa 200 ký tự/],
      [{ text: '0912 345 678', id: 'faq-system-busy' }, /chỉ có thông tin cá nhân/],
      [[1, 2], /Thiếu câu hỏi/],
    ];
    for (const [body, message] of cases) {
      const res = await postJson(t.app, '/admin/api/phrasings', body, h);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect((res.json() as { error: string }).error).toMatch(message);
    }
    const broken = await t.app.inject({ method: 'POST', url: '/admin/api/phrasings', headers: { ...h, 'content-type': 'application/json' }, payload: '{"text": "thiếu ngoặc' });
    expect(broken.statusCode).toBe(400);
    expect((broken.json() as { error: string }).error).toMatch(/Yêu cầu không hợp lệ/);
    const huge = await postJson(t.app, '/admin/api/phrasings', { text: 'a'.repeat(10_000), id: 'faq-system-busy' }, h);
    expect(huge.statusCode).toBe(413);
    // An existing phrasing of the entry is not added twice.
    const dup = await postJson(t.app, '/admin/api/phrasings', { text: 'vneid lag qua', id: 'faq-system-busy' }, h);
    expect(dup.statusCode).toBe(409);
    expect((dup.json() as { error: string }).error).toMatch(/đã là một cách hỏi của mục/);
  });

  it('stores the phrasing scrubbed of personal data', async () => {
    t = await withReview();
    const { cookie, csrf } = await login(t.app);
    const res = await postJson(t.app, '/admin/api/phrasings', { text: 'số 0912 345 678 của tôi mở vneid đứng hình mãi', id: 'faq-system-busy' }, { cookie, 'x-csrf-token': csrf });
    expect(res.statusCode).toBe(201);
    const stored = new SqliteReviewStore(t.storage.db);
    const [change] = await stored.list(10);
    expect(change!.text).not.toMatch(/0912|345|678/);
    expect(change!.text).toContain('vneid đứng hình mãi');
  });

  it('undo restores the previous answer', async () => {
    t = await withReview();
    const before = await ask(t.app, QUESTION, 'undo-session-1');
    const { cookie, csrf } = await login(t.app);
    const { change } = (await postJson(t.app, '/admin/api/phrasings', { text: QUESTION, id: 'faq-system-busy' }, { cookie, 'x-csrf-token': csrf })).json() as { change: { id: number } };
    expect(await ask(t.app, QUESTION, 'undo-session-2')).toMatch(BUSY_ANSWER);

    const undone = await postJson(t.app, `/admin/api/changes/${change.id}/undo`, {}, { cookie, 'x-csrf-token': csrf });
    expect(undone.statusCode).toBe(200);
    expect(undone.json()).toMatchObject({ applied: true, change: { id: change.id, undoneBy: 'admin' } });
    expect(await ask(t.app, QUESTION, 'undo-session-3')).toBe(before);
    // Twice is a clear 409, an unknown change a 404.
    expect((await postJson(t.app, `/admin/api/changes/${change.id}/undo`, {}, { cookie, 'x-csrf-token': csrf })).statusCode).toBe(409);
    const unknown = await postJson(t.app, '/admin/api/changes/999/undo', {}, { cookie, 'x-csrf-token': csrf });
    expect(unknown.statusCode).toBe(404);
    expect((unknown.json() as { error: string }).error).toBe('Không có thay đổi số 999.');
  });

  it('exports the phrasing as a patch that applies to content/, and as YAML', async () => {
    t = await withReview();
    const { cookie, csrf } = await login(t.app);
    const text = 'vneid treo logo mãi không vào: bị sao vậy';
    expect((await postJson(t.app, '/admin/api/phrasings', { text, id: 'faq-system-busy' }, { cookie, 'x-csrf-token': csrf })).statusCode).toBe(201);

    const patch = await t.app.inject({ url: '/admin/review/export.patch', headers: { cookie } });
    expect(patch.statusCode).toBe(200);
    expect(patch.headers['content-disposition']).toMatch(/attachment; filename="vneid-cach-hoi-moi-\d{4}-\d{2}-\d{2}\.patch"/);
    expect(patch.body).toContain('+++ b/content/entries/faq-system-busy.yaml');
    expect(patch.body).toContain(`+  - '${text}'`); // quoted: the colon would otherwise make it a mapping
    // It applies to the repository as it is (checked, not applied).
    execFileSync('git', ['apply', '--check', '-'], { cwd: ROOT, input: patch.body });

    const yaml = await t.app.inject({ url: '/admin/review/export.yaml', headers: { cookie } });
    expect(yaml.statusCode).toBe(200);
    expect(yaml.body).toMatch(/faq-system-busy:\n {2}# .*\n {2}phrasings:\n {4}- 'vneid treo logo mãi không vào: bị sao vậy'/);
  });
});

describe('the review list on the dashboard', () => {
  const OFF_TOPIC = 'giá vàng hôm nay bao nhiêu một chỉ';

  it('dismissed questions leave the review list; the change is listed with who and when, and can be undone', async () => {
    t = await withReview();
    await ask(t.app, OFF_TOPIC);
    await ask(t.app, QUESTION);
    const { cookie, csrf } = await login(t.app);
    const list = async () => (await t!.app.inject({ url: '/admin/review', headers: { cookie } })).body;

    let page = await list();
    expect(page).toContain(OFF_TOPIC);
    expect(page).toContain('Thêm làm cách hỏi');
    expect(page).toContain('<datalist id="review-entries">');
    expect(page).toContain('VNeID báo &quot;Hệ thống đang bảo trì&quot;, quá tải, chậm, không vào được (faq-system-busy)');

    // Dismiss by the row's form, as an official does.
    const normalized = /name="text" value="giá vàng[^"]*"><input type="hidden" name="normalized" value="([^"]*)"/.exec(page)![1]!;
    const dismissed = await postForm(t.app, '/admin/review/dismiss', { csrf, text: OFF_TOPIC, normalized, from: '2020-01-01', to: '2030-12-31' }, cookie);
    expect(dismissed.statusCode).toBe(303);
    expect(dismissed.headers.location).toBe('/admin/review?from=2020-01-01&to=2030-12-31&done=dismissed');
    page = await list();
    expect(page).not.toContain(OFF_TOPIC);
    expect(page).toContain(QUESTION);
    const csv = await t.app.inject({ url: '/admin/csv/review', headers: { cookie } });
    expect(csv.body).not.toContain(OFF_TOPIC);

    // Attach the other one by its form, choosing the entry by title as the search list offers it.
    const attached = await postForm(t.app, '/admin/review/attach', { csrf, text: QUESTION, normalized: '', id: 'VNeID báo "Hệ thống đang bảo trì", quá tải, chậm, không vào được (faq-system-busy)' }, cookie);
    expect(attached.statusCode).toBe(303);
    expect(await list()).not.toContain(QUESTION);

    const changes = await t.app.inject({ url: '/admin/review/changes', headers: { cookie } });
    expect(changes.statusCode).toBe(200);
    expect(changes.body).toContain('<meta name="csrf-token"');
    const dismissalRow = /<tr data-change="\d+">(?:(?!<\/tr>)[\s\S])*giá vàng(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(changes.body)?.[0] ?? '';
    expect(dismissalRow).toContain('<td data-label="Việc"><div>Bỏ qua (ngoài phạm vi)</div></td>');
    expect(dismissalRow).toContain('<td data-label="Người làm"><div>admin</div></td>');
    expect(dismissalRow).toMatch(/<td data-label="Lúc"><div>\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}<\/div><\/td>/);
    expect(changes.body).toContain('Thêm cách hỏi');

    // Undo the dismissal from the list of changes: the question is back.
    const id = (((await t.app.inject({ url: '/admin/api/changes', headers: { cookie } })).json() as { changes: Array<{ id: number; kind: string }> }).changes.find((c) => c.kind === 'dismissal'))!.id;
    const undone = await postForm(t.app, '/admin/review/undo', { csrf, id: String(id) }, cookie);
    expect(undone.statusCode).toBe(303);
    expect(await list()).toContain(OFF_TOPIC);
    // A form with an unknown entry: the page says so in Vietnamese.
    const bad = await postForm(t.app, '/admin/review/attach', { csrf, text: OFF_TOPIC, id: 'không có mục này' }, cookie);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Không có mục nội dung nào mang mã');
  });
});

describe('who made a change', () => {
  it("is the official's name (ADMIN_USERS_FILE), not a shared account", async () => {
    const tmp = tempDir('vneid-review-who-');
    const storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
    const app = Fastify({ logger: false });
    try {
      const users = parseAdminUsers({ users: [{ name: 'canbo-huyen', role: 'admin', passwordHash: await hashPassword('mat-khau-can-bo-01') }] }, undefined);
      const review = new ReviewService({ store: new SqliteReviewStore(storage.db), knowledge: { ...sharedKnowledge().knowledge } });
      await app.register(adminPlugin, { password: ADMIN, store: new SqliteStatsStore(storage.db), content: review.base, cookieSecret: 'cookie-secret-for-tests-0123456789abcdef', storage, users, review });
      const res = await app.inject({ method: 'POST', url: '/admin/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ username: 'canbo-huyen', password: 'mat-khau-can-bo-01' }).toString() });
      expect(res.statusCode).toBe(303);
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec((await app.inject({ url: '/admin/review', headers: { cookie } })).body)![1]!;
      const added = await app.inject({ method: 'POST', url: '/admin/api/phrasings', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: JSON.stringify({ text: QUESTION, id: 'faq-system-busy' }) });
      expect(added.statusCode).toBe(201);
      expect((added.json() as { change: { by: string } }).change.by).toBe('canbo-huyen');
    } finally {
      await app.close();
      await storage.close();
      tmp.cleanup();
    }
  });
});
