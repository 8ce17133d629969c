/**
 * The production start path the Dockerfile uses: `npm run build`, then `node dist/server/main.js`,
 * as a real process: it serves, shuts down gracefully on SIGTERM, and refuses bad config/content.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/engine.js';
import { COMPILED_MAIN, startServerProcess } from '../helpers/server-process.js';

const root = new URL('../../', import.meta.url).pathname;

beforeAll(() => {
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.error?.message ?? `exit ${r.status}, signal ${r.signal}`}):\n${r.stdout}\n${r.stderr}`);
}, 150_000);

const start = (env: Record<string, string>) => startServerProcess(env, { compiled: true });

describe('production build and start', () => {
  it('serves, then shuts down gracefully on SIGTERM with exit 0', async () => {
    const tmp = tempDir();
    const p = start({ DATA_DIR: tmp.dir });
    const base = await p.listening;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: 'prod-test-01', text: 'vneid la gi' }) });
    expect(res.status).toBe(200);
    expect(p.output()).toContain('kênh bật: web');
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(existsSync(join(tmp.dir, 'vneid-guide.sqlite'))).toBe(true);
    expect(existsSync(join(tmp.dir, 'stats-secret'))).toBe(true);
    expect(p.output()).not.toContain(readFileSync(join(tmp.dir, 'stats-secret'), 'utf8').trim());
    tmp.cleanup();
  }, 40_000);

  it('a bad variable stops start-up with one line naming it', async () => {
    const p = start({ PORT: 'tám nghìn' });
    await expect(p.listening).rejects.toThrow();
    expect(await p.exited).toBe(1);
    expect(p.output().trim().split('\n')).toHaveLength(1);
    expect(p.output()).toContain('PORT');
  }, 30_000);

  it('invalid content: refuses to start and says which file and field', async () => {
    const tmp = tempDir();
    cpSync(join(root, 'content'), join(tmp.dir, 'content'), { recursive: true });
    const file = join(tmp.dir, 'content/entries/faq-cost.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^label: .*$/m, 'label: Một nhãn nút dài hơn hai mươi ký tự'));
    const p = start({ DATA_DIR: tmp.dir, CONTENT_DIR: join(tmp.dir, 'content') });
    await expect(p.listening).rejects.toThrow();
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('entries/faq-cost.yaml: label');
    tmp.cleanup();
  }, 30_000);

  it('the Dockerfile runs what the build produces, as a non-root user, with a health check', () => {
    const docker = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(docker).toMatch(/^FROM node:22[\w.-]* AS build$/m);
    const [buildStage, finalStage] = docker.split(/^FROM /m).slice(1);
    expect(buildStage).toMatch(/npm ci/);
    expect(finalStage).toMatch(/^node:22[\w.-]*-slim$/m);
    expect(finalStage).toMatch(/npm ci --omit=dev/);
    expect(finalStage).toMatch(/COPY --from=build \/app\/dist/);
    expect(docker).toMatch(/^USER node$/m);
    expect(docker).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(docker).toMatch(/^EXPOSE 3000$/m);
    expect(docker).toMatch(/^VOLUME \["\/data"\]$/m);
    const cmd = /^CMD \["node", "([^"]+)"\]$/m.exec(docker)?.[1];
    expect(cmd).toBe('dist/server/main.js');
    expect(join(root, cmd!)).toBe(COMPILED_MAIN);
    expect(existsSync(COMPILED_MAIN)).toBe(true);
    for (const copied of ['content', 'src/channels/web/public']) expect(existsSync(join(root, copied))).toBe(true);
  });
});
