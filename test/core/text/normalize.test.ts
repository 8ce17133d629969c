import { describe, expect, it } from 'vitest';
import { canonicalSpelling, foldDiacritics, placeToneMark } from '../../../src/core/text/vietnamese.js';
import { loadLexicon, normalizeText, parseLexicon, tokenize, unreachableNames } from '../../../src/core/text/normalize.js';

const lexicon = loadLexicon();
const norm = (s: string) => normalizeText(s, lexicon);

describe('foldDiacritics', () => {
  it.each([
    ['Đăng ký tài khoản định danh', 'Dang ky tai khoan dinh danh'],
    ['đ Đ', 'd D'],
    ['Ứng dụng VNeID', 'Ung dung VNeID'],
    ['bảo hiểm y tế', 'bao hiem y te'],
  ])('%s → %s', (input, expected) => expect(foldDiacritics(input)).toBe(expected));
});

describe('tone-mark placement', () => {
  it.each([
    ['hoà', 'hòa'],
    ['thuý', 'thúy'],
    ['hoá', 'hóa'],
    ['khoẻ', 'khỏe'],
    ['tuỳ', 'tùy'],
  ])('old and new placement agree: %s = %s', (a, b) => expect(placeToneMark(a)).toBe(placeToneMark(b)));

  it.each(['hoàng', 'quả', 'già', 'người', 'được', 'mùa', 'giường', 'thuở', 'của', 'nghiêng'])(
    'keeps correctly placed %s',
    (w) => expect(placeToneMark(w)).toBe(w),
  );

  it('canonical spelling: NFD input, upper case, mixed placement', () => {
    const nfd = 'HOÀ Thuý'.normalize('NFD');
    expect(canonicalSpelling(nfd)).toBe('hòa thúy');
    expect(canonicalSpelling('Sức khoẻ')).toBe(canonicalSpelling('sức khỏe'));
  });
});

