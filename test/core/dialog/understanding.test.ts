/**
 * How the engine understands a typed message, through the real engine, a real SQLite file and
 * the real statistics store: emergencies first, small talk, personal data removed while the
 * question is kept, walkthrough context, "Lỗi khác" never a dead end.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SqliteStatsStore } from '../../../src/storage/sqlite-stats.js';
import { StatsSink } from '../../../src/core/stats/sink.js';
import type { DialogEngine } from '../../../src/core/dialog/engine.js';
import { PAYLOAD_PREFIX, type Reply } from '../../../src/core/dialog/reply.js';
import type { DialogEvent } from '../../../src/core/stats/events.js';
import { interpret } from '../../../src/core/understand/interpret.js';
import { makeEngine, sharedKnowledge, tempDir } from '../../helpers/engine.js';

const { knowledge } = sharedKnowledge();
const CONTACT = 'Công an xã Thử Nghiệm, 0200 000 000';

let tmp: ReturnType<typeof tempDir>;
let storage: SqliteStorage;
let stats: SqliteStatsStore;
let engine: DialogEngine;
let events: DialogEvent[];
let now: number;
let user: string;
let n = 0;

beforeEach(() => {
  tmp = tempDir();
  storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
  stats = new SqliteStatsStore(storage.db);
  const sink = new StatsSink({ store: stats });
  events = [];
  engine = makeEngine(storage, { sink: { record: async (e, c) => (events.push(e), sink.record(e, c)) } });
  now = Date.UTC(2026, 0, 1, 8);
  user = `user-${++n}`;
});
afterEach(async () => {
  await storage.close();
  tmp.cleanup();
});

const say = (text: string) => engine.handle({ channel: 'test', userKey: user, text, now: (now += 5000) });
const tap = (payload: string) => engine.handle({ channel: 'test', userKey: user, payload: PAYLOAD_PREFIX + payload, now: (now += 5000) });
const last = (replies: Reply[]) => replies[replies.length - 1]!;
const payloads = (replies: Reply[]) => replies.flatMap((r) => (r.buttons ?? []).map((b) => b.payload.slice(PAYLOAD_PREFIX.length)));
const allText = (replies: Reply[]) => replies.map((r) => r.text).join('\n');
const range = { from: 0, to: Number.MAX_SAFE_INTEGER };

/** Taps "next" until the step text is shown. */
async function walkTo(guideId: string, stepIndex: number): Promise<Reply[]> {
  let replies = await tap(`w:${guideId}`);
  const steps = knowledge.content.byId.get(guideId)!.steps!;
  for (let i = 0; i < 20 && !last(replies).text.includes(steps[stepIndex]!.text); i++) replies = await tap('next');
  expect(last(replies).text).toContain(steps[stepIndex]!.text);
  return replies;
}

