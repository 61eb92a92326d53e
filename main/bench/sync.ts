/**
 * `hall bench sync`: the sync path end to end, each figure beside the physical limit of the same work
 * measured in the same run (docs/benchmarks.md "hall bench sync").
 *
 * 1. A console makes `cases` cases offline: the rows a counter writes for each (face check, case
 *    created, case accepted — the repositories' own writes, so the outbox rows are the real ones).
 * 2. `catchup.10k.s` / `wire.bytes_per_case`: the real SyncClient connects over a real websocket
 *    (createWsTransport → startHubServer on SQLite) through a byte-counting TCP relay; the clock runs
 *    from start() until every outbox row is acked. Checked afterwards: every row is on the hub exactly
 *    once (lastApplied = the outbox's last seq, one hub row per seq, the same mutation ids, none quarantined).
 * 3. `hub.ingest.sqlite.*` / `hub.ingest.postgres.per_s`: the same rows pushed as the client sends them
 *    (text frames of 200) through a hub session (createHubService: parse, schema, validator,
 *    applyPush, push_ack), against a raw batched insert of the same rows with the same pragmas.
 * 4. `fanout.500.*`: 500 consoles on websockets (in a worker thread: consoles are other machines),
 *    authenticated, each having pulled the catalog; one catalog change is published → each console gets
 *    its poke, pulls and has the change. The limit: the same consoles each sending a `ping` at once
 *    (the hub's answer to a trivial frame).
 * 5. `peer.pouchdb.10k.s` / `catchup.vs_pouchdb.ratio`: the same cases as PouchDB documents (on-disk
 *    LevelDB) replicated over HTTP to express-pouchdb (also LevelDB on disk), through the same relay.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { percentile, type BenchFigure } from '../../drivers/idcard/bench';
import { systemClock } from '../domain/clock';
import { formatReceiptNumber } from '../domain/receipt-number';
import { createEventBus } from '../events';
import { createMemoryLogger } from '../log';
import { generateConsoleSigningKey, type ConsoleSigningKey } from '../security/receipt-signature';
import { businessDate } from '../services/queue';
import { createStore, type Store } from '../store';
import type { OutboxEntry } from '../store/repositories/outbox';
import { SyncClient } from '../../sync/client/client';
import { createWsTransport } from '../../sync/client/ws-transport';
import { CATALOG_ITEM } from '../../sync/client/test-support';
import { PROTOCOL_VERSION, type Mutation, type SyncMessage } from '../../sync/protocol';
import { startHubServer } from '../../sync/hub/server';
import { createHubService, HUB_SCHEMA_VERSION, signHello } from '../../sync/hub/session';
import { PostgresHubStore } from '../../sync/hub/store/postgres';
import { SqliteHubStore } from '../../sync/hub/store/sqlite';
import type { HubStore } from '../../sync/hub/store/types';

export const INGEST_SQLITE_GOAL_PER_S = 5000;
export const INGEST_SQLITE_RATIO_GOAL = 0.3;
export const INGEST_POSTGRES_GOAL_PER_S = 3000;
export const CATCHUP_GOAL_S = 10;
/** 1.5 KB. */
export const WIRE_GOAL_BYTES_PER_CASE = 1536;
export const FANOUT_P50_GOAL_MS = 100;
export const FANOUT_P99_GOAL_MS = 1000;
/** Ours against the peer: at least as fast (our goal; the issue sets none). */
export const VS_POUCHDB_GOAL_RATIO = 1;

export interface SyncBenchOptions {
  /** Cases made offline on one console (default 10,000). */
  cases?: number;
  /** Simulated consoles for the fan-out (default 500). */
  consoles?: number;
  /** Publish rounds of the fan-out (default 3). */
  fanoutRounds?: number;
  /** Documents PouchDB replicates (default: `cases`). */
  pouchDocs?: number;
  /**
   * PostgreSQL: a database URL (the bench works in a schema of its own and drops it), 'skip', or
   * undefined: HALL_TEST_PG_URL's server, else a throwaway cluster (test/support/postgres.ts).
   */
  pg?: string;
  /** Rows per push frame (the client's default, 200). */
  batchSize?: number;
  /**
   * Rounds of each ingest measurement (default 5): hub and raw insert alternate, each on a fresh file
   * (schema), and the medians are reported, so one slow fsync or a moment of other load moves neither.
   */
  ingestRounds?: number;
  log?: (line: string) => void;
}

