import { describe, expect, it } from 'vitest';
import { detectSmallTalk } from '../../../src/core/understand/smalltalk.js';
import { loadIntents } from '../../../src/core/understand/intents.js';
import { wordsOf } from '../../../src/core/understand/phrases.js';

const intents = loadIntents();
const kind = (text: string) => detectSmallTalk(wordsOf(text), intents);

describe('small talk', () => {
  it.each([
    ['cảm ơn', 'thanks'],
    ['cam on chau nhe', 'thanks'],
    ['Cảm ơn bot nhiều nhé ạ!', 'thanks'],
    ['thanks', 'thanks'],
    ['ok cháu', 'ack'],
    ['dạ vâng', 'ack'],
    ['okeee', 'ack'],
    ['ok cảm ơn', 'thanks'],
    ['tạm biệt', 'bye'],
    ['chào tạm biệt nhé', 'bye'],
    ['bot ơi', 'hello'],
    ['hi', 'hello'],
    ['xin chào ad', 'hello'],
    ['bạn là ai', 'who'],
    ['ban la ai vay', 'who'],
  ])('%s → %s', (text, expected) => {
    expect(kind(text)).toBe(expected);
  });

  it.each(['cảm ơn, cho hỏi kích hoạt vneid thế nào', 'ok vậy đăng ký mức 2 ở đâu', 'chào bác, tích hợp bhyt sao', 'không', 'vneid là gì', ''])('%s is not small talk', (text) => {
    expect(kind(text)).toBeNull();
  });
});
