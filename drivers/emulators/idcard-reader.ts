/**
 * An emulated GA 467 ID-card reader on the device side of an EmulatedDevice: it reassembles the host's
 * command frames (serial/bulk stream or vendor 64-byte HID reports), answers with the exact SAM bytes
 * a reader sends, and plays the faults a hall sees: no card, select/read failures, a corrupted checksum,
 * real 115200-baud timing with realistic card processing delays, and an unplug in the middle of a read.
 *
 * Like a real reader it requires find → select before a read, and a removed card resets that state.
 */
import { encodeAnswer, samDeframer, type SamCommandFrame, type SamFrame, type SamFramingError } from '../idcard/frame';
import { fromHidReport, toHidReports, type SamFraming } from '../idcard/packet';
import type { SamCommandName } from '../idcard/protocol';
import { encodeReadBasicData } from '../idcard/read-answer';
import { FrameAccumulator } from '../transports/link';
import type { EmulatedDevice } from '../transports/emulated';
import type { EmulatedCard } from './cards';

export const IDCARD_FAULTS = ['no_card', 'select_fail', 'read_fail', 'bad_checksum', 'slow', 'unplug_mid_read'] as const;
/**
 * - no_card: find answers 80 even with a card placed
 * - select_fail / read_fail: select answers 81 / read answers 41
 * - bad_checksum: the read answer's checksum byte is corrupted
 * - slow: realistic timing (processing delays) even when the reader was built `instant`
 * - unplug_mid_read: part of the read answer goes out, then the device is unplugged
 */
export type IdCardFault = (typeof IDCARD_FAULTS)[number];

export type IdCardTiming = 'instant' | 'realistic';

/** Card/SAM processing time before the answer's first byte, ms (realistic timing). Bytes then take line time. */
export const REALISTIC_PROCESSING_MS: Record<SamCommandName, number> = {
  find_card: 30,
  select_card: 45,
  read_basic: 420,
  read_basic_fingerprint: 700,
  read_appended_address: 60,
  sam_status: 8,
  sam_id: 8,
  reset_sam: 120,
};

export interface EmulatedIdCardReaderOptions {
  device: EmulatedDevice;
  framing?: SamFraming;
  /** Default 'instant'. Byte timing itself comes from the device's baud rate. */
  timing?: IdCardTiming;
  /** Random in [0,1): ±15 % jitter on processing times. */
  random?: () => number;
  /** 16 bytes answered to 12 FF. */
  samId?: Uint8Array;
}

type CardState = 'idle' | 'found' | 'selected';

export class EmulatedIdCardReader {
  readonly framing: SamFraming;
  /** Command names in the order received (for tests and the technician's self-test view). */
  readonly received: (SamCommandName | 'unknown')[] = [];
  private card: EmulatedCard | null = null;
  private state: CardState = 'idle';
  private fault: IdCardFault | null = null;
  private timing: IdCardTiming;
  private readonly device: EmulatedDevice;
  private readonly random: () => number;
  private readonly samIdBytes: Uint8Array;
  private readonly accumulator = new FrameAccumulator<SamFrame, SamFramingError>(samDeframer);
  private chain: Promise<void> = Promise.resolve();
  private readonly detach: () => void;

  constructor(options: EmulatedIdCardReaderOptions) {
    this.device = options.device;
    this.framing = options.framing ?? 'stream';
    this.timing = options.timing ?? 'instant';
    this.random = options.random ?? Math.random;
    this.samIdBytes = options.samId ?? Uint8Array.of(0x05, 0x00, 0x01, 0x00, 0x0d, 0xe3, 0x32, 0x01, 0x39, 0x30, 0x00, 0x00, 0x15, 0xcd, 0x5b, 0x07);
    this.detach = this.device.onHostWrite((chunk) => this.onBytes(chunk));
  }

  placeCard(card: EmulatedCard): void {
    this.card = card;
    this.state = 'idle';
  }

  removeCard(): void {
    this.card = null;
    this.state = 'idle';
  }

  get hasCard(): boolean {
    return this.card !== null;
  }

  /** One fault at a time; null clears it. */
  setFault(fault: IdCardFault | null): void {
    this.fault = fault;
  }

