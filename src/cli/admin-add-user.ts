/**
 * `npm run admin:add-user -- --file users.yaml --name lochoa --role commune --commune loc-hoa`
 * adds (or replaces) an official in ADMIN_USERS_FILE with a scrypt hash of their password. The
 * password is read from ADMIN_NEW_PASSWORD or the first line of standard input, never from the
 * command line (it would stay in the shell history). The file is checked against communes.yaml
 * (CONTENT_DIR, or --content) before it is written.
 * Roles: commune (--commune <id>), district (--district "<name>" or --communes a,b), province
 * (--province "<name>"), admin.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dump, load as parseYaml } from 'js-yaml';
import { DEFAULT_CONTENT_DIR } from '../core/content/loader.js';
import { loadCommunes } from '../core/communes/directory.js';
import { hashPassword, parseAdminUsers, ROLES, type UserRecord } from '../server/admin/users.js';

const USAGE =
  'Cách dùng: ADMIN_NEW_PASSWORD=... npm run admin:add-user -- --file users.yaml --name <tên> --role commune|district|province|admin [--commune <id>] [--district "<tên>"] [--communes a,b] [--province "<tên>"] [--content content/]';

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_NEW_PASSWORD) return process.env.ADMIN_NEW_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('Mật khẩu (ít nhất 10 ký tự), rồi Enter: ');
  let input = '';
  for await (const chunk of process.stdin) {
    input += String(chunk);
    if (input.includes('\n')) break;
  }
  return input.split(/\r?\n/)[0] ?? '';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      commune: { type: 'string' },
      communes: { type: 'string' },
      district: { type: 'string' },
      province: { type: 'string' },
      content: { type: 'string' },
    },
  });
  const file = values.file ?? process.env.ADMIN_USERS_FILE;
  if (!file || !values.name || !values.role || !(ROLES as readonly string[]).includes(values.role)) throw new Error(USAGE);
  const password = await readPassword();
  if (password.length < 10) throw new Error('Mật khẩu cần ít nhất 10 ký tự.');

  const user: Record<string, unknown> = { name: values.name, role: values.role };
  if (values.commune) user.commune = values.commune;
  if (values.communes) user.communes = values.communes.split(',').map((s) => s.trim()).filter(Boolean);
  if (values.district) user.district = values.district;
  if (values.province) user.province = values.province;
  user.passwordHash = await hashPassword(password);

  const existing = existsSync(file) ? ((parseYaml(readFileSync(file, 'utf8')) as { users?: UserRecord[] } | undefined)?.users ?? []) : [];
  const users = [...existing.filter((u) => u.name !== values.name), user];
  const contentDir = values.content ?? process.env.CONTENT_DIR ?? DEFAULT_CONTENT_DIR;
  // Refuses a file the server would refuse (unknown commune, bad name...), before writing it.
  parseAdminUsers({ users }, loadCommunes(resolve(contentDir)));
  const header = '# Cán bộ xem trang thống kê (ADMIN_USERS_FILE). Sửa bằng: npm run admin:add-user. Chỉ lưu mã băm mật khẩu (scrypt).\n';
  writeFileSync(file, header + dump({ users }, { lineWidth: 200 }), { mode: 0o600 });
  console.log(`Đã lưu cán bộ "${values.name}" (${values.role}) vào ${file}.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
