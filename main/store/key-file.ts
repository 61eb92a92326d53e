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
  renameSync,
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
  const { content, created } = loadOrCreatePrivateFile(path, {
    what: 'master key',
    create: () => randomBytes(KEY_BYTES),
    check: (content) => (content.length === KEY_BYTES ? null : `must hold exactly ${KEY_BYTES} bytes`),
  });
  return { key: content, created, warning: KEY_FILE_WARNING };
}

/** What a private file holds: how to make a new one and how to check an existing one. */
export interface PrivateFileSpec {
  /** Names the file in error messages: "master key" → "master key file /path …". */
  what: string;
  /** The content of a new file (called only when the file does not exist). */
  create: () => Buffer;
  /** null when the content is usable, otherwise why not (completes "<what> file <path> …"); never echo the content. */
  check: (content: Buffer) => string | null;
  /** Refuse, without reading it, a file larger than this. */
  maxBytes?: number;
}

/**
 * A secret in a file only its owner can read (the master key, the console signing key): loads it,
 * or creates it with mode 0600 (its directory 0700). Refuses (KeyFileError) an existing file that
 * group or others can access, that is not a regular file (a symlink, a directory), or whose content
 * `spec.check` refuses. Creation is atomic and never overwrites (temp file + hard link): when another
 * process creates the file first, its content is used.
 */
export function loadOrCreatePrivateFile(path: string, spec: PrivateFileSpec): { content: Buffer; created: boolean } {
  try {
    return { content: readExisting(path, spec), created: false };
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  const content = spec.create();
  try {
    writePrivateFile(path, content, false);
  } catch (err) {
    // Another process created it first: use theirs.
    if (err instanceof Error && 'code' in err && err.code === 'EEXIST') {
      return { content: readExisting(path, spec), created: false };
    }
    throw err;
  }
  return { content, created: true };
}

/** Writes `content` to `path` with mode 0600 through a temp file: replace=false never overwrites (EEXIST). */
export function writePrivateFile(path: string, content: Buffer, replace: boolean): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    if (CHECK_MODES) fchmodSync(fd, 0o600);
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (replace) renameSync(tmp, path);
    else linkSync(tmp, path);
  } finally {
    if (!replace) unlinkSync(tmp);
  }
  if (CHECK_MODES) {
    try {
      const dfd = openSync(dirname(path), 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      // a folder that cannot be opened for fsync (some filesystems): the rename is still atomic
    }
  }
}


/**
 * Reads an existing private file with the same checks as loadOrCreatePrivateFile (regular file, mode
 * 0600, size, content); never creates it. ENOENT is thrown as is (callers test for a missing file).
 */
export function readPrivateFile(path: string, spec: Omit<PrivateFileSpec, 'create'>): Buffer {
  return readExisting(path, { ...spec, create: () => Buffer.alloc(0) });
}

function readExisting(path: string, spec: PrivateFileSpec): Buffer {
  const st = lstatSync(path);
  if (!st.isFile()) {
    throw new KeyFileError('key_file_invalid', path, `${spec.what} file ${path} is not a regular file; refusing to use it`);
  }
  if (CHECK_MODES && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
    throw new KeyFileError(
      'key_file_insecure',
      path,
      `${spec.what} file ${path} has mode ${mode}: group or others can access it; ` +
        `run "chmod 600 ${path}" (and check who may have copied it) before starting again`,
    );
  }
  if (spec.maxBytes !== undefined && st.size > spec.maxBytes) {
    throw new KeyFileError('key_file_invalid', path, `${spec.what} file ${path} is larger than ${spec.maxBytes} bytes`);
  }
  const content = readFileSync(path);
  const problem = spec.check(content);
  if (problem !== null) {
    throw new KeyFileError('key_file_invalid', path, `${spec.what} file ${path} ${problem}`);
  }
  return content;
}
