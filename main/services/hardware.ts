/**
 * The hall hardware of this console, wired: the device registry (health, reconnect, hot-plug), the
 * ID-card reader (reads a card as soon as it is placed), the HID POS scanner, the receipt printer with
 * its persistent queue, and — in emulated mode (browser mode, training, tests) — the emulators behind
 * the same transports real devices use.
 *
 * Which device is real and how to reach it is a setting (`devices.config`) a technician changes.
 */
import { DevicesConfig, type CardView, type DeviceKind, type DeviceStatus, type PrintJobView, type ScanView } from '../../preload/contract';
import type { Clock } from '../domain/clock';
import { maskIdNumber, maskName } from '../domain/masking';
import { sampleCards, type EmulatedCard, type SampleCardName } from '../../drivers/emulators/cards';
import { EscposPrinterEmulator } from '../../drivers/emulators/escpos-printer';
import { createEmulatedIdCardRig } from '../../drivers/emulators/idcard-rig';
import type { EmulatedIdCardReader } from '../../drivers/emulators/idcard-reader';
import type { EmulatorPhotoLibrary } from '../../drivers/emulators/idcard-photo';
import { HidPosScannerEmulator } from '../../drivers/emulators/scanner-hidpos';
import { IdCardDevice } from '../../drivers/idcard/device';
import { displayName, documentNumber } from '../../drivers/idcard/card';
import { genderLabel } from '../../drivers/idcard/codes';
import type { IdCardReadOutcome, IdCardReadSuccess } from '../../drivers/idcard/reader';
import { ReceiptPrinter } from '../../drivers/printer/printer';
import { PrintQueue, type PrintJobSummary } from '../../drivers/printer/queue';
import { testPage, type ReceiptDocument } from '../../drivers/printer/receipt';
import { receiptToSvg } from '../../drivers/printer/render';
import { DeviceRegistry, type DeviceAdapter, type HealthReport } from '../../drivers/registry';
import { classifyScan, displayText } from '../../drivers/scanner/classify';
import { HidPosScanner } from '../../drivers/scanner/hidpos-scanner';
import { HIDPOS_PROFILES, profileForVendorId } from '../../drivers/scanner/hidpos';
import { loadUsbEvents, watchHotplug } from '../../drivers/hotplug';
import { HidTransport, listHidDevices } from '../../drivers/transports/hid';
import { listSerialPorts, SerialTransport } from '../../drivers/transports/serial';
import { TcpTransport } from '../../drivers/transports/tcp';
import type { EmulatedDevice } from '../../drivers/transports/emulated';
import type { TransportFactory } from '../../drivers/transports/transport';
import { listUsbPrinters, UsbPrinterTransport } from '../../drivers/transports/usb-printer';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import type { Store } from '../store';
import { HallServiceError } from './errors';

// ---------- configuration (a setting; technicians switch devices to real hardware) ----------

export { DevicesConfig };
export const DEVICES_CONFIG_SETTING = 'devices.config';

export const ALL_EMULATED: DevicesConfig = { idcard: { mode: 'emulated' }, scanner: { mode: 'emulated' }, printer: { mode: 'emulated' } };

export interface Emulators {
  idcard: EmulatedIdCardReader;
  /** The reader's cable: `unplug()` / `replug()`. */
  idcardLine: EmulatedDevice;
  /** Where emulated cards keep photos too big for the card's WLT slot (real face pictures). */
  photoLibrary: EmulatorPhotoLibrary;
  cards: Record<SampleCardName, EmulatedCard>;
  scanner: HidPosScannerEmulator;
  printer: EscposPrinterEmulator;
}

// ---------- views sent to the renderer ----------

/** How each card kind reads on screen and in the intake. */
export const CARD_KIND_LABELS: Record<CardView['kind'], string> = {
  resident: '居民身份证',
  hmt_residence: '港澳台居民居住证',
  foreign_permanent_2017: '外国人永久居留身份证',
  foreign_permanent_2023: '外国人永久居留身份证（2023版）',
};

