/**
 * Where a volunteer team's poster sends citizens, and what it says. One QR code per channel the
 * server has configured:
 *  - Telegram carries the code in the link itself: t.me/<bot>?start=ref_<CODE> arrives as
 *    "/start ref_<CODE>" (engine.ts).
 *  - A Zalo OA link (zalo.me/<OA id>) carries no parameter we could read: Zalo documents none for
 *    OA links, and the `follow` event's `source` is Zalo's own. So the poster asks the citizen to
 *    send the code as a message after "Quan tâm"; the engine reads a known team code typed alone
 *    ("DOANTN01", "mã DOANTN01") as the referral.
 *  - The web chat (PUBLIC_URL/, or the commune's page PUBLIC_URL/xa/<id>) takes ?ref=<CODE>, which
 *    its page sends as "/start ref_<CODE>".
 * QR codes are drawn here on the server (`qrcode`), never by a third-party service.
 */
import QRCode from 'qrcode';
import { START_PREFIX } from '../../core/referral.js';

export type PosterChannel = 'zalo' | 'telegram' | 'web';

/** What the server knows of its channels (from the configuration). */
export interface PosterChannels {
  /** Zalo OA id (digits), for zalo.me/<id>. */
  zaloOaId?: string;
  /** The OA's display name, printed on the poster. */
  zaloOaName?: string;
  /** Telegram bot username, without @. */
  telegramUsername?: string;
  /** The web chat page: PUBLIC_URL/, or a commune's PUBLIC_URL/xa/<id>. */
  webUrl?: string;
}

export interface PosterLink {
  channel: PosterChannel;
  url: string;
  /** Does opening the link hand the code to the bot by itself? (Zalo OA: no, it must be typed.) */
  carriesCode: boolean;
  /** How the poster names the bot on that channel. */
  botName: string;
}

export const CHANNEL_NAMES: Readonly<Record<PosterChannel, string>> = { zalo: 'Zalo', telegram: 'Telegram', web: 'Trang web' };

export const telegramLink = (username: string, code: string) => `https://t.me/${encodeURIComponent(username)}?start=${START_PREFIX}${encodeURIComponent(code)}`;
export const zaloOaLink = (oaId: string) => `https://zalo.me/${encodeURIComponent(oaId)}`;
export const webChatLink = (page: string, code: string) => `${page}${page.includes('?') ? '&' : '?'}ref=${encodeURIComponent(code)}`;

/** The links of one code, Zalo first (the channel most citizens have), then Telegram, then web. */
export function posterLinks(code: string, channels: PosterChannels, communeName: string): PosterLink[] {
  const links: PosterLink[] = [];
  if (channels.zaloOaId) {
    links.push({ channel: 'zalo', url: zaloOaLink(channels.zaloOaId), carriesCode: false, botName: channels.zaloOaName ?? `Trợ lý VNeID — ${communeName}` });
  }
  if (channels.telegramUsername) links.push({ channel: 'telegram', url: telegramLink(channels.telegramUsername, code), carriesCode: true, botName: `@${channels.telegramUsername}` });
  if (channels.webUrl) links.push({ channel: 'web', url: webChatLink(channels.webUrl, code), carriesCode: true, botName: `Trợ lý VNeID — ${communeName}` });
  return links;
}

/** A QR code as PNG: error correction M (a poster gets creased), a quiet zone of 4 modules. */
export function qrPng(url: string, width = 600): Promise<Buffer> {
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 4, width });
}

/** What the bot helps with, in three lines (the poster and the share text). */
export const HELPS_WITH: readonly string[] = [
  'Hướng dẫn từng bước cài đặt và kích hoạt tài khoản định danh điện tử trên ứng dụng VNeID.',
  'Hướng dẫn tích hợp thẻ bảo hiểm y tế, giấy phép lái xe, đăng ký xe, mã số thuế vào VNeID.',
  'Gỡ lỗi thường gặp: quên mật khẩu, không nhận được mã OTP, đổi số điện thoại, đổi điện thoại.',
];

export const SCAM_WARNING =
  'Cảnh giác lừa đảo: Trợ lý và Công an không bao giờ hỏi mã OTP, mật khẩu hay passcode của bạn, không yêu cầu cài ứng dụng lạ hay chuyển tiền. Không đưa các mã này cho bất kỳ ai.';

/** What a citizen does with each channel's QR code. */
export function howTo(link: PosterLink, code: string): string {
  switch (link.channel) {
    case 'zalo':
      return `Mở Zalo, quét mã QR, bấm “Quan tâm”, rồi gửi tin nhắn: ${code}`;
    case 'telegram':
      return 'Quét mã QR bằng camera điện thoại, mở Telegram rồi bấm “Bắt đầu” (Start).';
    case 'web':
      return 'Quét mã QR bằng camera điện thoại để mở trang trò chuyện, không cần cài thêm ứng dụng.';
  }
}

/** A message volunteers forward on Zalo (plain text: Zalo shows links as links). */
export function shareText(code: string, links: readonly PosterLink[], communeName: string): string {
  const lines = [`Trợ lý VNeID của ${communeName} hướng dẫn miễn phí, mọi lúc:`, ...HELPS_WITH.map((h) => `• ${h}`), ''];
  for (const l of links) {
    if (l.channel === 'zalo') lines.push(`Trên Zalo: mở ${l.url}, bấm “Quan tâm” rồi gửi mã ${code}`);
    else if (l.channel === 'telegram') lines.push(`Trên Telegram: ${l.url}`);
    else lines.push(`Trên trang web: ${l.url}`);
  }
  lines.push('', SCAM_WARNING);
  return lines.join('\n');
}
