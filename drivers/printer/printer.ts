/**
 * The receipt printer driver: ESC/POS over any Transport (TCP 9100, /dev/usb/lp*, serial, emulator).
 *
 * - `open()` makes a fresh transport with the factory (so it also reopens after an unplug) and sends
 *   ESC @. Idempotent and safe to call concurrently (the registry and the print queue both may).
 * - `status()` sends DLE EOT 1–4 in one write and parses the four real-time replies; no answer within
 *   `statusTimeoutMs` means the printer is off or gone.
 * - `print(bytes)` sends the job followed by GS r 1. A printer executes GS r only after everything
 *   before it, so its reply confirms the job went through. If no reply comes within
 *   `completionTimeoutMs` the printer is asked for its status: a fault (paper out, cover open…) fails
 *   the print with that health; a healthy printer that never answers GS r (some clones) counts as
 *   printed, reported as `confirmed: false`.
 * - A job interrupted by paper out still has its GS r in the printer's buffer; its reply comes when
 *   the printer catches up. The driver counts the markers it sent on this connection and confirms a
 *   job only with the reply to its own marker, so a late reply never confirms the next job.
 *
 * It implements the registry's DeviceAdapter shape (id, kind, label, emulated, open, close, probe, onLost).
 * Never logs or keeps job content.
 */
import { isTransportError, type Transport, type TransportFactory } from '../transports/transport';
import {
  healthOf,
  isRealtimeStatusByte,
  isTransmitStatusByte,
  parseRealtimeStatus,
  STATUS_QUERY,
  unreachableHealth,
  type PrinterHealth,
  type PrinterStatus,
} from './status';
import { realTimers, type Timers } from '../timers';

export { realTimers, type Timers } from '../timers';

export type PrintErrorCode = 'not_ready' | 'disconnected' | 'timeout' | 'io';

/** A print or status request that did not go through; `health` says why in the clerk's words. */
export class PrintError extends Error {
  constructor(
    readonly code: PrintErrorCode,
    readonly health: PrinterHealth,
    options?: { cause?: unknown },
  ) {
    super(health.detail, options);
    this.name = 'PrintError';
  }
}

export interface PrintResult {
  /** True when the printer's GS r reply arrived after the job (it was processed to the end). */
  confirmed: boolean;
}

export interface ReceiptPrinterOptions {
  id: string;
  label: string;
  emulated?: boolean;
  connect: TransportFactory;
  timers?: Timers;
  statusTimeoutMs?: number;
  completionTimeoutMs?: number;
}

/** GS r 1: transmit paper sensor status, executed in order. */
const COMPLETION_MARKER = Uint8Array.of(0x1d, 0x72, 0x01);
const INIT = Uint8Array.of(0x1b, 0x40);

interface Waiter {
  /** Takes a reply byte meant for this request; returns false for bytes it does not want. */
  accept(byte: number): boolean;
  /** True once every expected byte arrived. */
  done(bytes: readonly number[]): boolean;
  bytes: number[];
  resolve(bytes: number[]): void;
  reject(error: PrintError): void;
}

export class ReceiptPrinter {
  readonly kind = 'printer' as const;
  readonly id: string;
  readonly label: string;
  readonly emulated: boolean;
  private readonly timers: Timers;
  private transport: Transport | null = null;
  private unsubscribe: (() => void)[] = [];
  private opening: Promise<void> | null = null;
  private waiter: Waiter | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  /** GS r markers sent on this connection whose reply has not arrived yet. */
  private markers = 0;
  private readonly lostListeners = new Set<(reason: string) => void>();

  constructor(private readonly options: ReceiptPrinterOptions) {
    this.id = options.id;
    this.label = options.label;
    this.emulated = options.emulated ?? false;
    this.timers = options.timers ?? realTimers;
  }

