/**
 * The hub's side of one console connection, independent of the transport: the ws server
 * (server.ts), tests and the fault-injection harness feed it frames and get messages back through
 * `send`. Rules (auth, cursors, limits, poke, shutdown): docs/sync.md "The hub server".
 *
 *     const service = createHubService({ store, clock: systemClock });
 *     const session = service.openSession((msg) => socket.send(JSON.stringify(msg)));
 *     socket.on('message', (data) => void session.receive(data));
 *     socket.on('close', () => session.close());
 *
 * Nothing a console sends makes `receive` throw or reject: every frame gets its answer, an `error`,
 * or (checkpoint_ack) nothing.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { realTimers, type Clock, type Timers } from '../../main/domain/clock';
import type { Logger } from '../../main/log';
import { importConsolePublicKey } from '../../main/security/receipt-signature';
import { allValidators, auditHeadValidator } from './audit-head';
import { SCHEMA_VERSION } from '../../main/store/database';
import { Bucket, MAX_FRAME_BYTES, PROTOCOL_VERSION, parseSyncFrame, type Mutation, type SyncMessage } from '../protocol';
import { HubStoreError, type ChangePage, type HubChangeEvent, type HubStore, type IncomingMutation, type MutationValidator } from './store/types';

/** N: the newest console schema this hub knows (the console's main/store SCHEMA_VERSION). */
export const HUB_SCHEMA_VERSION: number = SCHEMA_VERSION;
/** Consoles at schema N−2..N are accepted (sync note: Schema). */
export const MIN_CONSOLE_SCHEMA_VERSION: number = Math.max(1, SCHEMA_VERSION - 2);
/** Prefix of the text a console signs in `hello` (domain separation from the receipt QR's HALL2). */
export const HELLO_SIGNING_PREFIX = 'HALLSYNC1';
/** hello.auth.issuedAt may differ from the hub's clock by this much (clocks skewed ±48 h must still sync). */
export const AUTH_MAX_SKEW_MS = 72 * 3_600_000;
/** Payload times (`payload.at`) further in the future than this are rejected (sync note: Clock skew). */
export const MAX_FUTURE_MS = 24 * 3_600_000;
/** At most this many changes per `changes` frame. */
export const CHANGES_PER_FRAME = 1000;

export interface HubLimits {
  /** Sessions allowed to run their initial sync (first pull, or any pull from '') at once. Default 16. */
  maxInitialSyncs: number;
  /** Further initial syncs wait in a FIFO queue up to this length; beyond it they get `busy`. Default 256. */
  maxQueuedInitialSyncs: number;
  /** The `retryAfterMs` hint sent with `busy`. Default 5000. */
  busyRetryMs: number;
  /** Frames one session may have received but not yet answered; beyond it `busy`. Default 64. */
  maxPendingFrames: number;
  /** Changes per `changes` frame (≤ 1000). */
  changesPerFrame: number;
  /** Store commits are gathered this long before pokes go out. Default 20 ms. */
  pokeDebounceMs: number;
  /** A session whose pull waits in the initial-sync queue is pinged this often (its request stays alive). Default 5000. */
  queuedPingMs: number;
}

export const DEFAULT_HUB_LIMITS: Readonly<HubLimits> = {
  maxInitialSyncs: 16,
  maxQueuedInitialSyncs: 256,
  busyRetryMs: 5000,
  maxPendingFrames: 64,
  changesPerFrame: CHANGES_PER_FRAME,
  pokeDebounceMs: 20,
  queuedPingMs: 5000,
};

/** Timers the service uses (poke debounce, queued-pull pings); the fault harness passes virtual ones. */
export type HubTimers = Timers;

export interface HubServiceOptions {
  store: HubStore;
  clock: Clock;
  timers?: HubTimers;
  logger?: Logger;
  limits?: Partial<HubLimits>;
}

/**
 * What the session asks of its transport besides sending. `send` may return a promise (resolved when
 * the transport can take more): a pull waits for it between frames, so a large initial sync streams.
 */
