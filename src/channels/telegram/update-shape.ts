/**
 * What a webhook body must look like before grammY sees it. The secret header proves who sent
 * it, not that it is well formed: `null`, a message without `chat` or a `text` that is a number
 * made grammY or the engine throw, and the webhook answered 500 (issue 12, defect 10).
 *
 * Only the fields the adapter reads are checked; everything else passes through untouched.
 */
import { z } from 'zod';
import type { Update } from 'grammy/types';

/** The update types the bot subscribes to (setWebhook) and handles; any other is dropped. */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

const user = z.looseObject({ id: z.int() });
const chat = z.looseObject({ id: z.int() });
const message = z.looseObject({
  message_id: z.int(),
  chat,
  from: user.optional(),
  text: z.string().optional(),
});
const callbackQuery = z.looseObject({
  id: z.string(),
  from: user,
  data: z.string().optional(),
  // An old message may come back as "inaccessible" (date 0); it still names its chat.
  message: z.looseObject({ chat }).optional(),
});
const HANDLED = { message, callback_query: callbackQuery } satisfies Record<(typeof ALLOWED_UPDATES)[number], z.ZodType>;

const envelope = z.looseObject({ update_id: z.int().nonnegative() });

export type ReadUpdate =
  /** Not a Telegram update at all (no update id): the sender is told 400. */
  | { kind: 'not-an-update' }
  /** An update of a type the bot does not subscribe to: answered 200 and dropped. */
  | { kind: 'ignored'; updateId: number }
  /** A subscribed type with fields the adapter cannot use: answered 200 (a redelivery would be
   * just as broken) and dropped. `issues` are field paths and zod codes, never values. */
  | { kind: 'malformed'; updateId: number; issues: string[] }
  | { kind: 'ok'; update: Update };

export function readUpdate(body: unknown): ReadUpdate {
  const head = envelope.safeParse(body);
  if (!head.success) return { kind: 'not-an-update' };
  const updateId = head.data.update_id;
  const fields = head.data as Record<string, unknown>;
  const type = ALLOWED_UPDATES.find((t) => fields[t] !== undefined);
  if (!type) return { kind: 'ignored', updateId };
  const part = HANDLED[type].safeParse(fields[type]);
  if (!part.success) {
    return { kind: 'malformed', updateId, issues: part.error.issues.map((i) => `${[type, ...i.path.map(String)].join('.')}:${i.code}`).slice(0, 5) };
  }
  return { kind: 'ok', update: body as Update };
}
