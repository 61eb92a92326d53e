/**
 * The console's sync client (sync note; docs/sync.md "The console's client"): one connection to the
 * hub at a time, hello signed with the console's Ed25519 key, then uploads (outbox rows in seq order,
 * one batch in flight) before downloads (each bucket from its cursor; changes and cursor in one
 * transaction). Reconnects with full-jitter backoff. Nothing the hub sends, and no store failure,
 * makes it throw: problems are logged, shown in the status and end the connection at worst.
 *
 * Requests are strictly one at a time (a push or a pull), so every answer and every `error` belongs
 * to the one outstanding request; the hub handles a connection's frames in order anyway.
 */
import { sign, type KeyObject } from 'node:crypto';
import type { SyncStatus } from '../../preload/contract';
import type { Clock } from '../../main/domain/clock';
import type { EventBus } from '../../main/events';
import type { Logger } from '../../main/log';
import { SCHEMA_VERSION, type NeedsCorrection, type OutboxEntry, type Store } from '../../main/store';
import type { JsonValue } from '../../main/store';
import { encodeSyncMessage, MAX_FRAME_BYTES, parseSyncFrame, PROTOCOL_VERSION, type Bucket, type Change, type Mutation, type SyncMessage } from '../protocol';
import { applyCheckpoint, cursorEpoch, dropCursors, readCursors, type PaymentConfirmation } from './apply';
import { backoffDelayMs } from './backoff';
import { realTimers, type SyncConnection, type SyncTimers, type SyncTransport } from './transport';

/** Buckets every console downloads; a supervisor station adds hall_cases (buckets.ts pullBuckets). */
export const DEFAULT_PULL_BUCKETS: readonly Bucket[] = ['catalog', 'calendar', 'credit', 'users', 'devices', 'payments'];
export const HELLO_SIGNING_PREFIX = 'HALLSYNC1';
const DAY_MS = 86_400_000;

export type SyncClientState = 'stopped' | 'connecting' | 'online' | 'offline' | 'error';

export interface SyncClientOptions {
  url: string;
  transport: SyncTransport;
  store: Store;
  consoleId: string;
  /** The console's Ed25519 key (the one that signs the document QR). */
  signingKey: { privateKey: KeyObject };
  clock: Clock;
  logger: Logger;
  /** `sync.changed` goes here on every status change. */
  events?: EventBus;
  /** Rows per push (≤ 500, the protocol's limit). Default 200. */
  batchSize?: number;
  buckets?: readonly Bucket[];
  /** [0, 1): the backoff's jitter. Default Math.random. */
  random?: () => number;
  timers?: SyncTimers;
  /**
   * An answer (welcome, push_ack, the next frame of a pull) must come within this; the hub pings a
   * console whose pull waits in its initial-sync queue, which counts as an answer. Silence means the
   * request or its answer was lost on a connection that still looks open. Default 15 s.
   */
  requestTimeoutMs?: number;
  /** While idle, a ping every this often; no frame at all until the next one ends the connection. Default 30 s; 0 = off. */
  keepaliveMs?: number;
  /** Retention of acked outbox rows, run at start and daily. Default 30; 0 = never prune. */
  retentionDays?: number;
  /**
   * While online, every bucket is pulled again this often even without a poke (a poke lost by a
   * middlebox, or a hub that could not send it, must not leave the console stale). Default 5 min; 0 = off.
   */
  pollMs?: number;
  /** The schema version announced in hello. Default: this build's (SCHEMA_VERSION); the fault harness plays an older build. */
  schemaVersion?: number;
  /**
   * A payment confirmation arrived (bucket `payments`), inside the pull's transaction: the app marks
   * the case paid (CaseService.confirmPayment). Throwing skips that change (logged), never the pull.
   */
  onPayment?: (payment: PaymentConfirmation) => void;
  /** Test hooks: throwing from beforeCheckpointCommit rolls the pull's transaction back (a crash). */
  faults?: { beforeCheckpointCommit?: (bucket: Bucket) => void };
  /**
   * Runs before each push is read from the outbox, while online: what it appends goes out in that push
   * (the app signs the audit chain's head here when it moved; docs/security.md "Audit chain"). A throw is logged, never fails the sync.
   */
  beforePush?: () => void;
}

