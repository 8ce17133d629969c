import { describe, expect, it } from 'vitest';
import { compilePhrase, findPhrase, PhraseList, sameWord, wordsOf } from '../../../src/core/understand/phrases.js';

describe('phrases', () => {
  it('reads words folded, lower case, repeats collapsed', () => {
    expect(wordsOf('Cháy NHÀAAA, cứu!!! 113')).toEqual(['chay', 'nha', 'cuu', '113']);
  });

  it('keeps each word as typed beside the folded words, one for one', () => {
    expect(wordsOf('Cháy NHÀAAA, cứu!!! 113').typed).toEqual(['cháy', 'nhà', 'cứu', '113']);
    for (const text of ['Đường ﬁ straße 1\u0301 ²x', 'e\u0301 Ðà ǅ ωmega 中文abc 😀z', 'ĐĐĐ đường', '']) {
      expect(wordsOf(text).typed).toHaveLength(wordsOf(text).length);
    }
  });

  it('a word written with "!" must be typed with its diacritics ("cháy" folds to "chạy" and "chay")', () => {
    const fire = new PhraseList([compilePhrase('cháy!')]);
    expect(fire.containsAny(wordsOf('ngoài chợ CHÁY rồi'))).toBe(true);
    expect(fire.containsAny(wordsOf('app chạy chậm quá'))).toBe(false);
    expect(fire.containsAny(wordsOf('app chay cham qua'))).toBe(false);
    expect(fire.containsAny(wordsOf('ăn chay'))).toBe(false);
    // the words alone, cut from their message, lose what was typed: never a match
    expect(fire.containsAny(['chay'])).toBe(false);
    // tone marks placed either way ("hoả" / "hỏa") are the same word
    expect(new PhraseList([compilePhrase('hoả! hoạn')]).containsAny(wordsOf('nhà bị hỏa hoạn'))).toBe(true);
    // beside folded words in one phrase
    expect(new PhraseList([compilePhrase('cháy! to')]).containsAny(wordsOf('cháy to lắm'))).toBe(true);
  });

  it('a gap * takes 0 to 3 words', () => {
    const p = compilePhrase('nhà * cháy');
    expect(findPhrase(wordsOf('nhà cháy'), p)).toEqual([0, 2]);
    expect(findPhrase(wordsOf('ôi nhà tôi đang bị cháy'), p)).toEqual([1, 6]);
    expect(findPhrase(wordsOf('nhà tôi ở xa lắm không cháy'), p)).toBeNull();
  });

  it('one typo in a long word, none in a short one', () => {
    expect(sameWord('khoang', 'khoan')).toBe(true);
    expect(sameWord('chuyne', 'chuyen')).toBe(true);
    expect(sameWord('tron', 'trom')).toBe(false);
    expect(sameWord('than', 'thank')).toBe(false);
    // another first letter is another word: "xuống" is not "đường" ("tuột chân xuống" is not "chặn đường")
    expect(sameWord('xuong', 'duong')).toBe(false);
  });

  it('a cautious phrase matches its words typed bare or as written, not typed with other diacritics', () => {
    const list = new PhraseList([compilePhrase('năm ngoái', { cautious: true })]);
    expect(list.containsAny(wordsOf('năm ngoái'))).toBe(true);
    expect(list.containsAny(wordsOf('NĂM NGOÁI'))).toBe(true);
    expect(list.containsAny(wordsOf('nam ngoai'))).toBe(true);
    expect(list.containsAny(wordsOf('nằm ngoài sân'))).toBe(false);
    // the same phrase in an ordinary list reads every spelling alike
    expect(new PhraseList([compilePhrase('năm ngoái')]).containsAny(wordsOf('nằm ngoài sân'))).toBe(true);
  });

  it('at each start, the longest phrase comes first, whatever order they were written in', () => {
    const list = new PhraseList(['chào', 'chào buổi sáng', 'chào buổi'].map((p) => compilePhrase(p)));
    expect([...list.spans(wordsOf('chào buổi sáng'))][0]).toEqual([0, 3]);
  });
});
