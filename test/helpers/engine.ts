import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKnowledge, type Knowledge } from '../../src/core/knowledge.js';
import { loadScript, type Script } from '../../src/core/dialog/script.js';
import { DialogEngine } from '../../src/core/dialog/engine.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import type { EventSink } from '../../src/core/stats/events.js';
import type { FloodOptions } from '../../src/core/dialog/flood.js';
import type { CommuneDirectory } from '../../src/core/communes/directory.js';

let knowledge: Knowledge | undefined;
let script: Script | undefined;

/** Content is read once per test file: it is immutable. */
export function sharedKnowledge(): { knowledge: Knowledge; script: Script } {
  // TEST_CONTENT_DIR: run against another content folder (e.g. a snapshot while content is being edited).
  const dir = process.env.TEST_CONTENT_DIR;
  knowledge ??= loadKnowledge(dir);
  script ??= loadScript(dir ? join(dir, 'dialog.yaml') : undefined);
  return { knowledge, script };
}

export function tempDir(prefix = 'vneid-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function makeEngine(storage: SqliteStorage, options: { sink?: EventSink; expiryMs?: number; flood?: FloodOptions; communes?: CommuneDirectory } = {}): DialogEngine {
  const { knowledge, script } = sharedKnowledge();
  return new DialogEngine({
    knowledge,
    script,
    storage,
    communeName: 'Xã Thử Nghiệm',
    communeContact: 'Công an xã Thử Nghiệm, 0200 000 000',
    expiryMs: options.expiryMs ?? 24 * 3600_000,
    ...(options.sink ? { sink: options.sink } : {}),
    ...(options.flood ? { flood: options.flood } : {}),
    ...(options.communes ? { communes: options.communes } : {}),
  });
}
