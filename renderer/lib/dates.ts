/** Dates as the contract carries them (YYYY-MM-DD, ISO times) and as the clerk reads them. */
import dayjs, { type Dayjs } from 'dayjs';

export const ISO_DATE = 'YYYY-MM-DD';

export function todayIso(): string {
  return dayjs().format(ISO_DATE);
}

export function toIsoDate(d: Dayjs | null | undefined): string | null {
  return d ? d.format(ISO_DATE) : null;
}

export function fromIsoDate(s: string | null | undefined): Dayjs | null {
  if (!s) return null;
  const d = dayjs(s);
  return d.isValid() ? d : null;
}

/** 11-26 10:42 (today: 10:42). */
export function shortTime(iso: string): string {
  const d = dayjs(iso);
  if (!d.isValid()) return iso;
  return d.isSame(dayjs(), 'day') ? d.format('HH:mm') : d.format('MM-DD HH:mm');
}

export function fullTime(iso: string): string {
  const d = dayjs(iso);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm:ss') : iso;
}

/** Days until a card's end of validity (YYYY-MM-DD or YYYYMMDD); null for 长期 or an unreadable date. */
export function daysUntil(validTo: string, today: Dayjs = dayjs()): number | null {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(validTo.trim());
  if (!m) return null;
  const end = dayjs(`${m[1]}-${m[2]}-${m[3]}`);
  return end.isValid() ? end.startOf('day').diff(today.startOf('day'), 'day') : null;
}
