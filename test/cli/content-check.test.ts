import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/engine.js';

const root = new URL('../../', import.meta.url).pathname;
const check = (dir?: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/content-check.ts'), ...(dir ? [dir] : [])], { cwd: root, encoding: 'utf8', timeout: 60_000 });

/** Runs `use` on a throw-away copy of content/, so a test can break it without touching the real one. */
function withContentCopy(use: (dir: string, edit: (file: string, from: RegExp | string, to: string) => void) => void): void {
  const tmp = tempDir();
  try {
    const dir = join(tmp.dir, 'content');
    cpSync(join(root, 'content'), dir, { recursive: true });
    use(dir, (file, from, to) => writeFileSync(join(dir, file), readFileSync(join(dir, file), 'utf8').replace(from, to)));
  } finally {
    tmp.cleanup();
  }
}

describe('npm run content:check', () => {
  it('passes on the real content', () => {
    const r = check();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Nội dung hợp lệ: \d+ mục/);
  });

  it('prints file, field and reason for each error and exits 1', () => {
    withContentCopy((dir, edit) => {
      edit('entries/faq-cost.yaml', /^related: .*$/m, 'related: [faq-khong-co]');
      edit('entries/faq-otp.yaml', /^level: .*$/m, 'level: 3');
      edit('dialog.yaml', /faq-contact\]/, 'faq-lien-he]');
      edit('matcher.yaml', /^threshold: .*$/m, 'threshold: 2');
      const r = check(dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('entries/faq-cost.yaml: related.0: id "faq-khong-co" không tồn tại');
      expect(r.stderr).toMatch(/entries\/faq-otp\.yaml: level: /);
      // the FAQ menu ends with faq-contact: the error names its position, whatever the menu's length
      expect(r.stderr).toMatch(/dialog\.yaml: menu\.5\.ids\.\d+: id "faq-lien-he" không tồn tại/);
      expect(r.stderr).toMatch(/matcher\.yaml: threshold: /);
    });
  });

  it('names a scamFirst entry of matcher.yaml that does not exist', () => {
    withContentCopy((dir, edit) => {
      edit('matcher.yaml', 'warning: faq-scam', 'warning: faq-lua-dao');
      edit('matcher.yaml', 'unless: [l1-tin-tuc,', 'unless: [l1-tin,');
      const r = check(dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('matcher.yaml: scamFirst.warning: id "faq-lua-dao" không tồn tại');
      expect(r.stderr).toContain('matcher.yaml: scamFirst.unless.0: id "l1-tin" không tồn tại');
    });
  });

  it('names an emergency phrase that a not-phrase always cancels, even one letter off', () => {
    withContentCopy((dir, edit) => {
      // "truyện" (stories) is one letter from "thuyền" (a boat): "thuyền chìm" would never be an emergency.
      edit('intents.yaml', '    - lan truyền\n', '    - lan truyền\n    - truyện\n');
      const r = check(dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/intents\.yaml: emergency\.fire: "thuyền chìm" không bao giờ là khẩn cấp: cụm "thuyen" trong "not"/);
    });
  });

  it('checks communes.yaml when present: the two-commune example passes, a bad one names file, path and reason', () => {
    withContentCopy((dir, edit) => {
      cpSync(join(root, 'test/fixtures/communes/communes.yaml'), join(dir, 'communes.yaml'));
      const ok = check(dir);
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('communes.yaml: 2 xã/phường.');
      edit('communes.yaml', 'tokenEnv: LOC_HOA_TELEGRAM_BOT_TOKEN', 'tokenEnv: "123456:secret-token"');
      const bad = check(dir);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/communes\.yaml: communes\.0\.telegram\.tokenEnv: tên biến môi trường/);
    });
  });
});
