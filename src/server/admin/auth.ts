/**
 * Admin session cookies: HMAC-signed `<expiry>.<nonce>.<signature>`. The signing key depends on
 * the password, so changing ADMIN_PASSWORD ends every session. The CSRF token of a session is
 * derived from its nonce; its id (a hash of the nonce) is what session-registry.ts keeps open
 * until logout.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'vg_admin';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time: both sides are hashed to 32 bytes first, so lengths leak nothing either. */
export function passwordMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 1024) return false;
  return timingSafeEqual(sha256(given), sha256(expected));
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface Session {
  /** Names the session in the registry of open sessions; reveals nothing of the cookie. */
  id: string;
  exp: number;
  csrf: string;
  /** An official of ADMIN_USERS_FILE; absent for the ADMIN_PASSWORD login. */
  user?: string;
}

/** A named official's part of a cookie: the name, and their password hash binding the signature (a new password ends their sessions). */
export interface SessionUser {
  name: string;
  secret: string;
}

export class SessionSigner {
  private readonly key: Buffer;

  constructor(cookieSecret: string, password: string) {
    // Domain-separated: the same secret may also serve other purposes (pseudonyms).
    this.key = createHmac('sha256', cookieSecret).update('vneid-guide/admin-session\0').update(sha256(password)).digest();
  }

  private sign(payload: string, userSecret = ''): string {
    return createHmac('sha256', this.key).update(payload).update(userSecret ? `\0${userSecret}` : '').digest('base64url');
  }

  private csrfOf(nonce: string): string {
    return createHmac('sha256', this.key).update(`csrf\0${nonce}`).digest('base64url');
  }

  private idOf(payload: string): string {
    return createHmac('sha256', this.key).update(`id\0${payload}`).digest('base64url');
  }

  /** `<expiry>.<nonce>.<signature>`, or `<expiry>.<nonce>.<user>.<signature>` for a named official. */
  issue(now: number, ttlMs: number, user?: SessionUser): { token: string; session: Session } {
    const exp = now + ttlMs;
    const payload = `${exp}.${randomBytes(18).toString('base64url')}${user ? `.${user.name}` : ''}`;
    return {
      token: `${payload}.${this.sign(payload, user?.secret)}`,
      session: { id: this.idOf(payload), exp, csrf: this.csrfOf(payload), ...(user ? { user: user.name } : {}) },
    };
  }

  /** `secretOf` gives a named official's current secret (undefined: no such official any more, the cookie is void). */
  verify(token: string | undefined, now: number, secretOf: (name: string) => string | undefined = () => undefined): Session | null {
    if (!token || token.length > 240) return null;
    const m = /^(\d{1,16})\.([A-Za-z0-9_-]{10,64})(?:\.([a-z0-9_-]{2,32}))?\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return null;
    const user = m[3];
    const userSecret = user === undefined ? '' : secretOf(user);
    if (userSecret === undefined) return null;
    const payload = `${m[1]}.${m[2]}${user === undefined ? '' : `.${user}`}`;
    if (!safeEqual(this.sign(payload, userSecret), m[4]!)) return null;
    const exp = Number(m[1]);
    if (!(exp > now)) return null;
    return { id: this.idOf(payload), exp, csrf: this.csrfOf(payload), ...(user === undefined ? {} : { user }) };
  }

  csrfMatches(session: Session, given: unknown): boolean {
    return typeof given === 'string' && safeEqual(session.csrf, given);
  }
}

/**
 * A POST from a page of ours: the browser's Origin (or Referer) names this host. Requests with
 * neither header are not from a browser form, and the SameSite=Strict cookie already stays home.
 */
export function sameOrigin(headers: { origin?: string | string[]; referer?: string | string[] }, host: string): boolean {
  const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
  const referer = typeof headers.referer === 'string' ? headers.referer : undefined;
  const source = origin ?? referer;
  if (source === undefined) return true;
  try {
    return new URL(source).host === host;
  } catch {
    return false; // "null" (sandboxed or privacy-stripped) or garbage
  }
}
