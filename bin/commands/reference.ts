/**
 * Reference data for a new hall before its first sync: the service catalog and the working-day
 * calendar, loaded from the files the hub publishes into the console database.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { CalendarFile } from '../../main/domain/calendar';
import { CatalogFile } from '../../main/domain/catalog';
import { CALENDAR_SETTING } from '../../main/services/calendar';
import { openDatabase, systemClock } from '../../main/store/database';
import { CatalogRepository } from '../../main/store/repositories/reference';
import { SettingsRepository } from '../../main/store/repositories/settings';
import { print, requireOption, stringOption, type Command } from '../command';

function readJson<S extends z.ZodType>(file: string, schema: S, what: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${what} ${file} is invalid: ${issue?.path.join('.') || '(file)'}: ${issue?.message}`);
  }
  return parsed.data;
}

const options = {
  db: { type: 'string', description: 'path of the console database (hall.sqlite)' },
  file: { type: 'string', description: 'the JSON file the hub publishes' },
} as const;

export const catalogImportCommand: Command = {
  name: 'catalog import',
  summary: 'load the service catalog {"version":1,"items":[…]} into a console database (replaces items by code)',
  options: { ...options, label: { type: 'string', description: 'version label stored with the items (default: file name)' } },
  run(ctx) {
    const file = resolve(requireOption(ctx, 'file'));
    const catalog = readJson(file, CatalogFile, 'catalog');
    const db = openDatabase(resolve(requireOption(ctx, 'db')));
    try {
      const n = new CatalogRepository(db, systemClock).upsert(catalog.items, stringOption(ctx, 'label') ?? file.split('/').at(-1)!);
      print(ctx, { items: n }, `${n} service items loaded`);
    } finally {
      db.close();
    }
  },
};

export const calendarImportCommand: Command = {
  name: 'calendar import',
  summary: 'load the working-day calendar {"version":1,"holidays":[…],"workdays":[…]} into a console database',
  options,
  run(ctx) {
    const calendar = readJson(resolve(requireOption(ctx, 'file')), CalendarFile, 'calendar');
    const db = openDatabase(resolve(requireOption(ctx, 'db')));
    try {
      new SettingsRepository(db, systemClock).set(CALENDAR_SETTING, CalendarFile, calendar);
      print(ctx, { holidays: calendar.holidays.length, workdays: calendar.workdays.length }, `calendar loaded: ${calendar.holidays.length} holidays, ${calendar.workdays.length} make-up workdays`);
    } finally {
      db.close();
    }
  },
};
