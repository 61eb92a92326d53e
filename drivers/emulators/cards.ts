/**
 * Synthetic cards for the emulated reader (tests, training mode, technician self-test). Everything here is
 * invented: names like 测试甲, the public sample number 11010519491231002X, and numbers generated with a
 * valid GB 11643 check character for invented birth dates (also the 9… number of the 2023 foreigner
 * card). Never put a real person's card here.
 *
 * `encodeCardText` writes the 256-byte text layout from a typed record, so decodeCardText(encodeCardText(r))
 * gives r back (tested as a property).
 */
import { genderCode } from '../idcard/codes';
import type { ForeignPermanentResidence2017, ForeignPermanentResidence2023, HmtResidencePermit, IdCardRecord, ResidentIdCard, ValidTo } from '../idcard/card';
import { makeIdNumber } from '../idcard/id-number';
import { CARD_KIND_CHARS, CARD_TEXT_LENGTH, CITIZEN_CORE_LAYOUT, FOREIGN_2017_LAYOUT, FOREIGN_2023_LAYOUT, HMT_LAYOUT, LONG_TERM_TEXT, RESIDENT_LAYOUT, writeField, type CardKindName } from '../idcard/layout';
import type { DecodedPhoto } from '../idcard/photo';
import { defaultPhotoLibrary, encodeEmulatorWlt, placeholderPortraitPng, type EmulatorPhotoLibrary } from './idcard-photo';

const compact = (iso: string): string => iso.replaceAll('-', '');
const validToText = (v: ValidTo): string => (v === 'long_term' ? LONG_TERM_TEXT : compact(v));

function blankText(kind: CardKindName): Uint8Array {
  const t = new Uint8Array(CARD_TEXT_LENGTH);
  for (let i = 0; i < t.length; i += 2) t[i] = 0x20; // UCS-2LE spaces
  writeField(t, RESIDENT_LAYOUT.kind, CARD_KIND_CHARS[kind], 'kind');
  return t;
}

/** The fields the resident card and the J permit share (CITIZEN_CORE_LAYOUT). */
function encodeCitizenCore(t: Uint8Array, r: ResidentIdCard | HmtResidencePermit): void {
  const L = CITIZEN_CORE_LAYOUT;
  writeField(t, L.name, r.name, 'name');
  writeField(t, L.gender, genderCode(r.gender), 'gender');
  writeField(t, L.birth, compact(r.birthDate), 'birthDate');
  writeField(t, L.address, r.address, 'address');
  writeField(t, L.idNumber, r.idNumber, 'idNumber');
  writeField(t, L.issuingAuthority, r.issuingAuthority, 'issuingAuthority');
  writeField(t, L.validFrom, compact(r.validFrom), 'validFrom');
  writeField(t, L.validTo, validToText(r.validTo), 'validTo');
}

function encodeResident(r: ResidentIdCard): Uint8Array {
  const t = blankText('resident');
  encodeCitizenCore(t, r);
  writeField(t, RESIDENT_LAYOUT.nation, r.nation.code, 'nation');
  return t;
}

function encodeHmt(r: HmtResidencePermit): Uint8Array {
  const t = blankText('hmt_residence');
  encodeCitizenCore(t, r);
  writeField(t, HMT_LAYOUT.passNumber, r.passNumber, 'passNumber');
  writeField(t, HMT_LAYOUT.issueCount, String(r.issueCount).padStart(2, '0'), 'issueCount');
  return t;
}

function encodeForeign2017(r: ForeignPermanentResidence2017): Uint8Array {
  const t = blankText('foreign_permanent_2017');
  const L = FOREIGN_2017_LAYOUT;
  writeField(t, L.englishName, r.englishName, 'englishName');
  writeField(t, L.gender, genderCode(r.gender), 'gender');
  writeField(t, L.permitNumber, r.permitNumber, 'permitNumber');
  writeField(t, L.nationality, r.nationality, 'nationality');
  writeField(t, L.chineseName, r.chineseName, 'chineseName');
  writeField(t, L.validFrom, compact(r.validFrom), 'validFrom');
  writeField(t, L.validTo, validToText(r.validTo), 'validTo');
  writeField(t, L.birth, compact(r.birthDate), 'birthDate');
  writeField(t, L.cardVersion, r.cardVersion, 'cardVersion');
  writeField(t, L.issuingAuthorityCode, r.issuingAuthorityCode, 'issuingAuthorityCode');
  return t;
}

