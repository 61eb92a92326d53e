/**
 * Property tests for the 256-byte card text decoder: random and mutated texts never crash it and only
 * give typed errors; whatever it accepts re-encodes to the same record; every valid record round-trips
 * through the emulator's encoder. 100 000 inputs per property (seeded; FC_SEED overrides).
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { encodeCardText } from '../emulators/cards';
import { decodeCardText, type CardDecodeError, type IdCardRecord } from './card';
import { NATIONS } from './codes';
import { makeIdNumber } from './id-number';
import { CARD_TEXT_LENGTH, KIND_OFFSET } from './layout';

const RUNS = 100_000;
const seed = Number(process.env.FC_SEED ?? 11643);
const LONG = 30_000;
const CODES: ReadonlySet<CardDecodeError['code']> = new Set(['text_length', 'unknown_card_kind', 'invalid_field']);

/** Fast filler: fast-check picks the seed, a xorshift fills the 256 bytes. */
function fill(seedValue: number, mode: 'bytes' | 'ascii' | 'digits'): Uint8Array {
  const t = new Uint8Array(CARD_TEXT_LENGTH);
  let x = seedValue | 1;
  for (let i = 0; i < t.length; i += 2) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    if (mode === 'bytes') {
      t[i] = x & 0xff;
      t[i + 1] = (x >>> 8) & 0xff;
    } else if (mode === 'ascii') {
      t[i] = 0x20 + ((x >>> 0) % 0x5f);
    } else {
      t[i] = (x >>> 0) % 4 === 0 ? 0x20 : 0x30 + ((x >>> 3) % 10);
    }
  }
  return t;
}

const randomText = fc
  .record({ s: fc.integer(), mode: fc.constantFrom('bytes', 'ascii', 'digits' as const), kind: fc.constantFrom(0x20, 0x4a, 0x49, 0x59, -1) })
  .map(({ s, mode, kind }) => {
    const t = fill(s, mode);
    if (kind >= 0) {
      t[KIND_OFFSET] = kind;
      t[KIND_OFFSET + 1] = 0;
    }
    return t;
  });

/** Decode never throws; errors are typed; an accepted text gives a record that re-encodes to itself. */
function check(text: Uint8Array): boolean {
  const r = decodeCardText(text);
  if (!r.ok) return CODES.has(r.error.code) && r.error.message.length > 0;
  const again = decodeCardText(encodeCardText(r.card));
  return again.ok && JSON.stringify(again.card) === JSON.stringify(r.card);
}

// --- valid records -------------------------------------------------------------------------------
// Built from one fast-check integer through a small PRNG: generating 100 000 rich records with
// fast-check's string arbitraries takes longer than the 10 s budget; a seed keeps runs reproducible.

function rng(seedValue: number): { int(n: number): number; pick<T>(xs: readonly T[]): T } {
  let a = seedValue >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] as (typeof xs)[number] };
}

const HAN = Array.from('测试甲乙丙丁戊己庚辛壬癸东西南北中华人民共和国省市区县路街号院楼·');
const UPPER = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
const UPPER_DIGITS = [...UPPER, ...'0123456789'];
/** Province codes for the 2nd–3rd digits of a Y card number (9 + province + numeric country). */
const Y_PROVINCES = ['11', '31', '44', '53', '65'];
const NATION_CODES = [...NATIONS.keys()];
const GENDERS = ['male', 'female', 'unknown', 'unspecified'] as const;
const DAY = 86_400_000;
const FIRST = Date.UTC(1900, 0, 1);
const SPAN = (Date.UTC(2060, 11, 31) - FIRST) / DAY;

