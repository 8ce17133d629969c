/**
 * Volunteer teams' codes in the engine: from a Telegram deep link, or typed as a message (Zalo
 * OA links cannot carry one). A typed word is a code only when a team has it.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DialogEngine } from '../../../src/core/dialog/engine.js';
import { CachedReferralDirectory } from '../../../src/core/referral.js';
import type { DialogEvent } from '../../../src/core/stats/events.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { sharedKnowledge, tempDir } from '../../helpers/engine.js';

let storage: SqliteStorage;
let cleanup: () => void;
let engine: DialogEngine;
let events: DialogEvent[];
const { knowledge, script } = sharedKnowledge();

beforeEach(async () => {
  const tmp = tempDir('vneid-engine-ref-');
  cleanup = tmp.cleanup;
  storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
  await storage.createTeam({ code: 'DOANTN01', name: 'Đoàn thanh niên thôn 3', commune: null, createdAt: 1 });
  events = [];
  engine = new DialogEngine({
    knowledge,
    script,
    storage,
    sink: { record: async (e) => void events.push(e) },
    communeName: 'Xã Thử Nghiệm',
    communeContact: 'Công an xã Thử Nghiệm, 0200 000 000',
    expiryMs: 24 * 3600_000,
    referrals: new CachedReferralDirectory(storage),
  });
});
afterEach(async () => {
  await storage.close();
  cleanup();
});

const say = (userKey: string, text: string) => engine.handle({ channel: 'zalo-oa', userKey, text });
const state = async (userKey: string) => (await storage.getConversation<{ referral?: string }>(userKey))?.state;

describe('referral codes in the engine', () => {
  it('a known code typed as the first message starts the conversation with it, and greets', async () => {
    const replies = await say('ps.user-1', 'mã doantn01');
    expect(events).toEqual([{ type: 'conversation-start', referral: 'DOANTN01' }]);
    expect(replies[0]!.text).toContain('trợ lý VNeID');
    expect((await state('ps.user-1'))?.referral).toBe('DOANTN01');
  });

  it('after a Zalo follow the typed code is a referral of the conversation under way, counted once', async () => {
    await engine.handle({ channel: 'zalo-oa', userKey: 'ps.user-2', start: true });
    await say('ps.user-2', 'DOANTN01');
    await say('ps.user-2', 'DOANTN01');
    expect(events).toEqual([{ type: 'conversation-start' }, { type: 'referral', referral: 'DOANTN01' }]);
  });

  it('an unknown word is a question, not a code', async () => {
    await say('ps.user-3', 'VNEID');
    expect(events[0]).toEqual({ type: 'conversation-start' });
    expect(events.some((e) => e.type === 'referral' || ('referral' in e && e.referral))).toBe(false);
    expect(events.some((e) => e.type === 'question')).toBe(true);
  });

  it('a deep link takes the stored form of a known code; an unknown well-formed code is kept as sent', async () => {
    await engine.handle({ channel: 'telegram', userKey: 'ps.user-4', text: '/start ref_doantn01' });
    await engine.handle({ channel: 'telegram', userKey: 'ps.user-5', text: '/start ref_Other-Team' });
    expect(events).toEqual([
      { type: 'conversation-start', referral: 'DOANTN01' },
      { type: 'conversation-start', referral: 'Other-Team' },
    ]);
  });
});
