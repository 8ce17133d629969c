import { describe, expect, it } from 'vitest';
import { intentsSchema } from '../../../src/core/understand/intents.js';

/** A valid intents file with `phrase` as the only fire phrase. */
const withFire = (phrase: string) => {
  const list = ['x'];
  return {
    emergency: { police: list, fire: [phrase], medical: list, scam: list, urgent: list, not: list },
    smalltalk: { thanks: list, bye: list, who: list, ack: list, hello: list, filler: list },
  };
};
const problems = (phrase: string) => {
  const r = intentsSchema.safeParse(withFire(phrase));
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('content/intents.yaml phrases', () => {
  it('accepts words, gaps between words, and "!" after a word with diacritics', () => {
    expect(problems('cháy nhà')).toEqual([]);
    expect(problems('nhà * cháy!')).toEqual([]);
    expect(problems('cháy! to')).toEqual([]);
  });

  it('refuses "!" after a word without diacritics (it would match nothing typed), and a gap at either end', () => {
    expect(problems('chay!')).toEqual(['dấu ! chỉ đứng sau một từ có dấu ("cháy!")']);
    expect(problems('* cháy')).toEqual(['dấu * chỉ đứng giữa hai từ']);
    expect(problems('!')).not.toEqual([]);
  });
});
