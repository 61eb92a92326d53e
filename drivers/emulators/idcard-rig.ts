/**
 * One call to get a complete emulated ID-card reader: the emulated line (EmulatedDevice), the emulator
 * on its far end, and the driver-side IdCardDevice (link + reader) wired with the emulator's photo
 * decoder. For training mode, the technician's self-test, tests and the benchmark.
 */
import type { Clock } from '../../main/domain/clock';
import { IdCardDevice } from '../idcard/device';
import type { SamFraming } from '../idcard/packet';
import { firstPhotoDecoder, type PhotoDecoder } from '../idcard/photo';
import type { IdCardTimeouts } from '../idcard/reader';
import { EmulatedDevice } from '../transports/emulated';
import { EmulatedIdCardReader, type IdCardTiming } from './idcard-reader';
import { EmulatorPhotoDecoder, EmulatorPhotoLibrary } from './idcard-photo';

export interface EmulatedIdCardRigOptions {
  name?: string;
  framing?: SamFraming;
  /** 'realistic': 115200 baud line + card processing delays (a full read ≈ 0.6–0.8 s). Default 'instant'. */
  timing?: IdCardTiming;
  /** Override the line speed (default: 115200 when realistic, instant otherwise). */
  baudRate?: number | null;
  /** Random chunk splitting of the stream (max chunk size); default 64 when a baud rate is set. */
  maxChunk?: number;
  random?: () => number;
  clock?: Clock;
  photoLibrary?: EmulatorPhotoLibrary;
  /** Tried after the emulator's decoder (e.g. the vendor decoder, to show its error in training). */
  extraPhotoDecoder?: PhotoDecoder;
  timeouts?: Partial<IdCardTimeouts>;
}

export interface EmulatedIdCardRig {
  line: EmulatedDevice;
  emulator: EmulatedIdCardReader;
  device: IdCardDevice;
  photoLibrary: EmulatorPhotoLibrary;
}

export function createEmulatedIdCardRig(options: EmulatedIdCardRigOptions = {}): EmulatedIdCardRig {
  const timing = options.timing ?? 'instant';
  const framing = options.framing ?? 'stream';
  const name = options.name ?? 'idcard';
  const photoLibrary = options.photoLibrary ?? new EmulatorPhotoLibrary();
  const line = new EmulatedDevice({
    name,
    baudRate: options.baudRate === undefined ? (timing === 'realistic' ? 115_200 : null) : options.baudRate,
    framing: framing === 'hid' ? 'datagram' : 'stream',
    ...(options.maxChunk !== undefined ? { maxChunk: options.maxChunk } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  const emulator = new EmulatedIdCardReader({ device: line, framing, timing, ...(options.random ? { random: options.random } : {}) });
  const emulatorDecoder = new EmulatorPhotoDecoder(photoLibrary);
  const device = new IdCardDevice({
    id: line.transportId,
    emulated: true,
    factory: line.factory,
    framing,
    photoDecoder: options.extraPhotoDecoder ? firstPhotoDecoder(emulatorDecoder, options.extraPhotoDecoder) : emulatorDecoder,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  });
  return { line, emulator, device, photoLibrary };
}

export { seededRandom } from './random';
