/**
 * The embedded hub store: one SQLite file (better-sqlite3, WAL), `hub.sqlite` in the working folder by
 * default. Writers are serialised by SQLite (BEGIN IMMEDIATE, busy_timeout), so commit order is
 * serverSeq order. Other processes' commits on the same file are noticed through `PRAGMA data_version`.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AUDIT_HEAD_MUTATION } from '../../../main/security/audit-chain';
import { runMigrations, statementCache } from '../../../main/store/database';
import { ChangeEmitter } from './emitter';
import {
  checkConsoleId,
  checkCursor,
  checkPublicKey,
  checkHallId,
  lookupsFor,
  newChangeTag,
  pageSize,
  planPush,
  prepareBatch,
  publishRows,
  toChange,
  caseRangeKey,
  type CaseRange,
  type ChangeRow,
  type KnownMutation,
  type LedgerEntry,
} from './plan';
import { AuditHeadRow, caseFeedQuery, readCaseFeed, decode, markAt, tagOf, toKnownMutation, toHubAuditHead, toBucketSeq, toChangeFromRow, toConsole, toLedger, toQuarantined, toStoredMutation } from './rows';
import { HUB_SQLITE_MIGRATIONS, HUB_SQLITE_SCHEMA_VERSION } from './sqlite-migrations';
import { checkEnrollmentInput, decideConsume, publicEnrollment, toEnrollment, type ConsumeEnrollmentInput, type EnrollmentInput, type EnrollmentOutcome, type EnrollmentRecord } from './enrollments';
import {
  HubStoreError,
  type ApplyOptions,
  type Bucket,
  type Change,
  type ChangeInput,
  type ChangeMark,
  type ChangePage,
  type ChangeScope,
  type ConsoleRecord,
  type HubAuditHead,
  type HubChangeListener,
  type HubStore,
  type HubStoreHooks,
  type HubWriteOperation,
  type IncomingMutation,
  type PushOutcome,
  type QuarantineQuery,
  type QuarantinedMutation,
  type ReferenceBucket,
  type StoredMutation,
} from './types';

export const DEFAULT_HUB_FILE = 'hub.sqlite';
/** 'HALH' in the SQLite header: a console database (or any other file) is never mistaken for a hub. */
export const HUB_APPLICATION_ID = 0x48414c48;

export interface SqliteHubStoreOptions {
  /** Default `hub.sqlite` in the working folder; ':memory:' for a throwaway store. */
  file?: string;
  now?: () => Date;
  hooks?: HubStoreHooks;
  /** How often other processes' commits are looked for while someone listens (default 200 ms). */
  watchIntervalMs?: number;
  /**
   * FULL (default): a commit is on disk before applyPush resolves, so an ack survives power loss.
   * NORMAL is faster and loses at most the last commits on power loss (never on a process crash).
   */
  synchronous?: 'FULL' | 'NORMAL';
  onError?: (err: unknown) => void;
}

export class SqliteHubStore implements HubStore {
  readonly kind = 'sqlite' as const;
  private closed = false;
  private readonly emitter: ChangeEmitter;
  private watchTimer: NodeJS.Timeout | null = null;
  private watchedVersion = 0;
  private watchedSeq = 0;
  /** Rows this instance appended since the last watch tick, per bucket (to tell them from others'). */
  private readonly ownSinceWatch = new Map<Bucket, number>();

  /** Prepared once per connection (main/store/database.ts statementCache). */
  private readonly stmt: (text: string) => Database.Statement;

  private constructor(
    readonly file: string,
    private readonly sql: Database.Database,
    private readonly options: SqliteHubStoreOptions,
  ) {
    this.stmt = statementCache(sql);
    const onError = options.onError ?? (() => {});
    this.emitter = new ChangeEmitter(onError, (n) => (n > 0 ? this.startWatching() : this.stopWatching()));
  }

