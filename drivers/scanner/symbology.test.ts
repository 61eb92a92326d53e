import { describe, expect, it } from 'vitest';
import { isAimId, symbologyFromAim } from './symbology';

describe('symbologyFromAim', () => {
  it.each([
    [']Q1', 'QR Code', 'qr'],
    [']Q3', 'GS1 QR Code', 'qr'],
    [']E0', 'EAN-13', 'ean-upc'],
    [']E4', 'EAN-8', 'ean-upc'],
    [']C0', 'Code 128', 'code128'],
    [']C1', 'GS1-128', 'code128'],
    [']d1', 'Data Matrix', 'datamatrix'],
    [']d2', 'GS1 DataMatrix', 'datamatrix'],
    [']L2', 'PDF417', 'pdf417'],
    [']A0', 'Code 39', 'code39'],
    [']I0', 'Interleaved 2 of 5', 'itf'],
    [']X0', 'Other (vendor-defined)', 'other'],
    [']z0', 'Aztec', 'aztec'],
  ])('%s is %s', (aim, name, family) => {
    expect(symbologyFromAim(aim)).toEqual({ aim, name, family });
  });

  it('keeps the raw AIM of an identifier it does not know, and never guesses', () => {
    expect(symbologyFromAim(']W9')).toEqual({ aim: ']W9', name: 'unknown', family: 'unknown' });
    expect(symbologyFromAim(']q1')).toEqual({ aim: ']q1', name: 'unknown', family: 'unknown' }); // code chars are case-sensitive
    expect(symbologyFromAim(null)).toEqual({ aim: null, name: 'unknown', family: 'unknown' });
    expect(symbologyFromAim('Q1')).toEqual({ aim: 'Q1', name: 'unknown', family: 'unknown' });
  });

  it('checks the AIM shape', () => {
    expect(isAimId(']Q1')).toBe(true);
    expect(isAimId(']Q')).toBe(false);
    expect(isAimId(']1Q')).toBe(false);
    expect(isAimId('[Q1')).toBe(false);
    expect(isAimId(']Q1 ')).toBe(false);
  });
});
