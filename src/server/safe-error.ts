/**
 * What of an error may reach a log line. Library errors carry far more than their message:
 * grammY's GrammyError keeps the call's `payload` (chat id, the citizen's text), its BotError
 * keeps the whole context (the update with names, the Api with the bot token), node-fetch puts
 * the request URL (`/bot<token>/sendMessage`) into its message, axios errors keep `config`
 * (URL, headers with access tokens, the body). pino's standard serializer copies every
 * enumerable property, so any of these logged as `{ err }` would write them all out.
 *
 * `safeError` keeps what an operator needs to act (name, code, HTTP status, Telegram method and
 * description, the cause chain, stack frames) and a cleaned message: URLs cut to their host,
 * bot tokens and free-text quotes removed, personal data scrubbed. It is pino's `err`
 * serializer (see logger.ts) and what the last-resort process handlers log.
 */
import { scrub } from '../core/privacy/scrub.js';

const CENSOR = '[ẨN]';
const MAX_MESSAGE = 300;
const MAX_FRAMES = 8;
const MAX_DEPTH = 3;

/** A Telegram bot token (`<bot id>:<secret>`), anywhere in a string. */
const BOT_TOKEN = /\d{3,}:[A-Za-z0-9_-]{20,}/g;
/** Any absolute URL: the path may hold a bot token, the query an access token, userinfo a password. */
const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
/** Text in double quotes that is not a plain identifier (PostgreSQL quotes the offending value). */
const QUOTED = /"([^"]*)"/g;
const IDENTIFIER = /^[A-Za-z0-9_.$-]{1,63}$/;
const CODE = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface SafeError {
  name: string;
  message?: string;
  code?: string | number;
  /** HTTP status of a failed call (Telegram error_code, axios response status). */
  status?: number;
  /** Telegram Bot API method, HTTP method of an axios call. */
  method?: string;
  /** Telegram's own description of the failure ("Forbidden: bot was blocked by the user"). */
  description?: string;
  retryAfter?: number;
  /** Host an axios call went to (never its path or query). */
  host?: string;
  /** The wrapper this error came in (grammY's BotError). */
  wrappedIn?: string;
  cause?: SafeError;
  errors?: SafeError[];
  stack?: string;
}

function hostOnly(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '[URL]';
  }
}

/** A message with URLs cut to their host, tokens and quoted free text removed, personal data scrubbed. */
export function cleanMessage(message: unknown): string {
  if (typeof message !== 'string' || message === '') return '';
  const cut = message
    .slice(0, 2_000)
    .replace(URL_RE, hostOnly)
    .replace(BOT_TOKEN, CENSOR)
    .replace(QUOTED, (whole, inner: string) => (IDENTIFIER.test(inner) ? whole : `"${CENSOR}"`));
  const scrubbed = scrub(cut).text;
  return scrubbed.length > MAX_MESSAGE ? `${scrubbed.slice(0, MAX_MESSAGE)}…` : scrubbed;
}

const str = (v: unknown, re = CODE): string | undefined => (typeof v === 'string' && re.test(v) ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

function frames(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  // The first line repeats the raw message; frames name code, never data.
  const lines = stack.split('\n').filter((l) => /^\s+at /.test(l)).slice(0, MAX_FRAMES);
  return lines.length > 0 ? lines.map((l) => l.replace(URL_RE, hostOnly).replace(BOT_TOKEN, CENSOR)).join('\n') : undefined;
}

function hostOf(config: { url?: unknown; baseURL?: unknown } | undefined): string | undefined {
  for (const candidate of [config?.url, config?.baseURL]) {
    if (typeof candidate !== 'string') continue;
    try {
      return new URL(candidate).host;
    } catch {
      // relative URL: try the base
    }
  }
  return undefined;
}

function serialize(value: unknown, depth: number): SafeError {
  if (!(value instanceof Error)) {
    // A thrown string or object may be anything (a message text, a whole update): only its type.
    return { name: value === null ? 'null' : typeof value, message: '[giá trị không phải Error]' };
  }
  const e = value as Error & Record<string, unknown>;
  // grammY wraps every middleware failure with the update's context: log the failure itself.
  if (e.name === 'BotError' && 'ctx' in e && 'error' in e) {
    return { ...serialize(e.error, depth), wrappedIn: 'BotError' };
  }
  const out: SafeError = { name: str(e.name, /^[\w.$ -]{1,60}$/) ?? 'Error' };
  const message = cleanMessage(e.message);
  if (message) out.message = message;
  const code = typeof e.code === 'number' ? int(e.code) : str(e.code);
  if (code !== undefined) out.code = code;

  // grammY GrammyError: the Bot API refused a call (its `payload` is the citizen's message).
  if (e.name === 'GrammyError') {
    const method = str(e.method, /^\w{1,64}$/);
    if (method) out.method = method;
    const status = int(e.error_code);
    if (status !== undefined) out.status = status;
    const description = cleanMessage(e.description);
    if (description) out.description = description;
    const retryAfter = int((e.parameters as { retry_after?: unknown } | undefined)?.retry_after);
    if (retryAfter !== undefined) out.retryAfter = retryAfter;
  }
  // axios: status and host only (config holds URL, headers and body).
  if (e.isAxiosError === true) {
    const response = e.response as { status?: unknown } | undefined;
    const status = int(response?.status);
    if (status !== undefined) out.status = status;
    const config = e.config as { method?: unknown; url?: unknown; baseURL?: unknown } | undefined;
    const method = str(config?.method, /^[a-zA-Z]{1,10}$/);
    if (method) out.method = method.toUpperCase();
    const host = hostOf(config);
    if (host) out.host = host;
  }

  const stack = frames(e.stack);
  if (stack) out.stack = stack;
  if (depth < MAX_DEPTH) {
    // grammY's HttpError keeps the fetch failure in `error`; standard errors use `cause`.
    const cause = e.name === 'HttpError' && 'error' in e ? e.error : e.cause;
    if (cause !== undefined) out.cause = serialize(cause, depth + 1);
    if (Array.isArray(e.errors)) out.errors = e.errors.slice(0, 3).map((x) => serialize(x, depth + 1));
  }
  return out;
}

export function safeError(value: unknown): SafeError {
  return serialize(value, 0);
}