function makeRecord(seedValue: number): IdCardRecord {
  const r = rng(seedValue);
  const str = (chars: readonly string[], min: number, max: number): string => Array.from({ length: min + r.int(max - min + 1) }, () => r.pick(chars)).join('');
  const digits = (n: number): string => Array.from({ length: n }, () => String(r.int(10))).join('');
  const date = (): string => new Date(FIRST + r.int(SPAN + 1) * DAY).toISOString().slice(0, 10);
  const han = (min: number, max: number): string => {
    const s = str(HAN, min, max);
    return s.startsWith('·') ? `测${s.slice(1)}` : s;
  };
  const a = date();
  const b = r.int(5) === 0 ? 'long_term' : date();
  const v = b !== 'long_term' && b < a ? { validFrom: b, validTo: a } : { validFrom: a, validTo: b };
  const birthDate = date();
  const gender = r.pick(GENDERS);
  const seq = digits(3);
  switch (r.int(4)) {
    case 0: {
      const nation = r.pick(NATION_CODES);
      return {
        kind: 'resident',
        name: han(1, 15),
        gender,
        nation: { code: nation, name: NATIONS.get(nation) as string },
        birthDate,
        address: han(1, 35),
        idNumber: makeIdNumber(r.pick(['110105', '440304', '650102', '710000']), compact(birthDate), seq),
        issuingAuthority: han(1, 15),
        ...v,
      };
    }
    case 1:
      return {
        kind: 'hmt_residence',
        name: han(1, 15),
        gender,
        birthDate,
        address: han(1, 35),
        idNumber: makeIdNumber(r.pick(['810000', '820000', '830000']), compact(birthDate), seq),
        issuingAuthority: han(1, 15),
        ...v,
        passNumber: r.int(3) === 0 ? digits(8) : `${r.pick(['H', 'M'])}${digits(8)}`,
        issueCount: r.int(100),
      };
    case 2: {
      // Up to 3 words of up to 14 letters joined with ', ': at most 46 characters, often past the 35 of the
      // first English-name field.
      const words = Array.from({ length: 1 + r.int(3) }, () => str(UPPER, 1, 14));
      return {
        kind: 'foreign_permanent_2023',
        chineseName: r.int(3) === 0 ? '' : han(1, 15),
        englishName: words.join(r.int(2) === 0 ? ', ' : ' '),
        gender,
        renewalCount: r.int(100),
        birthDate,
        cardNumber: makeIdNumber(`9${r.pick(Y_PROVINCES)}${digits(3)}`, compact(birthDate), seq),
        nationality: str(UPPER, 3, 3),
        ...v,
        previousCardLink: r.int(3) === 0 ? null : str(UPPER_DIGITS, 1, 3),
      };
    }
    default: {
      const words = Array.from({ length: 1 + r.int(3) }, () => str(UPPER, 1, 18));
      return {
        kind: 'foreign_permanent_2017',
        englishName: words.join(', '),
        chineseName: r.int(3) === 0 ? '' : han(1, 15),
        gender,
        permitNumber: `${str(UPPER, 3, 3)}${digits(12)}`,
        nationality: str(UPPER, 3, 3),
        birthDate,
        ...v,
        cardVersion: digits(2),
        issuingAuthorityCode: str(UPPER_DIGITS, 1, 4),
      };
    }
  }
}

const compact = (iso: string): string => iso.replaceAll('-', '');
const anyRecord = fc.integer().map(makeRecord);

describe('decodeCardText properties', () => {
  it(
    'random texts: no crash, typed errors only, accepted texts re-encode to the same record',
    () => {
      fc.assert(fc.property(randomText, check), { numRuns: RUNS, seed });
    },
    LONG,
  );

  it(
    'mutated valid texts (1–4 code units changed): no crash, typed errors only, never a half-decoded record',
    () => {
      const mutation = fc.array(fc.tuple(fc.integer({ min: 0, max: 127 }), fc.integer({ min: 0, max: 0xffff })), { minLength: 1, maxLength: 4 });
      fc.assert(
        fc.property(anyRecord, mutation, (record, muts) => {
          const t = encodeCardText(record);
          for (const [unit, value] of muts) {
            t[unit * 2] = value & 0xff;
            t[unit * 2 + 1] = value >> 8;
          }
          return check(t);
        }),
        { numRuns: RUNS, seed },
      );
    },
    LONG,
  );

  it(
    'every valid record round-trips: decode(encode(r)) = r',
    () => {
      fc.assert(
        fc.property(anyRecord, (record) => {
          const r = decodeCardText(encodeCardText(record));
          return r.ok && JSON.stringify(r.card) === JSON.stringify(record);
        }),
        { numRuns: RUNS, seed },
      );
    },
    LONG,
  );
});
