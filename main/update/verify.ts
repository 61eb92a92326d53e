/**
 * Checks an update bundle before anything is installed (docs/security.md, "Signed updates"). Never
 * throws on bad input: every refusal is a typed `{ok:false, code, message}`; messages name the problem
 * and never echo file content. Order: shape → keyset change → manifest signatures (threshold) → expiry →
 * rollback counter → artifacts (size, then SHA-512, streamed). `verifyManifest` is the pure in-memory
 * part; `verifyBundle` reads the folder with size limits and adds the artifacts.
 */
import { createHash, verify as verifySignature } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { canonicalJson } from './canonical-json';
import {
  firstIssue,
  KEYSET_FILE,
  KEYSET_SIG_FILE,
  KeysetDocument,
  keysetFrom,
  keysetSigningBytes,
  MANIFEST_FILE,
  MANIFEST_SIG_FILE,
  manifestSigningBytes,
  MAX_KEYSET_BYTES,
  MAX_MANIFEST_BYTES,
  MAX_SIGNATURE_FILE_BYTES,
  SignatureFile,
  UpdateManifest,
  type Keyset,
} from './manifest';

export type UpdateRefusalCode =
  | 'malformed'
  | 'bad_signature'
  | 'below_threshold'
  | 'unknown_key'
  | 'expired'
  | 'rollback'
  | 'artifact_missing'
  | 'artifact_size'
  | 'artifact_hash'
  | 'truncated'
  | 'keyset_rotation_invalid';

export interface UpdateRefusal {
  ok: false;
  code: UpdateRefusalCode;
  message: string;
}

export interface VerifiedManifest {
  ok: true;
  manifest: UpdateManifest;
  /** The keyset that signed the manifest: the trusted one, or the new one the bundle rotated to (pin it after installing). */
  keyset: Keyset;
  /** True when the bundle carried a valid keyset change. */
  rotated: boolean;
  /** Key ids whose valid signatures counted (at least the threshold). */
  signedBy: string[];
}

export type ManifestVerification = VerifiedManifest | UpdateRefusal;

export interface VerifyOptions {
  /** The keyset this console pins (`parseKeyset`). */
  trustedKeyset: Keyset;
  /** The highest counter this console has installed (0 before the first): a manifest must be above it. */
  installedCounter: number;
  /** The injected clock's now. */
  now: Date;
}

export interface ManifestInput {
  manifest: Uint8Array;
  signatures: Uint8Array;
  /** keyset.json and keyset.sig.json, when the bundle changes keys. */
  keyset?: Uint8Array | undefined;
  keysetSignatures?: Uint8Array | undefined;
}

const refuse = (code: UpdateRefusalCode, message: string): UpdateRefusal => ({ ok: false, code, message });

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type Parsed<T> = { ok: true; value: T; bytes: Buffer } | UpdateRefusal;

/**
 * Bytes → schema-checked document. `canonical`: the bytes must be exactly the canonical JSON of what
 * they hold (signed documents have one spelling, so what was signed is what is used).
 */
