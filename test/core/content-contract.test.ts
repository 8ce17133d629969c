/**
 * The content contract (../shared/content-contract.md): every one of its 59 ids has an entry, and the
 * 11 entries on services and topics beyond the 25 utilities (issue 11) carry what an official needs
 * to keep them true: sources, a checked date, walkthroughs where the app has steps, a way out.
 * Reads the real content/ folder, as the server does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readContent } from '../../src/core/content/loader.js';
import type { Entry } from '../../src/core/content/schema.js';
import { loadScript } from '../../src/core/dialog/script.js';
import type { DialogEngine } from '../../src/core/dialog/engine.js';
import { PAYLOAD_PREFIX, type Reply } from '../../src/core/dialog/reply.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { makeEngine, tempDir } from '../helpers/engine.js';

const CONTRACT_IDS = [
  // The 9 level-1 utilities.
  'l1-dan-cu', 'l1-sso-dvc', 'l1-luu-tru', 'l1-phan-anh', 'l1-thong-bao', 'l1-tin-tuc', 'l1-chia-se', 'l1-doi-sdt', 'l1-doi-thiet-bi',
  // The 7 utilities level 2 adds.
  'l2-cu-tru', 'l2-cccd', 'l2-nguoi-phu-thuoc', 'l2-gplx-dkx', 'l2-bhyt', 'l2-bhxh', 'l2-so-suc-khoe',
  // Step-by-step guides.
  'guide-install', 'guide-register', 'guide-level1', 'guide-level2', 'guide-activate', 'guide-login',
  'integrate-bhyt', 'integrate-gplx', 'integrate-dkx', 'integrate-mst', 'integrate-nguoi-phu-thuoc',
  // Frequent questions and problems.
  'faq-what-is-vneid', 'faq-level-diff', 'faq-eligibility', 'faq-cost', 'faq-otp', 'faq-forgot-password', 'faq-forgot-passcode',
  'faq-not-identified', 'faq-already-activated', 'faq-other-device', 'faq-nfc', 'faq-approval-time', 'faq-dvc-login', 'faq-scam',
  'faq-privacy', 'faq-contact', 'faq-lock-account', 'faq-wrong-info', 'faq-mandatory', 'faq-validity', 'faq-organization',
  // Services and topics beyond the 25 utilities.
  'svc-cu-tru', 'svc-can-cuoc', 'svc-ly-lich-tu-phap', 'svc-ho-chieu', 'svc-an-sinh',
  'faq-children', 'faq-face', 'faq-address-merger', 'faq-legal-value', 'faq-system-busy', 'faq-bank',
];

const SERVICES = ['svc-cu-tru', 'svc-can-cuoc', 'svc-ly-lich-tu-phap', 'svc-ho-chieu', 'svc-an-sinh'];
const NEW_FAQS = ['faq-children', 'faq-face', 'faq-address-merger', 'faq-legal-value', 'faq-system-busy', 'faq-bank'];
const NEW_ENTRIES = [...SERVICES, ...NEW_FAQS];
/** Where the app has steps (residence registration, card renewal, criminal record), the bot walks them. */
const WALKTHROUGHS = ['svc-cu-tru', 'svc-can-cuoc', 'svc-ly-lich-tu-phap'];

const { base } = readContent();
const entry = (id: string): Entry => {
  const e = base.byId.get(id);
  if (!e) throw new Error(`no entry "${id}"`);
  return e;
};

/** Sentences as a reader meets them: split at . ! ? and line breaks; words are runs with a letter or digit. */
function sentenceWordCounts(text: string): number[] {
  return text
    .split(/(?<=[.!?])\s+|\n/)
    .map((s) => s.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length)
    .filter((n) => n > 0);
}

describe('content contract', () => {
  it('lists 59 distinct ids', () => {
    expect(new Set(CONTRACT_IDS).size).toBe(59);
  });

  it('every contract id has a valid entry in content/', () => {
    const missing = CONTRACT_IDS.filter((id) => !base.byId.has(id));
    expect(missing).toEqual([]);
  });
});

