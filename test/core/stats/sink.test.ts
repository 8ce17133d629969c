import { describe, expect, it } from 'vitest';
import type { DialogEvent } from '../../../src/core/stats/events.js';
import { HIDDEN_CODE, MAX_STORED_TEXT, sanitizeEvent, StatsSink, statsUserKey } from '../../../src/core/stats/sink.js';
import type { StatsContext, StatsStore } from '../../../src/core/stats/store.js';

function capture() {
  const got: Array<{ event: DialogEvent; context: StatsContext }> = [];
  const store = { record: async (event: DialogEvent, context: StatsContext) => void got.push({ event, context }) } as unknown as StatsStore;
  return { got, store };
}
const ctx = { channel: 'zalo', userKey: 'ps.0123456789abcdef0123456789abcdef', at: 1_741_000_000_000 };

describe('sanitizeEvent', () => {
  it('scrubs question text and normalized text again, bounded in length', () => {
    const e = sanitizeEvent({
      type: 'question',
      text: 'sđt của tôi 0912345678, cccd 001203004567 ' + 'x'.repeat(1000),
      normalized: 'sdt cua toi 0912345678',
      matchedId: 'faq-otp',
      nearestId: 'faq-otp',
      score: 0.87654321,
      outcome: 'answered',
    });
    expect(e).toMatchObject({ type: 'question', matchedId: 'faq-otp', score: 0.8765, outcome: 'answered' });
    const q = e as Extract<DialogEvent, { type: 'question' }>;
    expect(q.text).toContain('[SĐT]');
    expect(q.text).not.toContain('0912345678');
    expect(q.text).not.toContain('001203004567');
    expect(q.text.length).toBeLessThanOrEqual(MAX_STORED_TEXT);
    expect(q.normalized).toBe('sdt cua toi [SĐT]');
  });

  it('drops unknown fields and bad ids, fixes bad outcomes and scores', () => {
    const e = sanitizeEvent({
      type: 'question',
      text: 'hi',
      normalized: 'hi',
      matchedId: '<script>',
      nearestId: 'Nguyễn Văn An',
      score: Number.NaN,
      outcome: 'whatever',
      rawUserId: '123456789',
    } as unknown as DialogEvent);
    expect(e).toEqual({ type: 'question', text: 'hi', normalized: 'hi', matchedId: null, nearestId: null, score: 0, outcome: 'unanswered' });
    expect(sanitizeEvent({ type: 'entry-view', entryId: '../../etc' })).toBeNull();
    expect(sanitizeEvent({ type: 'walk-step', guideId: 'guide-activate', step: 0 })).toBeNull();
    expect(sanitizeEvent({ type: 'walk-step', guideId: 'guide-activate', step: 1.5 })).toBeNull();
    expect(sanitizeEvent({ type: 'walk-stuck', guideId: 'guide-activate', step: 3 })).toEqual({ type: 'walk-stuck', guideId: 'guide-activate', step: 3 });
    expect(sanitizeEvent({ type: 'nope' } as unknown as DialogEvent)).toBeNull();
    expect(sanitizeEvent({ type: 'sensitive-data', kinds: ['phone', 'phone', 'x', 7] as unknown as string[] })).toEqual({ type: 'sensitive-data', kinds: ['phone'] });
    // Emergencies keep their kinds only: a text slipped into the list is dropped.
    expect(sanitizeEvent({ type: 'emergency', kinds: ['fire', 'nhà tôi ở số 5 đang cháy', 'fire'], text: 'x' } as unknown as DialogEvent)).toEqual({ type: 'emergency', kinds: ['fire'] });
    expect(sanitizeEvent({ type: 'smalltalk', kind: 'thanks' })).toEqual({ type: 'smalltalk', kind: 'thanks' });
    expect(sanitizeEvent({ type: 'smalltalk', kind: 'cảm ơn chị Lan' })).toBeNull();
  });

  it('keeps referral codes, hides the ones that are personal data', () => {
    expect(sanitizeEvent({ type: 'conversation-start', referral: 'DTN01' })).toEqual({ type: 'conversation-start', referral: 'DTN01' });
    expect(sanitizeEvent({ type: 'conversation-start', referral: 'doan-tn-2025' })).toEqual({ type: 'conversation-start', referral: 'doan-tn-2025' });
    expect(sanitizeEvent({ type: 'conversation-start', referral: '0912345678' })).toEqual({ type: 'conversation-start', referral: HIDDEN_CODE });
    expect(sanitizeEvent({ type: 'conversation-start', referral: 'cb001203004567' })).toEqual({ type: 'conversation-start', referral: HIDDEN_CODE });
    expect(sanitizeEvent({ type: 'conversation-start', referral: 'bad code with spaces' })).toEqual({ type: 'conversation-start' });
    expect(sanitizeEvent({ type: 'conversation-start' })).toEqual({ type: 'conversation-start' });
  });

  it('delivery-failure codes: platform codes kept, anything else replaced', () => {
    expect(sanitizeEvent({ type: 'delivery-failure', code: '-230' })).toEqual({ type: 'delivery-failure', code: '-230' });
    expect(sanitizeEvent({ type: 'delivery-failure', code: 'telegram:403' })).toEqual({ type: 'delivery-failure', code: 'telegram:403' });
    expect(sanitizeEvent({ type: 'delivery-failure', code: 'user 0912345678 blocked' })).toEqual({ type: 'delivery-failure', code: 'unknown' });
    expect(sanitizeEvent({ type: 'delivery-failure', code: 'u0912345678' })).toEqual({ type: 'delivery-failure', code: HIDDEN_CODE });
  });
});

