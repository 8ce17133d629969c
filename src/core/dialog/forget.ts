/**
 * "Xóa dữ liệu của tôi": a citizen's request to erase what the bot keeps about them, typed on
 * any channel (Zalo OA's `user_withdraw` event does the same without asking). Two steps, so a
 * stray message cannot erase a walkthrough in progress: the command asks, a button (or its
 * number on text-only channels) confirms. The texts live here, not in content/, because they
 * describe what the code deletes and must change with it.
 */
import { foldDiacritics } from '../text/vietnamese.js';

export const FORGET_CONFIRM = 'forget:yes';
export const FORGET_CANCEL = 'forget:no';

/**
 * "xóa dữ liệu của tôi", "xoá dữ liệu", "xoa du lieu cua toi", "Hãy xóa hết dữ liệu của mình đi!"…
 * Folded to plain letters first, so diacritics (and their old or new placement) do not matter.
 */
const COMMAND =
  /^(?:(?:xin|vui long|lam on|hay|ban|bot)\s+)*(?:xoa|xoa bo)\s+(?:het\s+|tat ca\s+|toan bo\s+)?du lieu(?:\s+ca nhan)?(?:\s+(?:cua\s+)?(?:toi|minh|em|tui))?(?:\s+(?:di|nhe|giup toi|giup minh|voi|a))*$/;

export function isForgetCommand(text: string): boolean {
  const folded = foldDiacritics(text.normalize('NFC')).toLowerCase().replace(/[.!?,;:…]+/g, ' ').replace(/\s+/g, ' ').trim();
  return folded.length <= 80 && COMMAND.test(folded);
}

export const FORGET_TEXTS = {
  ask:
    'Bạn muốn xóa dữ liệu của mình trên trợ lý này?\n' +
    'Sẽ xóa: cuộc trò chuyện đang dở (bước hướng dẫn, lựa chọn gần nhất) và các số liệu thống kê ẩn danh gắn với bạn. ' +
    'Trợ lý không lưu tên, số điện thoại hay số giấy tờ của bạn.',
  confirmLabel: 'Xóa dữ liệu',
  cancelLabel: 'Không xóa',
  done: (d: { conversations: number; values: number; statistics: number }) =>
    'Đã xóa dữ liệu của bạn: ' +
    `${d.conversations > 0 ? 'cuộc trò chuyện đang dở' : 'không có cuộc trò chuyện nào đang lưu'}, ` +
    `${d.values} lựa chọn đã ghi nhớ và ${d.statistics} bản ghi thống kê.\n` +
    'Nếu cần hỗ trợ tiếp, bạn cứ nhắn tin như bình thường.',
  cancelled: 'Đã hủy, dữ liệu của bạn được giữ nguyên.',
} as const;
