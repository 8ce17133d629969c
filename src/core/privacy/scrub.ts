/**
 * Personal-data scrubbing: applied to every citizen message before anything is written to the
 * database or a log. Placeholders keep the sentence readable for officials ("tôi không nhận được
 * OTP [MÃ SỐ]") while ID numbers, phones, codes, passwords, names and addresses are gone.
 */
export type SensitiveKind = 'id' | 'cmnd' | 'phone' | 'email' | 'code' | 'bhyt' | 'plate' | 'password' | 'name' | 'address' | 'number';

export const PLACEHOLDER: Record<SensitiveKind, string> = {
  id: '[SỐ ĐỊNH DANH]',
  cmnd: '[SỐ CMND]',
  phone: '[SĐT]',
  email: '[EMAIL]',
  code: '[MÃ SỐ]',
  bhyt: '[MÃ THẺ BHYT]',
  plate: '[BIỂN SỐ]',
  password: '[MẬT KHẨU]',
  name: '[HỌ TÊN]',
  address: '[ĐỊA CHỈ]',
  number: '[SỐ]',
};

export interface Scrubbed {
  text: string;
  found: Set<SensitiveKind>;
}

const L = '\\p{L}';
const D = '[\\s.\\-]?';
// Order matters: longer and more specific shapes first.
const RULES: ReadonlyArray<{ kind: SensitiveKind; re: RegExp; keep?: (m: string, ...groups: string[]) => string | undefined }> = [
  { kind: 'email', re: /[\p{L}0-9._%+-]+@[\p{L}0-9-]+(?:\.[\p{L}0-9-]+)+/gu },
  // BHYT card code: 2 letters + 13 digits (15 characters), e.g. DN4797938123456.
  { kind: 'bhyt', re: /(?<![\p{L}0-9])[a-z]{2}[\s.]?\d(?:[\s.]?\d){12}(?![0-9])/giu },
  // Licence plate: 51U1-001.23, 29A-123.45, 51U100123, 30 K 12345.
  { kind: 'plate', re: /(?<![\p{L}0-9])\d{2}\s?[a-z]{1,2}\d?\s?[-.]?\s?\d{3}[.\s]?\d{1,2}(?![0-9])/giu },
  // Phones: 0xxxxxxxxx / +84 / 84, spaced, dotted or dashed (10–11 digits with the prefix).
  { kind: 'phone', re: new RegExp(`(?<![0-9])(?:\\+\\s?84|84|0)${D}[1-9](?:${D}\\d){7,9}(?![0-9])`, 'gu') },
  // 12-digit personal ID number (CCCD / số định danh), also typed in groups.
  { kind: 'id', re: new RegExp(`(?<![0-9])\\d(?:${D}\\d){11}(?![0-9])`, 'gu') },
  // Any other long digit run (9–11: old CMND, BHXH number, account numbers).
  { kind: 'cmnd', re: /(?<![0-9.,/])\d{9}(?![0-9.,/])/gu },
  { kind: 'number', re: /(?<![0-9.,/])\d{10,}(?![0-9.,/])/gu },
  // Passwords after the words that introduce them: the next token when it follows "là" / ":"
  // or looks like a password (has a digit or symbol).
  {
    kind: 'password',
    re: new RegExp(`((?:mật khẩu|mat khau|mật mã|mat ma|passcode|password|pass|mk|pin)(?:\\s+(?:của (?:tôi|em|mình)|cua (?:toi|em|minh)))?)(\\s*(?:là|la|:|=)\\s*|\\s+)(\\S+)`, 'giu'),
    keep: (_m, word, sep, value) =>
      /là|la|:|=/iu.test(sep!) || /[0-9!@#$%^&*()_+=[\]{};'"\\|<>?~-]/u.test(value!) ? `${word}${sep}${PLACEHOLDER.password}` : undefined,
  },
  // OTP-like codes: 4–8 digits standing alone (not dates "1/7/2024", not years 1900–2099, not money
  // "500.000", not the public hotlines 1900/1800 xxxx).
  {
    kind: 'code',
    re: /(?<![0-9.,/:])(?<!(?:1900|1800)[\s.]?)\d{4,8}(?![0-9.,/:]|\s?(?:đ|d|vnđ|vnd|đồng|dong|k)\b)/giu,
    keep: (m) => (m.length === 4 && /^(19|20)\d\d$/.test(m) ? m : undefined),
  },
  // Names after "tôi tên là", "tên tôi là", "mình tên là", "em là" (+ capitalised words).
  {
    kind: 'name',
    re: new RegExp(`((?:tôi|toi|mình|minh|em|con|cháu|chau)\\s+tên\\s+là|(?:toi|minh|em)\\s+ten\\s+la|tên\\s+(?:tôi|mình|em)\\s+là|ten\\s+(?:toi|minh|em)\\s+la|họ\\s+tên|ho\\s+ten)(\\s*:?\\s*)((?:${L}+)(?:\\s+${L}+){0,3})`, 'giu'),
    keep: (_m, intro, sep) => `${intro}${sep}${PLACEHOLDER.name}`,
  },
  {
    kind: 'name',
    re: new RegExp(`((?:^|[\\s,.!?])(?:em|tôi|mình)\\s+là)(\\s+)(\\p{Lu}${L}*(?:\\s+\\p{Lu}${L}*){0,3})`, 'gu'),
    keep: (_m, intro, sep) => `${intro}${sep}${PLACEHOLDER.name}`,
  },
  // House addresses after "số nhà" / "địa chỉ": up to the end of the clause.
  {
    kind: 'address',
    re: /((?:số nhà|so nha|địa chỉ|dia chi|nhà tôi ở|nha toi o)\s*(?:là|la|:)?\s*)([^,.;!?\n]{2,80})/giu,
    keep: (_m, intro) => `${intro}${PLACEHOLDER.address}`,
  },
];

export function scrub(input: string): Scrubbed {
  const found = new Set<SensitiveKind>();
  let text = typeof input === 'string' ? input.normalize('NFC') : '';
  for (const rule of RULES) {
    text = text.replace(rule.re, (m: string, ...rest: unknown[]) => {
      const groups = rest.filter((g): g is string => typeof g === 'string');
      if (rule.keep) {
        const kept = rule.keep(m, ...groups);
        if (kept === m) return m;
        if (kept !== undefined) {
          found.add(rule.kind);
          return kept;
        }
        if (groups.length > 0 && rule.kind === 'password') return m;
      }
      found.add(rule.kind);
      return PLACEHOLDER[rule.kind];
    });
  }
  return { text, found };
}

const PLACEHOLDER_RE = new RegExp(Object.values(PLACEHOLDER).map((p) => p.replace(/[[\]]/g, '\\$&')).join('|'), 'g');

/** The scrubbed text without placeholders: what the matcher should read. */
export function withoutPlaceholders(text: string): string {
  return text.replace(PLACEHOLDER_RE, ' ');
}

/** Kinds that deserve the "never share this" warning. */
export const WARN_KINDS: ReadonlySet<SensitiveKind> = new Set(['id', 'cmnd', 'phone', 'code', 'password', 'bhyt', 'number']);
