import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyFileError } from '../store/errors';
import { keyIdOf } from './manifest';
import { createUpdateSigningKey, describeArtifact, generateUpdateSigningKey, loadUpdateSigningKey, UpdateKeyError, withSignature } from './sign';
import { artifactOf } from './test-support';

const posix = process.platform !== 'win32';
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hall-update-key-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('update signing keys', () => {
  it('creates a 0600 key in a 0700 folder, loads it back, and never overwrites it', () => {
    const dir = join(tempDir(), 'keys');
    const path = join(dir, 'a.key');
    const made = createUpdateSigningKey(path);
    expect(made.publicEntry.keyId).toBe(keyIdOf(made.publicEntry.publicKey));
    if (posix) {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    }
    expect(loadUpdateSigningKey(path).publicEntry).toEqual(made.publicEntry);
    const before = readFileSync(path);
    expect(() => createUpdateSigningKey(path)).toThrow(UpdateKeyError);
    expect(readFileSync(path)).toEqual(before);
  });

  it('refuses a missing key (creating nothing), a readable-by-others key and a file that is no key', () => {
    const dir = tempDir();
    expect(() => loadUpdateSigningKey(join(dir, 'missing.key'))).toThrow(/does not exist/);
    const path = join(dir, 'a.key');
    createUpdateSigningKey(path);
    if (posix) {
      chmodSync(path, 0o644);
      expect(() => loadUpdateSigningKey(path)).toThrow(KeyFileError);
    }
    const junk = join(dir, 'junk.key');
    writeFileSync(junk, 'not a key', { mode: 0o600 });
    expect(() => loadUpdateSigningKey(junk)).toThrow(/does not hold an unencrypted Ed25519 private key/);
  });

  it('keeps one signature per key, sorted by key id', () => {
    const [a, b] = [generateUpdateSigningKey(), generateUpdateSigningKey()];
    const one = withSignature(null, b.publicEntry.keyId, 'x'.repeat(86));
    const two = withSignature(one, a.publicEntry.keyId, 'y'.repeat(86));
    const again = withSignature(two, b.publicEntry.keyId, 'z'.repeat(86));
    expect(again.signatures.map((s) => s.keyId)).toEqual([a.publicEntry.keyId, b.publicEntry.keyId].sort());
    expect(again.signatures.find((s) => s.keyId === b.publicEntry.keyId)?.sig).toBe('z'.repeat(86));
  });

  it('describes an artifact by streaming it', async () => {
    const path = join(tempDir(), 'setup.exe');
    const content = Buffer.alloc(3 * 1024 * 1024 + 7, 0x5a);
    writeFileSync(path, content);
    expect(await describeArtifact(path)).toEqual(artifactOf('setup.exe', content));
  });
});
