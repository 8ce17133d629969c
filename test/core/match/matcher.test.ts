import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { sharedKnowledge } from '../../helpers/engine.js';
import { Bm25Index } from '../../../src/core/match/bm25.js';
import { Matcher } from '../../../src/core/match/matcher.js';
import { asksWhatItIs, normalizeTokens } from '../../../src/core/text/normalize.js';

const { knowledge } = sharedKnowledge();
const { matcher } = knowledge;

describe('matcher on how citizens type', () => {
  it.each([
    ['ko kich hoat dc muc 2', 'guide-activate'],
    ['tich hop bhyt sao', 'integrate-bhyt'],
    ['Tích hợp cà vẹt xe lên VNeID', 'integrate-dkx'],
    ['them bang lai vao vi giay to', 'integrate-gplx'],
    ['quen mk vneid', 'faq-forgot-password'],
    ['ko nhan dc otp', 'faq-otp'],
    ['quên passcode', 'faq-forgot-passcode'],
    ['kich hoat tai khoan dinh danh', 'guide-activate'],
    ['VNeID là gì', 'faq-what-is-vneid'],
    ['xem ho khau online', 'l2-cu-tru'],
    ['tich hop bhytttt', 'integrate-bhyt'],
    ['tich hopp baoo hiem y te', 'integrate-bhyt'],
    // "là gì" after an aspect word asks for the aspect, not for the glossary entry's definition
    ['điều kiện để được cấp định danh điện tử là gì', 'faq-eligibility'],
    ['định danh điện tử là gì', 'term-dinh-danh'],
    // a chat app named beside a link or a call is where a scam came from, not another service
    ['người lạ gọi điện qua zalo nhờ đọc mã', 'faq-scam'],
    ['quà 2/9', 'svc-an-sinh'],
    // "đang kiểm tra/kiểm duyệt", folded, holds "đăng kiểm" (vehicle inspection, another service)
    ['hồ sơ đang kiểm duyệt mấy hôm rồi', 'faq-approval-time'],
    // "phạt người", folded, is "phạt nguội" (traffic cameras, another service)
    ['có phạt người chưa đăng ký định danh không', 'faq-mandatory'],
    // the app shows a licence's points; Google Play is the Android store, not another service
    ['điểm bằng lái còn bao nhiêu xem ở đâu', 'l2-gplx-dkx'],
    ['tải app trên google play', 'guide-install'],
    // "phát tiền" (paying out) is not "phạt tiền" (a fine) once typed with diacritics
    ['bao giờ phát tiền an sinh qua vneid', 'svc-an-sinh'],
    // a degree is not a driving licence: school records and degrees go in the wallet
    ['đưa bằng đại học lên vneid', 'term-vi-giay-to'],
    // "số đó" (that number) is not "sổ đỏ" (land): the question stays ours
    ['đăng ký vneid bằng số đó được không', 'guide-register'],
    // the app's digital-signature service ("Dịch vụ khác" → "Chứng thư chữ ký số", since 22/5/2025)
    ['đăng ký chữ ký số trên vneid', 'svc-chu-ky-so'],
    ['chữ ký số là gì', 'svc-chu-ky-so'],
    // marital status in the wallet and the wanted-persons list are the app's too
    ['tình trạng hôn nhân trên vneid bị sai', 'faq-hon-nhan'],
    ['tra cứu đối tượng truy nã trên vneid', 'svc-truy-na'],
    // making, renewing or reissuing the document itself is another agency's; integrating it once renewed is ours
    ['mới đổi bằng lái xong tích hợp vào vneid thế nào', 'integrate-gplx'],
    ['vừa gia hạn thẻ bhyt xong, vneid chưa cập nhật', 'integrate-bhyt'],
    ['tích hợp đăng ký xe máy mới vào vneid', 'integrate-dkx'],
    // voluntary BHXH is the insurer's, but the history of what was paid is on VNeID
    ['thời gian đóng bhxh tự nguyện xem ở đâu', 'l2-bhxh'],
    // civil status is the commune's justice office; the birth + residence + BHYT procedure on VNeID is ours
    ['đăng ký khai sinh kèm thường trú cho bé mới sinh trên vneid', 'svc-cu-tru'],
  ])('%s → %s', (q, id) => {
    expect(matcher.match(q).id).toBe(id);
  });

  it.each(['đổi mật khẩu zalo thế nào', 'quên mật khẩu facebook', 'giá vàng hôm nay', 'kết quả xổ số miền bắc', 'công thức nấu phở', 'cho vay 10 triệu', 'thời tiết hà nội ngày mai', 'đi đăng kiểm xe ô tô ở đâu', 'thủ tục cấp biển số định danh cho xe máy mới', 'xin giấy chứng nhận đủ điều kiện về an ninh trật tự cho quán karaoke', 'đăng ký tên định danh cho tin nhắn thương hiệu', 'lỡ chuyển tiền nhầm tài khoản ngân hàng thì làm sao', 'chuyen tien nham tai khoan ngan hang', 'muốn đổi giấy phép lái xe hết hạn thì làm ở đâu', 'gia hạn thẻ bhyt cho con ở đâu', 'cap lai so bhxh bi mat', 'công ty nợ bhxh của tôi mấy tháng', 'làm giấy khai sinh muộn cho con có bị phạt không', 'xin trích lục khai sinh ở đâu', 'giấy khai sinh của con bị sai ngày sinh', 'làm sao để cưới vợ', 'thủ tục đăng ký xe máy mới mua cần giấy tờ gì', 'khai sinh quá hạn cho con thì làm sao', 'cưới vợ người nước ngoài cần gì', 'đóng bhxh tự nguyện ở đâu'])(
    'out of scope: %s → null',
    (q) => {
      expect(matcher.match(q).id).toBeNull();
    },
  );

  it.each([
    ['tự nguyện hay bắt buộc làm định danh', 0],
    ['xem được mình đóng bhxh bao nhiêu năm không', 0],
    ['đóng bảo hiểm xã hội tự nguyện mức thấp nhất bao nhiêu', 1],
    ['mức đóng bhxh năm nay', 1],
  ])('another service named in "%s": %i', (q, foreign) => {
    // Voluntary BHXH and contribution amounts are the social-insurance agency's; "tự nguyện" alone
    // ("registering is voluntary") and how long one has paid (shown on VNeID) are not.
    expect(matcher.explain(q).candidates[0]?.foreign).toBe(foreign);
  });

  it('returns a score in 0..1 and at most 3 alternatives', () => {
    const r = matcher.match('tich hop giay to vao vneid');
    expect(r.score).toBeGreaterThanOrEqual(0);
    expect(r.score).toBeLessThanOrEqual(1);
    expect(r.alternatives.length).toBeLessThanOrEqual(3);
    expect(r.alternatives).not.toContain(r.id);
  });

  it.each([
    ['empty', ''],
    ['spaces', '   '],
    ['10,000 characters', 'kích hoạt '.repeat(1000)],
    ['emoji only', '😀😀🙏'],
    ['invalid UTF-8 replacement chars', '\uFFFD\uFFFD\uFFFD'],
    ['lone surrogate', '\uD800abc'],
    ['digits only', '123456'],
    ['a 12-digit ID number alone', '001099012345'],
    ['control characters', '\u0000\u0007\u001b'],
  ])('bad input never throws: %s', (_name, q) => {
    const r = matcher.match(q);
    expect(r.score).toBeGreaterThanOrEqual(0);
    if (/^[\d\s]*$/.test(q) || !/\p{L}/u.test(q)) expect(r.id).toBeNull();
  });
});

