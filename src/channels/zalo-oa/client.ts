/**
 * A small typed client for the few Zalo OA API v3 calls the bot makes (no maintained SDK exists).
 * Zalo reports most errors with HTTP 200 and a negative `error` in the body, so every response
 * is read, never trusted by status alone. Retries are bounded: a retry storm against a user who
 * unfollowed helps nobody and costs quota.
 */
import axios, { type AxiosInstance } from 'axios';
import type { Button, Reply } from '../../core/dialog/reply.js';
import { DEFAULT_MAX_CHARS, splitText } from '../render/split.js';
import { backoffDelay, silentLogger, sleep as defaultSleep, type ChannelLogger, type RetryOptions } from './log.js';
import { ZaloTokenError, type AccessTokenSource } from './tokens.js';

export const SEND_PATH = '/v3.0/oa/message/cs';
export const MAX_TEXT_CHARS = DEFAULT_MAX_CHARS;
export const MAX_BUTTONS = 5;
export const MAX_TITLE_CHARS = 20;

/** Access token invalid / expired: refresh once and retry. */
const TOKEN_ERRORS = new Set([-216, -220]);
/** Rate limited: back off and retry. */
const RATE_LIMITED = -32;

export interface ZaloButton {
  title: string;
  type: 'oa.query.show';
  payload: string;
}

export interface ZaloMessage {
  text: string;
  attachment?: { type: 'template'; payload: { buttons: ZaloButton[] } };
}

export interface ZaloSendBody {
  recipient: { user_id: string };
  message: ZaloMessage;
}

export type SendResult = { ok: true; messageIds: string[] } | { ok: false; code: string; sentParts: number };

/** What the webhook plugin needs to answer a user; tests can substitute it. */
export interface ZaloOaSender {
  sendReply(userId: string, reply: Reply): Promise<SendResult>;
}

export interface ZaloOaClientOptions extends RetryOptions {
  apiBase: string;
  tokens: AccessTokenSource;
  logger?: ChannelLogger;
  /** Called once when a send finally fails (code only: never content or user id). */
  onFailure?: (code: string) => void | Promise<void>;
  /** Injected in tests to observe or skip backoff delays. */
  sleep?: (ms: number) => Promise<void>;
}

export function toZaloButtons(buttons: readonly Button[]): ZaloButton[] {
  return buttons.slice(0, MAX_BUTTONS).map((b) => ({
    title: b.label.length > MAX_TITLE_CHARS ? b.label.slice(0, MAX_TITLE_CHARS - 1) + '…' : b.label,
    type: 'oa.query.show',
    payload: b.payload,
  }));
}

/** The messages one reply becomes: text split in order, buttons under the last part only. */
export function buildMessages(text: string, buttons: readonly Button[] = []): ZaloMessage[] {
  const parts = splitText(text, MAX_TEXT_CHARS);
  if (parts.length === 0) parts.push(' ');
  const zb = toZaloButtons(buttons);
  return parts.map((part, i) =>
    i === parts.length - 1 && zb.length > 0 ? { text: part, attachment: { type: 'template', payload: { buttons: zb } } } : { text: part },
  );
}

type Attempt = { ok: true; messageId: string } | { ok: false; code: string; retry: 'token' | 'backoff' | 'never' };

