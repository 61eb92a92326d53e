import { readFileSync } from 'node:fs';
import { CalendarDate, CalendarFile, WorkingCalendar } from '../../main/domain/calendar';
import { print, requireOption, UsageError, type Command } from '../command';

export const calendarDeadlineCommand: Command = {
  name: 'calendar deadline',
  summary: 'the due date N working days after a date, on the hub’s holiday calendar (the day itself does not count)',
  options: {
    calendar: { type: 'string', description: 'calendar file {"version":1,"holidays":[…],"workdays":[…]}' },
    from: { type: 'string', description: 'start date YYYY-MM-DD (e.g. the day of acceptance)' },
    days: { type: 'string', description: 'limit in working days (non-negative integer)' },
  },
  run(ctx) {
    const file = requireOption(ctx, 'calendar');
    const from = CalendarDate.safeParse(requireOption(ctx, 'from'));
    if (!from.success) throw new UsageError(`--from: ${from.error.issues[0]?.message}`);
    const daysText = requireOption(ctx, 'days');
    if (!/^\d{1,4}$/.test(daysText)) throw new UsageError('--days must be a non-negative integer');
    const days = Number(daysText);

    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read calendar ${file}: ${(err as Error).message}`);
    }
    const parsed = CalendarFile.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`calendar ${file} is invalid: ${issue?.path.join('.') || '(file)'}: ${issue?.message}`);
    }
    const calendar = new WorkingCalendar(parsed.data);
    const due = calendar.addWorkingDays(from.data, days)!;
    const missing = calendar.yearsWithoutData(from.data, due);
    const warnings = missing.map((y) => `no holiday data for ${y}: counted Monday–Friday`);
    print(ctx, { from: from.data, days, due, warnings }, [due, ...warnings.map((w) => `warning: ${w}`)].join('\n'));
  },
};
