import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommuneDirectory, closedUntil, contactPhrase, loadCommunes, readCommunes } from '../../../src/core/communes/directory.js';
import { describeOpening, officeStatus } from '../../../src/core/communes/hours.js';
import { tempDir } from '../../helpers/engine.js';

export const COMMUNES_FIXTURE = new URL('../../fixtures/communes/', import.meta.url).pathname;
const communes = loadCommunes(COMMUNES_FIXTURE);
const idOf = (text: string) => {
  const r = communes.resolve(text);
  return 'commune' in r ? r.commune.id : 'ambiguous' in r ? `ambiguous:${r.ambiguous.map((c) => c.id).join(',')}` : null;
};
/** Vietnam time (UTC+7) on a day of December 2026 (1 December 2026 is a Tuesday). */
const vn = (day: number, hour: number, minute = 0) => Date.UTC(2026, 11, day, hour - 7, minute);

describe('communes.yaml', () => {
  it('loads the two-commune fixture', () => {
    expect(communes.list.map((c) => c.id)).toEqual(['loc-hoa', 'nam-dinh']);
    expect(communes.byId('nam-dinh')?.contact.phone).toBe('0228 333 4444');
    expect(communes.byId('ha-noi')).toBeUndefined();
  });

  it('is optional: without the file the directory is empty and nothing is an error', () => {
    const t = tempDir();
    try {
      expect(readCommunes(t.dir)).toEqual({ communes: [], present: false, errors: [] });
      expect(loadCommunes(t.dir).size).toBe(0);
    } finally {
      t.cleanup();
    }
  });

  it('reports every problem with its path: bad id, a secret instead of an env-var name, bad hours, duplicates', () => {
    const t = tempDir();
    try {
      writeFileSync(
        join(t.dir, 'communes.yaml'),
        [
          'communes:',
          '  - id: Loc Hoa',
          '    name: Xã Lộc Hòa',
          '    province: Tỉnh Ninh Bình',
          '    contact: { phone: "0228 111 2222", address: Trụ sở, hours: giờ hành chính, open: [{ days: [monday], times: ["17:00-07:30"] }] }',
          '    telegram: { tokenEnv: "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345", webhookSecretEnv: LOC_HOA_SECRET }',
        ].join('\n'),
      );
      const { errors } = readCommunes(t.dir);
      const fields = errors.map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['communes.0.id', 'communes.0.contact.open.0.days.0', 'communes.0.contact.open.0.times.0', 'communes.0.telegram.tokenEnv']));
      expect(errors.find((e) => e.field === 'communes.0.telegram.tokenEnv')?.reason).toMatch(/tên biến môi trường.*không phải giá trị bí mật/);
      expect(errors.find((e) => e.field === 'communes.0.id')?.reason).toMatch(/chữ thường không dấu/);
      expect(errors.every((e) => e.file === 'communes.yaml')).toBe(true);

      writeFileSync(
        join(t.dir, 'communes.yaml'),
        [
          'communes:',
          '  - { id: a, name: Xã An Bình, province: Tỉnh X, contact: { phone: "111", address: a, hours: h } }',
          '  - { id: a, name: Xã An Hòa, province: Tỉnh X, contact: { phone: "222", address: a, hours: h } }',
          '  - { id: b, name: Xã Bình Minh, province: Tỉnh X, aliases: [An Binh], contact: { phone: "333", address: a, hours: h } }',
        ].join('\n'),
      );
      const dup = readCommunes(t.dir).errors;
      expect(dup.map((e) => e.field)).toEqual(['communes.1.id', 'communes.2.aliases.0']);
      expect(() => loadCommunes(t.dir)).toThrow(/communes\.yaml: communes\.1\.id/);

      writeFileSync(join(t.dir, 'communes.yaml'), 'communes: [\n');
      expect(readCommunes(t.dir).errors[0]?.reason).toMatch(/YAML sai cú pháp/);
    } finally {
      t.cleanup();
    }
  });
});

