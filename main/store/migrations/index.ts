import type { Migration } from './migration';
import * as m0001 from './0001-initial';
import * as m0002 from './0002-print-jobs';
import * as m0003 from './0003-face-checks';
import * as m0004 from './0004-ticket-flow';
import * as m0005 from './0005-counter-status';
import * as m0006 from './0006-intake';
import * as m0007 from './0007-sync-state';
import * as m0008 from './0008-hall-cases';
import * as m0009 from './0009-audit-chain';

export type { Migration } from './migration';

/** Every schema version in order. Append new files here; never edit or reorder a released one. */
export const MIGRATIONS: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009];

export const SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;