  get isOpen(): boolean {
    return this.transport?.isOpen ?? false;
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    this.opening ??= this.connect().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  async close(): Promise<void> {
    const t = this.transport;
    this.detach(null);
    if (t) await t.close();
  }

  /** Fires when an open printer goes away (not when we close it). */
  onLost(listener: (reason: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** ESC @: back to power-on settings (Chinese mode, default sizes). */
  init(): Promise<void> {
    return this.exclusive(() => this.write(INIT));
  }

  /** Real-time status; throws PrintError ('disconnected' when not open, 'timeout' when no answer). */
  status(): Promise<PrinterStatus> {
    return this.exclusive(() => this.queryStatus());
  }

  /** Health now, never throws. */
  probe(): Promise<PrinterHealth> {
    return this.exclusive(() => this.healthNow());
  }

  /** Opens the printer when needed and reports its health (what the print queue asks before a job). */
  async ensureReady(): Promise<PrinterHealth> {
    if (!this.isOpen) {
      try {
        await this.open();
      } catch {
        return unreachableHealth('not_connected');
      }
    }
    return this.probe();
  }

  /** Sends one job; resolves when the printer confirmed it (or is healthy and cannot confirm). */
  print(bytes: Uint8Array): Promise<PrintResult> {
    return this.exclusive(async () => {
      this.markers += 1;
      const takeMarkerReply = (byte: number): boolean => {
        if (!isTransmitStatusByte(byte) || this.markers === 0) return false;
        this.markers -= 1;
        return true;
      };
      try {
        await this.request(concat(bytes, COMPLETION_MARKER), takeMarkerReply, () => this.markers === 0, this.options.completionTimeoutMs ?? 15_000);
        return { confirmed: true };
      } catch (err) {
        if (!(err instanceof PrintError) || err.code !== 'timeout') throw err;
        const health = await this.healthNow();
        if (health.printable) {
          this.markers = 0; // healthy yet silent: this printer does not answer GS r
          return { confirmed: false };
        }
        throw new PrintError(health.status === null ? 'timeout' : 'not_ready', health);
      }
    });
  }

  private async connect(): Promise<void> {
    const t = this.options.connect();
    this.markers = 0;
    this.unsubscribe = [t.onData((chunk) => this.onData(chunk)), t.onClose((error) => this.onClose(t, error))];
    try {
      await t.open();
      this.transport = t;
      await t.write(INIT);
    } catch (err) {
      this.detach(null);
      await t.close().catch(() => undefined);
      throw err;
    }
  }

  private onData(chunk: Uint8Array): void {
    for (const byte of chunk) {
      const w = this.waiter;
      if (w?.accept(byte)) {
        w.bytes.push(byte);
        if (w.done(w.bytes)) {
          this.waiter = null;
          w.resolve(w.bytes);
        }
      } else if (isTransmitStatusByte(byte) && this.markers > 0) {
        this.markers -= 1; // the late GS r reply of an interrupted job
      }
      // anything else is unsolicited and dropped
    }
  }

  private onClose(t: Transport, error: Error | null): void {
    if (t !== this.transport && this.transport !== null) return;
    this.detach(error);
    if (error) for (const l of [...this.lostListeners]) l(error.message);
  }

  private detach(error: Error | null): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.transport = null;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(new PrintError('disconnected', unreachableHealth('disconnected'), { cause: error ?? undefined }));
  }

  private async write(bytes: Uint8Array): Promise<void> {
    const t = this.transport;
    if (!t || !t.isOpen) throw new PrintError('disconnected', unreachableHealth('not_connected'));
    try {
      await t.write(bytes);
    } catch (err) {
      const gone = isTransportError(err, 'disconnected') || isTransportError(err, 'not_open') || isTransportError(err, 'closed');
      throw new PrintError(gone ? 'disconnected' : 'io', unreachableHealth('disconnected'), { cause: err });
    }
  }

  /** Writes `bytes` and waits until `done()` for the reply bytes that `accept` takes. */
  private request(bytes: Uint8Array, accept: (b: number) => boolean, done: (got: readonly number[]) => boolean, timeoutMs: number): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        if (this.waiter !== waiter) return;
        this.waiter = null;
        reject(new PrintError('timeout', unreachableHealth('timeout')));
      }, timeoutMs);
      const waiter: Waiter = {
        accept,
        done,
        bytes: [],
        resolve: (b) => {
          this.timers.clearTimeout(timer);
          resolve(b);
        },
        reject: (e) => {
          this.timers.clearTimeout(timer);
          reject(e);
        },
      };
      this.waiter = waiter;
      this.write(bytes).catch((err: unknown) => {
        if (this.waiter === waiter) this.waiter = null;
        waiter.reject(err instanceof PrintError ? err : new PrintError('io', unreachableHealth('disconnected'), { cause: err }));
      });
    });
  }

  private async queryStatus(): Promise<PrinterStatus> {
    const replies = STATUS_QUERY.length / 3; // one byte per DLE EOT n
    const bytes = await this.request(STATUS_QUERY, isRealtimeStatusByte, (got) => got.length === replies, this.options.statusTimeoutMs ?? 2_000);
    return parseRealtimeStatus(bytes);
  }

  private async healthNow(): Promise<PrinterHealth> {
    if (!this.isOpen) return unreachableHealth('not_connected');
    try {
      return healthOf(await this.queryStatus());
    } catch (err) {
      if (err instanceof PrintError) return err.health;
      throw err;
    }
  }

  /** One request at a time: replies are matched to the request that is waiting. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
