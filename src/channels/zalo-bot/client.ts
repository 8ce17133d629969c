/**
 * Zalo Bot Platform API (Telegram-like): `POST {base}/bot<TOKEN>/<method>` with JSON, answers
 * `{ok, result}` or `{ok:false, error_code, description}`. The token is part of the URL, so
 * request URLs and axios errors are never logged — only codes.
 */
import axios, { type AxiosInstance } from 'axios';
import { backoffDelay, silentLogger, sleep as defaultSleep, type ChannelLogger, type RetryOptions } from '../zalo-oa/log.js';

export type BotResult<T = unknown> = { ok: true; result: T } | { ok: false; code: string };

export interface ZaloBotSender {
  sendMessage(chatId: string, text: string): Promise<BotResult>;
}

export interface ZaloBotClientOptions extends RetryOptions {
  apiBase: string;
  token: string;
  logger?: ChannelLogger;
  sleep?: (ms: number) => Promise<void>;
}

export class ZaloBotClient implements ZaloBotSender {
  private readonly http: AxiosInstance;
  private readonly log: ChannelLogger;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: ZaloBotClientOptions) {
    this.log = o.logger ?? silentLogger;
    this.sleep = o.sleep ?? defaultSleep;
    this.http = axios.create({
      baseURL: `${o.apiBase.replace(/\/+$/, '')}/bot${o.token}/`,
      timeout: o.timeoutMs ?? 10_000,
      headers: { 'Content-Type': 'application/json' },
      validateStatus: () => true,
    });
  }

  sendMessage(chatId: string, text: string): Promise<BotResult> {
    return this.call('sendMessage', { chat_id: chatId, text });
  }

  /** Points the bot's webhook at `url`; Zalo echoes `secretToken` in X-Bot-Api-Secret-Token. */
  setWebhook(url: string, secretToken: string): Promise<BotResult> {
    return this.call('setWebhook', { url, secret_token: secretToken });
  }

  /** One API call with bounded retries on rate limits, 5xx and network errors. */
  async call<T = unknown>(method: string, body: Record<string, unknown>): Promise<BotResult<T>> {
    const maxTries = Math.max(1, this.o.maxTries ?? 3);
    for (let attempt = 1; ; attempt++) {
      const r = await this.once<T>(method, body);
      if (r.ok || !r.retry || attempt >= maxTries) {
        if (!r.ok) this.log.warn({ method, code: r.code, attempts: attempt }, 'Zalo Bot: gọi API thất bại');
        return r.ok ? r : { ok: false, code: r.code };
      }
      await this.sleep(backoffDelay(attempt, this.o));
    }
  }

  private async once<T>(method: string, body: Record<string, unknown>): Promise<{ ok: true; result: T } | { ok: false; code: string; retry: boolean }> {
    let status: number;
    let data: unknown;
    try {
      const res = await this.http.post(method, body);
      status = res.status;
      data = res.data;
    } catch (err) {
      const code = (err as { code?: string }).code;
      return { ok: false, code: code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : 'network', retry: true };
    }
    const parsed = (typeof data === 'object' && data !== null ? data : {}) as { ok?: unknown; result?: T; error_code?: unknown };
    if (parsed.ok === true) return { ok: true, result: parsed.result as T };
    const code = typeof parsed.error_code === 'number' || typeof parsed.error_code === 'string' ? Number(parsed.error_code) : status;
    const retry = status >= 500 || status === 429 || code === 429 || (code >= 500 && code < 600);
    return { ok: false, code: `bot:${Number.isFinite(code) ? code : status}`, retry };
  }
}
