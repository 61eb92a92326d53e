import { describe, expect, it } from 'vitest';
import { createRgb, crop, letterbox, paste, resize, rgbFromRgba, rgbaFromRgb, type RgbImage } from './raster';

const px = (img: RgbImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

describe('raster', () => {
  it('converts RGBA ⇄ RGB', () => {
    const rgba = new Uint8Array([1, 2, 3, 255, 4, 5, 6, 0]);
    const rgb = rgbFromRgba(2, 1, rgba);
    expect(Array.from(rgb.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(rgbaFromRgb(rgb))).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
    expect(() => rgbFromRgba(2, 2, rgba)).toThrow(RangeError);
  });

  it('crops inside the image and clamps at its edges', () => {
    const img = createRgb(4, 4);
    paste(img, createRgb(1, 1, [200, 100, 50]), 2, 1);
    const c = crop(img, { x: 2, y: 1, width: 10, height: 1 });
    expect([c.width, c.height]).toEqual([2, 1]);
    expect(px(c, 0, 0)).toEqual([200, 100, 50]);
    expect(crop(img, { x: -3, y: -3, width: 4, height: 4 }).width).toBe(1);
    expect(() => crop(img, { x: 5, y: 0, width: 2, height: 2 })).toThrow(RangeError);
  });

  it('resizes a flat image to the same colour, and keeps a gradient ordered', () => {
    expect(px(resize(createRgb(3, 3, [10, 20, 30]), 7, 5), 6, 4)).toEqual([10, 20, 30]);
    const g = createRgb(2, 1);
    paste(g, createRgb(1, 1, [255, 255, 255]), 1, 0);
    const r = resize(g, 8, 1);
    for (let x = 1; x < 8; x++) expect(px(r, x, 0)[0]!).toBeGreaterThanOrEqual(px(r, x - 1, 0)[0]!);
  });

  it('letterboxes to the frame size, centred on the fill colour', () => {
    const out = letterbox(createRgb(10, 20, [255, 0, 0]), 40, 20, [9, 9, 9]);
    expect([out.width, out.height]).toEqual([40, 20]);
    expect(px(out, 20, 10)).toEqual([255, 0, 0]);
    expect(px(out, 0, 10)).toEqual([9, 9, 9]);
    expect(px(out, 39, 10)).toEqual([9, 9, 9]);
  });
});
