import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { looksLikeWlt } from '../idcard/photo';
import { EmulatorPhotoDecoder, EmulatorPhotoLibrary, encodeEmulatorWlt, isEmulatorWlt, placeholderPortraitPng, WLT_LENGTH } from './idcard-photo';

describe('placeholderPortraitPng', () => {
  it('is a valid 102×126 grayscale PNG small enough to travel inline', () => {
    const png = placeholderPortraitPng();
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const dv = new DataView(png.buffer, png.byteOffset);
    expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
    expect([dv.getUint32(16), dv.getUint32(20)]).toEqual([102, 126]);
    const idatLen = dv.getUint32(33);
    expect(String.fromCharCode(...png.subarray(37, 41))).toBe('IDAT');
    expect(inflateSync(png.subarray(41, 41 + idatLen))).toHaveLength((102 + 1) * 126);
    expect(png.length).toBeLessThan(1008);
    expect(placeholderPortraitPng(90)).not.toEqual(png);
  });
});

describe('synthetic WLT', () => {
  it('carries a small image inline in 1024 bytes that look like WLT', async () => {
    const photo = { mime: 'image/png' as const, bytes: placeholderPortraitPng() };
    const wlt = encodeEmulatorWlt(photo, new EmulatorPhotoLibrary());
    expect(wlt).toHaveLength(WLT_LENGTH);
    expect(looksLikeWlt(wlt)).toBe(true);
    expect(isEmulatorWlt(wlt)).toBe(true);
    expect(await new EmulatorPhotoDecoder(new EmulatorPhotoLibrary()).decode(wlt)).toEqual(photo);
  });

  it('carries a large image (a real face JPEG) by reference through the shared library', async () => {
    const lib = new EmulatorPhotoLibrary();
    const big = { mime: 'image/jpeg' as const, bytes: Uint8Array.from({ length: 30_000 }, (_, i) => i & 0xff) };
    const wlt = encodeEmulatorWlt(big, lib);
    expect(wlt).toHaveLength(WLT_LENGTH);
    expect(await new EmulatorPhotoDecoder(lib).decode(wlt)).toEqual(big);
    expect(await new EmulatorPhotoDecoder(new EmulatorPhotoLibrary()).decode(wlt)).toBeNull();
  });

  it('declines payloads it did not make', async () => {
    const d = new EmulatorPhotoDecoder();
    expect(await d.decode(Uint8Array.from([0x57, 0x4c, 0x66, 0x00, ...new Array<number>(1020).fill(7)]))).toBeNull();
    const broken = encodeEmulatorWlt({ mime: 'image/png', bytes: Uint8Array.of(1, 2, 3) });
    broken[13] = 9;
    expect(await d.decode(broken)).toBeNull();
  });
});
