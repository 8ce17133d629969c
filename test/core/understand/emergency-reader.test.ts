import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../../src/core/knowledge.js';
import { detectEmergency } from '../../../src/core/understand/emergency.js';
import { EmergencyReader, readExamplesFile, type ReaderExample } from '../../../src/core/understand/emergency-reader.js';
import { loadIntents } from '../../../src/core/understand/intents.js';
import { interpret } from '../../../src/core/understand/interpret.js';
import { wordsOf } from '../../../src/core/understand/phrases.js';

const example = (text: string, ...numbers: Array<'113' | '114' | '115'>): ReaderExample => ({ words: wordsOf(text), numbers });

// A small world: smoke and someone not moving are emergencies; the same words in a question are not.
const examples: ReaderExample[] = [
  example('khói đen bốc lên từ mái nhà bên cạnh', '114'),
  example('khói mù mịt trong nhà kho, không ai ra', '114'),
  example('khói đặc tràn ra hành lang chung cư', '114'),
  example('ông cụ nằm bất động bên đường', '115'),
  example('bà nằm bất động trên sàn, gọi không trả lời', '115'),
  example('thằng bé nằm bất động dưới gốc cây', '115'),
  example('có người lạ lảng vảng cạy cửa nhà hàng xóm', '113'),
  example('mấy thằng lạ mặt đang cạy cổng', '113'),
  example('máy lọc không khí có lọc được khói không'),
  example('khói bụi ngoài đường nhiều quá, đeo khẩu trang gì'),
  example('nằm cả ngày xem phim bất động luôn'),
  example('cửa nhà bị kẹt khóa, thợ sửa khóa ở đâu'),
  example('cài vneid thế nào'),
  example('quên mật khẩu vneid'),
];

describe('the emergency reader (what no phrase names)', () => {
  const reader = EmergencyReader.train(examples, { threshold: 0.6, epochs: 30, learningRate: 0.5, l2: 0.001 });

  it('reads a described emergency it was not shown word for word, with the numbers it needs', () => {
    expect(reader.read(wordsOf('khói đen bốc lên từ mái nhà kho'))).toEqual(['114']);
    expect(reader.read(wordsOf('ong cu nam bat dong o dau ngo'))).toEqual(['115']);
    expect(reader.read(wordsOf('có người lạ đang cạy cửa'))).toEqual(['113']);
  });

  it('leaves questions and everyday talk alone', () => {
    expect(reader.read(wordsOf('cài vneid thế nào'))).toEqual([]);
    expect(reader.read(wordsOf('khẩu trang nào lọc được khói bụi'))).toEqual([]);
  });

  it('learns the same weights on every start, whatever the order of the examples', () => {
    const again = EmergencyReader.train([...examples].reverse(), reader.settings);
    const text = wordsOf('khói bốc lên, ông cụ nằm bất động');
    const a = reader.probabilities(text);
    const b = EmergencyReader.train(examples, reader.settings).probabilities(text);
    expect(b).toEqual(a);
    // reversed input, same interleaving of the groups: close, not necessarily equal to the last digit
    again.probabilities(text).forEach((p, k) => expect(Math.abs(p - a[k]!)).toBeLessThan(0.2));
  });

  it('speaks only when no phrase does, and never when a not-phrase says the message is past or supposed', () => {
    const intents = { ...loadIntents(), reader };
    // named by a phrase: the phrase's kind, and the reader finds nothing to add
    expect(detectEmergency(wordsOf('cháy nhà'), intents)?.kinds).toEqual(['fire']);
    expect(detectEmergency(wordsOf('cháy nhà'), intents)?.fromReader).toBe(false);
    // named by nothing: the reader's
    expect(detectEmergency(wordsOf('khói đặc tràn ra hành lang nhà kho'), intents)?.kinds).toEqual(['fire']);
    expect(detectEmergency(wordsOf('khói đặc tràn ra hành lang nhà kho'), { ...intents, reader: undefined })).toBeNull();
    // a not-phrase ("năm ngoái"): nothing, however sure the reader
    expect(reader.read(wordsOf('năm ngoái khói đặc tràn ra hành lang nhà kho'))).toEqual(['114']);
    expect(detectEmergency(wordsOf('năm ngoái khói đặc tràn ra hành lang nhà kho'), intents)).toBeNull();
  });

  it('completes the numbers of a danger a phrase named with what the message describes', () => {
    const intents = { ...loadIntents(), reader };
    // the phrase names the fire, the message describes its victim: 114 and 115
    const text = wordsOf('cháy nhà rồi, bà nằm trên sàn gọi không trả lời');
    expect(detectEmergency(text, { ...intents, reader: undefined })?.kinds).toEqual(['fire']);
    expect(detectEmergency(text, intents)).toMatchObject({ kinds: ['fire', 'medical'], fromReader: false });
    // what a not-phrase made past is not read: the old victim adds nothing to today's fire
    expect(detectEmergency(wordsOf('năm ngoái bà nằm trên sàn gọi không trả lời nhưng giờ cháy nhà rồi'), intents)?.kinds).toEqual(['fire']);
    // a bare call for help already gives every number: the reader has nothing to complete
    expect(detectEmergency(wordsOf('cứu với, bà nằm trên sàn gọi không trả lời'), intents)?.kinds).toEqual(['urgent']);
  });
});

describe('content/emergency-examples.yaml', () => {
  it('is read with its settings, and a wrong key is refused with a Vietnamese message', () => {
    const { examples: read, settings } = readExamplesFile();
    expect(read.length).toBeGreaterThan(500);
    expect(read.some((e) => e.numbers.length === 0)).toBe(true);
    expect(settings.threshold).toBeGreaterThanOrEqual(0.5);
    const dir = mkdtempSync(join(tmpdir(), 'reader-'));
    writeFileSync(join(dir, 'bad.yaml'), 'examples:\n  "112": [cháy]\n');
    expect(() => readExamplesFile(join(dir, 'bad.yaml'))).toThrow(/khóa là .{1,2}none.{1,2} hoặc các số 113, 114, 115/);
  });

  it('trained on it, the bot reads none of the content\'s own titles and phrasings as an emergency (checked in emergency.test.ts) and reads one it was not shown', () => {
    const knowledge = loadKnowledge();
    expect(knowledge.intents.reader).toBeDefined();
    // what a parent sees, in no phrase of the lists
    const text = 'thằng nhỏ trong bồn tắm im re, môi tím ngắt';
    expect(detectEmergency(wordsOf(text), { ...knowledge.intents, reader: undefined })).toBeNull();
    const u = interpret(text, knowledge);
    expect(u.intent).toBe('emergency');
    expect(u.intent === 'emergency' && u.numbers).toEqual(['115']);
    // the reader guesses: beside laughter, a guess is a joke (a phrase's named danger would not be)
    expect(interpret(`${text} =)))`, knowledge).intent).not.toBe('emergency');
  });
});
