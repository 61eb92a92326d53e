import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatReceiptNumber, parseReceiptNumber } from './receipt-number';

describe('receipt numbers', () => {
  it('formats the domain note’s example', () => {
    expect(formatReceiptNumber({ hallCode: 'HALL01', date: '2026-11-26', consoleCode: 'C03', sequence: 42 })).toBe('HALL01-20261126-C03-0042');
  });

  it('round-trips and refuses malformed numbers', () => {
    expect(parseReceiptNumber('HALL01-20261126-C03-0042')).toEqual({ hallCode: 'HALL01', date: '2026-11-26', consoleCode: 'C03', sequence: 42 });
    for (const bad of ['', 'HALL01-20261326-C03-0042', 'HALL01-20260230-C03-0042', 'hall01-20261126-C03-0042', 'HALL01-20261126-03-0042', 'HALL01-20261126-C03-42']) {
      expect(parseReceiptNumber(bad)).toBeNull();
    }
    expect(() => formatReceiptNumber({ hallCode: 'H', date: '2026-11-26', consoleCode: 'C03', sequence: 1 })).toThrow(RangeError);
    expect(() => formatReceiptNumber({ hallCode: 'HALL01', date: '2026-11-26', consoleCode: 'C03', sequence: 0 })).toThrow(RangeError);
  });

  it('never collides between two consoles counting offline on the same day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999 }), fc.integer({ min: 1, max: 999_999 }), (a, b) => {
        const one = formatReceiptNumber({ hallCode: 'HALL01', date: '2026-11-26', consoleCode: 'C03', sequence: a });
        const two = formatReceiptNumber({ hallCode: 'HALL01', date: '2026-11-26', consoleCode: 'C04', sequence: b });
        expect(one).not.toBe(two);
        expect(parseReceiptNumber(one)?.sequence).toBe(a);
      }),
    );
  });
});
