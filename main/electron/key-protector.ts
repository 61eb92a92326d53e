/**
 * The Electron console's KeyProtector: Electron's `safeStorage` (DPAPI on Windows, Keychain on macOS,
 * libsecret / kwallet on Linux). Pure: index.ts passes Electron's `safeStorage` in, tests a fake.
 *
 * Like Signal, the console refuses to start when Linux's safeStorage would fall back to its plaintext
 * backend (`basic_text`, or a backend it cannot name): the citizens' data would then be protected by
 * nothing but a hard-coded password. Call only after `app.whenReady()` (the backend is chosen then).
 */
import { KeyProtectionError, type KeyProtector } from '../security/key-protector';

/** The part of Electron's safeStorage this uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend?: () => string;
}

/** Linux backends that keep the secret readable by anyone who copies the profile. */
export const REFUSED_LINUX_BACKENDS: ReadonlySet<string> = new Set(['basic_text', 'unknown']);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function createSafeStorageProtector(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): KeyProtector & { backend: string } {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new KeyProtectionError(
      'unavailable',
      '系统密钥库不可用，工作台不能在无保护的情况下保存群众个人信息（safeStorage: encryption is not available; on Linux start a keyring such as gnome-keyring or kwallet in the session）',
    );
  }
  let backend = platform === 'win32' ? 'dpapi' : platform === 'darwin' ? 'keychain' : 'unknown';
  if (platform === 'linux') {
    backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (REFUSED_LINUX_BACKENDS.has(backend)) {
      throw new KeyProtectionError(
        'plaintext_backend',
        `系统密钥库只提供明文存储（${backend}），工作台拒绝启动（safeStorage backend "${backend}" keeps keys in plaintext; install and unlock gnome-keyring/libsecret or kwallet, or start with --password-store=gnome-libsecret）`,
      );
    }
  }
  return {
    kind: 'safe-storage',
    backend,
    wrap(bytes) {
      return safeStorage.encryptString(bytes.toString('base64'));
    },
    unwrap(blob) {
      let text: string;
      try {
        text = safeStorage.decryptString(blob);
      } catch {
        throw new KeyProtectionError('unwrap_failed', `safeStorage (${backend}) cannot decrypt the wrapped key: another machine's or user's key store, or a damaged file`);
      }
      if (!BASE64.test(text)) throw new KeyProtectionError('unwrap_failed', `safeStorage (${backend}) returned something that is not a wrapped key`);
      return Buffer.from(text, 'base64');
    },
  };
}