  /** Opens or creates the hub database and brings its schema up to date. */
  static open(options: SqliteHubStoreOptions = {}): Promise<SqliteHubStore> {
    const file = options.file ?? DEFAULT_HUB_FILE;
    const inMemory = file === ':memory:';
    const isNew = !inMemory && !existsSync(file);
    if (isNew) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const sql = new Database(file);
    try {
      if (isNew && process.platform !== 'win32') chmodSync(file, 0o600);
      // Check before the first write: the file must be ours, and not from a newer hub.
      const appId = Number(sql.pragma('application_id', { simple: true }));
      const version = Number(sql.pragma('user_version', { simple: true }));
      const tables = Number(sql.prepare('SELECT count(*) AS n FROM sqlite_schema').pluck().get());
      if (appId !== HUB_APPLICATION_ID && (version > 0 || tables > 0)) {
        throw new HubStoreError('not_hub_db', `${file} is not a hub database (a console's hall.sqlite?); the file was not changed`);
      }
      if (version > HUB_SQLITE_SCHEMA_VERSION) {
        throw new HubStoreError('db_too_new', `${file} is hub schema ${version}; this build knows up to ${HUB_SQLITE_SCHEMA_VERSION}: install a newer hall-console. The file was not changed.`);
      }
      if (!inMemory) sql.pragma('journal_mode = WAL');
      sql.pragma('foreign_keys = ON');
      sql.pragma('busy_timeout = 5000');
      sql.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      if (appId !== HUB_APPLICATION_ID) sql.pragma(`application_id = ${HUB_APPLICATION_ID}`);
      runMigrations(sql, HUB_SQLITE_MIGRATIONS);
      sql.prepare(`INSERT OR IGNORE INTO hub_meta (key, value) VALUES ('epoch', ?)`).run(randomUUID());
    } catch (err) {
      sql.close();
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return Promise.resolve(new SqliteHubStore(file, sql, options));
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  /** One IMMEDIATE transaction; the fault hook runs last inside it. */
  private write<T>(operation: HubWriteOperation, fn: () => T): T {
    this.assertOpen();
    return this.sql
      .transaction(() => {
        const result = fn();
        this.options.hooks?.beforeCommit?.(operation);
        return result;
      })
      .immediate();
  }

  private assertOpen(): void {
    if (this.closed) throw new HubStoreError('closed', 'the hub store is closed');
  }

  /** Runs a synchronous body as a promise (errors become rejections). */
  private run<T>(fn: () => T | Promise<T>): Promise<T> {
    try {
      this.assertOpen();
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  epoch(): Promise<string> {
    return this.run(() => String(this.stmt(`SELECT value FROM hub_meta WHERE key = 'epoch'`).pluck().get()));
  }

  newEpoch(): Promise<string> {
    return this.run(() => {
      const epoch = randomUUID();
      this.write('newEpoch', () => {
        this.stmt(`INSERT INTO hub_meta (key, value) VALUES ('epoch', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(epoch);
      });
      return epoch;
    });
  }

  applyPush(consoleId: string, batch: readonly IncomingMutation[], options?: ApplyOptions): Promise<PushOutcome> {
    return this.run(() => {
      checkConsoleId(consoleId);
      const prepared = prepareBatch(batch, options?.validated === true);
      const appended: { bucket: Bucket; serverSeq: number }[] = [];
      const outcome = this.write('applyPush', () => {
        const row = this.stmt('SELECT status, last_applied, hall_id FROM hub_consoles WHERE console_id = ?').get(consoleId) as
          | { status: string; last_applied: number; hall_id: string | null }
          | undefined;
        if (row === undefined) throw new HubStoreError('console_unknown', `console ${consoleId} is not registered`);
        if (row.status !== 'active') throw new HubStoreError('console_revoked', `console ${consoleId} is revoked`);
        const lookups = lookupsFor(prepared, row.last_applied);
        const ledger = new Map<number, LedgerEntry>();
        if (lookups.seqs.length > 0) {
          const ledgerStmt = this.stmt('SELECT seq, mutation_id, outcome, reason FROM hub_console_seqs WHERE console_id = ? AND seq = ?');
          const appliedStmt = this.stmt(`SELECT seq, mutation_id, 'applied' AS outcome, NULL AS reason FROM hub_mutations WHERE console_id = ? AND seq = ?`);
          for (const seq of lookups.seqs) {
            const l = ledgerStmt.get(consoleId, seq) ?? appliedStmt.get(consoleId, seq);
            if (l !== undefined) {
              const e = toLedger(l);
              ledger.set(e.seq, { mutationId: e.mutation_id, outcome: e.outcome, reason: e.reason });
            }
          }
        }
        // One statement for the batch's ids (nearly always none is found).
        const known = new Map<string, KnownMutation>();
        const knownRows = this.stmt('SELECT m.mutation_id, m.type, m.payload, m.content_hash FROM json_each(?) AS j JOIN hub_mutations AS m ON m.mutation_id = j.value').all(
          JSON.stringify(lookups.mutationIds),
        );
        for (const k of knownRows) known.set(String((k as { mutation_id: unknown }).mutation_id), toKnownMutation(k));
        const auditHead = lookups.auditHead ? this.latestAuditHeadRow(consoleId) : null;
        const plan = planPush({ consoleId, lastApplied: row.last_applied, prepared, ledger, known, auditHead: auditHead === null ? null : JSON.parse(auditHead.payload), ...(options ? { options } : {}), now: this.now() });

        const insMutation = this.stmt(
          `INSERT INTO hub_mutations (mutation_id, console_id, seq, schema_version, hlc, type, payload, applied_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const m of plan.mutations) insMutation.run(m.mutationId, m.consoleId, m.seq, m.schemaVersion, m.hlc, m.type, m.payloadJson, m.appliedAt);
        const insLedger = this.stmt('INSERT INTO hub_console_seqs (console_id, seq, mutation_id, outcome, reason) VALUES (?, ?, ?, ?, ?)');
        for (const l of plan.ledger) insLedger.run(l.consoleId, l.seq, l.mutationId, l.outcome, l.reason);
        const insQuarantine = this.stmt(
          'INSERT INTO hub_quarantine (console_id, seq, mutation_id, type, raw, reason, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        );
        for (const q of plan.quarantine) insQuarantine.run(q.consoleId, q.seq, q.mutationId, q.type, q.rawJson, q.reason, q.receivedAt);
        if (plan.caseRange !== null) appended.push(this.appendCaseRange(consoleId, plan.caseRange, row.hall_id));
        if (plan.lastApplied !== row.last_applied) {
          this.stmt('UPDATE hub_consoles SET last_applied = ? WHERE console_id = ?').run(plan.lastApplied, consoleId);
        }
        return plan.outcome;
      });
      this.committed(appended);
      return outcome;
    });
  }

  private appendChanges(rows: readonly ChangeRow[]): { bucket: Bucket; serverSeq: number }[] {
    if (rows.length === 0) return [];
    const at = this.now();
    const stmt = this.stmt('INSERT INTO hub_changes (bucket, op, key, value, created_at, tag, hall_id) VALUES (?, ?, ?, ?, ?, ?, ?)');
    return rows.map((c) => ({ bucket: c.bucket, serverSeq: Number(stmt.run(c.bucket, c.op, c.key, c.valueJson, at, newChangeTag(), c.hallId ?? null).lastInsertRowid) }));
  }

  /** One hall_cases row for a push's case.* mutations, taking the next seqTo − seqFrom + 1 serverSeqs (AUTOINCREMENT moves past them). */
  private appendCaseRange(consoleId: string, range: CaseRange, hallId: string | null): { bucket: Bucket; serverSeq: number } {
    const head = Number(this.stmt(`SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'hub_changes'), 0)`).pluck().get());
    const first = head + 1;
    const last = first + (range.seqTo - range.seqFrom);
    this.stmt(
      `INSERT INTO hub_changes (server_seq, bucket, op, key, value, created_at, tag, hall_id, first_seq, console_id, seq_from)
       VALUES (?, 'hall_cases', 'put', ?, NULL, ?, ?, ?, ?, ?, ?)`,
    ).run(last, caseRangeKey(consoleId, range), this.now(), newChangeTag(), hallId, first, consoleId, range.seqFrom);
    return { bucket: 'hall_cases', serverSeq: last };
  }

  /** After a commit: tell this process's listeners, and remember the rows so the watcher does not report them as others'. */
  private committed(appended: readonly { bucket: Bucket; serverSeq: number }[]): void {
    if (appended.length === 0) return;
    const buckets = [...new Set(appended.map((a) => a.bucket))];
    if (this.watchTimer !== null) for (const a of appended) this.ownSinceWatch.set(a.bucket, (this.ownSinceWatch.get(a.bucket) ?? 0) + 1);
    this.emitter.emit({ buckets, serverSeq: Math.max(...appended.map((a) => a.serverSeq)), origin: 'self' });
  }

  lastApplied(consoleId: string): Promise<number> {
    return this.run(() => {
      checkConsoleId(consoleId);
      const v = this.stmt('SELECT last_applied FROM hub_consoles WHERE console_id = ?').pluck().get(consoleId);
      return v === undefined ? 0 : Number(v);
    });
  }

  /** The console's applied audit.head with the highest seq (the partial index hub_mutations_audit_head). */
  private latestAuditHeadRow(consoleId: string): AuditHeadRow | null {
    const row = this.stmt(`SELECT mutation_id, seq, payload, applied_at FROM hub_mutations WHERE console_id = ? AND type = '${AUDIT_HEAD_MUTATION}' ORDER BY seq DESC LIMIT 1`).get(consoleId);
    return row === undefined ? null : decode(AuditHeadRow, row, 'hub_mutations');
  }

  latestAuditHead(consoleId: string): Promise<HubAuditHead | null> {
    return this.run(() => {
      checkConsoleId(consoleId);
      return toHubAuditHead(consoleId, this.latestAuditHeadRow(consoleId));
    });
  }

  getMutation(mutationId: string): Promise<StoredMutation | null> {
    return this.run(() => {
      const row = this.stmt('SELECT * FROM hub_mutations WHERE mutation_id = ?').get(mutationId);
      return row === undefined ? null : toStoredMutation(row);
    });
  }

  changesSince(bucket: Bucket, cursor: number, limit?: number, scope?: ChangeScope): Promise<ChangePage> {
    return this.run((): ChangePage | Promise<ChangePage> => {
      checkCursor(cursor);
      const n = pageSize(limit);
      if (bucket === 'hall_cases') {
        const feed = this.stmt(caseFeedQuery('sqlite', scope !== undefined));
        return readCaseFeed(
          (after, ranges, from, need) => (scope === undefined ? feed.all(after, ranges, from, need) : feed.all(after, scope.hallId, ranges, from, need)),
          cursor,
          n,
        );
      }
      const cols = 'SELECT server_seq, op, key, value, tag FROM hub_changes WHERE bucket = ? AND server_seq > ?';
      const rows =
        scope === undefined
          ? this.stmt(`${cols} ORDER BY server_seq LIMIT ?`).all(bucket, cursor, n + 1)
          : this.stmt(`${cols} AND (hall_id IS NULL OR hall_id = ?) ORDER BY server_seq LIMIT ?`).all(bucket, cursor, scope.hallId, n + 1);
      const changes = rows.slice(0, n).map(toChangeFromRow);
      const last = changes.length > 0 ? rows[changes.length - 1] : undefined;
      return { changes, cursor: changes.at(-1)?.serverSeq ?? cursor, hasMore: rows.length > n, ...(last !== undefined ? { cursorTag: tagOf(last) } : {}) };
    });
  }

  changeAt(bucket: Bucket, serverSeq: number): Promise<ChangeMark | null> {
    return this.run(() => {
      checkCursor(serverSeq);
      // A hall_cases range row holds serverSeqs first_seq … server_seq; any other row only its own.
      const row = this.stmt('SELECT server_seq, first_seq, tag FROM hub_changes WHERE bucket = ? AND server_seq >= ? ORDER BY server_seq LIMIT 1').get(bucket, serverSeq);
      return row === undefined ? null : markAt(row, serverSeq);
    });
  }

  setConsoleHall(consoleId: string, hallId: string | null): Promise<boolean> {
    return this.run(() => {
      checkConsoleId(consoleId);
      const hall = checkHallId(hallId);
      return this.write('setConsoleHall', () => this.stmt('UPDATE hub_consoles SET hall_id = ? WHERE console_id = ?').run(hall, consoleId).changes === 1);
    });
  }

  rememberHello(consoleId: string, issuedAt: string, issuedMs: number, nowMs: number, windowMs: number): Promise<boolean> {
    return this.run(() => {
      checkConsoleId(consoleId);
      return this.write('rememberHello', () => {
        this.stmt('DELETE FROM hub_hellos WHERE console_id = ? AND abs(? - issued_ms) > ?').run(consoleId, nowMs, windowMs);
        return this.stmt('INSERT OR IGNORE INTO hub_hellos (console_id, issued_at, issued_ms) VALUES (?, ?, ?)').run(consoleId, issuedAt, issuedMs).changes === 1;
      });
    });
  }

  publish(bucket: ReferenceBucket, changes: readonly ChangeInput[], options: { hallId?: string | null } = {}): Promise<Change[]> {
    return this.run(() => {
      const hallId = checkHallId(options.hallId);
      const rows = publishRows(bucket, changes).map((r) => ({ ...r, hallId }));
      const appended = this.write('publish', () => this.appendChanges(rows));
      this.committed(appended);
      return rows.map((r, i) => toChange(appended[i]!.serverSeq, r.op, r.key, r.valueJson));
    });
  }

  registerConsole(consoleId: string, publicKey: string): Promise<ConsoleRecord> {
    return this.run(() => {
      checkConsoleId(consoleId);
      checkPublicKey(publicKey);
      return this.write('registerConsole', () => {
        const existing = this.stmt('SELECT status FROM hub_consoles WHERE console_id = ?').pluck().get(consoleId);
        if (existing === 'revoked') throw new HubStoreError('console_revoked', `console ${consoleId} is revoked; enroll the machine under a new console id`);
        if (existing === undefined) {
          this.sql
            .prepare(`INSERT INTO hub_consoles (console_id, public_key, status, registered_at) VALUES (?, ?, 'active', ?)`)
            .run(consoleId, publicKey, this.now());
        } else {
          this.stmt('UPDATE hub_consoles SET public_key = ? WHERE console_id = ?').run(publicKey, consoleId);
        }
        return toConsole(this.stmt('SELECT * FROM hub_consoles WHERE console_id = ?').get(consoleId));
      });
    });
  }

  revokeConsole(consoleId: string): Promise<boolean> {
    return this.run(() => {
      checkConsoleId(consoleId);
      return this.write(
        'revokeConsole',
        () => this.stmt(`UPDATE hub_consoles SET status = 'revoked', revoked_at = ? WHERE console_id = ? AND status = 'active'`).run(this.now(), consoleId).changes === 1,
      );
    });
  }

  getConsole(consoleId: string): Promise<ConsoleRecord | null> {
    return this.run(() => {
      checkConsoleId(consoleId);
      const row = this.stmt('SELECT * FROM hub_consoles WHERE console_id = ?').get(consoleId);
      return row === undefined ? null : toConsole(row);
    });
  }

  createEnrollment(input: EnrollmentInput): Promise<EnrollmentRecord> {
    return this.run(() => {
      const e = checkEnrollmentInput(input);
      return this.write('createEnrollment', () => {
        const status = this.stmt('SELECT status FROM hub_consoles WHERE console_id = ?').pluck().get(e.consoleId);
        if (status === 'revoked') throw new HubStoreError('console_revoked', `console ${e.consoleId} is revoked; enroll the machine under a new console id`);
        this.stmt(
          `INSERT INTO hub_enrollments (console_id, role, counter, hall, hall_id, code_hash, created_at, expires_at, used_at, attempts)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0)
           ON CONFLICT (console_id) DO UPDATE SET role = excluded.role, counter = excluded.counter, hall = excluded.hall, hall_id = excluded.hall_id,
             code_hash = excluded.code_hash, created_at = excluded.created_at, expires_at = excluded.expires_at, used_at = NULL, attempts = 0`,
        ).run(e.consoleId, e.role, e.counter, e.hall, e.hallId, e.codeHash, this.now(), new Date(e.expiresAt).toISOString());
        return publicEnrollment(toEnrollment(this.stmt('SELECT * FROM hub_enrollments WHERE console_id = ?').get(e.consoleId)));
      });
    });
  }

  consumeEnrollment(input: ConsumeEnrollmentInput): Promise<EnrollmentOutcome> {
    return this.run(() => {
      checkConsoleId(input.consoleId);
      checkPublicKey(input.publicKey);
      const now = input.now ?? this.now();
      return this.write('consumeEnrollment', (): EnrollmentOutcome => {
        const raw = this.stmt('SELECT * FROM hub_enrollments WHERE console_id = ?').get(input.consoleId);
        const row = raw === undefined ? null : toEnrollment(raw);
        const status = this.stmt('SELECT status FROM hub_consoles WHERE console_id = ?').pluck().get(input.consoleId) as string | undefined;
        const decision = decideConsume(row, status, input, now);
        if (decision.kind === 'refuse') {
          if (decision.countAttempt) this.stmt('UPDATE hub_enrollments SET attempts = attempts + 1 WHERE console_id = ?').run(input.consoleId);
          return { ok: false, reason: decision.reason, attemptsLeft: decision.attemptsLeft };
        }
        this.stmt('UPDATE hub_enrollments SET used_at = ? WHERE console_id = ?').run(now, input.consoleId);
        if (status === undefined) {
          this.stmt(`INSERT INTO hub_consoles (console_id, public_key, status, registered_at) VALUES (?, ?, 'active', ?)`).run(input.consoleId, input.publicKey, now);
        } else {
          this.stmt('UPDATE hub_consoles SET public_key = ? WHERE console_id = ?').run(input.publicKey, input.consoleId);
        }
        // The code's hall id scopes the console's buckets from its first pull (docs/sync.md "Halls").
        if (row?.hallId != null) this.stmt('UPDATE hub_consoles SET hall_id = ? WHERE console_id = ?').run(row.hallId, input.consoleId);
        return {
          ok: true,
          enrollment: publicEnrollment(toEnrollment(this.stmt('SELECT * FROM hub_enrollments WHERE console_id = ?').get(input.consoleId))),
          console: toConsole(this.stmt('SELECT * FROM hub_consoles WHERE console_id = ?').get(input.consoleId)),
        };
      });
    });
  }

  listQuarantine(query: QuarantineQuery = {}): Promise<QuarantinedMutation[]> {
    return this.run(() => {
      const limit = pageSize(query.limit);
      const after = query.afterId ?? 0;
      const rows =
        query.consoleId === undefined
          ? this.stmt('SELECT * FROM hub_quarantine WHERE id > ? ORDER BY id LIMIT ?').all(after, limit)
          : this.stmt('SELECT * FROM hub_quarantine WHERE console_id = ? AND id > ? ORDER BY id LIMIT ?').all(query.consoleId, after, limit);
      return rows.map(toQuarantined);
    });
  }

  onChange(listener: HubChangeListener): () => void {
    this.assertOpen();
    return this.emitter.add(listener);
  }

  private startWatching(): void {
    if (this.watchTimer !== null || this.closed) return;
    this.watchedVersion = Number(this.sql.pragma('data_version', { simple: true }));
    this.watchedSeq = Number(this.stmt('SELECT coalesce(max(server_seq), 0) FROM hub_changes').pluck().get());
    this.ownSinceWatch.clear();
    this.watchTimer = setInterval(() => {
      try {
        this.watchTick();
      } catch (err) {
        this.options.onError?.(err);
      }
    }, this.options.watchIntervalMs ?? 200);
    this.watchTimer.unref();
  }

  private stopWatching(): void {
    if (this.watchTimer !== null) clearInterval(this.watchTimer);
    this.watchTimer = null;
    this.ownSinceWatch.clear();
  }

  /** Another connection committed (data_version moved): report the buckets it appended to. */
  private watchTick(): void {
    const version = Number(this.sql.pragma('data_version', { simple: true }));
    if (version === this.watchedVersion && this.ownSinceWatch.size === 0) return;
    const rows = this.sql
      .prepare('SELECT bucket, count(*) AS n, max(server_seq) AS s FROM hub_changes WHERE server_seq > ? GROUP BY bucket')
      .all(this.watchedSeq)
      .map(toBucketSeq);
    const foreign = version === this.watchedVersion ? [] : rows.filter((r) => r.n > (this.ownSinceWatch.get(r.bucket) ?? 0));
    this.watchedVersion = version;
    this.watchedSeq = Math.max(this.watchedSeq, ...rows.map((r) => r.s));
    this.ownSinceWatch.clear();
    if (foreign.length > 0) this.emitter.emit({ buckets: foreign.map((r) => r.bucket), serverSeq: this.watchedSeq, origin: 'other' });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.stopWatching();
    this.emitter.clear();
    this.sql.close();
    return Promise.resolve();
  }
}

