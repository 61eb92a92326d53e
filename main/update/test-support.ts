/** Builders for update bundles in tests (not used by the console itself). */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJsonBytes } from './canonical-json';
import { KEYSET_FILE, KEYSET_SIG_FILE, keysetFrom, MANIFEST_FILE, MANIFEST_SIG_FILE, type Keyset, type KeysetDocument, type UpdateManifest } from './manifest';
import { signKeysetBytes, signManifestBytes, withSignature, type UpdateSigningKey } from './sign';
import type { ManifestInput, VerifyOptions } from './verify';

export function keysetDocument(keys: UpdateSigningKey[], threshold: number, keysetVersion = 1): KeysetDocument {
  return { keysetVersion, threshold, keys: keys.map((k) => k.publicEntry) };
}

export function keysetOf(keys: UpdateSigningKey[], threshold: number, keysetVersion = 1): Keyset {
  const keyset = keysetFrom(keysetDocument(keys, threshold, keysetVersion));
  if (keyset === null) throw new Error('bad test keyset');
  return keyset;
}

export const NOW = new Date('2026-11-26T12:00:00Z');

export function options(trustedKeyset: Keyset, overrides: Partial<VerifyOptions> = {}): VerifyOptions {
  return { trustedKeyset, installedCounter: 6, now: NOW, ...overrides };
}

export function artifactOf(name: string, content: Buffer): UpdateManifest['artifacts'][number] {
  return { name, size: content.length, sha512: createHash('sha512').update(content).digest('hex') };
}

export const ARTIFACTS: Record<string, Buffer> = {
  'hall-console-1.4.0-setup.exe': Buffer.from('MZ fake NSIS installer '.repeat(300)),
  'hall-console_1.4.0_amd64.deb': Buffer.from('!<arch>\ndebian-binary fake deb '.repeat(200)),
};

export function manifestOf(overrides: Partial<UpdateManifest> = {}): UpdateManifest {
  return {
    product: 'hall-console',
    channel: 'stable',
    version: '1.4.0',
    counter: 7,
    issuedAt: '2026-11-20T00:00:00Z',
    expiresAt: '2026-12-20T00:00:00Z',
    keysetVersion: 1,
    artifacts: Object.entries(ARTIFACTS).map(([name, content]) => artifactOf(name, content)),
    ...overrides,
  };
}

export interface BundleSpec {
  manifest?: UpdateManifest;
  signers: UpdateSigningKey[];
  /** A keyset change carried in the bundle, signed by `keysetSigners`. */
  rotation?: { keyset: KeysetDocument; signers: UpdateSigningKey[] };
}

function signatureFile(sigs: { keyId: string; sig: string }[]): Buffer {
  let file = null;
  for (const s of sigs) file = withSignature(file, s.keyId, s.sig);
  return Buffer.from(JSON.stringify(file ?? { signatures: [] }));
}

/** The in-memory bundle (what verifyManifest takes). */
export function bundleInput(spec: BundleSpec): ManifestInput {
  const manifest = canonicalJsonBytes(spec.manifest ?? manifestOf());
  const input: ManifestInput = {
    manifest,
    signatures: signatureFile(spec.signers.map((k) => ({ keyId: k.publicEntry.keyId, sig: signManifestBytes(k, manifest) }))),
  };
  if (spec.rotation) {
    const keyset = canonicalJsonBytes(spec.rotation.keyset);
    input.keyset = keyset;
    input.keysetSignatures = signatureFile(spec.rotation.signers.map((k) => ({ keyId: k.publicEntry.keyId, sig: signKeysetBytes(k, keyset) })));
  }
  return input;
}

/** Writes a bundle folder: the input's files and the artifacts. */
export function writeBundle(dir: string, input: ManifestInput, artifacts: Record<string, Buffer> = ARTIFACTS): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MANIFEST_FILE), input.manifest);
  writeFileSync(join(dir, MANIFEST_SIG_FILE), input.signatures);
  if (input.keyset) writeFileSync(join(dir, KEYSET_FILE), input.keyset);
  if (input.keysetSignatures) writeFileSync(join(dir, KEYSET_SIG_FILE), input.keysetSignatures);
  for (const [name, content] of Object.entries(artifacts)) writeFileSync(join(dir, name), content);
  return dir;
}
