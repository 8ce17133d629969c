/**
 * Telegram adapter (grammY). Translates updates into dialog turns and replies into messages
 * with inline keyboards. The walkthrough logic lives in the core engine, shared by every
 * channel; @grammyjs/conversations runs the one Telegram-only exchange: making a share link.
 */
import { Bot, InlineKeyboard, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { autoRetry } from '@grammyjs/auto-retry';
import { conversations, createConversation, type Conversation, type ConversationFlavor } from '@grammyjs/conversations';
import type { DialogEngine } from '../../core/dialog/engine.js';
import { PAYLOAD_PREFIX, type Reply } from '../../core/dialog/reply.js';
import { pseudonymize } from '../../core/privacy/pseudonym.js';
import type { Storage } from '../../storage/storage.js';

export type TelegramContext = ConversationFlavor<Context>;

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
}

export const SHARE_PAYLOAD = `${PAYLOAD_PREFIX}share`;
const SHARE_SKIP = `${PAYLOAD_PREFIX}share:skip`;
const SHARE_LABEL = 'Chia sẻ cho người thân';
const TEAM_CODE = /^[A-Za-z0-9_-]{2,24}$/;

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

/** Telegram-only: a volunteer gets a t.me link carrying their team code (counted in statistics). */
async function shareConversation(conversation: Conversation<TelegramContext, TelegramContext>, ctx: TelegramContext) {
  await ctx.reply(
    'Bạn là tình nguyện viên hoặc thuộc đội hỗ trợ? Gửi mã đội của bạn (chữ và số, ví dụ DOANTN01) để số người bạn giới thiệu được ghi nhận. Nếu không, bấm "Bỏ qua".',
    { reply_markup: new InlineKeyboard().text('Bỏ qua', SHARE_SKIP) },
  );
  const next = await conversation.wait();
  let code: string | undefined;
  if (next.callbackQuery?.data === SHARE_SKIP) await next.answerCallbackQuery();
  else if (next.message?.text && TEAM_CODE.test(next.message.text.trim())) code = next.message.text.trim();
  else if (next.message?.text) await next.reply('Mã đội chỉ gồm chữ, số, dấu - hoặc _ (2–24 ký tự). Mình gửi đường dẫn chung nhé.');
  // Anything else (another button, a sticker) leaves the exchange and is handled normally.
  else await conversation.halt({ next: true });
  const link = `https://t.me/${next.me.username}?start=${code ? `ref_${code}` : 'share'}`;
  await next.reply(`Gửi đường dẫn này cho người thân, hàng xóm để họ được hướng dẫn dùng VNeID:\n${link}`, {
    link_preview_options: { is_disabled: true },
  });
}

export function createTelegramBot(o: TelegramBotOptions): Bot<TelegramContext> {
  const bot = new Bot<TelegramContext>(o.token, {
    ...(o.botInfo ? { botInfo: o.botInfo } : {}),
    client: { apiRoot: o.apiRoot, timeoutSeconds: 15 },
  });
  const retry = autoRetry({ maxRetryAttempts: o.maxRetries ?? 3, maxDelaySeconds: 30 });
  bot.api.config.use(retry);
  const userKey = (ctx: Context) => pseudonymize(o.secret, 'telegram', String(ctx.chatId ?? ctx.from?.id ?? 'unknown'));

  // A redelivered update (same update_id) is processed once. If handling fails, the mark is
  // removed so that Telegram's redelivery gets a second chance.
  bot.use(async (ctx, next) => {
    const id = String(ctx.update.update_id);
    if (!(await o.storage.markProcessed('telegram', id))) return;
    try {
      await next();
    } catch (err) {
      await o.storage.forgetProcessed('telegram', id);
      throw err;
    }
  });

  bot.use(
    conversations<TelegramContext, TelegramContext>({
      storage: {
        type: 'key',
        version: 1,
        getStorageKey: (ctx) => (ctx.chatId === undefined ? undefined : userKey(ctx)),
        adapter: {
          read: async (key) => {
            const v = await o.storage.getValue(`tg-conv:${key}`);
            return v ? JSON.parse(v) : undefined;
          },
          write: (key, state) => o.storage.setValue(`tg-conv:${key}`, JSON.stringify(state)),
          delete: (key) => o.storage.deleteValue(`tg-conv:${key}`),
        },
      },
      // Conversations get a fresh Api: give it the same retries.
      plugins: [async (ctx, next) => {
        ctx.api.config.use(retry);
        await next();
      }],
    }),
  );
  bot.use(createConversation(shareConversation, 'share'));

  bot.callbackQuery(SHARE_PAYLOAD, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter('share');
  });

  bot.on('callback_query:data', async (ctx) => {
    await ctx.answerCallbackQuery();
    // Callback data is ours (≤ 64 bytes); replies are new messages, nothing is edited away.
    await send(ctx, await o.engine.handle({ channel: 'telegram', userKey: userKey(ctx), payload: ctx.callbackQuery.data }));
  });

  bot.on('message:text', async (ctx) => {
    const replies = await o.engine.handle({ channel: 'telegram', userKey: userKey(ctx), text: ctx.message.text });
    // After the greeting, volunteers can make a share link.
    if (/^\/start\b/.test(ctx.message.text) && replies[0] && !replies[0].buttons) {
      replies[0] = { ...replies[0], buttons: [{ label: SHARE_LABEL, payload: SHARE_PAYLOAD }] };
    }
    await send(ctx, replies);
  });

  bot.on('message', async (ctx) => {
    await send(ctx, await o.engine.handle({ channel: 'telegram', userKey: userKey(ctx), nonText: true }));
  });

  return bot;
}
