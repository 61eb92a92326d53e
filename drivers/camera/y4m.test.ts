import { describe, expect, it } from 'vitest';
import { createRgb, paste } from './raster';
import { chromaBt601, decodeY4m, encodeY4m, lumaBt601, rgbToI420, stillY4m } from './y4m';

describe('BT.601 studio range', () => {
  it('maps black, white and the primaries to the reference values', () => {
    expect(lumaBt601(0, 0, 0)).toBe(16);
    expect(lumaBt601(255, 255, 255)).toBe(235);
    expect(chromaBt601(128, 128, 128)).toEqual([128, 128]);
    expect(lumaBt601(255, 0, 0)).toBe(81);
    expect(chromaBt601(255, 0, 0)).toEqual([90, 240]);
    expect(chromaBt601(0, 0, 255)).toEqual([240, 110]);
  });
});

describe('y4m', () => {
  it('writes the header Chromium reads and 4:2:0 planes per frame', () => {
    const img = createRgb(4, 2, [255, 255, 255]);
    paste(img, createRgb(2, 2, [0, 0, 0]), 0, 0);
    const buf = stillY4m(img, 3, { fps: 30 });
    const header = 'YUV4MPEG2 W4 H2 F30:1 Ip A1:1 C420jpeg\n';
    expect(buf.subarray(0, header.length).toString('ascii')).toBe(header);
    expect(buf.length).toBe(header.length + 3 * ('FRAME\n'.length + 8 + 2 + 2));
    const parsed = decodeY4m(buf);
    expect(parsed).toMatchObject({ width: 4, height: 2, fps: 30 });
    expect(parsed.frames).toHaveLength(3);
    expect(Array.from(parsed.frames[0]!.y)).toEqual([16, 16, 235, 235, 16, 16, 235, 235]);
    expect(Array.from(parsed.frames[0]!.u)).toEqual([128, 128]);
  });

  it('averages chroma over each 2×2 block', () => {
    const img = createRgb(2, 2, [255, 0, 0]);
    paste(img, createRgb(1, 2, [0, 0, 255]), 1, 0);
    const f = rgbToI420(img);
    expect(Array.from(f.u)).toEqual([chromaBt601(127.5, 0, 127.5)[0]]);
  });

  it('refuses odd sizes, mixed sizes and empty streams; detects truncation', () => {
    expect(() => rgbToI420(createRgb(3, 2))).toThrow(RangeError);
    const a = rgbToI420(createRgb(2, 2));
    const b = rgbToI420(createRgb(4, 2));
    expect(() => encodeY4m([a, b])).toThrow(/same size/);
    expect(() => encodeY4m([])).toThrow();
    const buf = encodeY4m([a]);
    expect(() => decodeY4m(buf.subarray(0, buf.length - 1))).toThrow(/truncated/);
  });
});
