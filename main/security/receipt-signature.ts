/**
 * The signed QR on every printed document (hall-domain note, "Receipts and their QR"): a kiosk or
 * another console reads the document number from it and detects forgeries offline, with nothing but
 * the issuing console's public key.
 *
 * Payload (one line of ASCII, 130–160 characters: a version 6–7 QR at level M):
 *
 *     HALL2:<kind>:<number>:<console id>:<issued>:<signature>
 *     HALL2:R:HALL01-20261126-C03-0042:C03:tp35i0:<86 characters>   (issued 2026-11-26T01:30:00Z)
 *
 *   - `HALL2`     format version. Follows the `HALL1:…` payloads of drivers/scanner/hall-codes.ts (same
 *                 `:` separator, same rule "the signature covers everything before the last `:`"), adding
 *                 the document kind, the console id and the issue time that HALL1 lacks.
 *   - `<kind>`    one letter, QR_KIND_CODES: R 受理回执, N 一次性告知书, D 不予受理决定书, P 缴款通知, T 取号单.
 *   - `<number>`  the 办件编号 (receipt number) or the ticket number: `[A-Za-z0-9-]{1,64}`.
 *   - `<console id>` the issuing console, which names the public key to check with: `[A-Za-z0-9_-]{1,64}`.
 *   - `<issued>`  issue time in whole seconds since the epoch, base 36, lower case, no leading zeros.
 *   - `<signature>` Ed25519 (RFC 8032, `node:crypto`, no extra library) over the UTF-8 bytes of everything
 *                 before the last `:` (`HALL2:R:…:tp35i0`), base64url without padding: always 86 characters.
 *
 * The signed text starts with the format version and the kind, so a signature can be moved neither to
 * another kind of document nor to another format. Canonical encodings only (a second spelling of the
 * same signature or time is refused as malformed), so a payload is the one string the console printed.
 *
 * Keys: each console has its own Ed25519 key (`loadOrCreateConsoleSigningKey`: PKCS#8 PEM in a 0600
 * file, written like the master key file). Its public key travels as base64url of the raw 32 bytes
 * (`publicKeyBase64Url`); verifiers look it up by the console id in the payload.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import type { ReceiptKind } from '../../drivers/printer/receipt';
import { loadOrCreatePrivateFile } from '../store/key-file';

export const DOCUMENT_QR_VERSION = 'HALL2';

/** Every printed document but the technician's test page carries a signed QR. */
export type SignedDocumentKind = Exclude<ReceiptKind, 'test-page'>;

export const QR_KIND_CODES: Readonly<Record<SignedDocumentKind, string>> = {
  'acceptance-receipt': 'R',
  'correction-notice': 'N',
  'refusal-decision': 'D',
  'payment-notice': 'P',
  'queue-ticket': 'T',
};

const KIND_BY_CODE = new Map(Object.entries(QR_KIND_CODES).map(([kind, code]) => [code, kind as SignedDocumentKind]));
const SIGNED_KINDS = Object.keys(QR_KIND_CODES) as [SignedDocumentKind, ...SignedDocumentKind[]];

/** Ed25519 signature: 64 bytes → 86 base64url characters. */
const SIGNATURE_CHARS = 86;
/** Longest possible payload (every field at its maximum); anything longer is not ours. */
const MAX_PAYLOAD = 5 + 1 + 1 + 1 + 64 + 1 + 64 + 1 + 8 + 1 + SIGNATURE_CHARS;
/** Issue times up to 9999-12-31 (8 base-36 digits hold that). */
const MAX_ISSUED_SECONDS = 253_402_300_799;

const DocumentNumber = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'document number must be 1–64 letters, digits or "-"');
const ConsoleId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'console id must be 1–64 letters, digits, "_" or "-"');
const IssuedSeconds = z
  .string()
  .regex(/^(0|[1-9a-z][0-9a-z]{0,7})$/, 'issue time must be base-36 seconds')
  .transform((s) => Number.parseInt(s, 36))
  .refine((n) => n <= MAX_ISSUED_SECONDS, 'issue time is after the year 9999');
const Signature = z
  .string()
  .regex(new RegExp(`^[A-Za-z0-9_-]{${SIGNATURE_CHARS}}$`), `signature must be ${SIGNATURE_CHARS} base64url characters`)
  .transform((s) => Buffer.from(s, 'base64url'))
  .refine((b) => b.length === 64, 'signature must be 64 bytes');

