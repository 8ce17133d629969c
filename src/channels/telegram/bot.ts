/**
 * Telegram adapter (grammY). Translates updates into dialog turns and replies into messages
 * with inline keyboards. The walkthrough logic lives in the core engine, shared by every
 * channel; the one Telegram-only exchange, making a share link, is in share.ts.
 */
import { Bot, InlineKeyboard, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { autoRetry } from '@grammyjs/auto-retry';
import type { DialogEngine } from '../../core/dialog/engine.js';
import { PAYLOAD_PREFIX, type Reply } from '../../core/dialog/reply.js';
import { pseudonymize } from '../../core/privacy/pseudonym.js';
import type { Storage } from '../../storage/storage.js';
import { asTeamCode, ShareFlow } from './share.js';

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
const SHARE_PROMPT =
  'Bạn là tình nguyện viên hoặc thuộc đội hỗ trợ? Gửi mã đội của bạn (chữ và số, ví dụ DOANTN01) để số người bạn giới thiệu được ghi nhận. Nếu không, bấm "Bỏ qua".';

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

/** The t.me link a volunteer forwards; with a team code, starts from it are counted for the team. */
async function sendShareLink(ctx: Context, code?: string): Promise<void> {
  const link = `https://t.me/${ctx.me.username}?start=${code ? `ref_${code}` : 'share'}`;
  await ctx.reply(`Gửi đường dẫn này cho người thân, hàng xóm để họ được hướng dẫn dùng VNeID:\n${link}`, {
    link_preview_options: { is_disabled: true },
  });
}

export function createTelegramBot(o: TelegramBotOptions): Bot {
  const bot = new Bot(o.token, {
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

  const share = new ShareFlow(o.storage);
  bot.callbackQuery(SHARE_PAYLOAD, async (ctx) => {
    await ctx.answerCallbackQuery();
    await share.begin(userKey(ctx));
    await ctx.reply(SHARE_PROMPT, { reply_markup: new InlineKeyboard().text('Bỏ qua', SHARE_SKIP) });
  });
  bot.callbackQuery(SHARE_SKIP, async (ctx) => {
    await ctx.answerCallbackQuery();
    await share.end(userKey(ctx));
    await sendShareLink(ctx);
  });

  bot.on('callback_query:data', async (ctx) => {
    await ctx.answerCallbackQuery();
    // Callback data is ours (≤ 64 bytes); replies are new messages, nothing is edited away.
    await send(ctx, await o.engine.handle({ channel: 'telegram', userKey: userKey(ctx), payload: ctx.callbackQuery.data }));
  });

  bot.on('message:text', async (ctx) => {
    // A team code while a share is pending; anything else (a question) is answered as usual.
    const code = asTeamCode(ctx.message.text);
    if (code && (await share.end(userKey(ctx)))) return sendShareLink(ctx, code);
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
