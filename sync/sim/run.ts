/**
 * One seeded fault-injection run (`hall sim sync`, test/faults/): a SQLite hub and 2–4 consoles with
 * their real stores and real SyncClients, on virtual time and the injectable network of network.ts.
 *
 * For 30 virtual minutes clerks accept cases (some poisoned: the hub rejects them and a clerk later
 * fixes and resends them), an administrator publishes reference data, and the run's faults happen:
 * network chaos, partitions, kill -9 of a console (some exactly while its push is in flight), hub
 * crash and restart, lost fsync (the hub comes back without its last commits, same epoch), restore
 * of an older backup (new epoch), a console on schema N−2, clocks skewed up to ±48 h. Then the
 * network heals, everything is (re)started, clerks fix what needs correction, and the check runs:
 *
 * - lost: a case accepted on a console that is not on the hub;
 * - duplicated: a case the hub holds more than once;
 * - divergent: a console whose catalog, credit list, device list or calendar differs from the hub's,
 *   or a hub copy of a mutation whose content differs from the console's outbox row;
 * - stuck: a console whose outbox still had rows to upload (or to correct) 30 s after it came back
 *   online, or at the end of the heal phase.
 *
 * Everything random comes from the seed, so a failing seed reproduces exactly.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CalendarFile } from '../../main/domain/calendar';
import { ServiceItem } from '../../main/domain/catalog';
import type { Logger } from '../../main/log';
import { generateConsoleSigningKey, type ConsoleSigningKey } from '../../main/security/receipt-signature';
import { CALENDAR_SETTING } from '../../main/services/calendar';
import { createStore, SCHEMA_VERSION, type Store } from '../../main/store';
import { seededRandom } from '../../drivers/emulators/random';
import { SyncClient } from '../client/client';
import { canonicalJson } from '../hub/store/plan';
import { createHubService, MIN_CONSOLE_SCHEMA_VERSION, type HubService } from '../hub/session';
import { SqliteHubStore } from '../hub/store/sqlite';
import type { ChangeInput, ReferenceBucket } from '../hub/store/types';
import { NO_CHAOS, SimNetwork, type NetworkStats } from './network';
import { SIM_T0, SimScheduler } from './scheduler';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

export interface SimOptions {
  /** Virtual length of the busy phase (default 30 min). */
  activeMs?: number;
  /** Virtual length of the heal phase (default 15 min). */
  healMs?: number;
  /** A console that came back online must have nothing left to upload within this (default 30 s). */
  stuckAfterMs?: number;
  /** Where the run's files go (default the OS temp folder); removed afterwards unless keepFiles. */
  dir?: string;
  keepFiles?: boolean;
  /** Every console's sync log line, with virtual time (for reading a failing seed: `hall sim sync --trace`). */
  trace?: (line: string) => void;
  /** Only these kinds of fault (default: all). Tests use it to aim at one. */
  faultKinds?: readonly FaultKind[];
  /**
   * Called after the heal phase, before the check, with the hub's database file and the consoles'
   * stores: the harness's own tests break things here to show the check finds them.
   */
  beforeCheck?: (world: { hubFile: string; consoles: { consoleId: string; store: Store }[] }) => void;
  /** Called when the heal phase starts (tests revoke a console here to show `stuck` is found). */
  onHeal?: (world: { hub: SqliteHubStore; consoleIds: string[] }) => Promise<void>;
}