/** What the run checked besides timing (the test asserts these). */
export interface SyncBenchChecks {
  cases: number;
  outboxRows: number;
  /** The catch-up hub's lastApplied for the console. */
  hubLastApplied: number;
  /** Hub rows of the console, and distinct seqs among them (equal to outboxRows when each is there once). */
  hubMutations: number;
  hubDistinctSeqs: number;
  /** Outbox mutation ids missing on the hub. */
  missing: number;
  quarantined: number;
  fanoutConsoles: number;
  pouchDocsWritten: number;
}

export interface SyncBenchResult {
  figures: BenchFigure[];
  checks: SyncBenchChecks;
}

const CONSOLE_ID = 'C03';
const round = (v: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

// ---------------------------------------------------------------- the console's offline cases

const ITEMS = ['SCJG-001', 'SCJG-014', 'BDC-021', 'GA-003', 'SB-007', 'YB-002', 'WJ-011'];

/** Synthetic, GB 11643-shaped numbers (encrypted by the store; never in the outbox). */
function syntheticId(n: number): string {
  return `99000019${String(800101 + (n % 9000)).slice(0, 6)}${String(n % 10000).padStart(4, '0')}`;
}

/**
 * `count` cases as a counter writes them at 受理, through the repositories (so the outbox rows are the
 * real ones): the face check (face_check.recorded), the case (case.created), the decision
 * (case.transitioned received → accepted). Faster than IntakeService (no drafts, many cases per
 * transaction); the rows are the same.
 */
export function makeOfflineCases(store: Store, count: number, log: (line: string) => void = () => {}): void {
  store.db.transaction(() => {
    store.counters.upsert({ id: 'counter-03', number: 3, name: '3号窗口', zone: 'A区', serviceGroups: ['A', 'B', 'C'], active: true });
    store.users.upsert({ id: 'u-clerk03', userName: 'clerk03', displayName: '测试丙', role: 'clerk', counterId: 'counter-03', passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA' });
  });
  const perTransaction = 500;
  for (let done = 0; done < count; ) {
    const n = Math.min(perTransaction, count - done);
    store.db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const now = new Date();
        const at = now.toISOString();
        const face = store.faceChecks.record(
          {
            kind: 'face_check',
            decision: 'match',
            method: 'automatic',
            automaticDecision: 'match',
            reasons: [],
            manualReason: null,
            score: 0.8 + (k % 17) / 100,
            liveness: 0.97,
            antispoof: 0.99,
            threshold: 0.6,
            modelVersion: 'human-3.3.6',
            attempts: 1,
            startedAt: at,
            decidedAt: at,
            imagesKept: false,
          },
          { userId: 'u-clerk03', counterId: 'counter-03' },
        );
        const today = businessDate(now);
        const receiptNo = formatReceiptNumber({ hallCode: 'HALL01', date: today, consoleCode: CONSOLE_ID, sequence: store.receiptSequences.next(CONSOLE_ID, today) });
        const tolerated = k % 10 === 3;
        const fee = k % 7 === 2 ? 9000 : 0;
        const created = store.cases.create(
          {
            receiptNo,
            ticketId: null,
            serviceItemCode: ITEMS[k % ITEMS.length]!,
            state: 'received',
            tolerated,
            applicant: { name: `测试${k % 100}`, idNumber: syntheticId(k), address: '某省某市某区某街道1号' },
            counterId: 'counter-03',
            clerkUserId: 'u-clerk03',
            deadline: '2026-12-01',
            materials: [
              { code: 'M1', name: '申请书', status: 'provided' },
              { code: 'M2', name: '营业执照', status: 'e_licence' },
              { code: 'M3', name: '经营场所证明', status: tolerated ? 'tolerated' : 'provided' },
            ],
            commitmentDeadline: tolerated ? '2026-11-30' : null,
            feeTotalFen: fee,
            paymentCode: fee > 0 ? receiptNo.replaceAll('-', '') : null,
            credit: { standing: 'normal', measures: [], action: null, reason: null, listVersion: '2026-11-20' },
            faceCheckId: face.id,
            businessDate: today,
          },
          'u-clerk03',
        );
        store.cases.transition(created.id, 'accepted', 'u-clerk03', null);
      }
    });
    done += n;
    if (done % 5000 === 0 || done === count) log(`  ${done.toLocaleString('en')} cases made offline`);
  }
}

function allOutboxRows(store: Store): OutboxEntry[] {
  const rows: OutboxEntry[] = [];
  for (let seq = 1; ; ) {
    const page = store.outbox.from(seq, 5000);
    if (page.length === 0) return rows;
    rows.push(...page);
    seq = page.at(-1)!.seq + 1;
  }
}

