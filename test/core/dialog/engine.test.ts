import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import type { DialogEngine, Turn } from '../../../src/core/dialog/engine.js';
import type { Reply } from '../../../src/core/dialog/reply.js';
import { MAX_BUTTONS, PAYLOAD_PREFIX } from '../../../src/core/dialog/reply.js';
import type { DialogEvent } from '../../../src/core/stats/events.js';
import { pathOf } from '../../../src/core/dialog/walkthrough.js';
import { makeEngine, sharedKnowledge, tempDir } from '../../helpers/engine.js';

const { knowledge } = sharedKnowledge();
const guides = knowledge.content.entries.filter((e) => e.kind === 'guide');

let tmp: ReturnType<typeof tempDir>;
let storage: SqliteStorage;
let engine: DialogEngine;
let events: DialogEvent[];
let now: number;
const user = 'user-key-1';

beforeEach(() => {
  tmp = tempDir();
  storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
  events = [];
  engine = makeEngine(storage, { sink: { record: async (e) => void events.push(e) } });
  now = Date.UTC(2026, 0, 1, 8);
});
afterEach(async () => {
  await storage.close();
  tmp.cleanup();
});

const say = (text: string, extra: Partial<Turn> = {}) => engine.handle({ channel: 'test', userKey: user, text, now: (now += 1000), ...extra });
const tap = (payload: string) => engine.handle({ channel: 'test', userKey: user, payload, now: (now += 1000) });
const last = (replies: Reply[]) => replies[replies.length - 1]!;
const labels = (r: Reply) => (r.buttons ?? []).map((b) => b.label);
const payloadOf = (replies: Reply[], label: string) => {
  for (const r of replies) for (const b of r.buttons ?? []) if (b.label === label) return b.payload;
  throw new Error(`no button "${label}" in ${JSON.stringify(replies.map(labels))}`);
};

function expectWellFormed(replies: Reply[]) {
  expect(replies.length).toBeGreaterThan(0);
  for (const r of replies) {
    expect(r.text.length).toBeGreaterThan(0);
    expect((r.buttons ?? []).length).toBeLessThanOrEqual(MAX_BUTTONS);
    for (const b of r.buttons ?? []) {
      expect(b.label.length).toBeLessThanOrEqual(20);
      expect(b.payload.startsWith(PAYLOAD_PREFIX)).toBe(true);
      expect(Buffer.byteLength(b.payload)).toBeLessThanOrEqual(64);
    }
  }
}

describe('greeting and menu', () => {
  it('/start greets in a few lines and shows the seven menu items', async () => {
    const replies = await say('/start');
    expectWellFormed(replies);
    expect(replies[0]!.text).toContain('trợ lý VNeID');
    expect(replies[0]!.text.split('\n').length).toBeLessThanOrEqual(4);
    const menu = replies.flatMap(labels);
    expect(menu).toEqual(['Tiện ích mức 1', 'Tiện ích mức 2', 'Kích hoạt tài khoản', 'Tích hợp giấy tờ', 'Dịch vụ trên VNeID', 'Hỏi đáp', 'Liên hệ hỗ trợ']);
  });

  it('"Tiện ích mức 1" lists all 9 level-1 utilities; "mức 2" the 7 more', async () => {
    await say('/start');
    const l1 = await tap(payloadOf(await say('/start'), 'Tiện ích mức 1'));
    for (const e of knowledge.content.entries.filter((x) => x.kind === 'utility-l1')) expect(l1[0]!.text).toContain(e.title);
    expect(l1[0]!.text).toMatch(/9 tiện ích/);
    const l2 = await tap(`${PAYLOAD_PREFIX}m:l2`);
    expect(l2[0]!.text).toMatch(/9 tiện ích của mức 1 và 7 tiện ích dưới đây/);
    for (const e of knowledge.content.entries.filter((x) => x.kind === 'utility-l2')) expect(l2[0]!.text).toContain(e.title);
    expectWellFormed(l2);
  });

  it('menu pages through items with "Xem thêm" and every item opens', async () => {
    let page = await tap(`${PAYLOAD_PREFIX}m:faq`);
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      expectWellFormed(page);
      for (const b of page[0]!.buttons!) if (b.label !== 'Xem thêm' && b.label !== 'Về menu') seen.add(b.payload);
      const more = page[0]!.buttons!.find((b) => b.label === 'Xem thêm');
      if (!more) break;
      page = await tap(more.payload);
    }
    expect(seen.size).toBe(knowledge.content.entries.filter((e) => e.kind === 'faq').length);
  });

  it('answers can name the commune contact ({contact} in content)', async () => {
    const replies = await say('so dien thoai cong an xa de hoi');
    expect(last(replies).text).toContain('Công an xã Thử Nghiệm, 0200 000 000');
    expect(last(replies).text).not.toContain('{contact}');
  });

  it('contact shows the commune contact', async () => {
    const replies = await tap(`${PAYLOAD_PREFIX}m:contact`);
    expect(replies[0]!.text).toContain('Công an xã Thử Nghiệm');
  });
});

