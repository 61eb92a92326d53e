/**
 * Key protection (docs/security.md, "Key protection"): the console's two secrets — the database data
 * key and the console's Ed25519 private key — are kept on disk only wrapped by a KeyProtector:
 *
 *   - `safe-storage`: Electron's safeStorage (DPAPI on Windows, libsecret/kwallet on Linux), built by
 *     main/electron/key-protector.ts, which refuses Linux's plaintext `basic_text` backend;
 *   - `key-file`: the headless host; the "wrapping" is the identity and the protection is the file's
 *     mode 0600 in a 0700 folder. Weaker, so the app logs KEY_FILE_PROTECTOR_WARNING once at start.
 *
 * On disk a wrapped secret is a small JSON envelope (zod-checked, written 0600 atomically):
 *
 *     {"format":"hall-console/wrapped-key","version":1,"kind":"safe-storage","purpose":"data-key","blob":"<base64>"}
 *
 * Plain Node only: nothing here imports electron.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { z } from 'zod';
import { readPrivateFile, writePrivateFile as writePrivate } from '../store/key-file';

export const KEY_PROTECTOR_KINDS = ['safe-storage', 'key-file'] as const;
export type KeyProtectorKind = (typeof KEY_PROTECTOR_KINDS)[number];

export interface KeyProtector {
  readonly kind: KeyProtectorKind;
  /** The blob to store for `bytes`. */
  wrap(bytes: Buffer): Buffer;
  /** The bytes back; throws KeyProtectionError('unwrap_failed') when the blob is not one of ours. */
  unwrap(blob: Buffer): Buffer;
}

export type KeyProtectionErrorCode =
  /** The OS key store cannot encrypt (no keyring, no user session). */
  | 'unavailable'
  /** Linux safeStorage fell back to its plaintext backend (basic_text) or an unknown one. */
  | 'plaintext_backend'
  /** The blob does not unwrap (another machine's or user's key store, corrupted, tampered). */
  | 'unwrap_failed'
  /** The envelope file is not JSON or not the schema, or holds a secret of the wrong shape. */
  | 'envelope_invalid'
  /** The envelope was written by a protector this process does not have (safe-storage read by the headless host). */
  | 'protector_mismatch';

/** Typed refusal; messages name the file and the problem, never key material. */
export class KeyProtectionError extends Error {
  constructor(
    readonly code: KeyProtectionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeyProtectionError';
  }
}

export const KEY_FILE_PROTECTOR_WARNING =
  'keys kept in 0600 files without OS key store wrapping (headless host); the Electron console wraps them with safeStorage';

/** The headless host's protector: the blob is the key itself; the file's 0600 mode is the protection. */
export function keyFileProtector(): KeyProtector {
  return {
    kind: 'key-file',
    wrap: (bytes) => Buffer.from(bytes),
    unwrap: (blob) => Buffer.from(blob),
  };
}

export const WRAPPED_KEY_FORMAT = 'hall-console/wrapped-key';
export const WRAPPED_KEY_VERSION = 1;
const MAX_ENVELOPE_BYTES = 16 * 1024;

export const WrappedKeyEnvelope = z
  .object({
    format: z.literal(WRAPPED_KEY_FORMAT),
    version: z.literal(WRAPPED_KEY_VERSION),
    kind: z.enum(KEY_PROTECTOR_KINDS),
    purpose: z.enum(['data-key', 'console-key']),
    blob: z
      .string()
      .min(4)
      .max(12_000)
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'blob must be base64'),
  })
  .strict();
export type WrappedKeyEnvelope = z.infer<typeof WrappedKeyEnvelope>;
export type SecretPurpose = WrappedKeyEnvelope['purpose'];

export interface ProtectedSecretSpec {
  /** The envelope file (e.g. <dataDir>/data-key.json). */
  path: string;
  purpose: SecretPurpose;
  /** Names the secret in messages: "data key". */
  what: string;
  /** Today's plain 0600 file of an existing install: read, wrapped, then removed. */
  legacyPath?: string;
  /** A new secret (called only when neither file exists). */
  create: () => Buffer;
  /** null when the secret is usable, otherwise why not; never echo the content. */
  check: (secret: Buffer) => string | null;
  /** Largest plain legacy file accepted. */
  legacyMaxBytes?: number;
}

export interface LoadedSecret {
  secret: Buffer;
  /**
   * created: a new secret; plain-file: today's plain file wrapped and removed; rewrapped: an envelope
   * of the key-file protector wrapped again by the OS key store; none: read as it was.
   */
  origin: 'created' | 'plain-file' | 'rewrapped' | 'none';
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && (err as NodeJS.ErrnoException).code === code;
}

export function encodeEnvelope(kind: KeyProtectorKind, purpose: SecretPurpose, blob: Buffer): Buffer {
  const envelope: WrappedKeyEnvelope = { format: WRAPPED_KEY_FORMAT, version: WRAPPED_KEY_VERSION, kind, purpose, blob: blob.toString('base64') };
  return Buffer.from(`${JSON.stringify(envelope)}\n`, 'utf8');
}

