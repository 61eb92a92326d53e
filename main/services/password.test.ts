import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password';

const FAST = { N: 1 << 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('窗口-口令-1', FAST);
    expect(stored.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('窗口-口令-1', stored)).toBe(true);
    expect(await verifyPassword('窗口-口令-2', stored)).toBe(false);
  });

  it('salts each hash', async () => {
    expect(await hashPassword('same', FAST)).not.toBe(await hashPassword('same', FAST));
  });

  it('treats malformed stored hashes as a mismatch', async () => {
    for (const bad of ['', 'plain', 'scrypt$x$8$1$AAAA$BBBB', 'bcrypt$10$abc', 'scrypt$1024$8$1$AAAAAAAAAAAAAAAA$short']) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });
});