/** The payload's fields, in order (parsed from `payload.split(':')`). */
const PayloadFields = z.tuple([
  z.literal(DOCUMENT_QR_VERSION),
  z.string().refine((c) => KIND_BY_CODE.has(c), 'unknown document kind'),
  DocumentNumber,
  ConsoleId,
  IssuedSeconds,
  Signature,
]);

const SignInput = z.object({
  kind: z.enum(SIGNED_KINDS),
  number: DocumentNumber,
  consoleId: ConsoleId,
  issuedAt: z.union([z.date(), z.string()]).transform((t, ctx) => {
    const ms = new Date(t).getTime();
    if (Number.isNaN(ms) || ms < 0 || ms / 1000 > MAX_ISSUED_SECONDS) {
      ctx.addIssue({ code: 'custom', message: 'issuedAt must be a valid time between 1970 and 9999' });
      return z.NEVER;
    }
    return Math.floor(ms / 1000);
  }),
});

export interface DocumentQrFields {
  kind: SignedDocumentKind;
  /** 办件编号 or ticket number, as printed. */
  number: string;
  /** The issuing console (names its public key). */
  consoleId: string;
  /** Issue time; carried in whole seconds. */
  issuedAt: Date | string;
}

export interface ConsoleSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as other consoles and kiosks get it: base64url of the raw 32-byte Ed25519 key. */
  publicKeyBase64Url: string;
}

/** A console's public key: a KeyObject, or the base64url text of `ConsoleSigningKey.publicKeyBase64Url`. */
export type ConsolePublicKey = KeyObject | string;
export type PublicKeysByConsoleId = ReadonlyMap<string, ConsolePublicKey> | Readonly<Record<string, ConsolePublicKey>>;

export type DocumentQrErrorCode = 'malformed' | 'unknown_console' | 'bad_signature';

export type DocumentQrVerification =
  | {
      ok: true;
      kind: SignedDocumentKind;
      number: string;
      consoleId: string;
      /** ISO 8601 (UTC), whole seconds. */
      issuedAt: string;
    }
  | { ok: false; code: DocumentQrErrorCode; message: string };

function isEd25519(key: KeyObject, type: 'private' | 'public'): boolean {
  return key.type === type && key.asymmetricKeyType === 'ed25519';
}

function fromPrivateKey(privateKey: KeyObject): ConsoleSigningKey {
  if (!isEd25519(privateKey, 'private')) throw new TypeError('a console signing key must be an Ed25519 private key');
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new TypeError('cannot export the Ed25519 public key');
  return { privateKey, publicKey, publicKeyBase64Url: jwk.x };
}

/** The signing key of an Ed25519 private KeyObject (throws TypeError for any other key). */
export function consoleSigningKeyFromPrivate(privateKey: KeyObject): ConsoleSigningKey {
  return fromPrivateKey(privateKey);
}

/** A new random Ed25519 key for a console. */
export function generateConsoleSigningKey(): ConsoleSigningKey {
  return fromPrivateKey(generateKeyPairSync('ed25519').privateKey);
}

/** Imports `publicKeyBase64Url` text (or checks a KeyObject); null when it is not an Ed25519 public key. */
export function importConsolePublicKey(key: ConsolePublicKey): KeyObject | null {
  try {
    if (key instanceof KeyObject) return isEd25519(key, 'public') ? key : null;
    if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(key)) return null;
    const imported = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key }, format: 'jwk' });
    // Canonical text only: the same 32 bytes always export as the same 43 characters.
    return imported.export({ format: 'jwk' }).x === key ? imported : null;
  } catch {
    return null;
  }
}

/**
 * The QR payload for a printed document, signed by this console's key. Throws (ZodError) on fields that
 * cannot be carried (a number or console id with other characters, an invalid time): a programming error.
 */
export function signDocumentQr(key: ConsoleSigningKey, fields: DocumentQrFields): string {
  if (!isEd25519(key.privateKey, 'private')) throw new TypeError('a console signing key must be an Ed25519 private key');
  const f = SignInput.parse(fields);
  const signed = [DOCUMENT_QR_VERSION, QR_KIND_CODES[f.kind], f.number, f.consoleId, f.issuedAt.toString(36)].join(':');
  const signature = sign(null, Buffer.from(signed, 'utf8'), key.privateKey).toString('base64url');
  return `${signed}:${signature}`;
}

function publicKeyOf(keys: PublicKeysByConsoleId, consoleId: string): ConsolePublicKey | undefined {
  if (keys instanceof Map) return keys.get(consoleId);
  // A plain record: own properties only (a console id "constructor" must not find Object.prototype's).
  const record = keys as Readonly<Record<string, ConsolePublicKey>>;
  return Object.hasOwn(record, consoleId) ? record[consoleId] : undefined;
}

