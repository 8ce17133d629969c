/**
 * How the choices of a reply reach a Zalo OA citizen: as buttons, or as a numbered list the
 * citizen answers by number (the Zalo Bot channel's renderer, ../render/numbered.ts).
 *
 * Why numbered is the default (ZALO_OA_CHOICES): Zalo's own SDKs do not send consultation
 * messages with buttons on API v3 (the PHP SDK: "withButton does not support for Official
 * Account API V3"); only one reseller documents the shape. A refusal (-201/-233) is caught below,
 * but a message Zalo accepts and shows without its buttons would leave the citizen with no way
 * to choose, and nothing tells us. Numbered text always arrives; an OA admin who has seen
 * buttons work on their OA can switch to `buttons`.
 *
 * With `buttons`, a message carrying buttons that Zalo refuses is sent again as numbered text,
 * and when that text goes through, the OA is remembered (in storage, so restarts and other
 * instances know) as refusing buttons: later replies go straight to text. The memory is
 * re-checked after a week, in case Zalo starts accepting them.
 */
import type { Reply } from '../../core/dialog/reply.js';
import type { Storage } from '../../storage/storage.js';
import type { NumberedRenderer } from '../render/numbered.js';
import { splitText } from '../render/split.js';
import { buildMessages, MAX_TEXT_CHARS, type SendResult, type ZaloMessage, type ZaloOaSender, type ZaloRecipient } from './client.js';
import type { ChannelLogger } from './log.js';

export type ChoicesMode = 'buttons' | 'numbered';
export const DEFAULT_CHOICES: ChoicesMode = 'numbered';

/** Storage key of the "this OA refuses buttons" memory; the OA id follows. */
export const BUTTONS_REFUSED_PREFIX = 'zalo-oa:buttons-refused:';
/** After this long a remembered refusal is tried again (one refused message, resent as text). */
export const REFUSAL_MEMORY_MS = 7 * 24 * 3600_000;

/**
 * Errors that say nothing about the buttons: the same text would fail the same way (token,
 * rate limit, the citizen cannot be reached, quota, the OA itself). Any other Zalo error on a
 * message with buttons is taken as a refusal of the buttons (-201 invalid parameter, -233 …).
 */
const NOT_ABOUT_BUTTONS = /^(?:-216|-220|-32|-213|-230|-232|-211|-218|-204|-205|-242|token.*|timeout|network|http-.*|bad-response)$/;

export const isButtonRefusal = (code: string): boolean => /^-\d+$/.test(code) && !NOT_ABOUT_BUTTONS.test(code);

export interface OaReplierOptions {
  sender: ZaloOaSender;
  storage: Storage;
  numbered: NumberedRenderer;
  mode: ChoicesMode;
  logger: ChannelLogger;
  now?: () => number;
}

export interface Delivery {
  recipient: ZaloRecipient;
  /** Pseudonymous key: where the numbered choices are remembered. */
  userKey: string;
  /** Whose buttons memory applies (the OA id from the event; the app id when absent). */
  oaId: string;
  /** Anonymous senders get text only (no documented buttons for them). */
  textOnly?: boolean;
}

export class OaReplier {
  private readonly now: () => number;
  /** OAs known to refuse buttons, with when it was seen (saves a storage read per reply). */
  private readonly refused = new Map<string, number>();

  constructor(private readonly o: OaReplierOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Sends the replies of one turn in order; the first failure stops the rest (and is returned). */
  async send(d: Delivery, replies: readonly Reply[]): Promise<SendResult> {
    const withChoices = replies.some((r) => (r.buttons?.length ?? 0) > 0);
    if (d.textOnly || this.o.mode === 'numbered' || (withChoices && (await this.buttonsRefused(d.oaId)))) {
      return this.sendNumbered(d, replies);
    }
    const ids: string[] = [];
    for (let i = 0; i < replies.length; i++) {
      const reply = replies[i]!;
      const messages = buildMessages(reply.text, reply.buttons);
      const r = await this.o.sender.sendMessages(d.recipient, messages);
      if (r.ok) {
        ids.push(...r.messageIds);
        continue;
      }
      // Only the last part carries the buttons: an earlier part failing is not about them.
      const carried = messages[r.sentParts]?.attachment !== undefined;
      if (!carried || !isButtonRefusal(r.code)) return { ok: false, code: r.code, sentParts: ids.length + r.sentParts };
      // The same reply (minus the parts already delivered) and the rest of the turn, as text.
      const unsent = messages.slice(r.sentParts).map((m) => m.text).join('\n');
      const rest: Reply[] = [{ text: unsent, ...(reply.buttons ? { buttons: reply.buttons } : {}) }, ...replies.slice(i + 1)];
      const fallback = await this.sendNumbered(d, rest);
      if (fallback.ok) {
        await this.rememberRefusal(d.oaId, r.code);
        return { ok: true, messageIds: [...ids, ...fallback.messageIds] };
      }
      return { ok: false, code: fallback.code, sentParts: ids.length + r.sentParts + fallback.sentParts };
    }
    // An old numbered list must not answer a "2" typed after these buttons.
    if (withChoices) await this.o.numbered.render(d.userKey, []);
    return { ok: true, messageIds: ids };
  }

  private async sendNumbered(d: Delivery, replies: readonly Reply[]): Promise<SendResult> {
    const texts = await this.o.numbered.render(d.userKey, replies, this.now());
    const messages: ZaloMessage[] = texts.flatMap((t) => splitText(t, MAX_TEXT_CHARS)).map((text) => ({ text }));
    if (messages.length === 0) return { ok: true, messageIds: [] };
    return this.o.sender.sendMessages(d.recipient, messages);
  }

  private key(oaId: string): string {
    return BUTTONS_REFUSED_PREFIX + oaId;
  }

  async buttonsRefused(oaId: string): Promise<boolean> {
    let at = this.refused.get(oaId);
    if (at === undefined) {
      const raw = await this.o.storage.getValue(this.key(oaId));
      if (!raw) return false;
      try {
        at = Number((JSON.parse(raw) as { at?: unknown }).at) || 0;
      } catch {
        at = 0;
      }
      this.refused.set(oaId, at);
    }
    if (this.now() - at < REFUSAL_MEMORY_MS) return true;
    this.refused.delete(oaId);
    return false;
  }

  private async rememberRefusal(oaId: string, code: string): Promise<void> {
    const at = this.now();
    this.refused.set(oaId, at);
    this.o.logger.warn({ code }, 'Zalo OA: Zalo từ chối tin có nút bấm; từ nay gửi lựa chọn dạng danh sách đánh số');
    try {
      await this.o.storage.setValue(this.key(oaId), JSON.stringify({ code, at }));
    } catch (err) {
      // Remembered in memory meanwhile; the next refusal tries to store it again.
      this.o.logger.error({ err: { name: (err as Error)?.name } }, 'Zalo OA: không lưu được trạng thái nút bấm');
    }
  }
}
