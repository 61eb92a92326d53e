/**
 * Property test of the console's sync client against a hostile hub (issue 6: "a malformed/oversized/
 * unknown message never crashes the console"). A scripted hub drives the client to a phase (waiting
 * for welcome, a push in flight, a pull in flight, idle after a checkpoint), then feeds it random and
 * malformed frames: random text and bytes, oversized frames, wrong types, unknown messages, and
 * valid-looking messages at the wrong time. After every frame:
 * - nothing threw, no unhandled rejection, and the client never hit its internal-error guard;
 * - no outbox row was lost (seqs stay 1..max, nothing deleted);
 * - a row left `pending` only by a push_ack that named it, after the client had pushed it on that
 *   connection, with that outcome (applied/duplicate → acked, rejected → rejected);
 * - every stored cursor is '' or the cursor of a checkpoint frame the hub sent for that bucket;
 * - `status()` and every `sync.changed` event pass the contract's SyncStatus schema.
 *
 * Default: about 2,000 frames in `npm test`. `HALL_FUZZ_RUNS=100000` (frames) for the long run,
 * `HALL_FUZZ_SEED` to reproduce a failure.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncStatus } from '../../preload/contract';
import { testClock } from '../../main/domain/clock';
import { createEventBus } from '../../main/events';
import { createMemoryLogger } from '../../main/log';
import { generateConsoleSigningKey } from '../../main/security/receipt-signature';
import { memoryStore } from '../../main/store/test-support';
import { MAX_FRAME_BYTES, parseSyncFrame, type Bucket, type SyncMessage } from '../protocol';
import { readCursors } from './apply';
import { seededRandom } from '../../drivers/emulators/random';
import { SyncClient } from './client';
import { CATALOG_ITEM, flush, manualTimers, scriptedTransport, type ScriptedHub } from './test-support';

const FRAMES = Number(process.env.HALL_FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.HALL_FUZZ_SEED ?? 20261127);
const STEPS_PER_RUN = 8;
const BUCKETS: readonly Bucket[] = ['catalog', 'hall_cases'];
const PHASES = ['hello', 'push', 'pull', 'idle'] as const;
type Phase = (typeof PHASES)[number];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

// ---------- frames ----------

const OVERSIZED = [
  'x'.repeat(MAX_FRAME_BYTES + 1),
  JSON.stringify({ type: 'changes', bucket: 'catalog', changes: [{ serverSeq: 1, op: 'put', key: 'K', value: 'v'.repeat(MAX_FRAME_BYTES) }] }),
  // under the frame limit but far over any sane size: 3 MiB of a valid-looking change value
  JSON.stringify({ type: 'changes', bucket: 'hall_cases', changes: [{ serverSeq: 1, op: 'put', key: 'K', value: { s: 'y'.repeat(3 * 1024 * 1024) } }] }),
];
const BUCKET_NAMES = ['catalog', 'calendar', 'credit', 'users', 'devices', 'hall_cases', 'nope', ''];
const TYPES = ['welcome', 'error', 'push_ack', 'changes', 'checkpoint', 'poke', 'ping', 'pong', 'hello', 'push', 'pull', 'checkpoint_ack', 'launch', ''];
const iso = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
const smallSeq = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 1, max: 12 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -3, max: 0 }), fc.constant(2 ** 53), fc.double()) },
);
const cursor = fc.oneof(fc.constant(''), fc.nat(50).map((n) => `E1:${n}`), fc.nat(50).map((n) => `E2:${n}`), fc.string({ maxLength: 20 }), fc.string({ minLength: 129, maxLength: 140 }));
const caseEvent = fc.record({
  consoleId: fc.constantFrom('C03', 'C05', '', 7),
  seq: smallSeq,
  type: fc.constantFrom('case.created', 'case.transitioned', 'case.deadline_changed', 'case.x', 'ticket.issued'),
  hlc: fc.constantFrom('000001764118800000-000000', '000001764118800001-000003', 'bad'),
  payload: fc.oneof(
    fc.record({ caseId: fc.constantFrom('case-1', 'case-2', ''), receiptNo: fc.constantFrom('R-1', 'R-2'), state: fc.constantFrom('accepted', 'completed', 'weird'), to: fc.constantFrom('completed', 'rejected'), at: iso, counterId: fc.constantFrom('W03', null), deadline: fc.oneof(iso, fc.constant(null)) }),
    fc.jsonValue({ maxDepth: 2 }),
  ),
});
const change = fc.record({
  serverSeq: fc.oneof(fc.nat(60), fc.constant(-1)),
  op: fc.constantFrom('put', 'put', 'delete', 'upsert'),
  key: fc.oneof(fc.constantFrom('SCJG-001', 'calendar', '0'.repeat(64), 'K'), fc.uuid(), fc.string({ maxLength: 10 })),
  value: fc.oneof(fc.constant(CATALOG_ITEM), fc.constant({ ...CATALOG_ITEM, code: 'OTHER' }), caseEvent, fc.jsonValue({ maxDepth: 3 })),
});
const result = fc.oneof(
  { weight: 5, arbitrary: fc.record({ seq: smallSeq, status: fc.constantFrom('applied', 'duplicate') }) },
  { weight: 5, arbitrary: fc.record({ seq: smallSeq, status: fc.constant('rejected'), reason: fc.string({ maxLength: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ seq: smallSeq, status: fc.constant('rejected'), reason: fc.string({ minLength: 501, maxLength: 510 }) }) },
  { weight: 1, arbitrary: fc.record({ seq: smallSeq, status: fc.constantFrom('ok', 'rejected') }) },
);
const validLooking: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ type: fc.constant('welcome'), epoch: fc.constantFrom('E1', 'E2', ''), expectedSeq: smallSeq, serverTime: iso }),
  fc.record(
    {
      type: fc.constant('error'),
      code: fc.constantFrom('bad_message', 'unsupported_protocol', 'unauthorized', 'reset_required', 'busy', 'internal', 'teapot'),
      message: fc.string({ maxLength: 40 }),
      retryAfterMs: fc.oneof(fc.nat(10_000_000), fc.constant(-1)),
    },
    { requiredKeys: ['type', 'code', 'message'] },
  ),
  fc.record({ type: fc.constant('push_ack'), results: fc.array(result, { maxLength: 4 }), expectedSeq: smallSeq }),
  fc.record({ type: fc.constant('push_ack'), results: fc.array(result, { maxLength: 4 }), expectedSeq: smallSeq }),
  fc.record({ type: fc.constant('changes'), bucket: fc.constantFrom(...BUCKET_NAMES), changes: fc.array(change, { maxLength: 4 }) }),
  fc.record({ type: fc.constant('checkpoint'), bucket: fc.constantFrom(...BUCKET_NAMES), cursor, count: fc.oneof(fc.nat(5), fc.constant(-1)) }, { requiredKeys: ['type', 'bucket', 'cursor'] }),
  fc.record({ type: fc.constant('poke'), buckets: fc.array(fc.constantFrom(...BUCKET_NAMES), { maxLength: 3 }) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constantFrom('ping', 'pong'), at: fc.oneof(iso, fc.string({ maxLength: 5 })) }),
  fc.record({ type: fc.constantFrom('hello', 'push', 'pull', 'checkpoint_ack'), bucket: fc.constantFrom(...BUCKET_NAMES), cursor, batch: fc.constant([]) }),
);
const frame: fc.Arbitrary<string> = fc.oneof(
  { weight: 30, arbitrary: validLooking.map((v) => JSON.stringify(v)) },
  { weight: 4, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8')) },
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  {
    weight: 4,
    arbitrary: fc
      .record({ type: fc.constantFrom(...TYPES), rest: fc.dictionary(fc.constantFrom('bucket', 'cursor', 'changes', 'results', 'expectedSeq', 'code', 'epoch', 'buckets', 'count'), fc.jsonValue({ maxDepth: 3 })) })
      .map(({ type, rest }) => JSON.stringify({ ...rest, type })),
  },
  { weight: 1, arbitrary: fc.constantFrom(...OVERSIZED.map((_, i) => i)).map((i) => OVERSIZED[i]!) },
);
const step = fc.record({ phase: fc.constantFrom(...PHASES), frames: fc.array(frame, { minLength: 1, maxLength: 4 }), validChanges: fc.boolean() });

// ---------- one scripted run ----------

class Run {
  readonly clock = testClock();
  readonly store = memoryStore(this.clock);
  readonly timers = manualTimers();
  readonly net = scriptedTransport();
  readonly logger = createMemoryLogger();
  readonly events = createEventBus(this.logger);
  readonly emitted: unknown[] = [];
  readonly client: SyncClient;
  /** seq → outcomes a push_ack legitimately allowed ('acked' | 'rejected'). */
  readonly allowed = new Map<number, Set<string>>();
  /** bucket → cursors the hub sent in a checkpoint. */
  readonly checkpointed = new Map<string, Set<string>>();
  /** How many of a hub's received frames the driver has looked at. */
  private seen = new Map<ScriptedHub, number>();
  private cursorNo = 0;
  frames = 0;

  constructor() {
    this.events.subscribe((e, p) => {
      if (e === 'sync.changed') this.emitted.push(p);
    });
    this.client = new SyncClient({
      url: 'ws://hub.test/sync',
      transport: this.net.transport,
      store: this.store,
      consoleId: 'C03',
      signingKey: KEY,
      clock: this.clock,
      logger: this.logger,
      events: this.events,
      timers: this.timers,
      random: seededRandom(3),
      retentionDays: 0,
      keepaliveMs: 0,
      pollMs: 0,
      requestTimeoutMs: 3_600_000,
      buckets: BUCKETS,
    });
  }

  get hub(): ScriptedHub | undefined {
    return this.net.hubs.at(-1);
  }

  append(n: number): void {
    this.store.db.transaction(() => {
      for (let i = 0; i < n; i++) this.store.outbox.append('case.created', { caseId: `case-${this.store.outbox.lastSeq() + 1}`, receiptNo: 'R-1', state: 'accepted' });
    });
  }

  /** Delivers a frame from the hub, first recording what it legitimately allows. */
  async deliver(hub: ScriptedHub, text: string): Promise<void> {
    const parsed = parseSyncFrame(text);
    if (parsed.ok) this.note(hub, parsed.message);
    hub.reply(text);
    this.frames++;
    await flush(3);
  }

  private note(hub: ScriptedHub, m: SyncMessage): void {
    if (m.type === 'push_ack') {
      const pushed = new Set(hub.of('push').flatMap((p) => p.batch.map((b) => b.seq)));
      for (const r of m.results) {
        if (!pushed.has(r.seq)) continue;
        const set = this.allowed.get(r.seq) ?? new Set<string>();
        set.add(r.status === 'rejected' ? 'rejected' : 'acked');
        this.allowed.set(r.seq, set);
      }
    }
    if (m.type === 'checkpoint') {
      const set = this.checkpointed.get(m.bucket) ?? new Set<string>();
      set.add(m.cursor);
      this.checkpointed.set(m.bucket, set);
    }
  }

  /** Frames the client sent on `hub` since the driver last looked. */
  private fresh(hub: ScriptedHub): ScriptedHub['received'] {
    const from = this.seen.get(hub) ?? 0;
    this.seen.set(hub, hub.received.length);
    return hub.received.slice(from);
  }

  /** A new connection, then the scripted hub plays along until the client is in `phase`. */
  async drive(phase: Phase, validChanges: boolean): Promise<void> {
    if (this.client.connectionState === 'stopped') this.client.start();
    const before = this.net.hubs.length;
    if (this.hub && !this.hub.closed) this.hub.close(1001);
    await flush(3);
    for (let i = 0; i < 10 && this.net.hubs.length === before; i++) {
      this.timers.runNext();
      await flush(3);
    }
    const hub = this.hub;
    if (!hub || this.net.hubs.length === before) throw new Error('the client did not reconnect');
    this.fresh(hub);
    if (phase === 'hello') return;
    if (phase === 'push') this.append(1 + (this.frames % 3));
    await this.deliver(hub, JSON.stringify({ type: 'welcome', epoch: 'E1', expectedSeq: this.store.outbox.lastAnsweredSeq() + 1, serverTime: this.clock().toISOString() }));
    for (let i = 0; i < 40; i++) {
      const sent = this.fresh(hub).filter((m) => m.type === 'push' || m.type === 'pull');
      const last = sent.at(-1);
      if (last === undefined) {
        if (this.timers.pending().length > 0 && phase !== 'idle') {
          this.timers.runNext(); // a busy pause from an earlier frame
          await flush(3);
          continue;
        }
        return;
      }
      if (last.type === 'push') {
        if (phase === 'push') return;
        const results = last.batch.map((b) => ({ seq: b.seq, status: 'applied' as const }));
        await this.deliver(hub, JSON.stringify({ type: 'push_ack', results, expectedSeq: last.batch.at(-1)!.seq + 1 }));
      } else if (last.type === 'pull') {
        if (phase === 'pull') {
          if (validChanges) await this.deliver(hub, JSON.stringify({ type: 'changes', bucket: last.bucket, changes: [{ serverSeq: 1, op: 'put', key: CATALOG_ITEM.code, value: CATALOG_ITEM }] }));
          return;
        }
        await this.deliver(hub, JSON.stringify({ type: 'checkpoint', bucket: last.bucket, cursor: `E1:${++this.cursorNo}` }));
      }
    }
  }

  /** The invariants, checked after every frame. */
  check(): void {
    expect(unhandled).toEqual([]);
    const failed = this.logger.lines.filter((l) => l.event === 'sync.client_failed');
    expect(failed.map((l) => l.fields)).toEqual([]);
    const sql = this.store.db.sql;
    const { n, max } = sql.prepare('SELECT count(*) AS n, coalesce(max(seq), 0) AS max FROM outbox').get() as { n: number; max: number };
    expect(n).toBe(max);
    const answered = sql.prepare(`SELECT seq, status FROM outbox WHERE status != 'pending'`).all() as { seq: number; status: string }[];
    for (const row of answered) {
      expect(this.allowed.get(row.seq)?.has(row.status) ? row : { ...row, allowed: [...(this.allowed.get(row.seq) ?? [])] }).toEqual(row);
    }
    for (const [bucket, c] of Object.entries(readCursors(this.store))) {
      if (c === '' || c === undefined) continue;
      expect(this.checkpointed.get(bucket)?.has(c) ? c : `${bucket}: ${c} never checkpointed`).toBe(c);
    }
    SyncStatus.parse(this.client.status());
    for (const e of this.emitted.splice(0)) SyncStatus.parse(e);
  }

  async close(): Promise<void> {
    await this.client.stop();
    this.store.close();
  }
}

