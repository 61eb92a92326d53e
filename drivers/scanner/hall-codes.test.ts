import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatReceiptNumber } from '../../main/domain/receipt-number';
import { ticketNumber } from '../../main/domain/queue';
import { DOCUMENT_QR_VERSION, documentQrVerifier, generateConsoleSigningKey, QR_KIND_CODES, signDocumentQr, verifyDocumentQr, type SignedDocumentKind } from '../../main/security/receipt-signature';
import {
  HALL2_KIND_CODES,
  HALL2_MAX_LENGTH,
  HALL_QR_VERSION,
  isBusinessDate,
  isTicketNumber,
  parseDocumentQrShape,
  parseHallCode,
  parseReceiptNumber,
  verifyHallCode,
  type HallCode,
} from './hall-codes';

const SIG = 'A'.repeat(86); // an Ed25519 signature is 64 bytes = 86 base64url characters
const KEY = generateConsoleSigningKey();
const KEYS = { C03: KEY.publicKeyBase64Url };
const ISSUED = '2026-11-26T01:30:00.000Z'; // tp35i0 in base 36
const RECEIPT = 'HALL01-20261126-C03-0042';
const sign = (kind: SignedDocumentKind, number: string) => signDocumentQr(KEY, { kind, number, consoleId: 'C03', issuedAt: ISSUED });
const RECEIPT_QR = sign('acceptance-receipt', RECEIPT);
const TICKET_QR = sign('queue-ticket', 'A012-20261126');

/** Replaces field `index` of a payload (0 = version … 5 = signature). */
function withField(payload: string, index: number, value: string): string {
  const parts = payload.split(':');
  parts[index] = value;
  return parts.join(':');
}

describe('receipt numbers', () => {
  it('splits HALL01-20261126-C03-0042', () => {
    expect(parseReceiptNumber(RECEIPT)).toEqual({ value: RECEIPT, hallCode: 'HALL01', date: '20261126', consoleId: 'C03', sequence: 42 });
  });

  it('accepts every console code main/domain/receipt-number.ts formats, not only C + 2–3 digits', () => {
    for (const consoleCode of ['C03', 'C123', 'K1', 'CA', 'ZZZZZZZZ', 'C0000001']) {
      const value = formatReceiptNumber({ hallCode: 'HALL01', date: '2026-11-26', consoleCode, sequence: 999_999 });
      expect(parseReceiptNumber(value), value).toMatchObject({ consoleId: consoleCode, sequence: 999_999 });
    }
    const parts = fc.record({
      hallCode: fc.stringMatching(/^[A-Z0-9]{2,12}$/),
      date: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      consoleCode: fc.stringMatching(/^[A-Z][0-9A-Z]{1,7}$/),
      sequence: fc.integer({ min: 1, max: 999_999 }),
    });
    fc.assert(
      fc.property(parts, (p) => parseReceiptNumber(formatReceiptNumber(p))?.consoleId === p.consoleCode),
      { numRuns: 500, seed: 20261126 },
    );
  });

  it.each(['HALL01-20261131-C03-0042', 'HALL01-20261126-03-0042', 'hall01-20261126-C03-0042', 'HALL01-20261126-c03-0042', 'HALL01-20261126-C03-42', 'HALL01-20261126-C03-0042-1', 'HALL01-2026-11-26-C03-0042', 'HALL01-20261126-C-0042', 'HALL01-20261126-C12345678-0042'])(
    'refuses %s',
    (value) => expect(parseReceiptNumber(value)).toBeNull(),
  );

  it('knows real calendar days, leap years included', () => {
    expect(isBusinessDate('20280229')).toBe(true);
    expect(isBusinessDate('20270229')).toBe(false);
    expect(isBusinessDate('21000228')).toBe(false);
    expect(isBusinessDate('20261300')).toBe(false);
    expect(isBusinessDate('20261231')).toBe(true);
  });

  it('accepts the ticket numbers main/domain/queue.ts formats', () => {
    for (const [prefix, n] of [['A', 1], ['B', 999], ['VP', 1000], ['A', 10_000]] as const) expect(isTicketNumber(ticketNumber(prefix, n))).toBe(true);
    for (const bad of ['a012', 'A12', 'ABC012', '012']) expect(isTicketNumber(bad)).toBe(false);
  });
});

