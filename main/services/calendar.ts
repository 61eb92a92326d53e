/**
 * The hall's working-day calendar as the services use it: the `calendar` setting holds the file the
 * hub publishes (CalendarFile); without it every year falls back to Monday–Friday and the UI warns.
 * The parsed calendar is kept until the setting's text changes (it is read on every deadline).
 */
import { CalendarFile, WorkingCalendar } from '../domain/calendar';
import type { Store } from '../store';

export const CALENDAR_SETTING = 'calendar';

let cached: { text: string | null; calendar: WorkingCalendar } | null = null;

export function loadCalendar(store: Store): WorkingCalendar {
  const row = store.db.prepare('SELECT value FROM settings WHERE key = ?').get(CALENDAR_SETTING) as { value: string } | undefined;
  const text = row?.value ?? null;
  if (cached && cached.text === text) return cached.calendar;
  const file = text === null ? undefined : store.settings.get(CALENDAR_SETTING, CalendarFile);
  const calendar = file ? new WorkingCalendar(file) : WorkingCalendar.empty();
  cached = { text, calendar };
  return calendar;
}
