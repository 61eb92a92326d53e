/**
 * Our own QR payloads (hall-domain note, "Receipts and their QR"): every printed document carries a QR
 * with its number and a signature by the issuing console's key, so a kiosk or another hall can look it
 * up and detect forgeries offline. This module only checks the shape; the signature check is plugged in
 * as a `SignatureVerifier` (for HALL2: `documentQrVerifier` of main/security/receipt-signature.ts).
 *
 * HALL2, what the console prints (defined and produced by main/security/receipt-signature.ts):
 *
 *   HALL2:<kind>:<number>:<console id>:<issued>:<signature>
 *   HALL2:R:HALL01-20261126-C03-0042:C03:tp35i0:<86 characters>
 *   HALL2:T:A012-20261126:C03:tp35i0:<86 characters>
 *
 *   - `<kind>`    R 受理回执, N 一次性告知书, D 不予受理决定书, P 缴款通知 (case documents: `<number>` is the
 *                 receipt number), T 取号单 (`<number>` is `<ticket number>-<business date YYYYMMDD>`).
 *   - `<console id>` `[A-Za-z0-9_-]{1,64}`, names the public key; `<issued>` whole seconds since the epoch
 *                 in base 36 (canonical: lower case, no leading zeros); `<signature>` Ed25519, base64url
 *                 without padding, always 86 characters (canonical: the last one is A, Q, g or w).
 *   `parseDocumentQrShape` checks exactly these fields, as strictly as receipt-signature.ts does;
 *   `parseHallCode` then reads the number as a receipt number or a ticket number.
 *
 * HALL1, read for paper printed before HALL2 (nothing prints it any more):
 *
 *   receipt / case:  HALL1:R:<receipt number>:<signature>
 *   queue ticket:    HALL1:T:<business date YYYYMMDD>:<ticket number>:<signature>
 *
 * HALL1 had no document kind, console id or issue time, and no key scheme was ever defined for it:
 * `documentQrVerifier` refuses HALL1, so with it plugged in a HALL1 code reads `invalid` (a caller that
 * still honours old paper by its number can tell it by `version`).
 *
 * Every version: the signature covers the *signed payload*, everything before the last `:`, as UTF-8.
 * Other versions (`HALL3:…`) are ours but refused as unsupported.
 */
import type { ReceiptKind } from '../printer/receipt';

/** The format the console prints. */
export const HALL_QR_VERSION = 'HALL2';
/** The formats read here. */
export const HALL_QR_VERSIONS = ['HALL1', 'HALL2'] as const;
export type HallQrVersion = (typeof HALL_QR_VERSIONS)[number];

/** HALL2 kind letters and the documents they stand for (QR_KIND_CODES of receipt-signature.ts, inverted). */
export const HALL2_KIND_CODES = {
  R: 'acceptance-receipt',
  N: 'correction-notice',
  D: 'refusal-decision',
  P: 'payment-notice',
  T: 'queue-ticket',
} as const satisfies Record<string, ReceiptKind>;
export type Hall2KindCode = keyof typeof HALL2_KIND_CODES;
/** The case documents (everything but the ticket): their QR carries a receipt number. */
export type HallCaseDocumentKind = Exclude<(typeof HALL2_KIND_CODES)[Hall2KindCode], 'queue-ticket'>;

/** HALL2 signature: Ed25519, 64 bytes → 86 base64url characters. */
export const HALL2_SIGNATURE_LENGTH = 86;
/** Longest HALL2 payload (every field at its maximum); anything longer is malformed. */
export const HALL2_MAX_LENGTH = 5 + 1 + 1 + 1 + 64 + 1 + 64 + 1 + 8 + 1 + HALL2_SIGNATURE_LENGTH;
/** Issue times up to 9999-12-31T23:59:59Z. */
const HALL2_MAX_ISSUED_SECONDS = 253_402_300_799;

/** Returns true when `signature` is a valid signature of `payload` by a console key we trust. */
export type SignatureVerifier = (payload: string, signature: string) => boolean;

export interface ReceiptNumber {
  /** As printed, e.g. `HALL01-20261126-C03-0042`. */
  readonly value: string;
  readonly hallCode: string;
  /** Business date, `YYYYMMDD`. */
  readonly date: string;
  /** The console code inside the number (`C03`; main/domain/receipt-number.ts calls it consoleCode). */
  readonly consoleId: string;
  readonly sequence: number;
}