describe('HALL2: the format receipt-signature.ts prints', () => {
  it('agrees with receipt-signature.ts on the version and the kind letters', () => {
    expect(HALL_QR_VERSION).toBe(DOCUMENT_QR_VERSION);
    expect(Object.fromEntries(Object.entries(HALL2_KIND_CODES).map(([code, kind]) => [kind, code]))).toEqual(QR_KIND_CODES);
  });

  it('reads a signed case document: receipt number, document kind, console, issue time', () => {
    const [signedPayload, signature] = [RECEIPT_QR.slice(0, RECEIPT_QR.lastIndexOf(':')), RECEIPT_QR.slice(RECEIPT_QR.lastIndexOf(':') + 1)];
    expect(parseHallCode(RECEIPT_QR)).toEqual({
      ok: true,
      code: {
        kind: 'receipt',
        version: 'HALL2',
        documentKind: 'acceptance-receipt',
        receiptNo: { value: RECEIPT, hallCode: 'HALL01', date: '20261126', consoleId: 'C03', sequence: 42 },
        consoleId: 'C03',
        issuedAt: ISSUED,
        signedPayload,
        signature,
      },
    });
    expect(signedPayload).toBe(`HALL2:R:${RECEIPT}:C03:tp35i0`);
  });

  it.each([
    ['correction-notice', 'N'],
    ['refusal-decision', 'D'],
    ['payment-notice', 'P'],
  ] as const)('reads a %s (%s) as a receipt of that kind', (documentKind, letter) => {
    const qr = sign(documentKind, RECEIPT);
    expect(qr.startsWith(`HALL2:${letter}:`)).toBe(true);
    expect(parseHallCode(qr)).toMatchObject({ ok: true, code: { kind: 'receipt', documentKind, receiptNo: { value: RECEIPT } } });
  });

  it('reads a ticket: ticket number and business date from <ticket>-<YYYYMMDD>', () => {
    expect(parseHallCode(TICKET_QR)).toEqual({
      ok: true,
      code: {
        kind: 'ticket',
        version: 'HALL2',
        businessDate: '20261126',
        ticketNumber: 'A012',
        consoleId: 'C03',
        issuedAt: ISSUED,
        signedPayload: TICKET_QR.slice(0, TICKET_QR.lastIndexOf(':')),
        signature: TICKET_QR.slice(TICKET_QR.lastIndexOf(':') + 1),
      },
    });
    expect(parseHallCode(sign('queue-ticket', 'VP1000-20280229'))).toMatchObject({ ok: true, code: { ticketNumber: 'VP1000', businessDate: '20280229' } });
  });

  it.each([
    [withField(RECEIPT_QR, 2, 'R-1'), 'receipt number is malformed'],
    [withField(RECEIPT_QR, 2, 'A012-20261126'), 'receipt number is malformed'], // a ticket number on a case document
    [withField(TICKET_QR, 2, 'A012'), 'ticket number is malformed'], // the business day is part of a ticket's number
    [withField(TICKET_QR, 2, RECEIPT), 'ticket number is malformed'],
    [withField(TICKET_QR, 2, 'A012-20261131'), 'business date is not a valid YYYYMMDD date'],
    [withField(RECEIPT_QR, 1, 'X'), 'unknown document kind "X"'],
    [withField(RECEIPT_QR, 1, 'r'), 'unknown document kind'],
    [withField(RECEIPT_QR, 3, 'C03.x'), 'console id'],
    [withField(RECEIPT_QR, 4, '0tp35i0'), 'issue time must be canonical'],
    [withField(RECEIPT_QR, 4, 'TP35I0'), 'issue time must be canonical'],
    [withField(RECEIPT_QR, 4, 'zzzzzzzz'), 'after the year 9999'],
    [withField(RECEIPT_QR, 5, SIG.slice(1)), 'signature is not 86 characters'],
    [withField(RECEIPT_QR, 5, SIG.replace(/.$/, 'B')), 'canonical base64url'],
    [withField(RECEIPT_QR, 5, `${SIG.slice(0, 85)}=`), 'signature is not 86'],
    [`${RECEIPT_QR}:extra`, 'document QR has 7 fields, expected 6'],
    [`HALL2:R:${RECEIPT}:${SIG}`, 'document QR has 4 fields, expected 6'],
    ['HALL2:' + 'A'.repeat(10_000), `longer than ${HALL2_MAX_LENGTH} characters`],
    [RECEIPT_QR.replace('HALL2', 'HALL3'), 'unsupported format version HALL3'],
  ])('says why %s is damaged', (text, reason) => {
    const r = parseHallCode(text);
    expect(r && !r.ok && r.reason).toContain(reason);
  });

  it('is exactly as strict as verifyDocumentQr: malformed there iff the shape check refuses it', () => {
    const mutation = fc.tuple(fc.nat(), fc.constantFrom('set', 'insert', 'delete'), fc.constantFrom(':', 'A', 'Q', 'B', '0', '-', '_', 'z', '.', ' ', '张', '\n'));
    const mutated = fc.tuple(fc.constantFrom(RECEIPT_QR, TICKET_QR), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([payload, edits]) => {
      const chars = Array.from(payload);
      for (const [position, kind, ch] of edits) {
        const at = position % (chars.length + 1);
        if (kind === 'set' && at < chars.length) chars[at] = ch;
        else if (kind === 'insert') chars.splice(at, 0, ch);
        else chars.splice(at, 1);
      }
      return chars.join('');
    });
    const structured = fc
      .tuple(fc.constantFrom('HALL2', 'HALL1'), fc.constantFrom('R', 'T', 'N', 'X', ''), fc.stringMatching(/^[A-Za-z0-9._-]{0,66}$/), fc.stringMatching(/^[A-Za-z0-9_.-]{0,66}$/), fc.stringMatching(/^[0-9a-zA-Z]{0,10}$/), fc.stringMatching(/^[A-Za-z0-9_=+-]{84,88}$/))
      .map((parts) => parts.join(':'));
    const seen = { wellFormed: 0, malformed: 0 };
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), structured, mutated), (payload) => {
        const malformed = (r: ReturnType<typeof verifyDocumentQr>) => !r.ok && r.code === 'malformed';
        const ok = parseDocumentQrShape(payload).ok;
        seen[ok ? 'wellFormed' : 'malformed'] += 1;
        return ok === !malformed(verifyDocumentQr(payload, KEYS));
      }),
      { numRuns: 3000, seed: 20261126 },
    );
    // Both sides of the line were exercised, not only garbage.
    expect(seen.wellFormed).toBeGreaterThan(100);
    expect(seen.malformed).toBeGreaterThan(100);
  });
});

