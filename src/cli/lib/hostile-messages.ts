/**
 * Messages built to make a regular expression backtrack: long runs of what the scrubber's
 * patterns start on ("mật khẩu", "mk", "địa chỉ:", digits and dots, "tôi tên là"), cut at the
 * 2,000 characters the bot reads. `npm run bench` times the scrubber on them; the tests check
 * that they are handled at all.
 */
export const HOSTILE_MESSAGES: readonly string[] = [
  'mật khẩu '.repeat(300),
  'mk a '.repeat(500),
  'địa chỉ: ' + 'a.b '.repeat(600),
  '1.'.repeat(1000),
  'tôi tên là ' + 'An '.repeat(700),
  'cmnd ' + '1 a '.repeat(600),
].map((m) => m.slice(0, 2000));
