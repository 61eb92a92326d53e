/**
 * Enrollment with a one-time code (docs/security.md "Enrollment"): what the hub and the console share.
 *
 *   1. hub: `hall hub enroll-code --console C03 --role clerk --counter 3` → a code like `7KQ2M-XH9TD`
 *      (10 characters from a 31-letter alphabet without 0/O/1/I/L: ~49 bits), stored as a salted
 *      scrypt hash, single use, expiring (default 24 h), dead after 5 wrong tries;
 *   2. console: keeps its Ed25519 key pair (made on the console, private key wrapped by the
 *      KeyProtector) and sends `POST /enroll {code, consoleId, publicKey, proof}`; `proof` signs the
 *      request with that key, so only the holder of the private key can enroll a public key;
 *   3. hub: consumes the code and registers the key in one transaction; answers role, counter, hall.
 */
import { randomBytes, randomInt, scryptSync, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/** Crockford-like, without the letters people confuse (0/O, 1/I/L). */
export const ENROLL_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const ENROLL_CODE_LENGTH = 10;
export const ENROLL_PATH = '/enroll';
export const MAX_ENROLL_BODY_BYTES = 4096;

/** A fresh code, e.g. "7KQ2MXH9TD" (shown as 7KQ2M-XH9TD). */
export function generateEnrollmentCode(): string {
  let code = '';
  for (let i = 0; i < ENROLL_CODE_LENGTH; i++) code += ENROLL_CODE_ALPHABET[randomInt(ENROLL_CODE_ALPHABET.length)];
  return code;
}

/** For people: two groups of five. */
export function formatEnrollmentCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** As typed: case, spaces and hyphens do not matter. null when it cannot be a code. */
export function normaliseEnrollmentCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== ENROLL_CODE_LENGTH) return null;
  for (const ch of code) if (!ENROLL_CODE_ALPHABET.includes(ch)) return null;
  return code;
}

// scrypt N=2^14, r=8, p=1 (16 MiB, tens of ms): a stolen hub database does not give the live codes away.
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const HASH_RE = /^scrypt\$16384\$8\$1\$([A-Za-z0-9_-]{22})\$([A-Za-z0-9_-]{43})$/;

/** `scrypt$N$r$p$<salt>$<hash>` of a normalised code. */
export function hashEnrollmentCode(code: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(code, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function enrollmentCodeMatches(code: string, stored: string): boolean {
  const m = HASH_RE.exec(stored);
  if (!m) return false;
  const expected = Buffer.from(m[2]!, 'base64url');
  const actual = scryptSync(code, Buffer.from(m[1]!, 'base64url'), 32, SCRYPT);
  return timingSafeEqual(actual, expected);
}

/** `--ttl 24h`, `90m`, `7d`: between 5 minutes and 7 days. */
export function parseEnrollmentTtl(text: string): number | null {
  const m = /^(\d{1,4})([mhd])$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
  return ms >= 5 * 60_000 && ms <= 7 * 86_400_000 ? ms : null;
}

const ConsoleId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'console id must be 1–64 letters, digits, "_" or "-"');
const PublicKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'public key must be base64url of a raw 32-byte Ed25519 key');

export const EnrollRequest = z
  .object({
    code: z.string().min(1).max(32),
    consoleId: ConsoleId,
    publicKey: PublicKey,
    /** Ed25519 signature (base64url, 86 characters) of enrollmentProofText(...) by the console key. */
    proof: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'proof must be an Ed25519 signature in base64url'),
  })
  .strict();
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollAnswer = z
  .object({
    ok: z.literal(true),
    consoleId: ConsoleId,
    role: z.enum(['clerk', 'kiosk', 'supervisor']),
    counter: z.number().int().min(1).max(999).nullable(),
    hall: z.string().min(1).max(60).nullable(),
    hub: z.object({ epoch: z.string().min(1).max(64), store: z.enum(['sqlite', 'postgres']), syncPath: z.string().regex(/^\/[A-Za-z0-9/_-]{0,63}$/) }).strict(),
  })
  .strict();
export type EnrollAnswer = z.infer<typeof EnrollAnswer>;

export const ENROLL_REFUSALS = ['bad_request', 'bad_proof', 'no_enrollment', 'expired', 'used', 'locked', 'wrong_code', 'console_revoked', 'rate_limited', 'unavailable'] as const;
export type EnrollRefusalCode = (typeof ENROLL_REFUSALS)[number];
export const EnrollRefusal = z
  .object({ ok: z.literal(false), error: z.enum(ENROLL_REFUSALS), message: z.string().max(300), attemptsLeft: z.number().int().min(0).max(100).optional() })
  .strict();
export type EnrollRefusal = z.infer<typeof EnrollRefusal>;

/** What the proof signs: binds the key to this console id and this code. */
export function enrollmentProofText(consoleId: string, publicKey: string, code: string): Buffer {
  return Buffer.from(`HALL-ENROLL1\n${consoleId}\n${publicKey}\n${code}`, 'utf8');
}

export function signEnrollmentProof(privateKey: KeyObject, consoleId: string, publicKey: string, code: string): string {
  return sign(null, enrollmentProofText(consoleId, publicKey, code), privateKey).toString('base64url');
}

export function enrollmentProofValid(publicKey: KeyObject, req: { consoleId: string; publicKey: string; proof: string }, code: string): boolean {
  try {
    return verify(null, enrollmentProofText(req.consoleId, req.publicKey, code), publicKey, Buffer.from(req.proof, 'base64url'));
  } catch {
    return false;
  }
}