export type SendMessage = (message: SyncMessage) => void | Promise<void>;

export interface HubSession {
  /** One frame from the console (text or UTF-8 bytes). Resolves once it is answered; never rejects. */
  receive(frame: string | Uint8Array): Promise<void>;
  /** The connection is gone: nothing more is sent, queued work is dropped. Idempotent. */
  close(): void;
  /** The authenticated console, null before a successful hello. */
  readonly consoleId: string | null;
}

export interface HubServiceStats {
  sessions: number;
  authenticated: number;
  initialSyncsRunning: number;
  initialSyncsQueued: number;
  inFlight: number;
}

export interface HubService {
  openSession(send: SendMessage): HubSession;
  stats(): HubServiceStats;
  /**
   * Graceful stop, step 1: sessions take no new frames, queued initial syncs are dropped, and the
   * promise resolves once every frame being handled (pushes being applied) is answered.
   */
  drain(): Promise<void>;
  /** drain(), then every session is closed and the store listener removed. The store stays open (the caller owns it). */
  close(): Promise<void>;
}

/** The UTF-8 text a console signs for `hello`: `HALLSYNC1:<consoleId>:<issuedAt>`. */
export function helloSigningText(consoleId: string, issuedAt: string): string {
  return `${HELLO_SIGNING_PREFIX}:${consoleId}:${issuedAt}`;
}

/** hello.auth for a console key (the client and tests use this): base64url Ed25519 signature. */
export function signHello(privateKey: KeyObject, consoleId: string, issuedAt: string): { keyId: string; issuedAt: string; signature: string } {
  return { keyId: consoleId, issuedAt, signature: sign(null, Buffer.from(helloSigningText(consoleId, issuedAt), 'utf8'), privateKey).toString('base64url') };
}

/**
 * Cursor text: `<epoch>:<serverSeq>` or `<epoch>:<serverSeq>.<tag>` ('' is "from the beginning"). The
 * tag is the change's random tag at that serverSeq: a hub that lost its last commits but kept its
 * epoch no longer has that change (or has another one there), and answers reset_required.
 */
export function formatCursor(epoch: string, serverSeq: number, tag?: string | null): string {
  return tag ? `${epoch}:${serverSeq}.${tag}` : `${epoch}:${serverSeq}`;
}

/** `{epoch, serverSeq, tag}`, `{epoch: null, serverSeq: 0, tag: null}` for '', or null when it is not a cursor of ours. */
export function parseCursor(cursor: string): { epoch: string | null; serverSeq: number; tag: string | null } | null {
  if (cursor === '') return { epoch: null, serverSeq: 0, tag: null };
  const at = cursor.lastIndexOf(':');
  if (at <= 0) return null;
  const m = /^(0|[1-9][0-9]{0,15})(?:\.([A-Za-z0-9_-]{1,16}))?$/.exec(cursor.slice(at + 1));
  if (m === null) return null;
  const serverSeq = Number(m[1]);
  if (!Number.isSafeInteger(serverSeq)) return null;
  return { epoch: cursor.slice(0, at), serverSeq, tag: m[2] ?? null };
}

/**
 * The hub's business rule on payloads (sync note: the hub rejects timestamps > 1 day in the future):
 * a payload object whose `at` is a string that parses as a time more than MAX_FUTURE_MS after the
 * hub's clock (plus `aheadMs`, how far the console's clock was measured ahead at hello) is rejected.
 * Anything else passes (HLC orders events; the console owns its other fields).
 */
export function futureTimestampValidator(clock: Clock, aheadMs = 0): MutationValidator {
  return (mutation: Mutation) => {
    const payload = mutation.payload;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null;
    const at = (payload as Record<string, unknown>).at;
    if (typeof at !== 'string') return null;
    const ms = Date.parse(at);
    if (Number.isNaN(ms)) return null;
    const now = clock().getTime();
    const limit = now + Math.max(0, aheadMs) + MAX_FUTURE_MS;
    return ms > limit
      ? `at ${at} is more than 24 h ahead of the console's clock as measured at hello (hub ${new Date(now).toISOString()}, console ahead by ${Math.round(Math.max(0, aheadMs) / 60_000)} min)`
      : null;
  };
}

