/**
 * The signed update manifest (security note, "Signed builds and updates"; docs/security.md, "Signed
 * updates"): a TUF-like document on top of electron-builder's own signatures. Pure: schemas, key ids
 * and the exact bytes each signature covers. Checking a bundle is ./verify.ts; signing is ./sign.ts.
 *
 * A bundle is a folder:
 *
 *     manifest.json        the manifest, canonical JSON (./canonical-json.ts)
 *     manifest.sig.json    {"signatures":[{"keyId","sig"}…]}: Ed25519 over MANIFEST_CONTEXT ‖ manifest.json
 *     keyset.json          only when the signing keys change: the new keyset, canonical JSON
 *     keyset.sig.json      its signatures by the previous keyset: Ed25519 over KEYSET_CONTEXT ‖ keyset.json
 *     <artifacts>          the files the manifest lists (installer, …), flat names
 */
import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { importConsolePublicKey } from '../security/receipt-signature';

export const UPDATE_PRODUCT = 'hall-console';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_SIG_FILE = 'manifest.sig.json';
export const KEYSET_FILE = 'keyset.json';
export const KEYSET_SIG_FILE = 'keyset.sig.json';
export const BUNDLE_FILES: readonly string[] = [MANIFEST_FILE, MANIFEST_SIG_FILE, KEYSET_FILE, KEYSET_SIG_FILE];

/** Domain separation: a manifest signature can never be passed off as a keyset signature, nor the reverse. */
export const MANIFEST_CONTEXT = 'hall-console update manifest v1\n';
export const KEYSET_CONTEXT = 'hall-console update keyset v1\n';

/** Size limits: files larger than these are refused unread. */
export const MAX_MANIFEST_BYTES = 64 * 1024;
export const MAX_SIGNATURE_FILE_BYTES = 16 * 1024;
export const MAX_KEYSET_BYTES = 16 * 1024;
export const MAX_ARTIFACTS = 16;
export const MAX_KEYS = 16;
export const MAX_SIGNATURES = 32;
/** 8 GiB: far above any installer, far below what a size field could otherwise claim. */
export const MAX_ARTIFACT_BYTES = 8 * 1024 ** 3;

const Counter = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** Whole-second UTC instant, the one spelling `YYYY-MM-DDTHH:MM:SSZ`. */
export const UtcInstant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'must be a UTC time YYYY-MM-DDTHH:MM:SSZ')
  .refine((s) => {
    const ms = Date.parse(s);
    return !Number.isNaN(ms) && new Date(ms).toISOString() === `${s.slice(0, 19)}.000Z`;
  }, 'is not a real time');

/** Flat file names only: no directories, no hidden files, no bundle control files. */
export const ArtifactName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/, 'artifact name must be 1–128 letters, digits, ".", "_", "+" or "-", not starting with a dot')
  .refine((n) => !BUNDLE_FILES.includes(n), 'artifact name is a bundle control file');

export const Artifact = z
  .object({
    name: ArtifactName,
    size: z.number().int().min(0).max(MAX_ARTIFACT_BYTES),
    sha512: z.string().regex(/^[0-9a-f]{128}$/, 'sha512 must be 128 lower-case hex characters'),
  })
  .strict();
export type Artifact = z.infer<typeof Artifact>;