  setTiming(timing: IdCardTiming): void {
    this.timing = timing;
  }

  /** Stop listening to the device (the emulator can be garbage collected). */
  dispose(): void {
    this.detach();
  }

  private onBytes(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.framing === 'hid') {
      const un = fromHidReport(chunk);
      if (!un.ok) return; // a real reader ignores a malformed report
      bytes = un.bytes;
    }
    for (const ev of this.accumulator.push(bytes)) {
      if (ev.kind === 'frame' && ev.frame.direction === 'host_to_reader') {
        const frame = ev.frame;
        this.enqueue(() => this.handle(frame));
      } else if (ev.kind === 'error') {
        // The protocol's own answers to a bad host frame: 10 checksum error, 11 length error.
        const sw3 = ev.error.code === 'checksum_mismatch' ? 0x10 : 0x11;
        this.enqueue(() => this.send(encodeAnswer(sw3)));
      }
    }
  }

  /** Commands are handled one after another, like a single-threaded reader MCU. */
  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch(() => undefined);
  }

  private async handle(frame: SamCommandFrame): Promise<void> {
    const name = frame.command;
    this.received.push(name ?? 'unknown');
    if (!name) return this.send(encodeAnswer(0x21));
    await this.process(name);
    switch (name) {
      case 'find_card': {
        if (!this.card || this.fault === 'no_card') {
          this.state = 'idle';
          return this.send(encodeAnswer(0x80));
        }
        this.state = 'found';
        return this.send(encodeAnswer(0x9f, new Uint8Array(4)));
      }
      case 'select_card': {
        if (!this.card || this.state === 'idle' || this.fault === 'select_fail') return this.send(encodeAnswer(0x81));
        this.state = 'selected';
        return this.send(encodeAnswer(0x90, new Uint8Array(8)));
      }
      case 'read_basic':
      case 'read_basic_fingerprint':
        return this.read(name === 'read_basic_fingerprint');
      case 'read_appended_address': {
        if (!this.card || this.state !== 'selected') return this.send(encodeAnswer(0x41));
        if (this.card.appendedAddress === null) return this.send(encodeAnswer(0x91));
        const data = new Uint8Array(70);
        for (let i = 0; i < 35; i++) {
          const c = i < this.card.appendedAddress.length ? this.card.appendedAddress.charCodeAt(i) : 0x20;
          data[i * 2] = c & 0xff;
          data[i * 2 + 1] = c >> 8;
        }
        return this.send(encodeAnswer(0x90, data));
      }
      case 'sam_status':
      case 'reset_sam':
        return this.send(encodeAnswer(0x90));
      case 'sam_id':
        return this.send(encodeAnswer(0x90, this.samIdBytes));
    }
  }

  private async read(withFingerprint: boolean): Promise<void> {
    const card = this.card;
    if (!card || this.state !== 'selected' || this.fault === 'read_fail') return this.send(encodeAnswer(0x41));
    const data = encodeReadBasicData({ text: card.text, photo: card.wlt, fingerprint: withFingerprint ? card.fingerprint : null });
    const frame = encodeAnswer(0x90, data);
    if (this.fault === 'bad_checksum') frame[frame.length - 1] = (frame[frame.length - 1] as number) ^ 0x5a;
    if (this.fault === 'unplug_mid_read') {
      await this.send(frame.subarray(0, Math.floor(frame.length * 0.4)));
      this.device.unplug();
      return;
    }
    await this.send(frame);
  }

  private async process(name: SamCommandName): Promise<void> {
    if (this.timing !== 'realistic' && this.fault !== 'slow') return;
    const base = REALISTIC_PROCESSING_MS[name] * (name === 'find_card' && !this.card ? 0.5 : 1);
    const ms = base * (0.85 + 0.3 * this.random());
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Push a frame (or part of one) in the reader's framing; resolves when the bytes are on the host side. */
  private async send(bytes: Uint8Array): Promise<void> {
    if (!this.device.plugged) return;
    try {
      if (this.framing === 'hid') {
        for (const report of toHidReports(bytes)) await this.device.push(report);
      } else {
        await this.device.push(bytes);
      }
    } catch {
      // unplugged while sending: the bytes are lost, as on a real cable
    }
  }
}
