import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FloodGuard } from '../../../src/core/dialog/flood.js';
import { PAYLOAD_PREFIX, type Reply } from '../../../src/core/dialog/reply.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import type { DialogEvent } from '../../../src/core/stats/events.js';
import { makeEngine, sharedKnowledge, tempDir } from '../../helpers/engine.js';

describe('FloodGuard', () => {
  it('typed messages: one notice past the limit, then silence while the burst goes on', () => {
    const g = new FloodGuard({ max: 3, windowMs: 10_000 });
    const verdicts = [0, 500, 1000, 1500, 2000, 2500].map((t) => g.check('u', t));
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'notify', 'drop', 'drop']);
    expect(g.check('other', 2600)).toBe('ok');
  });

  it('the first message after the pause the notice asks for is answered, even inside the window', () => {
    const g = new FloodGuard({ max: 3, windowMs: 10_000, pauseMs: 3000 });
    for (const t of [0, 200, 400]) expect(g.check('u', t)).toBe('ok');
    expect(g.check('u', 600)).toBe('notify');
    expect(g.check('u', 2000)).toBe('drop'); // still flooding: less than 3 s since the last one
    expect(g.check('u', 5000)).toBe('ok'); // waited 3 s
  });

  it('taps are counted apart and loosely: a tap a second never trips it, nor blocks typing', () => {
    const g = new FloodGuard({ max: 8, windowMs: 10_000 });
    for (let i = 0; i < 30; i++) expect(g.check('u', i * 500, 'tap')).toBe('ok');
    expect(g.check('u', 15_000, 'typed')).toBe('ok');
  });

  it('a machine hammering buttons is still stopped', () => {
    const g = new FloodGuard({ max: 2, windowMs: 10_000, tapMax: 5 });
    const verdicts = Array.from({ length: 7 }, (_, i) => g.check('u', i * 10, 'tap'));
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'notify', 'drop']);
  });
});

describe('flood control in the engine', () => {
  let tmp: ReturnType<typeof tempDir>;
  let storage: SqliteStorage;
  let events: DialogEvent[];
  beforeEach(() => {
    tmp = tempDir();
    storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
    events = [];
  });
  afterEach(async () => {
    await storage.close();
    tmp.cleanup();
  });

  it('14 quick taps (one every 0.5 s) through a walkthrough: every step shown, no notice, the completion recorded', async () => {
    const engine = makeEngine(storage, { sink: { record: async (e) => void events.push(e) }, flood: { max: 8, windowMs: 10_000 } });
    const { knowledge } = sharedKnowledge();
    let now = Date.UTC(2026, 0, 1, 8);
    const tap = (payload: string) => engine.handle({ channel: 'test', userKey: 'tapper', payload: PAYLOAD_PREFIX + payload, now: (now += 500) });
    const guide = knowledge.content.byId.get('guide-activate')!;
    const all: Reply[][] = [await tap('w:guide-activate')];
    for (let i = 0; i < 13 && !all.at(-1)!.at(-1)!.text.startsWith('Chúc mừng'); i++) all.push(await tap('next'));
    expect(all.flat().some((r) => r.text.includes('nhanh quá'))).toBe(false);
    for (const replies of all) expect(replies.length).toBeGreaterThan(0);
    expect(all.at(-1)!.at(-1)!.text).toContain('Chúc mừng');
    expect(events.filter((e) => e.type === 'walk-complete')).toEqual([{ type: 'walk-complete', guideId: guide.id }]);
    // Typing right after tapping through is not a flood either.
    const typed = await engine.handle({ channel: 'test', userKey: 'tapper', text: 'tich hop bhyt sao', now: (now += 500) });
    expect(typed.at(-1)!.text).toBe(knowledge.content.byId.get('integrate-bhyt')!.answer);
  });

  it('after a real flood and a pause, the next question is answered', async () => {
    const engine = makeEngine(storage, { flood: { max: 8, windowMs: 10_000 } });
    let now = Date.UTC(2026, 0, 1, 8);
    const say = (text: string, step = 100) => engine.handle({ channel: 'test', userKey: 'flooder', text, now: (now += step) });
    for (let i = 0; i < 8; i++) expect((await say('vneid la gi')).length).toBeGreaterThan(0);
    expect((await say('vneid la gi'))[0]!.text).toContain('nhanh quá');
    expect(await say('vneid la gi')).toEqual([]);
    const after = await say('tich hop bhyt sao', 4000);
    expect(after.at(-1)!.text).toContain('BHYT');
  });
});
