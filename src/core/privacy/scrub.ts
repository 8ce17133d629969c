/**
 * Personal-data scrubbing: applied to every citizen message before anything is written to the
 * database or a log. Placeholders keep the sentence readable for officials ("tôi không nhận được
 * OTP [MÃ SỐ]") while ID numbers, phones, codes, passwords, names and addresses are gone.
 *
 * Idempotent: scrubbing scrubbed text changes nothing (the statistics sink scrubs again).
 * When in doubt a rule scrubs: a lost word in a statistic costs less than a leaked number.
 */
import { LRUCache } from 'lru-cache';
import { foldDiacritics } from '../text/vietnamese.js';

export type SensitiveKind =
  | 'id'
  | 'cmnd'
  | 'phone'
  | 'email'
  | 'code'
  | 'bhyt'
  | 'plate'
  | 'password'
  | 'name'
  | 'address'
  | 'birthdate'
  | 'number';

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
  birthdate: '[NGÀY SINH]',
  number: '[SỐ]',
};

export interface Scrubbed {
  text: string;
  found: Set<SensitiveKind>;
}

/** Separator citizens type inside a digit group: space, dot, dash, or the ")" of "(024) ...". */
const D = '(?:[\\s.\\-]|\\)\\s?)?';
/** Not inside a word (JS `\b` is ASCII-only and would split Vietnamese words). */
const NW_BEFORE = '(?<![\\p{L}\\p{N}_])';
const NW_AFTER = '(?![\\p{L}\\p{N}_])';

/** Words that open a question, not a value: "mật khẩu là gì", "địa chỉ ở đâu", "mật khẩu là mà vẫn sai". */
const QUESTION_WORDS = new Set(
  'gì gi j sao bao mấy may nào nao như nhu thế the đâu dau ai làm lam thì thi bị bi phải phai có co không khong ko k được duoc dc đc cái cai gồm gom mấy mà nhưng nhung và va vẫn van rồi roi'.split(' '),
);

/** One Vietnamese syllable typed without diacritics (teencode endings too): "khong", "nguoi", "hok". */
const SYLLABLE = /^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnptk])?$/i;
/**
 * Words citizens type after "mk" that are not Vietnamese syllables and not passwords: app and
 * service names among them ("quên mật khẩu vssid" asks about VssID; it holds no password).
 */
const KNOWN_WORDS = new Set(
  [
    'vneid passcode password account login logout iphone android apple google icloud samsung zalo facebook gmail email online apps wifi banking smart admin reset cccd cmnd',
    'vssid etax ebanking mobile internet appstore chplay tiktok shopee lazada momo zalopay messenger instagram youtube telegram viber outlook yahoo hotmail',
    'viettel vinaphone mobifone vietcombank vietinbank techcombank agribank sacombank mbbank tpbank vpbank',
  ]
    .join(' ')
    .split(' '),
);
const isWordLike = (w: string) => SYLLABLE.test(w) || KNOWN_WORDS.has(w.toLowerCase());

const stripTrailing = (v: string) => {
  const m = /[.,!?;:…)"']+$/u.exec(v);
  return m ? { core: v.slice(0, m.index), tail: m[0] } : { core: v, tail: '' };
};

/** Address words that continue an address after a comma ("số nhà 12, ngõ 34, phố Huế"). */
const ADDRESS_WORD =
  '(?:ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet|phố|pho|đường|duong|tổ|to|thôn|thon|xóm|xom|ấp|ap|bản|ban|khu phố|khu pho|khu|kp|khóm|khom|phường|phuong|xã|xa|quận|quan|huyện|huyen|thị trấn|thi tran|thị xã|thi xa|thành phố|thanh pho|tp|tỉnh|tinh|số|so|lô|lo|chung cư|chung cu|căn hộ|can ho|phòng|phong|tầng|tang)(?![\\p{L}])|(?:p|q|tp|tt|tx)\\.(?=\\s?[\\p{L}\\d])';
/**
 * Words that end an address and start the question ("nhà tôi ở thôn 3 xã Tân Lập muốn kích hoạt"):
 * the address is removed, the question kept. Only words no place name is made of, written as
 * citizens type them (with or without diacritics where that is unambiguous).
 */
const ADDRESS_STOP =
  'muốn|muon|cần|hỏi|hoi|xin|cho hỏi|cho hoi|giúp|giup|làm|lam sao|thì|bị|không|khong|ko|được|duoc|dc|đăng|dang ky|dang nhap|kích|kich|tích|tich|sai|nhưng|nhung|mà|vậy|sao|thế|the nao|nên|có thể|co the|rồi|ạ|nhé|nhe|vneid|mức|muc|với|cập|cap nhat|sửa|sua|đổi|đi làm';
