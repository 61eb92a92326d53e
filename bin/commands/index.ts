import type { Command } from '../command';
import { calendarDeadlineCommand } from './calendar';
import { dbInfoCommand, dbMigrateCommand } from './db';
import { hostCommand } from './host';
import { versionCommand } from './version';

/** Every `hall` subcommand. Later issues add: hub, diag, bench, sim, audit, update. */
export const commands: Command[] = [versionCommand, hostCommand, dbInfoCommand, dbMigrateCommand, calendarDeadlineCommand];
