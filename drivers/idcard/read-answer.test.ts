import { describe, expect, it } from 'vitest';
import { encodeReadBasicData, parseReadBasicData } from './read-answer';

const text = new Uint8Array(256).fill(0x20);
const photo = new Uint8Array(1024).fill(0x57);

describe('read-basic answer data', () => {
  it('round-trips 30 01 data: 00 01 04 00, text, photo', () => {
    const data = encodeReadBasicData({ text, photo, fingerprint: null });
    expect(Array.from(data.subarray(0, 4))).toEqual([0x01, 0x00, 0x04, 0x00]);
    expect(data).toHaveLength(4 + 256 + 1024);
    expect(parseReadBasicData(data, false)).toEqual({ ok: true, value: { text, photo, fingerprint: null } });
  });

  it('round-trips 30 10 data with a fingerprint length, including an empty fingerprint', () => {
    const fp = new Uint8Array(1024).fill(3);
    const data = encodeReadBasicData({ text, photo, fingerprint: fp });
    expect(Array.from(data.subarray(0, 6))).toEqual([0x01, 0x00, 0x04, 0x00, 0x04, 0x00]);
    expect(parseReadBasicData(data, true)).toEqual({ ok: true, value: { text, photo, fingerprint: fp } });
    const none = encodeReadBasicData({ text, photo, fingerprint: new Uint8Array(0) });
    expect(parseReadBasicData(none, true)).toMatchObject({ ok: true, value: { fingerprint: new Uint8Array(0) } });
  });

  it('refuses lengths that do not add up', () => {
    const data = encodeReadBasicData({ text, photo, fingerprint: null });
    expect(parseReadBasicData(data.subarray(0, 3), false)).toMatchObject({ ok: false, message: expect.stringMatching(/too short/) });
    expect(parseReadBasicData(data.subarray(0, 1000), false)).toMatchObject({ ok: false, message: expect.stringMatching(/add up/) });
    expect(parseReadBasicData(data, true).ok).toBe(false);
    const wrongText = Uint8Array.from(data);
    wrongText[1] = 0x02;
    expect(parseReadBasicData(wrongText, false)).toMatchObject({ ok: false, message: expect.stringMatching(/text length 258/) });
  });
});