/** The envelope in a file's bytes, or a KeyProtectionError('envelope_invalid') naming the problem. */
export function decodeEnvelope(content: Buffer, path: string, purpose: SecretPurpose): WrappedKeyEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(content.toString('utf8'));
  } catch {
    throw new KeyProtectionError('envelope_invalid', `wrapped key file ${path} is not JSON (corrupted?); it was not changed`);
  }
  const parsed = WrappedKeyEnvelope.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KeyProtectionError('envelope_invalid', `wrapped key file ${path} is invalid: ${issue?.path.join('.') || '(file)'}: ${issue?.message ?? 'invalid'}; it was not changed`);
  }
  if (parsed.data.purpose !== purpose) {
    throw new KeyProtectionError('envelope_invalid', `wrapped key file ${path} holds a ${parsed.data.purpose}, not a ${purpose}`);
  }
  return parsed.data;
}

function unwrapChecked(protector: KeyProtector, blob: Buffer, spec: ProtectedSecretSpec): Buffer {
  let secret: Buffer;
  try {
    secret = protector.unwrap(blob);
  } catch (err) {
    if (err instanceof KeyProtectionError) throw err;
    throw new KeyProtectionError('unwrap_failed', `${spec.what} in ${spec.path} cannot be unwrapped by the ${protector.kind} protector (another machine's or user's key store, or a damaged file)`);
  }
  const problem = spec.check(secret);
  if (problem !== null) throw new KeyProtectionError('unwrap_failed', `${spec.what} in ${spec.path} unwrapped to something unusable: ${problem}`);
  return secret;
}

/**
 * A migration interrupted after the envelope was written left the plain file behind: remove it when it
 * holds the very secret the envelope holds (anything else is left alone for a person to look at).
 */
function removeLeftoverPlainFile(spec: ProtectedSecretSpec, secret: Buffer): void {
  if (!spec.legacyPath) return;
  let plain: Buffer;
  try {
    plain = readFileSync(spec.legacyPath);
  } catch {
    return; // none (the usual case), or unreadable: nothing to do
  }
  if (plain.length === secret.length && timingSafeEqual(plain, secret)) unlinkSync(spec.legacyPath);
}

/**
 * Loads a secret kept wrapped at `spec.path`, creating it when there is none. Migration of existing
 * installs: when only `spec.legacyPath` (today's plain 0600 file) exists, its content is checked,
 * wrapped into the envelope, and the plain file removed; a `key-file` envelope met by the OS key store
 * protector is wrapped again. Nothing is ever silently replaced: a corrupt envelope, a blob that does
 * not unwrap, or an envelope of a protector this process lacks is a KeyProtectionError.
 */
export function loadOrCreateProtectedSecret(spec: ProtectedSecretSpec, protector: KeyProtector): LoadedSecret {
  const envelopeSpec = { what: `wrapped ${spec.what}`, maxBytes: MAX_ENVELOPE_BYTES, check: () => null };
  for (let attempt = 0; attempt < 3; attempt++) {
    let content: Buffer | null = null;
    try {
      content = readPrivateFile(spec.path, envelopeSpec);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    if (content !== null) {
      const envelope = decodeEnvelope(content, spec.path, spec.purpose);
      const blob = Buffer.from(envelope.blob, 'base64');
      if (envelope.kind === protector.kind) {
        const secret = unwrapChecked(protector, blob, spec);
        removeLeftoverPlainFile(spec, secret);
        return { secret, origin: 'none' };
      }
      if (envelope.kind === 'key-file') {
        // Upgrade: a headless install now run by the Electron console; wrap with the OS key store.
        const secret = unwrapChecked(keyFileProtector(), blob, spec);
        writePrivate(spec.path, encodeEnvelope(protector.kind, spec.purpose, protector.wrap(secret)), true);
        removeLeftoverPlainFile(spec, secret);
        return { secret, origin: 'rewrapped' };
      }
      throw new KeyProtectionError(
        'protector_mismatch',
        `${spec.what} in ${spec.path} is wrapped by the OS key store (${envelope.kind}); this process has only the ${protector.kind} protector — run the Electron console (or its technician screen) instead`,
      );
    }

    let secret: Buffer | null = null;
    if (spec.legacyPath) {
      try {
        secret = readPrivateFile(spec.legacyPath, { what: spec.what, ...(spec.legacyMaxBytes !== undefined ? { maxBytes: spec.legacyMaxBytes } : {}), check: spec.check });
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
      }
    }
    const origin: LoadedSecret['origin'] = secret === null ? 'created' : 'plain-file';
    secret ??= spec.create();
    try {
      writePrivate(spec.path, encodeEnvelope(protector.kind, spec.purpose, protector.wrap(secret)), false);
    } catch (err) {
      if (isErrno(err, 'EEXIST')) continue; // another process wrote it first: read theirs
      throw err;
    }
    if (origin === 'plain-file' && spec.legacyPath) {
      try {
        unlinkSync(spec.legacyPath);
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
      }
    }
    return { secret, origin };
  }
  throw new KeyProtectionError('envelope_invalid', `${spec.what} file ${spec.path} keeps changing under this process; is another console running on the same folder?`);
}
