import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskName, maskPhone } from './masking';

describe('maskName', () => {
  it.each([
    ['张三', '张*'],
    ['张三丰', '张*丰'],
    ['欧阳小明', '欧**明'],
    ['王', '*'],
    ['  李四  ', '李*'],
    ['买买提·艾力', '买****力'],
    ['John Smith', 'J*** S****'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(maskName(input)).toBe(expected);
  });
});

describe('maskIdNumber', () => {
  it('keeps the first and last four of an 18-digit number', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
  });
  it('never returns a short number in clear', () => {
    expect(maskIdNumber('12345')).toBe('***45');
    expect(maskIdNumber('1')).toBe('*');
  });
});

describe('maskPhone', () => {
  it('masks the middle four digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});
