import { createCipheriv, createDecipheriv, randomBytes, sign, verify } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSafeStorageProtector, type SafeStorageLike } from '../electron/key-protector';
import { KeyFileError } from '../store/errors';
import { loadOrCreateMasterKeyFile } from '../store/key-file';
import { CONSOLE_KEY_FILE, DATA_KEY_FILE, LEGACY_CONSOLE_KEY_FILE, LEGACY_DATA_KEY_FILE, loadOrCreateConsoleKey, loadOrCreateDataKey } from './console-keys';
import { KeyProtectionError, keyFileProtector, WrappedKeyEnvelope, type KeyProtector } from './key-protector';
import { loadOrCreateConsoleSigningKey } from './receipt-signature';

/**
 * A stand-in for Electron's safeStorage: AES-256-GCM under a key of its own (one "OS key store" per
 * instance, so another instance is another machine or user). decryptString throws like Electron's.
 */
function fakeSafeStorage(options: { available?: boolean; backend?: string | null } = {}): SafeStorageLike & { calls: number } {
  const key = randomBytes(32);
  const fake: SafeStorageLike & { calls: number } = {
    calls: 0,
    isEncryptionAvailable: () => options.available ?? true,
    encryptString(text) {
      fake.calls++;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([Buffer.from('v11'), iv, c.getAuthTag(), body]);
    },
    decryptString(blob) {
      fake.calls++;
      if (blob.subarray(0, 3).toString() !== 'v11') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      const d = createDecipheriv('aes-256-gcm', key, blob.subarray(3, 15));
      d.setAuthTag(blob.subarray(15, 31));
      return Buffer.concat([d.update(blob.subarray(31)), d.final()]).toString('utf8');
    },
  };
  if (options.backend !== null) fake.getSelectedStorageBackend = () => options.backend ?? 'gnome_libsecret';
  return fake;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof KeyProtectionError || err instanceof KeyFileError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

function envelopeOf(path: string): WrappedKeyEnvelope {
  return WrappedKeyEnvelope.parse(JSON.parse(readFileSync(path, 'utf8')));
}

const posix = process.platform !== 'win32';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hall-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createSafeStorageProtector (Electron safeStorage, faked)', () => {
  it('refuses when the OS key store cannot encrypt', () => {
    expect(codeOf(() => createSafeStorageProtector(fakeSafeStorage({ available: false }), 'win32'))).toBe('unavailable');
    expect(codeOf(() => createSafeStorageProtector(fakeSafeStorage({ available: false }), 'linux'))).toBe('unavailable');
  });

  it("refuses Linux's plaintext backend basic_text, an unknown backend, and a missing answer", () => {
    for (const backend of ['basic_text', 'unknown', null]) {
      let message = '';
      try {
        createSafeStorageProtector(fakeSafeStorage({ backend }), 'linux');
      } catch (err) {
        expect(err).toBeInstanceOf(KeyProtectionError);
        expect((err as KeyProtectionError).code).toBe('plaintext_backend');
        message = (err as Error).message;
      }
      expect(message).toContain('拒绝启动');
    }
  });

  it('accepts libsecret and kwallet on Linux, and DPAPI on Windows whatever the Linux-only call says', () => {
    for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']) {
      expect(createSafeStorageProtector(fakeSafeStorage({ backend }), 'linux').backend).toBe(backend);
    }
    expect(createSafeStorageProtector(fakeSafeStorage({ backend: 'basic_text' }), 'win32').backend).toBe('dpapi');
  });

  it('wraps and unwraps bytes; a blob of another key store or a damaged blob is unwrap_failed', () => {
    const p = createSafeStorageProtector(fakeSafeStorage(), 'linux');
    const secret = randomBytes(32);
    const blob = p.wrap(secret);
    expect(blob.includes(secret)).toBe(false);
    expect(p.unwrap(blob).equals(secret)).toBe(true);
    const other = createSafeStorageProtector(fakeSafeStorage(), 'linux');
    expect(codeOf(() => other.unwrap(blob))).toBe('unwrap_failed');
    const flipped = Buffer.from(blob);
    flipped[flipped.length - 1]! ^= 1;
    expect(codeOf(() => p.unwrap(flipped))).toBe('unwrap_failed');
  });
});