export const UpdateManifest = z
  .object({
    product: z.literal(UPDATE_PRODUCT),
    channel: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'channel must be 1–32 lower-case letters, digits or "-"'),
    version: z.string().regex(/^\d{1,5}\.\d{1,5}\.\d{1,5}(-[0-9A-Za-z.-]{1,32})?$/, 'version must be semver MAJOR.MINOR.PATCH[-pre]'),
    counter: Counter,
    issuedAt: UtcInstant,
    expiresAt: UtcInstant,
    keysetVersion: Counter,
    artifacts: z
      .array(Artifact)
      .min(1)
      .max(MAX_ARTIFACTS)
      .superRefine((items, ctx) => {
        const seen = new Set<string>();
        items.forEach((a, i) => {
          if (seen.has(a.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate artifact ${a.name}` });
          seen.add(a.name);
        });
      }),
  })
  .strict()
  .refine((m) => Date.parse(m.expiresAt) > Date.parse(m.issuedAt), { message: 'expiresAt must be after issuedAt', path: ['expiresAt'] });
export type UpdateManifest = z.infer<typeof UpdateManifest>;

export const KeyId = z.string().regex(/^[0-9a-f]{16}$/, 'keyId must be 16 lower-case hex characters');

/** A public key as keygen prints it: base64url of the raw 32 bytes, and its key id. */
export const PublicKeyEntry = z
  .object({
    keyId: KeyId,
    publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'publicKey must be 43 base64url characters (raw Ed25519)'),
  })
  .strict();
export type PublicKeyEntry = z.infer<typeof PublicKeyEntry>;

/** The keyset document: pinned on the console, and carried in a bundle (keyset.json) when it changes. */
export const KeysetDocument = z
  .object({
    keysetVersion: Counter,
    threshold: z.number().int().min(1).max(MAX_KEYS),
    keys: z.array(PublicKeyEntry).min(1).max(MAX_KEYS),
  })
  .strict()
  .superRefine((k, ctx) => {
    if (k.threshold > k.keys.length) ctx.addIssue({ code: 'custom', path: ['threshold'], message: `threshold ${k.threshold} is more than the ${k.keys.length} keys` });
    const ids = new Set<string>();
    const pubs = new Set<string>();
    k.keys.forEach((key, i) => {
      if (ids.has(key.keyId) || pubs.has(key.publicKey)) ctx.addIssue({ code: 'custom', path: ['keys', i], message: 'duplicate key' });
      ids.add(key.keyId);
      pubs.add(key.publicKey);
      if (importConsolePublicKey(key.publicKey) === null) ctx.addIssue({ code: 'custom', path: ['keys', i, 'publicKey'], message: 'not an Ed25519 public key' });
      else if (keyIdOf(key.publicKey) !== key.keyId) ctx.addIssue({ code: 'custom', path: ['keys', i, 'keyId'], message: 'keyId does not match publicKey' });
    });
  });
export type KeysetDocument = z.infer<typeof KeysetDocument>;

/** base64url of a 64-byte Ed25519 signature, canonical (re-encodes to itself). */
export const SignatureText = z
  .string()
  .regex(/^[A-Za-z0-9_-]{86}$/, 'sig must be 86 base64url characters')
  .refine((s) => Buffer.from(s, 'base64url').toString('base64url') === s, 'sig is not canonical base64url');

export const SignatureFile = z
  .object({
    signatures: z.array(z.object({ keyId: KeyId, sig: SignatureText }).strict()).max(MAX_SIGNATURES),
  })
  .strict();
export type SignatureFile = z.infer<typeof SignatureFile>;

/** A keyset ready to check signatures with: the document and its keys imported. */
export interface Keyset {
  document: KeysetDocument;
  keysetVersion: number;
  threshold: number;
  keys: ReadonlyMap<string, KeyObject>;
}

/** Key id: the first 16 hex characters of SHA-256 over the raw 32-byte public key. */
export function keyIdOf(publicKeyBase64Url: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyBase64Url, 'base64url')).digest('hex').slice(0, 16);
}

/** A checked keyset document → a Keyset (null when a key cannot be imported, which the schema already refuses). */
export function keysetFrom(document: KeysetDocument): Keyset | null {
  const keys = new Map<string, KeyObject>();
  for (const entry of document.keys) {
    const key = importConsolePublicKey(entry.publicKey);
    if (key === null) return null;
    keys.set(entry.keyId, key);
  }
  return { document, keysetVersion: document.keysetVersion, threshold: document.threshold, keys };
}

/** The exact bytes a manifest signature covers. */
export function manifestSigningBytes(manifestJson: Buffer): Buffer {
  return Buffer.concat([Buffer.from(MANIFEST_CONTEXT, 'utf8'), manifestJson]);
}

/** The exact bytes a keyset-change signature covers. */
export function keysetSigningBytes(keysetJson: Buffer): Buffer {
  return Buffer.concat([Buffer.from(KEYSET_CONTEXT, 'utf8'), keysetJson]);
}

/** First zod issue as "path: message". */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue && issue.path.length > 0 ? issue.path.join('.') : '(document)'}: ${issue?.message ?? 'invalid'}`;
}
