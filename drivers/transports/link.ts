/**
 * The ONE place for timeouts, partial reads, reassembly and close/reopen (drivers never do these).
 *
 * - `Packetizer`: how frames travel on the transport (a byte stream as-is, or e.g. 64-byte HID reports);
 * - `Deframer`: given the bytes accumulated so far, returns one complete frame, "need more", "skip garbage"
 *   or a typed framing error with the number of bytes to skip to resynchronise;
 * - `FrameAccumulator`: the pure, synchronous reassembly core (also used by emulators and property tests);
 * - `FrameLink`: a transport + the above: `request()` (one in flight, the rest queued, each with its own
 *   timeout), unsolicited frames, framing errors, state changes and `reopen()` with exponential backoff.
 */
import { Listeners } from './base';
import { TransportError, type Transport, type TransportFactory } from './transport';

export type DeframeResult<F, E> =
  /** A complete frame starting at offset 0 and `consumed` bytes long. */
  | { kind: 'frame'; frame: F; consumed: number }
  /** The buffer starts like a frame but is incomplete. */
  | { kind: 'need_more' }
  /** `count` leading bytes can never start a frame (garbage before a preamble): drop them silently. */
  | { kind: 'skip'; count: number }
  /** A frame was recognised but is bad; drop `skip` bytes and look again. */
  | { kind: 'error'; error: E; skip: number };

/** `buffer` is a view valid only during the call: a frame must copy the bytes it keeps. */
export type Deframer<F, E> = (buffer: Uint8Array) => DeframeResult<F, E>;

export type UnpacketResult<E> = { ok: true; bytes: Uint8Array } | { ok: false; error: E };

/** The layer between frames and transport chunks. */
export interface Packetizer<E> {
  /** Split one outgoing frame into transport writes. */
  packetize(frame: Uint8Array): Uint8Array[];
  /** Turn one incoming transport chunk into stream bytes (or a typed error for a malformed packet). */
  unpacketize(chunk: Uint8Array): UnpacketResult<E>;
}

/** Serial, USB bulk and TCP: the transport is already a byte stream. */
export const streamPacketizer: Packetizer<never> = {
  packetize: (frame) => [frame],
  unpacketize: (chunk) => ({ ok: true, bytes: chunk }),
};

export type AccumulatorEvent<F, E> =
  | { kind: 'frame'; frame: F }
  | { kind: 'error'; error: E }
  /** Bytes dropped: garbage before a preamble, or the buffer overflowed without a frame. */
  | { kind: 'discarded'; count: number; reason: 'garbage' | 'overflow' };

/** Pure reassembly: push chunks in, get frames/errors out. Never throws on any input. */
export class FrameAccumulator<F, E> {
  /** Bytes live in store[start, end); the store grows geometrically and is compacted, never reallocated per chunk. */
  private store = new Uint8Array(256);
  private start = 0;
  private end = 0;

  constructor(
    private readonly deframer: Deframer<F, E>,
    private readonly maxBuffer = 64 * 1024,
  ) {}

  get buffered(): number {
    return this.end - this.start;
  }

  reset(): void {
    this.start = 0;
    this.end = 0;
  }

  push(chunk: Uint8Array): AccumulatorEvent<F, E>[] {
    const events: AccumulatorEvent<F, E>[] = [];
    this.append(chunk);
    let garbage = 0;
    const flushGarbage = (): void => {
      if (garbage > 0) events.push({ kind: 'discarded', count: garbage, reason: 'garbage' });
      garbage = 0;
    };
    while (this.end > this.start) {
      const available = this.end - this.start;
      const r = this.deframer(this.store.subarray(this.start, this.end));
      if (r.kind === 'need_more') break;
      if (r.kind === 'skip') {
        const n = clampStep(r.count, available);
        garbage += n;
        this.start += n;
        continue;
      }
      flushGarbage();
      if (r.kind === 'frame') {
        events.push({ kind: 'frame', frame: r.frame });
        this.start += clampStep(r.consumed, available);
      } else {
        events.push({ kind: 'error', error: r.error });
        this.start += clampStep(r.skip, available);
      }
    }
    flushGarbage();
    if (this.buffered > this.maxBuffer) {
      events.push({ kind: 'discarded', count: this.buffered, reason: 'overflow' });
      this.reset();
    }
    if (this.start === this.end) this.reset();
    return events;
  }

