/**
 * Decoding the 256-byte card text into typed records, for the four layouts of the hardware note: resident
 * ID card (kind char space), HK/Macao/Taiwan residence permit (`J`), the 2017 foreigner permanent residence
 * card (`I`) and the 2023 one (`Y`, layout from a public reader SDK header); any other kind char is
 * `unknown_card_kind`. Never throws; never returns garbage: every field is checked (dates are real dates,
 * codes are in their tables, ID and card numbers pass GB 11643).
 *
 * Error messages name the field and the problem, never the value (it is personal data).
 */
import { genderFromCode, nationFromCode, type Gender, type Nation } from './codes';
import { calendarDate, validateForeignPermanentNumber, validateIdNumber, type IdNumberCheck } from './id-number';
import { CARD_KIND_CHARS, CARD_TEXT_LENGTH, CITIZEN_CORE_LAYOUT, FOREIGN_2017_LAYOUT, FOREIGN_2023_LAYOUT, HMT_LAYOUT, KIND_OFFSET, LONG_TERM_TEXT, RESIDENT_LAYOUT, readField, type FieldSpec } from './layout';
import { hexByte } from './protocol';

/** YYYY-MM-DD */
export type IsoDate = string;
/** A date, or 'long_term' for 长期. */
export type ValidTo = IsoDate | 'long_term';

export interface ResidentIdCard {
  kind: 'resident';
  name: string;
  gender: Gender;
  nation: Nation;
  birthDate: IsoDate;
  address: string;
  idNumber: string;
  issuingAuthority: string;
  validFrom: IsoDate;
  validTo: ValidTo;
}

export interface HmtResidencePermit {
  kind: 'hmt_residence';
  name: string;
  gender: Gender;
  birthDate: IsoDate;
  address: string;
  idNumber: string;
  issuingAuthority: string;
  validFrom: IsoDate;
  validTo: ValidTo;
  /** 港澳居民来往内地通行证 / 台湾居民来往大陆通行证 number. */
  passNumber: string;
  issueCount: number;
}

export interface ForeignPermanentResidence2017 {
  kind: 'foreign_permanent_2017';
  englishName: string;
  /** May be empty: not every holder has a Chinese name. */
  chineseName: string;
  gender: Gender;
  permitNumber: string;
  /** ISO 3166-1 alpha-3. */
  nationality: string;
  birthDate: IsoDate;
  validFrom: IsoDate;
  validTo: ValidTo;
  cardVersion: string;
  issuingAuthorityCode: string;
}

export interface ForeignPermanentResidence2023 {
  kind: 'foreign_permanent_2023';
  /** May be empty: not every holder has a Chinese name. */
  chineseName: string;
  /** Up to 46 characters: the card's two English-name fields joined. */
  englishName: string;
  gender: Gender;
  /** 换证次数: how many times the card was renewed (0 for the first card). */
  renewalCount: number;
  birthDate: IsoDate;
  /** 18 characters, GB 11643 check character, first digit 9. */
  cardNumber: string;
  /** ISO 3166-1 alpha-3. */
  nationality: string;
  validFrom: IsoDate;
  validTo: ValidTo;
  /** Link to the holder's previous-version card number (up to 3 capital letters/digits); null when blank on the card. */
  previousCardLink: string | null;
}

export type IdCardRecord = ResidentIdCard | HmtResidencePermit | ForeignPermanentResidence2017 | ForeignPermanentResidence2023;
export type IdCardKind = IdCardRecord['kind'];

export type CardDecodeError =
  | { code: 'text_length'; expected: number; got: number; message: string }
  | { code: 'unknown_card_kind'; kindChar: string; message: string }
  | { code: 'invalid_field'; field: string; problem: string; message: string };

export type CardDecodeResult = { ok: true; card: IdCardRecord } | { ok: false; error: CardDecodeError };

class FieldError {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {}
}

/** Control characters, replacement characters (from lone surrogates), and private-use code points are not text. */
const NOT_TEXT = /[\p{Cc}\p{Co}\uFFFD]/u;

function text(bytes: Uint8Array, spec: FieldSpec, field: string, opts: { required: boolean }): string {
  const value = readField(bytes, spec).trim();
  if (NOT_TEXT.test(value)) throw new FieldError(field, 'not text');
  if (opts.required && value.length === 0) throw new FieldError(field, 'empty');
  return value;
}

function date(bytes: Uint8Array, spec: FieldSpec, field: string): IsoDate {
  const d = calendarDate(readField(bytes, spec));
  if (!d) throw new FieldError(field, 'not a date');
  return d;
}

