/**
 * The entry classifier (src/core/match/classifier.ts) and its share of the ranking: it learns from
 * the content which words tell entries apart, so a long compound that one entry happens to repeat
 * ("căn cước gắn chip") no longer outweighs the word that decides the topic ("đăng nhập").
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../../src/core/knowledge.js';
import type { Entry } from '../../../src/core/content/schema.js';
import { EntryClassifier, type TrainingExample } from '../../../src/core/match/classifier.js';
import { Matcher } from '../../../src/core/match/matcher.js';
import { contentOf, faqEntry } from '../../helpers/content.js';
import { loadTuning, type Tuning } from '../../../src/core/match/tuning.js';
import { parseLexicon } from '../../../src/core/text/normalize.js';

describe('EntryClassifier', () => {
  // Term 1 is in every text of both classes; 2 only in class 0; 3 only in class 1.
  const examples: TrainingExample[] = [
    ...Array.from({ length: 10 }, () => ({ terms: [1, 2], label: 0, weight: 1 })),
    ...Array.from({ length: 10 }, () => ({ terms: [1, 3], label: 1, weight: 1 })),
  ];
  const trained = () => {
    const c = new EntryClassifier(2);
    c.train(examples);
    return c;
  };

  it('learns the word that tells the classes apart, not the word they share', () => {
    const c = trained();
    expect(c.probabilities([1, 2])[0]).toBeGreaterThan(0.8);
    expect(c.probabilities([1, 3])[1]).toBeGreaterThan(0.8);
    const shared = c.probabilities([1]);
    expect(Math.abs(shared[0]! - shared[1]!)).toBeLessThan(0.1);
  });

  it('ignores terms it never saw, and its probabilities sum to 1', () => {
    const p = trained().probabilities([2, 999]);
    expect(p[0]).toBeGreaterThan(0.8);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 10);
  });

  it('trains to the same weights every time (the same content gives the same answers)', () => {
    expect([...trained().probabilities([1, 2, 3])]).toEqual([...trained().probabilities([1, 2, 3])]);
  });

  it('trains in slices with the same result as at once', () => {
    const sliced = new EntryClassifier(2);
    let slices = 0;
    for (const _ of sliced.trainSteps(examples, 7)) slices++;
    expect(slices).toBeGreaterThan(1);
    expect([...sliced.probabilities([1, 2])]).toEqual([...trained().probabilities([1, 2])]);
  });
});

describe('ranking with the classifier', () => {
  const lexicon = parseLexicon({ stopwords: ['bang', 'cua', 'cach', 'thi', 'khong', 'duoc', 'co'], anchors: ['vneid', 'can cuoc'] });
  const entries = [
    faqEntry('login', 'Đăng nhập VNeID', ['đăng nhập vneid', 'cách đăng nhập ứng dụng', 'không đăng nhập được', 'đăng nhập bằng mật khẩu', 'đăng nhập lần đầu', 'hướng dẫn đăng nhập', 'đăng nhập trên điện thoại mới', 'đăng nhập vneid thế nào'], 'Mở ứng dụng, nhập số định danh cá nhân và mật khẩu, rồi bấm Đăng nhập.'),
    faqEntry('bhyt', 'Khám bệnh bằng căn cước gắn chip', ['khám bệnh bằng căn cước gắn chip', 'dùng căn cước gắn chip thay thẻ bảo hiểm', 'căn cước gắn chip khám chữa bệnh', 'đi khám bằng căn cước công dân gắn chip', 'bệnh viện nhận căn cước gắn chip', 'thẻ bảo hiểm trên căn cước gắn chip', 'có cần mang thẻ bảo hiểm không', 'hướng dẫn khám bệnh bằng căn cước'], 'Bệnh viện quét căn cước gắn chip để tra thẻ bảo hiểm y tế.'),
    faqEntry('passcode', 'Quên passcode', ['quên passcode', 'lấy lại passcode', 'đặt lại passcode', 'quên mã passcode', 'passcode bị quên', 'không nhớ passcode', 'đổi passcode', 'passcode là mã gì'], 'Chọn "Quên passcode" trên màn hình nhập passcode.'),
  ];
  const content = contentOf(entries);
  const base = loadTuning();
  const withWeight = (weight: number): Tuning => ({ ...base, classifier: { ...base.classifier, weight } });
  const question = 'hướng dẫn đăng nhập bằng căn cước công dân gắn chip';

  it('BM25 alone follows the long compound; with the classifier the topic word decides', () => {
    const bm25Only = new Matcher(content, lexicon, withWeight(0), { resultCache: 0 });
    const both = new Matcher(content, lexicon, withWeight(base.classifier.weight), { resultCache: 0 });
    expect(bm25Only.explain(question).candidates[0]?.id).toBe('bhyt');
    const ranked = both.explain(question).candidates;
    expect(ranked[0]?.id).toBe('login');
    expect(ranked[0]!.classifier).toBeGreaterThan(ranked[1]!.classifier);
    // The compound question still goes where it belongs.
    expect(both.explain('khám bệnh bằng căn cước gắn chip').candidates[0]?.id).toBe('bhyt');
  });

  it('the matcher built in slices ranks as the one built at once', async () => {
    const atOnce = new Matcher(content, lexicon, base, { resultCache: 0 });
    const sliced = await Matcher.build(content, lexicon, base, { resultCache: 0, sliceMs: 0 });
    for (const q of [question, 'quên passcode', 'khám bệnh bằng căn cước', 'đăng nhập lần đầu']) {
      expect(sliced.explain(q)).toEqual(atOnce.explain(q));
    }
  });
});

describe('the order of the entries hardly matters', () => {
  // The content is the same whichever order its files are read in, and an official's edit
  // reorders the examples the classifier learns from. With a constant step the weights are
  // wherever the last pass left them, which depends on that order; with a shrinking step they
  // settle where the content puts them.
  const knowledge = loadKnowledge();
  const questions = ['real-questions', 'heldout-questions', 'conversational-questions'].flatMap((name) =>
    readFileSync(new URL(`../../fixtures/${name}.jsonl`, import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { q: string }).q),
  );
  const entries = knowledge.content.entries;
  const reorderings = [[...entries].reverse(), [...entries.slice(30), ...entries.slice(0, 30)]];
  /** Questions whose best entry changes when the same entries come in another order. */
  const moved = (classifier: Tuning['classifier']) => {
    const tuning = { ...knowledge.tuning, classifier };
    const build = (list: readonly Entry[]) => new Matcher(contentOf([...list]), knowledge.lexicon, tuning, { resultCache: 0 });
    const before = build(entries);
    return reorderings.reduce((n, list) => {
      const after = build(list);
      return n + questions.filter((q) => before.match(q).nearest !== after.match(q).nearest).length;
    }, 0);
  };

  it('with the shipped settings (a shrinking step), at most 1.5 % of the labelled questions change entry; a constant step moves more', () => {
    const shipped = moved(knowledge.tuning.classifier);
    const constantStep = moved({ ...knowledge.tuning.classifier, epochs: 5, decay: 0, l2: 1e-4 });
    expect(shipped).toBeLessThanOrEqual(0.015 * reorderings.length * questions.length);
    // Measured on 2026-12-02: 10 against 18 (it was twice or more before a lexicon phrase was
    // added that day); the ratio moves with the content, so only the order is asserted.
    expect(constantStep).toBeGreaterThan(shipped);
  });
});
