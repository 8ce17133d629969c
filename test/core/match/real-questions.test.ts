/**
 * How the matcher copes with the way people really write (issue 10): formal wording, politeness
 * around the question, words it has never seen, other services' names, "X là gì". Built on a tiny
 * content base of its own, so each rule is shown on its own and no assertion depends on the
 * wording of the real content.
 */
import { describe, expect, it } from 'vitest';
import { Matcher } from '../../../src/core/match/matcher.js';
import { contentOf, faqEntry } from '../../helpers/content.js';
import { loadTuning } from '../../../src/core/match/tuning.js';
import { normalizeTokens, parseLexicon } from '../../../src/core/text/normalize.js';
import { isVietnameseSyllable } from '../../../src/core/text/vietnamese.js';
import { sharedKnowledge } from '../../helpers/engine.js';

const lexicon = parseLexicon({
  abbreviations: { bhxh: 'bao hiem xa hoi', ko: 'khong' },
  phrases: { 'la gi': 'khainiem', 'thuong tru': 'cu tru thuong tru', 'bao lau': 'thoigian' },
  stopwords: ['la', 'cua', 'thi', 'toi', 'bac', 'oi', 'chau', 'cho', 'hoi', 'a', 'khong', 'co', 'duoc', 'nhung'],
  foreign: ['vssid', 'so do'],
  anchors: ['vneid', 'dinh danh'],
});


const entries = [
  faqEntry('passcode', 'Quên passcode', ['quên passcode vneid', 'quen ma passcode', 'lay lai passcode', 'passcode bi quen', 'đặt lại passcode', 'quên mã passcode', 'passcode quen mat', 'khong nho passcode'], 'Chọn "Quên passcode" trên màn hình nhập passcode.'),
  faqEntry('term-passcode', 'Passcode là gì', ['passcode là gì', 'passcode la gi', 'passcode nghĩa là gì', 'passcode la cai gi', 'giai thich passcode', 'passcode de lam gi', 'ma passcode la gi', 'passcode là gì vậy'], 'Passcode là mã 6 số bạn tự đặt.'),
  faqEntry('bhxh', 'Xem quá trình tham gia bảo hiểm xã hội', ['xem bhxh tren vneid', 'qua trinh tham gia bao hiem xa hoi', 'xem so bhxh', 'bao hiem xa hoi tren vneid', 'tra cuu qua trinh dong bhxh', 'xem bhxh o dau', 'thong tin bhxh', 'bhxh tren app'], 'Vào "Bảo hiểm xã hội" trên VNeID để xem quá trình tham gia.'),
  faqEntry('validity', 'Thời hạn của tài khoản định danh', ['tai khoan dinh danh dung bao lau', 'dinh danh co het han khong', 'thoi han tai khoan dinh danh', 'tai khoan co thoi han khong', 'bao lau thi het han', 'han dung dinh danh', 'dinh danh het han', 'tai khoan het han'], 'Tài khoản định danh có giá trị khi thẻ căn cước còn giá trị.'),
];
const content = contentOf(entries);
const tuning = loadTuning();
const matcher = new Matcher(content, lexicon, tuning, { resultCache: 0 });
const top = (q: string) => matcher.explain(q).candidates[0];

describe('normalization for matching', () => {
  it('a phrase is expanded once: what a phrase produced is final', () => {
    expect(normalizeTokens('đăng ký thường trú', lexicon)).toEqual(['dang', 'ky', 'cu', 'tru', 'thuong', 'tru']);
  });

  it('tells a Vietnamese word from a typo', () => {
    for (const word of ['troi', 'xang', 'nguoi', 'khuyen', 'nghieng', 'thuong']) expect(isVietnameseSyllable(word)).toBe(true);
    for (const word of ['kick', 'tihc', 'hoatj', 'vneid']) expect(isVietnameseSyllable(word)).toBe(false);
  });
});