function validTo(bytes: Uint8Array, spec: FieldSpec, from: IsoDate): ValidTo {
  const raw = readField(bytes, spec);
  if (raw === LONG_TERM_TEXT) return 'long_term';
  const d = calendarDate(raw);
  if (!d) throw new FieldError('validTo', 'not a date or 长期');
  if (d < from) throw new FieldError('validTo', 'before validFrom');
  return d;
}

function gender(bytes: Uint8Array, spec: FieldSpec): Gender {
  const g = genderFromCode(readField(bytes, spec));
  if (!g) throw new FieldError('gender', 'unknown code');
  return g;
}

/** A GB 11643-style number: valid by `validate`, in `regions` when given, its birth date the card's. */
function gbNumber(
  bytes: Uint8Array,
  spec: FieldSpec,
  field: string,
  birthDate: IsoDate,
  validate: (id: string) => IdNumberCheck,
  regions: readonly string[] | null = null,
): string {
  const id = readField(bytes, spec);
  const check = validate(id);
  if (!check.ok) throw new FieldError(field, check.problem);
  if (regions && !regions.includes(id.slice(0, 2))) throw new FieldError(field, 'region');
  if (check.birthDate !== birthDate) throw new FieldError(field, 'birth date differs from the birth field');
  return id;
}

function pattern(bytes: Uint8Array, spec: FieldSpec, field: string, re: RegExp): string {
  const value = readField(bytes, spec);
  if (!re.test(value)) throw new FieldError(field, 'format');
  return value;
}

/** The fields the resident card and the J permit share (CITIZEN_CORE_LAYOUT); `regions` limits the ID number's region prefix. */
function decodeCitizenCore(t: Uint8Array, regions?: readonly string[]) {
  const L = CITIZEN_CORE_LAYOUT;
  const birthDate = date(t, L.birth, 'birthDate');
  const validFrom = date(t, L.validFrom, 'validFrom');
  return {
    name: text(t, L.name, 'name', { required: true }),
    gender: gender(t, L.gender),
    birthDate,
    address: text(t, L.address, 'address', { required: true }),
    idNumber: gbNumber(t, L.idNumber, 'idNumber', birthDate, validateIdNumber, regions),
    issuingAuthority: text(t, L.issuingAuthority, 'issuingAuthority', { required: true }),
    validFrom,
    validTo: validTo(t, L.validTo, validFrom),
  };
}

function decodeResident(t: Uint8Array): ResidentIdCard {
  const nation = nationFromCode(readField(t, RESIDENT_LAYOUT.nation));
  if (!nation) throw new FieldError('nation', 'unknown code');
  const { name, gender: g, ...rest } = decodeCitizenCore(t);
  return { kind: 'resident', name, gender: g, nation, ...rest }; // the record's field order, as the card prints it
}

function decodeHmt(t: Uint8Array): HmtResidencePermit {
  const L = HMT_LAYOUT;
  return {
    kind: 'hmt_residence',
    ...decodeCitizenCore(t, ['81', '82', '83']),
    // HK/Macao: H or M + 8 digits; Taiwan: 8 digits.
    passNumber: pattern(t, L.passNumber, 'passNumber', /^(?:[HM]\d{8}|\d{8})$/),
    issueCount: Number(pattern(t, L.issueCount, 'issueCount', /^\d{2}$/)),
  };
}

function decodeForeign2017(t: Uint8Array): ForeignPermanentResidence2017 {
  const L = FOREIGN_2017_LAYOUT;
  const validFrom = date(t, L.validFrom, 'validFrom');
  return {
    kind: 'foreign_permanent_2017',
    englishName: text(t, L.englishName, 'englishName', { required: true }),
    chineseName: text(t, L.chineseName, 'chineseName', { required: false }),
    gender: gender(t, L.gender),
    // 3-letter nationality + 12 digits.
    permitNumber: pattern(t, L.permitNumber, 'permitNumber', /^[A-Z]{3}\d{12}$/),
    nationality: pattern(t, L.nationality, 'nationality', /^[A-Z]{3}$/),
    birthDate: date(t, L.birth, 'birthDate'),
    validFrom,
    validTo: validTo(t, L.validTo, validFrom),
    cardVersion: pattern(t, L.cardVersion, 'cardVersion', /^\d{2}$/),
    issuingAuthorityCode: pattern(t, L.issuingAuthorityCode, 'issuingAuthorityCode', /^[0-9A-Z]{1,4}$/),
  };
}

