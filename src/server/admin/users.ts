/**
 * Officials who read the dashboard, and what each may see (ADMIN_USERS_FILE, yaml):
 *  - `commune`: one commune of communes.yaml, and nothing else;
 *  - `district`: the communes of a `district` of communes.yaml, or a list of `communes`;
 *  - `province`: every commune of a `province`;
 *  - `admin`: everything (as the ADMIN_PASSWORD login, which stays an all-communes admin).
 * Passwords are stored as scrypt hashes with a per-user salt (`npm run admin:add-user` writes
 * them), compared in constant time. The scope is resolved to commune ids once, at start-up.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';
import type { CommuneDirectory } from '../../core/communes/directory.js';
import { nameInSentence } from '../../core/communes/directory.js';
import { ConfigError } from '../config.js';

export const ROLES = ['commune', 'district', 'province', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A login name: lower case, digits, "_" and "-" (it is part of the signed session cookie). */
export const USER_NAME = /^[a-z0-9_-]{2,32}$/;

const userSchema = z
  .object({
    name: z.string().regex(USER_NAME, 'tên đăng nhập 2–32 ký tự: chữ thường không dấu, số, _ và - (login name)'),
    role: z.enum(ROLES, { message: `vai trò (role) là một trong: ${ROLES.join(', ')}` }),
    commune: z.string().optional(),
    communes: z.array(z.string()).optional(),
    district: z.string().trim().min(1).optional(),
    province: z.string().trim().min(1).optional(),
    passwordHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{40,}$/, 'mã băm mật khẩu do "npm run admin:add-user" tạo (password hash), không phải mật khẩu'),
  })
  .strict();

export const usersFileSchema = z.object({ users: z.array(userSchema) }).strict();
export type UserRecord = z.infer<typeof userSchema>;

export interface AdminUser {
  name: string;
  role: Role;
  /** Commune ids this official may read; undefined = every commune (and events without one). */
  communes: readonly string[] | undefined;
  /** Who they are, in the header: "Công an xã Lộc Hòa", "Cụm Nam Định", "Tỉnh Ninh Bình". */
  label: string;
  /** The stored hash; also binds sessions to the password (a new password ends them). */
  passwordHash: string;
}

// ——— passwords ———

/** N = 2^15, r = 8: about 32 MiB and tens of milliseconds per check; a guess costs the same. */
const SCRYPT = { N: 32768, r: 8, p: 1 };
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...o, maxmem: 128 * o.N * o.r * 2 };
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** A hash of no password: an unknown name costs the same time as a wrong password. */
const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_LENGTH).toString('base64url')}`;

export async function verifyPassword(given: unknown, stored: string | undefined): Promise<boolean> {
  const ok = typeof given === 'string' && given.length > 0 && given.length <= 1024 && stored !== undefined;
  const [, n, r, p, salt, hash] = (stored ?? DUMMY_HASH).split('$');
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // Bounded, so a hand-edited file cannot make each login take a minute or all the memory.
  if (!(params.N >= 1024 && params.N <= 1 << 20 && params.r >= 1 && params.r <= 32 && params.p >= 1 && params.p <= 4)) return false;
  const expected = Buffer.from(hash ?? '', 'base64url');
  const key = await scrypt(typeof given === 'string' ? given.slice(0, 1024) : '', Buffer.from(salt ?? '', 'base64url'), params);
  return ok && expected.length === key.length && timingSafeEqual(expected, key);
}

// ——— the file ———

/** A ConfigError: the server stops with one line naming each problem. */
export class AdminUsersError extends ConfigError {
  constructor(readonly problems: string[]) {
    super(`ADMIN_USERS_FILE không hợp lệ — ${problems.join('; ')}`);
    this.name = 'AdminUsersError';
  }
}

/** Resolves each user's scope against communes.yaml; every problem is reported with its path. */
export function parseAdminUsers(raw: unknown, communes: CommuneDirectory | undefined): Map<string, AdminUser> {
  const parsed = usersFileSchema.safeParse(raw);
  if (!parsed.success) throw new AdminUsersError(parsed.error.issues.map((i) => `users.${i.path.slice(1).join('.') || '-'}: ${i.message}`.replace(/^users\.\./, 'users.')));
  const problems: string[] = [];
  const users = new Map<string, AdminUser>();
  const list = communes?.list ?? [];
  parsed.data.users.forEach((u, i) => {
    const at = `users.${i}`;
    if (users.has(u.name)) problems.push(`${at}.name: "${u.name}" đã có (duplicate name)`);
    let scope: string[] | undefined;
    let label: string;
    switch (u.role) {
      case 'admin':
        scope = undefined;
        label = 'Quản trị (mọi xã/phường)';
        break;
      case 'commune': {
        const c = communes?.byId(u.commune);
        if (!c) problems.push(`${at}.commune: cần id một xã/phường trong communes.yaml (unknown commune "${u.commune ?? ''}")`);
        scope = c ? [c.id] : [];
        label = c ? `Công an ${nameInSentence(c.name)}` : '';
        break;
      }
      case 'district':
      case 'province': {
        const key = u.role === 'district' ? u.district : u.province;
        const named = u.communes;
        if (u.role === 'district' && named) {
          const unknown = named.filter((id) => !communes?.byId(id));
          if (unknown.length > 0) problems.push(`${at}.communes: không có trong communes.yaml: ${unknown.join(', ')}`);
          scope = named.filter((id) => communes?.byId(id));
          label = `${scope.length} xã/phường`;
        } else {
          scope = list.filter((c) => (u.role === 'district' ? c.district : c.province) === key).map((c) => c.id);
          if (!key || scope.length === 0) problems.push(`${at}.${u.role}: không xã/phường nào trong communes.yaml có ${u.role} "${key ?? ''}"`);
          label = key ?? '';
        }
        break;
      }
    }
    users.set(u.name, { name: u.name, role: u.role, communes: scope, label, passwordHash: u.passwordHash });
  });
  if (problems.length > 0) throw new AdminUsersError(problems);
  return users;
}

export function loadAdminUsers(file: string, communes: CommuneDirectory | undefined): Map<string, AdminUser> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AdminUsersError([`không đọc được ${file}: ${(err as Error).message.split('\n')[0]}`]);
  }
  return parseAdminUsers(raw, communes);
}