describe('statsUserKey', () => {
  it('shortens pseudonyms and hashes anything that is not one', () => {
    expect(statsUserKey('ps.0123456789abcdef0123456789abcdef')).toBe('0123456789abcdef');
    const raw = statsUserKey('0912345678');
    expect(raw).toMatch(/^[0-9a-f]{16}$/);
    expect(raw).not.toContain('0912345678');
    expect(statsUserKey('0912345678')).toBe(raw);
  });

  it('never keeps any part of a raw id, however much it looks like hex (a 19-digit Zalo id was kept as its first 16 digits)', () => {
    for (const id of ['4455667788990011223', '7733112299', '0123456789abcdef0123456789abcdef', '8a3f9c0d2b1e4f5a9d']) {
      const key = statsUserKey(id);
      expect(key).toMatch(/^[0-9a-f]{16}$/);
      expect(id.includes(key) || key.includes(id.slice(0, 8))).toBe(false);
    }
  });
});

describe('StatsSink', () => {
  it('writes sanitized events with the short key, channel and commune', async () => {
    const { got, store } = capture();
    const sink = new StatsSink({ store, commune: 'xa-test' });
    await sink.record({ type: 'question', text: 'mk: Abc@12345', normalized: 'mk', matchedId: null, nearestId: null, score: 0, outcome: 'unanswered' }, ctx);
    await sink.record({ type: 'entry-view', entryId: 'NOT AN ID' }, ctx);
    expect(got).toHaveLength(1);
    expect(got[0]!.context).toEqual({ channel: 'zalo', userKey: '0123456789abcdef', at: ctx.at, commune: 'xa-test' });
    expect((got[0]!.event as { text: string }).text).toBe('mk: [MẬT KHẨU]');
  });

  it('never throws into the engine; reports the error only', async () => {
    const errors: unknown[] = [];
    const store = { record: async () => Promise.reject(new Error('SQLITE_FULL')) } as unknown as StatsStore;
    const sink = new StatsSink({ store, onError: (e) => errors.push(e) });
    await expect(sink.record({ type: 'conversation-start' }, ctx)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('falls back to safe channel, commune and time', async () => {
    const { got, store } = capture();
    await new StatsSink({ store, commune: 'bad commune!' }).record({ type: 'conversation-start' }, { channel: 'x y', userKey: 'abc', at: Number.NaN });
    expect(got[0]!.context.channel).toBe('unknown');
    expect(got[0]!.context.commune).toBe('default');
    expect(Number.isFinite(got[0]!.context.at)).toBe(true);
  });
});