export interface HallReceiptCode {
  readonly kind: 'receipt';
  readonly version: HallQrVersion;
  /** The document the QR is printed on; null for HALL1, which did not say. */
  readonly documentKind: HallCaseDocumentKind | null;
  readonly receiptNo: ReceiptNumber;
  /** HALL2: the issuing console, which names the key to check with; null for HALL1. */
  readonly consoleId: string | null;
  /** HALL2: issue time, ISO 8601 UTC in whole seconds; null for HALL1. */
  readonly issuedAt: string | null;
  readonly signedPayload: string;
  readonly signature: string;
}

export interface HallTicketCode {
  readonly kind: 'ticket';
  readonly version: HallQrVersion;
  /** `YYYYMMDD` */
  readonly businessDate: string;
  /** e.g. `A012` */
  readonly ticketNumber: string;
  /** HALL2: the issuing console; null for HALL1. */
  readonly consoleId: string | null;
  /** HALL2: issue time, ISO 8601 UTC in whole seconds; null for HALL1. */
  readonly issuedAt: string | null;
  readonly signedPayload: string;
  readonly signature: string;
}

export type HallCode = HallReceiptCode | HallTicketCode;

/** `null`: not one of ours. Otherwise ours, well formed or not (a damaged or forged code is worth telling apart). */
export type HallCodeParse = { ok: true; code: HallCode } | { ok: false; reason: string } | null;

/** The fields of a HALL2 payload, shape-checked (nothing about the number's meaning, nothing verified). */
export interface DocumentQrShape {
  readonly kindCode: Hall2KindCode;
  /** 办件编号 or `<ticket number>-<YYYYMMDD>`: `[A-Za-z0-9-]{1,64}`. */
  readonly number: string;
  readonly consoleId: string;
  /** Issue time, whole seconds since the epoch. */
  readonly issuedSeconds: number;
  /** Everything before the last `:`: what the signature covers. */
  readonly signedPayload: string;
  /** base64url, 86 characters, canonical. */
  readonly signature: string;
}

export type DocumentQrShapeParse = { ok: true; fields: DocumentQrShape } | { ok: false; reason: string };

const OURS = /^HALL\d+:/;
/** Console part as main/domain/receipt-number.ts formats it (`[A-Z][0-9A-Z]{1,7}`, e.g. C03). */
const RECEIPT_NO = /^([A-Z0-9]{2,16})-(\d{8})-([A-Z][0-9A-Z]{1,7})-(\d{4,6})$/;
/** As main/domain/queue.ts `ticketNumber` formats it: 1–2 letters, the day's sequence padded to 3 digits. */
const TICKET_NO = /^[A-Z]{1,2}\d{3,6}$/;
const HALL2_TICKET = /^([A-Z]{1,2}\d{3,6})-(\d{8})$/;
const DATE = /^(\d{4})(\d{2})(\d{2})$/;
/** HALL1: base64url, no padding, 16–384 bytes. */
const HALL1_SIGNATURE = /^[A-Za-z0-9_-]{22,512}$/;
const HALL2_NUMBER = /^[A-Za-z0-9-]{1,64}$/;
const HALL2_CONSOLE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const HALL2_ISSUED = /^(0|[1-9a-z][0-9a-z]{0,7})$/;
/** 86 base64url characters whose last one carries no stray bits (64 bytes use 512 of its 516 bits). */
const HALL2_SIGNATURE = new RegExp(`^[A-Za-z0-9_-]{${HALL2_SIGNATURE_LENGTH - 1}}[AQgw]$`);

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

function isHall2KindCode(code: string): code is Hall2KindCode {
  return Object.hasOwn(HALL2_KIND_CODES, code);
}

/**
 * The fields of a `HALL2:` payload, checked field by field as main/security/receipt-signature.ts
 * requires them (length, six fields, kind letter, number and console id characters, canonical base-36
 * issue time up to the year 9999, canonical 86-character signature). Pure: no key, no crypto.
 */
export function parseDocumentQrShape(text: string): DocumentQrShapeParse {
  if (text.length > HALL2_MAX_LENGTH) return { ok: false, reason: `QR payload is longer than ${HALL2_MAX_LENGTH} characters` };
  const parts = text.split(':');
  if (parts[0] !== HALL_QR_VERSION) return { ok: false, reason: `not a ${HALL_QR_VERSION} document QR` };
  if (parts.length !== 6) return { ok: false, reason: `document QR has ${parts.length} fields, expected 6` };
  const [, kindCode, number, consoleId, issued, signature] = parts as [string, string, string, string, string, string];
  if (!isHall2KindCode(kindCode)) return { ok: false, reason: `unknown document kind ${JSON.stringify(kindCode.slice(0, 8))}` };
  if (!HALL2_NUMBER.test(number)) return { ok: false, reason: 'document number must be 1–64 letters, digits or "-"' };
  if (!HALL2_CONSOLE_ID.test(consoleId)) return { ok: false, reason: 'console id must be 1–64 letters, digits, "_" or "-"' };
  if (!HALL2_ISSUED.test(issued)) return { ok: false, reason: 'issue time must be canonical base-36 seconds' };
  const issuedSeconds = Number.parseInt(issued, 36);
  if (issuedSeconds > HALL2_MAX_ISSUED_SECONDS) return { ok: false, reason: 'issue time is after the year 9999' };
  if (!HALL2_SIGNATURE.test(signature)) return { ok: false, reason: `signature is not ${HALL2_SIGNATURE_LENGTH} characters of canonical base64url` };
  const signedPayload = text.slice(0, text.length - signature.length - 1);
  return { ok: true, fields: { kindCode, number, consoleId, issuedSeconds, signedPayload, signature } };
}