describe('answers', () => {
  it('a question without diacritics gets the answer, related buttons and the guide offer', async () => {
    await say('/start');
    const replies = await say('tich hop bhyt sao');
    expectWellFormed(replies);
    expect(last(replies).text).toBe(knowledge.content.byId.get('integrate-bhyt')!.answer);
    expect(labels(last(replies))).toContain('Hướng dẫn từng bước');
    expect(events.find((e) => e.type === 'question')).toMatchObject({ matchedId: 'integrate-bhyt', outcome: 'answered' });
  });

  it('first contact with a question: a short greeting, then the answer', async () => {
    const replies = await say('quen mat khau vneid');
    expect(replies[0]!.text).toContain('Xin chào');
    expect(last(replies).text).toBe(knowledge.content.byId.get('faq-forgot-password')!.answer);
  });

  // Out of scope, or about another service (giá vàng is one): says which, kindly, and never guesses.
  it.each([
    ['công thức nấu phở', 'chưa có câu trả lời'],
    ['giá vàng hôm nay bao nhiêu', 'không phải về VNeID'],
  ])('out of scope: %s → "%s", menu and contact', async (question, says) => {
    await say('/start');
    const replies = await say(question);
    expect(last(replies).text).toContain(says);
    expect(labels(last(replies))).toEqual(['Về menu', 'Liên hệ hỗ trợ']);
    expect(events.find((e) => e.type === 'question')).toMatchObject({ matchedId: null });
  });

  it('a 12-digit ID number gets a warning and is not echoed or recorded', async () => {
    await say('/start');
    const replies = await say('số cccd của tôi là 001099012345 sao không kích hoạt được');
    expect(replies[0]!.text).toContain('Đừng bao giờ gửi');
    expect(JSON.stringify(replies)).not.toContain('001099012345');
    expect(JSON.stringify(events)).not.toContain('001099012345');
    expect(events.some((e) => e.type === 'sensitive-data')).toBe(true);
    expect(replies[0]!.text).not.toContain('hãy đổi ngay');
  });

  it('a password typed in the chat: the warning also says to change it, and the password is never echoed', async () => {
    await say('/start');
    const replies = await say('mat khau cua toi la Abc@12345 ma dang nhap khong duoc');
    expect(replies[0]!.text).toContain('Đừng bao giờ gửi');
    expect(replies[0]!.text).toContain('hãy đổi ngay trên VNeID ("Cá nhân" → "Đổi mật khẩu")');
    expect(JSON.stringify(replies)).not.toContain('Abc@12345');
    expect(JSON.stringify(events)).not.toContain('Abc@12345');
  });

  it('odd input never throws', async () => {
    for (const text of ['', '🙏🙏', '\uFFFD\uFFFD', 'a'.repeat(5000), '123456', '#vg:', '#vg:w:khong-co', '#vg:m:zzz', '#vg:c:99', '#vg:p:x']) {
      const replies = await say(text);
      expectWellFormed(replies);
    }
  });
});

