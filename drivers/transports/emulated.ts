/**
 * An in-process cable between a driver and an emulator. The driver side is an ordinary Transport
 * (made by `device.factory`, so link.ts can reopen it); the emulator side (`EmulatedDevice`) receives
 * every byte the driver wrote and pushes bytes back.
 *
 * What it can play, so drivers meet real-world conditions in tests and training mode:
 * - serial timing: with `baudRate` each byte takes 10 bit times (8N1), e.g. 115200 baud ≈ 11.52 bytes/ms,
 *   in both directions, in order;
 * - stream chunking: a push arrives split into random chunks (`maxChunk`), as an OS delivers serial/USB data;
 *   `framing: 'datagram'` keeps each push whole instead (one HID report = one chunk);
 * - unplug/replug: open transports close with TransportError('disconnected'); opening fails until replug.
 */
import { BaseTransport } from './base';
import { TransportError, type TransportFactory } from './transport';

export interface EmulatedDeviceOptions {
  /** Used in transport ids: `emulated:<name>`. Default `device`. */
  name?: string;
  /** Serial speed to simulate (8N1: 10 bits per byte). Omit or null for instant delivery. */
  baudRate?: number | null;
  /** `stream` (default): pushes may be split into chunks. `datagram`: one push = one chunk (HID reports). */
  framing?: 'stream' | 'datagram';
  /** Stream only: split each push into random chunks of 1..maxChunk bytes. Default: no split when instant, 64 with a baud rate. */
  maxChunk?: number;
  /** Random source in [0,1) for chunk sizes (inject a seeded one for reproducible runs). */
  random?: () => number;
  /** Time source in ms (tests may inject); default performance.now. */
  now?: () => number;
}

interface Pending {
  dueAt: number;
  bytes: Uint8Array;
  last: boolean;
  resolve: () => void;
  reject: (err: TransportError) => void;
}

/** A one-direction wire: chunks arrive in order, each when its last byte would have crossed the line. */
class Wire {
  private queue: Pending[] = [];
  private busyUntil = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;

  constructor(
    private readonly bytesPerMs: number | null,
    private readonly now: () => number,
    private readonly deliver: (bytes: Uint8Array) => void,
  ) {}

  send(chunks: Uint8Array[]): Promise<void> {
    if (chunks.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let t = Math.max(this.now(), this.busyUntil);
      chunks.forEach((bytes, i) => {
        if (this.bytesPerMs !== null) t += bytes.length / this.bytesPerMs;
        const last = i === chunks.length - 1;
        this.queue.push({ dueAt: t, bytes, last, resolve: last ? resolve : noop, reject: last ? reject : noop });
      });
      this.busyUntil = t;
      this.pump();
    });
  }

  cancel(error: TransportError): void {
    const dropped = this.queue;
    this.queue = [];
    this.busyUntil = 0;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    for (const p of dropped) if (p.last) p.reject(error);
  }

  private pump(): void {
    if (this.timer || this.immediate) return;
    const head = this.queue[0];
    if (!head) return;
    const wait = head.dueAt - this.now();
    if (wait <= 0) this.immediate = setImmediate(() => this.fire());
    else this.timer = setTimeout(() => this.fire(), Math.ceil(wait));
  }

  private fire(): void {
    this.timer = null;
    this.immediate = null;
    const now = this.now();
    while (this.queue.length > 0 && (this.queue[0] as Pending).dueAt <= now + 0.5) {
      const p = this.queue.shift() as Pending;
      this.deliver(p.bytes);
      if (p.last) p.resolve();
    }
    this.pump();
  }
}

function noop(): void {}

export class EmulatedDevice {
  readonly name: string;
  /** Bytes per millisecond on the simulated line, or null when instant. */
  readonly bytesPerMs: number | null;
  /** Makes a fresh driver-side Transport for this device (hand it to a FrameLink). */
  readonly factory: TransportFactory;
  private isPlugged = true;
  private readonly framing: 'stream' | 'datagram';
  private readonly maxChunk: number | null;
  private readonly random: () => number;
  private readonly hosts = new Set<EmulatedTransport>();
  private readonly writeListeners = new Set<(bytes: Uint8Array) => void>();
  private toHost: Wire;
  private toDevice: Wire;
  private readonly now: () => number;

