/**
 * The review service and the sliced matcher build behind it: the rebuilt matcher ranks exactly as
 * one built at start-up; the bot keeps answering with the old matcher while a new one is built;
 * concurrent changes share rebuilds and all take effect.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Matcher } from '../../../src/core/match/matcher.js';
import { ReviewService } from '../../../src/core/review/service.js';
import { withLearnedPhrasings } from '../../../src/core/review/learned.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SqliteReviewStore } from '../../../src/storage/sqlite-review.js';
import { sharedKnowledge } from '../../helpers/engine.js';

const { knowledge } = sharedKnowledge();
const OUT_OF_SCOPE = readFileSync(new URL('../../fixtures/out-of-scope.txt', import.meta.url), 'utf8').split('\n').filter(Boolean);

function service(onRebuilt?: (info: { ms: number; phrasings: number }) => void) {
  const storage = new SqliteStorage(':memory:');
  const own = { ...knowledge };
  const review = new ReviewService({ store: new SqliteReviewStore(storage.db), knowledge: own, ...(onRebuilt ? { onRebuilt } : {}) });
  return { own, review, storage };
}

describe('Matcher.build', () => {
  it('ranks exactly as the matcher built at start-up', async () => {
    const built = await Matcher.build(knowledge.content, knowledge.lexicon, knowledge.tuning, { resultCache: 0 });
    const direct = new Matcher(knowledge.content, knowledge.lexicon, knowledge.tuning, { resultCache: 0 });
    const questions = [...knowledge.content.entries.flatMap((e) => e.phrasings.slice(0, 2)), ...OUT_OF_SCOPE];
    for (const q of questions) expect(built.match(q), q).toEqual(direct.match(q));
  });

  it('gives the event loop back while building: the old matcher answers meanwhile', async () => {
    const answered: Array<string | null> = [];
    let done = false;
    const tick = () => {
      if (done) return;
      answered.push(knowledge.matcher.match('ko nhan dc otp').id);
      setImmediate(tick);
    };
    setImmediate(tick);
    // sliceMs 0: give the loop back after every entry, so the interleaving does not depend on speed.
    await Matcher.build(knowledge.content, knowledge.lexicon, knowledge.tuning, { sliceMs: 0 });
    done = true;
    expect(answered.length).toBeGreaterThanOrEqual(knowledge.content.entries.length);
    expect(new Set(answered)).toEqual(new Set(['faq-otp']));
  });
});

describe('ReviewService', () => {
  it('learned phrasings are added to a copy of the content; the files base is untouched', () => {
    const change = { id: 1, kind: 'phrasing' as const, entryId: 'faq-otp', text: 'mã về chậm quá', normalized: '', by: 'admin', at: 0, undoneAt: null, undoneBy: null };
    const learned = withLearnedPhrasings(knowledge.content, [change]);
    expect(learned.byId.get('faq-otp')!.phrasings.at(-1)).toBe('mã về chậm quá');
    expect(knowledge.content.byId.get('faq-otp')!.phrasings).not.toContain('mã về chậm quá');
    expect(withLearnedPhrasings(knowledge.content, [{ ...change, undoneAt: 5 }])).toBe(knowledge.content);
  });

  it('swaps the matcher only when the new one is ready; concurrent changes share rebuilds and all apply', async () => {
    const rebuilds: number[] = [];
    const { own, review, storage } = service((i) => rebuilds.push(i.phrasings));
    const before = own.matcher;
    const q1 = 'vneid đứng hình từ sáng tới giờ';
    const q2 = 'điện thoại mở vneid cứ xoay tròn trắng màn hình';
    const first = review.attach({ text: q1, id: 'faq-system-busy' }, 'admin');
    const second = review.attach({ text: q2, id: 'faq-system-busy' }, 'admin');
    expect(own.matcher).toBe(before); // nothing half-built is ever in use
    const [a, b] = await Promise.all([first, second]);
    expect(a.applied && b.applied).toBe(true);
    expect(own.matcher).not.toBe(before);
    expect(own.matcher.match(q1).id).toBe('faq-system-busy');
    expect(own.matcher.match(q2).id).toBe('faq-system-busy');
    expect(rebuilds.length).toBeLessThanOrEqual(2);
    expect(rebuilds.at(-1)).toBe(2);
    // The original knowledge object (shared by the other tests) never changed.
    expect(knowledge.matcher.match(q1).id).toBeNull();
    // Undo both: back to the very matcher built at start-up, without a rebuild.
    await review.undo(a.change.id, 'admin');
    await review.undo(b.change.id, 'admin');
    expect(own.matcher).toBe(before);
    await storage.close();
  });

  it('finds an entry by id, by "Tiêu đề (id)", or by its exact title', () => {
    const { review } = service();
    const busy = knowledge.content.byId.get('faq-system-busy')!;
    expect(review.resolveEntry('faq-system-busy')).toBe(busy);
    expect(review.resolveEntry(`${busy.title} (faq-system-busy)`)).toBe(busy);
    expect(review.resolveEntry(busy.title.toUpperCase())).toBe(busy);
    expect(review.resolveEntry('không có')).toBeUndefined();
  });

  it('dismissals hide the question from the review list, by its text or its normalized form', async () => {
    const { review } = service();
    await review.dismiss({ text: 'Giá vàng hôm nay?', normalized: 'gia vang hom nay' }, 'admin');
    expect(review.isReviewed({ text: 'giá vàng hôm nay', normalized: 'x' })).toBe(true);
    expect(review.isReviewed({ text: 'khác', normalized: 'gia vang hom nay' })).toBe(true);
    expect(review.isReviewed({ text: 'tỷ giá đô la', normalized: 'ty gia do la' })).toBe(false);
    await expect(review.dismiss({ text: 'giá vàng hôm nay' }, 'admin')).rejects.toThrow('Câu hỏi này đã được bỏ qua rồi.');
  });
});