function encodeForeign2023(r: ForeignPermanentResidence2023): Uint8Array {
  const t = blankText('foreign_permanent_2023');
  const L = FOREIGN_2023_LAYOUT;
  const firstChars = L.englishName.length / 2;
  const maxChars = firstChars + L.englishNameContinued.length / 2;
  if (r.englishName.length > maxChars) throw new RangeError(`englishName is ${r.englishName.length} characters, the card holds ${maxChars}`);
  writeField(t, L.chineseName, r.chineseName, 'chineseName');
  writeField(t, L.gender, genderCode(r.gender), 'gender');
  writeField(t, L.renewalCount, String(r.renewalCount).padStart(2, '0'), 'renewalCount');
  writeField(t, L.birth, compact(r.birthDate), 'birthDate');
  writeField(t, L.englishName, r.englishName.slice(0, firstChars), 'englishName');
  writeField(t, L.cardNumber, r.cardNumber, 'cardNumber');
  writeField(t, L.validFrom, compact(r.validFrom), 'validFrom');
  writeField(t, L.validTo, validToText(r.validTo), 'validTo');
  writeField(t, L.englishNameContinued, r.englishName.slice(firstChars), 'englishName');
  writeField(t, L.nationality, r.nationality, 'nationality');
  writeField(t, L.previousCardLink, r.previousCardLink ?? '', 'previousCardLink');
  return t;
}

/** The 256-byte card text for a record. Throws RangeError when a value does not fit its field. */
export function encodeCardText(record: IdCardRecord): Uint8Array {
  switch (record.kind) {
    case 'resident':
      return encodeResident(record);
    case 'hmt_residence':
      return encodeHmt(record);
    case 'foreign_permanent_2017':
      return encodeForeign2017(record);
    case 'foreign_permanent_2023':
      return encodeForeign2023(record);
  }
}

/** What an emulated reader holds for one card: the bytes it answers with. */
export interface EmulatedCard {
  /** For test names and logs; synthetic, but still never print the number itself. */
  label: string;
  kind: CardKindName;
  /** 256 bytes, UCS-2LE. */
  text: Uint8Array;
  /** 1024 bytes of (synthetic) WLT. */
  wlt: Uint8Array;
  /** Answered to 30 10; empty when the card holds no fingerprint. */
  fingerprint: Uint8Array;
  /** Answered to 30 03; null → status 91 (no content). */
  appendedAddress: string | null;
}

export interface EmulatedCardOptions {
  label?: string;
  /** Default: the built-in face-free placeholder. */
  photo?: DecodedPhoto;
  /** Must be the library the decoder uses when the photo is larger than 1008 bytes. */
  photoLibrary?: EmulatorPhotoLibrary;
  /** Default: 1024 synthetic bytes. Pass an empty array for a card without fingerprint. */
  fingerprint?: Uint8Array;
  appendedAddress?: string | null;
}

