/**
 * Canonical JSON for signed update documents (docs/security.md, "Signed updates"): RFC 8785 (JCS)
 * restricted to the values our documents hold — null, booleans, strings, safe integers, arrays and
 * objects. Object keys sorted by UTF-16 code units at every level, no whitespace, strings escaped as
 * `JSON.stringify` does (the same as JCS), UTF-8, no BOM, no trailing newline. Fractions, -0 spelled
 * "-0", non-safe integers, `undefined`, functions and other non-JSON values are refused (a signed
 * document has exactly one spelling).
 */

export class CanonicalJsonError extends Error {}

const MAX_DEPTH = 32;

function write(value: unknown, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) throw new CanonicalJsonError(`nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value === 'boolean') {
    out.push(String(value));
  } else if (typeof value === 'string') {
    out.push(JSON.stringify(value));
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CanonicalJsonError(`number ${String(value)} is not a safe integer`);
    out.push(Object.is(value, -0) ? '0' : String(value));
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      write(item, depth + 1, out);
    });
    out.push(']');
  } else if (typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) {
    const obj = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, as RFC 8785 asks.
    const keys = Object.keys(obj).sort();
    out.push('{');
    keys.forEach((key, i) => {
      if (obj[key] === undefined) throw new CanonicalJsonError(`key ${JSON.stringify(key)} is undefined`);
      if (i > 0) out.push(',');
      out.push(JSON.stringify(key), ':');
      write(obj[key], depth + 1, out);
    });
    out.push('}');
  } else {
    throw new CanonicalJsonError(`a ${typeof value} has no JSON form`);
  }
}

/** The canonical text of `value`; throws CanonicalJsonError for values outside the subset above. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, 0, out);
  return out.join('');
}

/** The canonical UTF-8 bytes of `value` (what is signed and what `manifest.json` holds). */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}
