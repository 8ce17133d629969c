import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../../src/core/knowledge.js';
import { interpret } from '../../../src/core/understand/interpret.js';
import { detectEmergency, emergencyNumbers } from '../../../src/core/understand/emergency.js';
import { loadIntents } from '../../../src/core/understand/intents.js';
import { wordsOf } from '../../../src/core/understand/phrases.js';

const intents = loadIntents();
const detect = (text: string) => detectEmergency(wordsOf(text), intents);
const numbers = (text: string) => {
  const d = detect(text);
  return d ? emergencyNumbers(d.kinds) : null;
};

describe('emergencies', () => {
  it.each([
    ['nhà đang có trộm', ['113']],
    ['nha dang co trom', ['113']],
    ['NHÀ ĐANG CÓ TRỘMMM', ['113']],
    ['cướp', ['113']],
    ['có 2 thằng đang đánh nhau trước cửa', ['113']],
    ['cháy nhà cứu với', ['114']],
    ['chay nha cuu voi', ['114']],
    ['nhà hàng xóm đang bị cháy', ['114']],
    ['có người bị tai nạn', ['115']],
    ['co nguoi bi tai nan o nga tu', ['115']],
    ['có đứa bé đuối nước', ['114', '115']],
    ['vừa bị lừa chuyển khoản', ['113']],
    ['vua bi lua chuyen khoang 20 trieu', ['113']],
    ['hôm qua bị lừa mất tiền', ['113']],
    ['cứu với', ['113', '114', '115']],
    ['nhà bên cạnh vừa đổ sập', ['114']],
    ['em muon tu tu', ['115']],
    ['con tôi đòi tự tử', ['115']],
    // money being taken right now, told the way it happens
    ['chuyển 10 triệu xong nó chặn zalo tôi luôn', ['113']],
    ['họ bảo tôi trúng thưởng, phải chuyển 2 triệu tiền phí', ['113']],
    ['người ta đang ép mẹ tôi chuyển tiền', ['113']],
    ['bố tôi ra bưu điện gửi tiền theo lời người xưng công an', ['113']],
    ['họ nói tôi dính đường dây ma túy phải xác nhận', ['113']],
    ['nó đang giữ máy mẹ tôi, bảo không được cúp', ['113']],
    ['nhà tôi vừa mất trộm, két sắt bị phá', ['113']],
    ['có người lạ bế con tôi lên xe chạy mất', ['113']],
    ['thuyền lật giữa sông, 2 người đang bám mạn', ['114']],
    ['bé bị khóa trong ô tô ngoài nắng', ['114']],
    ['ông bị bỏng nặng ở tay do nồi nước sôi', ['115']],
    ['tk đang bị trừ tiền liên tục dù tôi không làm gì', ['113']],
    ['be bi co giat, mat trang', ['115']],
    ['dang co vu no sung o ngoai cho', ['113']],
    ['ông hàng xóm bị ngã từ giàn giáo, đầy máu', ['115']],
    ['cả nhà tìm khắp xóm không thấy bà đâu', ['113']],
    ['con bé té xuống giếng rồi', ['114']],
    ['sáng nay gọi mãi ông không dậy, trong phòng đốt than', ['115']],
    ['bọn nó vừa ném bom xăng vào nhà tôi', ['113', '114']],
    ['nồi cơm chập điện, cháy lan ra rèm rồi', ['114']],
    ['họ nói tài khoản của mẹ liên quan rửa tiền, mẹ đang làm theo', ['113']],
    ['bị tống tiền bằng ảnh, nó dọa gửi cho cả nhà', ['113']], // not "bị tông" (a vehicle): 115 only when typed so
    ['bị tông xe ở ngã ba', ['115']],
    ['có người hành hung ông cụ trước chợ', ['113']],
    ['mẹ tôi sinh non ở nhà, ra nhiều máu', ['115']],
    ['ông tôi bị tai biến, nói không được', ['115']],
    ['có người trôi sông ở bến phà', ['114']],
    // the tenth session's general words (the misses of emergency-ten, read after it was measured)
    ['chúng nó vừa đốt chuồng trâu nhà tôi', ['113']],
    ['thằng bé đi học đến giờ chưa về', ['113']],
    ['trẻ hàng xóm té xuống ao rồi', ['114']],
    ['ba tôi té từ mái nhà, nằm im không nhúc nhích', ['115']],
    ['vợ tôi đau đẻ cả đêm mà chưa sinh được', ['115']],
    ['tui vua chuyen xong thi goi khong duoc nua', ['113']],
    // and emergency-eleven's (read after it was measured)
    ['mấy đứa nhỏ nhặt được quả bom ngoài bãi đem về nhà', ['113']],
    ['có tên trộm đang trốn trong nhà kho', ['113']],
    ['họ xưng bên viện kiểm sát, bắt tôi đọc mã OTP, không cho cúp máy', ['113']],
    ['nhà xưởng bên cạnh cháy dữ dội', ['114']],
    ['bồn hóa chất bị đổ, cả xóm ho sặc sụa', ['114', '115']],
    ['giàn giáo sập đè mấy người thợ', ['114', '115']],
  ])('%s → %j', (text, expected) => {
    expect(numbers(text)).toEqual(expected);
  });

  it.each(['cảnh báo lừa đảo', 'làm sao tránh bị lừa', 'lam sao de khong bi lua', 'tài khoản bị khóa', 'kích hoạt vneid thế nào', 'nếu bị lừa thì báo ai', 'cài vneid có bị lừa không', 'bảo hiểm tai nạn có tích hợp được không', 'đợi xíu', 'app chạy chậm quá'])(
    '%s is not an emergency',
    (text) => {
      expect(detect(text)).toBeNull();
    },
  );

  // How citizens describe an app that misbehaves, or ask about a procedure, in words that also describe emergencies.
  it.each([
    'app vneid bị giật lag quá',
    'màn hình bị giật giật khi quét mặt',
    'bị kẹt ở màn hình chờ duyệt',
    'nằm im ở màn hình loading không chạy',
    'quét mãi không được, đứng im không nhúc nhích',
    'bị mất tích hợp bằng lái',
    'tôi chuyển thêm tiền lệ phí được không',
    'có cần nộp phí trước không',
    'máy bị sập nguồn khi đang đăng ký',
    'tài khoản vneid bị hack thì làm sao',
    'làm lạc mất căn cước rồi',
    'gọi tổng đài bắt giữ máy lâu quá',
    'nhập số thẻ bhyt để tích hợp',
    'phí mở khóa tài khoản vneid bao nhiêu',
    'chuyển phí làm căn cước qua đâu',
    'đi cấp cứu ở viện tư thì bảo hiểm y tế có chi trả không',
    'lỡ chuyển khoản nhầm số tài khoản lấy lại được không',
    // words that fold into an emergency's ("cho cán bộ" is "chó cắn", "có rút" is "co rút")
    'tôi cần xuất trình thông tin cho cán bộ thì làm thế nào',
    'rút bảo hiểm một lần thì có rút được không',
    'nhập sai mật khẩu 5 lần bị chặn luôn rồi',
    'đổi thẻ căn cước do sắp xếp đơn vị hành chính', // "do sắp" folds to "đổ sập"
    'tra cứu hồ sơ cư trú ở đâu', // "cứu hồ (sơ)" folds to "cứu hộ"
    'cách bật tính năng nfc trên iphone', // "bật tính" folds to "bất tỉnh"
    'vneid hay bị ngắt kết nối khi quét mặt', // "ngắt" folds to "ngất"
    'màn hình có giật không khi dùng máy cũ',
    'số cứu hỏa là bao nhiêu',
    'luật có bắt buộc cài vneid không',
    'thường trú từ 12 tháng liên tục thì sao', // "trú từ 12 tháng liên tục" folds around "trừ … liên tục"
    'xã bên có vụ trộm xe hôm qua à',
    'làm sao nhận biết cuộc gọi giả danh công an',
    'xã có mở lớp sơ cấp cứu không',
    'bố tôi bị đột quỵ từ năm 2019, làm căn cước tại nhà được không',
    'bị khóa theo yêu cầu thì chỉ cơ quan đó đề nghị mở lại', // "đó đề" folds to "đổ đè"
    'cấp cứu ad ơi, app cứ báo lỗi không vào được',
    'con chó nhà em đi lạc từ hôm qua',
    'tức nổ tung đầu vì đăng ký mãi không được',
    // figures of speech and questions about the numbers themselves
    'tức muốn xỉu vì chờ lâu quá',
    'trời nóng cháy người',
    'số cứu hỏa là số mấy',
    // emergency-eleven's look-alikes: the numbers themselves, whether something is dangerous, what if, what is past
    'nếu thấy tai nạn thì gọi 115 hay 113 trước',
    'bình gas cũ có cần thay van không, sợ xì gas',
    'xóm em mùa mưa hay sạt lở, có kế hoạch di dời không',
    'năm 2019 nhà bị cháy, giờ xin lại biên bản vụ cháy ở đâu',
    'vụ cháy kho tối qua dập xong chưa',
    'cơ quan như tòa án, viện kiểm sát có quyền khóa tài khoản định danh không',
  ])('an app or procedure question, not an emergency: %s', (text) => {
    expect(detect(text)).toBeNull();
  });

  it('a not-phrase speaks for its side of "nhưng" only: what is past, then what is happening', () => {
    expect(numbers('bếp cháy đã dập được rồi nhưng mẹ tôi bị bỏng nặng')).toEqual(['115']);
    expect(detect('năm ngoái nhà bị cháy nhưng giờ làm lại giấy tờ thế nào')).toBeNull();
    expect(numbers('cảnh báo lừa đảo nhưng tôi vừa bị lừa chuyển khoản')).toEqual(['113']);
  });

  it('after "nhưng", a part that says it is over closes the part before it, not the part after', () => {
    expect(detect('con tôi đi lạc hồi chiều nhưng tìm được rồi')).toBeNull();
    expect(detect('tối qua đánh nhau ở quán nhưng giải tán rồi')).toBeNull();
    expect(numbers('bếp cháy nhưng dập được rồi, nhưng ông tôi bị bỏng nặng')).toEqual(['115']);
    // without "nhưng" the list of what is over says nothing: "tìm được rồi" is not a not-phrase of its own
    expect(numbers('bắt cóc trẻ em, xong rồi chạy mất')).toEqual(['113']);
    // a thief caught and held still needs the police
    expect(numbers('có trộm vào nhà nhưng bắt được rồi, đang trói nó ngoài sân')).toEqual(['113']);
  });

  it('a not-phrase never names what can come with a real emergency: a busy line, moving people out, "is it dangerous"', () => {
    expect(numbers('gọi 114 mà máy bận, nhà bên cạnh đang cháy to')).toEqual(['114']);
    expect(numbers('nước lên nhanh quá, cần di dời bà cụ gấp, nhà đang ngập tới ngực')).toEqual(['114']);
    expect(numbers('khói bốc ra từ ổ điện phòng ngủ, có nguy hiểm không')).not.toBeNull();
  });

  it('a not-phrase typed with other diacritics is another word: "nằm ngoài" is not "năm ngoái"', () => {
    expect(numbers('cháy kho rồi, hai người bị phỏng nặng đang nằm ngoài đường')).toEqual(['114', '115']);
    expect(detect('năm ngoái nhà bị cháy')).toBeNull();
    // typed bare it may be either: the not-phrase still speaks
    expect(detect('nam ngoai nha bi chay')).toBeNull();
  });

  it('a bare call for help beside laughter is a joke; a named danger is not', () => {
    const knowledge = loadKnowledge();
    expect(interpret('tiêu hết tiền lương vào shopee rồi, cứu tôi với =)))', knowledge).intent).not.toBe('emergency');
    expect(interpret('cứu tôi với hahaha', knowledge).intent).not.toBe('emergency');
    expect(interpret('cứu tôi với', knowledge).intent).toBe('emergency');
    expect(interpret('cháy nhà rồi =))', knowledge).intent).toBe('emergency');
  });

  it('a bare call for help is weak (the rest of the message decides), a named danger is not', () => {
    expect(detect('cứu với, quên mật khẩu')).toMatchObject({ weak: true, rest: ['quen', 'mat', 'khau'] });
    // filler words written with "!" are fillers only when typed with their diacritics: "hở" is, "thẻ" is not "thế"
    expect(detect('cứu với hở, quên mật khẩu')).toMatchObject({ weak: true, rest: ['quen', 'mat', 'khau'] });
    expect(detect('cứu với, đổi thẻ')).toMatchObject({ weak: true, rest: ['doi', 'the'] });
    expect(detect('cứu với cháy nhà')).toMatchObject({ weak: false });
  });
});

