/**
 * Packetising layers under the SAM codec (hardware note: "USB bulk (not HID) for many SAM_V models, HID
 * with vendor 64-byte reports (byte 0 = length) for others, serial at 115200").
 *
 * - stream (serial, USB bulk): frames go out as they are; incoming bytes are a stream → `samDeframer`.
 * - vendor HID: every report is 64 bytes, byte 0 = number of frame bytes that follow (1..63), zero padded.
 *   Outgoing frames are cut into reports; incoming reports are unwrapped into the same byte stream, so
 *   reassembly happens once, in link.ts's FrameAccumulator.
 */
import { FrameAccumulator, streamPacketizer, type AccumulatorEvent, type Packetizer, type UnpacketResult } from '../transports/link';
import { samDeframer, type SamFrame, type SamFramingError } from './frame';

export const HID_REPORT_SIZE = 64;

export type SamFraming = 'stream' | 'hid';

/** Cut a frame into vendor HID reports: [n, n bytes of frame, zero padding] × ⌈len/63⌉. */
export function toHidReports(frame: Uint8Array, reportSize = HID_REPORT_SIZE): Uint8Array[] {
  if (!(Number.isInteger(reportSize) && reportSize >= 2 && reportSize <= 256)) throw new RangeError(`reportSize must be 2..256, got ${reportSize}`);
  const per = reportSize - 1;
  const reports: Uint8Array[] = [];
  for (let i = 0; i < frame.length; i += per) {
    const part = frame.subarray(i, Math.min(frame.length, i + per));
    const report = new Uint8Array(reportSize);
    report[0] = part.length;
    report.set(part, 1);
    reports.push(report);
  }
  return reports;
}

/** Unwrap one vendor HID report into its frame bytes; a length byte beyond the report is a typed error. */
export function fromHidReport(report: Uint8Array): UnpacketResult<SamFramingError> {
  if (report.length === 0) return { ok: false, error: { code: 'hid_report_invalid', reportLength: 0, declared: 0, message: 'empty HID report' } };
  const declared = report[0] as number;
  if (declared > report.length - 1) {
    return {
      ok: false,
      error: { code: 'hid_report_invalid', reportLength: report.length, declared, message: `HID report length byte ${declared} exceeds the ${report.length - 1} bytes that follow it` },
    };
  }
  return { ok: true, bytes: report.slice(1, 1 + declared) };
}

export function hidPacketizer(reportSize = HID_REPORT_SIZE): Packetizer<SamFramingError> {
  return { packetize: (frame) => toHidReports(frame, reportSize), unpacketize: fromHidReport };
}

export function samPacketizer(framing: SamFraming): Packetizer<SamFramingError> {
  return framing === 'hid' ? hidPacketizer() : streamPacketizer;
}

/**
 * Report-by-report reassembly of SAM frames (what a FrameLink does with a HID transport, without the
 * transport): push reports, get frames and typed errors. Used by the emulator and the property tests.
 */
export class HidFrameReassembler {
  private readonly accumulator = new FrameAccumulator<SamFrame, SamFramingError>(samDeframer);

  push(report: Uint8Array): AccumulatorEvent<SamFrame, SamFramingError>[] {
    const un = fromHidReport(report);
    if (!un.ok) {
      this.accumulator.reset();
      return [{ kind: 'error', error: un.error }];
    }
    return this.accumulator.push(un.bytes);
  }

  reset(): void {
    this.accumulator.reset();
  }
}
