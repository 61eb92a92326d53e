import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isJsonValue, jsonValueSchema } from './json-value';

const zodJson = z.json();

class Box {
  constructor(readonly v: number) {}
}

describe('isJsonValue', () => {
  it('agrees with z.json() on arbitrary values, JSON or not', () => {
    const weird = fc.constantFrom<unknown>(undefined, Number.NaN, Infinity, -Infinity, () => 1, Symbol('s'), 10n, new Date(0), new Map(), new Box(1), [1, , 3], { [Symbol('k')]: 1 });
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), weird, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 4 }), tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(isJsonValue(v)).toBe(zodJson.safeParse(v).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes what JSON.parse makes, refuses 1e999 (Infinity) and cycles', () => {
    expect(isJsonValue(JSON.parse('{"a":[1,"x",null,true,{"b":{}}],"constructor":"c","__proto__":1}'))).toBe(true);
    expect(isJsonValue(Object.create(null))).toBe(true);
    expect(isJsonValue(JSON.parse('[1e999]'))).toBe(false);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(isJsonValue(cyclic)).toBe(false);
    expect(jsonValueSchema.safeParse({ at: undefined }).success).toBe(false);
    expect(jsonValueSchema.parse({ a: 1 })).toEqual({ a: 1 });
  });
});
