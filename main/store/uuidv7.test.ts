import { describe, expect, it } from 'vitest';
import { UUIDV7_PATTERN, uuidv7 } from './uuidv7';

describe('uuidv7', () => {
  it('has the v7 layout and embeds the millisecond timestamp', () => {
    const at = new Date('2026-11-26T01:02:03.456Z');
    const id = uuidv7(at);
    expect(id).toMatch(UUIDV7_PATTERN);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at.getTime());
  });

  it('sets version and variant bits whatever the random bytes are', () => {
    expect(uuidv7(new Date(0), Buffer.alloc(10, 0xff))).toBe('00000000-0000-7fff-bfff-ffffffffffff');
    expect(uuidv7(new Date(0), Buffer.alloc(10, 0))).toBe('00000000-0000-7000-8000-000000000000');
  });

  it('sorts by time and is unique', () => {
    const a = uuidv7(new Date(1_000));
    const b = uuidv7(new Date(2_000));
    expect(a < b).toBe(true);
    const many = new Set(Array.from({ length: 1000 }, () => uuidv7(new Date(5_000))));
    expect(many.size).toBe(1000);
  });

  it('rejects times it cannot encode', () => {
    expect(() => uuidv7(new Date(-1))).toThrow(RangeError);
    expect(() => uuidv7(new Date(Number.NaN))).toThrow(RangeError);
  });
});
