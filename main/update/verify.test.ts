import { appendFileSync, mkdtempSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJsonBytes } from './canonical-json';
import { KEYSET_SIG_FILE, MANIFEST_FILE, MANIFEST_SIG_FILE, MAX_MANIFEST_BYTES } from './manifest';
import { generateUpdateSigningKey, signManifestBytes } from './sign';
import { ARTIFACTS, bundleInput, keysetDocument, keysetOf, manifestOf, NOW, options, writeBundle } from './test-support';
import { parseKeyset, verifyBundle, verifyManifest, type ManifestVerification } from './verify';

const [A, B, C, D, E] = Array.from({ length: 5 }, () => generateUpdateSigningKey()) as [
  ReturnType<typeof generateUpdateSigningKey>,
  ReturnType<typeof generateUpdateSigningKey>,
  ReturnType<typeof generateUpdateSigningKey>,
  ReturnType<typeof generateUpdateSigningKey>,
  ReturnType<typeof generateUpdateSigningKey>,
];
/** The pinned keyset: 2 of A, B, C. */
const TRUSTED = keysetOf([A, B, C], 2);
const EXE = 'hall-console-1.4.0-setup.exe';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hall-update-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function refusal(result: ManifestVerification): { code: string; message: string } {
  expect(result.ok).toBe(false);
  return result.ok ? { code: 'ok', message: '' } : { code: result.code, message: result.message };
}

