/**
 * Citizen identity numbers, GB 11643-1999: 6-digit region, 8-digit birth date, 3-digit sequence (odd =
 * male), 1 check character: Σ(digit × weight) mod 11 indexes "10X98765432".
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

/**
 * Validate an 18-character number. Birth date plausibility: a real date, not before 1890, and not after
 * `now` when given (pass the injected clock's date).
 */
export function validateIdNumber(id: string, options: { now?: Date } = {}): IdNumberCheck {
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, problem: 'format', message: 'ID number must be 17 digits and a digit or X' };
  if (!ID_PROVINCE_CODES.has(id.slice(0, 2))) return { ok: false, problem: 'region', message: 'ID number has an unknown region code' };
  const birth = calendarDate(id.slice(6, 14));
  if (!birth || Number(birth.slice(0, 4)) < MIN_BIRTH_YEAR || (options.now && birth > chinaDate(options.now))) {
    return { ok: false, problem: 'birth_date', message: 'ID number has an implausible birth date' };
  }
  if (idCheckChar(id.slice(0, 17)) !== id[17]) return { ok: false, problem: 'check_digit', message: 'ID number check character is wrong' };
  return { ok: true, region: id.slice(0, 6), birthDate: birth, sex: Number(id[16]) % 2 === 1 ? 'male' : 'female' };
}

/** The calendar date in China (UTC+8, no daylight saving) at an instant, as YYYY-MM-DD. */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}
