/**
 * Buttons for channels that have none (Zalo Bot Platform, SMS-like channels): choices become a
 * numbered list under the text, and the user answers with the number. The last choices shown
 * are remembered per user (under the pseudonymous key, in storage, so a restart or a second
 * instance still understands "2") and a number maps back to its payload.
 */
import type { Reply } from '../../core/dialog/reply.js';
import type { Storage } from '../../storage/storage.js';

export interface NumberedOptions {
  /** Storage key prefix; the pseudonymous user key follows. */
  prefix?: string;
  /** Choices older than this no longer answer a number (default 24 h). */
  ttlMs?: number;
  /** Line appended after the last list of a turn; empty string for none. */
  hint?: string;
}

interface Remembered {
  payloads: string[];
  at: number;
}

export const NUMBERED_HINT = 'Bạn trả lời bằng số thứ tự (ví dụ: 1) để chọn.';

/** Renders one reply; numbering starts at `first` so that several replies of a turn continue it. */
export function renderNumbered(reply: Reply, first = 1): string {
  const buttons = reply.buttons ?? [];
  if (buttons.length === 0) return reply.text;
  const list = buttons.map((b, i) => `${first + i}. ${b.label}`).join('\n');
  return `${reply.text}\n\n${list}`;
}

/**
 * "2", " 2 ", "2.", "số 2", "so 2", "chọn 2", "#2" → 2. Anything else (a question that happens to
 * contain a number) is not a choice.
 */
export function parseChoiceNumber(text: string): number | undefined {
  const m = /^\s*(?:(?:số|so|chọn|chon|lựa chọn|lua chon)\s*)?#?\s*(\d{1,2})\s*[.)]?\s*$/iu.exec(text.normalize('NFC'));
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 1 ? n : undefined;
}

export class NumberedRenderer {
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly hint: string;

  constructor(
    private readonly storage: Storage,
    o: NumberedOptions = {},
  ) {
    this.prefix = o.prefix ?? 'numbered:';
    this.ttlMs = o.ttlMs ?? 24 * 3600_000;
    this.hint = o.hint ?? NUMBERED_HINT;
  }

  /**
   * Texts for the replies of one turn, numbered consecutively across them, and remembers the
   * choices (an empty list when the turn offered none, so an old "2" is not misread).
   */
  async render(userKey: string, replies: readonly Reply[], now = Date.now()): Promise<string[]> {
    const payloads: string[] = [];
    const lastWithChoices = replies.reduce((last, r, i) => ((r.buttons?.length ?? 0) > 0 ? i : last), -1);
    const texts = replies.map((r, i) => {
      const text = renderNumbered(r, payloads.length + 1);
      for (const b of r.buttons ?? []) payloads.push(b.payload);
      return i === lastWithChoices && this.hint ? `${text}\n${this.hint}` : text;
    });
    const remembered: Remembered = { payloads, at: now };
    await this.storage.setValue(this.prefix + userKey, JSON.stringify(remembered));
    return texts;
  }

  /** The payload a numeric answer stands for, if the text is one and it is in range. */
  async resolve(userKey: string, text: string, now = Date.now()): Promise<string | undefined> {
    const n = parseChoiceNumber(text);
    if (n === undefined) return undefined;
    const raw = await this.storage.getValue(this.prefix + userKey);
    if (!raw) return undefined;
    let remembered: Remembered;
    try {
      remembered = JSON.parse(raw) as Remembered;
    } catch {
      return undefined;
    }
    if (!Array.isArray(remembered.payloads) || now - remembered.at > this.ttlMs) return undefined;
    const payload = remembered.payloads[n - 1];
    return typeof payload === 'string' ? payload : undefined;
  }
}