/** A page of changes and the frame that carries it (one object, so the transport can encode it once). */
interface CachedPage {
  page: ChangePage;
  message: Extract<SyncMessage, { type: 'changes' }>;
}
/** At most this many pages are kept between two changes of the store. */
const PAGE_CACHE_ENTRIES = 64;

/**
 * Pages read since the store last changed. A poke makes every console that pulled a bucket ask for
 * the same page within a few milliseconds (500 consoles after a catalog publish); they share one read
 * and one frame object. Any change the store reports (own commits, and other processes' through its
 * watch) empties the cache before the poke goes out, so a pull the poke causes never gets a page from
 * before the change. A read still in flight then is reachable only by pulls that began before it.
 */
class PageCache {
  private readonly entries = new Map<string, Promise<CachedPage>>();

  constructor(private readonly read: (bucket: Bucket, cursor: number, limit: number, hallId: string | null) => Promise<ChangePage>) {}

  get(bucket: Bucket, cursor: number, limit: number, hallId: string | null): Promise<CachedPage> {
    const key = `${bucket}|${cursor}|${limit}|${hallId ?? '\u0000'}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (this.entries.size >= PAGE_CACHE_ENTRIES) this.entries.clear();
      entry = this.read(bucket, cursor, limit, hallId).then((page) => ({ page, message: { type: 'changes', bucket, changes: page.changes } }));
      this.entries.set(key, entry);
      entry.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * A push whose envelope is sound but whose items fail the protocol's Mutation schema: the items go to
 * the store anyway (it quarantines them and acks `rejected`), so one bad outbox row never blocks a console.
 */
const LoosePush = z.object({
  type: z.literal('push'),
  batch: z
    .array(z.looseObject({ seq: z.number().int().positive() }))
    .min(1)
    .max(500),
});

const CLIENT_TYPES = new Set<SyncMessage['type']>(['hello', 'push', 'pull', 'checkpoint_ack', 'ping']);

class Gate {
  private running = 0;
  private readonly waiting: { resolve: (ok: boolean) => void }[] = [];
  constructor(private readonly limits: () => HubLimits) {}
  get runningCount(): number {
    return this.running;
  }
  get queuedCount(): number {
    return this.waiting.length;
  }
  /** 'now' → a slot is held; 'queued' → wait on the promise (true = slot held, false = dropped); 'busy' → refused. */
  acquire(): { state: 'now' } | { state: 'queued'; ticket: { resolve: (ok: boolean) => void }; wait: Promise<boolean> } | { state: 'busy' } {
    const l = this.limits();
    if (this.running < l.maxInitialSyncs) {
      this.running++;
      return { state: 'now' };
    }
    if (this.waiting.length >= l.maxQueuedInitialSyncs) return { state: 'busy' };
    let ticket!: { resolve: (ok: boolean) => void };
    const wait = new Promise<boolean>((resolve) => {
      ticket = { resolve };
    });
    this.waiting.push(ticket);
    return { state: 'queued', ticket, wait };
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve(true); // the slot passes on
    else this.running--;
  }
  /** Takes a ticket out of the queue (its session closed). */
  cancel(ticket: { resolve: (ok: boolean) => void }): void {
    const i = this.waiting.indexOf(ticket);
    if (i >= 0) {
      this.waiting.splice(i, 1);
      ticket.resolve(false);
    }
  }
  dropAll(): void {
    for (const t of this.waiting.splice(0)) t.resolve(false);
  }
}

export function createHubService(options: HubServiceOptions): HubService {
  const { store, clock } = options;
  const logger = options.logger;
  const limits: HubLimits = { ...DEFAULT_HUB_LIMITS, ...options.limits };
  limits.changesPerFrame = Math.max(1, Math.min(CHANGES_PER_FRAME, Math.floor(limits.changesPerFrame)));
  const gate = new Gate(() => limits);
  const sessions = new Set<SessionImpl>();
  const inFlight = new Set<Promise<void>>();
  /** consoleId → issuedAt texts accepted within the skew window (replay refusal). */
  const seenHellos = new Map<string, Map<string, number>>();
  let draining = false;

  // Poke fan-out: commits are gathered for pokeDebounceMs, then each session hears about the buckets it pulled.
  let pokeBuckets = new Set<Bucket>();
  const timers = options.timers ?? realTimers;
  let pokeTimer: unknown = null;
  const firePokes = (): void => {
    pokeTimer = null;
    const buckets = pokeBuckets;
    pokeBuckets = new Set();
    for (const s of sessions) s.poke(buckets);
  };
  const pages = new PageCache((bucket, cursor, limit, hallId) => store.changesSince(bucket, cursor, limit, { hallId }));
  const unsubscribe = store.onChange((event: HubChangeEvent) => {
    pages.clear();
    for (const b of event.buckets) pokeBuckets.add(b);
    if (pokeTimer === null && !draining) {
      pokeTimer = timers.setTimeout(firePokes, limits.pokeDebounceMs);
    }
  });

  const log = (level: 'debug' | 'info' | 'warn' | 'error', event: string, fields?: Record<string, unknown>): void => {
    try {
      logger?.log(level, event, fields);
    } catch {
      // a logger never takes the hub down
    }
  };

  /** True when (consoleId, issuedAt) was not seen within the window; records it. */
  function freshHello(consoleId: string, issuedAt: string, issuedMs: number, nowMs: number): boolean {
    let seen = seenHellos.get(consoleId);
    if (seen === undefined) {
      seen = new Map();
      seenHellos.set(consoleId, seen);
    }
    for (const [text, ms] of seen) if (Math.abs(nowMs - ms) > AUTH_MAX_SKEW_MS) seen.delete(text);
    if (seen.has(issuedAt)) return false;
    seen.set(issuedAt, issuedMs);
    return true;
  }

  class SessionImpl implements HubSession {
    consoleId: string | null = null;
    private closed = false;
    private chain: Promise<void> = Promise.resolve();
    private pending = 0;
    private readonly pulled = new Set<Bucket>();
    private firstPullDone = false;
    /** Validator of this console's pushes (knows how far its clock is ahead). */
    private validate: MutationValidator = futureTimestampValidator(clock);
    private ticket: { resolve: (ok: boolean) => void } | null = null;

    constructor(private readonly sendRaw: SendMessage) {}

    async send(message: SyncMessage): Promise<void> {
      if (this.closed) return;
      try {
        await this.sendRaw(message);
      } catch (err) {
        log('warn', 'hub.send_failed', { consoleId: this.consoleId, error: err instanceof Error ? err.message : String(err) });
      }
    }

    private error(code: Extract<SyncMessage, { type: 'error' }>['code'], message: string, extra: { retryAfterMs?: number } = {}): Promise<void> {
      return this.send({ type: 'error', code, message: message.slice(0, 1000), ...extra });
    }

    receive(frame: string | Uint8Array): Promise<void> {
      if (this.closed || draining) return Promise.resolve();
      let parsed: ReturnType<typeof parseSyncFrame>;
      try {
        parsed = parseSyncFrame(frame);
      } catch {
        parsed = { ok: false, code: 'bad_message', reason: 'unreadable frame' };
      }
      // ping is answered at once, even while a long pull or a queued initial sync is running.
      if (parsed.ok && parsed.message.type === 'ping') return this.send({ type: 'pong', at: clock().toISOString() });
      if (this.pending >= limits.maxPendingFrames) {
        return this.error('busy', `more than ${limits.maxPendingFrames} frames waiting on this connection: wait for the answers`, { retryAfterMs: limits.busyRetryMs });
      }
      this.pending++;
      const work = this.chain.then(async () => {
        try {
          if (!this.closed) await this.handle(parsed, frame);
        } catch (err) {
          log('error', 'hub.session_failed', { consoleId: this.consoleId, error: err instanceof Error ? err.message : String(err) });
          await this.error('internal', 'the hub failed to handle this message; try again');
        } finally {
          this.pending--;
        }
      });
      this.chain = work;
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
      return work;
    }

    private async handle(parsed: ReturnType<typeof parseSyncFrame>, frame: string | Uint8Array): Promise<void> {
      if (!parsed.ok) {
        const loose = this.loosePush(frame);
        if (loose !== null) return this.push(loose, false);
        return this.error('bad_message', parsed.reason);
      }
      const m = parsed.message;
      if (!CLIENT_TYPES.has(m.type)) return this.error('bad_message', `${m.type} is not a message a console sends`);
      switch (m.type) {
        case 'hello':
          return this.hello(m);
        case 'checkpoint_ack':
          return;
        case 'push':
          return this.push(m.batch, true);
        case 'pull':
          return this.pull(m.bucket, m.cursor);
        default:
          return this.error('bad_message', `${m.type} is not a message a console sends`);
      }
    }

    /** The batch of a push frame that failed only on its mutations' schema, else null. */
    private loosePush(frame: string | Uint8Array): IncomingMutation[] | null {
      try {
        if ((typeof frame === 'string' ? Buffer.byteLength(frame, 'utf8') : frame.byteLength) > MAX_FRAME_BYTES) return null; // refused by size
        const text = typeof frame === 'string' ? frame : Buffer.from(frame).toString('utf8');
        const loose = LoosePush.safeParse(JSON.parse(text));
        return loose.success ? (loose.data.batch as IncomingMutation[]) : null;
      } catch {
        return null;
      }
    }

    private async hello(m: Extract<SyncMessage, { type: 'hello' }>): Promise<void> {
      if (this.consoleId !== null) return this.error('bad_message', 'this connection already said hello');
      if (m.protocolVersion !== PROTOCOL_VERSION) {
        return this.error('unsupported_protocol', `protocol version ${m.protocolVersion} is not supported; this hub speaks ${PROTOCOL_VERSION}`);
      }
      if (m.schemaVersion < MIN_CONSOLE_SCHEMA_VERSION || m.schemaVersion > HUB_SCHEMA_VERSION) {
        return this.error(
          'unsupported_protocol',
          `console schema ${m.schemaVersion} is not supported; this hub accepts ${MIN_CONSOLE_SCHEMA_VERSION}–${HUB_SCHEMA_VERSION}: ${m.schemaVersion > HUB_SCHEMA_VERSION ? 'update the hub' : 'update the console'}`,
        );
      }
      const refuse = (why: string, message: string): Promise<void> => {
        log('warn', 'hub.hello_refused', { consoleId: m.consoleId, reason: why });
        return this.error('unauthorized', message);
      };
      if (m.auth.keyId !== m.consoleId) return refuse('key_id', 'auth.keyId must be the console id');
      let record: Awaited<ReturnType<HubStore['getConsole']>>;
      try {
        record = await store.getConsole(m.consoleId);
      } catch (err) {
        if (err instanceof HubStoreError && err.code === 'bad_console_id') return refuse('bad_console_id', 'console id is not valid');
        throw err;
      }
      if (record === null) return refuse('unknown', `console ${m.consoleId} is not enrolled at this hub`);
      if (record.status !== 'active') return refuse('revoked', `console ${m.consoleId} is revoked`);
      const key = importConsolePublicKey(record.publicKey);
      if (key === null) return refuse('bad_key_on_file', `the key on file for console ${m.consoleId} is not an Ed25519 public key: enroll it again`);
      const signature = /^[A-Za-z0-9_-]{86}$/.test(m.auth.signature) ? Buffer.from(m.auth.signature, 'base64url') : null;
      let valid = false;
      try {
        valid = signature !== null && signature.length === 64 && verify(null, Buffer.from(helloSigningText(m.consoleId, m.auth.issuedAt), 'utf8'), key, signature);
      } catch {
        valid = false;
      }
      if (!valid) return refuse('bad_signature', `signature does not match console ${m.consoleId}'s key`);
      const now = clock().getTime();
      const issued = Date.parse(m.auth.issuedAt);
      if (!Number.isFinite(issued) || Math.abs(now - issued) > AUTH_MAX_SKEW_MS) {
        return refuse('skew', `auth.issuedAt ${m.auth.issuedAt} is more than 72 h from the hub's clock ${new Date(now).toISOString()}: fix the console's clock`);
      }
      if (!freshHello(m.consoleId, m.auth.issuedAt, issued, now) || !(await store.rememberHello(m.consoleId, m.auth.issuedAt, issued, now, AUTH_MAX_SKEW_MS))) {
        return refuse('replay', 'this hello was already used: sign a new one');
      }
      if (this.closed) return;

      this.consoleId = m.consoleId;
      // A console whose clock runs ahead (±48 h must sync) writes `at` that far ahead: measured from the signed issuedAt.
      this.validate = allValidators(futureTimestampValidator(clock, issued - now), auditHeadValidator(key));
      const epoch = await store.epoch();
      const expectedSeq = record.lastApplied + 1;
      if (m.lastAckedSeq > record.lastApplied) {
        log('warn', 'hub.behind_console', { consoleId: m.consoleId, lastApplied: record.lastApplied, lastAckedSeq: m.lastAckedSeq });
      }
      log('info', 'hub.hello', { consoleId: m.consoleId, schemaVersion: m.schemaVersion, expectedSeq, skewMs: issued - now });
      await this.send({ type: 'welcome', epoch, expectedSeq, serverTime: new Date(now).toISOString() });
      const stale = Object.entries(m.cursors)
        .filter(([, c]) => c !== undefined && c !== '' && parseCursor(c)?.epoch !== epoch)
        .map(([b]) => b)
        .sort();
      if (stale.length > 0) {
        await this.error('reset_required', `cursors of ${stale.join(', ')} are not from this hub's epoch ${epoch}: download those buckets again from ''`);
      }
    }

