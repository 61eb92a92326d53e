import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { FieldDecryptError, StoreError } from './errors';

/**
 * Field-level encryption for personal data (names, ID numbers, addresses, phones): the one helper every
 * repository uses. AES-256-GCM with a random 12-byte IV; the envelope is
 *   [1 byte version = 1][1 byte key id][12 bytes IV][16 bytes tag][ciphertext]
 * and the AAD is a context string (e.g. `cases.applicant_name#<case id>`), so a ciphertext copied to
 * another column or row does not decrypt.
 */
export const ENVELOPE_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 2 + IV_BYTES + TAG_BYTES;

const HKDF_SALT = Buffer.from('hall-console/field-keys', 'utf8');
const DATA_KEY_INFO = Buffer.from('hall-console field data key v1', 'utf8');
const INDEX_KEY_INFO = Buffer.from('hall-console blind index key v1', 'utf8');

/** The two working keys derived from the database master key. Key material stays in KeyObjects. */
export class FieldKeys {
  private constructor(
    readonly keyId: number,
    readonly dataKey: KeyObject,
    readonly indexKey: KeyObject,
  ) {}

  /**
   * `master` is the 32-byte database key as unwrapped by whoever keeps it (the OS key store in
   * Electron, a 0600 key file on the headless host). `keyId` (0–255) goes into every envelope so a
   * later key rotation can tell generations apart.
   */
  static fromMasterKey(master: Buffer, keyId = 1): FieldKeys {
    if (master.length !== 32) throw new StoreError('master_key_invalid', 'master key must be 32 bytes');
    if (!Number.isInteger(keyId) || keyId < 0 || keyId > 255) {
      throw new StoreError('master_key_invalid', 'key id must be an integer 0-255');
    }
    const derive = (info: Buffer): KeyObject =>
      createSecretKey(Buffer.from(hkdfSync('sha256', master, HKDF_SALT, info, 32)));
    return new FieldKeys(keyId, derive(DATA_KEY_INFO), derive(INDEX_KEY_INFO));
  }
}

/** ID numbers are compared after trimming, upper-casing (the X check digit) and removing spaces. */
export function normaliseIdNumber(idNumber: string): string {
  return idNumber.trim().toUpperCase().replace(/\s+/g, '');
}

export class FieldCipher {
  constructor(private readonly keys: FieldKeys) {}

  encrypt(plain: string, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.dataKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const head = Buffer.from([ENVELOPE_VERSION, this.keys.keyId]);
    return Buffer.concat([head, iv, cipher.getAuthTag(), body]);
  }

  decrypt(blob: Buffer, context: string): string {
    if (blob.length < HEADER_BYTES) throw new FieldDecryptError(context, 'envelope too short');
    if (blob[0] !== ENVELOPE_VERSION) throw new FieldDecryptError(context, `unknown envelope version ${blob[0]}`);
    if (blob[1] !== this.keys.keyId) throw new FieldDecryptError(context, `unknown key id ${blob[1]}`);
    const iv = blob.subarray(2, 2 + IV_BYTES);
    const tag = blob.subarray(2 + IV_BYTES, HEADER_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.keys.dataKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new FieldDecryptError(context, 'authentication failed (tampered, wrong key or wrong context)');
    }
  }

  /** Encrypts when present; null and undefined stay NULL. */
  encryptOptional(plain: string | null | undefined, context: string): Buffer | null {
    return plain == null ? null : this.encrypt(plain, context);
  }

  decryptOptional(blob: Buffer | null, context: string): string | null {
    return blob === null ? null : this.decrypt(blob, context);
  }

  /** Blind index for equality search: HMAC-SHA256(index key, normalised ID number), hex. */
  blindIndex(idNumber: string): string {
    return createHmac('sha256', this.keys.indexKey).update(normaliseIdNumber(idNumber), 'utf8').digest('hex');
  }
}

/** AAD for one personal field of one row, e.g. fieldContext('cases.applicant_name', caseId). */
export function fieldContext(column: string, rowId: string): string {
  return `${column}#${rowId}`;
}