  /** Copy the chunk in (callers may reuse their buffers; deframers must copy what they keep). */
  private append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const used = this.end - this.start;
    if (this.end + chunk.length > this.store.length) {
      if (used + chunk.length <= this.store.length / 2) {
        this.store.copyWithin(0, this.start, this.end);
      } else {
        let size = this.store.length;
        while (size < (used + chunk.length) * 2) size *= 2;
        const next = new Uint8Array(size);
        next.set(this.store.subarray(this.start, this.end), 0);
        this.store = next;
      }
      this.start = 0;
      this.end = used;
    }
    this.store.set(chunk, this.end);
    this.end += chunk.length;
  }
}

/** Every step drops at least one byte (a buggy deframer cannot hang the link) and at most all of them. */
function clampStep(n: number, available: number): number {
  if (!Number.isFinite(n) || n < 1) return 1;
  return Math.min(Math.floor(n), available);
}

/** A request failed because the answer was malformed (bad checksum, bad length…). */
export class FramingError<E> extends Error {
  readonly code = 'framing' as const;
  constructor(readonly detail: E, message: string) {
    super(message);
    this.name = 'FramingError';
  }
}

export type LinkState = 'closed' | 'opening' | 'open' | 'reconnecting';

export interface BackoffOptions {
  /** First wait between attempts (ms). Default 200. */
  initialMs?: number;
  /** Cap (ms). Default 10 000. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Give up after this many attempts (first one included). Default: never. */
  maxAttempts?: number;
}

export interface FrameLinkOptions<F, E> {
  factory: TransportFactory;
  deframer: Deframer<F, E>;
  packetizer?: Packetizer<E>;
  /** Describe a framing error in one line (for FramingError.message). Default: its `message` field or JSON. */
  describeError?: (error: E) => string;
  /** Is this frame the answer to the request in flight? Default: every frame while one is in flight. */
  isResponse?: (frame: F) => boolean;
  /** Reject the request in flight when a framing error arrives (default true). */
  failOnFramingError?: boolean;
  /** Reopen by itself (with backoff) when the device goes away. Default false: the registry decides. */
  autoReopen?: boolean;
  backoff?: BackoffOptions;
  /** Bytes kept while waiting for a frame to complete. Default 64 KiB. */
  maxBuffer?: number;
}

interface Job<F> {
  bytes: Uint8Array;
  timeoutMs: number | null; // null: fire-and-forget (`send`)
  resolve: (frame: F | null) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

export class FrameLink<F, E> {
  private transport: Transport | null = null;
  private detach: (() => void)[] = [];
  private readonly accumulator: FrameAccumulator<F, E>;
  private readonly packetizer: Packetizer<E>;
  private readonly queue: Job<F>[] = [];
  private inflight: Job<F> | null = null;
  private currentState: LinkState = 'closed';
  private lastErr: TransportError | null = null;
  private reopening: Promise<void> | null = null;
  private abortReopen: AbortController | null = null;
  private userClosed = false;
  private readonly frames = new Listeners<F>();
  private readonly errors = new Listeners<E>();
  private readonly states = new Listeners<{ state: LinkState; error: TransportError | null }>();

  constructor(private readonly options: FrameLinkOptions<F, E>) {
    this.accumulator = new FrameAccumulator(options.deframer, options.maxBuffer);
    this.packetizer = options.packetizer ?? streamPacketizer;
  }

  get state(): LinkState {
    return this.currentState;
  }

  /** The error that last closed the link (null after a clean close or open). */
  get lastError(): TransportError | null {
    return this.lastErr;
  }