    /** `validated`: every item passed the protocol's Mutation schema with the frame (else the store checks each). */
    private async push(batch: readonly IncomingMutation[], validated: boolean): Promise<void> {
      const consoleId = this.consoleId;
      if (consoleId === null) return this.error('unauthorized', 'send hello first');
      let outcome;
      try {
        outcome = await store.applyPush(consoleId, batch, { validate: this.validate, validated });
      } catch (err) {
        if (err instanceof HubStoreError) {
          if (err.code === 'console_revoked' || err.code === 'console_unknown') {
            this.consoleId = null;
            return this.error('unauthorized', err.message);
          }
          if (err.code === 'bad_batch') return this.error('bad_message', err.message);
        }
        throw err;
      }
      if (outcome.gap) log('info', 'hub.push_gap', { consoleId, seq: outcome.gap.seq, expectedSeq: outcome.gap.expectedSeq });
      for (const r of outcome.results) {
        // A head that went backwards is evidence of a rewritten audit log (docs/security.md "Audit chain").
        if (r.status === 'rejected' && r.reason !== undefined && /^audit_head_(regressed|forked):/.test(r.reason)) {
          log('warn', 'hub.audit_head_refused', { consoleId, seq: r.seq, reason: r.reason });
        }
      }
      await this.send({ type: 'push_ack', results: outcome.results, expectedSeq: outcome.expectedSeq });
    }