function toMutation(r: OutboxEntry): Mutation {
  return { seq: r.seq, mutationId: r.mutationId, schemaVersion: r.schemaVersion, hlc: r.hlc, type: r.type, payload: r.payload };
}

// ---------------------------------------------------------------- byte-counting relay

interface CountingRelay {
  port: number;
  /** Bytes console → hub and hub → console since the last reset (TCP payload: HTTP upgrade + ws frames). */
  bytes(): { up: number; down: number };
  reset(): void;
  close(): Promise<void>;
}

/** A loopback TCP relay in front of `targetPort` that counts every byte both ways: the wire, measured at the socket. */
async function countingRelay(targetPort: number): Promise<CountingRelay> {
  let up = 0;
  let down = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d: Buffer) => {
      up += d.length;
    });
    upstream.on('data', (d: Buffer) => {
      down += d.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    bytes: () => ({ up, down }),
    reset() {
      up = 0;
      down = 0;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------- catch-up over a websocket

interface CatchupOutcome {
  seconds: number;
  bytes: number;
  checks: Pick<SyncBenchChecks, 'hubLastApplied' | 'hubMutations' | 'hubDistinctSeqs' | 'missing' | 'quarantined'>;
}

async function catchup(store: Store, key: ConsoleSigningKey, rows: readonly OutboxEntry[], dir: string, log: (line: string) => void): Promise<CatchupOutcome> {
  const file = join(dir, 'hub-catchup.sqlite');
  const hubStore = await SqliteHubStore.open({ file });
  await hubStore.registerConsole(CONSOLE_ID, key.publicKeyBase64Url);
  const hub = await startHubServer({ store: hubStore, port: 0 });
  const relay = await countingRelay(hub.port);
  const logger = createMemoryLogger();
  const events = createEventBus(logger);
  const client = new SyncClient({ url: `ws://127.0.0.1:${relay.port}/sync`, transport: createWsTransport(), store, consoleId: CONSOLE_ID, signingKey: key, clock: systemClock, logger, events });
  let seconds: number;
  let bytes: number;
  try {
    const allAcked = new Promise<void>((resolve) => {
      const off = events.subscribe((event, payload) => {
        if (event === 'sync.changed' && (payload as { pendingUploads: number }).pendingUploads === 0) {
          off();
          resolve();
        }
      });
    });
    relay.reset();
    const t0 = performance.now();
    client.start();
    await withTimeout(allAcked, 300_000, () => `not every outbox row was acked (${store.outbox.countPending()} pending; ${client.status().lastError ?? 'no error'})`);
    seconds = (performance.now() - t0) / 1000;
    const b = relay.bytes();
    bytes = b.up + b.down;
    log(`  catch-up: ${rows.length.toLocaleString('en')} rows acked in ${seconds.toFixed(2)} s; ${b.up.toLocaleString('en')} bytes up, ${b.down.toLocaleString('en')} down`);
  } finally {
    await client.stop();
    await hub.close();
    await relay.close();
  }
  // Exactly once: read the hub's file after it closed.
  const sql = new Database(file, { readonly: true });
  try {
    const hubLastApplied = Number(sql.prepare('SELECT last_applied FROM hub_consoles WHERE console_id = ?').pluck().get(CONSOLE_ID) ?? 0);
    const counts = sql.prepare('SELECT count(*) AS n, count(DISTINCT seq) AS d FROM hub_mutations WHERE console_id = ?').get(CONSOLE_ID) as { n: number; d: number };
    const ids = new Set(sql.prepare('SELECT mutation_id FROM hub_mutations WHERE console_id = ?').pluck().all(CONSOLE_ID) as string[]);
    const missing = rows.filter((r) => !ids.has(r.mutationId)).length;
    const quarantined = Number(sql.prepare('SELECT count(*) FROM hub_quarantine').pluck().get());
    return { seconds, bytes, checks: { hubLastApplied, hubMutations: counts.n, hubDistinctSeqs: counts.d, missing, quarantined } };
  } finally {
    sql.close();
  }
}

// ---------------------------------------------------------------- hub ingest

/** The push frames exactly as the client builds them (sync/client/client.ts pushText). */
function pushFrames(mutations: readonly Mutation[], batchSize: number): string[] {
  const frames: string[] = [];
  for (let i = 0; i < mutations.length; i += batchSize) frames.push(JSON.stringify({ type: 'push', batch: mutations.slice(i, i + batchSize) }));
  return frames;
}

/** Mutations/s through a hub session (frame parse, schema, validator, applyPush, push_ack), one console, one batch in flight. */
async function ingestThroughSession(hubStore: HubStore, mutations: readonly Mutation[], batchSize: number): Promise<number> {
  const key = generateConsoleSigningKey();
  const consoleId = 'C07';
  await hubStore.registerConsole(consoleId, key.publicKeyBase64Url);
  const service = createHubService({ store: hubStore, clock: systemClock });
  let last: SyncMessage | null = null;
  let wire = '';
  const session = service.openSession((m) => {
    wire = JSON.stringify(m); // what the server would put on the socket
    last = m;
  });
  try {
    const issuedAt = new Date().toISOString();
    await session.receive(
      JSON.stringify({ type: 'hello', consoleId, protocolVersion: PROTOCOL_VERSION, schemaVersion: HUB_SCHEMA_VERSION, cursors: {}, lastAckedSeq: 0, auth: signHello(key.privateKey, consoleId, issuedAt) }),
    );
    if ((last as SyncMessage | null)?.type !== 'welcome') throw new Error(`ingest: the hub did not welcome the console: ${wire.slice(0, 200)}`);
    const frames = pushFrames(mutations, batchSize);
    const t0 = performance.now();
    for (const frame of frames) {
      await session.receive(frame);
      const ack = last as SyncMessage | null;
      if (ack?.type !== 'push_ack' || ack.results.some((r) => r.status !== 'applied')) throw new Error(`ingest: push not applied: ${wire.slice(0, 300)}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const ack = last as SyncMessage | null;
    if (ack?.type !== 'push_ack' || ack.expectedSeq !== mutations.length + 1) throw new Error(`ingest: the hub expects ${wire.slice(0, 100)} after ${mutations.length} rows`);
    return mutations.length / seconds;
  } finally {
    session.close();
    await service.close();
  }
}

interface RawRow {
  mutationId: string;
  seq: number;
  schemaVersion: number;
  hlc: string;
  type: string;
  payload: string;
}
const rawRows = (mutations: readonly Mutation[]): RawRow[] =>
  mutations.map((m) => ({ mutationId: m.mutationId, seq: m.seq, schemaVersion: m.schemaVersion, hlc: m.hlc, type: m.type, payload: JSON.stringify(m.payload) }));

const RAW_TABLE = `(mutation_id TEXT PRIMARY KEY, console_id TEXT NOT NULL, seq INTEGER NOT NULL, schema_version INTEGER NOT NULL,
  hlc TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, applied_at TEXT NOT NULL)`;

/** The limit: the same rows into one table of one file, one transaction per batch, the hub's pragmas (WAL, synchronous FULL). */
function rawSqliteInsert(file: string, mutations: readonly Mutation[], batchSize: number): number {
  const rows = rawRows(mutations);
  const sql = new Database(file);
  try {
    sql.pragma('journal_mode = WAL');
    sql.pragma('foreign_keys = ON');
    sql.pragma('busy_timeout = 5000');
    sql.pragma('synchronous = FULL');
    sql.exec(`CREATE TABLE raw_mutations ${RAW_TABLE}`);
    const insert = sql.prepare('INSERT INTO raw_mutations VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const batch = sql.transaction((slice: RawRow[], at: string) => {
      for (const r of slice) insert.run(r.mutationId, CONSOLE_ID, r.seq, r.schemaVersion, r.hlc, r.type, r.payload, at);
    });
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += batchSize) batch.immediate(rows.slice(i, i + batchSize), new Date().toISOString());
    return rows.length / ((performance.now() - t0) / 1000);
  } finally {
    sql.close();
  }
}

async function rawPostgresInsert(url: string, schema: string, mutations: readonly Mutation[], batchSize: number): Promise<number> {
  const rows = rawRows(mutations);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE ${schema}.raw_mutations ${RAW_TABLE.replace('seq INTEGER', 'seq BIGINT')}`);
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += batchSize) {
      const slice = rows.slice(i, i + batchSize);
      const at = new Date().toISOString();
      const params: (string | number)[] = [];
      const values = slice.map((r, j) => {
        params.push(r.mutationId, CONSOLE_ID, r.seq, r.schemaVersion, r.hlc, r.type, r.payload, at);
        const b = j * 8;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`;
      });
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${schema}.raw_mutations VALUES ${values.join(', ')}`, params);
      await client.query('COMMIT');
    }
    return rows.length / ((performance.now() - t0) / 1000);
  } finally {
    await client.end().catch(() => {});
  }
}

type PostgresOutcome = { perS: number; rawPerS: number; where: string } | { skipped: string };

const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 50);
const roundsText = (hub: readonly number[], raw: readonly number[]): string => hub.map((h, i) => `${Math.round(h).toLocaleString('en')} vs ${Math.round(raw[i]!).toLocaleString('en')}`).join(', ');

async function ingestPostgres(mutations: readonly Mutation[], opts: SyncBenchOptions, batchSize: number, rounds: number, log: (line: string) => void): Promise<PostgresOutcome> {
  if (opts.pg === 'skip') return { skipped: 'PostgreSQL skipped (--pg skip)' };
  let url: string;
  let where: string;
  let drop: () => Promise<void>;
  const schemas = Array.from({ length: rounds }, (_, i) => `hall_bench_${process.pid}_${randomBytes(3).toString('hex')}_${i}`);
  if (opts.pg !== undefined) {
    url = opts.pg;
    where = 'the server given with --pg';
    drop = async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        for (const schema of schemas) await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end().catch(() => {});
      }
    };
  } else {
    // Test code, loaded only here: the throwaway cluster of the hub's tests (fsync left on for the bench).
    const { createTestDatabase } = await import('../../test/support/postgres');
    try {
      log('  PostgreSQL: ' + (process.env.HALL_TEST_PG_URL ? 'a fresh database on HALL_TEST_PG_URL' : 'starting a throwaway cluster (fsync on)…'));
      const db = await createTestDatabase({ durable: true });
      url = db.url;
      drop = () => db.drop();
      where = process.env.HALL_TEST_PG_URL ? 'a fresh database on HALL_TEST_PG_URL' : 'a throwaway local PostgreSQL cluster (default fsync/synchronous_commit)';
    } catch (err) {
      if (process.env.HALL_TEST_PG_URL) throw err;
      return { skipped: `PostgreSQL not available: ${(err instanceof Error ? err.message : String(err)).split('. ')[0]}` };
    }
  }
  try {
    const hub: number[] = [];
    const raw: number[] = [];
    for (const schema of schemas) {
      const hubStore = await PostgresHubStore.open({ connectionString: url, schema });
      try {
        hub.push(await ingestThroughSession(hubStore, mutations, batchSize));
      } finally {
        await hubStore.close();
      }
      raw.push(await rawPostgresInsert(url, schema, mutations, batchSize));
    }
    const perS = median(hub);
    const rawPerS = median(raw);
    log(`  ingest postgres: ${Math.round(perS).toLocaleString('en')}/s through the hub, raw batched insert ${Math.round(rawPerS).toLocaleString('en')}/s (medians of ${rounds}: ${roundsText(hub, raw)})`);
    return { perS, rawPerS, where };
  } finally {
    await drop().catch(() => {});
  }
}

// ---------------------------------------------------------------- fan-out

type WorkerReply = { type: 'ready'; connected: number } | { type: 'pings'; ms: number[] } | { type: 'armed' } | { type: 'arrived'; at: number[] } | { type: 'closed' } | { type: 'failed'; error: string };

/** The simulated consoles' thread (sync-fanout-worker.mjs): one request, the answer of `type`. */
function consolesThread(url: string, hellos: string[]): { ask<T extends WorkerReply['type']>(type: T, request?: { type: string }, ms?: number): Promise<Extract<WorkerReply, { type: T }>>; stop(): Promise<void> } {
  const worker = new Worker(new URL('./sync-fanout-worker.mjs', import.meta.url), { workerData: { url, hellos, wave: 25 } });
  const inbox: WorkerReply[] = [];
  let wake: (() => void) | null = null;
  let crashed: Error | null = null;
  worker.on('message', (m: WorkerReply) => {
    inbox.push(m);
    wake?.();
  });
  worker.on('error', (err) => {
    crashed = err;
    wake?.();
  });
  return {
    async ask(type, request, ms = 60_000) {
      if (request) worker.postMessage(request);
      const end = Date.now() + ms;
      for (;;) {
        const failed = inbox.find((m) => m.type === 'failed');
        if (failed?.type === 'failed') throw new Error(`fan-out consoles: ${failed.error}`);
        if (crashed) throw crashed;
        const i = inbox.findIndex((m) => m.type === type);
        if (i >= 0) return inbox.splice(i, 1)[0] as Extract<WorkerReply, { type: typeof type }>;
        if (Date.now() > end) throw new Error(`fan-out consoles: no ${type} within ${ms} ms`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000).unref();
        });
        wake = null;
      }
    },
    async stop() {
      await this.ask('closed', { type: 'close' }, 10_000).catch(() => undefined);
      await worker.terminate();
    },
  };
}

