/**
 * YUV4MPEG2 (.y4m) writer for Chromium's fake camera (`--use-file-for-fake-video-capture=face.y4m`):
 * the emulated camera of training mode, the technician's self-test and our e2e tests. No ffmpeg:
 * RGB → Y'CbCr BT.601 (studio range 16–235 / 16–240), chroma subsampled 4:2:0 (2×2 average).
 */
import type { RgbImage } from './raster';

export interface I420Frame {
  width: number;
  height: number;
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** BT.601 studio-range luma of one RGB pixel. */
export function lumaBt601(r: number, g: number, b: number): number {
  return clamp8(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
}

/** BT.601 studio-range chroma (Cb, Cr) of one RGB pixel. */
export function chromaBt601(r: number, g: number, b: number): [number, number] {
  return [clamp8(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255), clamp8(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255)];
}

/** Planar 4:2:0 frame of an RGB image with even width and height. */
export function rgbToI420(img: RgbImage): I420Frame {
  const { width, height, data } = img;
  if (width % 2 !== 0 || height % 2 !== 0) throw new RangeError(`4:2:0 needs even dimensions, got ${width}×${height}`);
  const y = new Uint8Array(width * height);
  const u = new Uint8Array((width / 2) * (height / 2));
  const v = new Uint8Array(u.length);
  for (let i = 0, p = 0; i < y.length; i++, p += 3) y[i] = lumaBt601(data[p]!, data[p + 1]!, data[p + 2]!);
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < width / 2; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        const p = ((cy * 2 + dy) * width + cx * 2 + dx) * 3;
        r += data[p]!;
        g += data[p + 1]!;
        b += data[p + 2]!;
      }
      const [cb, cr] = chromaBt601(r / 4, g / 4, b / 4);
      u[cy * (width / 2) + cx] = cb;
      v[cy * (width / 2) + cx] = cr;
    }
  }
  return { width, height, y, u, v };
}

export interface Y4mOptions {
  /** Frames per second (Chromium loops the file at this rate). */
  fps?: number;
}

/** A y4m stream: header `YUV4MPEG2 W H F30:1 Ip A1:1 C420jpeg`, then `FRAME` + Y, U, V planes per frame. */
export function encodeY4m(frames: readonly I420Frame[], { fps = 30 }: Y4mOptions = {}): Buffer {
  const first = frames[0];
  if (!first) throw new RangeError('a y4m needs at least one frame');
  if (!Number.isInteger(fps) || fps <= 0) throw new RangeError(`bad frame rate ${fps}`);
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${first.width} H${first.height} F${fps}:1 Ip A1:1 C420jpeg\n`, 'ascii')];
  for (const f of frames) {
    if (f.width !== first.width || f.height !== first.height) throw new RangeError('all frames must have the same size');
    parts.push(Buffer.from('FRAME\n', 'ascii'), Buffer.from(f.y), Buffer.from(f.u), Buffer.from(f.v));
  }
  return Buffer.concat(parts);
}

/** A still picture as a y4m of `count` identical frames. */
export function stillY4m(img: RgbImage, count = 30, options?: Y4mOptions): Buffer {
  const frame = rgbToI420(img);
  return encodeY4m(Array.from({ length: count }, () => frame), options);
}

/** Parse a y4m written by encodeY4m (4:2:0 only): header fields and frames. For tests and diagnostics. */
export function decodeY4m(buf: Buffer): { width: number; height: number; fps: number; frames: I420Frame[] } {
  const eol = buf.indexOf(0x0a);
  if (eol < 0) throw new Error('y4m: no header line');
  const header = buf.subarray(0, eol).toString('ascii').split(' ');
  if (header[0] !== 'YUV4MPEG2') throw new Error('y4m: bad signature');
  const field = (tag: string) => header.find((h) => h.startsWith(tag))?.slice(1);
  const width = Number(field('W'));
  const height = Number(field('H'));
  const [num, den] = (field('F') ?? '30:1').split(':').map(Number);
  const colour = field('C') ?? '420jpeg';
  if (!colour.startsWith('420')) throw new Error(`y4m: unsupported colour space ${colour}`);
  if (!(width > 0 && height > 0)) throw new Error('y4m: bad size');
  const ySize = width * height;
  const cSize = ySize / 4;
  const frames: I420Frame[] = [];
  let at = eol + 1;
  while (at < buf.length) {
    const lineEnd = buf.indexOf(0x0a, at);
    if (lineEnd < 0 || !buf.subarray(at, lineEnd).toString('ascii').startsWith('FRAME')) throw new Error('y4m: bad frame header');
    at = lineEnd + 1;
    if (at + ySize + 2 * cSize > buf.length) throw new Error('y4m: truncated frame');
    frames.push({
      width,
      height,
      y: new Uint8Array(buf.subarray(at, at + ySize)),
      u: new Uint8Array(buf.subarray(at + ySize, at + ySize + cSize)),
      v: new Uint8Array(buf.subarray(at + ySize + cSize, at + ySize + 2 * cSize)),
    });
    at += ySize + 2 * cSize;
  }
  return { width, height, fps: (num ?? 30) / (den || 1), frames };
}
