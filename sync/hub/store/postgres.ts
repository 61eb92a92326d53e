/**
 * The production hub store: PostgreSQL shared by several stateless hub processes.
 * - applyPush locks the console's row (`SELECT … FOR UPDATE`) first, so one console's batches apply
 *   one after another whichever process receives them;
 * - serverSeq comes from a sequence; appends to the change log hold an EXCLUSIVE lock on hub_changes
 *   until commit (readers are not blocked), so serverSeqs become visible in increasing order and a
 *   cursor never skips a transaction that committed late;
 * - every commit that appended changes sends `NOTIFY` (delivered only on commit); each store LISTENs on
 *   a connection of its own and tells its onChange listeners about other processes' commits.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AUDIT_HEAD_MUTATION } from '../../../main/security/audit-chain';
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
import { HUB_PG_MIGRATIONS, HUB_PG_SCHEMA_VERSION } from './postgres-migrations';
import { checkEnrollmentInput, decideConsume, publicEnrollment, toEnrollment, type ConsumeEnrollmentInput, type EnrollmentInput, type EnrollmentOutcome, type EnrollmentRecord } from './enrollments';
import { AuditHeadRow, caseFeedQuery, readCaseFeed, decode, markAt, tagOf, toChangeFromRow, toKnownMutation, toHubAuditHead, toConsole, toLedger, toQuarantined, toStoredMutation } from './rows';
import {
  HubStoreError,
  REFERENCE_BUCKETS,
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

export interface PostgresHubStoreOptions {
  /** postgres://user@host:port/database */
  connectionString: string;
  /** Keep the hub's tables in this schema (created if missing); default: the connection's search_path. */
  schema?: string;
  /** Pool size (default 10). */
  poolSize?: number;
  /** LISTEN for other processes' commits (default true; a one-off admin command can turn it off). */
  listen?: boolean;
  now?: () => Date;
  /** As HubStoreHooks, but beforeCommit may be async here (to hold a transaction open in fault runs). */
  hooks?: PostgresHubStoreHooks;
  onError?: (err: unknown) => void;
}

export interface PostgresHubStoreHooks extends HubStoreHooks {
  beforeCommit?: (operation: HubWriteOperation) => void | Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,49}$/;
/** Unique violation (a concurrent insert of the same mutationId/console), serialization failure, deadlock. */
const RETRYABLE = new Set(['23505', '40001', '40P01']);
const MAX_ATTEMPTS = 5;
const ALL_BUCKETS: Bucket[] = [...REFERENCE_BUCKETS, 'hall_cases'];

interface NotifyPayload {
  o: string;
  b: Bucket[];
  s: number;
}

const bucketsOf = (rows: readonly ChangeRow[]): Bucket[] => [...new Set(rows.map((r) => r.bucket))];

function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** A stable 31-bit key for the migration advisory lock, per schema. */
function lockKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h & 0x7fffffff;
}

