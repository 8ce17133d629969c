/**
 * Several communes on one server (communes.yaml): bound turns use their commune's contact; a
 * shared channel asks the commune once, when it first needs the contact, understands the answer
 * and remembers it; office hours at a fixed clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import type { DialogEngine, DialogState, Turn } from '../../../src/core/dialog/engine.js';
import type { Reply } from '../../../src/core/dialog/reply.js';
import type { DialogEvent, EventContext } from '../../../src/core/stats/events.js';
import { loadCommunes } from '../../../src/core/communes/directory.js';
import { makeEngine, sharedKnowledge, tempDir } from '../../helpers/engine.js';

const COMMUNES_FIXTURE = new URL('../../fixtures/communes/', import.meta.url).pathname;
const communes = loadCommunes(COMMUNES_FIXTURE);
const { script } = sharedKnowledge();
/** Vietnam time (UTC+7) on a day of December 2026 (1 December 2026 is a Tuesday). */
const vn = (day: number, hour: number, minute = 0) => Date.UTC(2026, 11, day, hour - 7, minute);

let tmp: ReturnType<typeof tempDir>;
let storage: SqliteStorage;
let engine: DialogEngine;
let recorded: Array<{ event: DialogEvent; context: EventContext }>;
let now: number;

beforeEach(() => {
  tmp = tempDir();
  storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
  recorded = [];
  engine = makeEngine(storage, { communes, sink: { record: async (event, context) => void recorded.push({ event, context }) } });
  now = vn(1, 9); // Tuesday 9:00, both offices open
});
afterEach(async () => {
  await storage.close();
  tmp.cleanup();
});

const turn = (user: string, t: Omit<Turn, 'channel' | 'userKey'>) => engine.handle({ channel: 'web', userKey: user, now: (now += 1000), ...t });
const all = (replies: Reply[]) => replies.map((r) => r.text).join('\n');
const payloads = (replies: Reply[]) => replies.flatMap((r) => (r.buttons ?? []).map((b) => b.payload));
const stateOf = async (user: string) => (await storage.getConversation<DialogState>(user))?.state;

describe('bound chats answer with their own commune', () => {
  it('each bound chat gives its own police phone number, for the contact button and a typed question', async () => {
    const a = await turn('ps.a', { payload: 'm:contact', commune: 'loc-hoa' });
    const b = await turn('ps.b', { payload: 'm:contact', commune: 'nam-dinh' });
    expect(all(a)).toContain('0228 111 2222');
    expect(all(a)).not.toContain('0228 333 4444');
    expect(all(b)).toContain('0228 333 4444');
    expect(all(b)).not.toContain('0228 111 2222');

    const typed = await turn('ps.c', { text: 'số điện thoại công an xã', commune: 'nam-dinh' });
    expect(all(typed)).toContain('Công an phường Nam Định');
    expect(all(typed)).toContain('0228 333 4444');
    // The greeting of a first message names the commune's police.
    expect(typed[0]!.text).toContain('trợ lý VNeID của Công an phường Nam Định');
  });

  it('a bound chat never asks the commune and its statistics carry the commune id', async () => {
    const replies = await turn('ps.d', { text: 'cài vneid thế nào', commune: 'loc-hoa' });
    expect(all(replies)).not.toContain('Bạn ở xã/phường nào?');
    expect(all(replies)).toContain('0228 111 2222');
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.every((r) => r.context.commune === 'loc-hoa')).toBe(true);
  });
});