describe('normalizeText', () => {
  it.each([
    // teencode and abbreviations
    ['ko kich hoat dc muc 2', 'khong kich hoat duoc muc 2'],
    ['k nhận đc mã', 'khong nhan duoc ma'],
    ['khg vào được', 'khong vao duoc'],
    ['hok biết', 'khong biet'],
    ['đc không', 'duoc khong'],
    ['làm j', 'lam gi'],
    ['làm ntn', 'lam cach'],
    ['làm như thế nào', 'lam cach'],
    ['làm ra sao', 'lam cach'],
    ['đổi sdt', 'doi so dien thoai'],
    ['đổi sđt', 'doi so dien thoai'],
    ['cccd', 'can cuoc'],
    ['thẻ căn cước công dân', 'can cuoc'],
    ['quét thẻ cccd', 'quet can cuoc'],
    ['cmnd cũ', 'chung minh nhan dan cu'],
    ['tích hợp bhyt', 'tich hop bao hiem y te'],
    ['bhxh', 'bao hiem xa hoi'],
    ['gplx', 'giay phep laixe'],
    ['dkx', 'dang ky xe'],
    ['mst', 'ma so thue'],
    ['quên mk tk', 'quen mat khau tai khoan'],
    // a foreign word spelt by ear, one letter off (long abbreviations only, same first letter)
    ['quên pasword', 'quen mat khau'],
    ['passcod', 'passcode'],
    ['kichhaot', 'kich hoat'],
    ['dinh dah bi loi', 'dinh danh bi loi'],
    // "quà" folds to "qua", a function word: the gift keeps a word of its own
    ['nhận quà 2/9', 'nhan quatang 2 9'],
    ['đi qua cầu', 'di qua cau'],
    // words whose folded form is another word: "còn nhớ" is not "con nhỏ" (a child), "số đó" is not
    // "sổ đỏ" (land, another service), "cái app" is not "cài app" (installing); unaccented, they stay ambiguous
    ['tôi còn nhớ mật khẩu', 'con ghinho mat khau'],
    ['nhà có con nhỏ', 'co tre'],
    ['đăng ký bằng số đó', 'dang ky bang so'],
    ['cái app bị thoát ra', 'ung dung bi thoat ra'],
    ['cài app', 'cai ung dung'],
    // "số là gì" asks what a word means; "số lạ" is a stranger's number
    ['chữ ký số là gì', 'chu ky so khainiem'],
    ['số lạ gọi đến', 'so xala goi den'],
    ['số điện thoại lạ gọi đến', 'so dien thoai xala goi den'],
    ['lltp online', 'ly lich tu phap online'],
    ['mua đt mới', 'mua thiet bi moi'],
    ['dt hỏng', 'dien thoai hong'],
    ['tải app', 'tai ung dung'],
    ['ko nhận được otp', 'khong nhan duoc otp'],
    // everyday words for document names
    ['cà vẹt xe máy', 'dang ky xe may'],
    ['bằng lái', 'giay phep laixe'],
    ['tạo tài khoản định danh', 'dang ky dinh danh'],
    ['không vào được vneid', 'khong dang nhap duoc vneid'],
    ['số trực ban công an xã', 'so lienhe cong an truc ban cong an xa'],
    ['xem hộ khẩu', 'xem cu tru'],
    ['báo đi vắng lâu ngày', 'bao cu tru tam vang lau ngay'],
    ['làm passport', 'lam ho chieu'],
    ['thẻ hết hiệu lực', 'the het han'],
    ['thời hạn giải quyết hồ sơ', 'thoigian giai quyet ho so'],
    // repeated letters, punctuation, emoji, case
    ['đượcccc khongggg', 'duoc khong'],
    ['Tích hợp BHYT sao???!!! 😭😭', 'tich hop bao hiem y te cach'],
    ['VNeID...là gì?', 'vneid khainiem'],
    // other ways to ask what a word means, before "thế nào" and "sao" become "how"
    ['thế nào là số định danh', 'khainiem so dinh danh'],
    ['ví giấy tờ là sao', 'vi giay to khainiem'],
    ['mức 2 được hiểu như thế nào', 'muc 2 duoc khainiem'],
    ['làm sao để kích hoạt', 'cach de kich hoat'],
    // "là gì" after an aspect ("điều kiện", "thủ tục", "lý do") asks for that aspect, not a definition
    ['điều kiện đăng ký định danh là gì', 'dieu kien dang ky dinh danh'],
    ['thủ tục làm căn cước là gì', 'cach lam can cuoc'],
    ['định danh là gì, điều kiện thế nào', 'dinh danh khainiem dieu kien cach'],
    ['🙏🙏🙏', ''],
    // filler particles go, words that contain the same syllables stay
    ['ad ơi tích hợp bhyt ạ', 'tich hop bao hiem y te'],
    ['xin chào bot', ''],
    ['chứng minh nhân dân của mình', 'chung minh nhan dan cua minh'],
    // "sao" alone asks how ("thế nào"); "bản sao", "sao kê", "dấu sao" are other words
    ['bản sao giấy khai sinh', 'ban sao giay khai sinh'],
    // "bị mất tiền" is money taken (a scam), "có (bị) mất tiền không" a fee
    ['bị lừa mất tiền', 'bi lua mat tien'],
    // "đợi mấy ngày" folded holds "đổi máy"
    ['đợi mấy ngày rồi', 'thoigian roi'],
    ['đổi máy mới', 'doi thiet bi moi'],
    // upgrading the app is updating it; upgrading the account is going to level 2
    ['nâng cấp ứng dụng lên bản mới', 'cap nhat ung dung len ban moi'],
    ['nâng cấp lên mức 2', 'len muc len muc 2'],
    // "nhập khẩu" for a child or a wife is entering the household register, as "nhập hộ khẩu"
    ['nhập khẩu cho con', 'nhap cu tru cho con'],
    // an account "of level 2" is made at the police (guide-level2), not the app account itself
    ['tạo tài khoản mức 2', 'dang ky muc 2'],
    ['đăng ký tài khoản VNeID mức 1', 'dang ky vneid muc 1'],
    ['đăng ký tài khoản VNeID', 'dang ky tai khoan vneid'],
    ['làm vneid có bị mất tiền không', 'lam vneid co le phi khong'],
    ['vneid sao không vào được', 'vneid cach khong vao duoc'],
    // "chứng minh thư nhân dân" is CMND once, not "chứng minh nhân dân nhân dân"
    ['làm chứng minh thư nhân dân ở tỉnh khác', 'lam chung minh nhan dan o tinh khac'],
    ['chứng minh thư bị mất', 'chung minh nhan dan bi mat'],
    // "điều chỉnh thông tin", the administrative wording, is correcting it
    ['điều chỉnh thông tin trên vneid', 'sua thong tin tren vneid'],
    // a degree ("bằng đại học", "bằng tốt nghiệp") is not a driving licence ("bằng lái")
    ['tích hợp bằng đại học', 'tich hop vanbang'],
    ['bằng tốt nghiệp', 'vanbang'],
    ['xuất trình bằng lái', 'xuat trinh giay phep laixe'],
    // exchanging the licence itself is the police's procedure, not VNeID's; one just exchanged is integrated
    ['đổi bằng lái', 'lamgplx'],
    ['vừa đổi bằng lái', 'vua doi giay phep laixe'],
    // "X được quy định như thế nào", the legal Q&A way of asking, asks about X, not about rules
    ['mức phạt được quy định như thế nào', 'muc phat cach'],
    ['lệ phí được quy định ra sao', 'le phi cach'],
    // "theo quy định (hiện hành)" hedges a legal question and carries no topic
    ['theo quy định hiện hành, tài khoản định danh có thời hạn không', 'dinh danh thoi han khong'],
  ])('%s → %s', (input, expected) => expect(norm(input)).toBe(expected));

  it('NFD and NFC input give the same result', () => {
    const s = 'Đăng ký tài khoản định danh mức 2';
    expect(norm(s.normalize('NFD'))).toBe(norm(s.normalize('NFC')));
  });

  it('keeps digits as tokens so "mức 1" and "mức 2" differ', () => {
    expect(tokenize('mức 1, 1/7/2024')).toEqual(['muc', '1', '1', '7', '2024']);
  });

  it('never throws on odd input', () => {
    for (const s of ['', ' ', '\u0000\u0001', '\uFFFD\uFFFD', 'a'.repeat(10_000), '123456789012', '\uD800']) {
      expect(() => norm(s)).not.toThrow();
    }
  });
});

