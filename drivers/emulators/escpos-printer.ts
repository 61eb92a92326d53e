/**
 * An emulated 80 mm ESC/POS receipt printer behind the Transport interface (tests, training mode,
 * the technician's self-test). It decodes what it receives into printed pages, answers DLE EOT in real
 * time and GS r 1 in order, and has settable faults:
 *
 * - paper out / cover open / offline / cutter / unrecoverable / overheat: printing stops, received data
 *   waits in the buffer and prints when the fault clears (as an Epson does); DLE EOT still answers.
 *   Running out of paper in the middle of a page tears that page off as incomplete.
 * - unplug: open transports close with a `disconnected` TransportError, buffered data is lost, opening
 *   fails until `plug()`.
 */
import { EscposDecoder, TextLayout, type EscposCommand } from '../printer/escpos-decode';
import { encodePaperSensorStatus, encodeRealtimeStatus, type PrinterErrorKind, type PrinterStatus } from '../printer/status';
import { TransportError, type Transport, type TransportFactory } from '../transports/transport';

export interface PrintedPage {
  /** Printed text, lines joined with "\n". */
  text: string;
  /** Payloads of the QR codes printed with the native GS ( k command. */
  qr: string[];
  /** Raster/bit images printed (receiptline's raster QR codes count here). */
  images: number;
  /** How the page ended: a cut, or null when the paper ran out (or the printer was unplugged) mid-page. */
  cut: 'full' | 'partial' | null;
}

export const EMULATED_FAULTS = ['paperOut', 'paperNearEnd', 'coverOpen', 'offline', 'cutterError', 'unrecoverableError', 'overheat'] as const;
export type EmulatedFault = (typeof EMULATED_FAULTS)[number];

const BLOCKING: readonly EmulatedFault[] = ['paperOut', 'coverOpen', 'offline', 'cutterError', 'unrecoverableError', 'overheat'];

export interface EscposPrinterEmulatorOptions {
  /** Shown in transport ids: `emulated:escpos:<name>`. */
  name?: string;
  /** Chinese (GB18030) mode at power-on; default true. */
  kanji?: boolean;
}

export class EscposPrinterEmulator {
  /** Pages that left the printer, oldest first. */
  readonly pages: PrintedPage[] = [];
  readonly name: string;
  private readonly faults = new Set<EmulatedFault>();
  private plugged = true;
  private decoder: EscposDecoder;
  private layout = new TextLayout();
  private page = { qr: [] as string[], images: 0, dirty: false };
  private storedQr: string | null = null;
  private backlog: EscposCommand[] = [];
  private readonly log: Uint8Array[] = [];
  private readonly attached = new Set<EmulatedEscposTransport>();
  private sender: EmulatedEscposTransport | null = null;
  /** Real-time command scanner: bytes of a DLE EOT seen so far (0, 1 or 2). */
  private realtime = 0;
  private linesLeft: number | null = null;
  private busy = false;
  private bytesUntilUnplug: number | null = null;
  private serial = 0;

  constructor(private readonly options: EscposPrinterEmulatorOptions = {}) {
    this.name = options.name ?? 'printer';
    this.decoder = new EscposDecoder({ kanji: options.kanji ?? true });
  }

  /** A fresh transport to this printer (use `() => emulator.transport()` as a TransportFactory). */
  transport(): Transport {
    this.serial += 1;
    return new EmulatedEscposTransport(this, `emulated:escpos:${this.name}#${this.serial}`);
  }

  get factory(): TransportFactory {
    return () => this.transport();
  }

  get isPlugged(): boolean {
    return this.plugged;
  }

  status(): PrinterStatus {
    const errors: PrinterErrorKind[] = [];
    if (this.faults.has('cutterError')) errors.push('cutter');
    if (this.faults.has('unrecoverableError')) errors.push('unrecoverable');
    if (this.faults.has('overheat')) errors.push('auto-recoverable');
    return {
      online: !BLOCKING.some((f) => this.faults.has(f)),
      coverOpen: this.faults.has('coverOpen'),
      paperOut: this.faults.has('paperOut'),
      paperNearEnd: this.faults.has('paperNearEnd'),
      feeding: false,
      errors,
    };
  }

  setFault(fault: EmulatedFault, on = true): void {
    if (on) this.faults.add(fault);
    else this.faults.delete(fault);
    if (fault === 'paperOut' && !on) this.linesLeft = null;
    this.pump();
  }

  hasFault(fault: EmulatedFault): boolean {
    return this.faults.has(fault);
  }

  /**
   * A slow mechanism: received data waits (the printer is still busy with it) while the status stays
   * healthy. `false` prints what waited.
   */
  setBusy(busy: boolean): void {
    this.busy = busy;
    this.pump();
  }

  /** The roll ends after `lines` more printed lines (the page in progress is torn off there). */
  runOutOfPaperAfterLines(lines: number): void {
    this.linesLeft = lines;
  }

  /** The cable is pulled after `bytes` more received bytes (the write that crosses it fails). */
  unplugAfterBytes(bytes: number): void {
    this.bytesUntilUnplug = bytes;
  }

  unplug(): void {
    if (!this.plugged) return;
    this.plugged = false;
    this.bytesUntilUnplug = null;
    this.backlog = [];
    this.decoder = new EscposDecoder({ kanji: this.options.kanji ?? true });
    this.realtime = 0;
    this.tear();
    for (const t of [...this.attached]) t.lose(new TransportError('disconnected', 'printer unplugged', t.id));
    this.attached.clear();
  }

  plug(): void {
    this.plugged = true;
  }

  /** Everything received so far (for "the printer received these GB18030 bytes" assertions). */
  receivedBytes(): Uint8Array {
    return Uint8Array.from(Buffer.concat(this.log));
  }

