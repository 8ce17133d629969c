import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../../helpers/engine.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { NUMBERED_HINT, NumberedRenderer, parseChoiceNumber, renderNumbered } from '../../../src/channels/render/numbered.js';
import { splitText } from '../../../src/channels/render/split.js';
import type { Reply } from '../../../src/core/dialog/reply.js';

describe('splitText', () => {
  it('leaves short text alone', () => {
    expect(splitText('  Xin chào  ')).toEqual(['Xin chào']);
    expect(splitText('')).toEqual([]);
  });

  it('cuts before a step rather than inside one', () => {
    const step = (n: number) => `Bước ${n}: ${'Mở ứng dụng và chọn mục. '.repeat(5).trim()}`;
    const text = [1, 2, 3, 4, 5, 6].map(step).join('\n');
    const parts = splitText(text, 400);
    expect(parts.every((p) => p.length <= 400)).toBe(true);
    expect(parts.every((p) => p.startsWith('Bước '))).toBe(true);
    expect(parts.join('\n')).toBe(text);
  });

  it('falls back to sentences, then spaces, then a hard cut that never breaks an emoji', () => {
    const sentences = 'Câu thứ nhất khá dài. Câu thứ hai cũng dài! Câu thứ ba thì sao? '.repeat(10).trim();
    const parts = splitText(sentences, 100);
    expect(parts.every((p) => p.length <= 100 && /[.!?]$/.test(p))).toBe(true);
    expect(parts.join(' ')).toBe(sentences);

    const words = 'chữ '.repeat(100).trim();
    expect(splitText(words, 50).every((p) => p.length <= 50 && !p.startsWith(' '))).toBe(true);

    const emoji = '😀'.repeat(30); // 60 UTF-16 units, no boundary at all
    const cut = splitText(emoji, 25);
    expect(cut.join('')).toBe(emoji);
    expect(cut.every((p) => p.length <= 25 && !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
  });
});

describe('numbered choices', () => {
  let tmp: ReturnType<typeof tempDir>;
  let storage: SqliteStorage;
  beforeEach(() => {
    tmp = tempDir('numbered-');
    storage = new SqliteStorage(join(tmp.dir, 'db.sqlite'));
  });
  afterEach(async () => {
    await storage.close();
    tmp.cleanup();
  });

  const menu: Reply[] = [
    { text: 'Xin chào!' },
    {
      text: 'Bạn cần hỗ trợ gì?',
      buttons: [
        { label: 'Tiện ích mức 1', payload: '#vg:m:l1' },
        { label: 'Tiện ích mức 2', payload: '#vg:m:l2' },
      ],
    },
    { text: 'Hoặc:', buttons: [{ label: 'Liên hệ hỗ trợ', payload: '#vg:m:contact' }] },
  ];

  it('renders choices as a numbered list, numbering on across the replies of a turn', async () => {
    expect(renderNumbered({ text: 'Chỉ có chữ' })).toBe('Chỉ có chữ');
    const r = new NumberedRenderer(storage);
    expect(await r.render('user-key-1', menu)).toEqual([
      'Xin chào!',
      'Bạn cần hỗ trợ gì?\n\n1. Tiện ích mức 1\n2. Tiện ích mức 2',
      `Hoặc:\n\n3. Liên hệ hỗ trợ\n${NUMBERED_HINT}`,
    ]);
  });

  it('maps "2", " 2 ", "số 2" back to the second payload, per user', async () => {
    const r = new NumberedRenderer(storage);
    await r.render('user-key-1', menu);
    for (const answer of ['2', ' 2 ', 'số 2', 'Số 2', 'so 2', '2.', 'chọn 2']) expect(await r.resolve('user-key-1', answer)).toBe('#vg:m:l2');
    expect(await r.resolve('user-key-1', '3')).toBe('#vg:m:contact');
    expect(await r.resolve('user-key-1', '4')).toBeUndefined();
    expect(await r.resolve('user-key-1', '0')).toBeUndefined();
    expect(await r.resolve('user-key-2', '2')).toBeUndefined();
    expect(await r.resolve('user-key-1', 'mức 2 có gì')).toBeUndefined();
    // Remembered in storage under the pseudonymous key: a new renderer (restart) still knows.
    expect(await new NumberedRenderer(storage).resolve('user-key-1', '1')).toBe('#vg:m:l1');
    expect(await storage.getValue('numbered:user-key-1')).toContain('#vg:m:l1');
  });

  it('forgets choices after a turn without any, and after the time limit', async () => {
    const r = new NumberedRenderer(storage, { ttlMs: 1_000 });
    await r.render('u', menu, 10_000);
    expect(await r.resolve('u', '1', 10_500)).toBe('#vg:m:l1');
    expect(await r.resolve('u', '1', 11_001)).toBeUndefined();
    await r.render('u', [{ text: 'Không có lựa chọn' }], 12_000);
    expect(await r.resolve('u', '1', 12_001)).toBeUndefined();
  });

  it.each([
    ['1', 1],
    ['  5 ', 5],
    ['số 3', 3],
    ['#4', 4],
    ['12', 12],
    ['2 giấy tờ', undefined],
    ['123', undefined],
    ['một', undefined],
    ['', undefined],
  ])('parseChoiceNumber(%j) → %s', (text, n) => expect(parseChoiceNumber(text)).toBe(n));
});