describe('HALL1: old paper, still read', () => {
  it('reads a receipt QR (no document kind, console or issue time) and names the signed payload', () => {
    expect(parseHallCode(`HALL1:R:${RECEIPT}:${SIG}`)).toEqual({
      ok: true,
      code: {
        kind: 'receipt',
        version: 'HALL1',
        documentKind: null,
        receiptNo: expect.objectContaining({ value: RECEIPT, sequence: 42 }),
        consoleId: null,
        issuedAt: null,
        signedPayload: `HALL1:R:${RECEIPT}`,
        signature: SIG,
      },
    });
  });

  it('reads a ticket QR', () => {
    expect(parseHallCode(`HALL1:T:20261126:A012:${SIG}`)).toEqual({
      ok: true,
      code: { kind: 'ticket', version: 'HALL1', businessDate: '20261126', ticketNumber: 'A012', consoleId: null, issuedAt: null, signedPayload: 'HALL1:T:20261126:A012', signature: SIG },
    });
  });

  it('is null for anything that is not ours', () => {
    for (const text of ['134567890123456789', 'https://example.gov.cn/HALL2:R', 'HALL:R:x:y', 'hall1:R:x:y', 'hall2:R:x:y', RECEIPT, '']) expect(parseHallCode(text)).toBeNull();
  });

  it.each([
    [`HALL1:X:${RECEIPT}:${SIG}`, 'unknown code type "X"'],
    [`HALL1:R:${RECEIPT}`, 'receipt QR has 3 fields'],
    [`HALL1:R:${RECEIPT}:${SIG}:extra`, 'receipt QR has 5 fields'],
    [`HALL1:R:HALL01-20261199-C03-0042:${SIG}`, 'receipt number is malformed'],
    [`HALL1:R:${RECEIPT}:short`, 'signature is not base64url'],
    [`HALL1:R:${RECEIPT}:${'A'.repeat(85)}=`, 'signature is not base64url'],
    [`HALL1:T:2026-11-26:A012:${SIG}`, 'business date is not a valid'],
    [`HALL1:T:2026:11:26:A012:${SIG}`, 'ticket QR has 7 fields'],
    [`HALL1:T:20261126:012:${SIG}`, 'ticket number is malformed'],
    [`HALL1:T:20260230:A012:${SIG}`, 'business date is not a valid'],
    [`HALL1:T:20261126:A012:${SIG}+`, 'signature is not base64url'],
  ])('says why %s is damaged', (text, reason) => {
    const r = parseHallCode(text);
    expect(r && !r.ok && r.reason).toContain(reason);
  });
});

