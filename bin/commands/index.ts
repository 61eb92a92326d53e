import type { Command } from '../command';
import { auditCommands } from './audit';
import { benchCommand } from './bench';
import { calendarDeadlineCommand } from './calendar';
import { dbInfoCommand, dbMigrateCommand } from './db';
import { diagDecodeCommand, diagDevicesCommand } from './diag';
import { hostCommand } from './host';
import { hubCommands } from './hub';
import { enrollCommands } from './enroll';
import { calendarImportCommand, catalogImportCommand } from './reference';
import { privacyCommands } from './privacy';
import { simSyncCommand } from './sim';
import { updateCommands } from './update';
import { versionCommand } from './version';

/** Every `hall` subcommand. */
export const commands: Command[] = [versionCommand, hostCommand, dbInfoCommand, dbMigrateCommand, calendarDeadlineCommand, calendarImportCommand, catalogImportCommand, diagDecodeCommand, diagDevicesCommand, benchCommand, simSyncCommand, ...hubCommands, ...enrollCommands, ...updateCommands, ...auditCommands, ...privacyCommands];
