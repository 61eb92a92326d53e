/**
 * Fuzz (issue 7, "Done means"): ≥ 100,000 random manifests and signature files through the pure
 * in-memory verifier. No crash, no "internal" refusal, every answer a typed refusal (or, for the
 * family that is really signed, ok / expired / rollback as the fields say).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonBytes } from './canonical-json';
import type { UpdateManifest } from './manifest';
import { generateUpdateSigningKey, signManifestBytes } from './sign';
import { bundleInput, keysetDocument, keysetOf, manifestOf, options } from './test-support';
import { verifyManifest, type ManifestInput, type UpdateRefusalCode } from './verify';

const RUNS = 100_000;
const [A, B, C, D] = [generateUpdateSigningKey(), generateUpdateSigningKey(), generateUpdateSigningKey(), generateUpdateSigningKey()];
const TRUSTED = keysetOf([A, B, C], 2);
const OPTIONS = options(TRUSTED);
const BASE = manifestOf();
const GOOD = bundleInput({ manifest: BASE, signers: [A, B] });
const CODES: readonly UpdateRefusalCode[] = ['malformed', 'bad_signature', 'below_threshold', 'unknown_key', 'expired', 'rollback', 'artifact_missing', 'artifact_size', 'artifact_hash', 'truncated', 'keyset_rotation_invalid'];
const TRUSTED_IDS = [A, B, C].map((k) => k.publicEntry.keyId);

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const encode = (value: unknown): Buffer => {
  try {
    return canonicalJsonBytes(value);
  } catch {
    return text(JSON.stringify(value) ?? 'null');
  }
};

/** A field value of any JSON type, biased towards the edges of what the schema allows. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer(),
  fc.constantFrom(0, -1, 1, 2 ** 53, Number.MAX_SAFE_INTEGER, 8 * 1024 ** 3 + 1, 1.5, '', 'stable', '1.4.0', '2026-11-26T12:00:00Z', '2026-13-01T00:00:00Z', null, [], {}),
  fc.string({ maxLength: 40 }),
);
const fieldNames = ['product', 'channel', 'version', 'counter', 'issuedAt', 'expiresAt', 'keysetVersion', 'artifacts', 'extra', '__proto__', 'constructor'];

/** A good manifest with some fields replaced, removed or added. */
const mutatedManifest = fc
  .array(fc.tuple(fc.constantFrom(...fieldNames), fc.option(anyValue, { nil: undefined })), { minLength: 1, maxLength: 3 })
  .map((edits) => {
    const m: Record<string, unknown> = { ...BASE };
    for (const [k, v] of edits) {
      if (v === undefined) delete m[k];
      else Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return encode(m);
  });

// Constants where randomness buys nothing (the verifier checks only their shape), to keep runs cheap.
const NAMES = ['setup.exe', 'hall_1.4.0_amd64.deb', 'Hall-1.4.0.AppImage', 'latest.yml', 'a', 'x+y-1.z'];
const HASHES = ['0', '1', 'f', 'a5'].map((c) => c.repeat(128).slice(0, 128));
const instant = fc.integer({ min: Date.parse('2020-01-01T00:00:00Z') / 1000, max: Date.parse('2030-01-01T00:00:00Z') / 1000 }).map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
/** Manifests the schema accepts, with random counters, times and artifacts. */
const validManifest: fc.Arbitrary<UpdateManifest> = fc
  .record({
    channel: fc.constantFrom('stable', 'beta', 'pilot-3'),
    version: fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99)).map(([a, b, c]) => `${a}.${b}.${c}`),
    counter: fc.integer({ min: 1, max: 20 }),
    issuedAt: instant,
    lifetime: fc.integer({ min: 1, max: 400 * 86_400 }),
    keysetVersion: fc.constantFrom(1, 1, 1, 2),
    artifacts: fc.uniqueArray(fc.record({ name: fc.constantFrom(...NAMES), size: fc.nat(), sha512: fc.constantFrom(...HASHES) }), { minLength: 1, maxLength: 3, selector: (a) => a.name }),
  })
  .map(({ lifetime, ...m }) => ({ ...BASE, ...m, expiresAt: new Date(Date.parse(m.issuedAt) + lifetime * 1000).toISOString().replace('.000Z', 'Z') }));