describe('signatures', () => {
  const codeOf = (text: string) => (parseHallCode(text) as { ok: true; code: HallCode }).code;

  it('is unchecked without a verifier, valid/invalid with one, invalid when the verifier throws', () => {
    const code = codeOf(TICKET_QR);
    expect(verifyHallCode(code)).toBe('unchecked');
    const seen: [string, string][] = [];
    expect(verifyHallCode(code, (payload, signature) => (seen.push([payload, signature]), true))).toBe('valid');
    expect(seen).toEqual([[TICKET_QR.slice(0, TICKET_QR.lastIndexOf(':')), TICKET_QR.slice(TICKET_QR.lastIndexOf(':') + 1)]]);
    expect(verifyHallCode(code, () => false)).toBe('invalid');
    expect(
      verifyHallCode(code, () => {
        throw new Error('bad key');
      }),
    ).toBe('invalid');
  });

  it('round-trips with receipt-signature.ts: documentQrVerifier vouches for what signDocumentQr signed, and nothing altered', () => {
    const verify = documentQrVerifier(KEYS);
    for (const kind of Object.values(HALL2_KIND_CODES)) {
      const qr = sign(kind, kind === 'queue-ticket' ? 'B105-20261126' : RECEIPT);
      expect(verifyHallCode(codeOf(qr), verify), kind).toBe('valid');
    }
    const tampered = [
      withField(RECEIPT_QR, 2, 'HALL01-20261126-C03-0043'), // another case's number
      withField(RECEIPT_QR, 1, 'P'), // the signature moved to another kind of document
      withField(RECEIPT_QR, 4, 'tp35i1'), // another issue time
      withField(TICKET_QR, 2, 'A013-20261126'),
    ];
    for (const qr of tampered) expect(verifyHallCode(codeOf(qr), verify), qr).toBe('invalid');
    // Signed by a console whose key we do not hold.
    const stranger = signDocumentQr(generateConsoleSigningKey(), { kind: 'acceptance-receipt', number: RECEIPT, consoleId: 'C03', issuedAt: ISSUED });
    expect(verifyHallCode(codeOf(stranger), verify)).toBe('invalid');
    // HALL1 has no key scheme: the HALL2 verifier never vouches for it.
    expect(verifyHallCode(codeOf(`HALL1:R:${RECEIPT}:${SIG}`), verify)).toBe('invalid');
  });
});
