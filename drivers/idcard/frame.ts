/**
 * GA 467 SAM frame codec (hardware note):
 *
 *   AA AA AA 96 69 | LEN (2 bytes, big-endian) | body | CHK
 *
 * LEN counts every byte after itself, CHK included; CHK is the XOR of the LEN bytes and the body.
 * Host → reader body: CMD PARA [data]. Reader → host body: SW1 SW2 SW3 [data] with SW1 SW2 = 00 00.
 * No command starts with 00 00, so a body starting 00 00 (and at least 3 bytes long) is an answer.
 *
 * Parsing never throws: every malformed input gives a typed SamFramingError.
 */
import type { DeframeResult } from '../transports/link';
import { commandName, describeStatus, hexByte, SAM_COMMANDS, type SamCommandName, type SamStatusInfo } from './protocol';

export const SAM_PREAMBLE = Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69);
/** Preamble + LEN. */
export const SAM_HEADER_LENGTH = 7;
/** Smallest LEN: CMD PARA CHK. */
export const SAM_MIN_LEN = 3;
/** Largest LEN we accept: a read with fingerprint is 2 314; anything near 64 KiB is noise. */
export const SAM_MAX_LEN = 4096;

export type SamFramingError =
  | { code: 'too_short'; length: number; message: string }
  | { code: 'bad_preamble'; message: string }
  | { code: 'length_invalid'; declared: number; message: string }
  | { code: 'length_mismatch'; declared: number; actual: number; message: string }
  | { code: 'checksum_mismatch'; expected: number; got: number; message: string }
  | { code: 'hid_report_invalid'; reportLength: number; declared: number; message: string };

export type SamFramingErrorCode = SamFramingError['code'];

interface FrameCommon {
  /** The complete frame as received. */
  raw: Uint8Array;
  /** LEN as declared (and verified). */
  length: number;
  checksum: number;
  /** Bytes after CMD PARA / SW1 SW2 SW3. */
  data: Uint8Array;
}

export interface SamCommandFrame extends FrameCommon {
  direction: 'host_to_reader';
  cmd: number;
  para: number;
  /** null for CMD/PARA this protocol does not define. */
  command: SamCommandName | null;
}

export interface SamAnswerFrame extends FrameCommon {
  direction: 'reader_to_host';
  sw1: number;
  sw2: number;
  sw3: number;
  status: SamStatusInfo;
}

export type SamFrame = SamCommandFrame | SamAnswerFrame;

export type ParseFrameResult = { ok: true; frame: SamFrame } | { ok: false; error: SamFramingError };

export function xorChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i] as number;
  return x;
}

/** A frame around any body: preamble, LEN, body, CHK. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const len = body.length + 1;
  if (len < SAM_MIN_LEN || len > 0xffff) throw new RangeError(`SAM body must be 2..65534 bytes, got ${body.length}`);
  const out = new Uint8Array(SAM_HEADER_LENGTH + len);
  out.set(SAM_PREAMBLE, 0);
  out[5] = len >> 8;
  out[6] = len & 0xff;
  out.set(body, SAM_HEADER_LENGTH);
  out[out.length - 1] = xorChecksum(out, 5, out.length - 1);
  return out;
}

/** A host → reader frame: `encodeCommand('find_card')` → AA AA AA 96 69 00 03 20 01 22. */
export function encodeCommand(command: SamCommandName | { cmd: number; para: number }, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const { cmd, para } = typeof command === 'string' ? SAM_COMMANDS[command] : command;
  const body = new Uint8Array(2 + data.length);
  body[0] = cmd;
  body[1] = para;
  body.set(data, 2);
  return encodeFrame(body);
}

/** A reader → host frame (used by the emulator and tests): SW1 SW2 SW3 [data]. */
export function encodeAnswer(sw3: number, data: Uint8Array = new Uint8Array(0), sw1 = 0, sw2 = 0): Uint8Array {
  const body = new Uint8Array(3 + data.length);
  body[0] = sw1;
  body[1] = sw2;
  body[2] = sw3;
  body.set(data, 3);
  return encodeFrame(body);
}

const err = {
  tooShort: (length: number): SamFramingError => ({ code: 'too_short', length, message: `too short: ${length} bytes, a SAM frame has at least ${SAM_HEADER_LENGTH + SAM_MIN_LEN}` }),
  preamble: (): SamFramingError => ({ code: 'bad_preamble', message: 'bad preamble: a SAM frame starts AA AA AA 96 69' }),
  lengthInvalid: (declared: number): SamFramingError => ({ code: 'length_invalid', declared, message: `invalid length: LEN ${declared} (must be ${SAM_MIN_LEN}..${SAM_MAX_LEN})` }),
  lengthMismatch: (declared: number, actual: number): SamFramingError => ({ code: 'length_mismatch', declared, actual, message: `length mismatch: LEN says ${declared} bytes follow, got ${actual}` }),
  checksum: (expected: number, got: number): SamFramingError => ({ code: 'checksum_mismatch', expected, got, message: `checksum mismatch: expected ${hexByte(expected)}, got ${hexByte(got)}` }),
};

