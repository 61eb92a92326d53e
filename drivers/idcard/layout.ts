/**
 * The 256-byte text record of a card (hardware note): UCS-2 little-endian, space padded; byte 248 (one
 * UCS-2 character) says which kind of card it is. Offsets and lengths are in bytes. One table per kind,
 * shared by the decoder (card.ts) and the emulator's encoder (emulators/cards.ts).
 */

export const CARD_TEXT_LENGTH = 256;
export const KIND_OFFSET = 248;

export interface FieldSpec {
  offset: number;
  length: number;
}

const f = (offset: number, length: number): FieldSpec => ({ offset, length });

/**
 * The fields the resident ID card and the `J` residence permit share, at the same offsets (the note:
 * "as the resident ID for 0–219").
 */
export const CITIZEN_CORE_LAYOUT = {
  name: f(0, 30),
  gender: f(30, 2),
  birth: f(36, 16),
  address: f(52, 70),
  idNumber: f(122, 36),
  issuingAuthority: f(158, 30),
  validFrom: f(188, 16),
  validTo: f(204, 16),
} as const;

/** 居民身份证 (kind char: space). */
export const RESIDENT_LAYOUT = {
  ...CITIZEN_CORE_LAYOUT,
  nation: f(32, 4),
  kind: f(248, 2),
} as const;

/** 港澳台居民居住证 (kind char `J`): the resident layout for 0–219 (32/4 reserved), then its own fields. */
export const HMT_LAYOUT = {
  ...CITIZEN_CORE_LAYOUT,
  reserved1: f(32, 4),
  passNumber: f(220, 18),
  issueCount: f(238, 4),
  reserved2: f(242, 6),
  kind: f(248, 2),
} as const;

/** 外国人永久居留身份证, 2017 edition (kind char `I`). */
export const FOREIGN_2017_LAYOUT = {
  englishName: f(0, 120),
  gender: f(120, 2),
  permitNumber: f(122, 30),
  nationality: f(152, 6),
  chineseName: f(158, 30),
  validFrom: f(188, 16),
  validTo: f(204, 16),
  birth: f(220, 16),
  cardVersion: f(236, 4),
  issuingAuthorityCode: f(240, 8),
  kind: f(248, 2),
  reserved: f(250, 6),
} as const;

/**
 * 外国人永久居留身份证, 2023 edition (kind char `Y`), from a public reader SDK header. The English name
 * is split: characters 1–35 at 52, characters 36–46 at 220. The card number is 18 characters numbered as
 * GB 11643 with a leading 9 (id-number.ts).
 */
export const FOREIGN_2023_LAYOUT = {
  chineseName: f(0, 30),
  gender: f(30, 2),
  renewalCount: f(32, 4),
  birth: f(36, 16),
  englishName: f(52, 70),
  cardNumber: f(122, 36),
  reserved1: f(158, 30),
  validFrom: f(188, 16),
  validTo: f(204, 16),
  englishNameContinued: f(220, 22),
  nationality: f(242, 6),
  kind: f(248, 2),
  previousCardLink: f(250, 6),
} as const;

export const CARD_KIND_CHARS = {
  resident: ' ',
  hmt_residence: 'J',
  foreign_permanent_2017: 'I',
  foreign_permanent_2023: 'Y',
} as const;

export type CardKindName = keyof typeof CARD_KIND_CHARS;

/** On the card, a long-term validity end is written as these characters. */
export const LONG_TERM_TEXT = '长期';

/** Read a field as text: UCS-2LE, trailing spaces (and NULs) removed. Lone surrogates become U+FFFD. */
export function readField(text: Uint8Array, spec: FieldSpec): string {
  const end = Math.min(text.length, spec.offset + spec.length);
  let s = '';
  for (let i = spec.offset; i + 1 < end; i += 2) s += String.fromCharCode((text[i] as number) | ((text[i + 1] as number) << 8));
  return s.replace(LONE_SURROGATE, '\uFFFD').replace(/[ \u0000]+$/u, '');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Write a value into a field, space padded. Throws RangeError when it does not fit (UCS-2: BMP only). */
export function writeField(text: Uint8Array, spec: FieldSpec, value: string, fieldName = 'field'): void {
  const maxChars = spec.length / 2;
  if (value.length > maxChars) throw new RangeError(`${fieldName} is ${value.length} characters, the card holds ${maxChars}`);
  for (let i = 0; i < maxChars; i++) {
    const code = i < value.length ? value.charCodeAt(i) : 0x20;
    text[spec.offset + i * 2] = code & 0xff;
    text[spec.offset + i * 2 + 1] = code >> 8;
  }
}

/** UCS-2LE bytes of a whole string (appended address answers). */
export function decodeUcs2(bytes: Uint8Array): string {
  return readField(bytes, { offset: 0, length: bytes.length - (bytes.length % 2) });
}