const dev = new URL('../../../../shared/eval/dev-questions.jsonl', import.meta.url).pathname;
const hasDev = existsSync(dev);
// The dev set lives beside the repository, not in it: a checkout without it must say so, not
// pass in silence (a visible skipped test naming the file, and one line on the console).
if (!hasDev) console.warn(`dev set accuracy floor NOT checked: ${dev} is absent (place the shared eval files beside the repository to run it)`);
describe('a question that is exactly an entry\'s own text', () => {
  const contentWords = (text: string) => normalizeTokens(text, knowledge.lexicon).filter((t) => !knowledge.lexicon.stopwords.has(t)).join(' ');

  it('every button label typed by hand is answered with its entry, unless another entry\'s label reads the same', () => {
    const labels = knowledge.content.entries.map((e) => ({ id: e.id, key: contentWords(e.label), label: e.label }));
    const shared = (key: string) => labels.filter((l) => l.key === key).length > 1;
    for (const { id, key, label } of labels) {
      const m = matcher.match(label);
      if (shared(key)) expect(m.id === null || m.score < 0.9, `"${label}" reads like another entry's label`).toBe(true);
      else expect(m.id, `"${label}"`).toBe(id);
    }
  });

  it('a label is its entry even when the model alone would not answer it (confidence 0.9)', () => {
    // With a threshold just under the exact match's 0.9, most labels are answered only as labels.
    const strict = new Matcher(knowledge.content, knowledge.lexicon, { ...knowledge.tuning, threshold: 0.89 }, { resultCache: 0 });
    const labels = knowledge.content.entries.map((e) => ({ id: e.id, label: e.label }));
    const weak = labels.filter(({ id, label }) => {
      const top = strict.explain(label).candidates.find((c) => c.id === id);
      return !top || strict.confidence(top) < 0.89;
    });
    expect(weak.length, 'labels the model alone is not sure of').toBeGreaterThan(10);
    for (const { id, label } of weak) {
      const m = strict.match(label);
      expect(m.id, `"${label}"`).toBe(id);
      expect(m.score).toBeGreaterThanOrEqual(0.9);
    }
    // Not a question that merely contains a label.
    expect(strict.match('Đổi số điện thoại rồi mà vẫn không nhận được mã').id).toBeNull();
  });
});

