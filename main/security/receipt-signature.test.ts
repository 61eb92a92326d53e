import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyFileError } from '../store/errors';
import {
  documentQrVerifier,
  generateConsoleSigningKey,
  importConsolePublicKey,
  loadOrCreateConsoleSigningKey,
  QR_KIND_CODES,
  signDocumentQr,
  verifyDocumentQr,
  type DocumentQrVerification,
  type SignedDocumentKind,
} from './receipt-signature';

const posix = process.platform !== 'win32';
const KEY = generateConsoleSigningKey();
const OTHER = generateConsoleSigningKey();
const KEYS = { C03: KEY.publicKeyBase64Url, C05: OTHER.publicKeyBase64Url };
const FIELDS = { kind: 'acceptance-receipt', number: 'HALL01-20261126-C03-0042', consoleId: 'C03', issuedAt: '2026-11-26T01:30:15.678Z' } as const;
const PAYLOAD = signDocumentQr(KEY, FIELDS);

/** Replaces field `index` of a payload (0 = version … 5 = signature). */
function withField(payload: string, index: number, value: string): string {
  const parts = payload.split(':');
  parts[index] = value;
  return parts.join(':');
}

function codeOf(result: DocumentQrVerification): string {
  return result.ok ? 'ok' : result.code;
}