describe('verifyBundle', () => {
  it('accepts a good bundle signed by 2 of 3 keys, and says who signed', async () => {
    const dir = writeBundle(tempDir(), bundleInput({ signers: [A, C] }));
    const result = await verifyBundle(dir, options(TRUSTED));
    expect(result).toMatchObject({ ok: true, rotated: false, manifest: { version: '1.4.0', counter: 7, channel: 'stable' } });
    expect(result.ok && [...result.signedBy].sort()).toEqual([A.publicEntry.keyId, C.publicEntry.keyId].sort());
    // All three signatures are fine too; extra files in the folder are ignored.
    writeFileSync(join(dir, 'README.txt'), 'notes');
    expect((await verifyBundle(writeBundle(tempDir(), bundleInput({ signers: [A, B, C] })), options(TRUSTED))).ok).toBe(true);
    // Named files work as well as a folder.
    expect((await verifyBundle({ manifest: join(dir, MANIFEST_FILE), signatures: join(dir, MANIFEST_SIG_FILE), artifactDir: dir }, options(TRUSTED))).ok).toBe(true);
  });

  it('refuses a tampered artifact byte (artifact_hash), naming the file', async () => {
    const dir = writeBundle(tempDir(), bundleInput({ signers: [A, B] }));
    const bytes = Buffer.from(ARTIFACTS[EXE]!);
    bytes[1000] = bytes[1000]! ^ 0x01;
    writeFileSync(join(dir, EXE), bytes);
    const r = refusal(await verifyBundle(dir, options(TRUSTED)));
    expect(r).toEqual({ code: 'artifact_hash', message: `artifact ${EXE} does not match its SHA-512: it was altered or damaged` });
  });

  it('refuses a truncated artifact (truncated), a longer one (artifact_size), a missing one and a symlink (artifact_missing)', async () => {
    const dir = writeBundle(tempDir(), bundleInput({ signers: [A, B] }));
    truncateSync(join(dir, EXE), ARTIFACTS[EXE]!.length - 10);
    expect(refusal(await verifyBundle(dir, options(TRUSTED)))).toEqual({ code: 'truncated', message: `artifact ${EXE} is truncated: ${ARTIFACTS[EXE]!.length - 10} of ${ARTIFACTS[EXE]!.length} bytes (copy it again)` });
    writeFileSync(join(dir, EXE), ARTIFACTS[EXE]!);
    appendFileSync(join(dir, EXE), 'x');
    expect(refusal(await verifyBundle(dir, options(TRUSTED))).code).toBe('artifact_size');
    unlinkSync(join(dir, EXE));
    expect(refusal(await verifyBundle(dir, options(TRUSTED)))).toEqual({ code: 'artifact_missing', message: `artifact ${EXE} is not in the bundle` });
    const elsewhere = join(tempDir(), 'x.exe');
    writeFileSync(elsewhere, ARTIFACTS[EXE]!);
    symlinkSync(elsewhere, join(dir, EXE));
    expect(refusal(await verifyBundle(dir, options(TRUSTED))).message).toMatch(/not a regular file/);
  });

  it('refuses a manifest signed with a wrong key (unknown_key) or altered after signing (bad_signature)', async () => {
    expect(refusal(verifyManifest(bundleInput({ signers: [D, E] }), options(TRUSTED)))).toMatchObject({ code: 'unknown_key', message: expect.stringMatching(new RegExp(`key (${D.publicEntry.keyId}|${E.publicEntry.keyId}), which is not in keyset v1`)) });
    // A wrong key that claims a trusted key's id: the signature does not verify.
    const input = bundleInput({ signers: [A] });
    const forged = { signatures: [JSON.parse(input.signatures.toString()).signatures[0], { keyId: B.publicEntry.keyId, sig: signManifestBytes(D, Buffer.from(input.manifest)) }] };
    expect(refusal(verifyManifest({ ...input, signatures: Buffer.from(JSON.stringify(forged)) }, options(TRUSTED))).code).toBe('bad_signature');
    // Signed, then the manifest changed (a bigger counter): every signature fails.
    const signed = bundleInput({ signers: [A, B] });
    const altered = { ...signed, manifest: canonicalJsonBytes(manifestOf({ counter: 99 })) };
    expect(refusal(verifyManifest(altered, options(TRUSTED)))).toMatchObject({ code: 'bad_signature', message: expect.stringContaining('altered after signing') });
  });

  it('refuses one signature when the threshold is 2 (below_threshold), also twice the same key, and no signature file', async () => {
    expect(refusal(verifyManifest(bundleInput({ signers: [B] }), options(TRUSTED)))).toEqual({ code: 'below_threshold', message: 'manifest.json has 1 of the 2 required signatures of keyset v1' });
    expect(refusal(verifyManifest(bundleInput({ signers: [B] }), options(TRUSTED))).code).toBe('below_threshold');
    const one = bundleInput({ signers: [B] });
    const sig = JSON.parse(one.signatures.toString()).signatures[0];
    const twice = Buffer.from(JSON.stringify({ signatures: [sig, sig] }));
    expect(refusal(verifyManifest({ ...one, signatures: twice }, options(TRUSTED))).code).toBe('below_threshold');
    const dir = writeBundle(tempDir(), one);
    unlinkSync(join(dir, MANIFEST_SIG_FILE));
    expect(refusal(await verifyBundle(dir, options(TRUSTED)))).toMatchObject({ code: 'below_threshold', message: expect.stringContaining('not signed') });
  });

  it('refuses an expired manifest by the injected clock', () => {
    const input = bundleInput({ signers: [A, B] });
    expect(verifyManifest(input, options(TRUSTED, { now: new Date('2026-12-19T23:59:59Z') })).ok).toBe(true);
    expect(refusal(verifyManifest(input, options(TRUSTED, { now: new Date('2026-12-20T00:00:00Z') })))).toEqual({
      code: 'expired',
      message: 'manifest for 1.4.0 expired at 2026-12-20T00:00:00Z (now 2026-12-20T00:00:00.000Z): ask for a freshly signed bundle',
    });
  });

  it('refuses an older counter replayed, and the same counter again (rollback)', () => {
    const input = bundleInput({ signers: [A, B] });
    expect(verifyManifest(input, options(TRUSTED, { installedCounter: 6 })).ok).toBe(true);
    expect(refusal(verifyManifest(input, options(TRUSTED, { installedCounter: 7 })))).toEqual({ code: 'rollback', message: 'manifest counter 7 is not above the installed 7: an older or replayed update' });
    expect(refusal(verifyManifest(input, options(TRUSTED, { installedCounter: 12 }))).code).toBe('rollback');
  });

  describe('key rotation', () => {
    const next = keysetDocument([C, D, E], 2, 2);

    it('accepts a new keyset signed by the old threshold, and a manifest signed by the new keys', async () => {
      const input = bundleInput({ manifest: manifestOf({ keysetVersion: 2 }), signers: [D, E], rotation: { keyset: next, signers: [A, B] } });
      const result = verifyManifest(input, options(TRUSTED));
      expect(result).toMatchObject({ ok: true, rotated: true, keyset: { keysetVersion: 2, threshold: 2 } });
      // On disk too; and once the console pins v2, the same bundle verifies without rotating.
      const dir = writeBundle(tempDir(), input);
      expect(await verifyBundle(dir, options(TRUSTED))).toMatchObject({ ok: true, rotated: true });
      expect(await verifyBundle(dir, options(keysetOf([C, D, E], 2, 2)))).toMatchObject({ ok: true, rotated: false });
      // keyset.json whose signatures did not make it onto the stick.
      unlinkSync(join(dir, KEYSET_SIG_FILE));
      expect(refusal(await verifyBundle(dir, options(TRUSTED)))).toMatchObject({ code: 'keyset_rotation_invalid', message: expect.stringContaining('needs both') });
    });

    it('refuses a keyset change signed by fewer than the old threshold, by the new keys, or not newer', () => {
      const manifest = manifestOf({ keysetVersion: 2 });
      const only = refusal(verifyManifest(bundleInput({ manifest, signers: [D, E], rotation: { keyset: next, signers: [A] } }), options(TRUSTED)));
      expect(only).toEqual({ code: 'keyset_rotation_invalid', message: 'keyset change refused: keyset change to v2 has 1 of the 2 required signatures of keyset v1' });
      // The new keys vouching for themselves is worthless.
      expect(refusal(verifyManifest(bundleInput({ manifest, signers: [D, E], rotation: { keyset: next, signers: [D, E] } }), options(TRUSTED))).code).toBe('keyset_rotation_invalid');
      // A "change" to an older or equal version with other keys.
      const older = keysetDocument([D, E], 1, 1);
      expect(refusal(verifyManifest(bundleInput({ manifest: manifestOf(), signers: [D, E], rotation: { keyset: older, signers: [A, B] } }), options(TRUSTED)))).toMatchObject({
        code: 'keyset_rotation_invalid',
        message: expect.stringContaining('not newer'),
      });
      // keyset.json without its signatures.
      const input = bundleInput({ manifest, signers: [D, E], rotation: { keyset: next, signers: [A, B] } });
      expect(refusal(verifyManifest({ ...input, keysetSignatures: undefined }, options(TRUSTED))).code).toBe('keyset_rotation_invalid');
      // A manifest naming a newer keyset with no change in the bundle.
      expect(refusal(verifyManifest(bundleInput({ manifest, signers: [D, E] }), options(TRUSTED))).code).toBe('keyset_rotation_invalid');
    });

    it('refuses, after rotating, a manifest signed by the retired keyset', () => {
      const pinned = keysetOf([C, D, E], 2, 2);
      expect(refusal(verifyManifest(bundleInput({ signers: [A, B] }), options(pinned)))).toMatchObject({ code: 'unknown_key', message: expect.stringContaining('no longer trusts') });
    });
  });

  it('refuses malformed JSON, a wrong shape, non-canonical spelling and an oversized manifest (malformed)', async () => {
    const good = bundleInput({ signers: [A, B] });
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('{"product":"hall-console",'), /not valid JSON/],
      [Buffer.from([0xff, 0xfe, 0x00]), /not UTF-8/],
      [Buffer.from('[]'), /is invalid/],
      [canonicalJsonBytes({ ...manifestOf(), extra: 1 }), /is invalid/],
      [canonicalJsonBytes({ ...manifestOf(), counter: 0 }), /counter/],
      [canonicalJsonBytes({ ...manifestOf(), artifacts: [{ name: '../evil', size: 1, sha512: 'a'.repeat(128) }] }), /artifacts\.0\.name/],
      [canonicalJsonBytes({ ...manifestOf(), expiresAt: '2026-11-19T00:00:00Z' }), /expiresAt must be after/],
      [canonicalJsonBytes({ ...manifestOf(), issuedAt: '2026-02-30T00:00:00Z' }), /real time/],
      [Buffer.from(JSON.stringify(manifestOf(), null, 2)), /not canonical/],
      [Buffer.concat([Buffer.from(good.manifest), Buffer.from('\n')]), /not canonical/],
      [Buffer.from(`{"a":${'['.repeat(60_000)}${']'.repeat(60_000)}}`), /larger than|is invalid/],
      [Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20), new RegExp(`larger than ${MAX_MANIFEST_BYTES} bytes`)],
    ];
    for (const [manifest, message] of cases) {
      expect(refusal(verifyManifest({ ...good, manifest }, options(TRUSTED)))).toMatchObject({ code: 'malformed', message: expect.stringMatching(message) });
    }
    expect(refusal(verifyManifest({ ...good, signatures: Buffer.from('{"signatures":[{"keyId":"x"}]}') }, options(TRUSTED))).code).toBe('malformed');
    // On disk an oversized manifest is refused before it is read.
    const dir = writeBundle(tempDir(), good);
    writeFileSync(join(dir, MANIFEST_FILE), Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20));
    expect(refusal(await verifyBundle(dir, options(TRUSTED)))).toMatchObject({ code: 'malformed', message: expect.stringMatching(/larger than 65536 bytes$/) });
    expect(refusal(await verifyBundle(join(dir, 'nope'), options(TRUSTED)))).toMatchObject({ code: 'malformed', message: expect.stringMatching(/^no manifest\.json/) });
  });

  it('refuses bad options instead of throwing', () => {
    const input = bundleInput({ signers: [A, B] });
    expect(refusal(verifyManifest(input, options(TRUSTED, { installedCounter: -1 }))).code).toBe('malformed');
    expect(refusal(verifyManifest(input, options(TRUSTED, { now: new Date(Number.NaN) }))).code).toBe('malformed');
    expect(refusal(verifyManifest(input, { ...options(TRUSTED), trustedKeyset: {} as never })).code).toBe('malformed');
    expect(refusal(verifyManifest(null as never, options(TRUSTED))).code).toBe('malformed');
  });

  it('parses a pinned keyset file and refuses a bad one', () => {
    expect(parseKeyset(Buffer.from(JSON.stringify(keysetDocument([A, B, C], 2), null, 2)))).toMatchObject({ ok: true, keyset: { threshold: 2, keysetVersion: 1 } });
    const doc = keysetDocument([A, B], 3);
    expect(parseKeyset(Buffer.from(JSON.stringify(doc)))).toMatchObject({ ok: false, message: expect.stringContaining('threshold 3 is more than the 2 keys') });
    const wrongId = { ...keysetDocument([A], 1), keys: [{ ...A.publicEntry, keyId: B.publicEntry.keyId }] };
    expect(parseKeyset(Buffer.from(JSON.stringify(wrongId)))).toMatchObject({ ok: false, message: expect.stringContaining('keyId does not match') });
    expect(NOW.toISOString()).toBe('2026-11-26T12:00:00.000Z');
  });
});
