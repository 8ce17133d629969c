import { describe, expect, it } from 'vitest';
import { compilePhrase, findPhrase, PhraseList, sameWord, wordsOf } from '../../../src/core/understand/phrases.js';

describe('phrases', () => {
  it('reads words folded, lower case, repeats collapsed', () => {
    expect(wordsOf('Cháy NHÀAAA, cứu!!! 113')).toEqual(['chay', 'nha', 'cuu', '113']);
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
  });

  it('at each start, the longest phrase comes first, whatever order they were written in', () => {
    const list = new PhraseList(['chào', 'chào buổi sáng', 'chào buổi'].map(compilePhrase));
    expect([...list.spans(wordsOf('chào buổi sáng'))][0]).toEqual([0, 3]);
  });
});
