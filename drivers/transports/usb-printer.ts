/**
 * USB printer class devices on Linux: `/dev/usb/lpN` (usblp). Bytes are written to the device file;
 * when the file descriptor allows reading (bidirectional printers), replies such as ESC/POS real-time
 * status (DLE EOT) are polled with non-blocking reads and delivered as data chunks.
 *
 * A missing device file → TransportError('open_failed'); ENODEV/EIO/ENXIO while open (printer switched
 * off, cable pulled) → onClose(TransportError('disconnected')).
 */
import { constants, promises as fsp } from 'node:fs';
import { BaseTransport, describe } from './base';
import { TransportError } from './transport';

/** The part of fs.promises.FileHandle we use. */
export interface PrinterFile {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: null): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

export type PrinterFileOpener = (path: string, flags: number) => Promise<PrinterFile>;

const defaultOpener: PrinterFileOpener = (path, flags) => fsp.open(path, flags);

export interface UsbPrinterTransportOptions {
  /** e.g. `/dev/usb/lp0`. */
  path: string;
  /** Poll for status bytes this often while open (default 100 ms; 0 = never read). */
  statusPollMs?: number;
  /** A write the printer does not accept in this time fails with 'timeout' (default 10 000 ms). */
  writeTimeoutMs?: number;
  open?: PrinterFileOpener;
}

const GONE = new Set(['ENODEV', 'EIO', 'ENXIO', 'ESHUTDOWN']);
const NOT_READABLE = new Set(['EBADF', 'EINVAL', 'EISDIR', 'EOPNOTSUPP', 'EPERM']);
const BUSY = new Set(['EAGAIN', 'EWOULDBLOCK']);

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? '';
}

/** Discovery: `/dev/usb/lp*` device files (none on machines without USB printers). */
export async function listUsbPrinters(dir = '/dev/usb'): Promise<{ path: string; transportId: string }[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^lp\d+$/.test(n))
    .sort()
    .map((n) => ({ path: `${dir}/${n}`, transportId: `usb-printer:${dir}/${n}` }));
}

export class UsbPrinterTransport extends BaseTransport {
  readonly kind = 'usb-printer' as const;
  readonly id: string;
  private file: PrinterFile | null = null;
  private readable = false;
  private poll: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: UsbPrinterTransportOptions) {
    super();
    this.id = `usb-printer:${options.path}`;
  }

  /** Whether status bytes can be read from this device file (known after open). */
  get canRead(): boolean {
    return this.readable;
  }

  protected async doOpen(): Promise<void> {
    const open = this.options.open ?? defaultOpener;
    const { path } = this.options;
    try {
      this.file = await open(path, constants.O_RDWR | constants.O_NONBLOCK);
      this.readable = (this.options.statusPollMs ?? 100) > 0;
    } catch (err) {
      if (errno(err) === 'ENOENT') throw new TransportError('open_failed', `no printer at ${path} (device file missing)`, this.id, { cause: err });
      try {
        // Some nodes are write-only for our user: print without status.
        this.file = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
        this.readable = false;
      } catch (err2) {
        throw new TransportError('open_failed', `cannot open ${path}: ${describe(err2)}`, this.id, { cause: err2 });
      }
    }
    this.schedulePoll();
  }

  protected async doWrite(bytes: Uint8Array): Promise<void> {
    const deadline = Date.now() + (this.options.writeTimeoutMs ?? 10_000);
    let offset = 0;
    while (offset < bytes.length) {
      const file = this.file;
      if (!file) throw new TransportError('not_open', `${this.id} is not open`, this.id);
      try {
        const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
        if (bytesWritten > 0) continue;
      } catch (err) {
        const code = errno(err);
        if (GONE.has(code)) {
          this.lost(`printer went away: ${code}`, err);
          throw new TransportError('disconnected', `printer went away: ${code}`, this.id, { cause: err });
        }
        if (!BUSY.has(code)) throw new TransportError('io', `write failed: ${describe(err)}`, this.id, { cause: err });
      }
      if (Date.now() > deadline) throw new TransportError('timeout', 'printer did not accept data in time', this.id);
      await new Promise((r) => setTimeout(r, 10)); // printer buffer full: wait and retry
    }
  }

  protected async doClose(): Promise<void> {
    if (this.poll) clearTimeout(this.poll);
    this.poll = null;
    const file = this.file;
    this.file = null;
    if (file) await file.close().catch(() => undefined);
  }

  private schedulePoll(): void {
    if (!this.readable || !this.file) return;
    this.poll = setTimeout(() => void this.readOnce(), this.options.statusPollMs ?? 100);
    this.poll.unref?.();
  }

  private async readOnce(): Promise<void> {
    this.poll = null;
    const file = this.file;
    if (!file) return;
    const buf = new Uint8Array(64);
    try {
      const { bytesRead } = await file.read(buf, 0, buf.length, null);
      if (bytesRead > 0) this.emitData(buf.slice(0, bytesRead));
    } catch (err) {
      const code = errno(err);
      if (GONE.has(code)) return this.lost(`printer went away: ${code}`, err);
      if (NOT_READABLE.has(code)) this.readable = false;
    }
    if (this.file === file) this.schedulePoll();
  }
}
