import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabaseTooNewError, openDatabase, peekUserVersion, SCHEMA_VERSION } from '../../main/store/database';
import { print, requireOption, type Command } from '../command';

const dbOption = { db: { type: 'string', description: 'path of the console database (hall.sqlite)' } } as const;

export const dbInfoCommand: Command = {
  name: 'db info',
  summary: 'show a database file’s schema version against the one this build knows (read-only)',
  options: dbOption,
  run(ctx) {
    const file = resolve(requireOption(ctx, 'db'));
    if (!existsSync(file)) throw new Error(`no database at ${file}`);
    const version = peekUserVersion(file);
    const status = version > SCHEMA_VERSION ? 'too_new' : version < SCHEMA_VERSION ? 'needs_migration' : 'current';
    if (status === 'too_new') throw new DatabaseTooNewError(file, version, SCHEMA_VERSION);
    print(ctx, { file, schemaVersion: version, knownVersion: SCHEMA_VERSION, status }, `${file}: schema ${version} of ${SCHEMA_VERSION} (${status.replace('_', ' ')})`);
  },
};

export const dbMigrateCommand: Command = {
  name: 'db migrate',
  summary: 'create the database or bring it to this build’s schema (refuses a newer one)',
  options: dbOption,
  run(ctx) {
    const file = resolve(requireOption(ctx, 'db'));
    const before = existsSync(file) ? peekUserVersion(file) : 0;
    const db = openDatabase(file);
    const after = db.schemaVersion;
    db.close();
    print(ctx, { file, from: before, to: after }, before === after ? `${file}: already at schema ${after}` : `${file}: migrated schema ${before} → ${after}`);
  },
};
