import { describe, expect, it } from 'vitest';
import { formatFen } from './money';

describe('formatFen', () => {
  it('shows fen as yuan with two decimals without floating point', () => {
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(8000)).toBe('¥80.00');
    expect(formatFen(9001)).toBe('¥90.01');
    expect(formatFen(123456789)).toBe('¥1,234,567.89');
    expect(formatFen(-1050)).toBe('-¥10.50');
  });
  it('refuses what is not an integer amount', () => {
    expect(formatFen(1.5)).toBe('—');
    expect(formatFen(Number.NaN)).toBe('—');
  });
});
