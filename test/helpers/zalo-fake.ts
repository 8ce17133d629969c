/**
 * A fake of the Zalo APIs on 127.0.0.1 (random port): OA API (`/v3.0/oa/message/cs`, and the
 * anonymous `/v2.0/oa/message`), OAuth (`/v4/oa/access_token`) and Bot Platform
 * (`/bot<TOKEN>/<method>`). Records every request and answers from per-path scripts (one-shot
 * responses first, then the default), so tests reach the real axios clients over real HTTP
 * without touching the network.
 *
 * Behaviours of a real OA that tests switch on: refusing messages that carry buttons
 * (`refuseButtons`, -201 or -233), a per-window rate limit (`rateLimit`, -32), and the "app
 * secret proof" option (`requireAppSecretProof`, -242 without a correct `appsecret_proof`).
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  /** JSON body, or the form fields of an urlencoded body. */
  body: unknown;
  at: number;
  /** What the fake answered (set once it has). */
  response?: FakeResponse;
}

export interface FakeResponse {
  status?: number;
  body?: unknown;
  /** Delay before answering (to provoke timeouts or overlapping calls). */
  delayMs?: number;
}

export type Responder = (req: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

export const OA_SEND_PATH = '/v3.0/oa/message/cs';
export const OA_ANONYMOUS_PATH = '/v2.0/oa/message';
export const OAUTH_PATH = '/v4/oa/access_token';

/**
 * OAuth v4's answer to a refresh token that was already used (refresh tokens are single use):
 * HTTP 200 with a negative `error` and Zalo's error_name / error_reason fields. The code is
 * Zalo's; the wording of the reason is ours (no published sample of this exact answer).
 */
export const REUSED_REFRESH_TOKEN_BODY = {
  error: -14014,
  error_name: 'Invalid refresh token',
  error_reason: 'Refresh token is invalid or has already been used',
} as const;

export class ZaloFake {
  readonly requests: RecordedRequest[] = [];
  private readonly once = new Map<string, Responder[]>();
  private readonly defaults = new Map<string, Responder>();
  private server: Server | undefined;
  private sendCount = 0;
  private refreshCount = 0;
  /** Refresh tokens already exchanged: Zalo refuses a second use. */
  private readonly spentRefreshTokens = new Set<string>();
  private buttonRefusal: number | undefined;
  private limit: { perWindow: number; windowMs: number; windowStart: number; used: number } | undefined;
  private proofSecret: string | undefined;
  baseUrl = '';

  constructor() {
    this.installDefaults();
  }

  private installDefaults(): void {
    this.defaults.clear();
    this.sendCount = 0;
    this.refreshCount = 0;
    this.spentRefreshTokens.clear();
    this.buttonRefusal = undefined;
    this.limit = undefined;
    this.proofSecret = undefined;
    const send: Responder = (req) => {
      const refused = this.refusal(req);
      if (refused) return refused;
      const body = req.body as { recipient?: { user_id?: string } };
      this.sendCount++;
      return { body: { data: { message_id: `msg-${this.sendCount}`, user_id: body.recipient?.user_id, sent_time: Date.now() }, error: 0, message: 'Success' } };
    };
    this.defaults.set(OA_SEND_PATH, send);
    this.defaults.set(OA_ANONYMOUS_PATH, send);
    this.defaults.set(OAUTH_PATH, (req) => {
      const used = String((req.body as { refresh_token?: unknown } | undefined)?.refresh_token ?? '');
      if (this.spentRefreshTokens.has(used)) return { body: REUSED_REFRESH_TOKEN_BODY };
      this.spentRefreshTokens.add(used);
      this.refreshCount++;
      // Zalo has been seen to send expires_in as a string.
      return { body: { access_token: `AT-${this.refreshCount}`, refresh_token: `RT-${this.refreshCount}`, expires_in: '90000' } };
    });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const path = (req.url ?? '/').split('?')[0]!;
          const type = String(req.headers['content-type'] ?? '');
          let body: unknown = raw;
          if (type.includes('application/json')) body = raw ? JSON.parse(raw) : undefined;
          else if (type.includes('application/x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(raw));
          const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, raw, body, at: Date.now() };
          this.requests.push(recorded);
          const responder = this.once.get(path)?.shift() ?? this.defaults.get(path) ?? this.botDefault(path);
          const r = responder ? await responder(recorded) : { status: 404, body: { error: -404, message: 'not found' } };
          recorded.response = r;
          if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
          if (res.destroyed) return;
          res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(r.body ?? {}));
        })();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Queue one-shot responses for a path (used in order, before the default). */
  script(path: string, ...responses: Array<FakeResponse | Responder>): this {
    const list = this.once.get(path) ?? [];
    for (const r of responses) list.push(typeof r === 'function' ? r : () => r);
    this.once.set(path, list);
    return this;
  }

  /** From now on, a message with buttons is refused with `code` (Zalo: -201 invalid parameter, or -233). */
  refuseButtons(code: -201 | -233 = -201): this {
    this.buttonRefusal = code;
    return this;
  }

  /** At most `perWindow` OA sends per `windowMs` (Zalo: 4,000 a minute); beyond, -32 until the window ends. */
  rateLimit(perWindow: number, windowMs: number): this {
    // The first window opens with the first send, so a burst right after lands in it.
    this.limit = { perWindow, windowMs, windowStart: Number.NaN, used: 0 };
    return this;
  }

  /** The OA admin switched on "app secret proof": every call needs HMAC-SHA256(key = app secret, access token). */
  requireAppSecretProof(appSecret: string): this {
    this.proofSecret = appSecret;
    return this;
  }

  /** The error a real OA would answer this send with, if any (checked in Zalo's order: proof, rate, shape). */
  private refusal(req: RecordedRequest): FakeResponse | undefined {
    if (this.proofSecret !== undefined) {
      const token = String(req.headers['access_token'] ?? '');
      const expected = createHmac('sha256', this.proofSecret).update(token).digest('hex');
      if (req.headers['appsecret_proof'] !== expected) return { body: { error: -242, message: 'appsecret_proof is invalid' } };
    }
    if (this.limit) {
      const now = Date.now();
      if (!(now - this.limit.windowStart < this.limit.windowMs)) Object.assign(this.limit, { windowStart: now, used: 0 });
      if (this.limit.used >= this.limit.perWindow) return { body: { error: -32, message: 'Request exceeded rate limit' } };
      this.limit.used++;
    }
    const buttons = (req.body as { message?: { attachment?: { payload?: { buttons?: unknown[] } } } })?.message?.attachment?.payload?.buttons;
    if (this.buttonRefusal !== undefined && Array.isArray(buttons) && buttons.length > 0) {
      return { body: { error: this.buttonRefusal, message: 'Parameters are invalid' } };
    }
    return undefined;
  }

  /** Messages Zalo accepted (error 0) on the OA send and anonymous endpoints, in order: what citizens see. */
  deliveredMessages(): Array<{ recipient: Record<string, string>; message: { text: string; attachment?: { payload?: { buttons?: Array<{ title: string; type: string; payload: string }> } } } }> {
    return this.requests
      .filter((r) => (r.path === OA_SEND_PATH || r.path === OA_ANONYMOUS_PATH) && (r.response?.status ?? 200) === 200 && (r.response?.body as { error?: number })?.error === 0)
      .map((r) => r.body as never);
  }

  /** Bodies posted to the anonymous message endpoint (replies to non-followers). */
  anonymousMessages(): Array<{ recipient: { anonymous_id: string; conversation_id: string }; message: { text: string; attachment?: unknown } }> {
    return this.to(OA_ANONYMOUS_PATH).map((r) => r.body as never);
  }

  /** Replace the default responder of a path. */
  setDefault(path: string, responder: Responder): this {
    this.defaults.set(path, responder);
    return this;
  }

  /** Forgets requests and scripts, restores the default responders and their counters. */
  reset(): void {
    this.requests.length = 0;
    this.once.clear();
    this.installDefaults();
  }

  to(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Bodies posted to the OA send endpoint, in arrival order. */
  sentMessages(): Array<{ recipient: { user_id: string }; message: { text: string; attachment?: unknown } }> {
    return this.to(OA_SEND_PATH).map((r) => r.body as never);
  }

  oauthCalls(): RecordedRequest[] {
    return this.to(OAUTH_PATH);
  }

  /** Bot API calls of one method, e.g. botCalls('sendMessage'). */
  botCalls(method: string): RecordedRequest[] {
    return this.requests.filter((r) => /^\/bot[^/]+\//.test(r.path) && r.path.endsWith(`/${method}`));
  }

  /** Waits until `predicate` holds (polling), for work that runs after a webhook answered. */
  async waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error('ZaloFake.waitFor: timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private botDefault(path: string): Responder | undefined {
    const m = /^\/bot[^/]+\/(\w+)$/.exec(path);
    if (!m) return undefined;
    const method = m[1]!;
    return (req) => {
      if (method === 'sendMessage') {
        const b = req.body as { chat_id?: string };
        return { body: { ok: true, result: { message_id: `bm-${this.requests.length}`, chat: { id: b.chat_id }, date: Date.now() } } };
      }
      if (method === 'setWebhook') return { body: { ok: true, result: { url: (req.body as { url?: string }).url } } };
      return { body: { ok: true, result: {} } };
    };
  }
}
