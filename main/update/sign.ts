/**
 * The technician's side of signed updates: update signing keys (Ed25519, PKCS#8 PEM in a 0600 file
 * written by main/store/key-file.ts, as the console signing key is), signatures added to a bundle's
 * signature file one key at a time, and artifact descriptions (size + SHA-512, streamed).
 */
import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { createReadStream, lstatSync } from 'node:fs';
import { basename } from 'node:path';
import { generateConsoleSigningKey, parsePrivateKey } from '../security/receipt-signature';
import { loadOrCreatePrivateFile } from '../store/key-file';
import { keyIdOf, keysetSigningBytes, manifestSigningBytes, MAX_SIGNATURES, type Artifact, type PublicKeyEntry, type SignatureFile } from './manifest';

export interface UpdateSigningKey {
  privateKey: KeyObject;
  /** What goes into a keyset: key id and base64url public key. */
  publicEntry: PublicKeyEntry;
}

/** PEM of a PKCS#8 Ed25519 key is ~120 bytes. */
const MAX_KEY_FILE_BYTES = 4096;
const WHAT = 'update signing key';

function check(content: Buffer): string | null {
  return parsePrivateKey(content) === null ? 'does not hold an unencrypted Ed25519 private key (PKCS#8 PEM)' : null;
}

function fromPrivateKey(privateKey: KeyObject): UpdateSigningKey {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new TypeError('cannot export the Ed25519 public key');
  return { privateKey, publicEntry: { keyId: keyIdOf(jwk.x), publicKey: jwk.x } };
}

/** A new in-memory update signing key (tests; keygen writes one to a file with createUpdateSigningKey). */
export function generateUpdateSigningKey(): UpdateSigningKey {
  return fromPrivateKey(generateConsoleSigningKey().privateKey);
}

/** A signing key file that is missing (sign) or already there (keygen). */
export class UpdateKeyError extends Error {}

function loadKeyFile(path: string, create: () => Buffer): { key: UpdateSigningKey; created: boolean } {
  const { content, created } = loadOrCreatePrivateFile(path, { what: WHAT, maxBytes: MAX_KEY_FILE_BYTES, create, check });
  const privateKey = parsePrivateKey(content); // check() (or create()) vouched for it
  if (privateKey === null) throw new TypeError(`${WHAT} file ${path} does not hold an Ed25519 private key`);
  return { key: fromPrivateKey(privateKey), created };
}

/**
 * Creates a new update signing key at `path` (0600, directory 0700, atomic: main/store/key-file.ts).
 * Refuses (UpdateKeyError) when a file is already there: a signing key is never overwritten.
 */
export function createUpdateSigningKey(path: string): UpdateSigningKey {
  const { key, created } = loadKeyFile(path, () => Buffer.from(generateConsoleSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' })));
  if (!created) throw new UpdateKeyError(`${WHAT} file ${path} already exists; refusing to overwrite it`);
  return key;
}

/**
 * Loads an existing update signing key; never creates one (a mistyped path is an error, not a new key).
 * Refuses (KeyFileError) a file group or others can access, a symlink, or one that holds no Ed25519 key.
 */
export function loadUpdateSigningKey(path: string): UpdateSigningKey {
  const missing = (): never => {
    throw new UpdateKeyError(`${WHAT} file ${path} does not exist`);
  };
  try {
    lstatSync(path);
  } catch {
    missing();
  }
  return loadKeyFile(path, missing).key;
}

/** Ed25519 signature (base64url, 86 characters) of a manifest's canonical bytes. */
export function signManifestBytes(key: UpdateSigningKey, manifestJson: Buffer): string {
  return sign(null, manifestSigningBytes(manifestJson), key.privateKey).toString('base64url');
}

/** Ed25519 signature (base64url) of a keyset change's canonical bytes, by a key of the previous keyset. */
export function signKeysetBytes(key: UpdateSigningKey, keysetJson: Buffer): string {
  return sign(null, keysetSigningBytes(keysetJson), key.privateKey).toString('base64url');
}

/** `file` with this key's signature added (replacing an earlier one by the same key), sorted by key id. */
export function withSignature(file: SignatureFile | null, keyId: string, sig: string): SignatureFile {
  const others = (file?.signatures ?? []).filter((s) => s.keyId !== keyId);
  if (others.length >= MAX_SIGNATURES) throw new RangeError(`a signature file holds at most ${MAX_SIGNATURES} signatures`);
  return { signatures: [...others, { keyId, sig }].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0)) };
}

/** The manifest entry for a file: its name, size and SHA-512 (streamed). */
export async function describeArtifact(path: string): Promise<Artifact> {
  const hash = createHash('sha512');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    const b = chunk as Buffer;
    size += b.length;
    hash.update(b);
  }
  return { name: basename(path), size, sha512: hash.digest('hex') };
}