const sig64 = fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64url'));
const keyId = fc.oneof(fc.constantFrom(...TRUSTED_IDS, D.publicEntry.keyId), fc.stringMatching(/^[0-9a-f]{16}$/), fc.string({ maxLength: 20 }));
/** Signature files: random bytes, random JSON, and well-shaped ones with random signatures. */
const signatureFile = fc.oneof(
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
  fc.jsonValue({ maxDepth: 2 }).map(encode),
  fc.array(fc.record({ keyId, sig: fc.oneof(sig64, fc.string({ maxLength: 90 })) }), { maxLength: 3 }).map((signatures) => encode({ signatures })),
  fc.constant(GOOD.signatures),
);

const input: fc.Arbitrary<{ input: ManifestInput; signed: boolean }> = fc.oneof(
  // Raw bytes, and random JSON, for both files.
  { weight: 6, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 120 }), signatureFile).map(([m, s]) => ({ input: { manifest: Buffer.from(m), signatures: s }, signed: false })) },
  { weight: 4, arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 3 }), signatureFile).map(([m, s]) => ({ input: { manifest: encode(m), signatures: s }, signed: false })) },
  // A good manifest bent out of shape, with the good signatures or random ones.
  { weight: 6, arbitrary: fc.tuple(mutatedManifest, signatureFile).map(([m, s]) => ({ input: { manifest: m, signatures: s }, signed: false })) },
  // The good manifest with single bytes flipped.
  {
    weight: 4,
    arbitrary: fc.tuple(fc.nat(GOOD.manifest.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
      const m = Buffer.from(GOOD.manifest);
      m[at] = m[at]! ^ x;
      return { input: { ...GOOD, manifest: m }, signed: false };
    }),
  },
  // Schema-valid manifests with random signature files (Ed25519 verify runs on every trusted key id).
  { weight: 4, arbitrary: fc.tuple(validManifest, signatureFile).map(([m, s]) => ({ input: { manifest: canonicalJsonBytes(m), signatures: s }, signed: false })) },
  // Random keyset changes in front of a good manifest.
  {
    weight: 2,
    arbitrary: fc.tuple(fc.oneof(fc.jsonValue({ maxDepth: 3 }).map(encode), fc.constant(canonicalJsonBytes(keysetDocument([D], 1, 2)))), signatureFile).map(([k, s]) => ({
      input: { ...GOOD, keyset: k, keysetSignatures: s },
      signed: false,
    })),
  },
  // Really signed, schema-valid manifests: ok, or refused for expiry / counter / keyset as the fields say.
  {
    weight: 1,
    arbitrary: validManifest.map((m) => {
      const bytes = canonicalJsonBytes(m);
      return { input: { manifest: bytes, signatures: encode({ signatures: [A, B].map((k) => ({ keyId: k.publicEntry.keyId, sig: signManifestBytes(k, bytes) })) }) }, signed: true };
    }),
  },
);

describe('verifyManifest fuzz', () => {
  it(`refuses ${RUNS.toLocaleString('en')} random manifests and signature files with typed reasons, never throwing`, () => {
    const seen = new Map<string, number>();
    const started = performance.now();
    const cpu = process.cpuUsage();
    fc.assert(
      fc.property(input, ({ input: i, signed }) => {
        const result = verifyManifest(i, OPTIONS);
        const code = result.ok ? 'ok' : result.code;
        seen.set(code, (seen.get(code) ?? 0) + 1);
        // Genuinely signed: the signed family, or an edit that left the good manifest as it was.
        const genuine = signed || Buffer.from(i.manifest).equals(GOOD.manifest);
        // Plain checks (expect() per run would cost more than the verifier itself).
        if (result.ok) {
          if (!genuine) throw new Error('accepted a manifest nobody signed');
          return;
        }
        if (!CODES.includes(result.code)) throw new Error(`untyped refusal ${String(result.code)}`);
        if (typeof result.message !== 'string' || result.message === '' || result.message.startsWith('internal')) throw new Error(`bad message: ${result.message}`);
        if (signed && !['expired', 'rollback', 'keyset_rotation_invalid'].includes(result.code)) throw new Error(`signed manifest refused: ${result.code}`);
      }),
      { numRuns: RUNS },
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    console.log(`update verifier fuzz: ${RUNS} runs in ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s CPU); ${canonicalJson(Object.fromEntries(seen))}`);
    // Every family reached past parsing: the signature checks and the rules after them ran too.
    for (const code of ['malformed', 'bad_signature', 'below_threshold', 'unknown_key', 'keyset_rotation_invalid', 'expired', 'rollback', 'ok']) expect(seen.get(code) ?? 0).toBeGreaterThan(0);
  }, 60_000);
});
