/**
 * Zalo OA access-token lifecycle. The access token lives ≈ 25 h; the refresh token ≈ 3 months
 * and is single-use: each refresh returns a new one, and losing it means an OA admin must
 * re-authorise the app. Hence:
 *  - tokens live in storage (not memory), seeded once from ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN;
 *  - refreshes run under storage.withLock('zalo-token'), and a caller that waited re-reads
 *    storage instead of spending the (already spent) refresh token again;
 *  - the new pair is persisted before the new access token is handed to anyone;
 *  - a failed refresh logs one clear line (never a token) and turns `healthy` false.
 */
import { createHash } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { Storage } from '../../storage/storage.js';
import { silentLogger, type ChannelLogger } from './log.js';

export const TOKEN_STORAGE_KEY = 'zalo-oa:tokens';
export const TOKEN_LOCK = 'zalo-token';

export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires (estimated for a seeded token). */
  expiresAt: number;
  refreshedAt: number | null;
  /** Fingerprint of the env refresh token this pair descends from: a new env value re-seeds. */
  seed?: string;
}

/** What the OA client needs from a token holder. */
export interface AccessTokenSource {
  getAccessToken(): Promise<string>;
  /** Called when Zalo rejected `stale`: refresh unless someone already replaced it. */
  refresh(stale: string): Promise<string>;
}

export class ZaloTokenError extends Error {
  constructor(
    /** Short, log-safe reason: 'no-tokens', 'no-app-secret', 'oauth:<code>', 'http-<status>', 'network'. */
    readonly code: string,
  ) {
    super(`Zalo token: ${code}`);
    this.name = 'ZaloTokenError';
  }
}

export interface ZaloTokenManagerOptions {
  storage: Storage;
  /** Storage key of the token pair (default TOKEN_STORAGE_KEY); one per OA when a server has several. */
  storageKey?: string;
  /** Lock name for refreshes (default TOKEN_LOCK); one per OA. */
  lockName?: string;
  appId: string;
  /** App Secret (header `secret_key` of the refresh call). */
  appSecret?: string;
  oauthBase: string;
  initialAccessToken?: string;
  initialRefreshToken?: string;
  /** Refresh this long before expiry (default 30 min). */
  refreshAheadMs?: number;
  /** Lifetime assumed for a seeded access token whose age is unknown (default 1 h): refreshed early, then on schedule. */
  seedTtlMs?: number;
  /** How often the background timer checks expiry (default 5 min). */
  checkIntervalMs?: number;
  /** After Zalo refused a refresh, wait this long before offering the refresh token again (default 60 s). */
  failureCooldownMs?: number;
  timeoutMs?: number;
  logger?: ChannelLogger;
  now?: () => number;
}

const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 16);

