import type { Command } from '../command';
import { benchCommand } from './bench';
import { calendarDeadlineCommand } from './calendar';
import { dbInfoCommand, dbMigrateCommand } from './db';
import { diagDecodeCommand, diagDevicesCommand } from './diag';
import { hostCommand } from './host';
import { hubCommands } from './hub';
import { calendarImportCommand, catalogImportCommand } from './reference';
import { simSyncCommand } from './sim';
import { updateCommands } from './update';
import { versionCommand } from './version';

/** Every `hall` subcommand. Later issues add: audit. */
export const commands: Command[] = [versionCommand, hostCommand, dbInfoCommand, dbMigrateCommand, calendarDeadlineCommand, calendarImportCommand, catalogImportCommand, diagDecodeCommand, diagDevicesCommand, benchCommand, simSyncCommand, ...hubCommands, ...updateCommands];