/** The UTF-8 text signed in hello: `HALLSYNC1:<consoleId>:<issuedAt>` (docs/sync.md, Authentication). */
export function helloSigningText(consoleId: string, issuedAt: string): string {
  return `${HELLO_SIGNING_PREFIX}:${consoleId}:${issuedAt}`;
}

type Outstanding =
  | { kind: 'hello' }
  | { kind: 'push'; first: number; last: number; count: number }
  | { kind: 'pull'; bucket: Bucket; changes: Change[] };

export type ResendResult = { ok: true; seq: number } | { ok: false; reason: string };

export class SyncClient {
  private readonly o: Required<Omit<SyncClientOptions, 'events' | 'faults' | 'beforePush' | 'onPayment'>> & Pick<SyncClientOptions, 'events' | 'faults' | 'beforePush' | 'onPayment'>;
  private state: SyncClientState = 'stopped';
  private conn: SyncConnection | null = null;
  private generation = 0;
  private attempt = 0;
  private reconnectTimer: unknown = null;
  private requestTimer: unknown = null;
  private pruneTimer: unknown = null;
  private retryTimer: unknown = null;
  private keepaliveTimer: unknown = null;
  private pollTimer: unknown = null;
  private awaitingPong = false;
  private lastIssuedMs = 0;
  private outstanding: Outstanding | null = null;
  private ready = false;
  private nextSeq = 1;
  private pushBlocked = false;
  private noProgress = 0;
  private dirty = new Set<Bucket>();
  private expectHelloReset = false;
  private minNextDelayMs = 0;
  private pumpQueued = false;
  private lastError: string | null = null;
  private lastSyncAt: string | null = null;
  private lastEmitted = '';
  private unsubscribeOutbox: (() => void) | null = null;

  constructor(options: SyncClientOptions) {
    this.o = {
      batchSize: 200,
      buckets: DEFAULT_PULL_BUCKETS,
      random: Math.random,
      timers: realTimers,
      requestTimeoutMs: 15_000,
      keepaliveMs: 30_000,
      retentionDays: 30,
      pollMs: 300_000,
      schemaVersion: SCHEMA_VERSION,
      ...options,
    };
    this.o.batchSize = Math.max(1, Math.min(500, Math.floor(this.o.batchSize)));
    this.lastSyncAt = this.safe('sync.read_last_sync_failed', () => this.readLastSyncAt(), null);
  }

  /** Connects (and keeps reconnecting) until stop(). Idempotent. */
  start(): void {
    if (this.state !== 'stopped') return;
    this.state = 'offline';
    this.unsubscribeOutbox = this.o.store.outbox.onAppend(() => this.schedulePump());
    this.prune();
    this.connect();
  }