/** `expires_in` in seconds, number or numeric string; undefined when unusable. */
export function parseExpiresIn(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

export class ZaloTokenManager implements AccessTokenSource {
  /** False after a failed refresh or when no token is available: an OA admin must act. */
  healthy = true;
  private readonly http: AxiosInstance;
  private readonly log: ChannelLogger;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private initialized: Promise<void> | undefined;
  private lastFailure: { code: string; at: number } | undefined;

  constructor(private readonly o: ZaloTokenManagerOptions) {
    this.log = o.logger ?? silentLogger;
    this.now = o.now ?? Date.now;
    this.http = axios.create({ baseURL: o.oauthBase, timeout: o.timeoutMs ?? 10_000, validateStatus: () => true });
  }

  /** Seeds storage from the environment at first start (or when the env refresh token changed). Idempotent. */
  init(): Promise<void> {
    this.initialized ??= this.o.storage.withLock(this.o.lockName ?? TOKEN_LOCK, async () => {
      const stored = await this.load();
      const { initialAccessToken: access, initialRefreshToken: refresh } = this.o;
      if (access && refresh) {
        const seed = fingerprint(refresh);
        // A stored pair descends from the env seed and is newer: keep it. A different env refresh
        // token means an admin re-authorised: take the new one.
        if (!stored || (stored.seed !== undefined && stored.seed !== seed)) {
          await this.save({ accessToken: access, refreshToken: refresh, expiresAt: this.now() + (this.o.seedTtlMs ?? 3600_000), refreshedAt: null, seed });
          this.log.info({}, stored ? 'Zalo OA: dùng token mới từ biến môi trường' : 'Zalo OA: đã lưu token ban đầu từ biến môi trường');
          this.healthy = true;
          return;
        }
      }
      if (!stored) {
        this.healthy = false;
        this.log.error({ code: 'no-tokens' }, 'Zalo OA: chưa có access token — đặt ZALO_ACCESS_TOKEN và ZALO_REFRESH_TOKEN');
      }
    });
    // A failed seed (storage error) must not stick: the next call tries again.
    this.initialized.catch(() => (this.initialized = undefined));
    return this.initialized;
  }

  async getAccessToken(): Promise<string> {
    await this.init();
    const stored = await this.load();
    if (!stored) {
      this.healthy = false;
      throw new ZaloTokenError('no-tokens');
    }
    if (this.now() < stored.expiresAt - (this.o.refreshAheadMs ?? 30 * 60_000)) return stored.accessToken;
    try {
      return await this.refresh(stored.accessToken);
    } catch {
      // Refreshing failed (logged, health flag set). The current token may still work (a seeded
      // token's expiry is only estimated): let Zalo decide; a -216 then comes back to refresh().
      return stored.accessToken;
    }
  }

  async refresh(stale: string): Promise<string> {
    await this.init();
    return this.o.storage.withLock(this.o.lockName ?? TOKEN_LOCK, async () => {
      const stored = await this.load();
      if (!stored) {
        this.healthy = false;
        throw new ZaloTokenError('no-tokens');
      }
      // Someone refreshed while we waited for the lock: their token is ours.
      if (stored.accessToken !== stale) return stored.accessToken;
      return this.refreshLocked(stored);
    });
  }

  /** Starts the background check that refreshes ahead of expiry even when nobody writes. */
  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.getAccessToken().catch(() => {
        /* already logged, health flag set */
      });
    };
    this.timer = setInterval(tick, this.o.checkIntervalMs ?? 5 * 60_000);
    this.timer.unref();
    tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** For /healthz. */
  healthCheck = (): { name: string; ok: boolean } => ({ name: 'zalo-oa-token', ok: this.healthy });

  private async refreshLocked(stored: StoredTokens): Promise<string> {
    if (!this.o.appSecret) return this.fail('no-app-secret');
    // Without this, every incoming message would spend an OAuth call on a refresh token Zalo
    // already refused (only an admin can fix that).
    const last = this.lastFailure;
    if (last && this.now() - last.at < (this.o.failureCooldownMs ?? 60_000)) throw new ZaloTokenError(last.code);
    const form = new URLSearchParams({ refresh_token: stored.refreshToken, app_id: this.o.appId, grant_type: 'refresh_token' });
    let status: number;
    let data: unknown;
    try {
      const res = await this.http.post('/v4/oa/access_token', form.toString(), {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', secret_key: this.o.appSecret },
      });
      status = res.status;
      data = res.data;
    } catch (err) {
      const code = (err as { code?: string }).code === 'ECONNABORTED' ? 'timeout' : 'network';
      return this.fail(code);
    }
    const body = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    const accessToken = typeof body.access_token === 'string' ? body.access_token : undefined;
    const refreshToken = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
    if (status < 200 || status >= 300 || !accessToken || !refreshToken) {
      const code = typeof body.error === 'number' || typeof body.error === 'string' ? `oauth:${body.error}` : `http-${status}`;
      return this.fail(code);
    }
    const now = this.now();
    // Zalo documents ~25 h; if the field is unusable assume one hour, i.e. refresh early rather than late.
    const expiresIn = parseExpiresIn(body.expires_in) ?? 3600;
    const next: StoredTokens = { accessToken, refreshToken, expiresAt: now + expiresIn * 1000, refreshedAt: now, ...(stored.seed ? { seed: stored.seed } : {}) };
    // Persist first: the old refresh token is spent, this pair is the only way back in.
    await this.save(next);
    this.lastFailure = undefined;
    if (!this.healthy) this.log.info({}, 'Zalo OA: làm mới access token thành công trở lại');
    this.healthy = true;
    this.log.info({ expiresInSeconds: expiresIn }, 'Zalo OA: đã làm mới access token');
    return accessToken;
  }

  private fail(code: string): never {
    this.healthy = false;
    const transient = code === 'timeout' || code === 'network' || /^http-5/.test(code);
    if (!transient) this.lastFailure = { code, at: this.now() };
    this.log.error(
      { code },
      transient
        ? 'Zalo OA: làm mới access token thất bại (lỗi mạng, sẽ thử lại)'
        : 'Zalo OA: làm mới access token thất bại — quản trị viên OA cần cấp quyền lại cho ứng dụng (OAuth v4) và cập nhật ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN',
    );
    throw new ZaloTokenError(code);
  }

  private async load(): Promise<StoredTokens | undefined> {
    const raw = await this.o.storage.getValue(this.o.storageKey ?? TOKEN_STORAGE_KEY);
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<StoredTokens>;
      if (typeof parsed.accessToken !== 'string' || typeof parsed.refreshToken !== 'string') return undefined;
      return { ...parsed, expiresAt: Number(parsed.expiresAt) || 0, refreshedAt: parsed.refreshedAt ?? null } as StoredTokens;
    } catch {
      return undefined;
    }
  }

  private save(tokens: StoredTokens): Promise<void> {
    return this.o.storage.setValue(this.o.storageKey ?? TOKEN_STORAGE_KEY, JSON.stringify(tokens));
  }
}