const fail = (code: DocumentQrErrorCode, message: string): DocumentQrVerification => ({ ok: false, code, message });

/**
 * Checks a scanned payload offline. Never throws: any input gets a typed answer. Messages name the
 * problem, never echo the payload.
 */
export function verifyDocumentQr(payload: string, publicKeysByConsoleId: PublicKeysByConsoleId): DocumentQrVerification {
  if (typeof payload !== 'string') return fail('malformed', 'QR payload is not text');
  if (payload.length > MAX_PAYLOAD) return fail('malformed', `QR payload is longer than ${MAX_PAYLOAD} characters`);
  if (!payload.startsWith(`${DOCUMENT_QR_VERSION}:`)) return fail('malformed', `not a ${DOCUMENT_QR_VERSION} document QR`);
  const parsed = PayloadFields.safeParse(payload.split(':'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `field ${String(issue.path[0])}: ` : '';
    return fail('malformed', `malformed document QR: ${where}${issue?.message ?? 'bad shape'}`);
  }
  const [, code, number, consoleId, issuedSeconds, signature] = parsed.data;
  const kind = KIND_BY_CODE.get(code);
  if (kind === undefined) return fail('malformed', 'unknown document kind');
  const signedLength = payload.length - SIGNATURE_CHARS - 1;
  // Canonical encodings: re-encoding what was parsed gives back the very same text.
  if (signature.toString('base64url') !== payload.slice(signedLength + 1)) return fail('malformed', 'signature is not canonical base64url');

  const configured = publicKeyOf(publicKeysByConsoleId, consoleId);
  if (configured === undefined) return fail('unknown_console', `no public key for console ${consoleId}`);
  const publicKey = importConsolePublicKey(configured);
  if (publicKey === null) return fail('unknown_console', `the key on file for console ${consoleId} is not an Ed25519 public key`);

  let valid = false;
  try {
    valid = verify(null, Buffer.from(payload.slice(0, signedLength), 'utf8'), publicKey, signature);
  } catch {
    valid = false;
  }
  if (!valid) return fail('bad_signature', `signature does not match console ${consoleId}: the document may be forged or altered`);
  return { ok: true, kind, number, consoleId, issuedAt: new Date(issuedSeconds * 1000).toISOString() };
}

/**
 * The check drivers/scanner/hall-codes.ts plugs in (`SignatureVerifier`: signed payload = everything
 * before the last `:`, signature = the rest), for HALL2 payloads.
 */
export function documentQrVerifier(publicKeysByConsoleId: PublicKeysByConsoleId): (signedPayload: string, signature: string) => boolean {
  return (signedPayload, signature) => verifyDocumentQr(`${signedPayload}:${signature}`, publicKeysByConsoleId).ok;
}

/** The key from `loadOrCreateConsoleSigningKey`: usable as is, and says whether the file was just created. */
export interface LoadedConsoleSigningKey extends ConsoleSigningKey {
  created: boolean;
}

/** PEM of a PKCS#8 Ed25519 key is ~120 bytes; anything much larger is not one. */
const MAX_KEY_FILE_BYTES = 4096;

/**
 * The console's signing key: loaded from `path` (PKCS#8 PEM), or created there with mode 0600 in a
 * 0700 directory, atomically and never overwriting (main/store/key-file.ts). Refuses (KeyFileError)
 * a file group or others can access, a symlink or directory, or one that holds no Ed25519 private key.
 */
export function loadOrCreateConsoleSigningKey(path: string): LoadedConsoleSigningKey {
  const { content, created } = loadOrCreatePrivateFile(path, {
    what: 'console signing key',
    maxBytes: MAX_KEY_FILE_BYTES,
    create: () => Buffer.from(generateConsoleSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' })),
    check: (content) => (parsePrivateKey(content) === null ? 'does not hold an unencrypted Ed25519 private key (PKCS#8 PEM)' : null),
  });
  const privateKey = parsePrivateKey(content); // check() (or create()) vouched for it
  if (privateKey === null) throw new TypeError(`console signing key file ${path} does not hold an Ed25519 private key`);
  return { ...fromPrivateKey(privateKey), created };
}

/** An unencrypted Ed25519 private key from PKCS#8 PEM bytes, or null (also used for update signing keys). */
export function parsePrivateKey(content: Buffer): KeyObject | null {
  try {
    const key = createPrivateKey({ key: content, format: 'pem' });
    return isEd25519(key, 'private') ? key : null;
  } catch {
    return null;
  }
}