describe('emergencies come first', () => {
  it.each([
    ['nhà đang có trộm', ['113']],
    ['nha dang co trom', ['113']],
    ['cháy nhà cứu với', ['114']],
    ['chay nha cuu voiii', ['114']],
    ['có người bị tai nạn', ['115']],
    ['co nguoi bi tai nan', ['115']],
    ['vừa bị lừa chuyển khoản', ['113']],
    ['cứu với', ['113', '114', '115']],
  ])('%s → %j and the commune contact, before anything else; counted without its text', async (text, numbers) => {
    const replies = await say(text);
    // First contact: the numbers come even before the greeting.
    const first = replies[0]!;
    for (const num of ['113', '114', '115']) expect(first.text.includes(`${num}:`)).toBe(numbers.includes(num));
    expect(first.text).toContain(CONTACT);
    expect(allText(replies)).not.toContain('Ý bạn là');
    expect(events.some((e) => e.type === 'question')).toBe(false);
    expect(events.filter((e) => e.type === 'emergency')).toHaveLength(1);
    const overview = await stats.overview(range);
    expect(overview.emergencies).toBe(1);
    expect(overview.questions).toBe(0);
    // Only the kind is stored.
    const rows = storage.db.prepare("SELECT * FROM stats_events WHERE type = 'emergency'").all();
    expect(JSON.stringify(rows)).not.toMatch(/trộm|trom|cháy|chay|tai n|lừa|lua|cứu|cuu/);
  });

  it.each(['hôm qua bị lừa mất tiền', 'có người gọi xưng công an bắt tôi chuyển tiền vào tài khoản tạm giữ'])(
    'a scam (%s): the numbers, what to do about the money, then the scam warning itself',
    async (text) => {
      const replies = await say(text);
      expect(replies[0]!.text).toContain('113:');
      expect(replies[1]!.text).toContain('ngân hàng');
      expect(replies[2]!.text).toContain('Công an không bao giờ');
      expect(replies).toHaveLength(3);
      expect(payloads(replies)).toContain('menu');
      expect(events.filter((e) => e.type === 'emergency')).toHaveLength(1);
      expect(events.some((e) => e.type === 'question')).toBe(false);
    },
  );

  it('an emergency that also asks a question we answer: the numbers first, then the answer (no scam advice)', async () => {
    const replies = await say('điện thoại bị trộm rồi, làm sao khóa tài khoản vneid');
    expect(replies[0]!.text).toContain('113:');
    expect(allText(replies)).not.toContain('đề nghị tạm khóa giao dịch');
    expect(allText(replies)).toContain(knowledge.content.byId.get('faq-lock-account')!.answer.split('\n')[0]!.slice(0, 40));
    expect(events.filter((e) => e.type === 'emergency')).toHaveLength(1);
  });

  // Folded, "học" is "hóc" (choking), "bóng" is "bỏng" (burn), "xíu" is "xỉu" (faint), "chạy" is "cháy".
  it.each(['sinh trắc học ngân hàng', 'bong da toi nay', 'đợi xíu', 'app chạy chậm', 'cách phòng cháy chữa cháy'])('%s: everyday words, not an emergency', async (text) => {
    const replies = await say(text);
    expect(allText(replies)).not.toContain('113:');
    expect(events.some((e) => e.type === 'emergency')).toBe(false);
  });

  it.each(['cảnh báo lừa đảo', 'làm sao tránh bị lừa', 'tài khoản bị khóa'])('%s is a question, not an emergency', async (text) => {
    const replies = await say(text);
    expect(allText(replies)).not.toContain('113:');
    expect(events.some((e) => e.type === 'emergency')).toBe(false);
    expect(events.some((e) => e.type === 'question')).toBe(true);
  });

  it('during a walkthrough too, with a way back to it', async () => {
    await walkTo('integrate-bhyt', 0);
    const replies = await say('có người đang đánh nhau ngoài ngõ');
    expect(replies[0]!.text).toContain('113:');
    expect(payloads(replies)).toContain('resume');
  });
});

describe('small talk', () => {
  it.each(['cảm ơn', 'cam on chau nhe', 'ok cháu', 'dạ vâng', 'tạm biệt', 'bạn là ai'])('%s: a short friendly reply, not an unanswered question', async (text) => {
    await say('/start');
    const replies = await say(text);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).not.toMatch(/chưa có câu trả lời|Ý bạn là/);
    expect(events.some((e) => e.type === 'question')).toBe(false);
    const overview = await stats.overview(range);
    expect(overview.smallTalk).toBe(1);
    expect(overview.unanswered).toBe(0);
  });

  it('"bot ơi" and "hi" greet', async () => {
    await say('/start');
    expect((await say('bot ơi'))[0]!.text).toContain('Xin chào');
    expect((await say('hi'))[0]!.text).toContain('Xin chào');
  });

  it('"cảm ơn, cho hỏi kích hoạt vneid thế nào" is a question', async () => {
    await say('/start');
    await say('cảm ơn, cho hỏi kích hoạt vneid thế nào');
    expect(events.some((e) => e.type === 'smalltalk')).toBe(false);
    expect(events.filter((e) => e.type === 'question')).toHaveLength(1);
  });
});

describe('personal data removed, question kept', () => {
  // The words that only named the data ("số cccd", "sđt") go with it when the rest is a question
  // on its own; when the data was the topic ("mã otp là … nhập vào đâu"), they stay.
  it.each([
    ['ma otp la 482913 nhap vao dau', 'ma otp la nhap vao dau', '482913', 'faq-otp'],
    ['so cccd 079203001299 sdt 0912345678, giup toi kich hoat', 'giup toi kich hoat', '0912345678', 'guide-activate'],
    ['mật khẩu là Hoa@1234 mà vẫn báo sai', 'mật khẩu là mà vẫn báo sai', 'Hoa@1234', 'faq-forgot-password'],
  ])('%s: the warning, then the same reply as to %j', async (text, withoutData, secret, entry) => {
    await say('/start');
    const replies = await say(text);
    expect(replies[0]!.text).toContain('Đừng bao giờ gửi');
    const question = events.find((e) => e.type === 'question');
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(JSON.stringify(replies)).not.toContain(secret);
    user = `${user}-clean`;
    await say('/start');
    events = [];
    const clean = await say(withoutData);
    expect(replies.slice(1)).toEqual(clean);
    expect(question).toMatchObject({ matchedId: entry });
    expect(events.find((e) => e.type === 'question')).toMatchObject({ matchedId: entry });
  });
});