const KEY = generateConsoleSigningKey();

describe('SyncClient under random and malformed hub frames', () => {
  it(`never throws, loses, acks or moves a cursor without cause (${FRAMES} frames)`, { timeout: Math.max(120_000, FRAMES * 20) }, async () => {
    const started = performance.now();
    let total = 0;
    const phasesSeen = new Set<Phase>();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: STEPS_PER_RUN, maxLength: STEPS_PER_RUN }), async (steps) => {
        const run = new Run();
        try {
          run.append(2);
          for (const s of steps) {
            await run.drive(s.phase, s.validChanges);
            phasesSeen.add(s.phase);
            run.check();
            const hub = run.hub!;
            const driverFrames = run.frames;
            for (const f of s.frames) {
              await run.deliver(hub, f);
              run.check();
            }
            total += run.frames - driverFrames;
          }
        } finally {
          await run.close();
        }
      }),
      { numRuns: Math.max(1, Math.ceil(FRAMES / (STEPS_PER_RUN * 2.3))), seed: SEED, endOnFailure: FRAMES > 10_000 },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`sync client fuzz: ${total} fuzzed frames (seed ${SEED}) in ${seconds.toFixed(1)} s`);
    expect(phasesSeen).toEqual(new Set(PHASES));
    expect(total).toBeGreaterThanOrEqual(Math.floor(FRAMES * 0.95));
  });
});