/** Recognise and split one of our QR payloads (shape only; see `verifyHallCode`). */
export function parseHallCode(text: string): HallCodeParse {
  if (!OURS.test(text)) return null;
  const version = text.slice(0, text.indexOf(':'));
  if (version === 'HALL2') return parseHall2(text);
  if (version === 'HALL1') return parseHall1(text);
  return { ok: false, reason: `unsupported format version ${version}` };
}

function parseHall2(text: string): HallCodeParse {
  const shape = parseDocumentQrShape(text);
  if (!shape.ok) return shape;
  const { kindCode, number, consoleId, issuedSeconds, signedPayload, signature } = shape.fields;
  const issuedAt = new Date(issuedSeconds * 1000).toISOString();
  const common = { version: 'HALL2', consoleId, issuedAt, signedPayload, signature } as const;
  if (kindCode === 'T') {
    const m = HALL2_TICKET.exec(number);
    if (!m) return { ok: false, reason: 'ticket number is malformed (expected <ticket number>-<YYYYMMDD>)' };
    const [, ticketNumber, businessDate] = m as unknown as [string, string, string];
    if (!isBusinessDate(businessDate)) return { ok: false, reason: 'business date is not a valid YYYYMMDD date' };
    return { ok: true, code: { kind: 'ticket', businessDate, ticketNumber, ...common } };
  }
  const receiptNo = parseReceiptNumber(number);
  if (!receiptNo) return { ok: false, reason: 'receipt number is malformed' };
  return { ok: true, code: { kind: 'receipt', documentKind: HALL2_KIND_CODES[kindCode], receiptNo, ...common } };
}

function parseHall1(text: string): HallCodeParse {
  const parts = text.split(':');
  const signature = parts[parts.length - 1] as string;
  const signedPayload = parts.slice(0, -1).join(':');
  const common = { version: 'HALL1', consoleId: null, issuedAt: null, signedPayload, signature } as const;
  switch (parts[1]) {
    case 'R': {
      if (parts.length !== 4) return { ok: false, reason: `receipt QR has ${parts.length} fields, expected 4` };
      const receiptNo = parseReceiptNumber(parts[2] as string);
      if (!receiptNo) return { ok: false, reason: 'receipt number is malformed' };
      if (!HALL1_SIGNATURE.test(signature)) return { ok: false, reason: 'signature is not base64url of a plausible length' };
      return { ok: true, code: { kind: 'receipt', documentKind: null, receiptNo, ...common } };
    }
    case 'T': {
      if (parts.length !== 5) return { ok: false, reason: `ticket QR has ${parts.length} fields, expected 5` };
      const [, , businessDate, ticketNumber] = parts as [string, string, string, string, string];
      if (!isBusinessDate(businessDate)) return { ok: false, reason: 'business date is not a valid YYYYMMDD date' };
      if (!isTicketNumber(ticketNumber)) return { ok: false, reason: 'ticket number is malformed' };
      if (!HALL1_SIGNATURE.test(signature)) return { ok: false, reason: 'signature is not base64url of a plausible length' };
      return { ok: true, code: { kind: 'ticket', businessDate, ticketNumber, ...common } };
    }
    default:
      return { ok: false, reason: `unknown code type ${JSON.stringify((parts[1] ?? '').slice(0, 8))}` };
  }
}

/** `unchecked` when no verifier is plugged in. */
export type SignatureStatus = 'valid' | 'invalid' | 'unchecked';

export function verifyHallCode(code: HallCode, verify?: SignatureVerifier): SignatureStatus {
  if (!verify) return 'unchecked';
  try {
    return verify(code.signedPayload, code.signature) ? 'valid' : 'invalid';
  } catch {
    return 'invalid'; // a verifier that throws (bad key, bad encoding) never vouches for a code
  }
}
