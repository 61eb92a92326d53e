/**
 * The working-day calendar and deadlines (hall-domain note). Data, not code: per year the public
 * holidays and the make-up working days (调休: weekend days that are working days), published by the
 * hub as `{"version": 1, "holidays": [...], "workdays": [...]}`. A year without data falls back to
 * Monday–Friday and says so, so the UI can warn.
 *
 * The one implementation everyone calls (counter, kiosk, reports, CLI). Dates are calendar dates
 * `YYYY-MM-DD`, computed in UTC so no time zone or DST can shift them.
 */
import { z } from 'zod';

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export const CalendarDate = z
  .string()
  .regex(ISO_DATE, 'expected a date as YYYY-MM-DD')
  .refine((s) => !ISO_DATE.test(s) || isRealDate(s), 'no such calendar date');
export type CalendarDate = string;

/** The file the hub publishes. */
export const CalendarFile = z
  .object({
    version: z.literal(1),
    holidays: z.array(CalendarDate),
    workdays: z.array(CalendarDate),
  })
  .strict()
  .superRefine((file, ctx) => {
    const holidays = new Set(file.holidays);
    for (const d of file.workdays) {
      if (holidays.has(d)) ctx.addIssue({ code: 'custom', message: `${d} is listed both as holiday and as workday` });
    }
  });
export type CalendarFile = z.infer<typeof CalendarFile>;

function isRealDate(s: string): boolean {
  const d = toDate(s);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function toDate(s: string): Date {
  return new Date(`${s}T00:00:00Z`);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = toDate(date);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A pause of the legal clock (补正, 听证, 鉴定…): days from `from` up to but excluding `to` do not count; `to: null` = still paused. */
export interface Pause {
  from: CalendarDate;
  to: CalendarDate | null;
}

export type DeadlineLevel = 'ok' | 'warning' | 'overdue';

/** Upper bound on day-by-day walks: a legal limit is at most a few hundred working days. */
const MAX_WALK_DAYS = 20 * 366;

export class WorkingCalendar {
  private readonly holidays: ReadonlySet<string>;
  private readonly workdays: ReadonlySet<string>;
  /** Years the data covers; other years fall back to Monday–Friday. */
  readonly years: ReadonlySet<number>;

  constructor(file: CalendarFile) {
    const parsed = CalendarFile.parse(file);
    this.holidays = new Set(parsed.holidays);
    this.workdays = new Set(parsed.workdays);
    this.years = new Set([...parsed.holidays, ...parsed.workdays].map((d) => Number(d.slice(0, 4))));
  }

  static empty(): WorkingCalendar {
    return new WorkingCalendar({ version: 1, holidays: [], workdays: [] });
  }

  hasDataFor(year: number): boolean {
    return this.years.has(year);
  }

  isWorkingDay(date: CalendarDate): boolean {
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    const weekday = toDate(date).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /**
   * The N-th working day after `from` (the day of acceptance does not count). Days inside a pause
   * do not count. Returns null while a pause is still open (the clock is stopped).
   */
  addWorkingDays(from: CalendarDate, n: number, pauses: readonly Pause[] = []): CalendarDate | null {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a non-negative integer, got ${n}`);
    if (pauses.some((p) => p.to === null)) return null;
    let date = from;
    let counted = 0;
    for (let walked = 0; counted < n; walked++) {
      if (walked > MAX_WALK_DAYS) throw new RangeError(`no ${n} working days within ${MAX_WALK_DAYS} days of ${from}`);
      date = addDays(date, 1);
      if (this.isWorkingDay(date) && !inPause(date, pauses)) counted++;
    }
    return date;
  }

  /** Working days in (a, b]: after a, up to and including b. Negative when b is before a. */
  workingDaysBetween(a: CalendarDate, b: CalendarDate): number {
    if (b < a) return -this.workingDaysBetween(b, a);
    let count = 0;
    for (let date = addDays(a, 1), walked = 0; date <= b; date = addDays(date, 1), walked++) {
      if (walked > MAX_WALK_DAYS) throw new RangeError(`range ${a}..${b} is too long`);
      if (this.isWorkingDay(date)) count++;
    }
    return count;
  }

  /** Years between two dates (inclusive) that have no calendar data: the UI warns about them. */
  yearsWithoutData(a: CalendarDate, b: CalendarDate): number[] {
    const [lo, hi] = [Number(a.slice(0, 4)), Number(b.slice(0, 4))].sort((x, y) => x - y) as [number, number];
    const missing: number[] = [];
    for (let y = lo; y <= hi; y++) if (!this.years.has(y)) missing.push(y);
    return missing;
  }

  /**
   * Colour of a deadline on the clerk's list: overdue (red) once the deadline has passed, warning
   * (yellow) when at most `warnDays` working days are left (configurable, default 2).
   */
  deadlineLevel(today: CalendarDate, deadline: CalendarDate, warnDays = 2): DeadlineLevel {
    if (today > deadline) return 'overdue';
    return this.workingDaysBetween(today, deadline) <= warnDays ? 'warning' : 'ok';
  }
}

function inPause(date: CalendarDate, pauses: readonly Pause[]): boolean {
  return pauses.some((p) => date >= p.from && (p.to === null || date < p.to));
}
