/**
 * Receipt numbers (办件编号): hall code + date + console code + daily sequence, e.g.
 * `HALL01-20261126-C03-0042`. Unique across consoles without the hub because each console's code
 * is part of the number and each console counts its own sequence.
 */
const HALL_CODE = /^[A-Z0-9]{2,12}$/;
const CONSOLE_CODE = /^[A-Z][0-9A-Z]{1,7}$/;
const PATTERN = /^([A-Z0-9]{2,12})-(\d{8})-([A-Z][0-9A-Z]{1,7})-(\d{4,6})$/;

export interface ReceiptNumberParts {
  hallCode: string;
  /** YYYY-MM-DD (business date of the console). */
  date: string;
  consoleCode: string;
  sequence: number;
}

export function formatReceiptNumber(parts: ReceiptNumberParts): string {
  if (!HALL_CODE.test(parts.hallCode)) throw new RangeError(`hall code must be 2–12 capital letters or digits: "${parts.hallCode}"`);
  if (!CONSOLE_CODE.test(parts.consoleCode)) throw new RangeError(`console code must look like C03: "${parts.consoleCode}"`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(parts.date)) throw new RangeError(`date must be YYYY-MM-DD: "${parts.date}"`);
  if (!Number.isInteger(parts.sequence) || parts.sequence < 1 || parts.sequence > 999_999) throw new RangeError(`sequence out of range: ${parts.sequence}`);
  return `${parts.hallCode}-${parts.date.replaceAll('-', '')}-${parts.consoleCode}-${String(parts.sequence).padStart(4, '0')}`;
}

export function parseReceiptNumber(text: string): ReceiptNumberParts | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  const [, hallCode, ymd, consoleCode, seq] = m as unknown as [string, string, string, string, string];
  const date = `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`;
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) return null;
  return { hallCode, date, consoleCode, sequence: Number(seq) };
}
