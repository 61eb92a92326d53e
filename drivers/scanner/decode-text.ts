/**
 * Bytes of a scanned code → text. QR codes printed in China carry UTF-8 or, from older systems, GBK /
 * GB18030 (the scanner passes the bytes through untouched). Strict UTF-8 first — a GB18030 Chinese text
 * is almost never valid UTF-8 — and GB18030 (a superset of GBK and GB2312) when UTF-8 fails.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type ScanEncoding = 'utf-8' | 'gb18030';

export interface DecodedText {
  readonly text: string;
  readonly encoding: ScanEncoding;
  /** GB18030 met bytes it could not map (binary content): the text holds replacement characters. */
  readonly lossy: boolean;
}

const utf8 = new TextDecoder('utf-8');

export function decodeScanBytes(bytes: Uint8Array): DecodedText {
  // isUtf8 validates without throwing (a fatal TextDecoder would throw on every GB18030 code).
  if (isUtf8(bytes)) return { text: utf8.decode(bytes), encoding: 'utf-8', lossy: false };
  const gb = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'gb18030');
  return { text: gb, encoding: 'gb18030', lossy: gb.includes('\uFFFD') };
}

/** Text → bytes in the given encoding (emulators and tests). */
export function encodeScanText(text: string, encoding: ScanEncoding = 'utf-8'): Uint8Array {
  if (encoding === 'utf-8') return new TextEncoder().encode(text);
  return new Uint8Array(iconv.encode(text, 'gb18030'));
}
