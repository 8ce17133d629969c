/**
 * Where @grammyjs/conversations (v2) keeps a conversation between two updates: a `{ read,
 * write, delete }` adapter on the project's Storage.
 *
 * What v2 serialises is a replay log: the update each `wait()` returned and the result of
 * every Bot API call (a sent Message carries the chat with the user's names and username).
 * On the next update the conversation function runs again from the top, and those recorded
 * values are handed back instead of being fetched or sent again (only the operation names
 * are checked, never the payloads). So the people in it can be blanked before the log is
 * written without changing what the replay does, as long as the conversation only sends
 * with the context of its latest `wait()` (which holds the live update, never a stored one).
 *
 * Written here: under `<prefix><pseudonymous user key>`, `{ expiresAt, state }` where state is
 * that log with every user or chat id set to 0 and names, usernames, language, phone,
 * `chat_instance` and shared contacts or locations removed. A state past `expiresAt`, or one
 * not written by this adapter (an older format), reads as absent and is deleted.
 */
import type { VersionedState, VersionedStateStorage } from '@grammyjs/conversations';
import type { Storage } from '../../storage/storage.js';

/** Stored for a user while a conversation waits. */
interface Envelope<S> {
  expiresAt: number;
  state: VersionedState<S>;
}

const CHAT_TYPES = new Set(['private', 'group', 'supergroup', 'channel']);
/** Fields of a User or Chat object that identify a person. */
const PERSON_FIELDS = new Set([
  'first_name',
  'last_name',
  'username',
  'active_usernames',
  'title',
  'bio',
  'language_code',
  'is_premium',
  'added_to_attachment_menu',
  'phone_number',
  'photo',
  'birthdate',
]);
/** Fields that identify a person wherever they appear. */
const PERSONAL_ANYWHERE = new Set(['contact', 'location', 'venue', 'chat_instance', 'user_chat_id']);
/** What a User's or Chat's id becomes: replay never reads it, and it must stay a number. */
export const BLANK_ID = 0;

function isPerson(o: Record<string, unknown>): boolean {
  return 'id' in o && (typeof o.is_bot === 'boolean' || (typeof o.type === 'string' && CHAT_TYPES.has(o.type)));
}

/** A copy of `value` (JSON data) with the people in it blanked; `value` itself is untouched. */
export function withoutPersonalData<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => withoutPersonalData(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const person = isPerson(o);
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (PERSONAL_ANYWHERE.has(k)) continue;
    if (person && PERSON_FIELDS.has(k)) continue;
    copy[k] = person && k === 'id' ? BLANK_ID : withoutPersonalData(v);
  }
  return copy as T;
}

function parseEnvelope<S>(raw: string): Envelope<S> | undefined {
  try {
    const e = JSON.parse(raw) as Partial<Envelope<S>> | null;
    if (typeof e?.expiresAt !== 'number' || typeof e.state !== 'object' || e.state === null || !Array.isArray(e.state.version)) return undefined;
    return e as Envelope<S>;
  } catch {
    return undefined;
  }
}

export interface PrivateConversationStorageOptions {
  /** Key prefix in the Storage's key-value table. */
  prefix: string;
  /** How long a waiting conversation is kept after its last write. */
  ttlMs: number;
  now?: () => number;
}

/** The conversations adapter: personal data stripped on write, expiry enforced on read. */
export function privateConversationStorage<S>(storage: Storage, o: PrivateConversationStorageOptions): VersionedStateStorage<string, S> {
  const now = o.now ?? Date.now;
  const keyOf = (key: string) => `${o.prefix}${key}`;
  return {
    async read(key) {
      const raw = await storage.getValue(keyOf(key));
      if (raw === undefined) return undefined;
      const envelope = parseEnvelope<S>(raw);
      if (envelope && envelope.expiresAt > now()) return envelope.state;
      await storage.deleteValue(keyOf(key));
      return undefined;
    },
    async write(key, state) {
      const envelope: Envelope<S> = { expiresAt: now() + o.ttlMs, state: withoutPersonalData(state) };
      await storage.setValue(keyOf(key), JSON.stringify(envelope));
    },
    async delete(key) {
      await storage.deleteValue(keyOf(key));
    },
  };
}
