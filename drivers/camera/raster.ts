/**
 * Minimal RGB raster operations (plain Node, no canvas): enough to cut a face out of a photo, scale
 * it, and lay it on a camera-sized frame for the emulated camera (y4m.ts) and calibration fixtures.
 */

/** 8-bit RGB, row-major, 3 bytes per pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function createRgb(width: number, height: number, fill: [number, number, number] = [0, 0, 0]): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new RangeError(`bad image size ${width}×${height}`);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = fill[0];
    data[i + 1] = fill[1];
    data[i + 2] = fill[2];
  }
  return { width, height, data };
}

/** From RGBA bytes (jpeg-js, ImageData): alpha dropped. */
export function rgbFromRgba(width: number, height: number, rgba: Uint8Array | Uint8ClampedArray): RgbImage {
  if (rgba.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; q < rgba.length; p += 3, q += 4) {
    data[p] = rgba[q]!;
    data[p + 1] = rgba[q + 1]!;
    data[p + 2] = rgba[q + 2]!;
  }
  return { width, height, data };
}

export function rgbaFromRgb(img: RgbImage): Uint8Array {
  const out = new Uint8Array(img.width * img.height * 4);
  for (let p = 0, q = 0; p < img.data.length; p += 3, q += 4) {
    out[q] = img.data[p]!;
    out[q + 1] = img.data[p + 1]!;
    out[q + 2] = img.data[p + 2]!;
    out[q + 3] = 255;
  }
  return out;
}

/** The part of `img` inside `rect` (clamped to the image; integer pixel edges). */
export function crop(img: RgbImage, rect: Rect): RgbImage {
  const x0 = Math.max(0, Math.floor(rect.x));
  const y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(img.width, Math.ceil(rect.x + rect.width));
  const y1 = Math.min(img.height, Math.ceil(rect.y + rect.height));
  if (x1 <= x0 || y1 <= y0) throw new RangeError('crop outside the image');
  const out = createRgb(x1 - x0, y1 - y0);
  for (let y = y0; y < y1; y++) {
    out.data.set(img.data.subarray((y * img.width + x0) * 3, (y * img.width + x1) * 3), (y - y0) * out.width * 3);
  }
  return out;
}

/** Bilinear resampling to width × height. */
export function resize(img: RgbImage, width: number, height: number): RgbImage {
  const out = createRgb(width, height);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = img.data[(y0 * img.width + x0) * 3 + c]!;
        const b = img.data[(y0 * img.width + x1) * 3 + c]!;
        const d = img.data[(y1 * img.width + x0) * 3 + c]!;
        const e = img.data[(y1 * img.width + x1) * 3 + c]!;
        const top = a + (b - a) * wx;
        const bottom = d + (e - d) * wx;
        out.data[(y * width + x) * 3 + c] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return out;
}

/** Paste `src` into `dst` with its top-left corner at (x, y); parts outside `dst` are dropped. */
export function paste(dst: RgbImage, src: RgbImage, x: number, y: number): void {
  for (let row = 0; row < src.height; row++) {
    const ty = y + row;
    if (ty < 0 || ty >= dst.height) continue;
    const from = Math.max(0, -x);
    const to = Math.min(src.width, dst.width - x);
    if (to <= from) continue;
    dst.data.set(src.data.subarray((row * src.width + from) * 3, (row * src.width + to) * 3), (ty * dst.width + x + from) * 3);
  }
}

/** `img` scaled to fit width × height (aspect kept) and centred on a `fill` background. */
export function letterbox(img: RgbImage, width: number, height: number, fill: [number, number, number] = [0, 0, 0]): RgbImage {
  const scale = Math.min(width / img.width, height / img.height);
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const out = createRgb(width, height, fill);
  paste(out, resize(img, w, h), Math.floor((width - w) / 2), Math.floor((height - h) / 2));
  return out;
}