/** One clause of an address: stops at , ; ! ? newline, a dot that ends a sentence, or a question word. */
const CLAUSE = `(?:(?!\\s(?:${ADDRESS_STOP})(?![\\p{L}]))[^,;!?.\\n\\[]|\\.(?=\\S))`;
const ADDRESS_TAIL = `(?=[^\\s[,;!?.])(?:${CLAUSE}{1,80})(?:,\\s*(?:${ADDRESS_WORD})${CLAUSE}{0,60})*`;

/** "số 12", "ngõ 34", "thôn 3", "tổ 5", "kp 2": a place word and its number. */
const NUMBERED_PLACE =
  '(?:số|so|số nhà|so nha|ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet|thôn|thon|xóm|xom|ấp|ap|tổ|to|tổ dân phố|to dan pho|khu phố|khu pho|kp|lô|lo)\\s*\\d+[a-z]?(?:/\\d+[a-z]?)*(?![\\p{L}\\p{N}])';

const NAME_WORDS = '(\\p{L}+(?:\\s+\\p{L}+){0,4})';
const capitalised = (w: string) => /^\p{Lu}/u.test(w);

/** After "tôi tên" without "là": these start a question, never a name. */
const NOT_A_NAME =
  /^(?:trong|trên|tren|bị|bi|sai|không|khong|ko|của|cua|đã|đang|ở|là|la|khác|khac|viết|viet|ghi|in|có|được|duoc|dc|mới|cũ|đầy|lót|lot|gọi|đệm|và|với|mà|nhưng|gì|gi|j|sao|thế|nào|nao|đúng|sửa|đổi|trùng|tiếng|đăng|dang (?:ky|ki|nhap)|tài khoản|tai khoan|người|nguoi|này|nay|kia|đó|day đủ|đầy đủ|hiển thị|hien thi|bé|be|con)(?![\p{L}])/iu;
/** Words a lower-case name never runs into: where the question starts ("tên tôi là lan muốn hỏi"). */
const NAME_STOP = new Set(
  'muốn muon cần can hỏi hoi xin cho giúp giup bị bi không khong ko k đăng kích kich tích tich làm thì là sinh năm số sdt sđt cccd cmnd đang đã vneid mức muc ạ nhé nhe với và mà nhưng nhung rồi roi sao gì gi thế nào nao ơi oi em e tôi toi cháu chị bác cô chú ở tại tai'.split(' '),
);
/** How many leading words form the name: at most 4, ending before a question word. */
function nameLength(list: readonly string[]): number {
  let n = 0;
  while (n < Math.min(list.length, 4) && !NAME_STOP.has(list[n]!.toLowerCase())) n++;
  return n;
}
/** Common surnames; those that are also everyday words without diacritics count only before a middle name. */
const SURNAMES = new Set(
  'nguyễn nguyen trần tran lê phạm pham hoàng hoang huỳnh huynh phan vũ võ đặng bùi bui đỗ hồ ngô dương lý đinh dinh trương truong đoàn doan lương trịnh trinh đào lâm tô tạ hà châu quách quach kiều kieu triệu trieu thái chu vương vuong tăng mạc'.split(' '),
);
const AMBIGUOUS_SURNAMES = new Set('le vu vo dang do ho ngo duong ly luong dao lam to ta ha chau thai'.split(' '));
const MIDDLE_NAMES = new Set('van thi duc minh ngoc thanh quang huu xuan hoang kim thu hong anh gia bao dinh cong tuan quoc trung manh dang phuong my'.split(' '));
function looksLikeSurname(first: string, second: string): boolean {
  const w = first.toLowerCase();
  if (SURNAMES.has(w)) return true;
  const folded = second.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').toLowerCase();
  return AMBIGUOUS_SURNAMES.has(w) && MIDDLE_NAMES.has(folded);
}

type Rule = {
  kind: SensitiveKind;
  re: RegExp;
  /**
   * Decides one match: a string is the replacement (the data was found), null keeps the match as
   * it was (not personal data after all). Without it, the whole match becomes the placeholder.
   */
  apply?: (m: string, ...groups: string[]) => string | null;
  /** The shape has a digit in it: skipped for text without one (most questions), unread. */
  digits?: true;
};

