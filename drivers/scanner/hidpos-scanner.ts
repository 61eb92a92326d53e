/**
 * The HID POS scanner driver: one instance per opened Transport. It opens the transport, switches the
 * scanner into HID POS mode when the vendor profile says so, turns input reports into `scan` events,
 * and reports health. It never reconnects by itself: the registry calls `start()` again (with a
 * TransportFactory the driver then opens a fresh transport), which fits the registry's DeviceAdapter
 * (`open` → start, `close` → stop, `onLost`).
 */
import { TransportError, type Transport, type TransportFactory } from '../transports/transport';
import { ScanAssembler, type AssemblerOutput, type ScanAssemblerOptions } from './assembler';
import { realTimers, type Timers } from '../timers';
import { HidPosError, parseHidPosReport, type HidPosProfile } from './hidpos';
import { describeScan, type ScanEvent, type ScannerHealth, type ScannerLogger } from './types';

/** The drivers' injected timers (drivers/timers.ts). */
export type DriverTimers = Timers;

export interface HidPosScannerOptions {
  /** A transport (one life) or a factory (a fresh transport on every `start()` after a close). */
  transport: Transport | TransportFactory;
  profile: HidPosProfile;
  assembler?: ScanAssemblerOptions;
  /** Milliseconds clock (default `Date.now`). */
  now?: () => number;
  timers?: DriverTimers;
  logger?: ScannerLogger;
}

export interface HidPosScannerEvents {
  scan: ScanEvent;
  /** A report or a code that could not be used; the driver keeps running. */
  error: HidPosError;
  health: ScannerHealth;
}

type Listener<T> = (value: T) => void;

const systemTimers: DriverTimers = realTimers;

export class HidPosScanner {
  private readonly source: Transport | TransportFactory;
  private transport: Transport;
  private readonly profile: HidPosProfile;
  private readonly assembler: ScanAssembler;
  private readonly now: () => number;
  private readonly timers: DriverTimers;
  private readonly logger: ScannerLogger | undefined;
  private readonly listeners: { [K in keyof HidPosScannerEvents]: Set<Listener<HidPosScannerEvents[K]>> } = {
    scan: new Set(),
    error: new Set(),
    health: new Set(),
  };
  private readonly lostListeners = new Set<(reason: string) => void>();
  private unsubscribe: (() => void)[] = [];
  private starting: Promise<void> | null = null;
  private timer: unknown = null;
  private state: ScannerHealth = { status: 'offline', detail: 'not_started', lastError: null, lastSeenAt: null };

  constructor(options: HidPosScannerOptions) {
    this.source = options.transport;
    this.transport = typeof options.transport === 'function' ? options.transport() : options.transport;
    this.profile = options.profile;
    this.assembler = new ScanAssembler(options.assembler);
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? systemTimers;
    this.logger = options.logger;
  }

  get id(): string {
    return this.transport.id;
  }

  get health(): ScannerHealth {
    return this.state;
  }

