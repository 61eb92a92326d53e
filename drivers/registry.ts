/**
 * The device registry: which hall devices this console has, whether each one works right now, and
 * getting them back when they return. One place for discovery, hot-plug, reconnect with backoff and
 * per-device health; drivers only say "opened", "lost" and "here is my status".
 *
 * Health (hardware note: ok / degraded / offline) maps onto the contract's DeviceHealth:
 * ok → ok, degraded → warning (e.g. paper near end), offline → absent (not there) or error (there but failing).
 */
import type { DeviceHealth, DeviceKind, DeviceStatus } from '../preload/contract';
import type { Clock } from '../main/domain/clock';
import { realTimers, type Timers } from './timers';

export interface HealthReport {
  health: DeviceHealth;
  /** A sentence for the clerk or technician, e.g. "打印机缺纸". */
  detail: string;
}

/**
 * What the registry needs of one device. Driver adapters (idcard, scanner, printer, camera) implement it.
 * `open` throws when the device is not there; `onLost` fires when an open device goes away.
 */
export interface DeviceAdapter {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly label: string;
  readonly emulated: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Current health of an open device (printer paper, SAM self-check…). Optional. */
  probe?(): Promise<HealthReport>;
  onLost(listener: (reason: string) => void): () => void;
}

export { realTimers, type Timers } from './timers';

export interface RegistryOptions {
  clock: Clock;
  timers?: Timers;
  /** Backoff for reconnect attempts: first delay, cap (hardware/sync notes: exponential, capped). */
  backoff?: { initialMs: number; maxMs: number };
  /** Random in [0,1) for jitter; injected for tests. */
  random?: () => number;
  /** How often to ask open devices for their health (0 = never). */
  probeIntervalMs?: number;
}

interface Entry {
  adapter: DeviceAdapter;
  status: DeviceStatus;
  open: boolean;
  attempts: number;
  retry: unknown;
  unsubscribe: (() => void) | null;
  lastError: string | null;
  connecting: boolean;
}

export type RegistryListener = (statuses: DeviceStatus[]) => void;

export class DeviceRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<RegistryListener>();
  private readonly timers: Timers;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly random: () => number;
  private probeTimer: unknown = null;
  private running = false;

  constructor(private readonly options: RegistryOptions) {
    this.timers = options.timers ?? realTimers;
    this.backoff = options.backoff ?? { initialMs: 1_000, maxMs: 30_000 };
    this.random = options.random ?? Math.random;
  }

  /** Register a device; it is opened by `start()` (or at once when the registry already runs). */
  add(adapter: DeviceAdapter): void {
    if (this.entries.has(adapter.id)) throw new Error(`device ${adapter.id} is already registered`);
    const entry: Entry = {
      adapter,
      status: this.makeStatus(adapter, { health: 'unknown', detail: '未检测' }),
      open: false,
      attempts: 0,
      retry: null,
      unsubscribe: null,
      lastError: null,
      connecting: false,
    };
    this.entries.set(adapter.id, entry);
    if (this.running) void this.connect(entry);
  }

  async start(): Promise<void> {
    this.running = true;
    await Promise.all([...this.entries.values()].map((e) => this.connect(e)));
    this.scheduleProbe();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.probeTimer !== null) this.timers.clearTimeout(this.probeTimer);
    this.probeTimer = null;
    for (const entry of this.entries.values()) {
      if (entry.retry !== null) this.timers.clearTimeout(entry.retry);
      entry.retry = null;
      entry.unsubscribe?.();
      entry.unsubscribe = null;
      if (entry.open) await entry.adapter.close().catch(() => undefined);
      entry.open = false;
    }
  }

  statuses(): DeviceStatus[] {
    return [...this.entries.values()].map((e) => e.status);
  }

  adapter<A extends DeviceAdapter>(id: string): A | undefined {
    return this.entries.get(id)?.adapter as A | undefined;
  }

  subscribe(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Hot-plug: something was attached (usb attach event, a port appeared in polling, a technician
   * pressed "重新连接"). Every device that is not open is tried now, without waiting for its backoff.
   */
  notifyAttached(): void {
    for (const entry of this.entries.values()) {
      if (entry.open || entry.connecting) continue;
      if (entry.retry !== null) this.timers.clearTimeout(entry.retry);
      entry.retry = null;
      entry.attempts = 0;
      void this.connect(entry);
    }
  }

  /** A driver noticed trouble while open (e.g. paper out): update its health without closing. */
  report(id: string, report: HealthReport): void {
    const entry = this.entries.get(id);
    if (entry) this.setStatus(entry, report);
  }

  private async connect(entry: Entry): Promise<void> {
    if (!this.running || entry.open || entry.connecting) return;
    entry.connecting = true;
    try {
      await entry.adapter.open();
      entry.open = true;
      entry.attempts = 0;
      entry.lastError = null;
      entry.unsubscribe = entry.adapter.onLost((reason) => this.lost(entry, reason));
      const report = entry.adapter.probe ? await entry.adapter.probe().catch((err: unknown) => ({ health: 'error' as const, detail: String((err as Error)?.message ?? err) })) : null;
      this.setStatus(entry, report ?? { health: 'ok', detail: entry.adapter.emulated ? '模拟设备' : '已连接' });
    } catch (err) {
      entry.lastError = err instanceof Error ? err.message : String(err);
      this.setStatus(entry, { health: 'absent', detail: `未连接：${entry.lastError}` });
      this.scheduleRetry(entry);
    } finally {
      entry.connecting = false;
    }
  }

  private lost(entry: Entry, reason: string): void {
    if (!entry.open) return;
    entry.open = false;
    entry.unsubscribe?.();
    entry.unsubscribe = null;
    entry.lastError = reason;
    this.setStatus(entry, { health: 'absent', detail: `设备已断开：${reason}，正在重新连接` });
    void entry.adapter.close().catch(() => undefined);
    this.scheduleRetry(entry);
  }

  /** Exponential backoff with full jitter, capped. */
  retryDelay(attempt: number): number {
    const ceiling = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** attempt);
    return Math.max(this.backoff.initialMs / 2, Math.floor(this.random() * ceiling));
  }

  private scheduleRetry(entry: Entry): void {
    if (!this.running || entry.retry !== null) return;
    const delay = this.retryDelay(entry.attempts++);
    entry.retry = this.timers.setTimeout(() => {
      entry.retry = null;
      void this.connect(entry);
    }, delay);
  }

  private scheduleProbe(): void {
    const every = this.options.probeIntervalMs ?? 0;
    if (every <= 0 || !this.running) return;
    this.probeTimer = this.timers.setTimeout(async () => {
      for (const entry of this.entries.values()) {
        if (!entry.open || !entry.adapter.probe) continue;
        const report = await entry.adapter.probe().catch((err: unknown) => ({ health: 'error' as const, detail: String((err as Error)?.message ?? err) }));
        if (entry.open) this.setStatus(entry, report);
      }
      this.scheduleProbe();
    }, every);
  }

  private setStatus(entry: Entry, report: HealthReport): void {
    const next = this.makeStatus(entry.adapter, report);
    const prev = entry.status;
    entry.status = next;
    if (prev.health !== next.health || prev.detail !== next.detail) {
      const all = this.statuses();
      for (const l of this.listeners) l(all);
    }
  }

  private makeStatus(adapter: DeviceAdapter, report: HealthReport): DeviceStatus {
    return {
      kind: adapter.kind,
      label: adapter.label,
      health: report.health,
      emulated: adapter.emulated,
      detail: report.detail,
      updatedAt: this.options.clock().toISOString(),
    };
  }
}
