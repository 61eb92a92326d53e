/**
 * Photos of emulated cards. A real card holds 1024 bytes of WLT that only the vendor library decodes; an
 * emulated card holds a synthetic WLT the emulator's decoder recognises:
 *
 *   0   57 4C 66 00          "WLf\0" (what real WLT starts with)
 *   4   "HALLEMU1"           marker
 *   12  mode                 1 = image inline, 2 = image by reference (SHA-256 in an EmulatorPhotoLibrary)
 *   13  mime                 1 = PNG, 2 = JPEG, 3 = BMP
 *   14  length (2 bytes BE)  inline: image length; by reference: 32
 *   16  image bytes or SHA-256, then zero padding to 1024
 *
 * Small images (≤ 1008 bytes, like the built-in placeholder) travel inline; larger ones (real face
 * pictures the camera work will use) are stored in a library shared by the emulator and its decoder.
 */
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type { DecodedPhoto, PhotoDecoder, PhotoMime } from '../idcard/photo';

export const WLT_LENGTH = 1024;
const HEADER = 16;
const MARKER = [0x57, 0x4c, 0x66, 0x00, ...Array.from('HALLEMU1', (c) => c.charCodeAt(0))];
const MIME_CODES: Record<PhotoMime, number> = { 'image/png': 1, 'image/jpeg': 2, 'image/bmp': 3 };
const MIME_BY_CODE: Record<number, PhotoMime | undefined> = { 1: 'image/png', 2: 'image/jpeg', 3: 'image/bmp' };

/** Photos too big for the 1024-byte WLT slot, by SHA-256. Share one instance between emulator and decoder. */
export class EmulatorPhotoLibrary {
  private readonly photos = new Map<string, DecodedPhoto>();

  put(photo: DecodedPhoto): Uint8Array {
    const digest = createHash('sha256').update(photo.bytes).digest();
    this.photos.set(digest.toString('hex'), { mime: photo.mime, bytes: Uint8Array.from(photo.bytes) });
    return Uint8Array.from(digest);
  }

  get(digest: Uint8Array): DecodedPhoto | null {
    return this.photos.get(Buffer.from(digest).toString('hex')) ?? null;
  }
}

/** The library used when none is injected (one per process). */
export const defaultPhotoLibrary = new EmulatorPhotoLibrary();

/** Wrap an image as a synthetic 1024-byte WLT. */
export function encodeEmulatorWlt(photo: DecodedPhoto, library: EmulatorPhotoLibrary = defaultPhotoLibrary): Uint8Array {
  const out = new Uint8Array(WLT_LENGTH);
  out.set(MARKER, 0);
  out[13] = MIME_CODES[photo.mime];
  let body: Uint8Array;
  if (photo.bytes.length <= WLT_LENGTH - HEADER) {
    out[12] = 1;
    body = photo.bytes;
  } else {
    out[12] = 2;
    body = library.put(photo);
  }
  out[14] = body.length >> 8;
  out[15] = body.length & 0xff;
  out.set(body, HEADER);
  return out;
}

export function isEmulatorWlt(wlt: Uint8Array): boolean {
  return wlt.length >= HEADER && MARKER.every((b, i) => wlt[i] === b);
}

/** Decodes the emulator's synthetic WLT; returns null for anything else (e.g. a real card's photo). */
export class EmulatorPhotoDecoder implements PhotoDecoder {
  constructor(private readonly library: EmulatorPhotoLibrary = defaultPhotoLibrary) {}

  async decode(wlt: Uint8Array): Promise<DecodedPhoto | null> {
    if (!isEmulatorWlt(wlt)) return null;
    const mime = MIME_BY_CODE[wlt[13] as number];
    const length = ((wlt[14] as number) << 8) | (wlt[15] as number);
    if (!mime || HEADER + length > wlt.length) return null;
    const body = wlt.slice(HEADER, HEADER + length);
    if (wlt[12] === 1) return { mime, bytes: body };
    if (wlt[12] === 2 && length === 32) return this.library.get(body);
    return null;
  }
}

/**
 * A 102×126 grayscale PNG (the card photo size): plain background and a grey head-and-shoulders
 * silhouette, no face. `shade` (0–255) varies the silhouette so cards can be told apart. ~300 bytes.
 */
export function placeholderPortraitPng(shade = 150): Uint8Array {
  const w = 102;
  const h = 126;
  const raw = new Uint8Array((w + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w + 1)] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      const head = (x - 51) ** 2 / 24 ** 2 + (y - 50) ** 2 / 30 ** 2 <= 1;
      const shoulders = y > 88 && (x - 51) ** 2 / 48 ** 2 + (y - 130) ** 2 / 40 ** 2 <= 1;
      raw[y * (w + 1) + 1 + x] = head || shoulders ? shade & 0xff : 236;
    }
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grayscale, deflate, adaptive filter, no interlace
  return concat([Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  const typeAndData = new Uint8Array(4 + data.length);
  typeAndData.set(Array.from(type, (c) => c.charCodeAt(0)), 0);
  typeAndData.set(data, 4);
  out.set(typeAndData, 4);
  dv.setUint32(8 + data.length, crc32(typeAndData));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}