  on<K extends keyof HidPosScannerEvents>(event: K, listener: Listener<HidPosScannerEvents[K]>): () => void {
    const set = this.listeners[event] as Set<Listener<HidPosScannerEvents[K]>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Fires when the device went away (not when we stopped it): the registry's cue to reconnect. */
  onLost(listener: (reason: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Open the transport and enable HID POS output. Rejects (TransportError) only when opening fails. */
  start(): Promise<void> {
    if (this.unsubscribe.length > 0) return Promise.resolve();
    this.starting ??= this.doStart().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    if (typeof this.source === 'function' && this.state.detail !== 'not_started') this.transport = this.source();
    try {
      if (!this.transport.isOpen) await this.transport.open();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.setHealth({ status: 'offline', detail: 'open_failed', lastError: message });
      throw error instanceof TransportError ? error : new TransportError('open_failed', message, this.transport.id);
    }
    this.unsubscribe = [this.transport.onData((chunk) => this.onReport(chunk)), this.transport.onClose((error) => this.onClosed(error))];
    const enableProblem = await this.enableHidPos();
    if (this.unsubscribe.length === 0) return; // the device went away while we were enabling it
    if (enableProblem) this.setHealth({ status: 'degraded', detail: 'hidpos_enable_failed', lastError: enableProblem });
    else this.setHealth({ status: 'ok', detail: null });
  }

  async stop(): Promise<void> {
    if (this.transport.isOpen) await this.transport.close();
    this.onClosed(null);
  }

  /** `null` when HID POS output is on (or needs no switching); otherwise why not. */
  private async enableHidPos(): Promise<string | null> {
    const enable = this.profile.enable;
    if (!enable) return null;
    if (!this.transport.sendFeatureReport) return 'transport cannot send feature reports';
    try {
      await this.transport.sendFeatureReport(Uint8Array.from(enable));
      this.logger?.log('info', 'scanner.hidpos_enabled', { device: this.id, vendor: this.profile.vendor });
      return null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger?.log('warn', 'scanner.hidpos_enable_failed', { device: this.id, vendor: this.profile.vendor, error: message });
      return message;
    }
  }

  private onReport(chunk: Uint8Array): void {
    const now = this.now();
    this.state = { ...this.state, lastSeenAt: now };
    const parsed = parseHidPosReport(chunk, this.profile);
    if (!parsed.ok) {
      this.emitError(parsed.error);
      return;
    }
    this.handle(this.assembler.push(parsed.report, now));
    this.schedule(now);
  }

  private onClosed(error: TransportError | null): void {
    if (this.unsubscribe.length === 0 && this.state.status === 'offline') return;
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
    this.clearTimer();
    this.handle(this.assembler.interrupt());
    if (error) {
      this.logger?.log('warn', 'scanner.disconnected', { device: this.id, code: error.code });
      this.setHealth({ status: 'offline', detail: 'disconnected', lastError: error.message });
      for (const listener of [...this.lostListeners]) this.safely('lost', () => listener(error.message));
    } else {
      this.setHealth({ status: 'offline', detail: 'stopped' });
    }
  }

  private handle(outputs: AssemblerOutput[]): void {
    for (const output of outputs) {
      if (output.type === 'error') {
        this.emitError(output.error);
        continue;
      }
      const { text, symbology, encoding } = output.scan;
      const event: ScanEvent = { text, symbology, source: 'hidpos', encoding };
      this.logger?.log('info', 'scanner.scan', { device: this.id, ...describeScan(event), reports: output.scan.reports });
      this.emit('scan', event);
    }
  }

  private schedule(now: number): void {
    this.clearTimer();
    const deadline = this.assembler.deadline;
    if (deadline === null) return;
    this.timer = this.timers.setTimeout(
      () => {
        this.timer = null;
        this.handle(this.assembler.expire(this.now()));
        this.schedule(this.now());
      },
      Math.max(0, deadline - now) + 1,
    );
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private emitError(error: HidPosError): void {
    this.logger?.log('warn', 'scanner.report_error', { device: this.id, code: error.code });
    this.state = { ...this.state, lastError: error.code };
    this.emit('error', error);
  }

  private setHealth(next: Pick<ScannerHealth, 'status' | 'detail'> & { lastError?: string | null }): void {
    const health: ScannerHealth = { ...this.state, ...next };
    const changed = health.status !== this.state.status || health.detail !== this.state.detail;
    this.state = health;
    if (changed) this.emit('health', health);
  }

  private emit<K extends keyof HidPosScannerEvents>(event: K, value: HidPosScannerEvents[K]): void {
    for (const listener of [...(this.listeners[event] as Set<Listener<HidPosScannerEvents[K]>>)]) this.safely(event, () => listener(value));
  }

  /** A consumer's bug must not stop the scanner; log which listener only (the value may be personal). */
  private safely(listener: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.logger?.log('error', 'scanner.listener_failed', { device: this.id, listener, error: error instanceof Error ? error.name : 'unknown' });
    }
  }
}