export class PostgresHubStore implements HubStore {
  readonly kind = 'postgres' as const;
  /** Tells this instance's own NOTIFYs from others'. */
  private readonly instanceId = randomUUID();
  private readonly emitter: ChangeEmitter;
  private readonly onError: (err: unknown) => void;
  private closed = false;
  private listener: pg.Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = 100;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresHubStoreOptions,
    private readonly channel: string,
  ) {
    this.onError = options.onError ?? (() => {});
    this.emitter = new ChangeEmitter(this.onError);
  }

  /** Connects, creates or upgrades the schema, stores an epoch if there is none, and starts listening. */
  static async open(options: PostgresHubStoreOptions): Promise<PostgresHubStore> {
    const schema = options.schema;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`hub store: schema name ${schema} must match ${SCHEMA_NAME.source}`);
    const config: pg.PoolConfig = {
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      application_name: 'hall-hub',
      ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
    };
    const pool = new pg.Pool(config);
    // An idle client's connection dropping must not crash the process; the next query reconnects.
    pool.on('error', (err) => options.onError?.(err));
    const store = new PostgresHubStore(pool, options, schema === undefined ? 'hall_hub_changes' : `hall_hub_changes_${schema}`);
    try {
      await store.migrate(schema);
      if (options.listen ?? true) await store.listen();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  private async migrate(schema: string | undefined): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [0x48414c48, lockKey(schema ?? '')]);
      if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS hub_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const found = Number((await client.query<{ v: number | null }>('SELECT max(version) AS v FROM hub_migrations')).rows[0]?.v ?? 0);
      if (found > HUB_PG_SCHEMA_VERSION) {
        throw new HubStoreError('db_too_new', `the hub database is schema ${found}; this build knows up to ${HUB_PG_SCHEMA_VERSION}: install a newer hall-console. Nothing was changed.`);
      }
      for (const m of HUB_PG_MIGRATIONS) {
        if (m.version <= found) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO hub_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
      await client.query(`INSERT INTO hub_meta (key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING`, [randomUUID()]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** A dedicated connection for LISTEN; reconnects with backoff and then reports every bucket (notifications may have been missed). */
  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: 'hall-hub-listen',
    });
    const lost = (err?: unknown): void => {
      if (err !== undefined) this.onError(err);
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => {});
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (n) => {
      if (n.channel !== this.channel || n.payload === undefined) return;
      try {
        const p = JSON.parse(n.payload) as NotifyPayload;
        if (p.o !== this.instanceId) this.emitter.emit({ buckets: p.b, serverSeq: p.s, origin: 'other' });
      } catch (err) {
        this.onError(err);
      }
    });
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    this.listener = client;
    this.reconnectDelay = 100;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== null) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 5000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed) return;
      this.listen()
        .then(async () => {
          const head = await this.headSeq();
          this.emitter.emit({ buckets: ALL_BUCKETS, serverSeq: head, origin: 'other' });
        })
        .catch((err: unknown) => {
          this.onError(err);
          this.scheduleReconnect();
        });
    }, delay);
    this.reconnectTimer.unref();
  }

  private async headSeq(): Promise<number> {
    const r = await this.query<{ s: string | null }>('SELECT max(server_seq) AS s FROM hub_changes');
    return Number(r.rows[0]?.s ?? 0);
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  private assertOpen(): void {
    if (this.closed) throw new HubStoreError('closed', 'the hub store is closed');
  }

  private async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    return this.pool.query<R>(text, values);
  }

  /**
   * One transaction (READ COMMITTED; the row locks give the isolation we need). Retried from the start
   * on a unique violation, serialization failure or deadlock: the body re-reads everything.
   */
  private async write<T>(operation: HubWriteOperation, body: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.assertOpen();
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await body(client);
        await this.options.hooks?.beforeCommit?.(operation);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: unknown) => {
          broken = e instanceof Error ? e : new Error(String(e));
        });
        const code = pgCode(err);
        if (attempt < MAX_ATTEMPTS && code !== undefined && RETRYABLE.has(code)) {
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  /** Appends under the change-log lock, with serverSeqs taken in order; notifies on commit. */
  private async appendChanges(c: pg.PoolClient, rows: readonly ChangeRow[]): Promise<number[]> {
    if (rows.length === 0) return [];
    await c.query('LOCK TABLE hub_changes IN EXCLUSIVE MODE');
    const seqs = (await c.query<{ s: string }>(`SELECT nextval('hub_server_seq') AS s FROM generate_series(1, $1::int)`, [rows.length])).rows
      .map((r) => Number(r.s))
      .sort((a, b) => a - b);
    await c.query(
      `INSERT INTO hub_changes (server_seq, bucket, op, key, value, created_at, tag, hall_id)
       SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[])`,
      [
        seqs,
        rows.map((r) => r.bucket),
        rows.map((r) => r.op),
        rows.map((r) => r.key),
        rows.map((r) => r.valueJson),
        rows.map(() => this.now()),
        rows.map(() => newChangeTag()),
        rows.map((r) => r.hallId ?? null),
      ],
    );
    await this.notify(c, bucketsOf(rows), seqs.at(-1) ?? 0);
    return seqs;
  }

  /**
   * One hall_cases row for a push's case.* mutations, under the change-log lock: it takes the next
   * seqTo − seqFrom + 1 serverSeqs (setval moves the sequence past them); returns the last.
   */
  private async appendCaseRange(c: pg.PoolClient, consoleId: string, range: CaseRange, hallId: string | null): Promise<number> {
    await c.query('LOCK TABLE hub_changes IN EXCLUSIVE MODE');
    const span = range.seqTo - range.seqFrom;
    const last = Number((await c.query<{ s: string }>(`SELECT setval('hub_server_seq', nextval('hub_server_seq') + $1::int8) AS s`, [span])).rows[0]!.s);
    await c.query(
      `INSERT INTO hub_changes (server_seq, bucket, op, key, value, created_at, tag, hall_id, first_seq, console_id, seq_from)
       VALUES ($1, 'hall_cases', 'put', $2, NULL, $3, $4, $5, $6, $7, $8)`,
      [last, caseRangeKey(consoleId, range), this.now(), newChangeTag(), hallId, last - span, consoleId, range.seqFrom],
    );
    await this.notify(c, ['hall_cases'], last);
    return last;
  }

  /** Other hub processes hear of the append when this transaction commits (NOTIFY is delivered on commit). */
  private async notify(c: pg.PoolClient, buckets: Bucket[], serverSeq: number): Promise<void> {
    const payload: NotifyPayload = { o: this.instanceId, b: buckets, s: serverSeq };
    await c.query('SELECT pg_notify($1, $2)', [this.channel, JSON.stringify(payload)]);
  }

  /** After a commit that appended: this process's listeners. */
  private committed(buckets: Bucket[], serverSeq: number): void {
    if (buckets.length > 0) this.emitter.emit({ buckets, serverSeq, origin: 'self' });
  }

  async epoch(): Promise<string> {
    const r = await this.query<{ value: string }>(`SELECT value FROM hub_meta WHERE key = 'epoch'`);
    return r.rows[0]?.value ?? '';
  }

  async newEpoch(): Promise<string> {
    const epoch = randomUUID();
    await this.write('newEpoch', async (c) => {
      await c.query(`INSERT INTO hub_meta (key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [epoch]);
    });
    return epoch;
  }

  async applyPush(consoleId: string, batch: readonly IncomingMutation[], options?: ApplyOptions): Promise<PushOutcome> {
    this.assertOpen();
    checkConsoleId(consoleId);
    const prepared = prepareBatch(batch, options?.validated === true);
    const { outcome, appended } = await this.write('applyPush', async (c) => {
      const head = (await c.query<{ status: string; last_applied: string; hall_id: string | null }>('SELECT status, last_applied, hall_id FROM hub_consoles WHERE console_id = $1 FOR UPDATE', [consoleId]))
        .rows[0];
      if (head === undefined) throw new HubStoreError('console_unknown', `console ${consoleId} is not registered`);
      if (head.status !== 'active') throw new HubStoreError('console_revoked', `console ${consoleId} is revoked`);
      const lastApplied = Number(head.last_applied);
      const lookups = lookupsFor(prepared, lastApplied);
      const ledger = new Map<number, LedgerEntry>();
      if (lookups.seqs.length > 0) {
        const rows = (
          await c.query(
            `SELECT seq, mutation_id, outcome, reason FROM hub_console_seqs WHERE console_id = $1 AND seq = ANY($2::int8[])
             UNION ALL
             SELECT seq, mutation_id, 'applied', NULL FROM hub_mutations WHERE console_id = $1 AND seq = ANY($2::int8[])`,
            [consoleId, lookups.seqs],
          )
        ).rows;
        for (const row of rows) {
          const e = toLedger(row);
          ledger.set(e.seq, { mutationId: e.mutation_id, outcome: e.outcome, reason: e.reason });
        }
      }
      const known = new Map<string, KnownMutation>();
      if (lookups.mutationIds.length > 0) {
        const rows = (await c.query('SELECT mutation_id, type, payload, content_hash FROM hub_mutations WHERE mutation_id = ANY($1::text[])', [lookups.mutationIds])).rows;
        for (const row of rows) known.set(String((row as { mutation_id: unknown }).mutation_id), toKnownMutation(row));
      }
      const auditHead = lookups.auditHead ? await this.latestAuditHeadRow(c, consoleId) : null;
      const plan = planPush({ consoleId, lastApplied, prepared, ledger, known, auditHead: auditHead === null ? null : JSON.parse(auditHead.payload), ...(options ? { options } : {}), now: this.now() });

      const m = plan.mutations;
      if (m.length > 0) {
        await c.query(
          `INSERT INTO hub_mutations (mutation_id, console_id, seq, schema_version, hlc, type, payload, applied_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::int4[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])`,
          [
            m.map((x) => x.mutationId),
            m.map((x) => x.consoleId),
            m.map((x) => x.seq),
            m.map((x) => x.schemaVersion),
            m.map((x) => x.hlc),
            m.map((x) => x.type),
            m.map((x) => x.payloadJson),
            m.map((x) => x.appliedAt),
          ],
        );
      }
      const l = plan.ledger;
      if (l.length > 0) {
        await c.query(
          `INSERT INTO hub_console_seqs (console_id, seq, mutation_id, outcome, reason)
           SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[])`,
          [l.map((x) => x.consoleId), l.map((x) => x.seq), l.map((x) => x.mutationId), l.map((x) => x.outcome), l.map((x) => x.reason)],
        );
      }
      const q = plan.quarantine;
      if (q.length > 0) {
        await c.query(
          `INSERT INTO hub_quarantine (console_id, seq, mutation_id, type, raw, reason, received_at)
           SELECT a, b, c, d, e, f, g
             FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) WITH ORDINALITY AS u (a, b, c, d, e, f, g, n)
            ORDER BY n`,
          [q.map((x) => x.consoleId), q.map((x) => x.seq), q.map((x) => x.mutationId), q.map((x) => x.type), q.map((x) => x.rawJson), q.map((x) => x.reason), q.map((x) => x.receivedAt)],
        );
      }
      if (plan.lastApplied !== lastApplied) {
        await c.query('UPDATE hub_consoles SET last_applied = $2 WHERE console_id = $1', [consoleId, plan.lastApplied]);
      }
      // Last: the change-log lock is held only from here to COMMIT.
      const appended = plan.caseRange === null ? null : await this.appendCaseRange(c, consoleId, plan.caseRange, head.hall_id);
      return { outcome: plan.outcome, appended };
    });
    if (appended !== null) this.committed(['hall_cases'], appended);
    return outcome;
  }

  async lastApplied(consoleId: string): Promise<number> {
    checkConsoleId(consoleId);
    const r = await this.query<{ last_applied: string }>('SELECT last_applied FROM hub_consoles WHERE console_id = $1', [consoleId]);
    return Number(r.rows[0]?.last_applied ?? 0);
  }

  /** The console's applied audit.head with the highest seq (the partial index hub_mutations_audit_head). */
  private async latestAuditHeadRow(c: Pick<pg.Pool, 'query'> | pg.PoolClient, consoleId: string): Promise<AuditHeadRow | null> {
    const row = (await c.query(`SELECT mutation_id, seq, payload, applied_at FROM hub_mutations WHERE console_id = $1 AND type = '${AUDIT_HEAD_MUTATION}' ORDER BY seq DESC LIMIT 1`, [consoleId])).rows[0];
    return row === undefined ? null : decode(AuditHeadRow, row, 'hub_mutations');
  }

  async latestAuditHead(consoleId: string): Promise<HubAuditHead | null> {
    this.assertOpen();
    checkConsoleId(consoleId);
    return toHubAuditHead(consoleId, await this.latestAuditHeadRow(this.pool, consoleId));
  }

  async getMutation(mutationId: string): Promise<StoredMutation | null> {
    const r = await this.query('SELECT * FROM hub_mutations WHERE mutation_id = $1', [mutationId]);
    return r.rows[0] === undefined ? null : toStoredMutation(r.rows[0]);
  }

  async changesSince(bucket: Bucket, cursor: number, limit?: number, scope?: ChangeScope): Promise<ChangePage> {
    checkCursor(cursor);
    const n = pageSize(limit);
    if (bucket === 'hall_cases') {
      const sql = caseFeedQuery('postgres', scope !== undefined);
      return readCaseFeed(
        async (after, ranges, from, need) => (await this.query(sql, scope === undefined ? [after, ranges, from, need] : [after, scope.hallId, ranges, from, need])).rows,
        cursor,
        n,
      );
    }
    const cols = 'SELECT server_seq, op, key, value, tag FROM hub_changes WHERE bucket = $1 AND server_seq > $2';
    const r =
      scope === undefined
        ? await this.query(`${cols} ORDER BY server_seq LIMIT $3`, [bucket, cursor, n + 1])
        : await this.query(`${cols} AND (hall_id IS NULL OR hall_id = $4::text) ORDER BY server_seq LIMIT $3`, [bucket, cursor, n + 1, scope.hallId]);
    const changes = r.rows.slice(0, n).map(toChangeFromRow);
    const last = changes.length > 0 ? r.rows[changes.length - 1] : undefined;
    return { changes, cursor: changes.at(-1)?.serverSeq ?? cursor, hasMore: r.rows.length > n, ...(last !== undefined ? { cursorTag: tagOf(last) } : {}) };
  }

  async changeAt(bucket: Bucket, serverSeq: number): Promise<ChangeMark | null> {
    checkCursor(serverSeq);
    // A hall_cases range row holds serverSeqs first_seq … server_seq; any other row only its own.
    const r = await this.query('SELECT server_seq, first_seq, tag FROM hub_changes WHERE bucket = $1 AND server_seq >= $2 ORDER BY server_seq LIMIT 1', [bucket, serverSeq]);
    return r.rows[0] === undefined ? null : markAt(r.rows[0], serverSeq);
  }

  async setConsoleHall(consoleId: string, hallId: string | null): Promise<boolean> {
    checkConsoleId(consoleId);
    const hall = checkHallId(hallId);
    return this.write('setConsoleHall', async (c) => (await c.query('UPDATE hub_consoles SET hall_id = $1 WHERE console_id = $2', [hall, consoleId])).rowCount === 1);
  }

  async rememberHello(consoleId: string, issuedAt: string, issuedMs: number, nowMs: number, windowMs: number): Promise<boolean> {
    checkConsoleId(consoleId);
    return this.write('rememberHello', async (c) => {
      await c.query('DELETE FROM hub_hellos WHERE console_id = $1 AND abs($2::bigint - issued_ms) > $3::bigint', [consoleId, nowMs, windowMs]);
      const r = await c.query('INSERT INTO hub_hellos (console_id, issued_at, issued_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [consoleId, issuedAt, issuedMs]);
      return r.rowCount === 1;
    });
  }

  async publish(bucket: ReferenceBucket, changes: readonly ChangeInput[], options: { hallId?: string | null } = {}): Promise<Change[]> {
    this.assertOpen();
    const hallId = checkHallId(options.hallId);
    const rows = publishRows(bucket, changes).map((r) => ({ ...r, hallId }));
    const seqs = await this.write('publish', (c) => this.appendChanges(c, rows));
    this.committed(bucketsOf(rows), seqs.at(-1) ?? 0);
    return rows.map((r, i) => toChange(seqs[i]!, r.op, r.key, r.valueJson));
  }

  async registerConsole(consoleId: string, publicKey: string): Promise<ConsoleRecord> {
    this.assertOpen();
    checkConsoleId(consoleId);
    checkPublicKey(publicKey);
    return this.write('registerConsole', async (c) => {
      const existing = (await c.query<{ status: string }>('SELECT status FROM hub_consoles WHERE console_id = $1 FOR UPDATE', [consoleId])).rows[0];
      if (existing?.status === 'revoked') throw new HubStoreError('console_revoked', `console ${consoleId} is revoked; enroll the machine under a new console id`);
      const r =
        existing === undefined
          ? await c.query(`INSERT INTO hub_consoles (console_id, public_key, status, registered_at) VALUES ($1, $2, 'active', $3) RETURNING *`, [consoleId, publicKey, this.now()])
          : await c.query('UPDATE hub_consoles SET public_key = $2 WHERE console_id = $1 RETURNING *', [consoleId, publicKey]);
      return toConsole(r.rows[0]);
    });
  }

  async revokeConsole(consoleId: string): Promise<boolean> {
    this.assertOpen();
    checkConsoleId(consoleId);
    return this.write('revokeConsole', async (c) => {
      const r = await c.query(`UPDATE hub_consoles SET status = 'revoked', revoked_at = $2 WHERE console_id = $1 AND status = 'active'`, [consoleId, this.now()]);
      return r.rowCount === 1;
    });
  }

  async getConsole(consoleId: string): Promise<ConsoleRecord | null> {
    checkConsoleId(consoleId);
    const r = await this.query('SELECT * FROM hub_consoles WHERE console_id = $1', [consoleId]);
    return r.rows[0] === undefined ? null : toConsole(r.rows[0]);
  }

  async createEnrollment(input: EnrollmentInput): Promise<EnrollmentRecord> {
    this.assertOpen();
    const e = checkEnrollmentInput(input);
    return this.write('createEnrollment', async (c) => {
      const status = (await c.query<{ status: string }>('SELECT status FROM hub_consoles WHERE console_id = $1 FOR UPDATE', [e.consoleId])).rows[0]?.status;
      if (status === 'revoked') throw new HubStoreError('console_revoked', `console ${e.consoleId} is revoked; enroll the machine under a new console id`);
      const r = await c.query(
        `INSERT INTO hub_enrollments (console_id, role, counter, hall, hall_id, code_hash, created_at, expires_at, used_at, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, 0)
         ON CONFLICT (console_id) DO UPDATE SET role = excluded.role, counter = excluded.counter, hall = excluded.hall, hall_id = excluded.hall_id,
           code_hash = excluded.code_hash, created_at = excluded.created_at, expires_at = excluded.expires_at, used_at = NULL, attempts = 0
         RETURNING *`,
        [e.consoleId, e.role, e.counter, e.hall, e.hallId, e.codeHash, this.now(), new Date(e.expiresAt).toISOString()],
      );
      return publicEnrollment(toEnrollment(r.rows[0]));
    });
  }

  async consumeEnrollment(input: ConsumeEnrollmentInput): Promise<EnrollmentOutcome> {
    this.assertOpen();
    checkConsoleId(input.consoleId);
    checkPublicKey(input.publicKey);
    const now = input.now ?? this.now();
    return this.write('consumeEnrollment', async (c): Promise<EnrollmentOutcome> => {
      const raw = (await c.query('SELECT * FROM hub_enrollments WHERE console_id = $1 FOR UPDATE', [input.consoleId])).rows[0];
      const row = raw === undefined ? null : toEnrollment(raw);
      const status = (await c.query<{ status: string }>('SELECT status FROM hub_consoles WHERE console_id = $1 FOR UPDATE', [input.consoleId])).rows[0]?.status;
      const decision = decideConsume(row, status, input, now);
      if (decision.kind === 'refuse') {
        if (decision.countAttempt) await c.query('UPDATE hub_enrollments SET attempts = attempts + 1 WHERE console_id = $1', [input.consoleId]);
        return { ok: false, reason: decision.reason, attemptsLeft: decision.attemptsLeft };
      }
      const e = await c.query('UPDATE hub_enrollments SET used_at = $2 WHERE console_id = $1 RETURNING *', [input.consoleId, now]);
      // The code's hall id scopes the console's buckets from its first pull (docs/sync.md "Halls").
      const hallId = row?.hallId ?? null;
      const r =
        status === undefined
          ? await c.query(`INSERT INTO hub_consoles (console_id, public_key, status, registered_at, hall_id) VALUES ($1, $2, 'active', $3, $4) RETURNING *`, [input.consoleId, input.publicKey, now, hallId])
          : await c.query('UPDATE hub_consoles SET public_key = $2, hall_id = coalesce($3, hall_id) WHERE console_id = $1 RETURNING *', [input.consoleId, input.publicKey, hallId]);
      return { ok: true, enrollment: publicEnrollment(toEnrollment(e.rows[0])), console: toConsole(r.rows[0]) };
    });
  }

  async listQuarantine(query: QuarantineQuery = {}): Promise<QuarantinedMutation[]> {
    const limit = pageSize(query.limit);
    const after = query.afterId ?? 0;
    const r =
      query.consoleId === undefined
        ? await this.query('SELECT * FROM hub_quarantine WHERE id > $1 ORDER BY id LIMIT $2', [after, limit])
        : await this.query('SELECT * FROM hub_quarantine WHERE console_id = $1 AND id > $2 ORDER BY id LIMIT $3', [query.consoleId, after, limit]);
    return r.rows.map(toQuarantined);
  }

  onChange(listener: HubChangeListener): () => void {
    this.assertOpen();
    return this.emitter.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.emitter.clear();
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
    await this.pool.end();
  }
}
