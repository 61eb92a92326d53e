import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, CanonicalJsonError } from './canonical-json';
import { UpdateManifest } from './manifest';
import { manifestOf } from './test-support';

describe('canonicalJson', () => {
  it('sorts keys at every level (UTF-16 order), no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ z: true, y: null }], A: 'x', é: 0, '10': -3 })).toBe('{"10":-3,"A":"x","a":[{"y":null,"z":true}],"b":1,"é":0}');
    // UTF-16 code units, as RFC 8785: U+1F600 (surrogates D83D DE00) sorts before U+FB01, unlike code point order.
    expect(canonicalJson({ '\uFB01': 2, '\u{1F600}': 1 })).toBe('{"\u{1F600}":1,"\uFB01":2}');
    expect(canonicalJson('a"\\\n\u0001\u2028')).toBe('"a\\"\\\\\\n\\u0001\u2028"');
  });

  it('refuses values without a single JSON spelling', () => {
    for (const bad of [1.5, Number.NaN, Infinity, 2 ** 53, undefined, () => 1, new Date(0), { a: undefined }, [1n]]) {
      expect(() => canonicalJson(bad)).toThrow(CanonicalJsonError);
    }
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/deeper/);
  });

  it('round-trips: parse(canonical(x)) equals x, and canonical is a fixed point', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.maxSafeInteger(),
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'binary' }),
        fc.array(tie('value'), { maxLength: 5 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalJson(value);
        const back = JSON.parse(text) as unknown;
        expect(back).toEqual(value);
        expect(canonicalJson(back)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('a manifest survives the round trip through its schema', () => {
    const manifest = manifestOf();
    const text = canonicalJson(manifest);
    expect(text.startsWith('{"artifacts":[{"name":')).toBe(true);
    expect(canonicalJson(UpdateManifest.parse(JSON.parse(text)))).toBe(text);
  });
});
