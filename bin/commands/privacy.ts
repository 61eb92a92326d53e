import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { systemClock } from '../../main/domain/clock';
import { createLogger } from '../../main/log';
import { purgeClosedCases } from '../../main/services/privacy';
import { openDatabase } from '../../main/store/database';
import { AuditLogRepository } from '../../main/store/repositories/audit-log';
import { OutboxRepository } from '../../main/store/repositories/outbox';
import { SettingsRepository } from '../../main/store/repositories/settings';
import { print, requireOption, stringOption, UsageError, type Command } from '../command';

/**
 * `hall privacy purge`: the retention purge the console runs at start and daily, on demand (e.g. before
 * a machine leaves the hall). Writes only NULLs and one audit row, so it needs no field key: it works on
 * a desktop console's database whose key the OS key store holds.
 */
export const privacyPurgeCommand: Command = {
  name: 'privacy purge',
  summary: 'erase the personal fields of closed cases older than privacy.retentionDays (audited); --dry-run only counts',
  options: {
    db: { type: 'string', description: 'path of the console database (hall.sqlite)' },
    'dry-run': { type: 'boolean', description: 'count what would be erased, write nothing' },
    days: { type: 'string', description: 'retention in days for this run (default: the setting privacy.retentionDays, else 180)' },
  },
  run(ctx) {
    const file = resolve(requireOption(ctx, 'db'));
    if (!existsSync(file)) throw new Error(`no database at ${file}`);
    const daysText = stringOption(ctx, 'days');
    const days = daysText === undefined ? undefined : Number(daysText);
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new UsageError('--days must be a whole number of days, 1–3650');
    const dryRun = ctx.values['dry-run'] === true;
    const db = openDatabase(file, { now: systemClock, idleCheckpointMs: 0 });
    try {
      const store = { db, settings: new SettingsRepository(db, systemClock), audit: new AuditLogRepository(db, systemClock, new OutboxRepository(db, systemClock)) };
      const r = purgeClosedCases({ store, clock: systemClock, logger: createLogger(() => {}) }, { dryRun, retentionDays: days });
      const what = `${r.cases} closed case(s) closed before ${r.cutoff} (retention ${r.retentionDays} days), ${r.tickets} ticket(s)`;
      print(ctx, { file, ...r }, dryRun ? `${file}: would erase the personal fields of ${what}` : `${file}: erased the personal fields of ${what}; audit row ${r.auditId}`);
    } finally {
      db.close();
    }
    return 0;
  },
};

export const privacyCommands: Command[] = [privacyPurgeCommand];