describe('which commune a citizen names', () => {
  it.each([
    ['xa loc hoa', 'loc-hoa'],
    ['Xã Lộc Hòa', 'loc-hoa'],
    ['LỘC HOÀ', 'loc-hoa'],
    ['loc hoa', 'loc-hoa'],
    ['tôi ở xã lộc hòa ạ', 'loc-hoa'],
    ['phuong nam dinh', 'nam-dinh'],
    ['Nam Định', 'nam-dinh'],
    // Old names of communes merged in 2025 (aliases).
    ['xã Mỹ Hà', 'loc-hoa'],
    ['my tien', 'loc-hoa'],
    ['em o phuong vi xuyen', 'nam-dinh'],
    ['Trần Hưng Đạo', 'nam-dinh'],
  ])('%s → %s', (text, id) => {
    expect(idOf(text)).toBe(id);
  });

  it.each(['xã Yên Bình', 'hà nội', '', 'làm sao kích hoạt tài khoản định danh mức 2 ở lộc hòa'])('%s → none', (text) => {
    expect(idOf(text)).toBeNull();
  });

  it('a bare name shared by a xã and a phường is ambiguous until the kind is said', () => {
    const dir = new CommuneDirectory([
      { id: 'an-binh-xa', name: 'Xã An Bình', province: 'Tỉnh X', aliases: [], contact: { phone: '1', address: 'a', hours: 'h' } },
      { id: 'an-binh-phuong', name: 'Phường An Bình', province: 'Tỉnh X', aliases: [], contact: { phone: '2', address: 'b', hours: 'h' } },
    ]);
    const r = dir.resolve('an binh');
    expect('ambiguous' in r && r.ambiguous.map((c) => c.id)).toEqual(['an-binh-xa', 'an-binh-phuong']);
    const p = dir.resolve('phuong an binh');
    expect('commune' in p && p.commune.id).toBe('an-binh-phuong');
  });
});

describe('office hours (Vietnam time, fixed clock)', () => {
  const locHoa = communes.byId('loc-hoa')!;
  const open = locHoa.contact.open!;

  it('is open in the morning and afternoon ranges, closed at lunch, evenings and weekends', () => {
    expect(officeStatus(open, vn(1, 8))).toEqual({ open: true }); // Tuesday 8:00
    expect(officeStatus(open, vn(1, 16, 59))).toEqual({ open: true });
    expect(officeStatus(open, vn(1, 12))).toEqual({ open: false, opensAt: vn(1, 13, 30) });
    expect(officeStatus(open, vn(1, 17))).toEqual({ open: false, opensAt: vn(2, 7, 30) });
    expect(officeStatus(open, vn(4, 19))).toEqual({ open: false, opensAt: vn(7, 7, 30) }); // Friday evening → Monday
    expect(officeStatus(open, vn(6, 10))).toEqual({ open: false, opensAt: vn(7, 7, 30) }); // Sunday
    expect(officeStatus([], vn(1, 8))).toEqual({ open: false, opensAt: undefined });
  });

  it('says when it opens, in words', () => {
    expect(describeOpening(vn(1, 13, 30), vn(1, 12))).toBe('13:30 chiều nay');
    expect(describeOpening(vn(2, 7, 30), vn(1, 17))).toBe('7:30 sáng mai (Thứ Tư, 02/12)');
    expect(describeOpening(vn(7, 7, 30), vn(4, 19))).toBe('7:30 sáng Thứ Hai, 07/12');
    // Just after midnight UTC is still the evening before in Vietnam... and 7:00 the same day.
    expect(describeOpening(vn(2, 7, 30), Date.UTC(2026, 11, 1, 23, 0))).toBe('7:30 sáng nay');
  });

  it('closedUntil is undefined while open or without machine-readable hours', () => {
    expect(closedUntil(locHoa, vn(1, 9))).toBeUndefined();
    expect(closedUntil(locHoa, vn(5, 9))).toBe('7:30 sáng Thứ Hai, 07/12');
    expect(closedUntil({ ...locHoa, contact: { ...locHoa.contact, open: undefined } }, vn(5, 9))).toBeUndefined();
    expect(contactPhrase(locHoa)).toContain('0228 111 2222');
  });
});