describe('how the content itself reads', () => {
  const knowledge = loadKnowledge();
  const texts = knowledge.content.entries.flatMap((e) => [e.title, e.label, ...e.phrasings]);
  // The phrasings are what citizens ask: a folded collision ("hỏi chuyển tiền" read as "hối chuyển",
  // "rồi tự làm" as "rơi từ", "do sắp xếp" as "đổ sập") would turn a plain question into 113/114/115.
  const describeAnEmergency = new Set([
    'dien thoai bi trom co vneid trong do phai lam gi',
    'bi lua cai ung dung gia bi mat tien trong tai khoan ngan hang',
    'bi chiem doat tien sau khi cai app dinh danh tu link la',
    'Khu tôi có nhóm thanh niên tụ tập gây rối ban đêm, muốn báo công an qua VNeID',
    'Bị hành hung, đánh nhau ngoài đường, báo lên công an qua app được không',
  ]);

  it('no title, label or phrasing is an emergency, except the few that describe one', () => {
    expect(texts.filter((t) => interpret(t, knowledge).intent === 'emergency' && !describeAnEmergency.has(t))).toEqual([]);
  });

  it('no line of an answer, a step or a step problem reads as an emergency, except faq-cost\'s warning about scammers', () => {
    // The answers are ordinary procedural Vietnamese: a phrase that fires in them ("đó đề nghị" read
    // as "đổ đè", "và chấm" as "va chạm", "từ mức 1" as "tự tử") would fire on citizens' questions too.
    const lines = knowledge.content.entries.flatMap((e) =>
      [e.answer, ...(e.steps ?? []).flatMap((st) => [st.text, ...st.problems.flatMap((p) => [p.label, p.answer ?? ''])])].flatMap((t) => t.split('\n').map((line) => ({ id: e.id, line }))),
    );
    const fired = lines.filter(({ line }) => {
      const d = detectEmergency(wordsOf(line), knowledge.intents);
      return d !== null && !d.weak;
    });
    expect(fired.map((f) => f.id)).toEqual(['faq-cost']);
  });

  it('no title, label or phrasing is small talk', () => {
    expect(texts.filter((t) => interpret(t, knowledge).intent === 'smalltalk')).toEqual([]);
  });
});

