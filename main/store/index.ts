import { openDatabase, systemClock, type Clock, type HallDatabase } from './database';
import { FieldCipher, FieldKeys } from './field-cipher';
import { CaseRepository } from './repositories/cases';
import { CounterRepository } from './repositories/counters';
import { OutboxRepository } from './repositories/outbox';
import { FaceCheckRepository } from './repositories/face-checks';
import { PrintJobRepository } from './repositories/print-jobs';
import { SettingsRepository } from './repositories/settings';
import { TicketRepository } from './repositories/tickets';
import { UserRepository } from './repositories/users';
import { AuditLogRepository } from './repositories/audit-log';
import { RatingRepository } from './repositories/ratings';
import { IntakeDraftRepository, ReceiptSequenceRepository } from './repositories/intake-drafts';
import { CatalogRepository, CreditRepository } from './repositories/reference';

export interface Store {
  db: HallDatabase;
  cipher: FieldCipher;
  counters: CounterRepository;
  users: UserRepository;
  tickets: TicketRepository;
  cases: CaseRepository;
  outbox: OutboxRepository;
  settings: SettingsRepository;
  printJobs: PrintJobRepository;
  faceChecks: FaceCheckRepository;
  catalog: CatalogRepository;
  credit: CreditRepository;
  drafts: IntakeDraftRepository;
  receiptSequences: ReceiptSequenceRepository;
  audit: AuditLogRepository;
  ratings: RatingRepository;
  close(): void;
}

/**
 * Opens the console database (migrating it; refusing a newer one with DatabaseTooNewError) and wires
 * the repositories. `masterKey` is the unwrapped 32-byte database key (OS key store in Electron,
 * loadOrCreateMasterKeyFile on the headless host).
 */
export function createStore(file: string, masterKey: Buffer, clock: Clock = systemClock): Store {
  const cipher = new FieldCipher(FieldKeys.fromMasterKey(masterKey));
  const db = openDatabase(file, { now: clock });
  const outbox = new OutboxRepository(db, clock);
  return {
    db,
    cipher,
    counters: new CounterRepository(db),
    users: new UserRepository(db, cipher, clock),
    tickets: new TicketRepository(db, cipher, clock),
    cases: new CaseRepository(db, cipher, clock, outbox),
    outbox,
    settings: new SettingsRepository(db, clock),
    printJobs: new PrintJobRepository(db, clock),
    faceChecks: new FaceCheckRepository(db, clock, outbox),
    catalog: new CatalogRepository(db, clock),
    credit: new CreditRepository(db),
    drafts: new IntakeDraftRepository(db, cipher, clock),
    receiptSequences: new ReceiptSequenceRepository(db),
    audit: new AuditLogRepository(db, clock, outbox),
    ratings: new RatingRepository(db, cipher, clock),
    close: () => db.close(),
  };
}

export { openDatabase, peekUserVersion, runMigrations, SCHEMA_VERSION, systemClock } from './database';
export type { Clock, HallDatabase, OpenOptions } from './database';
export * from './errors';
export * from './enums';
export { FieldCipher, FieldKeys, fieldContext, normaliseIdNumber } from './field-cipher';
export { KEY_FILE_WARNING, loadOrCreateMasterKeyFile, type LoadedMasterKey } from './key-file';
export { uuidv7 } from './uuidv7';
export * from './repositories/cases';
export * from './repositories/counters';
export * from './repositories/outbox';
export * from './repositories/print-jobs';
export * from './repositories/settings';
export * from './repositories/tickets';
export * from './repositories/users';
export * from './repositories/audit-log';
export * from './repositories/ratings';
export * from './repositories/intake-drafts';
export * from './repositories/reference';
export type { JsonValue } from './repositories/rows';