export const FAULT_KINDS = ['chaos', 'partition', 'kill', 'kill-mid-upload', 'hub-crash', 'lost-fsync', 'restore-backup'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SimRunResult {
  seed: number;
  ok: boolean;
  lost: number;
  duplicated: number;
  divergent: number;
  stuck: number;
  /** Harness or product errors (an event threw). */
  errors: string[];
  /** What happened, for reading a failing seed. */
  faults: string[];
  problems: string[];
  cases: number;
  rejectedAndFixed: number;
  consoles: number;
  network: NetworkStats;
  steps: number;
}

const silent: Logger = { log() {} };

interface CaseRecord {
  caseId: string;
  consoleId: string;
}

class SimHub {
  store: SqliteHubStore | null = null;
  service: HubService | null = null;
  readonly snapshots: { at: number; file: string }[] = [];

  constructor(
    readonly dir: string,
    private readonly sched: SimScheduler,
    private readonly net: SimNetwork,
  ) {}

  get file(): string {
    return join(this.dir, 'hub.sqlite');
  }

  async start(): Promise<void> {
    if (this.store !== null) return;
    // NORMAL: a process crash loses nothing committed (lost fsync is played explicitly, by snapshots).
    const store = await SqliteHubStore.open({ file: this.file, now: () => new Date(SIM_T0 + this.sched.now), watchIntervalMs: 3_600_000, synchronous: 'NORMAL' });
    this.store = store;
    this.service = createHubService({ store, clock: () => new Date(SIM_T0 + this.sched.now), timers: this.sched.timers('hub') });
    this.net.setHub(this.service);
  }

  /** kill -9 at an event boundary: every committed transaction is in the file, nothing else survives. */
  async crash(): Promise<void> {
    if (this.store === null) return;
    this.net.setHub(null);
    this.sched.cancelOwner('hub');
    const { store, service } = this;
    this.store = null;
    this.service = null;
    await service?.close();
    await store.close();
  }

  /** A copy of the hub's database as it is now (file + WAL: no transaction is open at an event boundary). */
  snapshot(): void {
    const file = join(this.dir, `snap-${this.snapshots.length}.sqlite`);
    copyFileSync(this.file, file);
    if (existsSync(`${this.file}-wal`)) copyFileSync(`${this.file}-wal`, `${file}-wal`);
    this.snapshots.push({ at: this.sched.now, file });
  }

  /** The hub's files replaced by a snapshot (the hub must be down). */
  restore(snapshot: { file: string }): void {
    for (const suffix of ['-wal', '-shm']) rmSync(`${this.file}${suffix}`, { force: true });
    copyFileSync(snapshot.file, this.file);
    if (existsSync(`${snapshot.file}-wal`)) copyFileSync(`${snapshot.file}-wal`, `${this.file}-wal`);
  }
}

class SimConsole {
  store: Store | null = null;
  client: SyncClient | null = null;
  readonly key: ConsoleSigningKey = generateConsoleSigningKey();
  private readonly masterKey = randomBytes(32);
  /** Virtual time it came online after the heal, and when its outbox was empty. */
  onlineAfterHeal: number | null = null;
  drainedAt: number | null = null;

  constructor(
    readonly consoleId: string,
    readonly dir: string,
    readonly skewMs: number,
    readonly schemaVersion: number,
    private readonly sched: SimScheduler,
    private readonly net: SimNetwork,
    private readonly random: () => number,
    private readonly logger: Logger,
  ) {}

  clock = (): Date => new Date(SIM_T0 + this.sched.now + this.skewMs);

  get alive(): boolean {
    return this.store !== null;
  }

  start(): void {
    if (this.store !== null) return;
    const store = createStore(join(this.dir, `${this.consoleId}.sqlite`), this.masterKey, this.clock);
    this.store = store;
    this.client = new SyncClient({
      url: 'sim://hub/sync',
      transport: this.net.transportFor(this.consoleId),
      store,
      consoleId: this.consoleId,
      signingKey: this.key,
      clock: this.clock,
      logger: this.logger,
      random: this.random,
      timers: this.sched.timers(this.consoleId),
      schemaVersion: this.schemaVersion,
      retentionDays: 30,
    });
    this.client.start();
  }

  /** kill -9: timers, links and memory are gone; the database keeps what was committed. */
  kill(): void {
    if (this.store === null) return;
    this.sched.cancelOwner(this.consoleId);
    this.net.killConsole(this.consoleId);
    this.store.close();
    this.store = null;
    this.client = null;
  }

  /** 受理: the case and its outbox row in one transaction (what CaseRepository does), `at` from this console's clock. */
  accept(caseId: string, poisoned: boolean): void {
    const store = this.store;
    if (store === null) return;
    const at = poisoned ? new Date(this.clock().getTime() + 30 * 24 * H).toISOString() : this.clock().toISOString();
    store.db.transaction(() => {
      store.outbox.append('case.accepted', { caseId, receiptNo: `SIM-${caseId}`, itemCode: 'SCJG-001', counterId: this.consoleId, state: 'accepted', at });
    });
  }

  /** The clerk fixes every rejected row: the case again with a correct time. */
  fixRejected(): number {
    const client = this.client;
    if (client === null) return 0;
    let fixed = 0;
    for (const row of client.needsCorrection()) {
      const payload = { ...(row.payload as Record<string, unknown>), at: this.clock().toISOString() };
      if (client.resend(row.seq, { payload }).ok) fixed++;
    }
    return fixed;
  }
}

function catalogItem(code: string, version: number): ServiceItem {
  return ServiceItem.parse({
    code,
    name: `模拟事项${code}（第${version}版）`,
    department: '市场监督管理局',
    kind: 'promised',
    legalLimitDays: 15,
    promisedLimitDays: 3 + (version % 5),
    serviceGroup: 'A',
    toleranceAllowed: true,
    creditCommitmentAllowed: true,
    completeWithFeesUnpaid: false,
    materials: [{ code: 'M1', name: '申请书', form: 'original', count: 1 }],
    fees: [],
  });
}

function hex64(r: () => number): string {
  return Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
}

/** One seeded run. */
export async function runSyncSimulation(seed: number, options: SimOptions = {}): Promise<SimRunResult> {
  const activeMs = options.activeMs ?? 30 * MIN;
  const healMs = options.healMs ?? 15 * MIN;
  const stuckAfterMs = options.stuckAfterMs ?? 30 * S;
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const dir = mkdtempSync(join(options.dir ?? tmpdir(), `hall-sim-${seed}-`));
  const sched = new SimScheduler();
  const net = new SimNetwork(sched, seededRandom(seed ^ 0x5eed));
  const hub = new SimHub(dir, sched, net);
  const faults: string[] = [];
  const problems: string[] = [];
  const cases: CaseRecord[] = [];
  const note = (text: string): void => void faults.push(`${(sched.now / S).toFixed(1)}s ${text}`);
  let consoles: SimConsole[] = [];
  let rejectedAndFixed = 0;

  try {
    await hub.start();
    const n = between(2, 4);
    const oldSchema = random() < 0.3 ? between(0, n - 1) : -1;
    for (let i = 0; i < n; i++) {
      const skew = pick([0, 0, 48 * H, -48 * H, Math.round((random() * 2 - 1) * 47 * H)]);
      const schema = i === oldSchema ? MIN_CONSOLE_SCHEMA_VERSION : SCHEMA_VERSION;
      const consoleId = `C${String(i + 1).padStart(2, '0')}`;
      const trace = options.trace;
      const logger: Logger = trace ? { log: (level, event, fields) => trace(`${(sched.now / S).toFixed(3)}s ${consoleId} ${level} ${event} ${fields ? JSON.stringify(fields) : ''}`) } : silent;
      const c = new SimConsole(consoleId, dir, skew, schema, sched, net, seededRandom(seed * 31 + i), logger);
      await hub.store!.registerConsole(c.consoleId, c.key.publicKeyBase64Url);
      if (skew !== 0) note(`${c.consoleId} clock skewed ${(skew / H).toFixed(1)} h`);
      if (schema !== SCHEMA_VERSION) note(`${c.consoleId} is an older build (schema ${schema})`);
      consoles.push(c);
    }
    // The hall's reference data as it stands before any console enrolls (a hub always has a calendar).
    await hub.store!.publish('catalog', ['SIM-1', 'SIM-2', 'SIM-3'].map((code) => ({ op: 'put' as const, key: code, value: catalogItem(code, 1) })));
    await hub.store!.publish('calendar', [{ op: 'put', key: CALENDAR_SETTING, value: CalendarFile.parse({ version: 1, holidays: ['2027-01-01'], workdays: [] }) }]);
    hub.snapshot();
    for (const c of consoles) c.start();

    // Reference data: the administrator publishes now and then (puts, overwrites and deletes).
    const publish = async (): Promise<void> => {
      const store = hub.store;
      if (store === null) return;
      const bucket = pick<ReferenceBucket>(['catalog', 'catalog', 'credit', 'devices', 'calendar']);
      const changes: ChangeInput[] = [];
      for (let k = between(1, 4); k > 0; k--) {
        const del = random() < 0.2;
        if (bucket === 'catalog') {
          const code = `SIM-${between(1, 8)}`;
          changes.push(del ? { op: 'delete', key: code } : { op: 'put', key: code, value: catalogItem(code, between(1, 99)) });
        } else if (bucket === 'credit') {
          const key = hex64(seededRandom(between(1, 6)));
          changes.push(del ? { op: 'delete', key } : { op: 'put', key, value: { standing: pick(['dishonest', 'watch']), measures: [], listVersion: `v${between(1, 9)}` } });
        } else if (bucket === 'devices') {
          const key = `dev-${between(1, 5)}`;
          changes.push(del ? { op: 'delete', key } : { op: 'put', key, value: { kind: pick(['idcard', 'printer', 'scanner']), serial: `SN${between(1000, 9999)}` } });
        } else {
          changes.push({ op: 'put', key: CALENDAR_SETTING, value: CalendarFile.parse({ version: 1, holidays: [`2027-01-0${between(1, 3)}`], workdays: [] }) });
        }
      }
      await store.publish(bucket, changes);
    };

    // The busy phase: cases, publishes, snapshots (backups) and faults at seeded times.
    let caseNo = 0;
    for (const c of consoles) {
      for (let t = between(0, 90) * S; t < activeMs; t += between(10, 120) * S) {
        sched.at(t, () => {
          if (!c.alive) return;
          const caseId = `${c.consoleId}-${++caseNo}`;
          const poisoned = random() < 0.05;
          c.accept(caseId, poisoned);
          cases.push({ caseId, consoleId: c.consoleId });
        });
      }
    }
    for (let t = between(5, 60) * S; t < activeMs; t += between(60, 300) * S) sched.at(t, publish);
    for (let t = 2 * MIN; t < activeMs; t += between(60, 240) * S) {
      sched.at(t, () => {
        if (hub.store !== null) hub.snapshot();
      });
    }

    const faultCount = between(3, 10);
    for (let f = 0; f < faultCount; f++) {
      const at = between(10, Math.floor(activeMs / S) - 10) * S;
      const kind = pick<FaultKind>(options.faultKinds ?? ['chaos', 'partition', 'partition', 'kill', 'kill-mid-upload', 'hub-crash', 'lost-fsync', 'restore-backup']);
      sched.at(at, async () => {
        switch (kind) {
          case 'chaos': {
            const level = { drop: random() * 0.2, duplicate: random() * 0.2, reorder: random() * 0.2, garbage: random() * 0.1 };
            const ms = between(5, 300) * S;
            net.chaos = level;
            note(`chaos for ${ms / S}s drop ${level.drop.toFixed(2)} dup ${level.duplicate.toFixed(2)} reorder ${level.reorder.toFixed(2)} garbage ${level.garbage.toFixed(2)}`);
            sched.after(ms, () => {
              if (net.chaos === level) net.chaos = NO_CHAOS;
            });
            return;
          }
          case 'partition': {
            const who = random() < 0.3 ? '*' : pick(consoles).consoleId;
            const ms = between(5, 600) * S;
            const mode = random() < 0.5 ? 'reset' : 'silent';
            note(`partition ${who} (${mode}) for ${ms / S}s`);
            net.partition(who, ms, mode);
            return;
          }
          case 'kill':
          case 'kill-mid-upload': {
            const c = pick(consoles);
            const restartIn = between(1, 180) * S;
            const kill = (): void => {
              if (!c.alive) return;
              note(`kill -9 ${c.consoleId}${kind === 'kill-mid-upload' ? ' with its push in flight' : ''}, restart in ${restartIn / S}s`);
              c.kill();
              sched.after(restartIn, () => c.start());
            };
            if (kind === 'kill') return kill();
            // The next push this console sends: die before or after the hub applied it.
            const previous = net.onPushSent;
            net.onPushSent = (consoleId) => {
              previous?.(consoleId);
              if (consoleId !== c.consoleId) return;
              net.onPushSent = previous;
              sched.after(between(0, 40), kill);
            };
            return;
          }
          case 'hub-crash': {
            const down = between(1, 120) * S;
            note(`hub crash, back in ${down / S}s`);
            await hub.crash();
            sched.after(down, () => hub.start());
            return;
          }
          case 'lost-fsync': {
            const snap = hub.snapshots.at(-1)!;
            hub.snapshot(); // (the state it loses, kept only to make the run's files readable)
            const down = between(1, 60) * S;
            note(`hub crash losing its commits after ${(snap.at / S).toFixed(1)}s (same epoch), back in ${down / S}s`);
            await hub.crash();
            hub.restore(snap);
            sched.after(down, () => hub.start());
            return;
          }
          case 'restore-backup': {
            const snap = pick(hub.snapshots);
            const down = between(10, 300) * S;
            note(`hub restored from the backup of ${(snap.at / S).toFixed(1)}s with a new epoch, back in ${down / S}s`);
            await hub.crash();
            hub.restore(snap);
            const store = await SqliteHubStore.open({ file: hub.file });
            await store.newEpoch();
            await store.close();
            sched.after(down, () => hub.start());
            return;
          }
        }
      });
    }

    await sched.runUntil(activeMs);

    // Heal: no more faults; every process up; clerks fix what the hub rejected.
    const healAt = sched.now;
    net.heal();
    net.onPushSent = null;
    await hub.start();
    for (const c of consoles) c.start();
    await options.onHeal?.({ hub: hub.store!, consoleIds: consoles.map((c) => c.consoleId) });
    const watch = (): void => {
      for (const c of consoles) {
        const client = c.client;
        if (client === null) continue;
        rejectedAndFixed += c.fixRejected();
        const st = client.status();
        if (c.onlineAfterHeal === null && client.connectionState === 'online') c.onlineAfterHeal = sched.now;
        if (c.drainedAt === null && c.onlineAfterHeal !== null && st.pendingUploads === 0 && (st.needsCorrection ?? 0) === 0) c.drainedAt = sched.now;
      }
      if (sched.now < healAt + healMs) sched.after(S, watch);
    };
    watch();
    await sched.runUntil(healAt + healMs);

    // The check.
    options.beforeCheck?.({ hubFile: hub.file, consoles: consoles.map((c) => ({ consoleId: c.consoleId, store: c.store! })) });
    const hubDb = new Database(hub.file, { readonly: true });
    let lost = 0;
    let duplicated = 0;
    let divergent = 0;
    let stuck = 0;
    try {
      const held = new Map<string, number>();
      for (const row of hubDb.prepare(`SELECT json_extract(payload, '$.caseId') AS caseId, count(*) AS n FROM hub_mutations WHERE type = 'case.accepted' GROUP BY 1`).all() as {
        caseId: string;
        n: number;
      }[])
        held.set(row.caseId, row.n);
      for (const c of cases) {
        const n = held.get(c.caseId) ?? 0;
        if (n === 0) {
          lost++;
          problems.push(`lost: case ${c.caseId} of ${c.consoleId} is not on the hub`);
        } else if (n > 1) {
          duplicated++;
          problems.push(`duplicated: case ${c.caseId} is on the hub ${n} times`);
        }
      }
      if (held.size > new Set(cases.map((c) => c.caseId)).size) problems.push(`the hub holds cases no console made`);

      const hubState = foldChanges(hubDb);
      const mutation = hubDb.prepare('SELECT payload, type FROM hub_mutations WHERE mutation_id = ?');
      for (const c of consoles) {
        const store = c.store!;
        for (const bucket of ['catalog', 'credit', 'devices', 'calendar'] as const) {
          const mine = localState(store, bucket);
          const theirs = hubState.get(bucket) ?? new Map<string, string>();
          const diff = differences(mine, theirs);
          if (diff.length > 0) {
            divergent++;
            problems.push(`divergent: ${c.consoleId} ${bucket}: ${diff.slice(0, 3).join('; ')}`);
          }
        }
        for (const row of store.outbox.from(1, 1_000_000)) {
          if (row.status === 'rejected') continue;
          const there = mutation.get(row.mutationId) as { payload: string; type: string } | undefined;
          if (there !== undefined && (there.type !== row.type || canonicalJson(JSON.parse(there.payload)) !== canonicalJson(row.payload))) {
            divergent++;
            problems.push(`divergent: the hub's copy of ${c.consoleId} seq ${row.seq} differs from the console's`);
          }
        }
        const st = c.client!.status();
        const late = c.onlineAfterHeal === null || c.drainedAt === null || c.drainedAt - c.onlineAfterHeal > stuckAfterMs;
        if (late || st.pendingUploads > 0 || (st.needsCorrection ?? 0) > 0) {
          stuck++;
          problems.push(
            `stuck: ${c.consoleId} online after heal at ${c.onlineAfterHeal === null ? 'never' : `${((c.onlineAfterHeal - healAt) / S).toFixed(1)}s`}, drained at ${c.drainedAt === null ? 'never' : `${((c.drainedAt - healAt) / S).toFixed(1)}s`}, ${st.pendingUploads} pending, ${st.needsCorrection ?? 0} to correct; ${st.lastError ?? ''}`,
          );
        }
      }
    } finally {
      hubDb.close();
    }
    const errors = [...sched.errors];
    return {
      seed,
      ok: lost + duplicated + divergent + stuck === 0 && errors.length === 0,
      lost,
      duplicated,
      divergent,
      stuck,
      errors,
      faults,
      problems,
      cases: cases.length,
      rejectedAndFixed,
      consoles: consoles.length,
      network: { ...net.stats },
      steps: sched.steps,
    };
  } finally {
    for (const c of consoles) c.kill();
    consoles = [];
    await hub.crash();
    if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
  }
}

/** bucket → key → canonical JSON of the value, folded from the hub's change log. */
function foldChanges(db: Database.Database): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const row of db.prepare('SELECT bucket, op, key, value FROM hub_changes ORDER BY server_seq').iterate() as Iterable<{ bucket: string; op: string; key: string; value: string | null }>) {
    let m = out.get(row.bucket);
    if (m === undefined) out.set(row.bucket, (m = new Map()));
    if (row.op === 'delete') m.delete(row.key);
    else m.set(row.key, canonicalJson(comparable(row.bucket, JSON.parse(row.value ?? 'null'))));
  }
  return out;
}

