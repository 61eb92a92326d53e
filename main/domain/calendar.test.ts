import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, CalendarFile, WorkingCalendar } from './calendar';

/** The 2025 national schedule (public data): New Year, 春节 with two 调休 weekend days, 国庆. */
const cal2025 = new WorkingCalendar({
  version: 1,
  holidays: [
    '2025-01-01',
    ...['01-28', '01-29', '01-30', '01-31', '02-01', '02-02', '02-03', '02-04'].map((d) => `2025-${d}`),
    ...['10-01', '10-02', '10-03', '10-04', '10-05', '10-06', '10-07', '10-08'].map((d) => `2025-${d}`),
  ],
  workdays: ['2025-01-26', '2025-02-08', '2025-09-28', '2025-10-11'],
});

describe('WorkingCalendar', () => {
  it('knows weekdays, holidays and 调休 weekend workdays', () => {
    expect(cal2025.isWorkingDay('2025-03-03')).toBe(true); // Monday
    expect(cal2025.isWorkingDay('2025-03-08')).toBe(false); // Saturday
    expect(cal2025.isWorkingDay('2025-01-29')).toBe(false); // 春节
    expect(cal2025.isWorkingDay('2025-01-26')).toBe(true); // Sunday, 调休
    expect(cal2025.isWorkingDay('2025-02-08')).toBe(true); // Saturday, 调休
  });

  it('does not count the day of acceptance', () => {
    expect(cal2025.addWorkingDays('2025-03-03', 1)).toBe('2025-03-04');
    expect(cal2025.addWorkingDays('2025-03-03', 5)).toBe('2025-03-10');
    expect(cal2025.addWorkingDays('2025-03-07', 1)).toBe('2025-03-10'); // Friday → Monday
    expect(cal2025.addWorkingDays('2025-03-03', 0)).toBe('2025-03-03');
  });

  it('walks across 春节, counting the 调休 Sunday', () => {
    // Fri 01-24 → Sun 01-26 (调休) 1, Mon 01-27 2, 01-28..02-04 holiday, Wed 02-05 3
    expect(cal2025.addWorkingDays('2025-01-24', 3)).toBe('2025-02-05');
    // Thu 02-06 4, Fri 02-07 5, Sat 02-08 (调休) 6
    expect(cal2025.addWorkingDays('2025-01-24', 6)).toBe('2025-02-08');
  });

  it('walks across the year end, falling back to Mon–Fri for a year without data and saying so', () => {
    // Mon 2024-12-30 → Tue 12-31 1, Wed 01-01 holiday, Thu 01-02 2, Fri 01-03 3
    expect(cal2025.addWorkingDays('2024-12-30', 3)).toBe('2025-01-03');
    expect(cal2025.yearsWithoutData('2024-12-30', '2025-01-03')).toEqual([2024]);
    expect(cal2025.yearsWithoutData('2025-12-30', '2026-01-05')).toEqual([2026]);
    expect(cal2025.hasDataFor(2025)).toBe(true);
  });

  it('stops the clock during a pause and while a pause is open', () => {
    // pause Wed 03-05 .. Fri 03-07 (exclusive): 03-04 1, 03-07 2, 03-10 3, 03-11 4, 03-12 5
    expect(cal2025.addWorkingDays('2025-03-03', 5, [{ from: '2025-03-05', to: '2025-03-07' }])).toBe('2025-03-12');
    expect(cal2025.addWorkingDays('2025-03-03', 5, [{ from: '2025-03-05', to: null }])).toBeNull();
  });

  it('counts working days between dates in both directions', () => {
    expect(cal2025.workingDaysBetween('2025-01-24', '2025-02-05')).toBe(3);
    expect(cal2025.workingDaysBetween('2025-02-05', '2025-01-24')).toBe(-3);
    expect(cal2025.workingDaysBetween('2025-03-03', '2025-03-03')).toBe(0);
  });

  it('colours deadlines: yellow at ≤ 2 working days left, red when overdue', () => {
    expect(cal2025.deadlineLevel('2025-03-03', '2025-03-10')).toBe('ok');
    expect(cal2025.deadlineLevel('2025-03-06', '2025-03-10')).toBe('warning'); // Fri, Mon left
    expect(cal2025.deadlineLevel('2025-03-10', '2025-03-10')).toBe('warning');
    expect(cal2025.deadlineLevel('2025-03-11', '2025-03-10')).toBe('overdue');
    expect(cal2025.deadlineLevel('2025-03-03', '2025-03-10', 5)).toBe('warning');
  });

  it('refuses bad calendar files', () => {
    expect(CalendarFile.safeParse({ version: 1, holidays: ['2025-02-30'], workdays: [] }).success).toBe(false);
    expect(CalendarFile.safeParse({ version: 1, holidays: ['2025-1-1'], workdays: [] }).success).toBe(false);
    expect(CalendarFile.safeParse({ version: 2, holidays: [], workdays: [] }).success).toBe(false);
    expect(CalendarFile.safeParse({ version: 1, holidays: ['2025-10-11'], workdays: ['2025-10-11'] }).success).toBe(false);
    expect(() => cal2025.addWorkingDays('2025-03-03', -1)).toThrow(RangeError);
  });

  it('addWorkingDays and workingDaysBetween agree for any start and limit', () => {
    const start = fc.integer({ min: 0, max: 3 * 366 }).map((d) => addDays('2024-06-01', d));
    fc.assert(
      fc.property(start, fc.integer({ min: 0, max: 120 }), (from, n) => {
        const due = cal2025.addWorkingDays(from, n)!;
        expect(cal2025.workingDaysBetween(from, due)).toBe(n);
        if (n > 0) expect(cal2025.isWorkingDay(due)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