const absoluteNow = (): number => performance.timeOrigin + performance.now();

async function fanout(consoles: number, rounds: number, dir: string, log: (line: string) => void): Promise<{ latency: number[]; ping: number[]; connected: number }> {
  const hubStore = await SqliteHubStore.open({ file: join(dir, 'hub-fanout.sqlite') });
  const enrolled = Array.from({ length: consoles }, (_, i) => ({ id: `F${String(i + 1).padStart(4, '0')}`, key: generateConsoleSigningKey() }));
  for (const c of enrolled) await hubStore.registerConsole(c.id, c.key.publicKeyBase64Url);
  await hubStore.publish('catalog', [{ op: 'put', key: CATALOG_ITEM.code, value: CATALOG_ITEM }]);
  const hub = await startHubServer({ store: hubStore, port: 0 });
  // Hellos are signed here (the consoles' keys never leave this thread); each is used once, within seconds.
  const issuedAt = new Date().toISOString();
  const hellos = enrolled.map((c) =>
    JSON.stringify({ type: 'hello', consoleId: c.id, protocolVersion: PROTOCOL_VERSION, schemaVersion: HUB_SCHEMA_VERSION, cursors: {}, lastAckedSeq: 0, auth: signHello(c.key.privateKey, c.id, issuedAt) }),
  );
  const thread = consolesThread(hub.url, hellos);
  try {
    const { connected } = await thread.ask('ready', undefined, 120_000);
    log(`  fan-out: ${connected} consoles connected, authenticated and synced in their own thread (hub sessions: ${hub.service.stats().authenticated})`);
    const latency: number[] = [];
    const ping: number[] = [];
    // Round 0 warms the hub's pull path up (a hub runs for days; its first publish is not the measure) and is not counted.
    for (let r = 0; r <= rounds; r++) {
      await new Promise((res) => setTimeout(res, 100));
      const pings = (await thread.ask('pings', { type: 'ping' })).ms;
      if (r > 0) ping.push(...pings);
      await new Promise((res) => setTimeout(res, 100));
      await thread.ask('armed', { type: 'arm' });
      const t0 = absoluteNow();
      await hubStore.publish('catalog', [{ op: 'put', key: CATALOG_ITEM.code, value: { ...CATALOG_ITEM, name: `${CATALOG_ITEM.name}（第${r}版）` } }]);
      const committedMs = absoluteNow() - t0;
      const times = (await thread.ask('arrived')).at.map((at) => at - t0);
      if (r > 0) latency.push(...times);
      const sorted = [...times].sort((a, b) => a - b);
      log(`  fan-out ${r === 0 ? 'warm-up round' : `round ${r}`}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, last ${sorted.at(-1)!.toFixed(1)} ms (the publish committed after ${committedMs.toFixed(1)} ms)`);
    }
    return { latency, ping, connected };
  } finally {
    await thread.stop();
    await hub.close();
  }
}

