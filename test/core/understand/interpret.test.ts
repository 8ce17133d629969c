import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../../src/core/knowledge.js';
import { interpret, suggestionsOf } from '../../../src/core/understand/interpret.js';
import { mentions, walkContextIds } from '../../../src/core/understand/walk-context.js';
import { wordsOf } from '../../../src/core/understand/phrases.js';

const knowledge = loadKnowledge(process.env.TEST_CONTENT_DIR);

describe('interpret', () => {
  it('emergencies before anything, read from the raw words (scrubbing cannot hide them)', () => {
    const u = interpret('số 5 ngõ 7 phố Huế bốc cháy', knowledge);
    expect(u).toMatchObject({ intent: 'emergency', numbers: ['114'] });
    expect(u.scrubbed).not.toContain('ngõ 7');
    expect(u.scrubbed).not.toContain('cháy'); // the address took it: only the raw words tell
  });

  it('a bare call for help around a question we answer is the question', () => {
    const question = interpret('quên mật khẩu vneid', knowledge);
    if (question.intent !== 'answer') return; // depends on the matcher answering it at all
    expect(interpret('cứu với, quên mật khẩu vneid', knowledge).intent).toBe('answer');
    expect(interpret('cứu với', knowledge)).toMatchObject({ intent: 'emergency', numbers: ['113', '114', '115'] });
  });

  it('around a bare call for help, the question itself is matched ("cứu" alone reads as the "tra cứu" of another entry)', () => {
    const alone = interpret('vneid không vào được', knowledge);
    const called = interpret('cứu với, vneid không vào được', knowledge);
    if (alone.intent !== 'answer') return; // depends on the matcher answering it at all
    expect(called).toMatchObject({ intent: 'answer', id: alone.id });
  });

  it('a call for help around words we only happen to use is an emergency ("chay" is "chạy", which the content uses once)', () => {
    expect(interpret('chay o cho cuu voi', knowledge)).toMatchObject({ intent: 'emergency', numbers: ['113', '114', '115'] });
    // typed with its accent, "cháy" is a fire
    expect(interpret('cháy ở chợ cứu với', knowledge)).toMatchObject({ intent: 'emergency', numbers: ['114'] });
    // "nha chay" side by side, without accents, can only be a house on fire; a network running slowly is not
    expect(interpret('nha chay', knowledge)).toMatchObject({ intent: 'emergency', numbers: ['114'] });
    expect(interpret('nhà mạng chạy chậm quá', knowledge).intent).not.toBe('emergency');
  });

  it('an emergency that also asks a question we answer: the numbers, then the answer', () => {
    const u = interpret('điện thoại bị trộm rồi, làm sao khóa tài khoản vneid', knowledge);
    expect(u).toMatchObject({ intent: 'emergency', numbers: ['113'], entry: 'faq-lock-account' });
    expect(interpret('nhà đang có trộm', knowledge)).toMatchObject({ intent: 'emergency', entry: null });
    expect(interpret('nhà đang có trộm, vneid có khóa được không', knowledge)).toMatchObject({ intent: 'emergency', numbers: ['113'], entry: 'faq-lock-account' });
  });

  it('an emergency alone gets no answer after the numbers: the words beside it must ask about VNeID', () => {
    // Read whole, "đang cháy" was the NFC answer ("chạy") and a theft of a motorbike the vehicle-registration answer.
    for (const q of ['Nhà tôi đang cháy', 'nha toi dang chay', 'dang chay nha', 'Có người đang phá khóa xe máy trước cửa nhà tôi']) {
      expect(interpret(q, knowledge), q).toMatchObject({ intent: 'emergency', entry: null });
    }
  });

  it('personal data: the warning kinds, and the match of the text without it', () => {
    const u = interpret('ma otp la 482913 nhap vao dau', knowledge);
    const clean = interpret('ma otp la nhap vao dau', knowledge);
    expect(u.warn).toEqual(['code']);
    expect(u.scrubbed).not.toContain('482913');
    expect({ ...u, scrubbed: '', found: null, warn: [] }).toEqual({ ...clean, scrubbed: '', found: null, warn: [] });
  });

  it('personal data: the words naming it stay when they make the surer reading (someone asking for an OTP is a scam)', () => {
    const u = interpret('nguoi ta nhan tin xin ma otp 739105 de kich hoat ho thi cho duoc khong', knowledge);
    expect(u.warn).toEqual(['code']);
    expect(u).toMatchObject({ intent: 'answer', id: 'faq-scam' });
  });

  it('walkthrough words only during a walkthrough', () => {
    const guide = knowledge.content.byId.get('integrate-bhyt')!;
    expect(interpret('xong', knowledge, { walk: { guide, step: guide.steps![0]! } })).toMatchObject({ intent: 'walk', action: 'next' });
    expect(interpret('xong', knowledge).intent).not.toBe('walk');
  });

  it('suggestions: only when not answered and the best is close; at most 3, the best first', () => {
    const base = { normalized: '', alternatives: ['b', 'c', 'd'], otherService: false, aboutVneid: false };
    expect(suggestionsOf({ ...base, id: null, score: 0.4, nearest: 'a' }, 0.3)).toEqual(['a', 'b', 'c']);
    expect(suggestionsOf({ ...base, id: 'a', score: 0.9, nearest: 'a' }, 0.3)).toEqual([]);
    expect(suggestionsOf({ ...base, id: null, score: 0.2, nearest: 'a' }, 0.3)).toEqual([]);
  });
});

describe('walkthrough context', () => {
  it('the context of a guide: itself, its steps\' FAQs and its related entries', () => {
    const guide = knowledge.content.byId.get('guide-activate')!;
    const ids = walkContextIds(guide);
    expect(ids[0]).toBe('guide-activate');
    expect(ids).toContain('faq-forgot-passcode');
    for (const id of guide.related) expect(ids).toContain(id);
  });

  it('a keyword is mentioned in order with small gaps, or by most of its words', () => {
    const q = (text: string) => ({ tokens: wordsOf(text), words: wordsOf(text) });
    const k = (text: string) => ({ tokens: wordsOf(text), words: wordsOf(text) });
    expect(mentions(q('toi quen mat passcode roi'), k('quen passcode'))).toBe(true);
    expect(mentions(q('bao khong tim thay thong tin the'), k('khong tim thay du lieu'))).toBe(true);
    expect(mentions(q('quen passcode'), k('xin passcode'))).toBe(false);
    expect(mentions(q('quen mat khau'), k('quen passcode'))).toBe(false);
  });
});