function parseDocument<S extends z.ZodType>(bytes: Uint8Array, schema: S, what: string, maxBytes: number, canonical: boolean): Parsed<z.output<S>> {
  if (!(bytes instanceof Uint8Array)) return refuse('malformed', `${what} is not bytes`);
  if (bytes.length > maxBytes) return refuse('malformed', `${what} is larger than ${maxBytes} bytes`);
  if (bytes.length === 0) return refuse('malformed', `${what} is empty`);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return refuse('malformed', `${what} is not UTF-8 text`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return refuse('malformed', `${what} is not valid JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return refuse('malformed', `${what} is invalid: ${firstIssue(parsed.error)}`);
  if (canonical) {
    let expected: string;
    try {
      expected = canonicalJson(parsed.data);
    } catch {
      return refuse('malformed', `${what} has no canonical form`);
    }
    if (expected !== text) return refuse('malformed', `${what} is not canonical JSON (sorted keys, no whitespace; hall update sign writes it so)`);
  }
  return { ok: true, value: parsed.data, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) };
}

type ThresholdCheck = { ok: true; signedBy: string[] } | UpdateRefusal;

/**
 * Counts valid signatures by distinct keys of `keyset` over `message`. Signatures by keys outside the
 * keyset are ignored when the threshold is met (a bundle may carry signatures for several keysets).
 */
function checkThreshold(message: Buffer, signatures: SignatureFile, keyset: Keyset, what: string): ThresholdCheck {
  const signedBy: string[] = [];
  let bad = 0;
  let unknown: string | null = null;
  for (const { keyId, sig } of signatures.signatures) {
    const key = keyset.keys.get(keyId);
    if (key === undefined) {
      unknown ??= keyId;
      continue;
    }
    if (signedBy.includes(keyId)) continue;
    let valid = false;
    try {
      valid = verifySignature(null, message, key, Buffer.from(sig, 'base64url'));
    } catch {
      valid = false;
    }
    if (valid) signedBy.push(keyId);
    else bad++;
    if (signedBy.length >= keyset.threshold) break;
  }
  if (signedBy.length >= keyset.threshold) return { ok: true, signedBy };
  const need = `${signedBy.length} of the ${keyset.threshold} required signatures of keyset v${keyset.keysetVersion}`;
  if (bad > 0) return refuse('bad_signature', `${bad} signature(s) on ${what} do not match: it was altered after signing or signed with another key (${need})`);
  if (unknown !== null) return refuse('unknown_key', `${what} is signed by key ${unknown}, which is not in keyset v${keyset.keysetVersion} (${need})`);
  return refuse('below_threshold', `${what} has ${need}`);
}

function checkOptions(options: VerifyOptions): UpdateRefusal | null {
  const o = options as Partial<VerifyOptions> | null | undefined;
  if (o === null || typeof o !== 'object') return refuse('malformed', 'no verify options');
  const keyset = o.trustedKeyset;
  if (!keyset || !(keyset.keys instanceof Map) || !Number.isSafeInteger(keyset.threshold) || keyset.threshold < 1 || !Number.isSafeInteger(keyset.keysetVersion)) {
    return refuse('malformed', 'the trusted keyset is not a parsed keyset (parseKeyset)');
  }
  if (!Number.isSafeInteger(o.installedCounter) || (o.installedCounter ?? -1) < 0) return refuse('malformed', 'installedCounter must be a non-negative integer');
  if (!(o.now instanceof Date) || Number.isNaN(o.now.getTime())) return refuse('malformed', 'now must be a valid Date');
  return null;
}

/** The keyset the manifest must be signed by: the trusted one, or a change the bundle carries signed by the trusted threshold. */
function effectiveKeyset(input: ManifestInput, trusted: Keyset): { ok: true; keyset: Keyset; rotated: boolean } | UpdateRefusal {
  if (input.keyset === undefined && input.keysetSignatures === undefined) return { ok: true, keyset: trusted, rotated: false };
  if (input.keyset === undefined || input.keysetSignatures === undefined) {
    return refuse('keyset_rotation_invalid', `a keyset change needs both ${KEYSET_FILE} and ${KEYSET_SIG_FILE}`);
  }
  const doc = parseDocument(input.keyset, KeysetDocument, KEYSET_FILE, MAX_KEYSET_BYTES, true);
  if (!doc.ok) return doc;
  const sigs = parseDocument(input.keysetSignatures, SignatureFile, KEYSET_SIG_FILE, MAX_SIGNATURE_FILE_BYTES, false);
  if (!sigs.ok) return sigs;
  if (doc.value.keysetVersion === trusted.keysetVersion && canonicalJson(trusted.document) === doc.bytes.toString('utf8')) {
    // The bundle carries the keyset this console already pins: nothing changes.
    return { ok: true, keyset: trusted, rotated: false };
  }
  if (doc.value.keysetVersion <= trusted.keysetVersion) {
    return refuse('keyset_rotation_invalid', `${KEYSET_FILE} is keyset v${doc.value.keysetVersion}, not newer than the trusted v${trusted.keysetVersion}`);
  }
  const signed = checkThreshold(keysetSigningBytes(doc.bytes), sigs.value, trusted, `keyset change to v${doc.value.keysetVersion}`);
  if (!signed.ok) return refuse('keyset_rotation_invalid', `keyset change refused: ${signed.message}`);
  const keyset = keysetFrom(doc.value);
  if (keyset === null) return refuse('malformed', `${KEYSET_FILE} holds a key that is not Ed25519`);
  return { ok: true, keyset, rotated: true };
}

function verifyManifestUnchecked(input: ManifestInput, options: VerifyOptions): ManifestVerification {
  const badOptions = checkOptions(options);
  if (badOptions) return badOptions;
  if (input === null || typeof input !== 'object') return refuse('malformed', 'no manifest input');
  const manifest = parseDocument(input.manifest, UpdateManifest, MANIFEST_FILE, MAX_MANIFEST_BYTES, true);
  if (!manifest.ok) return manifest;
  const signatures = parseDocument(input.signatures, SignatureFile, MANIFEST_SIG_FILE, MAX_SIGNATURE_FILE_BYTES, false);
  if (!signatures.ok) return signatures;
  const effective = effectiveKeyset(input, options.trustedKeyset);
  if (!effective.ok) return effective;
  const { keyset, rotated } = effective;
  const m = manifest.value;
  if (m.keysetVersion !== keyset.keysetVersion) {
    return m.keysetVersion > keyset.keysetVersion
      ? refuse('keyset_rotation_invalid', `the manifest names keyset v${m.keysetVersion} but the bundle carries no valid change from the trusted v${keyset.keysetVersion}`)
      : refuse('unknown_key', `the manifest names keyset v${m.keysetVersion}, which this console no longer trusts (it pins v${keyset.keysetVersion})`);
  }
  const signed = checkThreshold(manifestSigningBytes(manifest.bytes), signatures.value, keyset, MANIFEST_FILE);
  if (!signed.ok) return signed;
  if (options.now.getTime() >= Date.parse(m.expiresAt)) {
    return refuse('expired', `manifest for ${m.version} expired at ${m.expiresAt} (now ${options.now.toISOString()}): ask for a freshly signed bundle`);
  }
  if (m.counter <= options.installedCounter) {
    return refuse('rollback', `manifest counter ${m.counter} is not above the installed ${options.installedCounter}: an older or replayed update`);
  }
  return { ok: true, manifest: m, keyset, rotated, signedBy: signed.signedBy };
}

/**
 * The pure, in-memory check of a manifest and its signatures (and a keyset change when given).
 * Never throws; artifacts are not looked at (verifyBundle does that).
 */
export function verifyManifest(input: ManifestInput, options: VerifyOptions): ManifestVerification {
  try {
    return verifyManifestUnchecked(input, options);
  } catch (err) {
    // Not reached by any input the tests know of (the fuzz test asserts it never happens).
    return refuse('malformed', `internal: ${err instanceof Error ? err.name : 'error'} while checking the manifest`);
  }
}

/** A trusted keyset file's content (JSON, any spelling) → a Keyset, or the reason it is not one. */
export function parseKeyset(content: Uint8Array): { ok: true; keyset: Keyset } | UpdateRefusal {
  const doc = parseDocument(content, KeysetDocument, 'keyset', MAX_KEYSET_BYTES, false);
  if (!doc.ok) return doc;
  const keyset = keysetFrom(doc.value);
  return keyset ? { ok: true, keyset } : refuse('malformed', 'keyset holds a key that is not Ed25519');
}

// ---- files ----

const O_NOFOLLOW = fsConstants.O_NOFOLLOW ?? 0;

type ReadResult = { ok: true; bytes: Buffer } | { ok: false; missing: boolean; message: string };

/** Reads a regular file (not through a symlink) of at most `maxBytes`; never more than that from disk. */
export async function readLimited(path: string, maxBytes: number): Promise<ReadResult> {
  let handle;
  try {
    const st = await lstat(path);
    if (!st.isFile()) return { ok: false, missing: false, message: `${path} is not a regular file` };
    if (st.size > maxBytes) return { ok: false, missing: false, message: `${path} is larger than ${maxBytes} bytes` };
    handle = await open(path, fsConstants.O_RDONLY | O_NOFOLLOW);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) return { ok: false, missing: false, message: `${path} is larger than ${maxBytes} bytes` };
    return { ok: true, bytes: buffer.subarray(0, length) };
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : '';
    if (code === 'ENOENT') return { ok: false, missing: true, message: `${path} does not exist` };
    return { ok: false, missing: false, message: `cannot read ${path} (${code || 'error'})` };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

const HASH_CHUNK = 1024 * 1024;

/** Size, then SHA-512 streamed in 1 MiB chunks, reading at most the declared size + 1 byte. */
async function checkArtifact(dir: string, artifact: UpdateManifest['artifacts'][number]): Promise<UpdateRefusal | null> {
  const path = join(dir, artifact.name);
  let handle;
  try {
    let st;
    try {
      st = await lstat(path);
    } catch {
      return refuse('artifact_missing', `artifact ${artifact.name} is not in the bundle`);
    }
    if (!st.isFile()) return refuse('artifact_missing', `artifact ${artifact.name} is not a regular file (a link or folder is refused)`);
    if (st.size < artifact.size) return refuse('truncated', `artifact ${artifact.name} is truncated: ${st.size} of ${artifact.size} bytes (copy it again)`);
    if (st.size > artifact.size) return refuse('artifact_size', `artifact ${artifact.name} is ${st.size} bytes, the manifest says ${artifact.size}`);
    handle = await open(path, fsConstants.O_RDONLY | O_NOFOLLOW);
    const hash = createHash('sha512');
    const buffer = Buffer.alloc(Math.min(HASH_CHUNK, artifact.size + 1));
    let total = 0;
    for (;;) {
      // Never past size + 1 byte: one byte more is enough to know the file grew.
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, artifact.size + 1 - total), null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > artifact.size) return refuse('artifact_size', `artifact ${artifact.name} grew while it was read: more than ${artifact.size} bytes`);
      hash.update(buffer.subarray(0, bytesRead));
    }
    if (total < artifact.size) return refuse('truncated', `artifact ${artifact.name} is truncated: ${total} of ${artifact.size} bytes`);
    if (hash.digest('hex') !== artifact.sha512) return refuse('artifact_hash', `artifact ${artifact.name} does not match its SHA-512: it was altered or damaged`);
    return null;
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'error';
    return refuse('artifact_missing', `cannot read artifact ${artifact.name} (${code})`);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Where a bundle's parts are: a folder in the standard layout, or each file named. */
export interface BundleFiles {
  manifest: string;
  signatures: string;
  keyset?: string;
  keysetSignatures?: string;
  /** The folder holding the artifacts. */
  artifactDir: string;
}

export type BundleVerification = ManifestVerification;

async function readOptional(path: string | undefined, maxBytes: number, what: string): Promise<{ ok: true; bytes: Buffer | undefined } | UpdateRefusal> {
  if (path === undefined) return { ok: true, bytes: undefined };
  const read = await readLimited(path, maxBytes);
  if (read.ok) return { ok: true, bytes: read.bytes };
  if (read.missing) return { ok: true, bytes: undefined };
  return refuse('malformed', `${what}: ${read.message}`);
}

/**
 * Verifies a bundle folder (or named files): the manifest as `verifyManifest` does, then every
 * artifact's size and SHA-512. Never throws. `{ok:true}` means: safe to install these artifacts.
 */
export async function verifyBundle(bundle: string | BundleFiles, options: VerifyOptions): Promise<BundleVerification> {
  try {
    const files: BundleFiles =
      typeof bundle === 'string'
        ? { manifest: join(bundle, MANIFEST_FILE), signatures: join(bundle, MANIFEST_SIG_FILE), keyset: join(bundle, KEYSET_FILE), keysetSignatures: join(bundle, KEYSET_SIG_FILE), artifactDir: bundle }
        : bundle;
    const manifest = await readLimited(files.manifest, MAX_MANIFEST_BYTES);
    if (!manifest.ok) return refuse('malformed', manifest.missing ? `no ${MANIFEST_FILE}: ${manifest.message}` : manifest.message);
    const signatures = await readLimited(files.signatures, MAX_SIGNATURE_FILE_BYTES);
    if (!signatures.ok) return refuse(signatures.missing ? 'below_threshold' : 'malformed', signatures.missing ? `no ${MANIFEST_SIG_FILE}: the manifest is not signed` : signatures.message);
    const keyset = await readOptional(files.keyset, MAX_KEYSET_BYTES, KEYSET_FILE);
    if (!keyset.ok) return keyset;
    const keysetSignatures = await readOptional(files.keysetSignatures, MAX_SIGNATURE_FILE_BYTES, KEYSET_SIG_FILE);
    if (!keysetSignatures.ok) return keysetSignatures;
    const verified = verifyManifest({ manifest: manifest.bytes, signatures: signatures.bytes, keyset: keyset.bytes, keysetSignatures: keysetSignatures.bytes }, options);
    if (!verified.ok) return verified;
    for (const artifact of verified.manifest.artifacts) {
      const problem = await checkArtifact(files.artifactDir, artifact);
      if (problem) return problem;
    }
    return verified;
  } catch (err) {
    return refuse('malformed', `internal: ${err instanceof Error ? err.name : 'error'} while reading the bundle`);
  }
}
