import { describe, expect, it } from 'vitest';
import { CachedReferralDirectory, isReferralCode, referralFromStart, typedReferral } from '../../src/core/referral.js';

describe('referral codes', () => {
  it('a code has a letter, the allowed characters, and nothing that reads as personal data', () => {
    for (const ok of ['DOANTN01', 'doan-tn', 'A_1', 'K7PQ3X', 'TEAM2025']) expect(isReferralCode(ok), ok).toBe(true);
    for (const bad of ['', 'A', '0912345678', '123456', 'mã-đội', 'has space', 'X'.repeat(33), 'cb001203004567']) expect(isReferralCode(bad), bad).toBe(false);
  });

  it('start parameters: ref_<CODE>, ref-<CODE> or the bare code', () => {
    expect(referralFromStart('ref_DOANTN01')).toBe('DOANTN01');
    expect(referralFromStart('ref-doan')).toBe('doan');
    expect(referralFromStart('DOANTN01')).toBe('DOANTN01');
    expect(referralFromStart('ref_0912345678')).toBeUndefined();
    expect(referralFromStart(undefined)).toBeUndefined();
  });

  it('a code typed as a message, with or without "mã", "#", "ref_", upper-cased', () => {
    for (const text of ['DOANTN01', 'doantn01', ' #DOANTN01 ', 'ref_DOANTN01', 'mã DOANTN01', 'Mã đội: doantn01', 'ma doi doantn01']) {
      expect(typedReferral(text), text).toBe('DOANTN01');
    }
    for (const text of ['quên mật khẩu', 'mã OTP là gì', '0912345678', 'mã 123456', '']) expect(typedReferral(text), text).toBeUndefined();
  });
});

describe('CachedReferralDirectory', () => {
  const source = (codes: string[]) => {
    const s = { calls: 0, fail: false, codes, listTeams: async () => {
      s.calls++;
      if (s.fail) throw new Error('database away');
      return s.codes.map((code) => ({ code, commune: code === 'HOIPN' ? 'loc-hoa' : null }));
    } };
    return s;
  };

  it('knows stored codes case-insensitively, reads storage at most once per ttl, at once after invalidate', async () => {
    let now = 1_000;
    const s = source(['DOANTN01']);
    const dir = new CachedReferralDirectory(s, 30_000, () => now);
    expect(await dir.resolve('doantn01')).toEqual({ code: 'DOANTN01', commune: null });
    expect(await dir.resolve('VNEID')).toBeUndefined();
    expect(await dir.resolve('OK')).toBeUndefined();
    expect(s.calls).toBe(1);
    s.codes = ['DOANTN01', 'HOIPN'];
    expect(await dir.resolve('HOIPN')).toBeUndefined(); // not yet re-read
    dir.invalidate();
    expect(await dir.resolve('hoipn')).toEqual({ code: 'HOIPN', commune: 'loc-hoa' });
    expect(s.calls).toBe(2);
    now += 30_001;
    await dir.resolve('x1');
    expect(s.calls).toBe(3);
  });

  it('a failed read keeps what it knew and is not retried on every message', async () => {
    let now = 0;
    const s = source(['DOANTN01']);
    const dir = new CachedReferralDirectory(s, 1_000, () => now);
    expect((await dir.resolve('DOANTN01'))?.code).toBe('DOANTN01');
    s.fail = true;
    now = 2_000;
    expect((await dir.resolve('DOANTN01'))?.code).toBe('DOANTN01');
    expect((await dir.resolve('DOANTN01'))?.code).toBe('DOANTN01');
    expect(s.calls).toBe(2);
  });
});
