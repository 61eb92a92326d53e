import { describe, expect, it } from 'vitest';
import { calendarDate, chinaDate, idCheckChar, makeIdNumber, validateForeignPermanentNumber, validateIdNumber } from './id-number';

describe('GB 11643 ID numbers', () => {
  it('accepts the public sample number and reads birth date and sex', () => {
    expect(validateIdNumber('11010519491231002X')).toEqual({ ok: true, region: '110105', birthDate: '1949-12-31', sex: 'female' });
  });

  it('computes check characters with the standard weights', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    // Σ = 0 → index 0 → '1'
    expect(idCheckChar('00000000000000000')).toBe('1');
    expect(makeIdNumber('440304', '20000229', '123')).toMatch(/^44030420000229123[\dX]$/);
    expect(validateIdNumber(makeIdNumber('440304', '20000229', '123')).ok).toBe(true);
    expect(() => idCheckChar('123')).toThrow(RangeError);
  });

  it('rejects a wrong check character', () => {
    expect(validateIdNumber('110105194912310021')).toMatchObject({ ok: false, problem: 'check_digit' });
  });

  it('rejects bad formats, regions and birth dates', () => {
    expect(validateIdNumber('11010519491231002x')).toMatchObject({ ok: false, problem: 'format' });
    expect(validateIdNumber('1101051949123100')).toMatchObject({ ok: false, problem: 'format' });
    expect(validateIdNumber(makeIdNumber('990105', '19491231', '002'))).toMatchObject({ ok: false, problem: 'region' });
    expect(validateIdNumber(makeIdNumber('110105', '19490230', '002'))).toMatchObject({ ok: false, problem: 'birth_date' });
    expect(validateIdNumber(makeIdNumber('110105', '18800101', '002'))).toMatchObject({ ok: false, problem: 'birth_date' });
    const future = makeIdNumber('110105', '20991231', '002');
    expect(validateIdNumber(future).ok).toBe(true);
    expect(validateIdNumber(future, { now: new Date('2026-11-26T00:00:00Z') })).toMatchObject({ ok: false, problem: 'birth_date' });
  });

  it('never puts the number in its message', () => {
    const r = validateIdNumber('110105194912310021');
    expect(!r.ok && r.message).not.toContain('1101');
  });
});

describe('2023 foreigner permanent residence card numbers', () => {
  it('accept 9 + province + country digits, GB 11643 check character', () => {
    const n = makeIdNumber('911276', '19880412', '015');
    expect(n).toBe('911276198804120156');
    expect(validateForeignPermanentNumber(n)).toEqual({ ok: true, region: '911276', birthDate: '1988-04-12', sex: 'male' });
    // a citizen number is not a Y card number, nor the other way round
    expect(validateIdNumber(n)).toMatchObject({ ok: false, problem: 'region' });
    expect(validateForeignPermanentNumber('11010519491231002X')).toMatchObject({ ok: false, problem: 'region' });
  });

  it('reject a non-province second/third digit, wrong check characters and implausible birth dates', () => {
    expect(validateForeignPermanentNumber(makeIdNumber('900276', '19880412', '015'))).toMatchObject({ ok: false, problem: 'region' });
    expect(validateForeignPermanentNumber(makeIdNumber('981276', '19880412', '015'))).toMatchObject({ ok: false, problem: 'region' });
    expect(validateForeignPermanentNumber('911276198804120151')).toMatchObject({ ok: false, problem: 'check_digit' });
    expect(validateForeignPermanentNumber(makeIdNumber('911276', '18800412', '015'))).toMatchObject({ ok: false, problem: 'birth_date' });
    expect(validateForeignPermanentNumber('91127619880412015')).toMatchObject({ ok: false, problem: 'format' });
    const r = validateForeignPermanentNumber('911276198804120151');
    expect(!r.ok && r.message).not.toContain('9112');
  });
});

describe('calendarDate', () => {
  it('knows month lengths and leap years', () => {
    expect(calendarDate('20000229')).toBe('2000-02-29');
    expect(calendarDate('19000229')).toBeNull();
    expect(calendarDate('20240431')).toBeNull();
    expect(calendarDate('20241301')).toBeNull();
    expect(calendarDate('2024010')).toBeNull();
  });
});

describe('chinaDate', () => {
  it('is the date in UTC+8', () => {
    expect(chinaDate(new Date('2026-11-26T15:59:59Z'))).toBe('2026-11-26');
    expect(chinaDate(new Date('2026-11-26T16:00:00Z'))).toBe('2026-11-27');
  });
});
