/** What the dialog engine says: channel-neutral replies that every adapter can render. */
import { BUTTON_LABEL_MAX } from '../content/schema.js';

export interface Button {
  label: string;
  payload: string;
}

export interface Reply {
  text: string;
  buttons?: Button[];
}

/** Every channel can show this many buttons under one message (Zalo's limit). */
export const MAX_BUTTONS = 5;

/**
 * Button payloads start with this prefix so that channels where a tap arrives as plain text
 * (Zalo OA) can tell a tap from a typed message. Short, to fit Telegram's 64-byte callback data.
 */
export const PAYLOAD_PREFIX = '#vg:';

export const isPayload = (text: string): boolean => text.startsWith(PAYLOAD_PREFIX);

export function button(label: string, action: string): Button {
  return { label: label.length > BUTTON_LABEL_MAX ? label.slice(0, BUTTON_LABEL_MAX - 1) + '…' : label, payload: PAYLOAD_PREFIX + action };
}

export function reply(text: string, buttons: Button[] = []): Reply {
  const kept = buttons.slice(0, MAX_BUTTONS);
  return kept.length > 0 ? { text, buttons: kept } : { text };
}