describe('emergency files written by helpers who never saw the phrase lists (test/fixtures/emergency-*.jsonl)', () => {
  const knowledge = loadKnowledge();
  const files = ['emergency-dev.jsonl', 'emergency-heldout.jsonl', 'emergency-final.jsonl', 'emergency-report.jsonl', 'emergency-check.jsonl', 'emergency-six.jsonl', 'emergency-seven.jsonl', 'emergency-eight.jsonl', 'emergency-nine.jsonl', 'emergency-ten.jsonl', 'emergency-eleven.jsonl', 'emergency-twelve.jsonl', 'emergency-thirteen.jsonl', 'emergency-fourteen.jsonl'];
  const rows = files.flatMap((f) =>
    readFileSync(new URL(`../../fixtures/${f}`, import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { q: string; numbers: string[] }),
  );
  const verdicts = rows.map((r) => ({ ...r, u: interpret(r.q, knowledge) }));

  it('recognise at least 85 % of the emergencies, each with the numbers it needs (594 of 649 on 2026-12-02, ninth session; 718 of 769 with emergency-eleven and -twelve and the reader, tenth session; 728 of 769 with the reader completing the dangers a phrase named, eleventh session; 784 of 827 with emergency-thirteen and 694 more training messages, twelfth session; 839 of 887 with emergency-fourteen, 691 more training messages and the content answer lines, thirteenth session)', () => {
    const emergencies = verdicts.filter((v) => v.numbers.length > 0);
    const caught = emergencies.filter((v) => v.u.intent === 'emergency' && v.numbers.every((n) => (v.u as { numbers: string[] }).numbers.includes(n)));
    expect(caught.length / emergencies.length).toBeGreaterThanOrEqual(0.85);
  });

  it('leave at least 95 % of the other messages alone (519 of 528 on 2026-12-02, ninth session; 614 of 628 with emergency-eleven and -twelve, tenth session; 652 of 671 with emergency-thirteen, twelfth session; 687 of 716 with emergency-fourteen, thirteenth session)', () => {
    const others = verdicts.filter((v) => v.numbers.length === 0);
    expect(others.filter((v) => v.u.intent !== 'emergency').length / others.length).toBeGreaterThanOrEqual(0.95);
  });
});
