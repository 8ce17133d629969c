/**
 * The one Telegram-only exchange, run by @grammyjs/conversations (v2): a volunteer presses
 * "Chia sẻ cho người thân", may send a team code, and gets a t.me link carrying it (counted in
 * statistics when someone starts the bot from it).
 *
 * While the bot waits for the code, the conversation's state is kept under the user's
 * pseudonymous key, for SHARE_TTL_MS, with the people in it blanked (conversation-storage.ts).
 * Only a team code is taken by the exchange; anything else (a typed question, "Bỏ qua",
 * another button, a sticker) ends it and goes on to the usual handlers, so a question is
 * answered. A team code is one word of letters and digits with at least one letter and at
 * least one digit, `-` or `_` (DOANTN01, DOI-05), so "bhyt" or "vneid" are questions; and a
 * run of 6+ digits (a phone or ID number) is never a code.
 */
import { InlineKeyboard, type Context } from 'grammy';
import type { Conversation } from '@grammyjs/conversations';
import { PAYLOAD_PREFIX } from '../../core/dialog/reply.js';

/** How long the bot waits for the team code after the button is pressed. */
export const SHARE_TTL_MS = 10 * 60_000;
/** The conversation's name, as registered and entered. */
export const SHARE_CONVERSATION = 'share';
/**
 * Version of the stored conversation state: bump it whenever shareConversation changes, or a
 * state written by the old code is replayed against the new one (stack.md). 1 was the flow
 * that kept raw updates under tg-conv:.
 */
export const SHARE_STORAGE_VERSION = 2;

export const SHARE_PAYLOAD = `${PAYLOAD_PREFIX}share`;
export const SHARE_SKIP = `${PAYLOAD_PREFIX}share:skip`;
export const SHARE_LABEL = 'Chia sẻ cho người thân';
const SHARE_PROMPT =
  'Bạn là tình nguyện viên hoặc thuộc đội hỗ trợ? Gửi mã đội của bạn (chữ và số, ví dụ DOANTN01) để số người bạn giới thiệu được ghi nhận. Nếu không, bấm "Bỏ qua".';

const TEAM_CODE = /^(?=.*[A-Za-z])(?=.*[0-9_-])[A-Za-z0-9_-]{2,24}$/;
const LONG_NUMBER = /\d{6,}/;

/** Whether a typed text is a team code (and not a question or a personal number). */
export function asTeamCode(text: string): string | undefined {
  const t = text.trim();
  return TEAM_CODE.test(t) && !LONG_NUMBER.test(t) ? t : undefined;
}

/** The t.me link a volunteer forwards; with a team code, starts from it are counted for the team. */
export async function sendShareLink(ctx: Context, code?: string): Promise<void> {
  const link = `https://t.me/${ctx.me.username}?start=${code ? `ref_${code}` : 'share'}`;
  await ctx.reply(`Gửi đường dẫn này cho người thân, hàng xóm để họ được hướng dẫn dùng VNeID:\n${link}`, {
    link_preview_options: { is_disabled: true },
  });
}

/**
 * Entered from the button. Replayed from the top on the next update: the prompt is not sent
 * again (its recorded result is reused). Everything after the wait uses `next`, the live
 * update: `ctx` may be rebuilt from the stored state, whose ids are blanked.
 */
export async function shareConversation(conversation: Conversation<Context, Context>, ctx: Context): Promise<void> {
  await ctx.reply(SHARE_PROMPT, { reply_markup: new InlineKeyboard().text('Bỏ qua', SHARE_SKIP) });
  const next = await conversation.wait();
  const code = next.message?.text === undefined ? undefined : asTeamCode(next.message.text);
  // Not a code: leave the exchange and let the usual handlers have the update ({ next: true }).
  if (code === undefined) return conversation.halt({ next: true });
  await sendShareLink(next, code);
}
