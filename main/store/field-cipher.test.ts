import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FieldDecryptError, StoreError } from './errors';
import { ENVELOPE_VERSION, FieldCipher, FieldKeys, normaliseIdNumber } from './field-cipher';
import { SAMPLE_APPLICANT, TEST_MASTER_KEY } from './test-support';

const cipher = new FieldCipher(FieldKeys.fromMasterKey(TEST_MASTER_KEY));
const CTX = 'cases.applicant_name#case-1';

function expectDecryptError(fn: () => unknown): FieldDecryptError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FieldDecryptError);
    if (err instanceof FieldDecryptError) {
      expect(err.code).toBe('field_decrypt_failed');
      return err;
    }
  }
  throw new Error('expected FieldDecryptError');
}

describe('FieldCipher.encrypt / decrypt', () => {
  it('round-trips Chinese text, ASCII and the empty string', () => {
    for (const plain of [SAMPLE_APPLICANT.name, SAMPLE_APPLICANT.address, SAMPLE_APPLICANT.idNumber, '', 'a'.repeat(5000)]) {
      expect(cipher.decrypt(cipher.encrypt(plain, CTX), CTX)).toBe(plain);
    }
  });

  it('writes the versioned envelope: version, key id, 12-byte IV, 16-byte tag, ciphertext', () => {
    const blob = cipher.encrypt(SAMPLE_APPLICANT.name, CTX);
    expect(blob[0]).toBe(ENVELOPE_VERSION);
    expect(blob[1]).toBe(1);
    expect(blob.length).toBe(2 + 12 + 16 + Buffer.byteLength(SAMPLE_APPLICANT.name, 'utf8'));
    expect(blob.includes(Buffer.from(SAMPLE_APPLICANT.name, 'utf8'))).toBe(false);
  });

  it('uses a fresh IV each time', () => {
    const a = cipher.encrypt(SAMPLE_APPLICANT.name, CTX);
    const b = cipher.encrypt(SAMPLE_APPLICANT.name, CTX);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(2, 14).equals(b.subarray(2, 14))).toBe(false);
  });

  it('detects tampering anywhere in the envelope', () => {
    const blob = cipher.encrypt(SAMPLE_APPLICANT.name, CTX);
    for (let i = 0; i < blob.length; i++) {
      const bad = Buffer.from(blob);
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      expectDecryptError(() => cipher.decrypt(bad, CTX));
    }
    expectDecryptError(() => cipher.decrypt(blob.subarray(0, blob.length - 1), CTX));
    expectDecryptError(() => cipher.decrypt(blob.subarray(0, 10), CTX));
    expectDecryptError(() => cipher.decrypt(Buffer.alloc(0), CTX));
  });

  it('refuses a ciphertext moved to another column or row', () => {
    const blob = cipher.encrypt(SAMPLE_APPLICANT.name, CTX);
    const err = expectDecryptError(() => cipher.decrypt(blob, 'cases.applicant_address#case-1'));
    expect(err.message).not.toContain(SAMPLE_APPLICANT.name);
    expectDecryptError(() => cipher.decrypt(blob, 'cases.applicant_name#case-2'));
  });

  it('refuses a ciphertext made with another master key', () => {
    const other = new FieldCipher(FieldKeys.fromMasterKey(Buffer.alloc(32, 8)));
    expectDecryptError(() => other.decrypt(cipher.encrypt('x', CTX), CTX));
  });

  it('handles optional fields as NULL', () => {
    expect(cipher.encryptOptional(null, CTX)).toBeNull();
    expect(cipher.encryptOptional(undefined, CTX)).toBeNull();
    expect(cipher.decryptOptional(null, CTX)).toBeNull();
    expect(cipher.decryptOptional(cipher.encryptOptional('x', CTX), CTX)).toBe('x');
  });
});

describe('FieldKeys', () => {
  it('derives distinct data and index keys from the master key', () => {
    const keys = FieldKeys.fromMasterKey(TEST_MASTER_KEY);
    const data = keys.dataKey.export();
    const index = keys.indexKey.export();
    expect(data.length).toBe(32);
    expect(index.length).toBe(32);
    expect(data.equals(index)).toBe(false);
    expect(data.equals(TEST_MASTER_KEY)).toBe(false);
    // The blind index uses the index key, not the data key.
    const viaData = createHmac('sha256', keys.dataKey).update(SAMPLE_APPLICANT.idNumber).digest('hex');
    expect(new FieldCipher(keys).blindIndex(SAMPLE_APPLICANT.idNumber)).not.toBe(viaData);
  });

  it('refuses a master key that is not 32 bytes and a bad key id', () => {
    expect(() => FieldKeys.fromMasterKey(Buffer.alloc(16))).toThrow(StoreError);
    expect(() => FieldKeys.fromMasterKey(TEST_MASTER_KEY, 256)).toThrow(StoreError);
  });

  it('writes the key id into the envelope and refuses another generation', () => {
    const gen2 = new FieldCipher(FieldKeys.fromMasterKey(TEST_MASTER_KEY, 2));
    const blob = gen2.encrypt('x', CTX);
    expect(blob[1]).toBe(2);
    expectDecryptError(() => cipher.decrypt(blob, CTX));
  });
});

describe('blindIndex', () => {
  const index = cipher.blindIndex(SAMPLE_APPLICANT.idNumber);

  it('is a deterministic HMAC-SHA256 hex string', () => {
    expect(index).toMatch(/^[0-9a-f]{64}$/);
    expect(cipher.blindIndex(SAMPLE_APPLICANT.idNumber)).toBe(index);
    expect(new FieldCipher(FieldKeys.fromMasterKey(TEST_MASTER_KEY)).blindIndex(SAMPLE_APPLICANT.idNumber)).toBe(index);
  });

  it('normalises case, spaces and surrounding whitespace', () => {
    for (const variant of ['11010519491231002x', ' 11010519491231002X\n', '110105 19491231 002x', '\t110105194912 31002X ']) {
      expect(cipher.blindIndex(variant)).toBe(index);
    }
    expect(normaliseIdNumber(' 110105 19491231002x ')).toBe('11010519491231002X');
  });

  it('differs for another ID number and under another master key', () => {
    expect(cipher.blindIndex('110105194912310037')).not.toBe(index);
    expect(new FieldCipher(FieldKeys.fromMasterKey(Buffer.alloc(32, 9))).blindIndex(SAMPLE_APPLICANT.idNumber)).not.toBe(index);
  });
});