  /** Closes the connection and cancels every timer; nothing is lost (the outbox keeps pending rows). */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.generation++;
    for (const t of [this.reconnectTimer, this.requestTimer, this.pruneTimer, this.retryTimer, this.keepaliveTimer, this.pollTimer]) if (t !== null) this.o.timers.clearTimeout(t);
    this.reconnectTimer = this.requestTimer = this.pruneTimer = this.retryTimer = this.keepaliveTimer = this.pollTimer = null;
    this.unsubscribeOutbox?.();
    this.unsubscribeOutbox = null;
    const conn = this.conn;
    this.conn = null;
    this.ready = false;
    this.outstanding = null;
    try {
      conn?.close(1000, 'console stopping');
    } catch {
      // already gone
    }
    await Promise.resolve();
  }

  /** Pull now (all buckets, or those named), as a hub `poke` does. */
  poke(buckets?: readonly Bucket[]): void {
    for (const b of buckets ?? this.o.buckets) if (this.o.buckets.includes(b)) this.dirty.add(b);
    this.schedulePump();
  }

  get connectionState(): SyncClientState {
    return this.state;
  }

  /** What the status bar shows (preload/contract.ts SyncStatus). */
  status(): SyncStatus {
    const outbox = this.o.store.outbox;
    const pendingUploads = this.safe('sync.status_failed', () => outbox.countPending(), 0);
    const needsCorrection = this.safe('sync.status_failed', () => outbox.countNeedsCorrection(), 0);
    const state = this.state === 'online' ? 'online' : this.state === 'connecting' ? 'connecting' : 'offline';
    return { state, pendingUploads, lastSyncAt: this.lastSyncAt, hubUrl: this.o.url, lastError: this.lastError?.slice(0, 500) ?? null, needsCorrection };
  }

  /** Rejected rows not yet fixed, oldest first, each with the hub's reason. */
  needsCorrection(): NeedsCorrection[] {
    return this.safe('sync.needs_correction_failed', () => this.o.store.outbox.needsCorrection(), []);
  }

  /**
   * The clerk fixed a rejected row: the fix (or, without one, the original mutation) is written as a
   * NEW outbox row that resolves `seq`, and pushed. The rejected row itself is never edited.
   */
  resend(seq: number, fix?: { type?: string; payload?: JsonValue }): ResendResult {
    try {
      const entry = this.o.store.outbox.resolveRejected(seq, fix);
      this.o.logger.log('info', 'sync.resent', { rejectedSeq: seq, seq: entry.seq });
      this.emitStatus();
      this.schedulePump();
      return { ok: true, seq: entry.seq };
    } catch (err) {
      return { ok: false, reason: errorText(err) };
    }
  }

  // ---------- connection ----------

  private connect(): void {
    if (this.state === 'stopped') return;
    this.reconnectTimer = null;
    const gen = ++this.generation;
    this.setState('connecting');
    let opening: Promise<SyncConnection>;
    try {
      opening = this.o.transport.connect(this.o.url);
    } catch (err) {
      opening = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    opening.then(
      (conn) => {
        if (gen !== this.generation || this.state === 'stopped') {
          safeClose(conn);
          return;
        }
        this.conn = conn;
        conn.onMessage((text) => {
          if (gen === this.generation) this.onFrame(text);
        });
        conn.onClose((info) => {
          if (gen === this.generation) this.onClosed(info);
        });
        this.sendHello();
      },
      (err: unknown) => {
        if (gen !== this.generation || this.state === 'stopped') return;
        this.lastError = `cannot reach the hub: ${errorText(err)}`;
        this.o.logger.log('warn', 'sync.connect_failed', { error: errorText(err) });
        this.setState('offline');
        this.scheduleReconnect();
      },
    );
  }

  private sendHello(): void {
    this.guard(() => {
      // A fresh issuedAt for every hello (the hub refuses a replayed one), even within one millisecond.
      this.lastIssuedMs = Math.max(this.o.clock().getTime(), this.lastIssuedMs + 1);
      const issuedAt = new Date(this.lastIssuedMs).toISOString();
      const signature = sign(null, Buffer.from(helloSigningText(this.o.consoleId, issuedAt), 'utf8'), this.o.signingKey.privateKey).toString('base64url');
      this.outstanding = { kind: 'hello' };
      this.send({
        type: 'hello',
        consoleId: this.o.consoleId,
        protocolVersion: PROTOCOL_VERSION,
        schemaVersion: this.o.schemaVersion,
        cursors: readCursors(this.o.store),
        lastAckedSeq: this.o.store.outbox.lastAnsweredSeq(),
        auth: { keyId: this.o.consoleId, signature, issuedAt },
      });
      this.armRequestTimer();
    });
  }

  private onClosed(info: { code?: number; reason?: string }): void {
    this.generation++;
    this.conn = null;
    this.ready = false;
    this.outstanding = null; // a pull cut short applied nothing: its cursor has not moved
    this.clearRequestTimer();
    this.stopKeepalive();
    this.stopPolling();
    this.awaitingPong = false;
    if (this.retryTimer !== null) this.o.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.state === 'stopped') return;
    this.o.logger.log('info', 'sync.disconnected', { code: info.code, reason: info.reason });
    if (this.state !== 'error') this.setState('offline');
    this.scheduleReconnect();
  }

  /** Ends this connection (it reconnects with backoff); `error` keeps the status at error until the next welcome. */
  private fail(reason: string, error = true): void {
    this.lastError = reason.slice(0, 500);
    this.o.logger.log('warn', 'sync.connection_reset', { reason: this.lastError });
    const conn = this.conn;
    this.onClosed({ code: 4000, reason: 'client reset' });
    if (error && this.state !== 'stopped') this.setState('error');
    if (conn) safeClose(conn, 4000, 'client reset');
  }

  private scheduleReconnect(): void {
    if (this.state === 'stopped' || this.reconnectTimer !== null) return;
    const delay = Math.max(backoffDelayMs(this.attempt, this.o.random), this.minNextDelayMs);
    this.minNextDelayMs = 0;
    this.attempt++;
    this.o.logger.log('debug', 'sync.reconnect_in', { ms: delay, attempt: this.attempt });
    this.reconnectTimer = this.o.timers.setTimeout(() => this.connect(), delay);
  }

  // ---------- frames ----------

  private onFrame(text: string): void {
    this.awaitingPong = false;
    this.guard(() => {
      const parsed = parseSyncFrame(text);
      if (!parsed.ok) {
        this.o.logger.log('warn', 'sync.bad_frame', { reason: parsed.reason.slice(0, 200) });
        return;
      }
      this.handle(parsed.message);
    });
  }

  private handle(m: SyncMessage): void {
    const out = this.outstanding;
    if (out?.kind === 'hello') {
      if (m.type === 'welcome') return this.onWelcome(m);
      if (m.type === 'error') {
        if (m.retryAfterMs !== undefined) this.minNextDelayMs = Math.min(m.retryAfterMs, 300_000);
        return this.fail(`the hub refused hello: ${m.code}: ${m.message}`);
      }
      this.o.logger.log('warn', 'sync.unexpected_frame', { type: m.type, waiting: 'welcome' });
      return;
    }
    if (!this.ready) return;
    const helloReset = this.expectHelloReset;
    this.expectHelloReset = false;
    switch (m.type) {
      case 'push_ack':
        if (out?.kind !== 'push') return this.ignore(m.type);
        return this.onPushAck(out, m);
      case 'changes':
        if (out?.kind !== 'pull' || out.bucket !== m.bucket) return this.ignore(m.type);
        out.changes.push(...m.changes);
        this.armRequestTimer();
        return;
      case 'checkpoint':
        if (out?.kind !== 'pull' || out.bucket !== m.bucket) return this.ignore(m.type);
        if (m.count !== undefined && m.count !== out.changes.length) {
          // Frames of this pull were lost or came out of order: apply nothing, pull again on a new connection.
          return this.fail(`the pull of ${m.bucket} announced ${m.count} changes but ${out.changes.length} arrived; nothing applied`);
        }
        if (out.changes.some((c, i) => i > 0 && c.serverSeq <= out.changes[i - 1]!.serverSeq)) {
          // The hub sends a pull in serverSeq order, each change once: a frame repeated or reordered on the way.
          return this.fail(`the changes of ${m.bucket} arrived out of order or twice; nothing applied`);
        }
        return this.onCheckpoint(out, m.cursor);
      case 'poke':
        this.poke(m.buckets);
        return;
      case 'ping':
        // The hub pings while this console's pull waits in its initial-sync queue: the pull is alive.
        if (out?.kind === 'pull') this.armRequestTimer();
        this.send({ type: 'pong', at: this.o.clock().toISOString() });
        return;
      case 'pong':
        return;
      case 'error':
        return this.onError(m, out, helloReset);
      default:
        return this.ignore(m.type);
    }
  }

  private ignore(type: string): void {
    this.o.logger.log('warn', 'sync.unexpected_frame', { type, waiting: this.outstanding?.kind ?? 'nothing' });
  }

  private onWelcome(m: Extract<SyncMessage, { type: 'welcome' }>): void {
    const { store } = this.o;
    this.clearRequestTimer();
    this.outstanding = null;
    this.ready = true;
    this.attempt = 0;
    this.lastError = null;
    this.noProgress = 0;
    this.pushBlocked = false;
    // Cursors of another epoch: the hub follows welcome with reset_required; drop them now.
    const stale = Object.entries(readCursors(store))
      .filter(([, c]) => c !== undefined && c !== '' && cursorEpoch(c) !== m.epoch)
      .map(([b]) => b as Bucket);
    if (stale.length > 0) {
      dropCursors(store, stale);
      this.o.logger.log('info', 'sync.epoch_changed', { epoch: m.epoch, buckets: stale });
    }
    this.expectHelloReset = stale.length > 0;
    const lastAnswered = store.outbox.lastAnsweredSeq();
    const lastSeq = store.outbox.lastSeq();
    if (m.expectedSeq <= lastAnswered) {
      this.o.logger.log('warn', 'sync.hub_behind', { expectedSeq: m.expectedSeq, lastAckedSeq: lastAnswered });
    }
    if (m.expectedSeq > lastSeq + 1) {
      this.lastError = `the hub expects seq ${m.expectedSeq} but this console's outbox ends at ${lastSeq}: the outbox was lost or restored; call a technician`;
      this.o.logger.log('error', 'sync.hub_ahead', { expectedSeq: m.expectedSeq, lastSeq });
    }
    this.nextSeq = Math.min(m.expectedSeq, store.outbox.firstPendingSeq() ?? Number.POSITIVE_INFINITY);
    for (const b of this.o.buckets) this.dirty.add(b);
    this.o.logger.log('info', 'sync.welcome', { expectedSeq: m.expectedSeq, nextSeq: this.nextSeq });
    this.setState('online');
    this.awaitingPong = false;
    this.startKeepalive();
    this.startPolling();
    this.schedulePump();
  }

  private startPolling(): void {
    this.stopPolling();
    if (this.o.pollMs <= 0) return;
    const gen = this.generation;
    this.pollTimer = this.o.timers.setTimeout(() => {
      this.pollTimer = null;
      if (gen !== this.generation || !this.ready) return;
      this.poke();
      this.startPolling();
    }, this.o.pollMs);
  }

  private stopPolling(): void {
    if (this.pollTimer !== null) this.o.timers.clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  private startKeepalive(): void {
    this.stopKeepalive();
    if (this.o.keepaliveMs <= 0) return;
    const gen = this.generation;
    this.keepaliveTimer = this.o.timers.setTimeout(() => {
      this.keepaliveTimer = null;
      if (gen !== this.generation || !this.ready) return;
      if (this.awaitingPong) return this.fail(`no frame from the hub for ${this.o.keepaliveMs} ms after a ping`);
      if (this.outstanding === null) {
        this.awaitingPong = true;
        this.send({ type: 'ping', at: this.o.clock().toISOString() });
      }
      this.startKeepalive();
    }, this.o.keepaliveMs);
  }

  private stopKeepalive(): void {
    if (this.keepaliveTimer !== null) this.o.timers.clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = null;
  }

  private onPushAck(out: Extract<Outstanding, { kind: 'push' }>, m: Extract<SyncMessage, { type: 'push_ack' }>): void {
    const { store } = this.o;
    this.clearRequestTimer();
    this.outstanding = null;
    const mine = m.results.filter((r) => r.seq >= out.first && r.seq <= out.last);
    const changed = store.outbox.recordAcks(mine);
    for (const r of mine) {
      if (r.status === 'rejected') this.o.logger.log('warn', 'sync.rejected', { seq: r.seq, reason: r.reason.slice(0, 200) });
    }
    const before = this.nextSeq;
    this.nextSeq = Math.min(m.expectedSeq, store.outbox.firstPendingSeq() ?? Number.POSITIVE_INFINITY);
    if (m.expectedSeq <= out.last) this.o.logger.log('info', 'sync.push_gap', { sent: `${out.first}..${out.last}`, expectedSeq: m.expectedSeq });
    if (this.nextSeq <= before && mine.length === 0) {
      if (++this.noProgress >= 3) return this.fail(`the hub makes no progress on seq ${before} (expectedSeq ${m.expectedSeq})`);
    } else this.noProgress = 0;
    if (changed.acked + changed.rejected > 0 || mine.length > 0) this.lastSyncAt = this.o.clock().toISOString();
    this.emitStatus();
    this.schedulePump();
  }

  private onCheckpoint(out: Extract<Outstanding, { kind: 'pull' }>, cursor: string): void {
    this.clearRequestTimer();
    const hook = this.o.faults?.beforeCheckpointCommit;
    let skipped;
    try {
      skipped = applyCheckpoint(this.o.store, out.bucket, out.changes, cursor, hook ? () => hook(out.bucket) : undefined, this.o.onPayment ? { onPayment: this.o.onPayment } : {});
    } catch (err) {
      this.outstanding = null;
      return this.fail(`could not apply ${out.bucket} changes: ${errorText(err)}`);
    }
    this.outstanding = null;
    for (const s of skipped) this.o.logger.log('warn', 'sync.change_skipped', { bucket: s.bucket, key: s.key, reason: s.reason });
    if (skipped.length > 0) this.lastError = `${skipped.length} ${out.bucket} change(s) could not be applied (see the log)`;
    this.send({ type: 'checkpoint_ack', bucket: out.bucket, cursor });
    this.lastSyncAt = this.o.clock().toISOString();
    this.emitStatus();
    this.schedulePump();
  }

  private onError(m: Extract<SyncMessage, { type: 'error' }>, out: Outstanding | null, helloReset: boolean): void {
    if (m.code === 'reset_required' && helloReset) return; // announced at welcome; cursors already dropped
    if (m.code === 'reset_required') {
      this.o.logger.log('info', 'sync.reset_required', { message: m.message.slice(0, 200) });
      dropCursors(this.o.store);
      for (const b of this.o.buckets) this.dirty.add(b);
      if (out?.kind === 'pull') {
        // Download again on a NEW connection: frames of the pull this answers may still be on the way,
        // and taken for the full download's they would make it replace the bucket with a partial one.
        return this.fail(`the hub asked for a full download of ${out.bucket}`, false);
      }
      this.schedulePump();
      return;
    }
    if (m.code === 'busy' && out !== null && out.kind !== 'hello') {
      this.clearRequestTimer();
      this.outstanding = null;
      if (out.kind === 'pull') this.dirty.add(out.bucket);
      this.pauseFor(Math.min(m.retryAfterMs ?? 5000, 300_000));
      return;
    }
    if (out === null) {
      this.o.logger.log('warn', 'sync.hub_error', { code: m.code, message: m.message.slice(0, 200) });
      return;
    }
    this.fail(`the hub answered ${out.kind} with ${m.code}: ${m.message}`);
  }

  // ---------- the work loop ----------

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    // A microtask: appends fire inside their write transaction, which has committed by then.
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.guard(() => this.pump());
    });
  }

  private pauseFor(ms: number): void {
    if (this.retryTimer !== null) this.o.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.o.timers.setTimeout(() => {
      this.retryTimer = null;
      this.schedulePump();
    }, ms);
  }

  private pump(): void {
    if (!this.ready || this.outstanding !== null || this.conn === null || this.retryTimer !== null) return;
    if (this.pushNext()) return;
    const bucket = this.o.buckets.find((b) => this.dirty.has(b));
    if (bucket !== undefined) {
      this.dirty.delete(bucket);
      this.outstanding = { kind: 'pull', bucket, changes: [] };
      this.send({ type: 'pull', bucket, cursor: readCursors(this.o.store)[bucket] ?? '' });
      this.armRequestTimer();
      return;
    }
    this.emitStatus();
  }

  /** Sends the next batch from nextSeq; false when there is nothing to push. */
  private pushNext(): boolean {
    if (this.pushBlocked) return false;
    const { beforePush } = this.o;
    if (beforePush) this.safe('sync.before_push_failed', beforePush, undefined);
    const { outbox } = this.o.store;
    let rows: OutboxEntry[] = outbox.from(this.nextSeq, this.o.batchSize);
    if (rows.length === 0) return false;
    if (rows[0]!.seq !== this.nextSeq) {
      // The hub wants rows the retention job already deleted (restored from a backup older than 30 days).
      this.pushBlocked = true;
      this.lastError = `the hub asks for seq ${this.nextSeq}, older than the oldest kept outbox row ${rows[0]!.seq}; call a technician`;
      this.o.logger.log('error', 'sync.repush_beyond_retention', { expectedSeq: this.nextSeq, oldest: rows[0]!.seq });
      this.emitStatus();
      return false;
    }
    // Contiguous only (rows are gapless unless pruned) and within the frame limit.
    const end = rows.findIndex((r, i) => r.seq !== this.nextSeq + i);
    if (end > 0) rows = rows.slice(0, end);
    let text = pushText(rows);
    while (Buffer.byteLength(text, 'utf8') > MAX_FRAME_BYTES && rows.length > 1) {
      rows = rows.slice(0, Math.ceil(rows.length / 2));
      text = pushText(rows);
    }
    const first = rows[0]!.seq;
    const last = rows.at(-1)!.seq;
    this.outstanding = { kind: 'push', first, last, count: rows.length };
    this.sendText(text);
    this.armRequestTimer();
    return true;
  }

  // ---------- helpers ----------

  private send(message: SyncMessage): void {
    this.sendText(encodeSyncMessage(message));
  }

  private sendText(text: string): void {
    const conn = this.conn;
    if (conn === null) return;
    try {
      conn.send(text);
    } catch (err) {
      this.fail(`send failed: ${errorText(err)}`);
    }
  }

  private armRequestTimer(): void {
    this.clearRequestTimer();
    const gen = this.generation;
    const ms = this.o.requestTimeoutMs;
    this.requestTimer = this.o.timers.setTimeout(() => {
      this.requestTimer = null;
      if (gen === this.generation && this.outstanding !== null) this.fail(`no answer from the hub to ${this.outstanding.kind} within ${ms} ms`);
    }, ms);
  }

  private clearRequestTimer(): void {
    if (this.requestTimer !== null) this.o.timers.clearTimeout(this.requestTimer);
    this.requestTimer = null;
  }

  private setState(state: SyncClientState): void {
    if (this.state === 'stopped') return;
    this.state = state;
    this.emitStatus();
  }

  private emitStatus(): void {
    if (!this.o.events) return;
    const status = this.status();
    const key = JSON.stringify(status);
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    this.o.events.emit('sync.changed', status);
  }

  private prune(): void {
    if (this.o.retentionDays <= 0 || this.state === 'stopped') return;
    const n = this.safe('sync.prune_failed', () => this.o.store.outbox.pruneAcked(this.o.retentionDays), 0);
    if (n > 0) this.o.logger.log('info', 'sync.pruned', { rows: n });
    this.pruneTimer = this.o.timers.setTimeout(() => this.prune(), DAY_MS);
  }

  private readLastSyncAt(): string | null {
    const row = this.o.store.db.sql
      .prepare(`SELECT max(t) AS t FROM (SELECT max(updated_at) AS t FROM sync_cursors UNION ALL SELECT max(acked_at) FROM outbox)`)
      .get() as { t: string | null };
    return row.t;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.o.logger.log('error', 'sync.client_failed', { error: errorText(err) });
      if (this.conn !== null) this.fail(`internal error: ${errorText(err)}`);
    }
  }

  private safe<T>(event: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (err) {
      this.o.logger.log('error', event, { error: errorText(err) });
      return fallback;
    }
  }
}

function pushText(rows: readonly OutboxEntry[]): string {
  // Not re-validated with the protocol schema: a row the schema refuses is quarantined by the hub
  // (acked rejected), never a reason for the console to stall.
  const batch: Mutation[] = rows.map((r) => ({ seq: r.seq, mutationId: r.mutationId, schemaVersion: r.schemaVersion, hlc: r.hlc, type: r.type, payload: r.payload }));
  return JSON.stringify({ type: 'push', batch });
}

function safeClose(conn: SyncConnection, code = 1000, reason = ''): void {
  try {
    conn.close(code, reason);
  } catch {
    // already closed
  }
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}
