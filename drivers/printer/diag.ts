/**
 * `hall diag decode --protocol escpos --hex HEX`: a captured ESC/POS byte stream → commands and text.
 * Invalid input gives a one-line reason, never an exception.
 */
import { decodeEscpos, type EscposCommand } from './escpos-decode';

export type DiagResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface EscposDiag {
  commands: EscposCommand[];
  text: string;
}

/** Hex digits, optionally separated by spaces, colons or dashes, optionally 0x-prefixed per byte. */
export function parseHex(hex: string): DiagResult<Uint8Array> {
  const cleaned = hex.trim().replace(/0x/gi, '').replace(/[\s:,-]+/g, '');
  if (cleaned.length === 0) return { ok: false, error: 'no hex digits given' };
  const bad = /[^0-9a-f]/i.exec(cleaned);
  if (bad) return { ok: false, error: `not a hex digit: ${JSON.stringify(bad[0])} at position ${bad.index + 1}` };
  if (cleaned.length % 2 !== 0) return { ok: false, error: `odd number of hex digits (${cleaned.length}): the last byte is incomplete` };
  return { ok: true, value: Uint8Array.from(Buffer.from(cleaned, 'hex')) };
}

/** Decodes a hex capture; unknown or truncated commands appear in the command list, not as errors. */
export function decodeEscposHex(hex: string, options: { kanji?: boolean } = {}): DiagResult<EscposDiag> {
  const bytes = parseHex(hex);
  if (!bytes.ok) return bytes;
  const { commands, text } = decodeEscpos(bytes.value, options);
  return { ok: true, value: { commands, text } };
}