  get transportId(): string | null {
    return this.transport?.id ?? null;
  }

  /** Frames that arrive while no request waits for them. */
  onFrame(listener: (frame: F) => void): () => void {
    return this.frames.add(listener);
  }

  /** Every framing error (also those that failed a request). */
  onFramingError(listener: (error: E) => void): () => void {
    return this.errors.add(listener);
  }

  /** State changes; `error` is set when the device went away or a reopen gave up. */
  onState(listener: (state: LinkState, error: TransportError | null) => void): () => void {
    return this.states.add(({ state, error }) => listener(state, error));
  }

  async open(): Promise<void> {
    this.userClosed = false;
    if (this.currentState === 'open') return;
    if (this.reopening) return this.reopening;
    await this.openOnce('opening');
  }

  /**
   * Close and open again: first attempt at once, then waits growing by `factor` up to `maxMs`
   * (200, 400, 800 … ms by default). Rejects with the last error after `maxAttempts`, or with
   * TransportError('closed') when close() is called meanwhile.
   */
  reopen(): Promise<void> {
    if (this.reopening) return this.reopening;
    this.userClosed = false;
    const abort = new AbortController();
    this.abortReopen = abort;
    const { initialMs = 200, maxMs = 10_000, factor = 2, maxAttempts = Number.POSITIVE_INFINITY } = this.options.backoff ?? {};
    this.reopening = (async () => {
      await this.dropTransport(new TransportError('closed', 'link is reopening'));
      this.setState('reconnecting', this.lastErr);
      let delay = initialMs;
      for (let attempt = 1; ; attempt++) {
        if (abort.signal.aborted) throw new TransportError('closed', 'reopen cancelled by close()');
        try {
          await this.openOnce('reconnecting');
          return;
        } catch (err) {
          if (abort.signal.aborted) throw new TransportError('closed', 'reopen cancelled by close()');
          if (attempt >= maxAttempts) {
            const e = err instanceof TransportError ? err : new TransportError('open_failed', String(err));
            this.lastErr = e;
            this.setState('closed', e);
            throw e;
          }
          this.setState('reconnecting', err instanceof TransportError ? err : null);
        }
        await abortableDelay(delay, abort.signal);
        delay = Math.min(maxMs, delay * factor);
      }
    })().finally(() => {
      this.reopening = null;
      if (this.abortReopen === abort) this.abortReopen = null;
    });
    return this.reopening;
  }

  async close(): Promise<void> {
    this.userClosed = true;
    this.abortReopen?.abort();
    await this.dropTransport(new TransportError('closed', 'link closed'));
    this.lastErr = null;
    this.setState('closed', null);
  }

  /** Send a request and wait for its answer frame. One in flight at a time; others wait their turn. */
  request(bytes: Uint8Array, options: { timeoutMs: number }): Promise<F> {
    return new Promise<F>((resolve, reject) => {
      this.enqueue({ bytes, timeoutMs: options.timeoutMs, resolve: resolve as (f: F | null) => void, reject, timer: null });
    });
  }