// ---------------------------------------------------------------- the peer: PouchDB

/** One PouchDB document per case: the case's outbox payloads under its case id. */
function pouchDocs(rows: readonly OutboxEntry[], limit: number): Record<string, unknown>[] {
  const byCase = new Map<string, Record<string, unknown>>();
  let faceCheck: unknown = null;
  for (const r of rows) {
    const p = r.payload as Record<string, unknown>;
    if (r.type === 'face_check.recorded') {
      faceCheck = p;
      continue;
    }
    const caseId = String(p.caseId);
    let doc = byCase.get(caseId);
    if (doc === undefined) {
      if (byCase.size >= limit) break;
      doc = { _id: caseId, faceCheck, events: [] as unknown[] };
      byCase.set(caseId, doc);
    }
    (doc.events as unknown[]).push({ type: r.type, hlc: r.hlc, ...p });
  }
  return [...byCase.values()];
}

async function pouchReplication(docs: readonly Record<string, unknown>[], dir: string, batchSize: number, log: (line: string) => void): Promise<{ seconds: number; written: number; bytes: number }> {
  const { default: PouchDB } = await import('pouchdb-node');
  const { default: expressPouchDB } = await import('express-pouchdb');
  const Served = PouchDB.defaults({ prefix: join(dir, 'pouch-hub-') });
  const app = expressPouchDB(Served, { mode: 'minimumForPouchDB', inMemoryConfig: true, logPath: join(dir, 'pouch-server.log') });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const relay = await countingRelay((server.address() as AddressInfo).port);
  const source = new PouchDB(join(dir, 'pouch-console'));
  try {
    for (let i = 0; i < docs.length; i += 500) await source.bulkDocs(docs.slice(i, i + 500));
    const target = `http://127.0.0.1:${relay.port}/hall_cases`;
    relay.reset();
    const t0 = performance.now();
    const result = await source.replicate.to(target, { batch_size: batchSize });
    const seconds = (performance.now() - t0) / 1000;
    const b = relay.bytes();
    const check = new PouchDB(target);
    const info = await check.info();
    await check.close();
    if (result.docs_written !== docs.length || info.doc_count !== docs.length) {
      throw new Error(`pouchdb: ${result.docs_written} of ${docs.length} documents replicated (${info.doc_count} on the target)`);
    }
    log(`  pouchdb: ${docs.length.toLocaleString('en')} documents replicated over HTTP in ${seconds.toFixed(2)} s; ${Math.round((b.up + b.down) / docs.length)} bytes per document on the wire`);
    return { seconds, written: result.docs_written, bytes: b.up + b.down };
  } finally {
    await source.close();
    await relay.close();
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------- the run

function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function positiveInt(name: string, v: number): number {
  if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

export async function runSyncBench(opts: SyncBenchOptions = {}): Promise<SyncBenchResult> {
  const cases = positiveInt('cases', opts.cases ?? 10_000);
  const consoles = positiveInt('consoles', opts.consoles ?? 500);
  const rounds = positiveInt('fanoutRounds', opts.fanoutRounds ?? 3);
  const docLimit = positiveInt('pouchDocs', opts.pouchDocs ?? cases);
  const batchSize = positiveInt('batchSize', opts.batchSize ?? 200);
  const ingestRounds = positiveInt('ingestRounds', opts.ingestRounds ?? 5);
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'hall-bench-sync-'));
  const store = createStore(join(dir, 'console.sqlite'), randomBytes(32), systemClock);
  try {
    log(`making ${cases.toLocaleString('en')} cases offline…`);
    makeOfflineCases(store, cases, log);
    const rows = allOutboxRows(store);
    const mutations = rows.map(toMutation);
    const payloadBytes = rows.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r.payload), 'utf8'), 0);
    log(`  ${rows.length.toLocaleString('en')} outbox rows, ${Math.round(payloadBytes / cases)} payload bytes per case`);

    log('catch-up over a websocket…');
    const up = await catchup(store, generateConsoleSigningKey(), rows, dir, log);

    log('hub ingest on SQLite…');
    const hubRounds: number[] = [];
    const rawRounds: number[] = [];
    for (let r = 0; r < ingestRounds; r++) {
      const ingestStore = await SqliteHubStore.open({ file: join(dir, `hub-ingest-${r}.sqlite`) });
      try {
        hubRounds.push(await ingestThroughSession(ingestStore, mutations, batchSize));
      } finally {
        await ingestStore.close();
      }
      rawRounds.push(rawSqliteInsert(join(dir, `raw-ingest-${r}.sqlite`), mutations, batchSize));
    }
    const sqlitePerS = median(hubRounds);
    const sqliteRawPerS = median(rawRounds);
    log(`  ingest sqlite: ${Math.round(sqlitePerS).toLocaleString('en')}/s through the hub, raw batched insert ${Math.round(sqliteRawPerS).toLocaleString('en')}/s (medians of ${ingestRounds}: ${roundsText(hubRounds, rawRounds)})`);

    log('hub ingest on PostgreSQL…');
    const pgOutcome = await ingestPostgres(mutations, opts, batchSize, ingestRounds, log);
    if ('skipped' in pgOutcome) log(`  ${pgOutcome.skipped}`);

    log(`fan-out to ${consoles} consoles…`);
    const fan = await fanout(consoles, rounds, dir, log);

    log('PouchDB replication of the same cases…');
    const docs = pouchDocs(rows, docLimit);
    const pouch = await pouchReplication(docs, dir, batchSize, log);

    const fanSorted = [...fan.latency].sort((a, b) => a - b);
    const pingSorted = [...fan.ping].sort((a, b) => a - b);
    // Our time scaled to the peer's document count when they differ (tests use smaller peers).
    const oursForPeer = up.seconds * (docs.length / cases);
    const pgFigure: BenchFigure =
      'skipped' in pgOutcome
        ? { name: 'hub.ingest.postgres.per_s', unit: 'ops/s', value: 0, goal: INGEST_POSTGRES_GOAL_PER_S, better: 'higher', skipped: pgOutcome.skipped }
        : {
            name: 'hub.ingest.postgres.per_s',
            unit: 'ops/s',
            value: Math.round(pgOutcome.perS),
            goal: INGEST_POSTGRES_GOAL_PER_S,
            better: 'higher',
            limit: { what: `raw batched INSERT of the same rows, ${batchSize} per transaction, on ${pgOutcome.where} (both medians of ${ingestRounds} alternating rounds)`, value: Math.round(pgOutcome.rawPerS), unit: 'ops/s' },
          };
    const figures: BenchFigure[] = [
      {
        name: 'hub.ingest.sqlite.per_s',
        unit: 'ops/s',
        value: Math.round(sqlitePerS),
        goal: INGEST_SQLITE_GOAL_PER_S,
        better: 'higher',
        limit: { what: `raw batched insert of the same rows into one SQLite file (WAL, synchronous FULL), ${batchSize} per transaction (both medians of ${ingestRounds} alternating rounds)`, value: Math.round(sqliteRawPerS), unit: 'ops/s' },
      },
      {
        name: 'hub.ingest.sqlite.ratio',
        unit: 'x',
        value: round(sqlitePerS / sqliteRawPerS, 3),
        goal: INGEST_SQLITE_RATIO_GOAL,
        better: 'higher',
        limit: { what: 'the raw insert itself', value: 1, unit: 'x' },
      },
      pgFigure,
      {
        name: 'catchup.10k.s',
        unit: 's',
        value: round(up.seconds, 3),
        goal: CATCHUP_GOAL_S,
        better: 'lower',
        limit: { what: `the hub ingesting the same ${rows.length} rows with no network (hub.ingest.sqlite.per_s)`, value: round(rows.length / sqlitePerS, 3), unit: 's' },
      },
      {
        name: 'wire.bytes_per_case',
        unit: 'B',
        value: Math.round(up.bytes / cases),
        goal: WIRE_GOAL_BYTES_PER_CASE,
        better: 'lower',
        limit: { what: "the case's outbox payloads as JSON, without envelope, framing or acks", value: Math.round(payloadBytes / cases), unit: 'B' },
      },
      {
        name: 'fanout.500.p50_ms',
        unit: 'ms',
        value: round(percentile(fanSorted, 50), 1),
        goal: FANOUT_P50_GOAL_MS,
        better: 'lower',
        limit: { what: `a ping from each of the same ${fan.connected} consoles at once, answered by the hub (p50)`, value: round(percentile(pingSorted, 50), 1), unit: 'ms' },
      },
      {
        name: 'fanout.500.p99_ms',
        unit: 'ms',
        value: round(percentile(fanSorted, 99), 1),
        goal: FANOUT_P99_GOAL_MS,
        better: 'lower',
        limit: { what: `a ping from each of the same ${fan.connected} consoles at once, answered by the hub (p99)`, value: round(percentile(pingSorted, 99), 1), unit: 'ms' },
      },
      {
        name: 'peer.pouchdb.10k.s',
        unit: 's',
        value: round(pouch.seconds, 3),
        goal: CATCHUP_GOAL_S,
        better: 'lower',
        informational: true,
        limit: { what: `our catch-up of the same ${docs.length} cases`, value: round(oursForPeer, 3), unit: 's' },
      },
      {
        name: 'catchup.vs_pouchdb.ratio',
        unit: 'x',
        value: round(pouch.seconds / oursForPeer, 2),
        goal: VS_POUCHDB_GOAL_RATIO,
        better: 'higher',
        limit: { what: "PouchDB's bytes on the wire per document ÷ ours per case", value: round(pouch.bytes / docs.length / (up.bytes / cases), 2), unit: 'x' },
      },
    ];
    return {
      figures,
      checks: { cases, outboxRows: rows.length, ...up.checks, fanoutConsoles: fan.connected, pouchDocsWritten: pouch.written },
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchSync(opts: SyncBenchOptions = {}): Promise<BenchFigure[]> {
  const { figures, checks } = await runSyncBench(opts);
  if (checks.hubLastApplied !== checks.outboxRows || checks.hubMutations !== checks.outboxRows || checks.hubDistinctSeqs !== checks.outboxRows || checks.missing > 0 || checks.quarantined > 0) {
    throw new Error(`the catch-up did not land every case exactly once: ${JSON.stringify(checks)}`);
  }
  return figures;
}
