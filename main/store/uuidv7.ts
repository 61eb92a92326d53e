import { randomBytes } from 'node:crypto';

/**
 * UUID version 7 (RFC 9562): 48-bit Unix milliseconds, version 7, 74 random bits, variant 10.
 * Node 20 has no built-in v7. Sortable by time at millisecond resolution.
 */
export function uuidv7(now: Date = new Date(), random: Buffer = randomBytes(10)): string {
  const ms = now.getTime();
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new RangeError('uuidv7: time out of range');
  if (random.length < 10) throw new RangeError('uuidv7: need 10 random bytes');
  const b = Buffer.alloc(16);
  b.writeUIntBE(ms, 0, 6);
  random.copy(b, 6, 0, 10);
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const UUIDV7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