  constructor(options: EmulatedDeviceOptions = {}) {
    this.name = options.name ?? 'device';
    const baud = options.baudRate ?? null;
    if (baud !== null && !(baud > 0)) throw new RangeError(`baudRate must be positive, got ${baud}`);
    this.bytesPerMs = baud === null ? null : baud / 10 / 1000;
    this.framing = options.framing ?? 'stream';
    this.maxChunk = options.maxChunk ?? (baud === null ? null : 64);
    if (this.maxChunk !== null && !(this.maxChunk >= 1)) throw new RangeError('maxChunk must be ≥ 1');
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => performance.now());
    this.toHost = this.makeToHost();
    this.toDevice = this.makeToDevice();
    this.factory = () => new EmulatedTransport(this);
  }

  get plugged(): boolean {
    return this.isPlugged;
  }

  /** Number of driver-side transports currently open on this device. */
  get openTransports(): number {
    return this.hosts.size;
  }

  /** Bytes the driver wrote, one call per write, after their transmission time. */
  onHostWrite(listener: (bytes: Uint8Array) => void): () => void {
    this.writeListeners.add(listener);
    return () => {
      this.writeListeners.delete(listener);
    };
  }

  /**
   * Send bytes to the driver. Resolves once the last byte has been delivered (after the simulated line
   * time); rejects with TransportError('disconnected') when unplugged before that. Bytes pushed while no
   * transport is open are lost, as on a real line.
   */
  push(bytes: Uint8Array): Promise<void> {
    if (!this.isPlugged) return Promise.reject(new TransportError('disconnected', 'emulated device is unplugged', this.transportId));
    return this.toHost.send(this.split(Uint8Array.from(bytes)));
  }

  /** Pull the cable: open transports close with 'disconnected', bytes in flight are lost, open() fails. */
  unplug(): void {
    if (!this.isPlugged) return;
    this.isPlugged = false;
    const err = new TransportError('disconnected', 'emulated device unplugged', this.transportId);
    this.toHost.cancel(err);
    this.toDevice.cancel(err);
    this.toHost = this.makeToHost();
    this.toDevice = this.makeToDevice();
    for (const host of [...this.hosts]) host.unplugged();
    this.hosts.clear();
  }

  replug(): void {
    this.isPlugged = true;
  }

  get transportId(): string {
    return `emulated:${this.name}`;
  }

  /** @internal called by EmulatedTransport */
  attach(host: EmulatedTransport): void {
    if (!this.isPlugged) throw new TransportError('open_failed', 'emulated device is not plugged in', this.transportId);
    this.hosts.add(host);
  }

  /** @internal */
  detach(host: EmulatedTransport): void {
    this.hosts.delete(host);
  }

  /** @internal */
  fromHost(bytes: Uint8Array): Promise<void> {
    if (!this.isPlugged) return Promise.reject(new TransportError('disconnected', 'emulated device unplugged', this.transportId));
    void this.toDevice.send([Uint8Array.from(bytes)]).catch(noop);
    return Promise.resolve(); // like an OS write: handed over, not yet on the far side
  }

  private makeToHost(): Wire {
    return new Wire(this.bytesPerMs, this.now, (chunk) => {
      for (const host of [...this.hosts]) host.receive(chunk);
    });
  }

  private makeToDevice(): Wire {
    return new Wire(this.bytesPerMs, this.now, (chunk) => {
      for (const l of [...this.writeListeners]) l(chunk);
    });
  }

  private split(bytes: Uint8Array): Uint8Array[] {
    if (this.framing === 'datagram' || this.maxChunk === null || bytes.length <= 1) return [bytes];
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < bytes.length) {
      const n = 1 + Math.floor(this.random() * this.maxChunk);
      out.push(bytes.subarray(i, Math.min(bytes.length, i + n)));
      i += n;
    }
    return out;
  }
}

/** The driver-side end of the cable. */
export class EmulatedTransport extends BaseTransport {
  readonly kind = 'emulated' as const;
  readonly id: string;

  constructor(private readonly device: EmulatedDevice) {
    super();
    this.id = device.transportId;
  }

  protected async doOpen(): Promise<void> {
    this.device.attach(this);
  }

  protected doWrite(bytes: Uint8Array): Promise<void> {
    return this.device.fromHost(bytes);
  }

  protected async doClose(): Promise<void> {
    this.device.detach(this);
  }

  /** @internal */
  receive(chunk: Uint8Array): void {
    this.emitData(Uint8Array.from(chunk));
  }

  /** @internal */
  unplugged(): void {
    this.lost('emulated device unplugged');
  }
}

/** Convenience: a device (the emulator's end) and the factory the driver side opens transports with. */
export function createEmulatedPair(options: EmulatedDeviceOptions = {}): { device: EmulatedDevice; factory: TransportFactory } {
  const device = new EmulatedDevice(options);
  return { device, factory: device.factory };
}
