/**
 * The one interface every hall device driver talks through (hardware note: "open / write(bytes) /
 * onData / close, plus HID sendFeatureReport where needed"). Real devices sit behind node-hid,
 * serialport, TCP 9100 or /dev/usb/lp*; tests and training mode put an emulator behind the same
 * interface, so a driver cannot tell the difference.
 *
 * Timeouts, partial reads, reassembly and close/reopen are handled once, here and in `link.ts`,
 * never inside a driver.
 */

export const TRANSPORT_KINDS = ['hid', 'serial', 'tcp', 'usb-printer', 'emulated'] as const;
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

export type TransportErrorCode =
  | 'not_open' // write/read before open() or after close()
  | 'open_failed' // device missing, busy, permission denied
  | 'timeout' // no (complete) answer in time
  | 'disconnected' // the device went away while open (unplugged, cable, printer off)
  | 'io' // write failed for another reason
  | 'closed'; // closed by us while a read was pending

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    readonly transportId?: string,
    /** Optional: the underlying OS/library error (errno code, node-hid message) for the technician's log. */
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** True for a TransportError, optionally of one code (works across module copies by checking the shape). */
export function isTransportError(value: unknown, code?: TransportErrorCode): value is TransportError {
  if (!(value instanceof Error) || value.name !== 'TransportError') return false;
  return code === undefined || (value as TransportError).code === code;
}

export interface Transport {
  readonly kind: TransportKind;
  /** Stable identity for the registry and logs, e.g. `hid:0c2e:0b61:SN123`, `tcp:10.1.2.3:9100`. Never personal data. */
  readonly id: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  /** Resolves when the bytes were handed to the OS/device; rejects with TransportError. */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Raw chunks as they arrive. For HID each chunk is one input report (report id first when the device
   * numbers its reports); for streams a chunk is whatever the OS delivered (frames may be split or merged).
   */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** The transport closed: `null` when we closed it, an error when the device went away. */
  onClose(listener: (error: TransportError | null) => void): () => void;
  close(): Promise<void>;
  /** HID only: feature reports (e.g. Honeywell's "enable HID POS"). */
  sendFeatureReport?(data: Uint8Array): Promise<number>;
  getFeatureReport?(reportId: number, length: number): Promise<Uint8Array>;
}

/** Something that can make a fresh Transport for the same device (used to reopen after unplug). */
export type TransportFactory = () => Transport;