describe('dev set accuracy floor (../shared/eval/dev-questions.jsonl)', () => {
  it.skipIf(!hasDev)(`≥ 95 % in-scope top-1 and ≥ 90 % out-of-scope rejected${hasDev ? '' : ` — SKIPPED: ${dev} not found`}`, () => {
    const rows = readFileSync(dev, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { q: string; accept: string[] });
    const inScope = rows.filter((r) => r.accept.length > 0);
    const outScope = rows.filter((r) => r.accept.length === 0);
    const ok = inScope.filter((r) => r.accept.includes(matcher.match(r.q).id ?? '')).length;
    const rejected = outScope.filter((r) => matcher.match(r.q).id === null).length;
    expect(ok / inScope.length).toBeGreaterThanOrEqual(0.95);
    expect(rejected / outScope.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('held-out questions written without looking at the content (test/fixtures/heldout-questions.jsonl)', () => {
  it('≥ 90 % in-scope top-1 and ≥ 85 % out-of-scope rejected', () => {
    const rows = readFileSync(new URL('../../fixtures/heldout-questions.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { q: string; accept: string[] });
    const inScope = rows.filter((r) => r.accept.length > 0);
    const outScope = rows.filter((r) => r.accept.length === 0);
    const ok = inScope.filter((r) => r.accept.includes(matcher.match(r.q).id ?? '')).length;
    const rejected = outScope.filter((r) => matcher.match(r.q).id === null).length;
    expect(ok / inScope.length).toBeGreaterThanOrEqual(0.9);
    expect(rejected / outScope.length).toBeGreaterThanOrEqual(0.85);
  });
});

describe('own out-of-scope fixtures', () => {
  it('rejects most everyday questions we do not cover', () => {
    const lines = readFileSync(new URL('../../fixtures/out-of-scope.txt', import.meta.url), 'utf8').split('\n').filter((l) => l.trim());
    const rejected = lines.filter((q) => matcher.match(q).id === null).length;
    expect(rejected / lines.length).toBeGreaterThanOrEqual(0.8);
  });
});

describe('Bm25Index', () => {
  it('scores like the Okapi formula on a toy corpus', () => {
    const idx = new Bm25Index(1.2, 0.75);
    idx.add(['a', 'b']);
    idx.add(['a', 'c', 'c']);
    idx.add(['d']);
    const scores = new Float64Array(3);
    const touched = idx.score([{ term: 'c', weight: 1 }], scores);
    expect([...touched]).toEqual([1]);
    const idf = Math.log(1 + (3 - 1 + 0.5) / (1 + 0.5));
    const avg = 2;
    const expected = (idf * (2 * 2.2)) / (2 + 1.2 * (1 - 0.75 + (0.75 * 3) / avg));
    expect(scores[1]).toBeCloseTo(expected, 10);
    expect(scores[0]).toBe(0);
  });

  it('rarer terms weigh more, and weights and boosts scale scores', () => {
    const idx = new Bm25Index();
    idx.add(['x', 'common'], 2);
    idx.add(['y', 'common']);
    expect(idx.idf('x')).toBeGreaterThan(idx.idf('common'));
    const s = new Float64Array(2);
    idx.score([{ term: 'common', weight: 3 }], s);
    expect(s[0]).toBeCloseTo(2 * s[1]!, 10);
  });
});

describe('safety first: a sign of a scam puts the scam warning ahead of the procedure the caller asked for', () => {
  const without = new Matcher(knowledge.content, knowledge.lexicon, { ...knowledge.tuning, scamFirst: undefined }, { resultCache: 0 });

  it.each([
    ['số lạ gọi bảo tài khoản định danh bị khóa, bảo làm lại', 'faq-lock-account'],
    ['một người xưng công an gọi hướng dẫn tích hợp bhyt qua link', 'integrate-bhyt'],
    ['ai đó gọi bảo cập nhật hộ khẩu điện tử', 'l2-cu-tru'],
  ])('"%s": the warning, not %s', (q, guide) => {
    expect(without.match(q).nearest, 'without the rule the guide ranks first').toBe(guide);
    const m = matcher.match(q);
    expect(m.nearest).toBe('faq-scam');
    expect(m.alternatives).toContain(guide);
  });

  it('leaves alone a question about scam news or about calling the police, and one with no sign of a scam', () => {
    expect(matcher.match('xem tin cảnh báo lừa đảo trên vneid ở đâu').id).toBe('l1-tin-tuc');
    expect(matcher.match('gọi trực ban công an xã số nào').id).toBe('faq-contact');
    expect(matcher.match('tích hợp bhyt trên vneid thế nào').id).toBe('integrate-bhyt');
  });
});

describe('a glossary entry answers what a word means, not how to do the thing', () => {
  const without = new Matcher(knowledge.content, knowledge.lexicon, { ...knowledge.tuning, glossaryYield: undefined }, { resultCache: 0 });

  it('"mức 2 làm sao": the level-2 guide, where the definition of level 2 ranked first', () => {
    expect(without.match('mức 2 làm sao').nearest).toBe('term-muc-2');
    expect(matcher.match('mức 2 làm sao').id).toBe('guide-level2');
    expect(matcher.match('mức 1 làm sao cho nhanh').nearest).toBe('guide-level1');
  });

  it('keeps a glossary entry that the walkthrough in progress put first', () => {
    expect(matcher.match('mức 2 làm sao', { context: ['term-muc-2'] }).nearest).toBe('term-muc-2');
  });

  it('keeps the definition for "là gì" and "khác gì", and for a label typed by hand', () => {
    expect(matcher.match('mức 2 là gì').id).toBe('term-muc-2');
    expect(matcher.match('căn cước điện tử khác gì thẻ căn cước').id).toBe('term-can-cuoc-dien-tu');
    expect(matcher.match('ví giấy tờ').id).toBe('term-vi-giay-to');
  });

  it('reads "là gì", "khác gì", "khác nhau", "khác biệt" as asking what something is; "máy khác" is not', () => {
    const asks = (q: string) => asksWhatItIs(normalizeTokens(q, knowledge.lexicon));
    expect(['otp là gì', 'mức 1 khác gì mức 2', 'mức 1 và mức 2 khác nhau thế nào', 'có gì khác biệt'].map(asks)).toEqual([true, true, true, true]);
    expect(['đăng nhập trên máy khác', 'làm mức 2 ở đâu'].map(asks)).toEqual([false, false]);
  });
});

describe('cache of recent results', () => {
  it('a repeated question gets the same answer as a fresh ranking, shared and frozen', async () => {
    const { Matcher } = await import('../../../src/core/match/matcher.js');
    const fresh = new Matcher(knowledge.content, knowledge.lexicon, knowledge.tuning, { resultCache: 0 });
    const questions = ['tich hop bhyt sao', 'Tích hợp BHYT sao', 'giá vàng hôm nay', 'ko nhan dc otp'];
    for (const q of questions) {
      const first = matcher.match(q);
      expect(matcher.match(q)).toBe(first); // served from the cache
      expect(first).toEqual(fresh.match(q));
      expect(Object.isFrozen(first) && Object.isFrozen(first.alternatives)).toBe(true);
    }
    // Spelled differently, normalized the same: one cached result.
    expect(matcher.match('tich hop bhyt sao')).toBe(matcher.match('Tích hợp BHYT sao'));
    // Switched off, every call ranks anew.
    expect(fresh.match('ko nhan dc otp')).not.toBe(fresh.match('ko nhan dc otp'));
  });
});
