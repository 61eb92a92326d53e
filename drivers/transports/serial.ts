/**
 * Serial transport over the `serialport` package (8N1, configurable baud rate, 115200 by default: the
 * ID-card readers' speed). serialport is loaded lazily; tests pass `SerialPortMock` (or any object with
 * the same small surface) through `portFactory`.
 *
 * A port closing by itself (serialport's 'close' with `disconnected: true`, or any close we did not ask
 * for) becomes onClose(TransportError('disconnected')).
 */
import { BaseTransport, describe, toBytes } from './base';
import { TransportError } from './transport';

/** The part of serialport's SerialPort (a Duplex stream) we use. */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(callback: (err: Error | null) => void): void;
  write(data: Buffer, callback: (err: Error | null | undefined) => void): boolean;
  drain(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'close', listener: (err?: Error | null) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

export interface SerialPortSettings {
  path: string;
  baudRate: number;
}

export type SerialPortFactory = (settings: SerialPortSettings) => SerialPortLike | Promise<SerialPortLike>;

/** The real ports: `new SerialPort({ path, baudRate, autoOpen: false })`, 8 data bits, no parity, 1 stop bit. */
export const defaultSerialPortFactory: SerialPortFactory = async ({ path, baudRate }) => {
  const { SerialPort } = await import('serialport');
  return new SerialPort({ path, baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false }) as unknown as SerialPortLike;
};

export interface SerialPortInfo {
  path: string;
  transportId: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

/** Discovery: the serial ports the OS knows. `lister` is injectable for tests. */
export async function listSerialPorts(lister?: () => Promise<Omit<SerialPortInfo, 'transportId'>[]>): Promise<SerialPortInfo[]> {
  const list =
    lister ??
    (async () => {
      const { SerialPort } = await import('serialport');
      return SerialPort.list();
    });
  const ports = await list();
  return ports.map((p) => ({
    path: p.path,
    transportId: `serial:${p.path}`,
    manufacturer: p.manufacturer,
    serialNumber: p.serialNumber,
    vendorId: p.vendorId,
    productId: p.productId,
  }));
}

export interface SerialTransportOptions {
  path: string;
  /** Default 115200. */
  baudRate?: number;
  portFactory?: SerialPortFactory;
}

export class SerialTransport extends BaseTransport {
  readonly kind = 'serial' as const;
  readonly id: string;
  readonly baudRate: number;
  private port: SerialPortLike | null = null;
  private readonly portFactory: SerialPortFactory;

  constructor(private readonly options: SerialTransportOptions) {
    super();
    this.id = `serial:${options.path}`;
    this.baudRate = options.baudRate ?? 115_200;
    if (!(Number.isInteger(this.baudRate) && this.baudRate > 0)) throw new RangeError(`baudRate must be a positive integer, got ${this.baudRate}`);
    this.portFactory = options.portFactory ?? defaultSerialPortFactory;
  }

  protected async doOpen(): Promise<void> {
    let port: SerialPortLike;
    try {
      port = await this.portFactory({ path: this.options.path, baudRate: this.baudRate });
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw new TransportError('open_failed', `cannot open ${this.options.path}: ${describe(err)}`, this.id, { cause: err });
    }
    this.port = port;
    port.on('data', (data: Buffer) => this.emitData(toBytes(data)));
    port.on('close', (err?: Error | null) => this.lost(err ? `serial port lost: ${err.message}` : 'serial port closed', err ?? undefined));
    port.on('error', (err: Error) => {
      if (!port.isOpen) this.lost(`serial port error: ${err.message}`, err);
    });
  }

  protected doWrite(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port) return Promise.reject(new TransportError('not_open', `${this.id} is not open`, this.id));
    return new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(bytes), (err) => {
        if (err) return reject(this.writeError(err));
        port.drain((drainErr) => (drainErr ? reject(this.writeError(drainErr)) : resolve()));
      });
    });
  }

  protected async doClose(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (!port) return;
    port.removeAllListeners('data');
    port.removeAllListeners('close');
    port.removeAllListeners('error');
    port.on('error', () => undefined);
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private writeError(err: Error): TransportError {
    const disconnected = (err as { disconnected?: boolean }).disconnected === true || !this.port?.isOpen;
    return new TransportError(disconnected ? 'disconnected' : 'io', `serial write failed: ${describe(err)}`, this.id, { cause: err });
  }
}