/** A value as the console keeps it (catalog items are normalised by their schema on the way in). */
function comparable(bucket: string, value: unknown): unknown {
  if (bucket === 'catalog') return ServiceItem.parse(value);
  return value;
}

function localState(store: Store, bucket: 'catalog' | 'credit' | 'devices' | 'calendar'): Map<string, string> {
  const m = new Map<string, string>();
  if (bucket === 'catalog') for (const item of store.catalog.all()) m.set(item.code, canonicalJson(item));
  else if (bucket === 'credit') {
    for (const { id_hash } of store.db.sql.prepare('SELECT id_hash FROM credit_entries').all() as { id_hash: string }[]) {
      const e = store.credit.find(id_hash)!;
      m.set(id_hash, canonicalJson({ standing: e.standing, measures: e.measures, listVersion: e.listVersion }));
    }
  } else if (bucket === 'devices') {
    for (const r of store.db.sql.prepare('SELECT id, body FROM sync_devices').all() as { id: string; body: string }[]) m.set(r.id, canonicalJson(JSON.parse(r.body)));
  } else {
    const cal = store.settings.get(CALENDAR_SETTING, CalendarFile);
    if (cal !== null && cal !== undefined) m.set(CALENDAR_SETTING, canonicalJson(cal));
  }
  return m;
}

function differences(mine: Map<string, string>, theirs: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of theirs) {
    if (!mine.has(k)) out.push(`missing ${k}`);
    else if (mine.get(k) !== v) out.push(`differs ${k}`);
  }
  for (const k of mine.keys()) if (!theirs.has(k)) out.push(`extra ${k}`);
  return out;
}
