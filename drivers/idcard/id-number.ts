import { chinaDate } from '../../main/domain/clock';
/**
 * Citizen identity numbers, GB 11643-1999: 6-digit region, 8-digit birth date, 3-digit sequence (odd =
 * male), 1 check character: Σ(digit × weight) mod 11 indexes "10X98765432".
 *
 * The 2023 foreigner permanent residence card (kind `Y`) numbers the same way, with another first block:
 * `9` (marks a foreigner; citizens' numbers start 1–8), 2-digit province code of the accepting authority,
 * 3-digit numeric country code (ISO 3166-1 numeric, the nationality when first issued), then birth date,
 * sequence and check character exactly as GB 11643.
 *
 * Results carry a problem code, never the number itself (it is personal data).
 */

export const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
export const ID_CHECK_CHARS = '10X98765432';

/** First two digits of the region code: provinces, plus 71 (Taiwan) and 81/82/83 (HK/Macao/Taiwan residence permits). */
export const ID_PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** Provinces only (no 71 Taiwan, no 81/82/83): where a foreigner permanent residence card is accepted. */
export const ID_MAINLAND_PROVINCE_CODES: ReadonlySet<string> = new Set([...ID_PROVINCE_CODES].filter((c) => c < '70'));

/** The check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('idCheckChar needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] as number);
  return ID_CHECK_CHARS[sum % 11] as string;
}

/** Build a complete number from region (6 digits), birth date (YYYYMMDD) and sequence (3 digits). For synthetic fixtures. */
export function makeIdNumber(region: string, birth: string, sequence: string): string {
  const first17 = `${region}${birth}${sequence}`;
  return first17 + idCheckChar(first17);
}

export type IdNumberProblem = 'format' | 'region' | 'birth_date' | 'check_digit';

export type IdNumberCheck =
  | { ok: true; region: string; birthDate: string; sex: 'male' | 'female' }
  | { ok: false; problem: IdNumberProblem; message: string };

/** YYYYMMDD → YYYY-MM-DD when it is a real calendar date, else null. */
export function calendarDate(yyyymmdd: string): string | null {
  if (!/^\d{8}$/.test(yyyymmdd)) return null;
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1 || m < 1 || m > 12 || d < 1) return null;
  const days = new Date(Date.UTC(2000, m, 0)).getUTCDate(); // month length in a leap year
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (m === 2 && !leap ? 28 : days)) return null;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/** Earliest birth year we accept as plausible on a card in use. */
export const MIN_BIRTH_YEAR = 1890;

type NumberScheme = { regionOk(id: string): boolean; label: string };

const CITIZEN: NumberScheme = { regionOk: (id) => ID_PROVINCE_CODES.has(id.slice(0, 2)), label: 'ID number' };
const FOREIGN_PERMANENT: NumberScheme = { regionOk: (id) => id[0] === '9' && ID_MAINLAND_PROVINCE_CODES.has(id.slice(1, 3)), label: 'Card number' };

function checkNumber(id: string, scheme: NumberScheme, now: Date | undefined): IdNumberCheck {
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, problem: 'format', message: `${scheme.label} must be 17 digits and a digit or X` };
  if (!scheme.regionOk(id)) return { ok: false, problem: 'region', message: `${scheme.label} has an unknown region code` };
  const birth = calendarDate(id.slice(6, 14));
  if (!birth || Number(birth.slice(0, 4)) < MIN_BIRTH_YEAR || (now && birth > chinaDate(now))) {
    return { ok: false, problem: 'birth_date', message: `${scheme.label} has an implausible birth date` };
  }
  if (idCheckChar(id.slice(0, 17)) !== id[17]) return { ok: false, problem: 'check_digit', message: `${scheme.label} check character is wrong` };
  return { ok: true, region: id.slice(0, 6), birthDate: birth, sex: Number(id[16]) % 2 === 1 ? 'male' : 'female' };
}

/**
 * Validate an 18-character number. Birth date plausibility: a real date, not before 1890, and not after
 * `now` when given (pass the injected clock's date).
 */
export function validateIdNumber(id: string, options: { now?: Date } = {}): IdNumberCheck {
  return checkNumber(id, CITIZEN, options.now);
}

/**
 * Validate the number of a 2023 foreigner permanent residence card: as `validateIdNumber`, but the first
 * digit must be 9 and the next two a mainland province code. `region` is the first six digits (9,
 * province, numeric country code). The country digits are not checked against a table: they record the
 * nationality at first issue, which may differ from the card's nationality field.
 */
export function validateForeignPermanentNumber(id: string, options: { now?: Date } = {}): IdNumberCheck {
  return checkNumber(id, FOREIGN_PERMANENT, options.now);
}

/** The calendar date in China (UTC+8, no daylight saving) at an instant, as YYYY-MM-DD. */
export { chinaDate } from '../../main/domain/clock';
