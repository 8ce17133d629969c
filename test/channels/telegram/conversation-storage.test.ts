/**
 * The conversations adapter on its own, with a state shaped as @grammyjs/conversations v2
 * writes it and Bot API results as Telegram really returns them (a sent Message carries the
 * chat's names and username, which the local fake does not echo).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VersionedState } from '@grammyjs/conversations';
import { BLANK_ID, privateConversationStorage, withoutPersonalData } from '../../../src/channels/telegram/conversation-storage.js';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { tempDir } from '../../helpers/engine.js';

const CHAT = 731_902_846_551;
const BOT_ID = 6_120_000_042;
const PERSONAL = ['Nguyễn Thị', 'Hồng Nhung', 'hongnhung_vn88', 'ci-8855221144', '+84 912 345 678', '21.0285'];
const TTL = 10 * 60_000;
const KEY = '0123456789abcdef0123456789abcdef';

/** What v2 stores after "wait → sendMessage → wait": the entering update and the sent Message. */
function realisticState(): VersionedState<unknown> {
  const person = { id: CHAT, is_bot: false, first_name: 'Nguyễn Thị', last_name: 'Hồng Nhung', username: 'hongnhung_vn88', language_code: 'vi', is_premium: true };
  const chat = { id: CHAT, type: 'private', first_name: 'Nguyễn Thị', last_name: 'Hồng Nhung', username: 'hongnhung_vn88' };
  const bot = { id: BOT_ID, is_bot: true, first_name: 'Trợ lý VNeID', username: 'vneid_test_bot' };
  return {
    version: [0, 2],
    state: {
      share: [
        {
          interrupts: [2],
          replay: {
            send: [{ payload: 'wait' }, { payload: 'sendMessage' }, { payload: 'wait' }],
            receive: [
              {
                send: 0,
                returnValue: {
                  update_id: 900001,
                  callback_query: {
                    id: 'cb-1',
                    chat_instance: 'ci-8855221144',
                    from: person,
                    message: { message_id: 7, date: 1_767_000_000, from: bot, chat, text: 'Chào bạn', contact: { phone_number: '+84 912 345 678', first_name: 'Nguyễn Thị', user_id: CHAT }, location: { latitude: 21.0285, longitude: 105.8542 } },
                    data: '#vg:share',
                  },
                },
              },
              { send: 1, returnValue: { ok: true, res: { message_id: 8, date: 1_767_000_001, from: bot, chat, text: 'Gửi mã đội của bạn' } } },
            ],
          },
        },
      ],
    },
  };
}

let tmp: ReturnType<typeof tempDir>;
let storage: SqliteStorage;
let clock = 1_800_000_000_000;
const adapter = () => privateConversationStorage<unknown>(storage, { prefix: 'tg-share:', ttlMs: TTL, now: () => clock });
const row = () => storage.db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(`tg-share:${KEY}`) as string | undefined;

beforeAll(() => {
  tmp = tempDir();
  storage = new SqliteStorage(join(tmp.dir, 'adapter.sqlite'));
});
afterAll(async () => {
  await storage.close();
  tmp.cleanup();
});

describe('conversations state adapter', () => {
  it('writes no id, name, username, language, phone, location or chat_instance, and leaves the live state untouched', async () => {
    const state = realisticState();
    const before = JSON.stringify(state);
    await adapter().write(KEY, state);
    expect(JSON.stringify(state)).toBe(before);
    const stored = row()!;
    for (const personal of [String(CHAT), String(BOT_ID), ...PERSONAL]) expect(stored).not.toContain(personal);
    for (const field of ['first_name', 'last_name', 'username', 'language_code', 'is_premium', 'chat_instance', 'contact', 'location']) expect(stored).not.toContain(`"${field}"`);
  });

  it('reads back what replay needs: the same operations, results and texts, with blank ids', async () => {
    await adapter().write(KEY, realisticState());
    const read = (await adapter().read(KEY)) as VersionedState<{ share: Array<{ interrupts: number[]; replay: { send: unknown[]; receive: Array<{ returnValue: any }> } }> }>;
    expect(read.version).toEqual([0, 2]);
    const [share] = read.state.share;
    expect(share!.interrupts).toEqual([2]);
    expect(share!.replay.send).toEqual([{ payload: 'wait' }, { payload: 'sendMessage' }, { payload: 'wait' }]);
    const [update, sent] = share!.replay.receive;
    expect(update!.returnValue.callback_query).toMatchObject({ id: 'cb-1', data: '#vg:share', from: { id: BLANK_ID, is_bot: false }, message: { chat: { id: BLANK_ID, type: 'private' }, text: 'Chào bạn' } });
    expect(sent!.returnValue).toEqual({ ok: true, res: { message_id: 8, date: 1_767_000_001, from: { id: BLANK_ID, is_bot: true }, chat: { id: BLANK_ID, type: 'private' }, text: 'Gửi mã đội của bạn' } });
  });

  it('an expired state reads as absent and is deleted', async () => {
    await adapter().write(KEY, realisticState());
    clock += TTL - 1;
    expect(await adapter().read(KEY)).toBeDefined();
    clock += 1;
    expect(await adapter().read(KEY)).toBeUndefined();
    expect(row()).toBeUndefined();
  });

  it('a value this adapter did not write (the step-and-expiry format before it, garbage) reads as absent and is deleted', async () => {
    for (const old of [JSON.stringify({ step: 'team-code', expiresAt: clock + TTL }), JSON.stringify({ expiresAt: clock + TTL, state: { version: 2 } }), 'not json', 'null']) {
      await storage.setValue(`tg-share:${KEY}`, old);
      expect(await adapter().read(KEY)).toBeUndefined();
      expect(row()).toBeUndefined();
    }
  });

  it('delete removes the state', async () => {
    await adapter().write(KEY, realisticState());
    await adapter().delete(KEY);
    expect(row()).toBeUndefined();
  });

  it('blanks people wherever they are nested, and keeps other ids and types', () => {
    const out = withoutPersonalData({ message: { message_id: 5, reply_to_message: { from: { id: 1234567, is_bot: false, first_name: 'Lan' } }, sticker: { type: 'regular', file_id: 'f' }, entities: [{ type: 'bot_command', offset: 0, length: 6 }] }, sender_chat: { id: -100123, type: 'supergroup', title: 'Tổ dân phố 5' } });
    expect(out).toEqual({ message: { message_id: 5, reply_to_message: { from: { id: BLANK_ID, is_bot: false } }, sticker: { type: 'regular', file_id: 'f' }, entities: [{ type: 'bot_command', offset: 0, length: 6 }] }, sender_chat: { id: BLANK_ID, type: 'supergroup' } });
  });
});
