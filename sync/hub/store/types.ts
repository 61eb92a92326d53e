/**
 * The hub's storage, as one interface with two adapters (SQLite embedded, PostgreSQL for several hub
 * processes). Every method that writes does so in one transaction; every method is async because
 * PostgreSQL is. Design choices: docs/sync.md.
 */
import type { Bucket, Change, Mutation, PushResult } from '../../protocol';
import type { ConsumeEnrollmentInput, EnrollmentInput, EnrollmentOutcome, EnrollmentRecord } from './enrollments';

export type { Bucket, Change, Mutation, PushResult } from '../../protocol';

/**
 * Buckets the hub publishes to (hall_cases is fed by the consoles' mutations). `payments` carries the
 * payment platform's confirmations (缴费确认) to the consoles, keyed by payment code.
 */
export const REFERENCE_BUCKETS = ['catalog', 'calendar', 'credit', 'users', 'devices', 'payments'] as const;
export type ReferenceBucket = (typeof REFERENCE_BUCKETS)[number];

/**
 * One mutation as it arrives. Only the envelope's `seq` is trusted to order the batch; everything
 * else is checked by the store (the protocol's Mutation schema, then the hub's validator), and a
 * mutation that fails is quarantined, never dropped.
 */
export interface IncomingMutation {
  readonly seq: number;
  readonly [field: string]: unknown;
}

/** A business rule: return a reason to reject (quarantine) the mutation, or null to accept it. */
export type MutationValidator = (mutation: Mutation, ctx: { consoleId: string }) => string | null | undefined;

export interface ApplyOptions {
  validate?: MutationValidator;
  /**
   * Every item already passed the protocol's Mutation schema (the session parsed the push frame): the
   * store does not parse them again. Anything else (a loose push, a test, a tool) leaves it unset.
   */
  validated?: boolean;
}

export interface PushOutcome {
  /** One per mutation processed, in seq order; mutations from a gap on are not listed. */
  results: PushResult[];
  /** lastApplied + 1 after this batch: where the console continues. */
  expectedSeq: number;
  /** Set when the batch stopped at a seq beyond expectedSeq; the console resends from expectedSeq. */
  gap: { seq: number; expectedSeq: number } | null;
}

export interface ChangeInput {
  op: 'put' | 'delete';
  key: string;
  value?: unknown;
}

export interface ChangePage {
  /** serverSeq > cursor, ascending. */
  changes: Change[];
  /** The serverSeq of the last change returned (the given cursor when none). */
  cursor: number;
  /** More changes after `cursor` exist in this bucket. */
  hasMore: boolean;
  /** The tag of the change at `cursor` when this page returned changes (null for rows without one); undefined when none were returned. */
  cursorTag?: string | null;
}

/** The change at a serverSeq of a bucket: its tag (null for rows written before tags existed). */
export interface ChangeMark {
  tag: string | null;
}

export interface ConsoleRecord {
  consoleId: string;
  publicKey: string;
  status: 'active' | 'revoked';
  lastApplied: number;
  registeredAt: string;
  revokedAt: string | null;
  /** The hall whose buckets it downloads (docs/sync.md "Halls"); null = only what is for every hall. */
  hallId: string | null;
}

/**
 * Whose view a pull is: a console of `hallId` sees reference changes for its hall and for every hall,
 * and hall_cases of its own hall only (a console with no hall: those of consoles with no hall).
 */
export interface ChangeScope {
  hallId: string | null;
}

export interface StoredMutation extends Mutation {
  consoleId: string;
  appliedAt: string;
}

/** A console's audit-chain head as the hub accepted it (`hall hub audit-head`). */
export interface HubAuditHead {
  consoleId: string;
  lastId: number;
  hash: string;
  /** When the console signed it (null if the payload had no string `at`). */
  at: string | null;
  /** The mutation that carried it. */
  seq: number;
  mutationId: string;
  appliedAt: string;
}

export interface QuarantinedMutation {
  id: number;
  consoleId: string;
  seq: number;
  /** Null when the mutation had no valid mutationId. */
  mutationId: string | null;
  type: string | null;
  reason: string;
  /** The mutation exactly as received (JSON). */
  raw: unknown;
  receivedAt: string;
}

export interface QuarantineQuery {
  consoleId?: string;
  /** Rows with id > afterId (paging). */
  afterId?: number;
  limit?: number;
}