/**
 * The English name, split on the card: characters 1–35, then 36–46. A full first part keeps a space that
 * falls on its 35th character. A continuation after a first part that is not full (at most one space at
 * its edges) would put a run of padding inside the name: refused.
 */
function englishName2023(t: Uint8Array): string {
  const L = FOREIGN_2023_LAYOUT;
  const firstChars = L.englishName.length / 2;
  const first = readField(t, L.englishName);
  const rest = readField(t, L.englishNameContinued);
  if (rest.trim() && first.trim().length < firstChars - 1) throw new FieldError('englishName', 'continuation after a short first part');
  const value = (first.padEnd(firstChars, ' ') + rest).trim();
  if (NOT_TEXT.test(value)) throw new FieldError('englishName', 'not text');
  if (value.length === 0) throw new FieldError('englishName', 'empty');
  return value;
}

function decodeForeign2023(t: Uint8Array): ForeignPermanentResidence2023 {
  const L = FOREIGN_2023_LAYOUT;
  const birthDate = date(t, L.birth, 'birthDate');
  const validFrom = date(t, L.validFrom, 'validFrom');
  const link = text(t, L.previousCardLink, 'previousCardLink', { required: false });
  if (link && !/^[0-9A-Z]{1,3}$/.test(link)) throw new FieldError('previousCardLink', 'format');
  return {
    kind: 'foreign_permanent_2023',
    chineseName: text(t, L.chineseName, 'chineseName', { required: false }),
    englishName: englishName2023(t),
    gender: gender(t, L.gender),
    renewalCount: Number(pattern(t, L.renewalCount, 'renewalCount', /^\d{1,2}$/)),
    birthDate,
    cardNumber: gbNumber(t, L.cardNumber, 'cardNumber', birthDate, validateForeignPermanentNumber),
    nationality: pattern(t, L.nationality, 'nationality', /^[A-Z]{3}$/),
    validFrom,
    validTo: validTo(t, L.validTo, validFrom),
    previousCardLink: link || null,
  };
}

/** The kind marker at byte 248 as a character (may be any UCS-2 unit). */
export function cardKindChar(textBytes: Uint8Array): string {
  return String.fromCharCode((textBytes[KIND_OFFSET] ?? 0) | ((textBytes[KIND_OFFSET + 1] ?? 0) << 8));
}

export function decodeCardText(textBytes: Uint8Array): CardDecodeResult {
  if (textBytes.length !== CARD_TEXT_LENGTH) {
    return { ok: false, error: { code: 'text_length', expected: CARD_TEXT_LENGTH, got: textBytes.length, message: `card text must be ${CARD_TEXT_LENGTH} bytes, got ${textBytes.length}` } };
  }
  const kind = cardKindChar(textBytes);
  try {
    switch (kind) {
      case CARD_KIND_CHARS.resident:
        return { ok: true, card: decodeResident(textBytes) };
      case CARD_KIND_CHARS.hmt_residence:
        return { ok: true, card: decodeHmt(textBytes) };
      case CARD_KIND_CHARS.foreign_permanent_2017:
        return { ok: true, card: decodeForeign2017(textBytes) };
      case CARD_KIND_CHARS.foreign_permanent_2023:
        return { ok: true, card: decodeForeign2023(textBytes) };
      default: {
        const code = kind.charCodeAt(0);
        const kindChar = code > 0xff ? `0x${code.toString(16).padStart(4, '0').toUpperCase()}` : hexByte(code);
        return { ok: false, error: { code: 'unknown_card_kind', kindChar, message: `unknown card kind ${kindChar} at byte ${KIND_OFFSET}` } };
      }
    }
  } catch (err) {
    if (err instanceof FieldError) {
      return { ok: false, error: { code: 'invalid_field', field: err.field, problem: err.problem, message: `invalid ${err.field}: ${err.problem}` } };
    }
    throw err;
  }
}

/** The name to show for any kind (Chinese name when present). */
export function displayName(card: IdCardRecord): string {
  if (card.kind === 'foreign_permanent_2017' || card.kind === 'foreign_permanent_2023') return card.chineseName || card.englishName;
  return card.name;
}

/** The document number for any kind. */
export function documentNumber(card: IdCardRecord): string {
  switch (card.kind) {
    case 'foreign_permanent_2017':
      return card.permitNumber;
    case 'foreign_permanent_2023':
      return card.cardNumber;
    default:
      return card.idNumber;
  }
}