describe('loadOrCreateDataKey / loadOrCreateConsoleKey', () => {
  const safe = (): KeyProtector => createSafeStorageProtector(fakeSafeStorage(), 'linux');

  it('creates wrapped envelopes (0600, no key bytes in the file) and reads the same keys back', () => {
    const protector = safe();
    const first = loadOrCreateDataKey(dir, protector);
    expect(first.origin).toBe('created');
    expect(first.key).toHaveLength(32);
    const path = join(dir, DATA_KEY_FILE);
    const envelope = envelopeOf(path);
    expect(envelope).toMatchObject({ format: 'hall-console/wrapped-key', version: 1, kind: 'safe-storage', purpose: 'data-key' });
    const raw = readFileSync(path);
    expect(raw.includes(first.key)).toBe(false);
    expect(raw.includes(Buffer.from(first.key.toString('base64')))).toBe(false);
    if (posix) expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = loadOrCreateDataKey(dir, protector);
    expect(again).toEqual({ key: first.key, origin: 'none' });

    const ck = loadOrCreateConsoleKey(dir, protector);
    expect(ck.origin).toBe('created');
    expect(envelopeOf(join(dir, CONSOLE_KEY_FILE)).kind).toBe('safe-storage');
    expect(readFileSync(join(dir, CONSOLE_KEY_FILE), 'utf8')).not.toContain('PRIVATE KEY');
    const ck2 = loadOrCreateConsoleKey(dir, protector);
    expect(ck2.publicKeyBase64Url).toBe(ck.publicKeyBase64Url);
    const sig = sign(null, Buffer.from('hello'), ck2.privateKey);
    expect(verify(null, Buffer.from('hello'), ck.publicKey, sig)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([CONSOLE_KEY_FILE, DATA_KEY_FILE]); // no temp files left
  });

  it('migrates the plain 0600 files of an existing install: same keys, plain files removed', () => {
    const legacyData = loadOrCreateMasterKeyFile(join(dir, LEGACY_DATA_KEY_FILE)).key;
    const legacyConsole = loadOrCreateConsoleSigningKey(join(dir, LEGACY_CONSOLE_KEY_FILE));
    const protector = safe();

    const data = loadOrCreateDataKey(dir, protector);
    expect(data.origin).toBe('plain-file');
    expect(data.key.equals(legacyData)).toBe(true);
    const ck = loadOrCreateConsoleKey(dir, protector);
    expect(ck.origin).toBe('plain-file');
    expect(ck.publicKeyBase64Url).toBe(legacyConsole.publicKeyBase64Url);

    expect(existsSync(join(dir, LEGACY_DATA_KEY_FILE))).toBe(false);
    expect(existsSync(join(dir, LEGACY_CONSOLE_KEY_FILE))).toBe(false);
    expect(envelopeOf(join(dir, DATA_KEY_FILE)).kind).toBe('safe-storage');
    expect(loadOrCreateDataKey(dir, protector)).toEqual({ key: legacyData, origin: 'none' });
  });

  it('finishes a migration interrupted after the envelope was written: the plain file with the same key is removed', () => {
    const protector = safe();
    const plain = loadOrCreateMasterKeyFile(join(dir, LEGACY_DATA_KEY_FILE)).key;
    loadOrCreateDataKey(dir, protector);
    writeFileSync(join(dir, LEGACY_DATA_KEY_FILE), plain, { mode: 0o600 }); // as if the unlink never happened
    expect(loadOrCreateDataKey(dir, protector)).toEqual({ key: plain, origin: 'none' });
    expect(existsSync(join(dir, LEGACY_DATA_KEY_FILE))).toBe(false);
    // A plain file with another key is not ours to delete.
    writeFileSync(join(dir, LEGACY_DATA_KEY_FILE), randomBytes(32), { mode: 0o600 });
    expect(loadOrCreateDataKey(dir, protector).key.equals(plain)).toBe(true);
    expect(existsSync(join(dir, LEGACY_DATA_KEY_FILE))).toBe(true);
  });

  it.runIf(posix)('refuses a plain file others can read and writes nothing', () => {
    writeFileSync(join(dir, LEGACY_DATA_KEY_FILE), randomBytes(32), { mode: 0o644 });
    chmodSync(join(dir, LEGACY_DATA_KEY_FILE), 0o644);
    expect(codeOf(() => loadOrCreateDataKey(dir, safe()))).toBe('key_file_insecure');
    expect(existsSync(join(dir, DATA_KEY_FILE))).toBe(false);
    expect(existsSync(join(dir, LEGACY_DATA_KEY_FILE))).toBe(true);
  });

  it('the headless key-file envelope is wrapped again by the OS key store; the reverse is refused', () => {
    const headless = loadOrCreateDataKey(dir, keyFileProtector());
    expect(envelopeOf(join(dir, DATA_KEY_FILE)).kind).toBe('key-file');
    const protector = safe();
    const upgraded = loadOrCreateDataKey(dir, protector);
    expect(upgraded).toEqual({ key: headless.key, origin: 'rewrapped' });
    expect(envelopeOf(join(dir, DATA_KEY_FILE)).kind).toBe('safe-storage');
    expect(codeOf(() => loadOrCreateDataKey(dir, keyFileProtector()))).toBe('protector_mismatch');
    expect(loadOrCreateDataKey(dir, protector)).toEqual({ key: headless.key, origin: 'none' });
  });

  it("refuses a blob of another machine's key store and leaves the file as it was", () => {
    loadOrCreateDataKey(dir, safe());
    const before = readFileSync(join(dir, DATA_KEY_FILE));
    expect(codeOf(() => loadOrCreateDataKey(dir, safe()))).toBe('unwrap_failed');
    expect(readFileSync(join(dir, DATA_KEY_FILE)).equals(before)).toBe(true);
  });

  it('refuses a corrupted envelope (not JSON, other version, wrong purpose, bad base64, wrong length) without replacing it', () => {
    const protector = safe();
    loadOrCreateDataKey(dir, protector);
    const path = join(dir, DATA_KEY_FILE);
    const good = envelopeOf(path);
    const cases: [string, string][] = [
      ['{"format":"hall-console/wrap', 'envelope_invalid'],
      [JSON.stringify({ ...good, version: 2 }), 'envelope_invalid'],
      [JSON.stringify({ ...good, purpose: 'console-key' }), 'envelope_invalid'],
      [JSON.stringify({ ...good, blob: '***' }), 'envelope_invalid'],
      [JSON.stringify({ ...good, extra: 1 }), 'envelope_invalid'],
      [JSON.stringify({ ...good, blob: protector.wrap(randomBytes(16)).toString('base64') }), 'unwrap_failed'],
    ];
    for (const [content, code] of cases) {
      writeFileSync(path, content, { mode: 0o600 });
      expect(codeOf(() => loadOrCreateDataKey(dir, protector)), content).toBe(code);
      expect(readFileSync(path, 'utf8')).toBe(content);
    }
    // A console-key envelope whose content is not an Ed25519 key.
    writeFileSync(join(dir, CONSOLE_KEY_FILE), JSON.stringify({ ...good, purpose: 'console-key', blob: protector.wrap(Buffer.from('not a key')).toString('base64') }), { mode: 0o600 });
    expect(codeOf(() => loadOrCreateConsoleKey(dir, protector))).toBe('unwrap_failed');
  });
});

describe('createConsoleApp with the OS key store protector', () => {
  it('migrates a headless install: the same console key, only wrapped envelopes left, the app runs', async () => {
    const { createConsoleApp } = await import('../app');
    const { createMemoryLogger } = await import('../log');
    const legacyConsole = loadOrCreateConsoleSigningKey(join(dir, LEGACY_CONSOLE_KEY_FILE));
    loadOrCreateMasterKeyFile(join(dir, LEGACY_DATA_KEY_FILE));
    const logger = createMemoryLogger();
    const keyProtector = createSafeStorageProtector(fakeSafeStorage(), 'linux');
    const app = await createConsoleApp({ dataDir: dir, mode: 'electron', emulatedDevices: true, logger, emulatorTiming: 'instant', keyProtector });
    try {
      expect(app.info.schemaVersion).toBeGreaterThan(0);
      expect(envelopeOf(join(dir, DATA_KEY_FILE)).kind).toBe('safe-storage');
      expect(envelopeOf(join(dir, CONSOLE_KEY_FILE)).kind).toBe('safe-storage');
      expect(existsSync(join(dir, LEGACY_DATA_KEY_FILE))).toBe(false);
      expect(existsSync(join(dir, LEGACY_CONSOLE_KEY_FILE))).toBe(false);
      const status = await app.dispatcher.invoke('app.info', {}, { channelId: 'w1', trustedSender: true });
      expect(status.ok).toBe(true);
      expect(logger.lines.some((l) => l.event === 'store.key_file')).toBe(false); // no plain-file warning under safeStorage
      expect(logger.lines.find((l) => l.event === 'security.console_key')?.fields).toMatchObject({ origin: 'plain-file', protector: 'safe-storage' });
    } finally {
      await app.close();
    }
    // The console key is the one the hub knows: unchanged by the migration.
    const wrapped = loadOrCreateConsoleKey(dir, keyProtector);
    expect(wrapped).toMatchObject({ origin: 'none', publicKeyBase64Url: legacyConsole.publicKeyBase64Url });
  });
});

describe('the Electron entry (main/electron/index.ts)', () => {
  it('builds the safeStorage protector after ready and hands it to createConsoleApp inside the guarded start', () => {
    const source = readFileSync(new URL('../electron/index.ts', import.meta.url), 'utf8');
    const ready = source.indexOf('await app.whenReady()');
    const protector = source.indexOf('createSafeStorageProtector(safeStorage)');
    const guarded = source.lastIndexOf('try {', protector);
    const create = source.indexOf('createConsoleApp({', protector);
    expect(ready).toBeGreaterThan(0);
    expect(protector).toBeGreaterThan(ready); // the Linux backend is chosen at ready
    expect(guarded).toBeGreaterThan(ready); // a refusal shows the error dialog and exits
    expect(create).toBeGreaterThan(protector);
    expect(source.slice(create, source.indexOf('});', create))).toMatch(/\bkeyProtector\b/);
  });
});