  /** The page being printed (not cut yet). */
  currentPage(): PrintedPage {
    return { text: this.layout.text(), qr: [...this.page.qr], images: this.page.images, cut: null };
  }

  /** Pages ended by a cut. */
  completePages(): PrintedPage[] {
    return this.pages.filter((p) => p.cut !== null);
  }

  /** @internal Called by the transport. */
  attach(t: EmulatedEscposTransport): void {
    if (!this.plugged) throw new TransportError('open_failed', 'no printer on this port', t.id);
    this.attached.add(t);
  }

  /** @internal */
  detach(t: EmulatedEscposTransport): void {
    this.attached.delete(t);
    if (this.sender === t) this.sender = null;
  }

  /** @internal Bytes from the host. */
  receive(bytes: Uint8Array, from: EmulatedEscposTransport): void {
    let chunk = bytes;
    let unplugAfter = false;
    if (this.bytesUntilUnplug !== null && chunk.length >= this.bytesUntilUnplug) {
      chunk = chunk.subarray(0, this.bytesUntilUnplug);
      unplugAfter = true;
    } else if (this.bytesUntilUnplug !== null) {
      this.bytesUntilUnplug -= chunk.length;
    }
    this.sender = from;
    this.log.push(Uint8Array.from(chunk));
    this.answerRealtime(chunk, from);
    this.backlog.push(...this.decoder.push(chunk));
    this.pump();
    if (unplugAfter) {
      this.unplug();
      throw new TransportError('disconnected', 'printer unplugged during write', from.id);
    }
  }

  /** DLE EOT n is answered on arrival, whatever the printer is doing (that is what "real-time" means). */
  private answerRealtime(chunk: Uint8Array, to: EmulatedEscposTransport): void {
    const replies: number[] = [];
    for (const byte of chunk) {
      if (this.realtime === 2) {
        if (byte >= 1 && byte <= 4) replies.push(encodeRealtimeStatus(this.status())[byte - 1]!);
        this.realtime = 0;
      } else if (this.realtime === 1) {
        this.realtime = byte === 0x04 ? 2 : byte === 0x10 ? 1 : 0;
      } else if (byte === 0x10) {
        this.realtime = 1;
      }
    }
    if (replies.length > 0) to.deliver(Uint8Array.from(replies));
  }

  private blocked(): boolean {
    return BLOCKING.some((f) => this.faults.has(f));
  }

  /** Prints buffered commands while nothing stops the printer. */
  private pump(): void {
    while (this.backlog.length > 0 && !this.blocked() && !this.busy && this.plugged) {
      this.apply(this.backlog.shift()!);
    }
  }

  private apply(c: EscposCommand): void {
    this.layout.apply(c);
    switch (c.op) {
      case 'text':
        this.page.dirty = true;
        break;
      case 'lf':
      case 'feed':
        this.page.dirty = true;
        this.consumePaper();
        break;
      case 'qr':
        if (c.action === 'store') this.storedQr = c.data;
        if (c.action === 'print' && this.storedQr !== null) {
          this.page.qr.push(this.storedQr);
          this.page.dirty = true;
        }
        break;
      case 'raster':
      case 'bitImage':
        this.page.images += 1;
        this.page.dirty = true;
        break;
      case 'graphics':
        if (c.command === 'GS ( L' && c.fn === 50) {
          this.page.images += 1;
          this.page.dirty = true;
        }
        break;
      case 'cut':
        this.finishPage(c.mode);
        break;
      case 'transmitStatus':
        this.sender?.deliver(Uint8Array.of(c.n === 1 || c.n === 49 ? encodePaperSensorStatus(this.status()) : 0));
        break;
      default:
        break;
    }
  }

  private consumePaper(): void {
    if (this.linesLeft === null) return;
    this.linesLeft -= 1;
    if (this.linesLeft > 0) return;
    this.linesLeft = null;
    this.faults.add('paperOut');
    this.tear();
  }

  private finishPage(cut: 'full' | 'partial' | null): void {
    this.pages.push({ text: this.layout.take(), qr: this.page.qr, images: this.page.images, cut });
    this.page = { qr: [], images: 0, dirty: false };
  }

  /** The page in progress leaves the printer without a cut (paper ran out, power lost). */
  private tear(): void {
    if (this.page.dirty || this.layout.lines().length > 0) this.finishPage(null);
  }
}

/** The host side of a connection to an EscposPrinterEmulator. */
export class EmulatedEscposTransport implements Transport {
  readonly kind = 'emulated' as const;
  private opened = false;
  private readonly dataListeners = new Set<(chunk: Uint8Array) => void>();
  private readonly closeListeners = new Set<(error: TransportError | null) => void>();

  constructor(
    private readonly printer: EscposPrinterEmulator,
    readonly id: string,
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  async open(): Promise<void> {
    if (this.opened) return;
    this.printer.attach(this);
    this.opened = true;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.opened) throw new TransportError('not_open', 'transport is not open', this.id);
    this.printer.receive(bytes, this);
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (error: TransportError | null) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    this.printer.detach(this);
    for (const l of [...this.closeListeners]) l(null);
  }

  /** @internal Printer → host, delivered asynchronously like an OS read. */
  deliver(bytes: Uint8Array): void {
    if (!this.opened) return;
    queueMicrotask(() => {
      if (!this.opened) return;
      for (const l of [...this.dataListeners]) l(bytes);
    });
  }

  /** @internal The device went away. */
  lose(error: TransportError): void {
    if (!this.opened) return;
    this.opened = false;
    for (const l of [...this.closeListeners]) l(error);
  }
}
