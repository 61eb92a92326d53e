import { describe, expect, it } from 'vitest';
import { genderCode, genderFromCode, genderLabel, NATIONS, nationFromCode } from './codes';

describe('nation codes (GB 3304)', () => {
  it('has the 56 nations in standard order, plus 97 and 98', () => {
    expect(NATIONS.size).toBe(58);
    expect(nationFromCode('01')).toEqual({ code: '01', name: '汉' });
    expect(nationFromCode('02')?.name).toBe('蒙古');
    expect(nationFromCode('05')?.name).toBe('维吾尔');
    expect(nationFromCode('10')?.name).toBe('朝鲜');
    expect(nationFromCode('22')?.name).toBe('畲');
    expect(nationFromCode('29')?.name).toBe('柯尔克孜');
    expect(nationFromCode('30')?.name).toBe('土');
    expect(nationFromCode('37')?.name).toBe('仡佬');
    expect(nationFromCode('43')?.name).toBe('乌孜别克');
    expect(nationFromCode('49')?.name).toBe('京');
    expect(nationFromCode('56')?.name).toBe('基诺');
    expect(nationFromCode('97')?.name).toBe('其他');
  });

  it('refuses codes outside the table', () => {
    for (const c of ['00', '57', '1', '001', '96', '99', 'ab']) expect(nationFromCode(c)).toBeNull();
  });
});

describe('gender codes (GB/T 2261.1)', () => {
  it('maps both ways', () => {
    expect(genderFromCode('1')).toBe('male');
    expect(genderFromCode('2')).toBe('female');
    expect(genderFromCode('0')).toBe('unknown');
    expect(genderFromCode('9')).toBe('unspecified');
    expect(genderFromCode('3')).toBeNull();
    expect(genderCode('female')).toBe('2');
    expect(genderLabel('male')).toBe('男');
    expect(genderLabel('female')).toBe('女');
  });
});
