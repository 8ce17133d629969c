/**
 * The monthly report as Vietnamese plain text, fit to paste into a report to the district
 * (totals, campaign document types, channels, referral codes, top unanswered questions).
 */
import { documentCounts, formatDay, type StatsRange, type StatsStore } from './store.js';

export const CHANNEL_LABEL: Readonly<Record<string, string>> = { zalo: 'Zalo', 'zalo-oa': 'Zalo OA', 'zalo-bot': 'Zalo Bot', telegram: 'Telegram', web: 'Web chat' };
export const channelLabel = (c: string): string => CHANNEL_LABEL[c] ?? c;

const intFmt = new Intl.NumberFormat('vi-VN');
const pctFmt = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const n = (x: number) => intFmt.format(x);
const pct = (part: number, whole: number) => (whole > 0 ? `${pctFmt.format((100 * part) / whole)} %` : '–');
const viDay = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

export interface ReportOptions {
  /** How many unanswered questions to list (default 10). */
  top?: number;
  communeName?: string;
}

export async function buildReport(store: StatsStore, range: StatsRange, o: ReportOptions = {}): Promise<string> {
  const top = o.top ?? 10;
  const [ov, guides, channels, referrals, review] = await Promise.all([
    store.overview(range),
    store.guides(range),
    store.perChannel(range),
    store.referrals(range),
    store.reviewQuestions(range, 1000),
  ]);
  const lastDay = formatDay(range.to - 1);
  const lines: string[] = [];
  const title = `BÁO CÁO THỐNG KÊ TRỢ LÝ VNeID${o.communeName ? ` — ${o.communeName.toLocaleUpperCase('vi-VN')}` : ''}`;
  lines.push(title, `Từ ngày ${viDay(formatDay(range.from))} đến ngày ${viDay(lastDay)} (giờ Việt Nam).`, 'Số liệu ẩn danh: không chứa họ tên, số điện thoại, số định danh của người dân.', '');

  lines.push('1. Tổng quan');
  lines.push(`- Số cuộc trò chuyện: ${n(ov.conversations)}`);
  lines.push(`- Số người dùng (ẩn danh): ${n(ov.users)}`);
  lines.push(
    `- Số câu hỏi: ${n(ov.questions)}; trả lời được ${n(ov.answered)} (${pct(ov.answered, ov.questions)}), chưa chắc ${n(ov.lowConfidence)}, chưa trả lời được ${n(ov.unanswered)}`,
  );
  lines.push(`- Hướng dẫn từng bước: ${n(ov.walksStarted)} lượt bắt đầu, ${n(ov.walksCompleted)} lượt hoàn thành; ${n(ov.stuck)} lượt bấm "Tôi bị lỗi"`);
  lines.push(`- Tin nhắn có thông tin cá nhân (đã nhắc người dân không chia sẻ): ${n(ov.sensitive)}`);
  lines.push(`- Tin nhắn khẩn cấp (đã đưa số 113/114/115 và liên hệ Công an xã): ${n(ov.emergencies)}`);
  lines.push(`- Lỗi gửi tin: ${n(ov.deliveryFailures)}`, '');

  lines.push('2. Kết quả hướng dẫn theo loại giấy tờ (số người)');
  for (const d of documentCounts(guides)) {
    lines.push(`- ${d.label}: ${n(d.completedUsers)} người hoàn thành / ${n(d.startedUsers)} người bắt đầu`);
  }
  lines.push('');

  lines.push('3. Theo kênh');
  if (channels.length === 0) lines.push('- (không có số liệu)');
  for (const c of channels) {
    lines.push(`- ${channelLabel(c.channel)}: ${n(c.conversations)} cuộc trò chuyện, ${n(c.users)} người dùng, ${n(c.questions)} câu hỏi (trả lời được ${pct(c.answered, c.questions)})`);
  }
  lines.push('');

  lines.push('4. Theo mã giới thiệu (đội tình nguyện)');
  if (referrals.length === 0) lines.push('- (không có cuộc trò chuyện nào qua mã giới thiệu)');
  for (const r of referrals) {
    lines.push(`- ${r.code}: ${n(r.conversations)} cuộc trò chuyện, ${n(r.users)} người, ${n(r.guidesCompleted)} hướng dẫn hoàn thành, ${n(r.activations)} người kích hoạt tài khoản`);
  }
  lines.push('');

  const topUnanswered = [...review].sort((a, b) => b.count - a.count || b.lastAt - a.lastAt).slice(0, top);
  lines.push(`5. Câu hỏi chưa trả lời được hoặc chưa chắc nhiều nhất (tối đa ${top})`);
  if (topUnanswered.length === 0) lines.push('- (không có)');
  topUnanswered.forEach((r, i) => lines.push(`${i + 1}. "${r.text.replace(/\s+/g, ' ')}" — ${n(r.count)} lần`));
  return lines.join('\n') + '\n';
}
