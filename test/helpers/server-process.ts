/**
 * A real server process: `src/server/main.ts` under tsx (the `npm start` path) by default, or the
 * compiled `dist/server/main.js` (the Dockerfile's path). Each listens on its own port (PORT=0,
 * read from Fastify's "Server listening at" line). The environment is only what the test passes
 * (plus PATH), never the test runner's.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'src/server/main.ts');
export const COMPILED_MAIN = join(ROOT, 'dist/server/main.js');

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with http://127.0.0.1:<port> once listening; rejects if the process exits first. */
  listening: Promise<string>;
  /** Exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything written to stdout and stderr so far. */
  output: () => string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop: (graceMs?: number) => Promise<number | null>;
}

export function startServerProcess(env: Record<string, string>, o: { startTimeoutMs?: number; compiled?: boolean } = {}): ServerProcess {
  const child = spawn(process.execPath, o.compiled ? [COMPILED_MAIN] : ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const timeoutMs = o.startTimeoutMs ?? 20_000;
    const timer = setTimeout(() => reject(new Error(`no start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.stdout.on('data', () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited early:\n${out}`));
    });
  });
  // A test that fails before awaiting `listening` must not also leave an unhandled rejection.
  listening.catch(() => undefined);
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return exited;
  };
  return { child, listening, exited, output: () => out, stop };
}
