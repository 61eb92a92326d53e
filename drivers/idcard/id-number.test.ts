import { describe, expect, it } from 'vitest';
import { calendarDate, chinaDate, idCheckChar, makeIdNumber, validateIdNumber } from './id-number';

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