describe('walkthroughs', () => {
  it.each(guides.map((g) => g.id))('%s can be walked first → last (every branch) and back', async (id) => {
    const guide = knowledge.content.byId.get(id)!;
    const branches = [...new Set(guide.steps!.flatMap((s) => s.choices?.flatMap((c) => (c.branch ? [c.branch] : [])) ?? []))];
    for (const branch of branches.length > 0 ? branches : [undefined]) {
      let replies = await tap(`${PAYLOAD_PREFIX}w:${id}`);
      const total = pathOf(guide, branch).length;
      let stepsSeen = 1;
      let branchChosen = !branch;
      expect(replies[0]!.text).toContain(`Bước 1/`);
      for (let guard = 0; guard < 20; guard++) {
        expectWellFormed(replies);
        const r = last(replies);
        if (r.text.startsWith('Chúc mừng')) break;
        const choice = branch && guide.steps!.flatMap((s) => s.choices ?? []).find((c) => c.branch === branch);
        const branchButton = choice && r.buttons!.find((b) => b.label === choice.label);
        replies = await tap(branchButton ? branchButton.payload : payloadOf(replies, 'Xong, tiếp theo'));
        if (branchButton) branchChosen = true;
        if (!last(replies).text.startsWith('Chúc mừng')) {
          stepsSeen++;
          // Before the branch is chosen the total is an estimate; after it, exact.
          expect(last(replies).text).toContain(branchChosen ? `Bước ${stepsSeen}/${total}` : `Bước ${stepsSeen}/`);
          // one step back and forward again
          const back = await tap(payloadOf(replies, 'Quay lại'));
          expect(last(back).text).toContain(`Bước ${stepsSeen - 1}/`);
          const forward = branchButton && last(back).buttons!.some((b) => b.payload === branchButton.payload);
          replies = await tap(forward ? branchButton.payload : payloadOf(back, 'Xong, tiếp theo'));
          expect(last(replies).text).toContain(`Bước ${stepsSeen}/`);
        }
      }
      expect(last(replies).text).toContain('Chúc mừng');
      expect(stepsSeen).toBe(total);
    }
    expect(events.filter((e) => e.type === 'walk-complete').length).toBeGreaterThanOrEqual(1);
  });

  it('install branches: Android → CH Play, iPhone → App Store', async () => {
    const first = await tap(`${PAYLOAD_PREFIX}w:guide-install`);
    const android = await tap(payloadOf(first, 'Android'));
    expect(last(android).text).toContain('CH Play');
    const again = await tap(`${PAYLOAD_PREFIX}w:guide-install`);
    const ios = await tap(payloadOf(again, 'iPhone (iOS)'));
    expect(last(ios).text).toContain('App Store');
  });

  it('level-1 branches: NFC and QR', async () => {
    let replies = await tap(`${PAYLOAD_PREFIX}w:guide-level1`);
    for (let i = 0; i < 6 && !last(replies).buttons!.some((b) => b.label === 'Có NFC'); i++) replies = await tap(payloadOf(replies, 'Xong, tiếp theo'));
    const nfc = await tap(payloadOf(replies, 'Có NFC'));
    expect(last(nfc).text).toMatch(/NFC/);
    const qr = await tap(payloadOf(await tap(payloadOf(nfc, 'Quay lại')), 'Không có NFC'));
    expect(last(qr).text).toMatch(/QR/);
  });

  it('activation "Gửi yêu cầu" outcomes open the FAQ and come back', async () => {
    let replies = await tap(`${PAYLOAD_PREFIX}w:guide-activate`);
    const activate = knowledge.content.byId.get('guide-activate')!;
    const outcomeStep = activate.steps!.find((s) => s.choices?.some((c) => c.faq))!;
    for (let i = 0; i < 6 && !last(replies).text.includes(outcomeStep.text); i++) replies = await tap(payloadOf(replies, 'Xong, tiếp theo'));
    const atStep = last(replies).text;
    for (const choice of outcomeStep.choices!) {
      const faq = await tap(payloadOf(replies, choice.label));
      expect(last(faq).text).toBe(knowledge.content.byId.get(choice.faq!)!.answer);
      const back = await tap(payloadOf(faq, 'Tiếp tục hướng dẫn'));
      expect(last(back).text).toBe(atStep);
    }
  });

  it('"Tôi bị lỗi" lists this step\'s problems; none fits → contact', async () => {
    const guide = knowledge.content.byId.get('integrate-bhyt')!;
    let replies = await tap(`${PAYLOAD_PREFIX}w:integrate-bhyt`);
    const stuck = await tap(payloadOf(replies, 'Tôi bị lỗi'));
    expect(labels(stuck[0]!)).toEqual([...guide.steps![0]!.problems.map((p) => p.label), 'Lỗi khác']);
    const other = await tap(payloadOf(stuck, 'Lỗi khác'));
    expect(other[0]!.text).toContain('Công an xã Thử Nghiệm');
    expect(events.some((e) => e.type === 'walk-stuck' && e.step === 1)).toBe(true);
    replies = await tap(payloadOf(other, 'Tiếp tục hướng dẫn'));
    expect(last(replies).text).toContain('Bước 1/');
  });

  it('free text mid-walkthrough: a problem of this step is answered and the walk stays', async () => {
    await tap(`${PAYLOAD_PREFIX}w:guide-activate`);
    const activate = knowledge.content.byId.get('guide-activate')!;
    const otpIndex = activate.steps!.findIndex((s) => s.problems.some((p) => p.faq === 'faq-otp'));
    let replies: Reply[] = [];
    for (let i = 0; i < otpIndex; i++) replies = await tap(`${PAYLOAD_PREFIX}next`);
    const help = await say('ko nhan duoc ma otp');
    expect(last(help).text).toBe(knowledge.content.byId.get('faq-otp')!.answer);
    const resumed = await tap(payloadOf(help, 'Tiếp tục hướng dẫn'));
    expect(last(resumed).text).toBe(last(replies).text);
  });

  it('free text mid-walkthrough on another topic: answered, then resume where they were', async () => {
    const started = await tap(`${PAYLOAD_PREFIX}w:integrate-gplx`);
    const step2 = await tap(payloadOf(started, 'Xong, tiếp theo'));
    const other = await say('vneid co mat phi khong');
    expect(last(other).text).toBe(knowledge.content.byId.get('faq-cost')!.answer);
    expect(labels(last(other))[0]).toBe('Tiếp tục hướng dẫn');
    const resumed = await tap(payloadOf(other, 'Tiếp tục hướng dẫn'));
    expect(last(resumed).text).toBe(last(step2).text);
  });

  it('a button of a step shown earlier is not acted on: the current step is shown again (chats keep old buttons tappable)', async () => {
    const step1 = await tap(`${PAYLOAD_PREFIX}w:integrate-bhyt`);
    const oldNext = payloadOf(step1, 'Xong, tiếp theo');
    const oldStuck = payloadOf(step1, 'Tôi bị lỗi');
    const problems = await tap(oldStuck);
    const oldProblem = problems[0]!.buttons![0]!.payload;
    const step2 = await tap(oldNext);
    expect(last(step2).text).toContain('Bước 2/');
    for (const stale of [oldNext, oldStuck, oldProblem]) {
      const replies = await tap(stale);
      expect(replies[0]!.text, stale).toBe('Nút này thuộc một bước trước. Bạn đang ở bước này:');
      expect(last(replies).text, stale).toBe(last(step2).text);
    }
    // The current step's own buttons, and the words typed instead, still act.
    expect(last(await tap(payloadOf(step2, 'Xong, tiếp theo'))).text).toContain('Bước 3/');
    expect(last(await say('quay lại')).text).toBe(last(step2).text);
  });

  it('an emoji alone mid-walkthrough ("👍") shows the step again, with its buttons', async () => {
    const step1 = await tap(`${PAYLOAD_PREFIX}w:integrate-bhyt`);
    const replies = await say('👍');
    expect(last(replies).text).toBe(last(step1).text);
    expect(labels(last(replies))).toEqual(labels(last(step1)));
  });

  it('the "Về menu" button typed ("về menu", "quay lại menu chính", "menu") shows the menu, in a walkthrough too', async () => {
    await tap(`${PAYLOAD_PREFIX}w:integrate-bhyt`);
    const tapped = await tap(`${PAYLOAD_PREFIX}menu`);
    expect(tapped[0]!.text).toBe('Bạn cần hỗ trợ gì?');
    for (const typed of ['về menu', 've menu', 'quay lại menu chính', 'menu', 'Mở menu đi ad']) {
      expect((await say(typed)).map((r) => r.text), typed).toEqual(tapped.map((r) => r.text));
    }
    // A question that names the menu is still a question.
    expect((await say('menu tiện ích mức 2 có những gì'))[0]!.text).not.toBe('Bạn cần hỗ trợ gì?');
  });

  it('typed words work like the walkthrough buttons ("xong", "quay lại", "bị lỗi")', async () => {
    await tap(`${PAYLOAD_PREFIX}w:integrate-bhyt`);
    expect(last(await say('xong'))).toMatchObject({ text: expect.stringContaining('Bước 2/') });
    expect(last(await say('tiếp theo'))).toMatchObject({ text: expect.stringContaining('Bước 3/') });
    expect(last(await say('quay lại'))).toMatchObject({ text: expect.stringContaining('Bước 2/') });
    // The step's problems, or (a step without known problems) an invitation to type the app's message.
    expect((await say('bị lỗi'))[0]!.text).toMatch(/lỗi.* ở bước này|Ứng dụng báo gì/);
    expect(events.filter((e) => e.type === 'walk-stuck')).toEqual([{ type: 'walk-stuck', guideId: 'integrate-bhyt', step: 2 }]);
    // Outside a walkthrough the same word is just a question.
    await tap(`${PAYLOAD_PREFIX}menu`);
    const engine2Replies = await engine.handle({ channel: 'test', userKey: 'no-walk-user', text: 'xong', now: (now += 1000) });
    expect(JSON.stringify(engine2Replies)).not.toContain('Bước');
  });

  it('the last step congratulates and suggests the next guide (activation → BHYT / GPLX)', async () => {
    let replies = await tap(`${PAYLOAD_PREFIX}w:guide-activate`);
    for (let i = 0; i < 12 && !last(replies).text.startsWith('Chúc mừng'); i++) replies = await tap(`${PAYLOAD_PREFIX}next`);
    expect(last(replies).text).toContain('Chúc mừng');
    expect(last(replies).buttons!.map((b) => b.payload)).toEqual(
      expect.arrayContaining([`${PAYLOAD_PREFIX}w:integrate-bhyt`, `${PAYLOAD_PREFIX}w:integrate-gplx`]),
    );
  });

  it('survives a restart: a new engine on the same SQLite file continues at the same step', async () => {
    const first = await tap(`${PAYLOAD_PREFIX}w:integrate-dkx`);
    const step2 = await tap(payloadOf(first, 'Xong, tiếp theo'));
    await storage.close();
    storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
    engine = makeEngine(storage);
    const resumed = await tap(`${PAYLOAD_PREFIX}resume`);
    expect(last(resumed).text).toBe(last(step2).text);
    const step3 = await tap(`${PAYLOAD_PREFIX}next`);
    expect(last(step3).text).toContain('Bước 3/');
  });

  it('the idle sweep records abandoned walkthroughs at their step and forgets idle conversations', async () => {
    await tap(`${PAYLOAD_PREFIX}w:integrate-gplx`);
    await tap(`${PAYLOAD_PREFIX}next`);
    await engine.handle({ channel: 'test', userKey: 'other-user', text: 'vneid la gi', now: now + 1 });
    expect(await engine.sweepIdle(now + 3600_000)).toBe(0);
    expect(await engine.sweepIdle(now + 25 * 3600_000)).toBe(2);
    expect(events.filter((e) => e.type === 'walk-abandon')).toEqual([{ type: 'walk-abandon', guideId: 'integrate-gplx', step: 2 }]);
    expect(await storage.getConversation(user)).toBeUndefined();
  });

  it('a referral code must contain a letter (a bare number could be a phone)', async () => {
    await say('/start ref_0912345678');
    expect(JSON.stringify((await storage.getConversation(user))?.state)).not.toContain('0912345678');
    await say('/start ref_DOANTN01');
    expect((await storage.getConversation<{ referral?: string }>(user))?.state.referral).toBe('DOANTN01');
    expect(events.filter((e) => e.type === 'conversation-start').at(-1)).toEqual({ type: 'conversation-start', referral: 'DOANTN01' });
  });

  it('expires after the idle time with a friendly restart and records the abandonment', async () => {
    await tap(`${PAYLOAD_PREFIX}w:integrate-mst`);
    now += 25 * 3600_000;
    const replies = await tap(`${PAYLOAD_PREFIX}next`);
    expect(replies[0]!.text).toContain('bắt đầu lại');
    expect(events.some((e) => e.type === 'walk-abandon' && e.guideId === 'integrate-mst')).toBe(true);
    expect(JSON.stringify(replies)).not.toContain('Bước 2/');
  });
});
