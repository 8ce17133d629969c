/**
 * An official's new volunteer team, checked field by field, with a Vietnamese message for each
 * mistake. The code is optional: without one a short random code is made.
 */
import { randomInt } from 'node:crypto';
import { isReferralCode } from '../../core/referral.js';
import { scrub, type SensitiveKind } from '../../core/privacy/scrub.js';

export const TEAM_NAME_MAX = 80;

export interface TeamInput {
  name: string;
  /** Upper-case; undefined: make one. */
  code?: string;
  commune: string | null;
}

export type TeamInputResult = { ok: true; team: TeamInput } | { ok: false; field: 'name' | 'code' | 'commune'; error: string };

/** Kinds of personal data refused in a team name (a street or a person's name can name a team: "Chi đoàn Lê Lợi"). */
const PERSONAL: ReadonlySet<SensitiveKind> = new Set(['id', 'cmnd', 'phone', 'email', 'bhyt', 'password', 'birthdate']);

const COMMUNE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const MESSAGES = {
  nameEmpty: 'Vui lòng nhập tên đội.',
  nameLong: `Tên đội dài quá ${TEAM_NAME_MAX} ký tự.`,
  namePersonal: 'Tên đội không được chứa số điện thoại, số định danh, email hay thông tin cá nhân khác.',
  code: 'Mã đội chỉ gồm chữ cái không dấu (A–Z), chữ số, dấu - hoặc _, dài 2–32 ký tự, có ít nhất một chữ cái và không giống số điện thoại hay số giấy tờ. Để trống để hệ thống tự tạo mã.',
  commune: 'Mã xã/phường chỉ gồm chữ thường không dấu, chữ số và dấu - (ví dụ: loc-hoa).',
  communeUnknown: 'Không có xã/phường này trong danh sách.',
  duplicate: (code: string, name: string) => `Mã ${code} đã được dùng cho đội “${name}”. Vui lòng chọn mã khác, hoặc để trống để hệ thống tự tạo mã.`,
} as const;

const field = (v: unknown): string => (typeof v === 'string' ? v.normalize('NFC').replace(/\s+/g, ' ').trim() : '');

/**
 * Checks a posted form or JSON body. `knownCommune` (when communes are configured) says whether
 * an id names one.
 */
export function readTeamInput(body: Record<string, unknown>, knownCommune?: (id: string) => boolean): TeamInputResult {
  const checked = readTeamName(body.name);
  if (!checked.ok) return { ok: false, field: 'name', error: checked.error };
  const { name } = checked;

  const rawCode = field(body.code).toUpperCase();
  if (rawCode && !isReferralCode(rawCode)) return { ok: false, field: 'code', error: MESSAGES.code };

  const commune = field(body.commune).toLowerCase() || null;
  if (commune !== null && (commune.length > 64 || !COMMUNE_ID.test(commune))) return { ok: false, field: 'commune', error: MESSAGES.commune };
  if (commune !== null && knownCommune && !knownCommune(commune)) return { ok: false, field: 'commune', error: MESSAGES.communeUnknown };

  return { ok: true, team: { name, commune, ...(rawCode ? { code: rawCode } : {}) } };
}

/** A team's name, for a new team or a new name for one: the same rules. */
export function readTeamName(value: unknown): { ok: true; name: string } | { ok: false; error: string } {
  const name = field(value);
  if (!name) return { ok: false, error: MESSAGES.nameEmpty };
  if ([...name].length > TEAM_NAME_MAX) return { ok: false, error: MESSAGES.nameLong };
  // Printed on a poster and kept in the database: a volunteer's phone number has no place there.
  if ([...scrub(name).found].some((k) => PERSONAL.has(k))) return { ok: false, error: MESSAGES.namePersonal };
  return { ok: true, name };
}

/** Letters and digits that cannot be misread for one another on paper (no 0/O, 1/I/L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A random code like "K7PQ3X": 6 characters, at least two letters, valid as a referral code. */
export function randomTeamCode(): string {
  for (;;) {
    const code = Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    if ((code.match(/[A-Z]/g) ?? []).length >= 2 && isReferralCode(code)) return code;
  }
}