/** A commit that appended to the change log. */
export interface HubChangeEvent {
  buckets: Bucket[];
  /** The highest serverSeq known to be committed when the event fired. */
  serverSeq: number;
  /** 'self': this store instance committed it; 'other': another instance or process on the same database. */
  origin: 'self' | 'other';
}
export type HubChangeListener = (event: HubChangeEvent) => void;

export type HubWriteOperation = 'applyPush' | 'publish' | 'registerConsole' | 'revokeConsole' | 'newEpoch' | 'rememberHello' | 'setConsoleHall' | 'createEnrollment' | 'consumeEnrollment';

export interface HubStoreHooks {
  /** Runs inside every write transaction just before COMMIT; throwing rolls it back (fault injection). */
  beforeCommit?: (operation: HubWriteOperation) => void;
}

export interface HubStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Random id made when the store was created; a restored backup gets a new one with newEpoch(). */
  epoch(): Promise<string>;
  newEpoch(): Promise<string>;

  /** Applies one console's batch in one transaction (sync note "Upload"; rules in docs/sync.md). */
  applyPush(consoleId: string, batch: readonly IncomingMutation[], options?: ApplyOptions): Promise<PushOutcome>;
  /** 0 for a console that never pushed (or is unknown). */
  lastApplied(consoleId: string): Promise<number>;
  getMutation(mutationId: string): Promise<StoredMutation | null>;
  /**
   * The console's latest applied `audit.head` (highest seq): the head the hub witnessed last, which a
   * new head may not go back from (docs/security.md "Audit chain"). Null when it sent none.
   */
  latestAuditHead(consoleId: string): Promise<HubAuditHead | null>;

  /** Without a scope: every hall's changes (the operator's view). */
  changesSince(bucket: Bucket, cursor: number, limit?: number, scope?: ChangeScope): Promise<ChangePage>;
  /**
   * The change at `serverSeq` in `bucket`, or null when there is none: a cursor pointing there comes
   * from a timeline this hub no longer has (it lost its last commits but kept its epoch).
   */
  changeAt(bucket: Bucket, serverSeq: number): Promise<ChangeMark | null>;
  /** Appends reference data to the change log in one transaction; returns the changes with their serverSeq. */
  publish(bucket: ReferenceBucket, changes: readonly ChangeInput[], options?: { hallId?: string | null }): Promise<Change[]>;
  /** Puts a console in a hall (null: none); false when the console is unknown. */
  setConsoleHall(consoleId: string, hallId: string | null): Promise<boolean>;

  /** Creates the console or replaces its key (rotation); refused for a revoked console. */
  registerConsole(consoleId: string, publicKey: string): Promise<ConsoleRecord>;
  /** True when the console was active and is now revoked. */
  revokeConsole(consoleId: string): Promise<boolean>;
  getConsole(consoleId: string): Promise<ConsoleRecord | null>;

  /**
   * Stores a one-time enrollment code (its hash) for a console, replacing a pending one of the same
   * console; refused (console_revoked) for a revoked console. docs/security.md "Enrollment".
   */
  createEnrollment(input: EnrollmentInput): Promise<EnrollmentRecord>;
  /**
   * In one transaction: checks the code against the console's pending enrollment and either marks it
   * used and registers `publicKey` (as registerConsole), or counts a failed attempt (the code dies
   * after maxAttempts). Refusals are answers, not errors, so the counted attempt commits.
   */
  consumeEnrollment(input: ConsumeEnrollmentInput): Promise<EnrollmentOutcome>;

  listQuarantine(query?: QuarantineQuery): Promise<QuarantinedMutation[]>;

  /**
   * Records a hello's (consoleId, issuedAt); false when it was already recorded (a replay), whichever
   * hub process saw it. Entries older than `windowMs` before `nowMs` are forgotten (the skew check
   * refuses those anyway).
   */
  rememberHello(consoleId: string, issuedAt: string, issuedMs: number, nowMs: number, windowMs: number): Promise<boolean>;

  /** Fires once per commit that appended changes, from this instance or another on the same database. Returns unsubscribe. */
  onChange(listener: HubChangeListener): () => void;
  close(): Promise<void>;
}

export type HubStoreErrorCode =
  | 'bad_batch'
  | 'bad_console_id'
  | 'bad_public_key'
  | 'bad_enrollment'
  | 'bad_change'
  | 'bad_cursor'
  | 'bad_hall_id'
  | 'console_unknown'
  | 'console_revoked'
  | 'db_too_new'
  | 'not_hub_db'
  | 'closed';

/** Typed refusals of the hub store; a refused call wrote nothing. */
export class HubStoreError extends Error {
  constructor(
    readonly code: HubStoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HubStoreError';
  }
}