describe('a shared chat asks the commune once, when it first needs it', () => {
  it('answers what needs no contact without asking', async () => {
    const replies = await turn('ps.e', { text: 'tích hợp bảo hiểm y tế thế nào' });
    expect(all(replies)).not.toContain('Bạn ở xã/phường nào?');
  });

  it('asks first, understands "xa loc hoa", answers the held question with its contact, and remembers it', async () => {
    const asked = await turn('ps.f', { text: 'số điện thoại công an xã' });
    expect(all(asked)).toContain('Bạn ở xã/phường nào?');
    expect(all(asked)).not.toMatch(/0228/);
    expect(payloads(asked)).toEqual(expect.arrayContaining(['#vg:x:loc-hoa', '#vg:x:nam-dinh', '#vg:x:-']));
    // The held question is not counted until it is answered.
    expect(recorded.filter((r) => r.event.type === 'question')).toHaveLength(0);

    const answered = await turn('ps.f', { text: 'xa loc hoa' });
    expect(answered[0]!.text).toContain('bạn ở xã Lộc Hòa');
    expect(all(answered)).toContain('0228 111 2222');
    expect((await stateOf('ps.f'))?.commune).toBe('loc-hoa');
    const question = recorded.find((r) => r.event.type === 'question');
    expect(question?.context.commune).toBe('loc-hoa');

    // Remembered: later contact answers use it without asking again.
    const later = await turn('ps.f', { payload: 'm:contact' });
    expect(all(later)).not.toContain('Bạn ở xã/phường nào?');
    expect(all(later)).toContain('0228 111 2222');
    // ...and the citizen can change it.
    expect(payloads(later)).toContain('#vg:x:?');
  });

  it('understands the answer by an old (pre-2025) name, inside a sentence', async () => {
    await turn('ps.g', { payload: 'm:contact' });
    const answered = await turn('ps.g', { text: 'em ở phường Vị Xuyên ạ' });
    expect(all(answered)).toContain('0228 333 4444');
    expect((await stateOf('ps.g'))?.commune).toBe('nam-dinh');
  });

  it('a commune button answers the question too', async () => {
    await turn('ps.h', { payload: 'm:contact' });
    const answered = await turn('ps.h', { payload: 'x:nam-dinh' });
    expect(all(answered)).toContain('0228 333 4444');
  });

  it('the citizen can change it by typing "doi xa"', async () => {
    await turn('ps.i', { payload: 'm:contact' });
    await turn('ps.i', { text: 'loc hoa' });
    const asked = await turn('ps.i', { text: 'doi xa' });
    expect(all(asked)).toContain('Bạn ở xã/phường nào?');
    const changed = await turn('ps.i', { text: 'Phường Nam Định' });
    expect(all(changed)).toContain('0228 333 4444');
    expect((await stateOf('ps.i'))?.commune).toBe('nam-dinh');
  });

  it('an unknown name is asked again once; then a question is answered with the general contact, and the bot stops asking', async () => {
    await turn('ps.j', { payload: 'm:contact' });
    const again = await turn('ps.j', { text: 'xã Yên Bình' });
    expect(all(again)).toContain('Mình chưa nhận ra xã/phường này');
    const gaveUp = await turn('ps.j', { text: 'cài vneid thế nào trên điện thoại' });
    expect(all(gaveUp)).toContain('CH Play');
    expect(all(gaveUp)).toContain('Công an xã Thử Nghiệm, 0200 000 000'); // the general contact (COMMUNE_CONTACT)
    expect((await stateOf('ps.j'))?.communeSkipped).toBe(true);
  });

  it('"Bỏ qua" gives the general contact and the bot does not ask again', async () => {
    await turn('ps.k', { payload: 'm:contact' });
    const skipped = await turn('ps.k', { payload: 'x:-' });
    expect(all(skipped)).toContain('Công an xã Thử Nghiệm, 0200 000 000');
    const later = await turn('ps.k', { text: 'số điện thoại công an xã' });
    expect(all(later)).not.toContain('Bạn ở xã/phường nào?');
  });

  it('an emergency is answered at once, never held back to ask', async () => {
    const replies = await turn('ps.l', { text: 'cứu với có trộm vào nhà' });
    expect(all(replies)).toContain('113');
    expect(all(replies)).not.toContain('Bạn ở xã/phường nào?');
  });
});

describe('office hours at a fixed clock', () => {
  it('outside office hours the contact says when the office opens', async () => {
    now = vn(4, 19); // Friday 19:00
    const locHoa = await turn('ps.m', { payload: 'm:contact', commune: 'loc-hoa' });
    expect(all(locHoa)).toContain('Lúc này trụ sở đang ngoài giờ làm việc, mở cửa lại lúc 7:30 sáng Thứ Hai, 07/12.');
    const namDinh = await turn('ps.n', { payload: 'm:contact', commune: 'nam-dinh' });
    expect(all(namDinh)).toContain('mở cửa lại lúc 7:00 sáng mai (Thứ Bảy, 05/12)');
  });

  it('at lunch it opens this afternoon; during office hours nothing is added', async () => {
    now = vn(2, 12); // Wednesday noon
    expect(all(await turn('ps.o', { payload: 'm:contact', commune: 'loc-hoa' }))).toContain('mở cửa lại lúc 13:30 chiều nay');
    now = vn(2, 14);
    expect(all(await turn('ps.o', { payload: 'm:contact', commune: 'loc-hoa' }))).not.toContain('ngoài giờ làm việc');
  });

  it('the note comes once per turn, even when several replies give the contact', async () => {
    now = vn(5, 20);
    const replies = await turn('ps.p', { text: 'số điện thoại công an xã', commune: 'loc-hoa' });
    expect(all(replies).split(script.messages.officeClosed.slice(0, 20)).length - 1).toBe(1);
  });
});

describe('single-commune servers are unchanged', () => {
  it('without communes.yaml the configured contact is used and nothing is asked', async () => {
    const single = makeEngine(storage);
    const replies = await single.handle({ channel: 'web', userKey: 'ps.q', payload: 'm:contact', now });
    expect(all(replies)).toContain('Công an xã Thử Nghiệm, 0200 000 000');
    expect(all(replies)).not.toContain('Bạn ở xã/phường nào?');
    expect(payloads(replies)).not.toContain('#vg:x:?');
  });
});
