/**
 * Our own QR payloads (hall-domain note, "Receipts and their QR"): every printed receipt and queue
 * ticket carries a QR with its number and a signature by the console key, so a kiosk or another hall
 * can look it up and detect forgeries offline.
 *
 *   receipt / case:  HALL1:R:<receipt number>:<signature>
 *                    e.g. HALL1:R:HALL01-20261126-C03-0042:<base64url>
 *   queue ticket:    HALL1:T:<business date YYYYMMDD>:<ticket number>:<signature>
 *                    e.g. HALL1:T:20261126:A012:<base64url>
 *
 * The signature covers the *signed payload*: everything before the last `:` (`HALL1:R:<receipt number>`),
 * as UTF-8. It is base64url without padding; the algorithm (and so its length) belongs to the security
 * issue, which plugs its check in as a `SignatureVerifier`. This module only checks the shape.
 * `HALL1` is the format version: a later format is `HALL2:…` and is refused here as unsupported.
 */

export const HALL_QR_VERSION = 'HALL1';

/** Returns true when `signature` is a valid signature of `payload` by a console key we trust. */
export type SignatureVerifier = (payload: string, signature: string) => boolean;

export interface ReceiptNumber {
  /** As printed, e.g. `HALL01-20261126-C03-0042`. */
  readonly value: string;
  readonly hallCode: string;
  /** Business date, `YYYYMMDD`. */
  readonly date: string;
  readonly consoleId: string;
  readonly sequence: number;
}

export interface HallReceiptCode {
  readonly kind: 'receipt';
  readonly receiptNo: ReceiptNumber;
  readonly signedPayload: string;
  readonly signature: string;
}

export interface HallTicketCode {
  readonly kind: 'ticket';
  /** `YYYYMMDD` */
  readonly businessDate: string;
  /** e.g. `A012` */
  readonly ticketNumber: string;
  readonly signedPayload: string;
  readonly signature: string;
}

export type HallCode = HallReceiptCode | HallTicketCode;

/** `null`: not one of ours. Otherwise ours, well formed or not (a damaged or forged code is worth telling apart). */
export type HallCodeParse = { ok: true; code: HallCode } | { ok: false; reason: string } | null;

const OURS = /^HALL\d+:/;
const RECEIPT_NO = /^([A-Z0-9]{2,16})-(\d{8})-(C\d{2,3})-(\d{4,6})$/;
const TICKET_NO = /^[A-Z]{1,2}\d{3,4}$/;
const DATE = /^(\d{4})(\d{2})(\d{2})$/;
/** base64url, no padding, 16–384 bytes. */
const SIGNATURE = /^[A-Za-z0-9_-]{22,512}$/;

/** `YYYYMMDD` naming a real calendar day (years 2000–2099). */
export function isBusinessDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 2000 || year > 2099 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function parseReceiptNumber(value: string): ReceiptNumber | null {
  const m = RECEIPT_NO.exec(value);
  if (!m || !isBusinessDate(m[2] as string)) return null;
  return { value, hallCode: m[1] as string, date: m[2] as string, consoleId: m[3] as string, sequence: Number(m[4]) };
}

export function isTicketNumber(value: string): boolean {
  return TICKET_NO.test(value);
}

/** Recognise and split one of our QR payloads (shape only; see `verifyHallCode`). */
export function parseHallCode(text: string): HallCodeParse {
  if (!OURS.test(text)) return null;
  const parts = text.split(':');
  if (parts[0] !== HALL_QR_VERSION) return { ok: false, reason: `unsupported format version ${parts[0]}` };
  const signature = parts[parts.length - 1] as string;
  const signedPayload = parts.slice(0, -1).join(':');
  switch (parts[1]) {
    case 'R': {
      if (parts.length !== 4) return { ok: false, reason: `receipt QR has ${parts.length} fields, expected 4` };
      const receiptNo = parseReceiptNumber(parts[2] as string);
      if (!receiptNo) return { ok: false, reason: 'receipt number is malformed' };
      if (!SIGNATURE.test(signature)) return { ok: false, reason: 'signature is not base64url of a plausible length' };
      return { ok: true, code: { kind: 'receipt', receiptNo, signedPayload, signature } };
    }
    case 'T': {
      if (parts.length !== 5) return { ok: false, reason: `ticket QR has ${parts.length} fields, expected 5` };
      const [, , businessDate, ticketNumber] = parts as [string, string, string, string, string];
      if (!isBusinessDate(businessDate)) return { ok: false, reason: 'business date is not a valid YYYYMMDD date' };
      if (!isTicketNumber(ticketNumber)) return { ok: false, reason: 'ticket number is malformed' };
      if (!SIGNATURE.test(signature)) return { ok: false, reason: 'signature is not base64url of a plausible length' };
      return { ok: true, code: { kind: 'ticket', businessDate, ticketNumber, signedPayload, signature } };
    }
    default:
      return { ok: false, reason: `unknown code type ${JSON.stringify(parts[1] ?? '')}` };
  }
}

/** `unchecked` when no verifier is plugged in yet (until the security issue lands). */
export type SignatureStatus = 'valid' | 'invalid' | 'unchecked';

export function verifyHallCode(code: HallCode, verify?: SignatureVerifier): SignatureStatus {
  if (!verify) return 'unchecked';
  try {
    return verify(code.signedPayload, code.signature) ? 'valid' : 'invalid';
  } catch {
    return 'invalid'; // a verifier that throws (bad key, bad encoding) never vouches for a code
  }
}

/** Produces the base64url signature of a payload (the console key; the security issue provides it). */
export type PayloadSigner = (payload: string) => string;

export function formatReceiptQr(receiptNo: string, sign: PayloadSigner): string {
  if (!parseReceiptNumber(receiptNo)) throw new RangeError('malformed receipt number');
  return withSignature(`${HALL_QR_VERSION}:R:${receiptNo}`, sign);
}

export function formatTicketQr(businessDate: string, ticketNumber: string, sign: PayloadSigner): string {
  if (!isBusinessDate(businessDate)) throw new RangeError('business date must be YYYYMMDD');
  if (!isTicketNumber(ticketNumber)) throw new RangeError('malformed ticket number');
  return withSignature(`${HALL_QR_VERSION}:T:${businessDate}:${ticketNumber}`, sign);
}

function withSignature(payload: string, sign: PayloadSigner): string {
  const signature = sign(payload);
  if (!SIGNATURE.test(signature)) throw new RangeError('signer returned something that is not base64url');
  return `${payload}:${signature}`;
}
