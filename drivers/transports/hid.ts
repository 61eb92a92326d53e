/**
 * HID transport over node-hid's HIDAsync (`HIDAsync.open`, 'data'/'error' events, feature reports) and
 * discovery over `devicesAsync`. node-hid is loaded lazily, so importing this module never touches the
 * native binding; tests inject a fake backend.
 *
 * Writes: node-hid wants the report id as the first byte (0x00 for devices that do not number their
 * reports). With `reportId` set (default 0) the transport prepends it, so drivers write report payloads;
 * with `reportId: null` bytes go out unchanged. Reads: each chunk is one input report as node-hid gives it.
 */
import { BaseTransport, toBytes } from './base';
import { TransportError } from './transport';

/** What node-hid reports about a device (a subset of node-hid's `Device`). */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  release?: number | undefined;
  interface?: number | undefined;
  usagePage?: number | undefined;
  usage?: number | undefined;
}

/** The part of node-hid's HIDAsync we use. */
export interface HidHandle {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error' | 'close', listener: (err?: unknown) => void): unknown;
  removeAllListeners(event?: string): unknown;
  write(values: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
  sendFeatureReport(data: number[] | Buffer): Promise<number>;
  getFeatureReport(reportId: number, reportLength: number): Promise<Buffer>;
}

export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

/** The real backend: node-hid, loaded on first use. */
export const nodeHidBackend: HidBackend = {
  async devices() {
    const hid = await loadNodeHid();
    return hid.devicesAsync();
  },
  async open(path) {
    const hid = await loadNodeHid();
    return (await hid.HIDAsync.open(path)) as unknown as HidHandle;
  },
};

type NodeHidModule = typeof import('node-hid');

async function loadNodeHid(): Promise<NodeHidModule> {
  const mod = (await import('node-hid')) as NodeHidModule & { default?: NodeHidModule };
  return typeof mod.devicesAsync === 'function' ? mod : (mod.default as NodeHidModule);
}

export interface HidFilter {
  vendorId?: number;
  productId?: number;
  usagePage?: number;
}

/** Discovery: HID devices (optionally filtered), each with the transport id it would get. */
export async function listHidDevices(filter: HidFilter = {}, backend: HidBackend = nodeHidBackend): Promise<(HidDeviceInfo & { transportId: string })[]> {
  const all = await backend.devices();
  return all
    .filter((d) => (filter.vendorId === undefined || d.vendorId === filter.vendorId) && (filter.productId === undefined || d.productId === filter.productId) && (filter.usagePage === undefined || d.usagePage === filter.usagePage))
    .filter((d) => typeof d.path === 'string' && d.path.length > 0)
    .map((d) => ({ ...d, transportId: hidTransportId(d) }));
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** `hid:0c2e:0b61:SN123` (serial number when known, else the OS path). */
export function hidTransportId(d: Pick<HidDeviceInfo, 'vendorId' | 'productId' | 'serialNumber' | 'path'>): string {
  const tail = d.serialNumber && d.serialNumber.length > 0 ? d.serialNumber : (d.path ?? 'unknown');
  return `hid:${hex4(d.vendorId)}:${hex4(d.productId)}:${tail}`;
}

export interface HidTransportOptions {
  /** OS path from discovery (node-hid `Device.path`). */
  path: string;
  vendorId: number;
  productId: number;
  serialNumber?: string;
  /** Report id prepended to writes (default 0x00); null to write bytes unchanged. */
  reportId?: number | null;
  backend?: HidBackend;
}

export class HidTransport extends BaseTransport {
  readonly kind = 'hid' as const;
  readonly id: string;
  private handle: HidHandle | null = null;
  private readonly backend: HidBackend;
  private readonly reportId: number | null;

  constructor(private readonly options: HidTransportOptions) {
    super();
    this.id = hidTransportId(options);
    this.backend = options.backend ?? nodeHidBackend;
    this.reportId = options.reportId === undefined ? 0 : options.reportId;
    if (this.reportId !== null && !(Number.isInteger(this.reportId) && this.reportId >= 0 && this.reportId <= 255)) {
      throw new RangeError(`reportId must be a byte, got ${this.reportId}`);
    }
  }

  protected async doOpen(): Promise<void> {
    let handle: HidHandle;
    try {
      handle = await this.backend.open(this.options.path);
    } catch (err) {
      throw new TransportError('open_failed', `cannot open HID device ${this.id}: ${err instanceof Error ? err.message : String(err)}`, this.id, { cause: err });
    }
    this.handle = handle;
    handle.on('data', (data: Buffer) => this.emitData(toBytes(data)));
    handle.on('error', (err?: unknown) => this.lost(`HID read failed: ${err instanceof Error ? err.message : String(err)}`, err));
    handle.on('close', () => this.lost('HID device closed'));
  }

  protected async doWrite(bytes: Uint8Array): Promise<void> {
    const handle = this.requireHandle();
    const out = this.reportId === null ? Buffer.from(bytes) : Buffer.concat([Buffer.of(this.reportId), Buffer.from(bytes)]);
    try {
      const written = await handle.write(out);
      if (written < 0) throw new Error(`write returned ${written}`);
    } catch (err) {
      // hidapi cannot tell "unplugged" from other write failures; a vanished device also fails reads, which closes us.
      throw new TransportError('io', `HID write failed: ${err instanceof Error ? err.message : String(err)}`, this.id, { cause: err });
    }
  }

  protected async doClose(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (!handle) return;
    handle.removeAllListeners('data');
    handle.removeAllListeners('error');
    handle.removeAllListeners('close');
    handle.on('error', () => undefined); // node-hid may still emit once while closing
    await handle.close().catch(() => undefined);
  }

  async sendFeatureReport(data: Uint8Array): Promise<number> {
    const handle = this.requireHandle();
    try {
      return await handle.sendFeatureReport(Buffer.from(data));
    } catch (err) {
      throw new TransportError('io', `HID feature report failed: ${err instanceof Error ? err.message : String(err)}`, this.id, { cause: err });
    }
  }

  async getFeatureReport(reportId: number, length: number): Promise<Uint8Array> {
    const handle = this.requireHandle();
    try {
      return toBytes(await handle.getFeatureReport(reportId, length));
    } catch (err) {
      throw new TransportError('io', `HID get feature report failed: ${err instanceof Error ? err.message : String(err)}`, this.id, { cause: err });
    }
  }

  private requireHandle(): HidHandle {
    if (!this.isOpen || !this.handle) throw new TransportError('not_open', `${this.id} is not open`, this.id);
    return this.handle;
  }
}
