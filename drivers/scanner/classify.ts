/**
 * What a scanned text is (hardware note "Classify codes"; hall-domain note "Payment"):
 *
 *   1. our own QR (`HALL<n>:` prefix, hall-codes.ts): a case document (HALL2 kinds R/N/D/P, HALL1 R:
 *      `hall_receipt`, with its receipt number and document kind) or a queue ticket (HALL2 T, HALL1 T:
 *      `hall_ticket`, with its ticket number and business day) — or ours but damaged (`hall_invalid`);
 *   2. payment codes shown by the payer's app: WeChat `^1[0-5]\d{16}$`, Alipay `^(2[5-9]|30)\d{14,22}$`,
 *      UnionPay `^62\d{17}$` (the three prefixes are disjoint: 10–15, 25–30, 62);
 *   3. the electronic ID / CTID QR: opaque, verified online — recognised by site-configured patterns,
 *      else by shape (a long token of base64/hex characters with no plaintext), see `looksOpaque`;
 *   4. anything else.
 *
 * The order is the contract: payment codes are all digits and must win over any configured e-ID pattern
 * that also matches digits; our own prefix can never be a payment code. Classification never verifies
 * a payment; it tells the clerk's screen what to do with the text.
 */
import { parseHallCode, verifyHallCode, type HallReceiptCode, type HallTicketCode, type SignatureStatus, type SignatureVerifier } from './hall-codes';

export const SCAN_KINDS = ['wechat_pay', 'alipay', 'unionpay', 'hall_receipt', 'hall_ticket', 'hall_invalid', 'eid', 'other'] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];
export type PaymentKind = 'wechat_pay' | 'alipay' | 'unionpay';

export type Classification =
  | { readonly kind: PaymentKind; readonly code: string }
  | { readonly kind: 'hall_receipt'; readonly receipt: HallReceiptCode; readonly signature: SignatureStatus }
  | { readonly kind: 'hall_ticket'; readonly ticket: HallTicketCode; readonly signature: SignatureStatus }
  | { readonly kind: 'hall_invalid'; readonly reason: string }
  | { readonly kind: 'eid'; readonly match: 'configured' | 'shape' }
  | { readonly kind: 'other' };

export interface ClassifyOptions {
  /**
   * Signature check for our own codes, over hall-codes' `signedPayload` and `signature`: for HALL2,
   * `documentQrVerifier(publicKeysByConsoleId)` of main/security/receipt-signature.ts. Without it
   * signatures are `unchecked`.
   */
  verify?: SignatureVerifier;
  /** Site-configured e-ID/CTID QR patterns (from the hub's configuration). */
  eidPatterns?: readonly RegExp[];
  /** Recognise unknown opaque tokens as e-ID (default true: a false positive only masks more). */
  eidByShape?: boolean;
}

export const PAYMENT_PATTERNS: Readonly<Record<PaymentKind, RegExp>> = {
  wechat_pay: /^1[0-5]\d{16}$/,
  alipay: /^(2[5-9]|30)\d{14,22}$/,
  unionpay: /^62\d{17}$/,
};

/** Minimum length of an opaque token taken for an e-ID QR by shape. */
export const EID_MIN_OPAQUE_LENGTH = 96;
const OPAQUE = /^[A-Za-z0-9+/=_-]+$/;

/** A long token of base64/base64url/hex characters mixing letters and digits: no words, no URL. */
export function looksOpaque(text: string): boolean {
  return text.length >= EID_MIN_OPAQUE_LENGTH && OPAQUE.test(text) && /[0-9]/.test(text) && /[A-Za-z]/.test(text);
}

export function classifyScan(raw: string, options: ClassifyOptions = {}): Classification {
  const text = raw.trim();

  const ours = parseHallCode(text);
  if (ours) {
    if (!ours.ok) return { kind: 'hall_invalid', reason: ours.reason };
    const signature = verifyHallCode(ours.code, options.verify);
    return ours.code.kind === 'receipt' ? { kind: 'hall_receipt', receipt: ours.code, signature } : { kind: 'hall_ticket', ticket: ours.code, signature };
  }

  for (const kind of ['wechat_pay', 'alipay', 'unionpay'] as const) {
    if (PAYMENT_PATTERNS[kind].test(text)) return { kind, code: text };
  }

  if ((options.eidPatterns ?? []).some((pattern) => stateless(pattern).test(text))) return { kind: 'eid', match: 'configured' };
  if ((options.eidByShape ?? true) && looksOpaque(text)) return { kind: 'eid', match: 'shape' };
  return { kind: 'other' };
}

/** A /g or /y pattern keeps `lastIndex` between calls; test with a fresh copy so results never alternate. */
function stateless(pattern: RegExp): RegExp {
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
}

export function isPaymentKind(kind: ScanKind): kind is PaymentKind {
  return kind === 'wechat_pay' || kind === 'alipay' || kind === 'unionpay';
}

/** Kinds whose text is personal or a bearer token: never shown or logged in full. */
export function isSensitiveKind(kind: ScanKind): boolean {
  return isPaymentKind(kind) || kind === 'eid';
}

/** `**************1234`: every character but the last four masked (all of them when 4 or fewer). */
export function maskTail(text: string, keep = 4): string {
  const chars = Array.from(text);
  if (chars.length <= keep) return '*'.repeat(chars.length);
  return '*'.repeat(chars.length - keep) + chars.slice(-keep).join('');
}

/** The text as a screen or diagnostic may show it: masked for payment and e-ID codes. */
export function displayText(text: string, kind: ScanKind): string {
  return isSensitiveKind(kind) ? maskTail(text.trim()) : text;
}

/** Log fields for a classified scan: kind and length only. */
export function scanLogFields(text: string, classification: Classification): { kind: ScanKind; length: number } {
  return { kind: classification.kind, length: Array.from(text).length };
}
