import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { KeyFileError } from './errors';

export const KEY_FILE_WARNING =
  'master key kept in a plain file (headless mode); the Electron console wraps it with the OS key store';

export interface LoadedMasterKey {
  /** 32 bytes; pass to FieldKeys.fromMasterKey. */
  key: Buffer;
  created: boolean;
  warning: typeof KEY_FILE_WARNING;
}

const KEY_BYTES = 32;
// Windows has no POSIX modes; the headless host with a key file is meant for Linux.
const CHECK_MODES = process.platform !== 'win32';

function isMissing(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ENOENT';
}

/**
 * Headless host only: the database master key as a raw 32-byte file with mode 0600 (its directory
 * created 0700). Refuses an existing file that group or others can access, or that is not a regular
 * file of exactly 32 bytes. Creation is atomic and never overwrites (temp file + hard link).
 */
export function loadOrCreateMasterKeyFile(path: string): LoadedMasterKey {
  try {
    return { key: readExisting(path), created: false, warning: KEY_FILE_WARNING };
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    if (CHECK_MODES) fchmodSync(fd, 0o600);
    writeSync(fd, key);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (err) {
    // Another process created it first: use theirs.
    if (err instanceof Error && 'code' in err && err.code === 'EEXIST') {
      return { key: readExisting(path), created: false, warning: KEY_FILE_WARNING };
    }
    throw err;
  } finally {
    unlinkSync(tmp);
  }
  return { key, created: true, warning: KEY_FILE_WARNING };
}

function readExisting(path: string): Buffer {
  const st = lstatSync(path);
  if (!st.isFile()) {
    throw new KeyFileError('key_file_invalid', path, `master key file ${path} is not a regular file; refusing to use it`);
  }
  if (CHECK_MODES && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
    throw new KeyFileError(
      'key_file_insecure',
      path,
      `master key file ${path} has mode ${mode}: group or others can access it; ` +
        `run "chmod 600 ${path}" (and check who may have copied it) before starting again`,
    );
  }
  const key = readFileSync(path);
  if (key.length !== KEY_BYTES) {
    throw new KeyFileError('key_file_invalid', path, `master key file ${path} must hold exactly ${KEY_BYTES} bytes`);
  }
  return key;
}
