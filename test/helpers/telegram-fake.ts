/** A fake Telegram Bot API on 127.0.0.1: records every call grammY makes, answers like Telegram. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UserFromGetMe } from 'grammy/types';

export interface ApiCall {
  method: string;
  token: string;
  body: Record<string, unknown>;
}

export const BOT_INFO: UserFromGetMe = {
  id: 7000000001,
  is_bot: true,
  first_name: 'Trợ lý VNeID',
  username: 'vneid_test_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
} as UserFromGetMe;

/**
 * Error bodies as the Bot API sends them (HTTP status = error_code). Descriptions are Telegram's
 * own wording: grammY and our code see exactly what production sees.
 */
export const TELEGRAM_ERRORS = {
  blocked: { error_code: 403, description: 'Forbidden: bot was blocked by the user' },
  chatNotFound: { error_code: 400, description: 'Bad Request: chat not found' },
  queryTooOld: { error_code: 400, description: 'Bad Request: query is too old and response timeout expired or query ID is invalid' },
  tooManyRequests: (retryAfter: number) => ({ error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } }),
  badGateway: { error_code: 502, description: 'Bad Gateway' },
} as const;

export type TelegramErrorBody = { error_code: number; description: string; parameters?: { retry_after?: number } };

export class FakeTelegram {
  readonly calls: ApiCall[] = [];
  private server: Server | undefined;
  private messageId = 100;
  /** Answers a method with an error once (e.g. 429) before succeeding. */
  failNext: Array<{ method: string; code: number; retryAfter?: number } | { method: string; error: TelegramErrorBody }> = [];
  /** Chats whose user blocked the bot: every call naming them gets 403, as in production. */
  readonly blockedChats = new Set<number>();
  /** Chats that do not exist (deleted account, wrong id): 400 "chat not found". */
  readonly missingChats = new Set<number>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const m = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? '');
        const method = m?.[2] ?? '';
        const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        this.calls.push({ method, token: m?.[1] ?? '', body });
        const failIndex = this.failNext.findIndex((f) => f.method === method);
        res.setHeader('content-type', 'application/json');
        const chatId = typeof body.chat_id === 'number' ? body.chat_id : undefined;
        const error: TelegramErrorBody | undefined =
          failIndex >= 0
            ? errorBody(this.failNext.splice(failIndex, 1)[0]!)
            : chatId !== undefined && this.blockedChats.has(chatId)
              ? TELEGRAM_ERRORS.blocked
              : chatId !== undefined && this.missingChats.has(chatId)
                ? TELEGRAM_ERRORS.chatNotFound
                : undefined;
        if (error) {
          res.statusCode = error.error_code;
          res.end(JSON.stringify({ ok: false, ...error }));
          return;
        }
        const result =
          method === 'getMe' ? BOT_INFO : method === 'sendMessage' ? { message_id: ++this.messageId, date: 0, chat: { id: body.chat_id, type: 'private' }, text: body.text } : true;
        res.end(JSON.stringify({ ok: true, result }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  sent(method = 'sendMessage'): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  clear(): void {
    this.calls.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

function errorBody(f: FakeTelegram['failNext'][number]): TelegramErrorBody {
  if ('error' in f) return f.error;
  if (f.code === 429) return TELEGRAM_ERRORS.tooManyRequests(f.retryAfter ?? 1);
  return { error_code: f.code, description: f.code >= 500 ? 'Internal Server Error' : 'Bad Request' };
}

let updateId = 500_000;
export function textUpdate(chatId: number, text: string, id = ++updateId) {
  return {
    update_id: id,
    message: {
      message_id: id,
      date: 1_767_000_000,
      chat: { id: chatId, type: 'private', first_name: 'Lan' },
      from: { id: chatId, is_bot: false, first_name: 'Lan', language_code: 'vi' },
      text,
      ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] } : {}),
    },
  };
}

export function callbackUpdate(chatId: number, data: string, id = ++updateId) {
  return {
    update_id: id,
    callback_query: {
      id: `cb${id}`,
      chat_instance: 'ci1',
      from: { id: chatId, is_bot: false, first_name: 'Lan' },
      message: { message_id: 1, date: 1_767_000_000, chat: { id: chatId, type: 'private' }, text: 'x' },
      data,
    },
  };
}

export function stickerUpdate(chatId: number, id = ++updateId) {
  return {
    update_id: id,
    message: {
      message_id: id,
      date: 1_767_000_000,
      chat: { id: chatId, type: 'private' },
      from: { id: chatId, is_bot: false, first_name: 'Lan' },
      sticker: { file_id: 'f', file_unique_id: 'u', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false },
    },
  };
}
