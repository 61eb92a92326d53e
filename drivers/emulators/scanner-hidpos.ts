/**
 * An emulated HID POS barcode scanner: the exact input reports a real one sends for a code (split
 * across reports with the continuation flag), behind the same Transport a real scanner sits behind.
 * A profile that needs the "enable HID POS" feature report only sends reports once it has received
 * exactly those bytes, as a Honeywell left in keyboard mode would send nothing on this interface.
 *
 * Used by the driver's tests, training mode and the technician's self-test.
 */
import { encodeScanText, type ScanEncoding } from '../scanner/decode-text';
import type { HidPosProfile } from '../scanner/hidpos';
import { EmulatedDevice } from '../transports/emulated';
import { TransportError, type Transport, type TransportFactory } from '../transports/transport';

/** Honeywell Code IDs (byte 61) for the AIM code characters we emulate. */
const HONEYWELL_CODE_ID: Readonly<Record<string, string>> = {
  ']Q': 's',
  ']d': 'w',
  ']L': 'r',
  ']z': 'z',
  ']C': 'j',
  ']A': 'b',
  ']G': 'i',
  ']F': 'a',
  ']I': 'e',
  ']E4': 'D',
  ']E': 'd',
};

function vendorCodeId(aim: string | null): number {
  if (!aim) return 0;
  const id = HONEYWELL_CODE_ID[aim] ?? HONEYWELL_CODE_ID[aim.slice(0, 2)];
  return id ? id.charCodeAt(0) : 0;
}

export interface EncodeOptions {
  /** AIM id to send; default `]Q1` (QR). `null` leaves the three bytes zero. */
  aim?: string | null;
  /** Text encoding of the code's bytes; default UTF-8. */
  encoding?: ScanEncoding;
  /** Suffix appended by the scanner (e.g. `\r`); default none. */
  suffix?: string;
}

/** The input reports for one code, exactly as the profile lays them out. Pure. */
export function encodeHidPosReports(profile: HidPosProfile, code: string | Uint8Array, options: EncodeOptions = {}): Uint8Array[] {
  const aim = options.aim === undefined ? ']Q1' : options.aim;
  if (aim !== null && aim.length !== 3) throw new RangeError(`AIM id must be 3 characters, got ${aim.length}`);
  const body = typeof code === 'string' ? encodeScanText(code + (options.suffix ?? ''), options.encoding) : code;
  const reports: Uint8Array[] = [];
  let offset = 0;
  do {
    const chunk = body.subarray(offset, offset + profile.dataMax);
    offset += chunk.length;
    const report = new Uint8Array(profile.reportLength);
    report[0] = profile.reportId;
    report[profile.lengthAt] = chunk.length;
    if (aim !== null) for (let i = 0; i < 3; i++) report[profile.aimAt + i] = aim.charCodeAt(i) & 0xff;
    report.set(chunk, profile.dataAt);
    if (profile.vendorCodeIdAt !== null) report[profile.vendorCodeIdAt] = vendorCodeId(aim);
    if (offset < body.length) report[profile.continuationAt] = profile.continuationMask;
    reports.push(report);
  } while (offset < body.length);
  return reports;
}

export interface HidPosEmulatorOptions {
  /** Name in the transport id (`emulated:<name>`); default `scanner-<vendor>`. */
  name?: string;
  /** Time source for the underlying EmulatedDevice. */
  now?: () => number;
}

export class HidPosScannerEmulator {
  readonly device: EmulatedDevice;
  /** Driver side: each call makes a fresh Transport with `sendFeatureReport`. */
  readonly factory: TransportFactory;
  /** Every feature report the host sent, in order (report id first). */
  readonly featureReports: Uint8Array[] = [];
  private hidPosOn: boolean;
  private featureFailure: TransportError | null = null;

  constructor(
    readonly profile: HidPosProfile,
    options: HidPosEmulatorOptions = {},
  ) {
    this.device = new EmulatedDevice({ name: options.name ?? `scanner-${profile.vendor}`, framing: 'datagram', now: options.now });
    this.hidPosOn = profile.enable === null;
    this.factory = () => new FeatureReportTransport(this.device.factory(), (data) => this.featureReport(data));
  }

  /** Whether the scanner currently sends HID POS reports. */
  get hidPosEnabled(): boolean {
    return this.hidPosOn;
  }

  /** The reports this scanner would send for a code. */
  reportsFor(code: string | Uint8Array, options?: EncodeOptions): Uint8Array[] {
    return encodeHidPosReports(this.profile, code, options);
  }

  /**
   * Scan a code: send its reports to the open transport. Resolves with the number of reports sent
   * (0 when HID POS output is off or nothing is connected). `reports` limits how many are sent, to play
   * a code cut off half-way.
   */
  async scan(code: string | Uint8Array, options: EncodeOptions & { reports?: number } = {}): Promise<number> {
    if (!this.hidPosOn || this.device.openTransports === 0) return 0;
    const all = this.reportsFor(code, options);
    const send = all.slice(0, options.reports ?? all.length);
    for (const report of send) await this.device.push(report);
    return send.length;
  }

  /** Send raw bytes as one input report (garbage, captured reports). */
  inject(report: Uint8Array): Promise<void> {
    return this.device.push(report);
  }

  /** Make the next feature reports fail as the OS would (e.g. a scanner without the HID POS collection). */
  failFeatureReports(error: TransportError | null = new TransportError('io', 'feature report rejected by the emulated scanner')): void {
    this.featureFailure = error;
  }

  unplug(): void {
    this.device.unplug();
    // A real scanner comes back in the mode stored in its flash; the enable report is not persistent.
    this.hidPosOn = this.profile.enable === null;
  }

  replug(): void {
    this.device.replug();
  }

  private featureReport(data: Uint8Array): number {
    this.featureReports.push(Uint8Array.from(data));
    if (this.featureFailure) throw this.featureFailure;
    const enable = this.profile.enable;
    if (enable && data.length === enable.length && enable.every((b, i) => data[i] === b)) this.hidPosOn = true;
    return data.length;
  }
}

/** A Transport from the EmulatedDevice, plus the HID feature report the device answers. */
class FeatureReportTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly onFeature: (data: Uint8Array) => number,
  ) {}

  get kind(): Transport['kind'] {
    return this.inner.kind;
  }

  get id(): string {
    return this.inner.id;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.inner.write(bytes);
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.inner.onData(listener);
  }

  onClose(listener: (error: TransportError | null) => void): () => void {
    return this.inner.onClose(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async sendFeatureReport(data: Uint8Array): Promise<number> {
    if (!this.inner.isOpen) throw new TransportError('not_open', `${this.id} is not open`, this.id);
    return this.onFeature(data);
  }
}
