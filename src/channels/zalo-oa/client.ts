/**
 * A small typed client for the few Zalo OA API v3 calls the bot makes (no maintained SDK exists).
 * Zalo reports most errors with HTTP 200 and a negative `error` in the body, so every response
 * is read, never trusted by status alone. Retries are bounded: a retry storm against a user who
 * unfollowed helps nobody and costs quota.
 *
 * Rate limit (-32, 4,000 requests/minute per OA): the whole OA pauses, not just the message
 * that hit it (every send of this client waits at one gate), and the pauses grow until they
 * span Zalo's one-minute window; only then is the message given up (reported as "-32").
 *
 * App secret proof: when ZALO_APP_SECRET is set every call carries the header
 * `appsecret_proof = HMAC-SHA256(key = app secret, data = access token)` (hex), as Zalo's Java
 * SDK computes it (AppSecretProofUtil). Zalo ignores it while the OA admin has not switched
 * the option on, and requires it (error -242) once they have: sending it always is harmless.
 */
import { createHmac } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { Button, Reply } from '../../core/dialog/reply.js';
import { DEFAULT_MAX_CHARS, splitText } from '../render/split.js';
import { backoffDelay, silentLogger, sleep as defaultSleep, type ChannelLogger, type RetryOptions } from './log.js';
import { ZaloTokenError, type AccessTokenSource } from './tokens.js';

export const SEND_PATH = '/v3.0/oa/message/cs';
/**
 * Replies to people who are not followers (`anonymous_send_*`): the call Zalo's own Java SDK
 * makes for them (test/java/v3/SendTextAnonymousMessage.java): recipient
 * `{anonymous_id, conversation_id}` on the v2.0 message endpoint, text only.
 */
export const ANONYMOUS_SEND_PATH = '/v2.0/oa/message';
export const APPSECRET_PROOF_HEADER = 'appsecret_proof';
export const MAX_TEXT_CHARS = DEFAULT_MAX_CHARS;
export const MAX_BUTTONS = 5;
export const MAX_TITLE_CHARS = 20;

/** Access token invalid / expired: refresh once and retry. */
const TOKEN_ERRORS = new Set([-216, -220]);
/** Rate limited: the whole OA backs off over Zalo's per-minute window, then retries. */
const RATE_LIMITED = -32;

/**
 * `oa.query.hide`: a tap sends the payload to us without posting it into the chat as the
 * citizen's own message (`oa.query.show` would show "#vg:m:l1" under the citizen's name).
 */
export interface ZaloButton {
  title: string;
  type: 'oa.query.hide';
  payload: string;
}

export interface ZaloMessage {
  text: string;
  attachment?: { type: 'template'; payload: { buttons: ZaloButton[] } };
}

/** A follower (`user_id`), or someone who wrote without following (`anonymous_send_*`). */
export type ZaloRecipient = { user_id: string } | { anonymous_id: string; conversation_id: string };

export interface ZaloSendBody {
  recipient: ZaloRecipient;
  message: ZaloMessage;
}

export type SendResult = { ok: true; messageIds: string[] } | { ok: false; code: string; sentParts: number };

/** What the webhook plugin needs to answer a user; tests can substitute it. */
export interface ZaloOaSender {
  /** Sends the messages in order; stops at the first that cannot be delivered. */
  sendMessages(recipient: ZaloRecipient, messages: ZaloMessage[]): Promise<SendResult>;
}

/** How long a -32 pauses the OA: doubling from `baseDelayMs` up to `maxDelayMs`, given up after `maxWaitMs` in all. */
export interface RateLimitOptions {
  /** Default 1 s. */
  baseDelayMs?: number;
  /** Default 16 s. */
  maxDelayMs?: number;
  /** Default 75 s: longer than Zalo's one-minute window, so a full window has passed before giving up. */
  maxWaitMs?: number;
}