describe('signDocumentQr / verifyDocumentQr', () => {
  it('round-trips every document kind: the kind, number, console and issue time (whole seconds)', () => {
    for (const kind of Object.keys(QR_KIND_CODES) as SignedDocumentKind[]) {
      const number = kind === 'queue-ticket' ? 'A012' : FIELDS.number;
      const payload = signDocumentQr(KEY, { ...FIELDS, kind, number });
      expect(verifyDocumentQr(payload, KEYS)).toEqual({
        ok: true,
        kind,
        number,
        consoleId: 'C03',
        issuedAt: '2026-11-26T01:30:15.000Z',
      });
    }
  });

  it('produces the documented compact payload', () => {
    expect(PAYLOAD).toMatch(/^HALL2:R:HALL01-20261126-C03-0042:C03:[0-9a-z]+:[A-Za-z0-9_-]{86}$/);
    expect(PAYLOAD.split(':')[4]).toBe(Math.floor(Date.parse(FIELDS.issuedAt) / 1000).toString(36));
    // Fits a QR comfortably even with the longest console id in use today (unenrolled-xxxxxxxx).
    expect(signDocumentQr(KEY, { ...FIELDS, consoleId: 'unenrolled-1a2b3c4d' }).length).toBeLessThan(160);
    // A Date works as well as an ISO string; Ed25519 is deterministic.
    expect(signDocumentQr(KEY, { ...FIELDS, issuedAt: new Date(FIELDS.issuedAt) })).toBe(PAYLOAD);
  });

  it('accepts the public key as base64url text or as a KeyObject, in a record or a Map', () => {
    expect(verifyDocumentQr(PAYLOAD, { C03: KEY.publicKey }).ok).toBe(true);
    expect(verifyDocumentQr(PAYLOAD, new Map([['C03', KEY.publicKeyBase64Url]])).ok).toBe(true);
    expect(verifyDocumentQr(PAYLOAD, new Map([['C03', KEY.publicKey]])).ok).toBe(true);
  });

  it('refuses a tampered number, kind, console, time or signature', () => {
    expect(codeOf(verifyDocumentQr(withField(PAYLOAD, 2, 'HALL01-20261126-C03-0043'), KEYS))).toBe('bad_signature');
    expect(codeOf(verifyDocumentQr(withField(PAYLOAD, 1, 'N'), KEYS))).toBe('bad_signature'); // 受理回执 passed off as a notice
    expect(codeOf(verifyDocumentQr(withField(PAYLOAD, 3, 'C05'), KEYS))).toBe('bad_signature'); // claims another console
    expect(codeOf(verifyDocumentQr(withField(PAYLOAD, 4, (Number.parseInt(PAYLOAD.split(':')[4]!, 36) + 1).toString(36)), KEYS))).toBe('bad_signature');
    const sig = PAYLOAD.split(':')[5]!;
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(codeOf(verifyDocumentQr(withField(PAYLOAD, 5, flipped), KEYS))).toBe('bad_signature');
    const other = signDocumentQr(OTHER, { ...FIELDS, number: 'HALL01-20261126-C03-0043' });
    expect(codeOf(verifyDocumentQr(withField(PAYLOAD, 5, other.split(':')[5]!), KEYS))).toBe('bad_signature');
  });

  it("refuses a document signed with another console's key", () => {
    const forged = signDocumentQr(OTHER, FIELDS); // says C03, signed by C05's key
    const result = verifyDocumentQr(forged, KEYS);
    expect(result).toMatchObject({ ok: false, code: 'bad_signature' });
    expect(verifyDocumentQr(forged, { C03: OTHER.publicKeyBase64Url }).ok).toBe(true); // the right key would vouch for it
  });

  it('says unknown_console for a console without a (usable) key, own properties only', () => {
    expect(verifyDocumentQr(PAYLOAD, { C05: OTHER.publicKeyBase64Url })).toMatchObject({ ok: false, code: 'unknown_console' });
    for (const id of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const payload = signDocumentQr(KEY, { ...FIELDS, consoleId: id });
      expect(codeOf(verifyDocumentQr(payload, {}))).toBe('unknown_console');
      expect(codeOf(verifyDocumentQr(payload, KEYS))).toBe('unknown_console');
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    for (const bad of ['not-a-key', KEY.publicKeyBase64Url.slice(1), rsa, KEY.privateKey]) {
      expect(verifyDocumentQr(PAYLOAD, { C03: bad })).toMatchObject({ ok: false, code: 'unknown_console' });
    }
  });

  it('says malformed for anything that is not a well-formed HALL2 payload', () => {
    const sig = PAYLOAD.split(':')[5]!;
    const cases = [
      '',
      'HALL2',
      'HALL1:R:HALL01-20261126-C03-0042:c2lnbmF0dXJl',
      PAYLOAD.replace('HALL2', 'HALL3'),
      withField(PAYLOAD, 1, 'X'),
      withField(PAYLOAD, 1, 'r'),
      withField(PAYLOAD, 2, ''),
      withField(PAYLOAD, 2, 'HALL01 20261126'),
      withField(PAYLOAD, 3, 'C03.x'),
      withField(PAYLOAD, 4, '0t4x'), // leading zero: not canonical
      withField(PAYLOAD, 4, 'T4X'),
      withField(PAYLOAD, 4, 'zzzzzzzzz'),
      withField(PAYLOAD, 5, sig.slice(1)),
      withField(PAYLOAD, 5, `${sig}A`),
      withField(PAYLOAD, 5, sig.replace(/.$/, 'B')), // non-canonical last character (low bits set)
      withField(PAYLOAD, 5, `${sig.slice(0, 85)}+`),
      `${PAYLOAD}:extra`,
      PAYLOAD.replace(/:/g, '.'),
      `${PAYLOAD}\n`,
      ` ${PAYLOAD}`,
      'HALL2:' + 'A'.repeat(10_000),
    ];
    for (const payload of cases) {
      const result = verifyDocumentQr(payload, KEYS);
      expect(result, JSON.stringify(payload.slice(0, 80))).toMatchObject({ ok: false, code: 'malformed' });
      if (!result.ok) expect(result.message.length).toBeLessThan(200);
    }
    expect(verifyDocumentQr(42 as unknown as string, KEYS)).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('refuses to sign what the payload cannot carry', () => {
    expect(() => signDocumentQr(KEY, { ...FIELDS, number: 'HALL01:20261126' })).toThrow();
    expect(() => signDocumentQr(KEY, { ...FIELDS, consoleId: '' })).toThrow();
    expect(() => signDocumentQr(KEY, { ...FIELDS, issuedAt: 'not a time' })).toThrow();
    expect(() => signDocumentQr(KEY, { ...FIELDS, kind: 'test-page' as SignedDocumentKind })).toThrow();
    expect(() => signDocumentQr({ ...KEY, privateKey: generateKeyPairSync('ed448').privateKey }, FIELDS)).toThrow(TypeError);
  });

  it('plugs into the scanner as a SignatureVerifier (signed payload + signature)', () => {
    const cut = PAYLOAD.lastIndexOf(':');
    const verifier = documentQrVerifier(KEYS);
    expect(verifier(PAYLOAD.slice(0, cut), PAYLOAD.slice(cut + 1))).toBe(true);
    expect(verifier(withField(PAYLOAD, 2, 'X-1').slice(0, withField(PAYLOAD, 2, 'X-1').lastIndexOf(':')), PAYLOAD.slice(cut + 1))).toBe(false);
  });

  it('imports only canonical Ed25519 public key text', () => {
    expect(importConsolePublicKey(KEY.publicKeyBase64Url)?.equals(KEY.publicKey)).toBe(true);
    expect(importConsolePublicKey(`${KEY.publicKeyBase64Url}=`)).toBeNull();
    expect(importConsolePublicKey('')).toBeNull();
  });
});

describe('verifyDocumentQr: properties', () => {
  const mutation = fc.tuple(fc.nat(), fc.constantFrom('set', 'insert', 'delete'), fc.constantFrom(':', 'A', '0', '-', '_', 'z', '.', ' ', '张', '\n'));

  it('never throws and always answers a typed result, for random text and mutated real payloads', () => {
    const mutated = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((edits) => {
      const chars = Array.from(PAYLOAD);
      for (const [position, kind, ch] of edits) {
        const at = position % (chars.length + 1);
        if (kind === 'set' && at < chars.length) chars[at] = ch;
        else if (kind === 'insert') chars.splice(at, 0, ch);
        else chars.splice(at, 1);
      }
      return chars.join('');
    });
    const structured = fc
      .tuple(fc.constantFrom('HALL2', 'HALL1', 'hall2'), fc.string({ maxLength: 3 }), fc.string({ maxLength: 70 }), fc.string({ maxLength: 70 }), fc.string({ maxLength: 10 }), fc.string({ maxLength: 90 }))
      .map((parts) => parts.join(':'));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 60 }), structured, mutated), (payload) => {
        const result = verifyDocumentQr(payload, KEYS);
        if (result.ok) return payload === PAYLOAD; // only the untouched payload verifies
        return ['malformed', 'unknown_console', 'bad_signature'].includes(result.code) && typeof result.message === 'string';
      }),
      { numRuns: 3000, seed: 20261126 },
    );
  });
});

describe('loadOrCreateConsoleSigningKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hall-signing-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a PKCS#8 PEM Ed25519 key, 0600 in a new 0700 directory, and loads the same key again', () => {
    const path = join(dir, 'keys', 'document-signing.key');
    const previous = process.umask(0);
    try {
      const first = loadOrCreateConsoleSigningKey(path);
      expect(first.created).toBe(true);
      expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
      if (posix) {
        expect(statSync(path).mode & 0o777).toBe(0o600);
        expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
      }
      const again = loadOrCreateConsoleSigningKey(path);
      expect(again.created).toBe(false);
      expect(again.publicKeyBase64Url).toBe(first.publicKeyBase64Url);
      expect(readdirSync(join(dir, 'keys'))).toEqual(['document-signing.key']); // no temp files left
      // What one load signs, the public key of the other verifies.
      expect(verifyDocumentQr(signDocumentQr(first, FIELDS), { C03: again.publicKeyBase64Url }).ok).toBe(true);
    } finally {
      process.umask(previous);
    }
  });

  it.skipIf(!posix)('refuses a key file group or others can read, without printing the key', () => {
    const path = join(dir, 'document-signing.key');
    loadOrCreateConsoleSigningKey(path);
    chmodSync(path, 0o640);
    let error: unknown;
    try {
      loadOrCreateConsoleSigningKey(path);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KeyFileError);
    expect((error as KeyFileError).code).toBe('key_file_insecure');
    expect((error as Error).message).toContain('console signing key file');
    expect((error as Error).message).toContain('chmod 600');
    expect((error as Error).message).not.toContain('PRIVATE KEY');
  });

  it('refuses a file that holds no Ed25519 private key, a symlink and an oversized file', () => {
    const expectInvalid = (path: string): void => {
      expect(() => loadOrCreateConsoleSigningKey(path)).toThrow(KeyFileError);
      try {
        loadOrCreateConsoleSigningKey(path);
      } catch (err) {
        expect((err as KeyFileError).code).toBe('key_file_invalid');
      }
    };
    const garbage = join(dir, 'garbage.key');
    writeFileSync(garbage, 'not a key', { mode: 0o600 });
    expectInvalid(garbage);
    const rsa = join(dir, 'rsa.key');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    expectInvalid(rsa);
    const big = join(dir, 'big.key');
    writeFileSync(big, Buffer.alloc(10_000, 0x41), { mode: 0o600 });
    expectInvalid(big);
    if (posix) {
      const real = join(dir, 'real.key');
      loadOrCreateConsoleSigningKey(real);
      const link = join(dir, 'link.key');
      symlinkSync(real, link);
      expectInvalid(link);
    }
  });
});