  /** Write bytes that expect no answer, in order with requests. */
  send(bytes: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.enqueue({ bytes, timeoutMs: null, resolve: () => resolve(), reject, timer: null });
    });
  }

  private enqueue(job: Job<F>): void {
    if (this.currentState !== 'open' || !this.transport) {
      const code = this.currentState === 'reconnecting' || this.lastErr ? 'disconnected' : 'not_open';
      job.reject(new TransportError(code, `link is ${this.currentState}`, this.transport?.id));
      return;
    }
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    if (this.inflight || this.queue.length === 0 || !this.transport) return;
    const job = this.queue.shift() as Job<F>;
    this.inflight = job;
    const transport = this.transport;
    if (job.timeoutMs !== null) {
      this.accumulator.reset(); // partial bytes from before this request belong to nobody
      const ms = job.timeoutMs;
      job.timer = setTimeout(() => this.settle(job, new TransportError('timeout', `no answer within ${ms} ms`, transport.id)), ms);
    }
    void this.writeAll(transport, job.bytes).then(
      () => {
        if (job.timeoutMs === null) this.settle(job, null, null);
      },
      (err: unknown) => this.settle(job, err instanceof Error ? err : new TransportError('io', String(err), transport.id)),
    );
  }

  private async writeAll(transport: Transport, bytes: Uint8Array): Promise<void> {
    for (const packet of this.packetizer.packetize(bytes)) await transport.write(packet);
  }

  private settle(job: Job<F>, error: Error | null, frame: F | null = null): void {
    if (this.inflight !== job) return;
    this.inflight = null;
    if (job.timer) clearTimeout(job.timer);
    if (error) job.reject(error);
    else job.resolve(frame);
    this.pump();
  }

  private onChunk(chunk: Uint8Array): void {
    const un = this.packetizer.unpacketize(chunk);
    if (!un.ok) {
      this.accumulator.reset();
      this.framingError(un.error);
      return;
    }
    for (const ev of this.accumulator.push(un.bytes)) {
      if (ev.kind === 'frame') {
        const job = this.inflight;
        if (job && job.timeoutMs !== null && (this.options.isResponse?.(ev.frame) ?? true)) this.settle(job, null, ev.frame);
        else this.frames.emit(ev.frame);
      } else if (ev.kind === 'error') {
        this.framingError(ev.error);
      }
    }
  }

  private framingError(error: E): void {
    this.errors.emit(error);
    const job = this.inflight;
    if (job && job.timeoutMs !== null && (this.options.failOnFramingError ?? true)) {
      this.settle(job, new FramingError(error, this.describe(error)));
    }
  }

  private describe(error: E): string {
    if (this.options.describeError) return this.options.describeError(error);
    if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') return error.message;
    return JSON.stringify(error);
  }

  private async openOnce(state: 'opening' | 'reconnecting'): Promise<void> {
    this.setState(state, state === 'reconnecting' ? this.lastErr : null);
    const transport = this.options.factory();
    const detach = [transport.onData((chunk) => this.onChunk(chunk)), transport.onClose((err) => this.onTransportClosed(transport, err))];
    try {
      await transport.open();
    } catch (err) {
      for (const d of detach) d();
      const e = err instanceof TransportError ? err : new TransportError('open_failed', String(err), transport.id);
      if (state === 'opening') {
        this.lastErr = e;
        this.setState('closed', e);
      }
      throw e;
    }
    if (this.userClosed) {
      for (const d of detach) d();
      await transport.close().catch(() => undefined);
      throw new TransportError('closed', 'link closed while opening', transport.id);
    }
    this.transport = transport;
    this.detach = detach;
    this.accumulator.reset();
    this.lastErr = null;
    this.setState('open', null);
  }

  private onTransportClosed(transport: Transport, err: TransportError | null): void {
    if (this.transport !== transport) return;
    for (const d of this.detach) d();
    this.detach = [];
    this.transport = null;
    const error = err ?? new TransportError('closed', 'transport closed', transport.id);
    this.failAll(error);
    this.lastErr = err;
    this.setState('closed', err);
    if (err && this.options.autoReopen && !this.userClosed) void this.reopen().catch(() => undefined);
  }

  private async dropTransport(error: TransportError): Promise<void> {
    const transport = this.transport;
    for (const d of this.detach) d();
    this.detach = [];
    this.transport = null;
    this.failAll(error);
    if (transport) await transport.close().catch(() => undefined);
  }

  private failAll(error: TransportError): void {
    const queued = this.queue.splice(0);
    const job = this.inflight;
    if (job) this.settle(job, error);
    for (const q of queued) q.reject(error);
  }

  private setState(state: LinkState, error: TransportError | null): void {
    if (state === this.currentState && error === null) return;
    this.currentState = state;
    this.states.emit({ state, error });
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
