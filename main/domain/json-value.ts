/**
 * JSON values — what zod's `z.json()` accepts: strings, finite numbers, booleans, null, and arrays and
 * plain objects of those — checked in one iterative walk. `z.json()` is a recursive union that costs
 * 17–45 µs per case payload; every outbox row is checked on the console (append, read) and twice on
 * the hub (frame, batch), so this is the hub's ingest rate (docs/benchmarks.md "hall bench sync").
 * The property test holds it equal to `z.json()` on arbitrary values.
 */
import { z } from 'zod';

export type JsonValue = z.core.util.JSONType;

/** More nodes than a 4 MiB frame can hold (~2.1M at 2 bytes each): beyond it (a cyclic object built in code) the value is refused. */
const MAX_NODES = 3_000_000;

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isJsonValue(root: unknown): root is JsonValue {
  const stack: unknown[] = [root];
  let nodes = 0;
  while (stack.length > 0) {
    if (++nodes > MAX_NODES) return false;
    const v = stack.pop();
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
      continue;
    }
    if (typeof v !== 'object') return false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (!(i in v)) return false; // a hole
        stack.push(v[i]);
      }
      continue;
    }
    if (!isPlainObject(v)) return false;
    if (Object.getOwnPropertySymbols(v).length > 0) return false;
    for (const key of Object.keys(v)) stack.push((v as Record<string, unknown>)[key]);
  }
  return true;
}

/** Drop-in for `z.json()`: the same values pass; the value is returned as given (not copied). */
export const jsonValueSchema = z.custom<JsonValue>((v) => isJsonValue(v), { message: 'Invalid input: expected a JSON value' });