/** A deterministic, obviously synthetic fingerprint block (not a real template). */
export function syntheticFingerprint(seed = 1): Uint8Array {
  const out = new Uint8Array(1024);
  out.set(Array.from('HALLEMUFP', (c) => c.charCodeAt(0)), 0);
  let x = seed >>> 0 || 1;
  for (let i = 9; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function makeEmulatedCard(record: IdCardRecord, options: EmulatedCardOptions = {}): EmulatedCard {
  return {
    label: options.label ?? `synthetic ${record.kind}`,
    kind: record.kind,
    text: encodeCardText(record),
    wlt: encodeEmulatorWlt(options.photo ?? { mime: 'image/png', bytes: placeholderPortraitPng() }, options.photoLibrary ?? defaultPhotoLibrary),
    fingerprint: options.fingerprint ?? syntheticFingerprint(),
    appendedAddress: options.appendedAddress ?? null,
  };
}

/** The same card with another photo (e.g. a face image the camera tests match against). */
export function withPhoto(card: EmulatedCard, photo: DecodedPhoto, library: EmulatorPhotoLibrary = defaultPhotoLibrary): EmulatedCard {
  return { ...card, wlt: encodeEmulatorWlt(photo, library) };
}

/**
 * A 2023 foreigner permanent residence card (kind `Y`) for the synthetic holder 测试戊 (English name longer
 * than 35 characters, so it fills the continuation field), without fingerprint by default.
 */
export function makeForeign2023Card(options: EmulatedCardOptions = {}): EmulatedCard {
  return makeEmulatedCard(SYNTHETIC_RECORDS.foreign_2023, {
    photo: { mime: 'image/png', bytes: placeholderPortraitPng(110) },
    fingerprint: new Uint8Array(0),
    ...options,
  });
}

/** Invented people. 测试甲 carries the public sample number from GB 11643's examples. */
export const SYNTHETIC_RECORDS = {
  resident: {
    kind: 'resident',
    name: '测试甲',
    gender: 'female',
    nation: { code: '01', name: '汉' },
    birthDate: '1949-12-31',
    address: '北京市东城区测试路1号',
    idNumber: '11010519491231002X',
    issuingAuthority: '北京市公安局测试分局',
    validFrom: '2015-01-01',
    validTo: 'long_term',
  },
  resident_expired: {
    kind: 'resident',
    name: '测试乙',
    gender: 'male',
    nation: { code: '02', name: '蒙古' },
    birthDate: '1990-03-07',
    address: '内蒙古自治区测试市演示路88号',
    idNumber: makeIdNumber('150102', '19900307', '013'),
    issuingAuthority: '测试市公安局',
    validFrom: '2006-03-07',
    validTo: '2016-03-07',
  },
  hmt: {
    kind: 'hmt_residence',
    name: '测试丙',
    gender: 'male',
    birthDate: '1985-06-15',
    address: '广东省深圳市测试区样例街2号',
    idNumber: makeIdNumber('810000', '19850615', '031'),
    issuingAuthority: '深圳市公安局',
    validFrom: '2024-01-01',
    validTo: '2029-01-01',
    passNumber: 'H90000001',
    issueCount: 1,
  },
  foreign_2017: {
    kind: 'foreign_permanent_2017',
    englishName: 'TEST, SAMPLE GAMMA',
    chineseName: '测试丁',
    gender: 'female',
    permitNumber: 'CAN110087010112',
    nationality: 'CAN',
    birthDate: '1987-01-01',
    validFrom: '2020-01-01',
    validTo: '2030-01-01',
    cardVersion: '01',
    issuingAuthorityCode: '1500',
  },
  foreign_2023: {
    kind: 'foreign_permanent_2023',
    chineseName: '测试戊',
    // 38 characters: 35 in the first field, 3 in the continuation.
    englishName: 'TEST, SAMPLE DELTA EXTRALONG FORENAMES',
    gender: 'male',
    renewalCount: 1,
    birthDate: '1988-04-12',
    // 9 (foreigner), 11 (accepted in Beijing), 276 (Germany, ISO 3166 numeric), birth date, sequence 015 (odd: male).
    cardNumber: makeIdNumber('911276', '19880412', '015'),
    nationality: 'DEU',
    validFrom: '2024-03-01',
    validTo: '2034-03-01',
    previousCardLink: 'DEU',
  },
} as const satisfies Record<string, IdCardRecord>;

export type SampleCardName = keyof typeof SYNTHETIC_RECORDS;

/** One emulated card per kind (and an expired resident card). */
export function sampleCards(options: { photoLibrary?: EmulatorPhotoLibrary } = {}): Record<SampleCardName, EmulatedCard> {
  const lib = options.photoLibrary ? { photoLibrary: options.photoLibrary } : {};
  return {
    resident: makeEmulatedCard(SYNTHETIC_RECORDS.resident, { label: 'resident 测试甲', appendedAddress: '北京市东城区测试路2号院3号楼', ...lib }),
    resident_expired: makeEmulatedCard(SYNTHETIC_RECORDS.resident_expired, { label: 'resident (expired) 测试乙', photo: { mime: 'image/png', bytes: placeholderPortraitPng(120) }, ...lib }),
    hmt: makeEmulatedCard(SYNTHETIC_RECORDS.hmt, { label: 'HK/Macao/Taiwan permit 测试丙', photo: { mime: 'image/png', bytes: placeholderPortraitPng(90) }, fingerprint: new Uint8Array(0), ...lib }),
    foreign_2017: makeEmulatedCard(SYNTHETIC_RECORDS.foreign_2017, { label: 'foreigner permanent residence 2017 测试丁', photo: { mime: 'image/png', bytes: placeholderPortraitPng(70) }, ...lib }),
    foreign_2023: makeForeign2023Card({ label: 'foreigner permanent residence 2023 测试戊', ...lib }),
  };
}