    private async pull(bucket: Bucket, cursorText: string): Promise<void> {
      if (this.consoleId === null) return this.error('unauthorized', 'send hello first');
      // Revocation takes effect on the next pull or push, not only at the next hello.
      const record = await store.getConsole(this.consoleId);
      if (record === null || record.status !== 'active') {
        const id = this.consoleId;
        this.consoleId = null;
        return this.error('unauthorized', `console ${id} is ${record === null ? 'not enrolled' : 'revoked'}`);
      }
      const epoch = await store.epoch();
      const cursor = parseCursor(cursorText);
      if (cursor === null || (cursor.epoch !== null && cursor.epoch !== epoch)) {
        return this.error('reset_required', `cursor of ${bucket} is not from this hub's epoch ${epoch}: download ${bucket} again from ''`);
      }
      if (cursor.serverSeq > 0) {
        const mark = await store.changeAt(bucket, cursor.serverSeq);
        if (mark === null || (cursor.tag !== null && mark.tag !== cursor.tag)) {
          log('warn', 'hub.cursor_lost', { consoleId: this.consoleId, bucket, serverSeq: cursor.serverSeq });
          return this.error(
            'reset_required',
            `cursor of ${bucket} points at change ${cursor.serverSeq}, which this hub no longer has (it lost its last commits or was restored without a new epoch): download ${bucket} again from ''`,
          );
        }
      }
      const initial = !this.firstPullDone || cursor.epoch === null;
      if (initial) {
        const slot = gate.acquire();
        if (slot.state === 'busy') {
          return this.error('busy', `the hub is serving ${limits.maxInitialSyncs + limits.maxQueuedInitialSyncs} initial syncs; try again later`, { retryAfterMs: limits.busyRetryMs });
        }
        if (slot.state === 'queued') {
          this.ticket = slot.ticket;
          // The console times out a request without an answer: while it waits here, ping it.
          let pinger: unknown = null;
          const ping = (): void => {
            pinger = timers.setTimeout(() => {
              if (this.ticket === null || this.closed) return;
              void this.send({ type: 'ping', at: clock().toISOString() });
              ping();
            }, limits.queuedPingMs);
          };
          ping();
          const ok = await slot.wait;
          timers.clearTimeout(pinger);
          this.ticket = null;
          if (!ok) return; // session closed or hub draining while queued
          if (this.closed) {
            gate.release();
            return;
          }
        }
      }
      try {
        this.pulled.add(bucket);
        let at = cursor.serverSeq;
        let tag = cursor.tag;
        let count = 0;
        for (;;) {
          if (this.closed || draining) return;
          const { page, message } = await pages.get(bucket, at, limits.changesPerFrame, record.hallId);
          count += page.changes.length;
          if (page.changes.length > 0) await this.send(message);
          at = page.cursor;
          if (page.cursorTag !== undefined) tag = page.cursorTag;
          if (!page.hasMore) break;
        }
        this.firstPullDone = true;
        await this.send({ type: 'checkpoint', bucket, cursor: formatCursor(epoch, at, tag), count });
      } finally {
        if (initial) gate.release();
      }
    }

    poke(buckets: ReadonlySet<Bucket>): void {
      if (this.closed || this.consoleId === null) return;
      const mine = [...buckets].filter((b) => this.pulled.has(b)).sort();
      if (mine.length > 0) void this.send({ type: 'poke', buckets: mine });
    }

    close(): void {
      if (this.closed) return;
      this.closed = true;
      if (this.ticket) gate.cancel(this.ticket);
      this.ticket = null;
      sessions.delete(this);
    }
  }

  async function drain(): Promise<void> {
    draining = true;
    gate.dropAll();
    if (pokeTimer !== null) timers.clearTimeout(pokeTimer);
    pokeTimer = null;
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  return {
    openSession(send) {
      const session = new SessionImpl(send);
      if (draining) {
        session.close();
        return session;
      }
      sessions.add(session);
      return session;
    },
    stats() {
      let authenticated = 0;
      for (const s of sessions) if (s.consoleId !== null) authenticated++;
      return { sessions: sessions.size, authenticated, initialSyncsRunning: gate.runningCount, initialSyncsQueued: gate.queuedCount, inFlight: inFlight.size };
    },
    drain,
    async close() {
      await drain();
      unsubscribe();
      for (const s of [...sessions]) s.close();
    },
  };
}