describe('"đã kích hoạt" is not "kích hoạt"', () => {
  // "đã" and "rồi" are function words; the lexicon keeps "đã kích hoạt" as a word of its own, so
  // the bare request does not land on the entry for the app's "already activated" message.
  it.each([
    ['kích hoạt', 'guide-activate'],
    ['giup toi kich hoat', 'guide-activate'],
    ['báo đã kích hoạt rồi', 'faq-already-activated'],
    ['kich hoat roi ma ko dang nhap dc', 'faq-already-activated'],
  ])('%s → %s', async (text, id) => {
    await say(text);
    expect(events.find((e) => e.type === 'question')).toMatchObject({ matchedId: id, outcome: 'answered' });
  });
});

describe('personal data the scrubber used to miss (issue 12)', () => {
  it.each([
    ['em là nguyễn văn an, muốn kích hoạt tài khoản', 'nguyễn văn an'],
    ['E tên hoa, cho e hỏi tích hợp bhyt', 'hoa,'],
    ['số 12 ngõ 34 phố Huế, giúp tôi đăng ký tạm trú', 'phố Huế'],
    ['cháu ở số 12 ngõ 34 phố Huế, kích hoạt không được', 'ngõ 34'],
    ['mk hoanglan mà không đăng nhập được', 'hoanglan'],
  ])('%s: nothing of it stored, the question still read', async (text, secret) => {
    await say('/start');
    const replies = await say(text);
    expect(JSON.stringify(replies)).not.toContain(secret);
    const rows = storage.db.prepare('SELECT * FROM stats_events').all();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(await storage.getConversation(user))).not.toContain(secret);
    const question = rows.find((r) => (r as { type: string }).type === 'question') as { normalized: string } | undefined;
    expect(question?.normalized.split(' ').length).toBeGreaterThanOrEqual(2);
  });
});

describe('context in a walkthrough', () => {
  it('in guide-activate "quen passcode" is the passcode answer at every step', async () => {
    const guide = knowledge.content.byId.get('guide-activate')!;
    const passcode = knowledge.content.byId.get('faq-forgot-passcode')!.answer;
    let replies = await tap('w:guide-activate');
    for (let i = 0; i < guide.steps!.length && !last(replies).text.startsWith('Chúc mừng'); i++) {
      const help = await say('quen passcode');
      expect(allText(help)).toContain(passcode.slice(0, 60));
      expect(payloads(help)).toContain('resume');
      replies = await tap('next');
    }
  });

  it('in integrate-bhyt "bao khong tim thay thong tin the" is the BHYT problem, not vehicle registration', async () => {
    const guide = knowledge.content.byId.get('integrate-bhyt')!;
    const stepIndex = guide.steps!.findIndex((s) => s.problems.some((p) => p.answer && /dữ liệu|thông tin/.test(p.label + p.keywords.join(' '))));
    expect(stepIndex).toBeGreaterThanOrEqual(0);
    const problem = guide.steps![stepIndex]!.problems.find((p) => p.answer && /dữ liệu|thông tin/.test(p.label + p.keywords.join(' ')))!;
    for (const at of [0, stepIndex]) {
      await walkTo('integrate-bhyt', at);
      const help = await say('bao khong tim thay thong tin the');
      expect(last(help).text).toBe(problem.answer);
      expect(allText(help)).not.toContain(knowledge.content.byId.get('integrate-dkx')!.answer.slice(0, 40));
    }
  });
});

describe('"Tôi bị lỗi" is never a dead end', () => {
  it('"Lỗi khác" asks for the app\'s message; the next text is answered; the last resort gives contact and hotline', async () => {
    const guide = knowledge.content.byId.get('guide-activate')!;
    const stepIndex = guide.steps!.findIndex((s) => s.problems.length > 0);
    await walkTo('guide-activate', stepIndex);
    const stuck = await tap('stuck');
    const other = payloads(stuck).find((p) => p.startsWith('p:other'));
    expect(other).toBe(`p:other@guide-activate.${stepIndex}`);
    const invite = await tap(other!);
    expect(invite[0]!.text).toMatch(/gõ lại hoặc dán/);
    expect(invite[0]!.text).toContain('1900 0368');
    // The app's own message, typed as the citizen reads it.
    const answered = await say('Tài khoản của bạn chưa được định danh điện tử');
    expect(last(answered).text).toBe(knowledge.content.byId.get('faq-not-identified')!.answer);
    // Something nobody recognises, after "Lỗi khác": the people who can help.
    await tap('stuck');
    await tap('p:other');
    const unknown = await say('qwzx blorp');
    expect(last(unknown).text).toContain(CONTACT);
    expect(last(unknown).text).toContain('1900 0368');
    expect(payloads(unknown)).toContain('resume');
  });

  it('a step without known problems invites the citizen to type the message too', async () => {
    const guide = knowledge.content.byId.get('integrate-bhyt')!;
    const plain = guide.steps!.findIndex((s) => s.problems.length === 0);
    if (plain < 0) return; // every step lists problems now: nothing to check here
    await walkTo('integrate-bhyt', plain);
    const stuck = await tap('stuck');
    expect(stuck[0]!.text).toMatch(/gõ lại hoặc dán/);
    expect(stuck[0]!.text).toContain('1900 0368');
  });

  it('not found outside a walkthrough gives the contact and the hotline', async () => {
    await say('/start');
    const replies = await tap('none');
    expect(last(replies).text).toContain(CONTACT);
    expect(last(replies).text).toContain('1900 0368');
  });
});

