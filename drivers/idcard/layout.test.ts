import { describe, expect, it } from 'vitest';
import { CARD_TEXT_LENGTH, decodeUcs2, FOREIGN_2017_LAYOUT, FOREIGN_2023_LAYOUT, HMT_LAYOUT, KIND_OFFSET, readField, RESIDENT_LAYOUT, writeField } from './layout';

describe('card text layout', () => {
  it('matches the hardware note offsets and stays inside 256 bytes', () => {
    expect(CARD_TEXT_LENGTH).toBe(256);
    expect(KIND_OFFSET).toBe(248);
    for (const layout of [RESIDENT_LAYOUT, HMT_LAYOUT, FOREIGN_2017_LAYOUT, FOREIGN_2023_LAYOUT]) {
      const fields = Object.values(layout).sort((a, b) => a.offset - b.offset);
      for (const [i, f] of fields.entries()) {
        expect(f.offset % 2).toBe(0);
        expect(f.offset + f.length).toBeLessThanOrEqual(256);
        const next = fields[i + 1];
        if (next) expect(f.offset + f.length).toBeLessThanOrEqual(next.offset);
      }
    }
    // J: 0–219 as the resident card, then pass number at 220
    expect(HMT_LAYOUT.validTo).toEqual(RESIDENT_LAYOUT.validTo);
    expect(HMT_LAYOUT.passNumber).toEqual({ offset: 220, length: 18 });
    expect(FOREIGN_2017_LAYOUT.birth).toEqual({ offset: 220, length: 16 });
    // Y: the published 2023 layout covers all 256 bytes, English name in two parts (35 + 11 characters)
    const y = Object.values(FOREIGN_2023_LAYOUT);
    expect(y.reduce((n, f) => n + f.length, 0)).toBe(256);
    expect(FOREIGN_2023_LAYOUT.englishName).toEqual({ offset: 52, length: 70 });
    expect(FOREIGN_2023_LAYOUT.englishNameContinued).toEqual({ offset: 220, length: 22 });
    expect(FOREIGN_2023_LAYOUT.cardNumber).toEqual(RESIDENT_LAYOUT.idNumber);
    expect(FOREIGN_2023_LAYOUT.nationality).toEqual({ offset: 242, length: 6 });
    expect(FOREIGN_2023_LAYOUT.previousCardLink).toEqual({ offset: 250, length: 6 });
  });

  it('writes space-padded UCS-2LE and reads it back trimmed', () => {
    const t = new Uint8Array(8);
    writeField(t, { offset: 0, length: 8 }, '测A');
    expect(Array.from(t)).toEqual([0x4b, 0x6d, 0x41, 0x00, 0x20, 0x00, 0x20, 0x00]);
    expect(readField(t, { offset: 0, length: 8 })).toBe('测A');
    expect(() => writeField(t, { offset: 0, length: 4 }, 'abc', 'name')).toThrow('name is 3 characters, the card holds 2');
  });

  it('turns lone surrogates into U+FFFD and strips trailing NULs', () => {
    expect(readField(Uint8Array.of(0x00, 0xd8, 0x41, 0x00), { offset: 0, length: 4 })).toBe('\uFFFDA');
    expect(decodeUcs2(Uint8Array.of(0x41, 0x00, 0x00, 0x00, 0x20, 0x00, 0x7f))).toBe('A');
  });
});