export class ZaloOaClient implements ZaloOaSender {
  private readonly http: AxiosInstance;
  private readonly log: ChannelLogger;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: ZaloOaClientOptions) {
    this.log = o.logger ?? silentLogger;
    this.sleep = o.sleep ?? defaultSleep;
    this.http = axios.create({
      baseURL: o.apiBase,
      timeout: o.timeoutMs ?? 10_000,
      headers: { 'Content-Type': 'application/json' },
      // Status is judged together with the body below.
      validateStatus: () => true,
    });
  }

  sendText(userId: string, text: string): Promise<SendResult> {
    return this.sendMessages(userId, buildMessages(text));
  }

  sendButtons(userId: string, text: string, buttons: readonly Button[]): Promise<SendResult> {
    return this.sendMessages(userId, buildMessages(text, buttons));
  }

  sendReply(userId: string, reply: Reply): Promise<SendResult> {
    return this.sendMessages(userId, buildMessages(reply.text, reply.buttons));
  }

  /** Sends parts in order; stops at the first part that cannot be delivered. */
  private async sendMessages(userId: string, messages: ZaloMessage[]): Promise<SendResult> {
    const ids: string[] = [];
    for (const message of messages) {
      const r = await this.sendOne({ recipient: { user_id: userId }, message });
      if (!r.ok) {
        this.log.warn({ code: r.code, part: ids.length + 1, parts: messages.length }, 'Zalo OA: gửi tin thất bại');
        await this.o.onFailure?.(r.code);
        return { ok: false, code: r.code, sentParts: ids.length };
      }
      ids.push(r.messageId);
    }
    return { ok: true, messageIds: ids };
  }

  private async sendOne(body: ZaloSendBody): Promise<Attempt> {
    const maxTries = Math.max(1, this.o.maxTries ?? 3);
    let refreshed = false;
    let tries = 0;
    for (;;) {
      let token: string;
      try {
        token = await this.o.tokens.getAccessToken();
      } catch (err) {
        return { ok: false, code: err instanceof ZaloTokenError ? `token:${err.code}` : 'token', retry: 'never' };
      }
      tries++;
      const r = await this.post(body, token);
      if (r.ok) return r;
      if (r.retry === 'token' && !refreshed) {
        // One refresh per message, and the retry does not count against the backoff budget.
        refreshed = true;
        tries--;
        try {
          await this.o.tokens.refresh(token);
        } catch (err) {
          return { ok: false, code: err instanceof ZaloTokenError ? `token:${err.code}` : r.code, retry: 'never' };
        }
        continue;
      }
      if (r.retry === 'backoff' && tries < maxTries) {
        const delay = backoffDelay(tries, this.o);
        this.log.debug({ code: r.code, attempt: tries, delayMs: delay }, 'Zalo OA: thử gửi lại');
        await this.sleep(delay);
        continue;
      }
      return r;
    }
  }

  private async post(body: ZaloSendBody, token: string): Promise<Attempt> {
    let status: number;
    let data: unknown;
    try {
      const res = await this.http.post(SEND_PATH, body, { headers: { access_token: token } });
      status = res.status;
      data = res.data;
    } catch (err) {
      const code = (err as { code?: string }).code;
      return { ok: false, code: code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : 'network', retry: 'backoff' };
    }
    const parsed = (typeof data === 'object' && data !== null ? data : {}) as { error?: unknown; data?: { message_id?: unknown } };
    const error = typeof parsed.error === 'number' ? parsed.error : typeof parsed.error === 'string' ? Number(parsed.error) : undefined;
    if (status >= 500) return { ok: false, code: `http-${status}`, retry: 'backoff' };
    if (error !== undefined && error !== 0 && Number.isFinite(error)) {
      if (TOKEN_ERRORS.has(error)) return { ok: false, code: String(error), retry: 'token' };
      if (error === RATE_LIMITED) return { ok: false, code: String(error), retry: 'backoff' };
      // -213 (not a follower), -230/-232 (no interaction in 7 days), -201 (bad parameter),
      // quota and OA errors: retrying cannot help.
      return { ok: false, code: String(error), retry: 'never' };
    }
    if (status === 429) return { ok: false, code: 'http-429', retry: 'backoff' };
    if (status < 200 || status >= 300) return { ok: false, code: `http-${status}`, retry: 'never' };
    if (error !== 0) return { ok: false, code: 'bad-response', retry: 'never' };
    const id = parsed.data?.message_id;
    return { ok: true, messageId: typeof id === 'string' || typeof id === 'number' ? String(id) : '' };
  }
}