describe('"Ý bạn là…?"', () => {
  it('offers exactly the entries the interpretation suggests (2–3), then "Không phải"', async () => {
    const questions = readFileSync(new URL('../../fixtures/out-of-scope.txt', import.meta.url), 'utf8').split('\n').filter(Boolean);
    const candidates = [...questions, 'kich hoat', 'doi so', 'tich hop', 'mat khau', 'vneid loi', 'muc 2', 'the bhyt', 'dang nhap'];
    let seen = 0;
    for (const q of candidates) {
      const u = interpret(q, knowledge);
      if (u.intent !== 'suggest') continue;
      seen++;
      user = `suggest-${seen}`;
      await say('/start');
      const replies = await say(q);
      expect(last(replies).text).toContain('Ý bạn là');
      expect(payloads([last(replies)])).toEqual([...u.ids.map((id) => `e:${id}`), 'none']);
      expect(u.ids.length).toBeLessThanOrEqual(3);
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe('a hesitant answer also offers the next-best entry', () => {
  const payloadOf = (id: string) => (knowledge.content.byId.get(id)!.steps ? `w:${id}` : `e:${id}`);
  const linked = (id: string, other: string) => knowledge.content.byId.get(id)!.related.includes(other);

  it('below confidence 0.8 the runner-up is a button beside the answer, and tapping it shows that entry', async () => {
    const hesitant = ['quen mat khau', 'lam ho chieu mat bao lau', 'ho chieu het han thi gia han ntn']
      .map((q) => ({ q, m: knowledge.matcher.match(q) }))
      .find(({ m }) => m.id !== null && m.score < 0.8 && m.alternatives[0] !== undefined && !linked(m.id, m.alternatives[0]));
    expect(hesitant, 'one of these questions is answered with a confidence under 0.8').toBeDefined();
    const { q, m } = hesitant!;
    const next = m.alternatives[0]!;
    const replies = await say(q);
    expect(events.find((e) => e.type === 'question')).toMatchObject({ matchedId: m.id, outcome: 'answered' });
    expect(payloads(replies)).toContain(payloadOf(next));
    const shown = await tap(payloadOf(next));
    const entry = knowledge.content.byId.get(next)!;
    const opening = (entry.steps ? entry.title : entry.answer.split('{')[0]!).slice(0, 30);
    expect(allText(shown)).toContain(opening);
  });

  it('a sure answer offers no runner-up', async () => {
    const sure = ['quên passcode vneid', 'cài vneid trên điện thoại', 'vneid có mất phí không']
      .map((q) => ({ q, m: knowledge.matcher.match(q) }))
      .find(({ m }) => m.id !== null && m.score >= 0.8 && m.alternatives[0] !== undefined && !linked(m.id, m.alternatives[0]));
    expect(sure, 'one of these questions is answered with a confidence of 0.8 or more').toBeDefined();
    const { q, m } = sure!;
    const next = m.alternatives[0]!;
    const replies = await say(q);
    expect(payloads(replies)).not.toContain(payloadOf(next));
    expect(payloads(replies)).toContain('menu');
  });
});

describe('a question about another service', () => {
  const ELSEWHERE = 'không phải về VNeID';

  it.each(['quên mật khẩu VssID', 'quen mat khau vssid thi lam sao', 'thủ tục sang tên sổ đỏ', 'thời tiết hà nội ngày mai'])(
    '%s: not answered; the bot says it is about another service, then offers what is close',
    async (text) => {
      const replies = await say(text);
      expect(events.find((e) => e.type === 'question')).toMatchObject({ matchedId: null });
      expect(allText(replies)).toContain(ELSEWHERE);
      expect(allText(replies)).toContain(CONTACT);
      expect(allText(replies)).not.toContain('chưa có câu trả lời');
    },
  );

  it('a question that names VNeID too, or no other service, gets no such note', async () => {
    for (const text of ['tích hợp thẻ bhyt vào vneid thay cho vssid được không', 'con mèo nhà tôi bị ốm', 'quên mật khẩu vneid']) {
      expect(allText(await say(text)), text).not.toContain(ELSEWHERE);
    }
  });
});
