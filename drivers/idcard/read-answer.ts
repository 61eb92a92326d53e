/**
 * The data of a successful read-basic answer (hardware note): text length (2 bytes BE), photo length
 * (2 bytes BE), [fingerprint length (2 bytes BE) with 30 10], then text (256), photo (1024, WLT),
 * [fingerprint (0 or 1024)]. The lengths must add up exactly.
 */
import { CARD_TEXT_LENGTH } from './layout';

export interface ReadBasicPayload {
  text: Uint8Array;
  photo: Uint8Array;
  /** null for 30 01; for 30 10 the fingerprint bytes (empty when the card holds none). */
  fingerprint: Uint8Array | null;
}

export type ReadBasicParse = { ok: true; value: ReadBasicPayload } | { ok: false; message: string };

const be16 = (b: Uint8Array, i: number): number => ((b[i] as number) << 8) | (b[i + 1] as number);

export function parseReadBasicData(data: Uint8Array, withFingerprint: boolean): ReadBasicParse {
  const header = withFingerprint ? 6 : 4;
  if (data.length < header) return { ok: false, message: `read answer too short: ${data.length} bytes, header alone is ${header}` };
  const textLen = be16(data, 0);
  const photoLen = be16(data, 2);
  const fpLen = withFingerprint ? be16(data, 4) : 0;
  if (textLen !== CARD_TEXT_LENGTH) return { ok: false, message: `read answer text length ${textLen}, expected ${CARD_TEXT_LENGTH}` };
  const expected = header + textLen + photoLen + fpLen;
  if (expected !== data.length) return { ok: false, message: `read answer lengths add up to ${expected} bytes, got ${data.length}` };
  const text = data.slice(header, header + textLen);
  const photo = data.slice(header + textLen, header + textLen + photoLen);
  const fingerprint = withFingerprint ? data.slice(header + textLen + photoLen) : null;
  return { ok: true, value: { text, photo, fingerprint } };
}

/** Build the data part (used by the emulator and tests). */
export function encodeReadBasicData(payload: ReadBasicPayload): Uint8Array {
  const withFp = payload.fingerprint !== null;
  const header = withFp ? 6 : 4;
  const fp = payload.fingerprint ?? new Uint8Array(0);
  const out = new Uint8Array(header + payload.text.length + payload.photo.length + fp.length);
  const put16 = (i: number, n: number): void => {
    out[i] = n >> 8;
    out[i + 1] = n & 0xff;
  };
  put16(0, payload.text.length);
  put16(2, payload.photo.length);
  if (withFp) put16(4, fp.length);
  out.set(payload.text, header);
  out.set(payload.photo, header + payload.text.length);
  out.set(fp, header + payload.text.length + payload.photo.length);
  return out;
}