describe('lexicon "aspects"', () => {
  it('drop the definition word after an aspect word ("điều kiện … là gì" asks for conditions)', () => {
    const lexicon = parseLexicon({ phrases: { 'la gi': 'khainiem' }, aspects: ['dieu kien'] });
    expect(normalizeText('Điều kiện đăng ký là gì', lexicon)).toBe('dieu kien dang ky');
    expect(normalizeText('Mức 2 là gì', lexicon)).toBe('muc 2 khainiem');
  });

  it('are refused without a phrase that makes the definition word: the list would do nothing', () => {
    expect(() => parseLexicon({ phrases: { 'la gi': 'dinhnghia' }, aspects: ['dieu kien'] })).toThrow(/aspects.*khainiem/s);
    expect(() => parseLexicon({ aspects: [] })).not.toThrow();
  });
});

describe('unreachableNames', () => {
  it('lists names no question can match: three words, or a word the normalizer drops or rewrites', () => {
    const lexicon = parseLexicon({ abbreviations: { sao: 'the nao' }, fillers: ['nha'], foreign: ['so do', 'nha dat', 'su dung dat', 'ban sao'], anchors: ['vneid'] });
    expect(unreachableNames(lexicon)).toEqual([
      { list: 'foreign', name: 'nha dat', readsAs: 'dat' },
      { list: 'foreign', name: 'su dung dat', readsAs: 'su dung dat' },
      { list: 'foreign', name: 'ban sao', readsAs: 'ban the nao' },
    ]);
  });

  it('finds none in the shipped lexicon', () => {
    expect(unreachableNames(loadLexicon())).toEqual([]);
  });
});

describe('lexicon "accented": words changed only when typed with their diacritics', () => {
  const lexicon = parseLexicon({ accented: { quà: 'quatang' } });

  it('"quà" is the gift, "qua" stays the preposition', () => {
    expect(normalizeText('nhận quà Tết', lexicon)).toBe('nhan quatang tet');
    expect(normalizeText('NHẬN QUÀ', lexicon)).toBe('nhan quatang');
    expect(normalizeText('nhận qua bưu điện', lexicon)).toBe('nhan qua buu dien');
    expect(normalizeText('qua Tết', lexicon)).toBe('qua tet');
  });

  it('finds the word whatever its Unicode form', () => {
    expect(normalizeText('quà'.normalize('NFD'), lexicon)).toBe('quatang');
  });

  it('refuses a key without diacritics: it would change the commoner word too', () => {
    expect(() => parseLexicon({ accented: { qua: 'quatang' } })).toThrow(/accented/);
  });

  it('the shipped lexicon: chuyển tiền qua mạng is not a gift, quà 2/9 is', () => {
    const shipped = loadLexicon();
    expect(normalizeText('bị lừa chuyển tiền qua mạng', shipped)).not.toContain('quatang');
    expect(normalizeText('quà 2/9', shipped)).toContain('quatang');
  });
});

describe('form codes citizens name things by', () => {
  it('"CT01", however typed, is the residence declaration form', () => {
    const shipped = loadLexicon();
    for (const q of ['mẫu CT01', 'to khai ct01', 'điền CT 01 thế nào']) expect(normalizeText(q, shipped)).toContain('to khai cu tru');
  });
});

describe('how people name residence registration', () => {
  it('"chuyển khẩu", "cắt khẩu", "nhập về nhà chồng" are registering or removing a permanent residence', () => {
    const shipped = loadLexicon();
    expect(normalizeText('chuyển khẩu cho con', shipped)).toContain('chuyen cu tru thuong tru');
    expect(normalizeText('đi nước ngoài có bị cắt khẩu không', shipped)).toContain('xoa cu tru thuong tru');
    expect(normalizeText('vợ muốn nhập về nhà chồng', shipped)).toContain('nhap cu tru');
  });
});

describe('"mức 0"', () => {
  it('is the app account without an electronic identity', () => {
    const shipped = loadLexicon();
    for (const q of ['đăng ký mức 0', 'vneid cấp độ 0', 'level 0']) expect(normalizeText(q, shipped)).toContain('tai khoan ung dung');
  });
});