export interface ZaloOaClientOptions extends RetryOptions {
  apiBase: string;
  tokens: AccessTokenSource;
  /** App Secret: when set, every call carries `appsecret_proof`. */
  appSecret?: string;
  rateLimit?: RateLimitOptions;
  logger?: ChannelLogger;
  /** Called once when a send finally fails (code only: never content or user id). */
  onFailure?: (code: string) => void | Promise<void>;
  /** Injected in tests to observe or skip backoff delays. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** HMAC-SHA256 of the access token keyed with the App Secret, hex (Zalo's AppSecretProofUtil). */
export function appSecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken, 'utf8').digest('hex');
}

export function toZaloButtons(buttons: readonly Button[]): ZaloButton[] {
  return buttons.slice(0, MAX_BUTTONS).map((b) => ({
    title: b.label.length > MAX_TITLE_CHARS ? b.label.slice(0, MAX_TITLE_CHARS - 1) + '…' : b.label,
    type: 'oa.query.hide',
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

type Attempt = { ok: true; messageId: string } | { ok: false; code: string; retry: 'token' | 'backoff' | 'rate' | 'never' };

export class ZaloOaClient implements ZaloOaSender {
  private readonly http: AxiosInstance;
  private readonly log: ChannelLogger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** Every send of this OA waits until then after a -32 (one gate for the OA, not per message). */
  private pausedUntil = 0;

  constructor(private readonly o: ZaloOaClientOptions) {
    this.log = o.logger ?? silentLogger;
    this.sleep = o.sleep ?? defaultSleep;
    this.now = o.now ?? Date.now;
    this.http = axios.create({
      baseURL: o.apiBase,
      timeout: o.timeoutMs ?? 10_000,
      headers: { 'Content-Type': 'application/json' },
      // Status is judged together with the body below.
      validateStatus: () => true,
    });
  }

  sendText(userId: string, text: string): Promise<SendResult> {
    return this.sendMessages({ user_id: userId }, buildMessages(text));
  }

  sendButtons(userId: string, text: string, buttons: readonly Button[]): Promise<SendResult> {
    return this.sendMessages({ user_id: userId }, buildMessages(text, buttons));
  }

  sendReply(userId: string, reply: Reply): Promise<SendResult> {
    return this.sendMessages({ user_id: userId }, buildMessages(reply.text, reply.buttons));
  }

  /** Sends parts in order; stops at the first part that cannot be delivered. */
  async sendMessages(recipient: ZaloRecipient, messages: ZaloMessage[]): Promise<SendResult> {
    const ids: string[] = [];
    for (const message of messages) {
      const r = await this.sendOne({ recipient, message });
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
    const rate = { base: this.o.rateLimit?.baseDelayMs ?? 1_000, max: this.o.rateLimit?.maxDelayMs ?? 16_000, budget: this.o.rateLimit?.maxWaitMs ?? 75_000 };
    let refreshed = false;
    let tries = 0;
    let rateWaited = 0;
    let ratePauses = 0;
    for (;;) {
      await this.passGate();
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
      if (r.retry === 'rate') {
        // Not counted against the network retries: a rate limit passes with time, so wait it
        // out (the whole OA with us) until a full window has gone by.
        tries--;
        if (rateWaited >= rate.budget) return r;
        const delay = Math.min(rate.base * 2 ** ratePauses++, rate.max, rate.budget - rateWaited);
        rateWaited += delay;
        this.pausedUntil = Math.max(this.pausedUntil, this.now() + delay);
        this.log.warn({ code: r.code, delayMs: delay }, 'Zalo OA: vượt giới hạn gửi tin, tạm dừng gửi');
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

  /** Waits while the OA is paused by a rate limit. */
  private async passGate(): Promise<void> {
    const wait = this.pausedUntil - this.now();
    if (wait > 0) await this.sleep(wait);
  }

  private async post(body: ZaloSendBody, token: string): Promise<Attempt> {
    let status: number;
    let data: unknown;
    const path = 'anonymous_id' in body.recipient ? ANONYMOUS_SEND_PATH : SEND_PATH;
    const headers: Record<string, string> = { access_token: token };
    if (this.o.appSecret) headers[APPSECRET_PROOF_HEADER] = appSecretProof(token, this.o.appSecret);
    try {
      const res = await this.http.post(path, body, { headers });
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
      if (error === RATE_LIMITED) return { ok: false, code: String(error), retry: 'rate' };
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
