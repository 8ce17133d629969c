/**
 * The server's last-resort process handlers (src/server/process-guard.ts), in a real child
 * process: an unhandled rejection is logged through safeError and the process stays up; an
 * uncaught exception is logged the same way and ends the process with 1. Neither dumps the
 * error object (token, message text, names) as Node's defaults do.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const SCRIPT = new URL('../fixtures/unhandled-rejection.ts', import.meta.url).pathname;

function run(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const expectClean = (out: string) => {
  for (const secret of ['GUARD-token', '079203001299', 'Bích Ngọc']) expect(out).not.toContain(secret);
};

describe('process guard', () => {
  it('unhandled rejections: logged by name, counted, the process stays up and exits normally', async () => {
    const { code, out } = await run();
    expect(code).toBe(0);
    expect(out).toContain('still alive after 2 unhandled rejections');
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(['lỗi không được xử lý (promise bị từ chối); máy chủ vẫn chạy', 'lỗi không được xử lý (promise bị từ chối); máy chủ vẫn chạy']);
    expect(lines[0].err.name).toBe('Error');
    expect(lines[1].err.name).toBe('string');
    expectClean(out);
  });

  it('an uncaught exception: logged clean at fatal, exit code 1', async () => {
    const { code, out } = await run('--then-throw');
    expect(code).toBe(1);
    const fatal = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.level === 60);
    expect(fatal?.msg).toContain('lỗi nghiêm trọng');
    expect(fatal?.origin).toBe('uncaughtException');
    expectClean(out);
  });
});