describe('ranking and confidence', () => {
  it('politeness and function words change nothing: "bác ơi cho cháu hỏi … ạ"', () => {
    const plain = top('quên passcode');
    const polite = top('bác ơi cho cháu hỏi quên passcode ạ');
    expect(polite?.id).toBe('passcode');
    expect(polite!.coverage).toBe(plain!.coverage);
    expect(plain?.id).toBe('passcode');
  });

  it('"X là gì" goes to the definition, not the neighbouring topic', () => {
    expect(top('passcode là gì')?.id).toBe('term-passcode');
    expect(top('quên passcode')?.id).toBe('passcode');
  });

  it('a typo is corrected, a real word we do not know is not', () => {
    expect(top('quen pascode')?.id).toBe('passcode');
    // "trời" is not a typo of any content word: the question stays unexplained.
    expect(matcher.match('trời hôm nay có mưa').id).toBeNull();
  });

  it('another service named in the question lowers the confidence below the answer threshold', () => {
    const ours = top('xem quá trình tham gia bảo hiểm xã hội');
    const theirs = top('xem quá trình tham gia bảo hiểm xã hội trên VssID');
    expect(ours?.foreign).toBe(0);
    expect(theirs?.foreign).toBe(1);
    expect(matcher.confidence(theirs!)).toBeLessThan(matcher.confidence(ours!));
  });

  it('a question that names VNeID is anchored', () => {
    expect(top('tài khoản định danh dùng bao lâu')?.anchored).toBe(1);
    expect(top('dùng bao lâu')?.anchored ?? 0).toBe(0);
  });

  it('a few common words are weak evidence; a specific word is strong', () => {
    const weak = top('tài khoản');
    const strong = top('thời hạn tài khoản định danh');
    expect(strong?.id).toBe('validity');
    expect(strong!.evidence).toBeGreaterThan(weak?.evidence ?? 0);
  });

  it('words the content never uses dilute the coverage but do not hide the topic', () => {
    const long = top('cháu nó đi làm xa, gần Tết bận rộn, bác muốn hỏi tài khoản định danh có thời hạn không');
    expect(long?.id).toBe('validity');
    expect(long!.coverage).toBeLessThan(1);
  });
});

describe('the project content (issue 10 examples)', () => {
  const { knowledge } = sharedKnowledge();
  it.each([
    ['mức 2 là gì', 'term-muc-2'],
    ['muc 2 la gi', 'term-muc-2'],
    // A definition, not the driving-licence guide that also says "tích hợp".
    ['tích hợp là gì', 'term-vi-giay-to'],
    ['ví giấy tờ là sao', 'term-vi-giay-to'],
    ['thế nào là mức 2', 'term-muc-2'],
    // The most common question, not "is it mandatory?".
    ['cách đăng ký tài khoản định danh điện tử', 'guide-level1'],
    ['chau oi cai vneid kich hoat sao', 'guide-activate'],
    ['cháu ơi kích hoạt vneid thế nào', 'guide-activate'],
    ['kick hoat vneid', 'guide-activate'],
    // A misspelling the content itself has is still the word it stands for.
    ['bác lỡ quên mất pascode rồi cháu ạ', 'faq-forgot-passcode'],
    // "tr" written "ch", as many speak it.
    ['tạm chú online', 'svc-cu-tru'],
    ['Có giới hạn độ tuổi công dân đăng ký tài khoản định danh điện tử hay không?', 'faq-eligibility'],
    ['Tài khoản VNeID bị khóa trong những trường hợp nào?', 'faq-lock-account'],
    ["Giao diện báo 'Gửi mã OTP thành công' nhưng không có tin nhắn nào đến", 'faq-otp'],
    ['số điện thoại của công an xã là bao nhiêu', 'faq-contact'],
    // The number is personal data: scrubbed by the bot, weightless to the matcher either way.
    ['ma otp la 482913 nhap vao dau', 'faq-otp'],
  ])('%s → %s', (q, id) => {
    expect(knowledge.matcher.match(q).id).toBe(id);
  });

  it('one word the content uses once in passing is not an answer; an entry\'s own keyword still is', () => {
    // "chạy" (and "cháy", which folds to the same word) is in one phrasing of faq-nfc.
    expect(knowledge.matcher.match('chạy').id).toBeNull();
    expect(knowledge.matcher.match('cccd').id).toBe('l2-cccd');
    expect(knowledge.matcher.match('hộ chiếu').id).toBe('svc-ho-chieu');
  });

  it.each(['cho vay tien khong', 'đóng bhxh bao nhiêu', 'tra cứu phạt nguội ở đâu', 'giá vàng hôm nay bao nhiêu'])('near-domain, not ours: %s → no answer', (q) => {
    expect(knowledge.matcher.match(q).id).toBeNull();
  });
});