// Order matters: longer and more specific shapes first, so a 12-digit ID is never half-eaten
// as a phone, and a password rule never sees the digits of a phone.
const RULES: readonly Rule[] = [
  { kind: 'email', re: /[\p{L}0-9._%+-]+@[\p{L}0-9-]+(?:\.[\p{L}0-9-]+)+/gu },
  // Date of birth after the words that introduce it, "sinh 12/03/1960" and "sn …" included (other
  // dates, "từ 1/7/2024", stay).
  {
    kind: 'birthdate',
    digits: true,
    re: new RegExp(
      `(${NW_BEFORE}(?:ngày sinh|ngay sinh|sinh ngày|sinh ngay|sinh|sn|ns|dob)(?:\\s+(?:của\\s+)?(?:tôi|toi|em|mình|minh|con|cháu|chau))?\\s*(?:là|la|:)?\\s*)(\\d{1,2}\\s?[/.\\-]\\s?\\d{1,2}\\s?[/.\\-]\\s?\\d{2,4})(?![0-9])`,
      'giu',
    ),
    apply: (_m, intro) => `${intro}${PLACEHOLDER.birthdate}`,
  },
  // BHYT card code: 2 letters + 13 digits (15 characters), e.g. DN4797938123456.
  { kind: 'bhyt', digits: true, re: /(?<![\p{L}0-9])[a-z]{2}[\s.]?\d(?:[\s.]?\d){12}(?![0-9])/giu },
  // Licence plate: 51U1-001.23, 29A-123.45, 51U100123, 30 K 12345, 29-B1 123.45.
  { kind: 'plate', digits: true, re: /(?<![\p{L}0-9])\d{2}[\s.-]?[a-z]{1,2}\d?[\s.-]{0,3}\d{3}[.\s]?\d{1,2}(?![0-9])/giu },
  // 12-digit personal ID number (CCCD / số định danh), also typed in groups: 079.203.001.234.
  { kind: 'id', digits: true, re: new RegExp(`(?<![0-9])\\d(?:${D}\\d){11}(?![0-9])`, 'gu') },
  // Phones: 0xxxxxxxxx / +84 / 84 / (024), spaced, dotted or dashed (10–11 digits with the prefix).
  { kind: 'phone', digits: true, re: new RegExp(`(?<![0-9])(?:\\(?\\+\\s?84\\)?|\\(?84\\)?|\\(?0)${D}[1-9](?:${D}\\d){7,9}(?![0-9])`, 'gu') },
  // Old 9-digit CMND typed in groups, after the words that name it ("cmnd 123 456 789").
  {
    kind: 'cmnd',
    digits: true,
    re: new RegExp(
      `(${NW_BEFORE}(?:cmnd|cmt|chứng minh(?: nhân dân| thư)?|chung minh(?: nhan dan| thu)?)(?:\\s+[\\p{L}\\d]{1,10}){0,3}?\\s*(?:là|la|:|số|so)?\\s*)(\\d(?:[\\s.\\-]?\\d){8})(?![0-9])`,
      'giu',
    ),
    apply: (_m, intro) => `${intro}${PLACEHOLDER.cmnd}`,
  },
  // Any other long digit run (9: old CMND; 10+: BHXH number, tax code, account numbers).
  { kind: 'cmnd', digits: true, re: /(?<![0-9.,/])\d{9}(?![0-9.,/])/gu },
  { kind: 'number', digits: true, re: /(?<![0-9.,/])\d{10,}(?![0-9.,/])/gu },
  // OTP typed in groups after the word ("otp 123 456", "mã xác thực: 12 34 56").
  {
    kind: 'code',
    digits: true,
    re: new RegExp(
      `(${NW_BEFORE}(?:otp|mã xác thực|ma xac thuc|mã xác nhận|ma xac nhan|mã kích hoạt|ma kich hoat)(?:\\s+\\p{L}+){0,3}?\\s*(?:là|la|:|=)?\\s*)(\\d(?:[\\s.\\-]?\\d){3,7})(?![0-9])`,
      'giu',
    ),
    apply: (_m, intro) => `${intro}${PLACEHOLDER.code}`,
  },
  // Passwords: the value after "mật khẩu ... là / : / =", unless it is a question word.
  {
    kind: 'password',
    re: new RegExp(
      `(${NW_BEFORE}(?:mật khẩu|mat khau|mật mã|mat ma|passcode|password|pass|mk|mã pin|ma pin|pin)${NW_AFTER}(?:\\s+\\p{L}+){0,4}?(?:\\s+(?:là|la)${NW_AFTER}\\s*|\\s*[:=]\\s*))([^\\s[]\\S*)`,
      'giu',
    ),
    apply: (_m, intro, value) => {
      const { core, tail } = stripTrailing(value!);
      if (!core || QUESTION_WORDS.has(core.toLowerCase())) return null;
      if (/^\d{1,2}$/.test(core)) return null; // "mật khẩu là 6 số": a length
      return `${intro}${PLACEHOLDER.password}${tail}`;
    },
  },
  // ... or the token right after the word when it looks like one: "mk 123456", "pin 1234".
  {
    kind: 'password',
    re: new RegExp(
      `(${NW_BEFORE}(?:mật khẩu|mat khau|mật mã|mat ma|passcode|password|pass|mk|mã pin|ma pin|pin)(?:\\s+(?:mới|moi|cũ|cu|của tôi|cua toi|của em|cua em))?\\s+)([^\\s[]\\S*)`,
      'giu',
    ),
    apply: (_m, intro, value) => {
      const { core, tail } = stripTrailing(value!);
      const symbols = core.length >= 4 && /[0-9!@#$%^&*()_+=[\]{};'"\\|<>?~-]/u.test(core);
      // Letters only: a password when it cannot be a word ("mk hoanglan", not "mk vneid bị quên").
      const lettersOnly = core.length >= 5 && /^[a-z]+$/i.test(core) && !isWordLike(core);
      if (!symbols && !lettersOnly) return null;
      return `${intro}${PLACEHOLDER.password}${tail}`;
    },
  },
  // OTP-like codes: 4–8 digits standing alone (not dates "1/7/2024", not years 1900–2099, not money
  // "500.000", not the public hotlines 1900/1800 xxxx).
  {
    kind: 'code',
    digits: true,
    re: /(?<![0-9.,/:])(?<!(?:1900|1800)[\s.]?)\d{4,8}(?![0-9.,/:])(?!\s?(?:đ|d|vnđ|vnd|đồng|dong|k|nghìn|nghin|ngàn|ngan|triệu|trieu|người|nguoi|lượt|luot|hộ|mb|gb|kb|%)(?![\p{L}]))/giu,
    apply: (m) => (/^(?:19|20)\d\d$/.test(m) || /^(?:1900|1800)\d{4}$/.test(m) ? null : PLACEHOLDER.code),
  },
  // Names after "tôi tên là", "tên tôi là", "họ và tên:", "tôi tên" + capitalised words.
  {
    kind: 'name',
    re: new RegExp(
      `(${NW_BEFORE}(?:(?:tôi|toi|mình|minh|em|e|con|cháu|chau|bố|bo|mẹ|me)\\s+(?:tên|ten)(?:\\s+(?:là|la))?|(?:tên|ten)\\s+(?:của\\s+|cua\\s+)?(?:tôi|toi|mình|minh|em|con|cháu|chau)\\s+(?:là|la)|(?:họ|ho)\\s+(?:và\\s+|va\\s+)?(?:tên|ten))${NW_AFTER})(\\s*:?\\s*)${NAME_WORDS}`,
      'giu',
    ),
    apply: (_m, intro, sep, words) => {
      const list = words!.split(/\s+/);
      const sure = /(?:là|la)$/iu.test(intro!) || sep!.includes(':');
      if (capitalised(list[0]!)) {
        // Capitalised: the name is the run of capitalised words ("tôi tên là An, muốn hỏi").
        let n = 0;
        while (n < list.length && capitalised(list[n]!)) n++;
        const rest = list.slice(n).join(' ');
        return `${intro}${sep}${PLACEHOLDER.name}${rest ? ' ' + rest : ''}`;
      }
      // Lower case after "là" / ":" is still a name ("tên tôi là trần thị bích ngọc"), and so
      // after "tôi tên" / "E tên" unless a word follows that no name starts with ("họ tên bị sai",
      // "em tên trong VNeID sai", "tên đăng nhập"). The name ends where the question starts.
      if (!sure && (NOT_A_NAME.test(words!) || /^(?:họ|ho)/iu.test(intro!))) return null;
      const n = nameLength(list);
      if (n === 0) return null;
      const rest = list.slice(n).join(' ');
      return `${intro}${sep}${PLACEHOLDER.name}${rest ? ' ' + rest : ''}`;
    },
  },
  // "em là nguyễn văn an", "em la le van binh": lower case, but a surname first and a name after it
  // ("em là người già", "em là do quên" stay).
  {
    kind: 'name',
    re: /((?<![\p{L}\p{N}_])(?:em|e|tôi|toi|mình|minh|con|cháu|chau)\s+(?:là|la))(\s+)(\p{Ll}+(?:\s+\p{Ll}+){1,4})/gu,
    apply: (_m, intro, sep, words) => {
      const list = words!.split(/\s+/);
      if (!looksLikeSurname(list[0]!, list[1]!)) return null;
      const n = nameLength(list);
      if (n < 2) return null;
      const rest = list.slice(n).join(' ');
      return `${intro}${sep}${PLACEHOLDER.name}${rest ? ' ' + rest : ''}`;
    },
  },
  // "em là Lê Minh Tuấn", "Tôi là Hoa": capitalised words only ("em là học sinh" stays).
  {
    kind: 'name',
    re: /((?<![\p{L}\p{N}_])(?:[Ee]m|[Tt]ôi|[Tt]oi|[Mm]ình|[Mm]inh|[Cc]on|[Cc]háu|[Cc]hau)\s+(?:là|la))(\s+)(\p{Lu}\p{Ll}*(?![\p{L}])(?:\s+\p{Lu}\p{Ll}*(?![\p{L}])){0,3})/gu,
    apply: (_m, intro, sep) => `${intro}${sep}${PLACEHOLDER.name}`,
  },
  // House numbers: "số nhà 12 ngõ 34, phố Huế" (the value starts with a digit or follows "là" / ":").
  {
    kind: 'address',
    digits: true,
    re: new RegExp(
      `(${NW_BEFORE}(?:số nhà|so nha)(?:\\s+(?:của\\s+|cua\\s+)?(?:tôi|toi|em|mình|minh))?\\s*(?:(?:là|la)${NW_AFTER}|:)?\\s*)(?=(?:số\\s*|so\\s*)?\\d)(${ADDRESS_TAIL})`,
      'giu',
    ),
    apply: (_m, intro) => `${intro}${PLACEHOLDER.address}`,
  },
  // "địa chỉ (nhà / thường trú / của tôi) là|:|ở|tại ..." or "địa chỉ 12 Lê Lợi" / "địa chỉ thôn Đông".
  {
    kind: 'address',
    re: new RegExp(
      `(${NW_BEFORE}(?:địa chỉ|dia chi)(?:\\s+(?:nhà|nha|của|cua|tôi|toi|em|mình|minh|thường trú|thuong tru|tạm trú|tam tru|hiện tại|hien tai|hiện nay|hien nay|mới|moi|cũ|cu)){0,4}(?:\\s*(?:(?:là|la|ở|o|tại|tai)${NW_AFTER}|:)\\s*|\\s+(?=\\d|${ADDRESS_WORD})))(${ADDRESS_TAIL})`,
      'giu',
    ),
    apply: (_m, intro, value) => {
      const first = value!.trim().split(/\s+/)[0]!.toLowerCase();
      if (QUESTION_WORDS.has(first)) return null; // "địa chỉ ở đâu", "địa chỉ: làm sao sửa"
      return `${intro}${PLACEHOLDER.address}`;
    },
  },
  // "nhà tôi ở thôn 3 ...", "tôi ở số 5 ngõ 7": a place with a number or an address word.
  {
    kind: 'address',
    digits: true,
    re: new RegExp(
      `(${NW_BEFORE}(?:(?:nhà|nha)\\s+(?:tôi|toi|em|mình|minh)\\s+(?:ở|o|tại|tai)|(?:tôi|toi|em|mình|minh)\\s+(?:ở|o|sống ở|song o|sống tại|song tai|cư trú tại|cu tru tai))\\s+)(?=(?:số|so|thôn|thon|xóm|xom|ấp|ap|tổ|to|ngõ|ngo|hẻm|hem|kiệt|kiet|đường|duong|phố|pho|khu phố|kp|lô|lo)\\s*\\d|\\d)(${ADDRESS_TAIL})`,
      'giu',
    ),
    apply: (_m, intro) => `${intro}${PLACEHOLDER.address}`,
  },
  // After "ở" / "tại" alone ("cháu ở số 12 ngõ 34", "ở thôn 3 xã Tân Lập"): a numbered place.
  {
    kind: 'address',
    digits: true,
    re: new RegExp(`(${NW_BEFORE}(?:ở|o|tại|tai)\\s+)(?=${NUMBERED_PLACE})(${ADDRESS_TAIL})`, 'giu'),
    apply: (_m, intro) => `${intro}${PLACEHOLDER.address}`,
  },
  // "ở 25 Lý Thường Kiệt": a house number, then a capitalised street name (case matters here).
  {
    kind: 'address',
    digits: true,
    re: new RegExp(`(${NW_BEFORE}(?:[Ởở]|[Tt]ại)\\s+)(?=\\d+[a-zA-Z]?(?:/\\d+)*\\s+\\p{Lu})(${ADDRESS_TAIL})`, 'gu'),
    apply: (_m, intro) => `${intro}${PLACEHOLDER.address}`,
  },
  // No lead-in at all: "số 12 ngõ 34 phố Huế", "thôn 3 xã Tân Lập": a numbered place followed by another address word.
  {
    kind: 'address',
    digits: true,
    re: new RegExp(`${NW_BEFORE}(?=${NUMBERED_PLACE}[\\s,]+(?:${ADDRESS_WORD}))(${ADDRESS_TAIL})`, 'giu'),
  },
];

/**
 * Texts recently found clean. Citizens repeat the same questions, and the statistics sink scrubs
 * again what the engine scrubbed. Only texts no rule touched are kept: this memory holds nothing
 * the rules would have removed.
 */
const recentlyClean = new LRUCache<string, true>({ max: 5_000 });
const CACHED_TEXT_MAX = 300;

export function scrub(input: string): Scrubbed {
  if (typeof input === 'string' && recentlyClean.get(input)) return { text: input, found: new Set() };
  const found = new Set<SensitiveKind>();
  let text = typeof input === 'string' ? input.normalize('NFC') : '';
  const digits = /\d/.test(text);
  for (const rule of RULES) {
    if (rule.digits && !digits) continue;
    text = text.replace(rule.re, (m: string, ...rest: unknown[]) => {
      // replace() passes groups, then offset (number), the whole string, maybe named groups.
      const groups = rest.slice(0, rest.findIndex((g) => typeof g === 'number')).map((g) => (typeof g === 'string' ? g : ''));
      const replaced = rule.apply ? rule.apply(m, ...groups) : PLACEHOLDER[rule.kind];
      if (replaced === null || replaced === m) return m;
      found.add(rule.kind);
      return replaced;
    });
  }
  if (found.size === 0 && text === input && text.length <= CACHED_TEXT_MAX) recentlyClean.set(text, true);
  return { text, found };
}

const PLACEHOLDER_RE = new RegExp(Object.values(PLACEHOLDER).map((p) => p.replace(/[[\]]/g, '\\$&')).join('|'), 'g');

/** The scrubbed text without placeholders: what the matcher should read. */
export function withoutPlaceholders(text: string): string {
  return text.replace(PLACEHOLDER_RE, ' ');
}

/** Words that only name the data typed after them ("số cccd", "sđt", "mã otp là", "em là"), diacritics folded. */
const DATA_LABEL_WORDS = new Set(
  'so can cuoc cong dan cccd cmnd cmt dinh danh ca nhan dien thoai dt sdt otp ma mat khau mk pass password passcode pin the bhyt ho ten dia chi ngay sinh email bien xe cua toi em minh chau bac la'.split(' '),
);

/**
 * The scrubbed text without its placeholders and without the words that only named the data:
 * "số cccd [SỐ ĐỊNH DANH] sđt [SĐT], giúp tôi kích hoạt" → "giúp tôi kích hoạt". Those words are
 * not the question ("số cccd, số điện thoại" would read as a question about privacy), unless the
 * question is about the data itself ("mã otp là [MÃ SỐ] nhập vào đâu" leaves "nhập vào đâu"):
 * callers fall back to withoutPlaceholders when this reading says nothing.
 */
export function withoutDataMentions(text: string): string {
  const parts = text.split(PLACEHOLDER_RE);
  return parts.map((part, i) => (i < parts.length - 1 ? withoutTrailingLabels(part) : part)).join(' ');
}

function withoutTrailingLabels(part: string): string {
  const words = part.trimEnd().split(/\s+/);
  while (words.length > 0) {
    const word = foldDiacritics(words.at(-1)!).toLowerCase().replace(/[^a-z0-9]/g, '');
    if (word !== '' && !DATA_LABEL_WORDS.has(word)) break;
    words.pop();
  }
  return words.join(' ');
}

/** Kinds that deserve the "never share this" warning. */
export const WARN_KINDS: ReadonlySet<SensitiveKind> = new Set(['id', 'cmnd', 'phone', 'code', 'password', 'bhyt', 'number']);
