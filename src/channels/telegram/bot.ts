/**
 * Telegram adapter (grammY). Translates updates into dialog turns and replies into messages
 * with inline keyboards. The walkthrough logic lives in the core engine, shared by every
 * channel; @grammyjs/conversations runs the one Telegram-only exchange, making a share link
 * (share.ts), with its state stored by conversation-storage.ts.
 */
import { Bot, InlineKeyboard, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { autoRetry } from '@grammyjs/auto-retry';
import { conversations, createConversation, type ConversationFlavor } from '@grammyjs/conversations';
import type { DialogEngine } from '../../core/dialog/engine.js';
import type { Reply } from '../../core/dialog/reply.js';
import { pseudonymize } from '../../core/privacy/pseudonym.js';
import type { Storage } from '../../storage/storage.js';
import type { EventSink } from '../../core/stats/events.js';
import { permanentFailureCode } from './permanent-error.js';
import { privateConversationStorage } from './conversation-storage.js';
import {
  SHARE_CONVERSATION,
  SHARE_LABEL,
  SHARE_PAYLOAD,
  SHARE_SKIP,
  SHARE_STORAGE_VERSION,
  SHARE_TTL_MS,
  sendShareLink,
  shareConversation,
} from './share.js';

export type TelegramContext = ConversationFlavor<Context>;
/** Key prefix of a waiting conversation's state in the key-value table. */
export const CONVERSATION_KEY_PREFIX = 'tg-share:';

export interface TelegramBotOptions {
  token: string;
  apiRoot: string;
  engine: DialogEngine;
  storage: Storage;
  /** Pseudonymization secret: chat ids are never stored. */
  secret: string;
  /** Skips getMe (tests, or a known bot). */
  botInfo?: UserFromGetMe;
  /** Retries of outgoing calls (429 retry_after, 5xx). */
  maxRetries?: number;
  /** Where delivery failures are counted for the officials' dashboard. */
  sink?: EventSink;
  /**
   * The commune this bot belongs to (communes.yaml id): every turn carries it, and its users,
   * dedupe marks and waiting exchanges are kept apart from other bots' (update ids are per bot).
   */
  commune?: string;
  /** Told about permanent delivery failures (codes only). */
  log?: { warn: (obj: object, msg: string) => void; debug: (obj: object, msg: string) => void };
}

export function keyboard(reply: Reply): InlineKeyboard | undefined {
  if (!reply.buttons?.length) return undefined;
  // One button a row: big tap targets, labels never cut.
  return InlineKeyboard.from(reply.buttons.map((b) => [InlineKeyboard.text(b.label, b.payload)]));
}

async function send(ctx: Context, replies: Reply[]): Promise<void> {
  for (const r of replies) {
    const markup = keyboard(r);
    await ctx.reply(r.text, markup ? { reply_markup: markup } : {});
  }
}

export function createTelegramBot(o: TelegramBotOptions): Bot<TelegramContext> {
  const bot = new Bot<TelegramContext>(o.token, {
    ...(o.botInfo ? { botInfo: o.botInfo } : {}),
    client: { apiRoot: o.apiRoot, timeoutSeconds: 15 },
  });
  const retry = autoRetry({ maxRetryAttempts: o.maxRetries ?? 3, maxDelaySeconds: 30 });
  bot.api.config.use(retry);
  const scope = o.commune ? `telegram:${o.commune}` : 'telegram';
  const userKey = (ctx: Context) => pseudonymize(o.secret, scope, String(ctx.chatId ?? ctx.from?.id ?? 'unknown'));
  const bound = o.commune ? { commune: o.commune } : {};

  // A redelivered update (same update_id) is processed once. If handling fails, the mark is
  // removed so that Telegram's redelivery gets a second chance; unless the failure is permanent
  // (blocked, chat gone): then the turn has run and a redelivery would only run it again, so
  // the update stays processed, the webhook answers 200 and officials see a delivery failure.
  bot.use(async (ctx, next) => {
    const id = String(ctx.update.update_id);
    if (!(await o.storage.markProcessed(scope, id))) return;
    try {
      await next();
    } catch (err) {
      const code = permanentFailureCode(err);
      if (code) {
        o.log?.warn({ updateId: ctx.update.update_id, code }, 'Telegram: không gửi được tin (lỗi vĩnh viễn), không thử lại');
        await o.sink?.record({ type: 'delivery-failure', code }, { channel: 'telegram', userKey: userKey(ctx), at: Date.now(), ...bound });
        return;
      }
      await o.storage.forgetProcessed(scope, id);
      throw err;
    }
  });

  /** Stops the button's spinner. A query that is too old (400) must not cost the citizen the answer. */
  const acknowledge = async (ctx: Context) => {
    try {
      await ctx.answerCallbackQuery();
    } catch (err) {
      const code = permanentFailureCode(err);
      if (!code) throw err;
      o.log?.debug({ updateId: ctx.update.update_id, code }, 'Telegram: answerCallbackQuery bị từ chối, vẫn trả lời');
    }
  };

  bot.use(
    conversations<TelegramContext, Context>({
      storage: {
        type: 'key',
        version: SHARE_STORAGE_VERSION,
        // The pseudonym, never the chat id (grammY's default key).
        getStorageKey: userKey,
        adapter: privateConversationStorage(o.storage, { prefix: CONVERSATION_KEY_PREFIX, ttlMs: SHARE_TTL_MS }),
      },
      // Conversations get a fresh Api: give it the same retries.
      plugins: [
        async (ctx, next) => {
          ctx.api.config.use(retry);
          await next();
        },
      ],
    }),
  );
  bot.use(createConversation<TelegramContext, Context>(shareConversation, SHARE_CONVERSATION));

  bot.callbackQuery(SHARE_PAYLOAD, async (ctx) => {
    await acknowledge(ctx);
    await ctx.conversation.enter(SHARE_CONVERSATION);
  });
  // "Bỏ qua": the plain link (a waiting exchange has ended and let the tap through, share.ts).
  bot.callbackQuery(SHARE_SKIP, async (ctx) => {
    await acknowledge(ctx);
    await sendShareLink(ctx);
  });

  bot.on('callback_query:data', async (ctx) => {
    await acknowledge(ctx);
    // Callback data is ours (≤ 64 bytes); replies are new messages, nothing is edited away.
    await send(ctx, await o.engine.handle({ channel: 'telegram', userKey: userKey(ctx), payload: ctx.callbackQuery.data, ...bound }));
  });

  bot.on('message:text', async (ctx) => {
    const replies = await o.engine.handle({ channel: 'telegram', userKey: userKey(ctx), text: ctx.message.text, ...bound });
    // After the greeting, volunteers can make a share link.
    if (/^\/start\b/.test(ctx.message.text) && replies[0] && !replies[0].buttons) {
      replies[0] = { ...replies[0], buttons: [{ label: SHARE_LABEL, payload: SHARE_PAYLOAD }] };
    }
    await send(ctx, replies);
  });

  bot.on('message', async (ctx) => {
    await send(ctx, await o.engine.handle({ channel: 'telegram', userKey: userKey(ctx), nonText: true, ...bound }));
  });

  return bot;
}