function bytesToDataUrl(mime: string, bytes: Uint8Array): string {
  return `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;
}

/** What the clerk's screen gets of a card: masked by default; the clear record stays in main. */
export function cardView(read: IdCardReadSuccess, readAt: Date): CardView {
  const card = read.card;
  const foreign = card.kind === 'foreign_permanent_2017' || card.kind === 'foreign_permanent_2023';
  const validTo = card.validTo === 'long_term' ? '长期' : card.validTo;
  return {
    kind: card.kind,
    kindLabel: CARD_KIND_LABELS[card.kind],
    nameMasked: maskName(displayName(card)),
    idNumberMasked: maskIdNumber(documentNumber(card)),
    gender: genderLabel(card.gender),
    nation: card.kind === 'resident' ? card.nation.name : foreign ? card.nationality : null,
    validFrom: card.validFrom,
    validTo,
    expired: read.validity.status === 'expired',
    idNumberValid: true, // the decoder refuses a number failing GB 11643
    photoDataUrl: read.photo.image ? bytesToDataUrl(read.photo.image.mime, read.photo.image.bytes) : null,
    readAt: readAt.toISOString(),
    readMs: Math.round(read.durationMs),
  };
}

export function printJobView(job: PrintJobSummary): PrintJobView {
  return {
    id: job.id,
    kind: job.kind,
    reference: job.reference,
    state: job.state,
    attempts: job.attempts,
    lastError: job.lastError,
    createdAt: job.createdAt,
    printedAt: job.printedAt,
  };
}

// ---------- the hardware ----------

export interface HardwareOptions {
  store: Store;
  events: EventBus;
  logger: Logger;
  clock: Clock;
  config: DevicesConfig;
  hallName: string;
  /** Emulator timing: 'realistic' plays 115200-baud card reads (~0.7 s); 'instant' for fast tests. */
  emulatorTiming?: 'realistic' | 'instant';
  /** How often the reader looks for a placed card. */
  cardPollMs?: number;
}

/** A registry adapter for the camera: it lives in the renderer (getUserMedia), which reports on it. */
class CameraAdapter implements DeviceAdapter {
  readonly id = 'camera';
  readonly kind = 'camera' as const;
  readonly label = '摄像头';
  constructor(readonly emulated: boolean) {}
  async open() {}
  async close() {}
  async probe(): Promise<HealthReport> {
    return this.emulated ? { health: 'ok', detail: '模拟设备' } : { health: 'unknown', detail: '由窗口工作台检测' };
  }
  onLost() {
    return () => undefined;
  }
}

export class HallHardware {
  readonly registry: DeviceRegistry;
  readonly emulators: Emulators | null;
  readonly printQueue: PrintQueue;
  private readonly idcard: IdCardDevice;
  private readonly scanner: HidPosScanner;
  private readonly printer: ReceiptPrinter;
  private readonly adapters: Record<Exclude<DeviceKind, 'camera'>, DeviceAdapter>;
  private watching = false;
  private stopHotplug: (() => void) | null = null;
  private watchAbort: AbortController | null = null;
  private lastCardKey: string | null = null;
  private readQueue: Promise<unknown> = Promise.resolve();
  /** The clear record of the last card read, for the intake in progress. Never sent to the renderer. */
  private lastRead: IdCardReadSuccess | null = null;

  constructor(private readonly options: HardwareOptions) {
    const { config, clock, logger } = options;
    this.registry = new DeviceRegistry({ clock, probeIntervalMs: 10_000 });
    const emulated = config.idcard.mode === 'emulated' || config.scanner.mode === 'emulated' || config.printer.mode === 'emulated';

    // ID-card reader
    let idcardEmulator: EmulatedIdCardReader | null = null;
    let cards: Record<SampleCardName, EmulatedCard> | null = null;
    let photoLibrary: EmulatorPhotoLibrary | null = null;
    let idcardLine: EmulatedDevice | null = null;
    if (config.idcard.mode === 'emulated') {
      const rig = createEmulatedIdCardRig({ timing: options.emulatorTiming ?? 'realistic', clock });
      idcardEmulator = rig.emulator;
      cards = sampleCards({ photoLibrary: rig.photoLibrary });
      photoLibrary = rig.photoLibrary;
      idcardLine = rig.line;
      this.idcard = rig.device;
    } else {
      const c = config.idcard;
      const factory: TransportFactory =
        c.mode === 'serial'
          ? () => new SerialTransport({ path: c.path, baudRate: c.baudRate })
          : () => new HidTransport({ path: c.path, vendorId: c.vendorId, productId: c.productId });
      this.idcard = new IdCardDevice({ id: `idcard:${c.mode}:${c.path}`, label: '读卡器', emulated: false, factory, framing: c.mode === 'hid' ? 'hid' : 'stream', clock });
    }

    // Scanner (HID POS; keyboard-wedge scanners are detected in the renderer)
    let scannerEmulator: HidPosScannerEmulator | null = null;
    if (config.scanner.mode === 'emulated') {
      scannerEmulator = new HidPosScannerEmulator(HIDPOS_PROFILES.honeywell);
      this.scanner = new HidPosScanner({ transport: scannerEmulator.factory, profile: HIDPOS_PROFILES.honeywell });
    } else {
      const c = config.scanner;
      const profile = profileForVendorId(c.vendorId) ?? HIDPOS_PROFILES.generic;
      this.scanner = new HidPosScanner({ transport: () => new HidTransport({ path: c.path, vendorId: c.vendorId, productId: c.productId }), profile });
    }
    this.scanner.on('scan', (scan) => this.onScan(scan.text));

    // Printer and its queue
    let printerEmulator: EscposPrinterEmulator | null = null;
    let printerFactory: TransportFactory;
    const p = config.printer;
    if (p.mode === 'emulated') {
      printerEmulator = new EscposPrinterEmulator({ name: 'receipt' });
      printerFactory = () => printerEmulator!.transport();
    } else if (p.mode === 'tcp') {
      printerFactory = () => new TcpTransport({ host: p.host, port: p.port });
    } else if (p.mode === 'usb-printer') {
      printerFactory = () => new UsbPrinterTransport({ path: p.path });
    } else {
      printerFactory = () => new SerialTransport({ path: p.path, baudRate: p.baudRate });
    }
    this.printer = new ReceiptPrinter({ id: 'printer', label: '打印机', emulated: p.mode === 'emulated', connect: printerFactory });
    this.printQueue = new PrintQueue({
      jobs: options.store.printJobs,
      printer: this.printer,
      onHealth: (h) => this.registry.report('printer', { health: h.health, detail: h.detail }),
    });
    this.printQueue.onChange((job) => options.events.emit('printer.job', printJobView(job)));

    this.adapters = {
      idcard: adapter(this.idcard, 'idcard', '读卡器', config.idcard.mode === 'emulated'),
      scanner: {
        id: 'scanner',
        kind: 'scanner',
        label: '扫码枪',
        emulated: config.scanner.mode === 'emulated',
        open: () => this.scanner.start(),
        close: () => this.scanner.stop(),
        probe: async () => {
          const h = this.scanner.health;
          return { health: h.status === 'ok' ? 'ok' : h.status === 'degraded' ? 'warning' : 'error', detail: h.detail ?? (h.status === 'ok' ? '已连接' : '未连接') };
        },
        onLost: (l) => this.scanner.onLost(l),
      },
      printer: this.printer,
    };
    for (const a of Object.values(this.adapters)) this.registry.add(a);
    this.registry.add(new CameraAdapter(emulated));
    this.registry.subscribe((statuses) => {
      options.events.emit('devices.changed', statuses);
      // The printer is back: print what waited.
      if (statuses.some((s) => s.kind === 'printer' && s.health === 'ok')) void this.printQueue.kick();
    });

    this.emulators =
      idcardEmulator && idcardLine && cards && photoLibrary && scannerEmulator && printerEmulator
        ? { idcard: idcardEmulator, idcardLine, photoLibrary, cards, scanner: scannerEmulator, printer: printerEmulator }
        : null;
    logger.log('info', 'hardware.configured', { idcard: config.idcard.mode, scanner: config.scanner.mode, printer: config.printer.mode });
  }

  async start(): Promise<void> {
    await this.registry.start();
    await this.printQueue.start();
    const c = this.options.config;
    if (c.idcard.mode !== 'emulated' || c.scanner.mode !== 'emulated' || c.printer.mode !== 'emulated') {
      // Real hardware: a device plugged back in is tried at once, not after its backoff.
      const usbEvents = await loadUsbEvents();
      this.stopHotplug = watchHotplug({
        listers: [
          async () => (await listHidDevices()).map((d) => d.transportId),
          async () => (await listSerialPorts()).map((p) => p.transportId),
          async () => (await listUsbPrinters()).map((p) => p.transportId),
        ],
        usbEvents,
        onChange: ({ attached, source }) => {
          this.options.logger.log('info', 'hardware.hotplug', { source, attached: attached.length });
          if (attached.length) this.registry.notifyAttached();
        },
      });
    }
  }

  async stop(): Promise<void> {
    this.stopHotplug?.();
    this.stopHotplug = null;
    this.stopWatchingCards();
    await this.printQueue.stop();
    await this.registry.stop();
    this.emulators?.idcard.dispose();
  }

  statuses(): DeviceStatus[] {
    return this.registry.statuses();
  }

  /** The configuration saved for the next start, and the one running now. */
  configuration(): { saved: DevicesConfig; running: DevicesConfig } {
    return { saved: this.options.store.settings.get(DEVICES_CONFIG_SETTING, DevicesConfig) ?? this.options.config, running: this.options.config };
  }

  /** A technician switches devices between emulators and hardware: saved now, applied at the next start. */
  saveConfiguration(config: DevicesConfig): { saved: DevicesConfig; running: DevicesConfig } {
    this.options.store.settings.set(DEVICES_CONFIG_SETTING, DevicesConfig, config);
    this.options.logger.log('info', 'hardware.config_saved', { idcard: config.idcard.mode, scanner: config.scanner.mode, printer: config.printer.mode });
    return this.configuration();
  }

  // ----- ID card -----

  /**
   * Watch for placed cards while a clerk works: a card is read once when placed and announced with
   * the `idcard.read` event; it is read again only after it was lifted.
   */
  startWatchingCards(): void {
    if (this.watching) return;
    this.watching = true;
    const abort = new AbortController();
    this.watchAbort = abort;
    const poll = this.options.cardPollMs ?? 300;
    void (async () => {
      while (!abort.signal.aborted) {
        const outcome = await this.serialRead(() => this.idcard.reader.read());
        if (abort.signal.aborted) break;
        if (outcome.ok) {
          const key = `${outcome.card.kind}:${documentNumber(outcome.card)}`;
          if (key !== this.lastCardKey) {
            this.lastCardKey = key;
            this.announce(outcome);
          }
        } else if (outcome.error.code === 'no_card') {
          this.lastCardKey = null;
        } else if (outcome.error.code !== 'cancelled' && this.lastCardKey === null) {
          this.lastCardKey = `failed:${outcome.error.code}`;
          this.options.events.emit('idcard.failed', { code: outcome.error.code, message: outcome.error.message });
        }
        await new Promise((r) => setTimeout(r, poll));
      }
    })().catch((err: unknown) => this.options.logger.log('error', 'idcard.watch_failed', { error: String((err as Error)?.message ?? err) }));
  }

  stopWatchingCards(): void {
    this.watching = false;
    this.watchAbort?.abort();
    this.watchAbort = null;
  }

  /** F5: read the card on the reader now. */
  async readCard(): Promise<CardView> {
    const outcome = await this.serialRead(() => this.idcard.reader.read());
    if (!outcome.ok) throw new HallServiceError(outcome.error.code === 'no_card' ? 'not_found' : 'unavailable', outcome.error.message);
    const view = this.remember(outcome);
    return view;
  }

  /** The clear record of the last card read (for the intake service). */
  lastCard(): IdCardReadSuccess | null {
    return this.lastRead;
  }

  private announce(outcome: IdCardReadSuccess): void {
    this.options.events.emit('idcard.read', this.remember(outcome));
  }

  private remember(outcome: IdCardReadSuccess): CardView {
    this.lastRead = outcome;
    return cardView(outcome, this.options.clock());
  }

  /** One command sequence on the reader at a time (watcher and F5 share the line). */
  private serialRead(fn: () => Promise<IdCardReadOutcome>): Promise<IdCardReadOutcome> {
    const next = this.readQueue.then(fn, fn);
    this.readQueue = next.catch(() => undefined);
    return next;
  }

  // ----- scanner -----

  private onScan(text: string): void {
    this.options.events.emit('scanner.scanned', this.classify(text, 'hidpos'));
  }

  /** One classification for both scanner kinds (HID POS here, keyboard wedge from the renderer). Logs kind and length only. */
  classify(text: string, source: ScanView['source']): ScanView {
    const classification = classifyScan(text);
    const kind = classification.kind === 'hall_invalid' ? 'other' : classification.kind;
    this.options.logger.log('info', 'scanner.scan', { kind, length: text.length, source });
    return { kind, text, masked: displayText(text, kind), source };
  }

  // ----- printer -----

  print(document: ReceiptDocument): PrintJobView {
    return printJobView(this.printQueue.enqueue(document));
  }

  /** 补打: printed again; who asked for it is audited unless the caller audits it itself (case documents). */
  reprint(jobId: string, actor: string | null, audit = true): PrintJobView {
    const original = this.printQueue.get(jobId);
    if (!original) throw new HallServiceError('not_found', '没有这张打印任务');
    const job = printJobView(this.printQueue.reprint(jobId));
    if (audit) this.options.store.audit.append({ actor, action: 'document.reprinted', subject: original.reference ?? jobId, detail: { kind: original.kind, jobId: job.id, reprintOf: jobId } });
    return job;
  }

  jobs(limit: number): PrintJobView[] {
    return this.printQueue.list(limit).map(printJobView);
  }

  // ----- technician self-tests -----

  async selfTest(kind: DeviceKind): Promise<{ ok: boolean; message: string; previewSvg: string | null; card: CardView | null }> {
    switch (kind) {
      case 'printer': {
        const doc = testPage({ hallName: this.options.hallName, printerLabel: this.printer.label, printedAt: this.options.clock() });
        const job = this.print(doc);
        return { ok: true, message: `测试页已加入打印队列（${job.state === 'printed' ? '已打印' : '等待打印'}）`, previewSvg: receiptToSvg(doc), card: null };
      }
      case 'idcard': {
        const outcome = await this.serialRead(() => this.idcard.reader.read());
        if (!outcome.ok) return { ok: false, message: outcome.error.message, previewSvg: null, card: null };
        return { ok: true, message: `读卡成功，用时 ${Math.round(outcome.durationMs)} 毫秒`, previewSvg: null, card: this.remember(outcome) };
      }
      case 'scanner': {
        const h = this.scanner.health;
        if (this.emulators) {
          await this.emulators.scanner.scan('HALL-SELFTEST-0001');
          return { ok: true, message: '模拟扫码枪已发送测试条码 HALL-SELFTEST-0001', previewSvg: null, card: null };
        }
        return { ok: h.status === 'ok', message: h.status === 'ok' ? '扫码枪已连接：请扫描任意条码，结果会显示在状态栏' : (h.detail ?? '扫码枪未连接'), previewSvg: null, card: null };
      }
      case 'camera':
        return { ok: true, message: '摄像头在本机浏览器中检测：请打开摄像头自检页', previewSvg: null, card: null };
    }
  }
}

function adapter(device: IdCardDevice, kind: DeviceKind, label: string, emulated: boolean): DeviceAdapter {
  return {
    id: kind,
    kind,
    label,
    emulated,
    open: () => device.open(),
    close: () => device.close(),
    probe: () => device.probe(),
    onLost: (l) => device.onLost(l),
  };
}