describe('the 11 entries beyond the 25 utilities', () => {
  it.each(NEW_ENTRIES)('%s has the kind its id says, sources and a checked date', (id) => {
    const e = entry(id);
    expect(e.kind).toBe(id.startsWith('svc-') ? 'service' : 'faq');
    expect(e.sources.length).toBeGreaterThan(0);
    // A source is a link or a legal document number an official can look up.
    for (const s of e.sources) expect(s).toMatch(/https?:\/\/|\d+\/\d{4}/);
    expect(e.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Date.parse(e.checked!)).toBeLessThanOrEqual(Date.now());
  });

  it.each(NEW_ENTRIES)('%s is written for a small phone: short sentences, the version hedge at most once', (id) => {
    const e = entry(id);
    const texts = [e.answer, ...(e.steps ?? []).flatMap((s) => [s.text, ...s.problems.flatMap((p) => p.answer ?? [])])];
    for (const t of texts) {
      expect(Math.max(...sentenceWordCounts(t))).toBeLessThanOrEqual(35);
      expect(t.split('tên mục có thể khác tùy phiên bản').length - 1).toBeLessThanOrEqual(1);
    }
    expect(e.phrasings.length).toBeGreaterThanOrEqual(12);
  });

  it.each(NEW_ENTRIES.filter((id) => id !== 'faq-children'))('%s names the card the agreed way on first mention', (id) => {
    // faq-children is exempt: the card there is a child's, and children under 14 never had a CCCD.
    const answer = entry(id).answer.toLowerCase();
    const first = answer.indexOf('thẻ căn cước');
    if (first >= 0) expect(answer.slice(first)).toMatch(/^thẻ căn cước \(hoặc thẻ cccd gắn chip còn hạn\)/);
  });

  it.each(SERVICES)('%s says where to go when the app does not work', (id) => {
    expect(entry(id).answer).toContain('{contact}');
  });

  it.each(WALKTHROUGHS)('%s is a walkthrough where every step but the final confirmation lists its known problems', (id) => {
    const steps = entry(id).steps ?? [];
    expect(steps.length).toBeGreaterThanOrEqual(4);
    for (const [i, s] of steps.entries()) {
      if (s.plain) expect(i).toBe(steps.length - 1);
      else expect(s.problems.length, `step ${i + 1}`).toBeGreaterThan(0);
    }
    expect(steps.at(-1)!.plain).toBe(true);
    for (const p of steps.flatMap((s) => s.problems)) if (p.faq) expect(base.byId.has(p.faq)).toBe(true);
  });

  it('the main menu has a "Dịch vụ trên VNeID" item with the 5 services (and only services), and "Hỏi đáp" lists the 6 new questions', () => {
    const menu = loadScript().menu;
    const svc = menu.find((m) => m.key === 'svc');
    expect(svc?.label).toBe('Dịch vụ trên VNeID');
    expect(svc?.ids).toEqual(expect.arrayContaining(SERVICES));
    for (const id of svc?.ids ?? []) expect(entry(id).kind).toBe('service');
    const faq = menu.find((m) => m.key === 'faq');
    for (const id of NEW_FAQS) expect(faq?.ids).toContain(id);
  });
});

describe('the service walkthroughs in the dialog engine', () => {
  let tmp: ReturnType<typeof tempDir>;
  let storage: SqliteStorage;
  let engine: DialogEngine;
  let now = Date.UTC(2026, 11, 1, 8);
  beforeEach(() => {
    tmp = tempDir();
    storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
    engine = makeEngine(storage);
  });
  afterEach(async () => {
    await storage.close();
    tmp.cleanup();
  });
  const tap = (payload: string) => engine.handle({ channel: 'test', userKey: 'contract-user', payload, now: (now += 1000) });
  const last = (replies: Reply[]) => replies[replies.length - 1]!;
  const button = (r: Reply, label: string) => (r.buttons ?? []).find((b) => b.label === label);
  const { buttons } = loadScript();

  it.each(WALKTHROUGHS)('%s: every branch walks to the end, and "Tôi bị lỗi" on each step answers its first problem', async (id) => {
    const e = entry(id);
    const branches = e.steps!.flatMap((s) => s.choices?.flatMap((c) => (c.branch ? [c] : [])) ?? []);
    for (const branch of branches.length > 0 ? branches : [undefined]) {
      let reply = last(await tap(`${PAYLOAD_PREFIX}w:${id}`));
      let stuckAnswered = 0;
      for (let guard = 0; guard < 20 && !reply.text.startsWith('Chúc mừng'); guard++) {
        const choice = branch && button(reply, branch.label);
        if (choice) {
          reply = last(await tap(choice.payload));
          continue;
        }
        const stuck = button(reply, buttons.stuck);
        const step = e.steps!.find((s) => reply.text.endsWith(s.text));
        expect(step, reply.text).toBeDefined();
        if (stuck && step!.problems.length > 0) {
          const options = last(await tap(stuck.payload));
          expect((options.buttons ?? []).map((b) => b.label)).toEqual(expect.arrayContaining(step!.problems.map((p) => p.label)));
          const first = step!.problems[0]!;
          // makeEngine's commune contact fills {contact}.
          const expected = (first.answer ?? entry(first.faq!).answer).replaceAll('{contact}', 'Công an xã Thử Nghiệm, 0200 000 000');
          const answer = last(await tap(`${PAYLOAD_PREFIX}p:0`));
          expect(answer.text).toContain(expected.slice(0, 20));
          stuckAnswered++;
          reply = last(await tap(button(answer, buttons.resume)!.payload));
        }
        reply = last(await tap(button(reply, buttons.next)!.payload));
      }
      expect(reply.text.startsWith('Chúc mừng')).toBe(true);
      expect(stuckAnswered).toBeGreaterThanOrEqual(3);
    }
  });
});
