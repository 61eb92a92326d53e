import { chmodSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyFileError } from './errors';
import { FieldKeys } from './field-cipher';
import { KEY_FILE_WARNING, loadOrCreateMasterKeyFile } from './key-file';
import { tempDir } from './test-support';

const posix = process.platform !== 'win32';
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hall-key-');
});
afterEach(() => tmp.cleanup());

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyFileError);
    if (err instanceof KeyFileError) return err.code;
  }
  throw new Error('expected KeyFileError');
}

describe('loadOrCreateMasterKeyFile', () => {
  it('creates a random 32-byte key, file 0600 in a new 0700 directory, with the headless warning', () => {
    const path = join(tmp.dir, 'keys', 'nested', 'master.key');
    const previous = process.umask(0);
    try {
      const first = loadOrCreateMasterKeyFile(path);
      expect(first.created).toBe(true);
      expect(first.key.length).toBe(32);
      expect(first.warning).toBe(KEY_FILE_WARNING);
      expect(first.warning).toBe(
        'master key kept in a plain file (headless mode); the Electron console wraps it with the OS key store',
      );
      if (posix) {
        expect(statSync(path).mode & 0o777).toBe(0o600);
        expect(statSync(join(tmp.dir, 'keys')).mode & 0o777).toBe(0o700);
        expect(statSync(join(tmp.dir, 'keys', 'nested')).mode & 0o777).toBe(0o700);
      }
      // The key is usable by FieldKeys as is.
      expect(() => FieldKeys.fromMasterKey(first.key)).not.toThrow();
    } finally {
      process.umask(previous);
    }
  });

  it('loads the same key the next time and leaves no temp files', () => {
    const path = join(tmp.dir, 'master.key');
    const first = loadOrCreateMasterKeyFile(path);
    const again = loadOrCreateMasterKeyFile(path);
    expect(again.created).toBe(false);
    expect(again.key.equals(first.key)).toBe(true);
    expect(readdirSync(tmp.dir)).toEqual(['master.key']);
  });

  it('creates different keys for different files', () => {
    const a = loadOrCreateMasterKeyFile(join(tmp.dir, 'a.key'));
    const b = loadOrCreateMasterKeyFile(join(tmp.dir, 'b.key'));
    expect(a.key.equals(b.key)).toBe(false);
  });

  it.skipIf(!posix)('refuses an existing key file that group or others can read', () => {
    const path = join(tmp.dir, 'master.key');
    loadOrCreateMasterKeyFile(path);
    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o660]) {
      chmodSync(path, mode);
      expect(codeOf(() => loadOrCreateMasterKeyFile(path))).toBe('key_file_insecure');
    }
    chmodSync(path, 0o400);
    expect(loadOrCreateMasterKeyFile(path).created).toBe(false);
  });

  it('refuses a key file of the wrong size, a directory and a symlink', () => {
    const short = join(tmp.dir, 'short.key');
    writeFileSync(short, Buffer.alloc(31), { mode: 0o600 });
    expect(codeOf(() => loadOrCreateMasterKeyFile(short))).toBe('key_file_invalid');

    const dir = join(tmp.dir, 'dir.key');
    mkdirSync(dir, { mode: 0o700 });
    expect(codeOf(() => loadOrCreateMasterKeyFile(dir))).toBe('key_file_invalid');

    if (posix) {
      const real = loadOrCreateMasterKeyFile(join(tmp.dir, 'real.key'));
      expect(real.created).toBe(true);
      const link = join(tmp.dir, 'link.key');
      symlinkSync(join(tmp.dir, 'real.key'), link);
      expect(codeOf(() => loadOrCreateMasterKeyFile(link))).toBe('key_file_invalid');
    }
  });

  it.skipIf(!posix)('says how to fix permissions without printing the key', () => {
    const path = join(tmp.dir, 'master.key');
    const { key } = loadOrCreateMasterKeyFile(path);
    chmodSync(path, 0o644);
    let message = '';
    try {
      loadOrCreateMasterKeyFile(path);
    } catch (err) {
      message = err instanceof Error ? err.message : '';
    }
    expect(message).toContain('chmod 600');
    expect(message).toContain('644');
    expect(message).not.toContain(key.toString('hex'));
  });
});
