/**
 * The console's two secrets in its data folder, both wrapped by a KeyProtector (./key-protector.ts):
 *
 *   data-key.json     the database data key (32 bytes; FieldKeys.fromMasterKey)   — was master.key
 *   console-key.json  the console's Ed25519 private key (PKCS#8 PEM): signs hellos to the hub and the
 *                     QR of printed documents; its public key is what enrollment registers
 *                                                                                  — was document-signing.key
 *
 * An install from before key wrapping keeps its data: the plain 0600 file is read, wrapped, removed.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { consoleSigningKeyFromPrivate, generateConsoleSigningKey, parsePrivateKey, type ConsoleSigningKey } from './receipt-signature';
import { loadOrCreateProtectedSecret, type KeyProtector, type LoadedSecret } from './key-protector';

export const DATA_KEY_FILE = 'data-key.json';
export const CONSOLE_KEY_FILE = 'console-key.json';
/** Plain files of installs from before key wrapping (migrated at the first start). */
export const LEGACY_DATA_KEY_FILE = 'master.key';
export const LEGACY_CONSOLE_KEY_FILE = 'document-signing.key';

export interface LoadedDataKey {
  key: Buffer;
  origin: LoadedSecret['origin'];
}

export function loadOrCreateDataKey(dataDir: string, protector: KeyProtector): LoadedDataKey {
  const { secret, origin } = loadOrCreateProtectedSecret(
    {
      path: join(dataDir, DATA_KEY_FILE),
      legacyPath: join(dataDir, LEGACY_DATA_KEY_FILE),
      legacyMaxBytes: 32,
      purpose: 'data-key',
      what: 'data key',
      create: () => randomBytes(32),
      check: (secret) => (secret.length === 32 ? null : 'must hold exactly 32 bytes'),
    },
    protector,
  );
  return { key: secret, origin };
}

export interface LoadedConsoleKey extends ConsoleSigningKey {
  origin: LoadedSecret['origin'];
}

export function loadOrCreateConsoleKey(dataDir: string, protector: KeyProtector): LoadedConsoleKey {
  const { secret, origin } = loadOrCreateProtectedSecret(
    {
      path: join(dataDir, CONSOLE_KEY_FILE),
      legacyPath: join(dataDir, LEGACY_CONSOLE_KEY_FILE),
      legacyMaxBytes: 4096,
      purpose: 'console-key',
      what: 'console key',
      create: () => Buffer.from(generateConsoleSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' })),
      check: (secret) => (parsePrivateKey(secret) === null ? 'does not hold an Ed25519 private key (PKCS#8 PEM)' : null),
    },
    protector,
  );
  const privateKey = parsePrivateKey(secret);
  if (privateKey === null) throw new TypeError('console key does not hold an Ed25519 private key'); // check() vouched for it
  return { ...consoleSigningKeyFromPrivate(privateKey), origin };
}