function startsWithPreamble(bytes: Uint8Array): boolean {
  for (let i = 0; i < SAM_PREAMBLE.length; i++) if (bytes[i] !== SAM_PREAMBLE[i]) return false;
  return true;
}

/** Parse exactly one complete frame (no bytes before or after it). */
export function parseFrame(bytes: Uint8Array): ParseFrameResult {
  if (bytes.length < SAM_HEADER_LENGTH + SAM_MIN_LEN) {
    if (bytes.length >= SAM_PREAMBLE.length && !startsWithPreamble(bytes)) return { ok: false, error: err.preamble() };
    return { ok: false, error: err.tooShort(bytes.length) };
  }
  if (!startsWithPreamble(bytes)) return { ok: false, error: err.preamble() };
  const declared = ((bytes[5] as number) << 8) | (bytes[6] as number);
  if (declared < SAM_MIN_LEN || declared > SAM_MAX_LEN) return { ok: false, error: err.lengthInvalid(declared) };
  const actual = bytes.length - SAM_HEADER_LENGTH;
  if (declared !== actual) return { ok: false, error: err.lengthMismatch(declared, actual) };
  const got = bytes[bytes.length - 1] as number;
  const expected = xorChecksum(bytes, 5, bytes.length - 1);
  if (expected !== got) return { ok: false, error: err.checksum(expected, got) };
  return { ok: true, frame: classify(bytes, declared, got) };
}

function classify(raw: Uint8Array, length: number, checksum: number): SamFrame {
  const body = raw.subarray(SAM_HEADER_LENGTH, raw.length - 1);
  const b0 = body[0] as number;
  const b1 = body[1] as number;
  if (body.length >= 3 && b0 === 0 && b1 === 0) {
    const sw3 = body[2] as number;
    return { direction: 'reader_to_host', raw, length, checksum, sw1: b0, sw2: b1, sw3, status: describeStatus(sw3), data: body.subarray(3) };
  }
  return { direction: 'host_to_reader', raw, length, checksum, cmd: b0, para: b1, command: commandName(b0, b1), data: body.subarray(2) };
}

/**
 * Stream deframer for link.ts (serial, USB bulk, and HID after unpacking): skips garbage up to a
 * preamble, waits for LEN bytes, verifies the checksum. On a bad frame it skips only the preamble, so a
 * good frame hidden behind a corrupted LEN is still found.
 */
export function samDeframer(buffer: Uint8Array): DeframeResult<SamFrame, SamFramingError> {
  const start = preambleStart(buffer);
  if (start > 0) return { kind: 'skip', count: start };
  if (buffer.length < SAM_HEADER_LENGTH) return { kind: 'need_more' };
  const declared = ((buffer[5] as number) << 8) | (buffer[6] as number);
  if (declared < SAM_MIN_LEN || declared > SAM_MAX_LEN) return { kind: 'error', error: err.lengthInvalid(declared), skip: SAM_PREAMBLE.length };
  const total = SAM_HEADER_LENGTH + declared;
  if (buffer.length < total) return { kind: 'need_more' };
  const parsed = parseFrame(buffer.slice(0, total));
  if (parsed.ok) return { kind: 'frame', frame: parsed.frame, consumed: total };
  return { kind: 'error', error: parsed.error, skip: SAM_PREAMBLE.length };
}

/**
 * Offset of the first place a preamble starts, or could start if more bytes came (a partial preamble
 * at the end). Returns buffer.length when no byte can start one.
 */
function preambleStart(buffer: Uint8Array): number {
  outer: for (let i = 0; i < buffer.length; i++) {
    if (buffer[i] !== 0xaa) continue;
    for (let j = 1; j < SAM_PREAMBLE.length && i + j < buffer.length; j++) {
      if (buffer[i + j] !== SAM_PREAMBLE[j]) continue outer;
    }
    return i;
  }
  return buffer.length;
}

export function toHex(bytes: Uint8Array, separator = ''): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(separator);
}

export type HexParseResult = { ok: true; bytes: Uint8Array } | { ok: false; error: 'not hex' | 'odd number of hex digits' | 'empty' };

/** Lenient hex input for diagnostics: spaces, colons, dashes, commas and `0x` prefixes are ignored. */
export function parseHex(text: string): HexParseResult {
  const cleaned = text.replace(/0x/gi, '').replace(/[\s:,\-]/g, '');
  if (cleaned.length === 0) return { ok: false, error: 'empty' };
  if (!/^[0-9a-fA-F]+$/.test(cleaned)) return { ok: false, error: 'not hex' };
  if (cleaned.length % 2 !== 0) return { ok: false, error: 'odd number of hex digits' };
  const out = new Uint8Array(cleaned.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(cleaned.slice(i * 2, i * 2 + 2), 16);
  return { ok: true, bytes: out };
}
