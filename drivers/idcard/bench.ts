/**
 * `hall bench idcard`: tap-to-record time over the real stack — IdCardReader → FrameLink → emulated
 * transport at 115200 baud (real byte timing, random chunking) → emulated reader with realistic card
 * processing delays. Each run: the reader is already polling (find every 100 ms), the card is laid on it
 * at an arbitrary moment, and the clock stops when the decoded record (with photo) is back.
 */
import { EmulatedDevice } from '../transports/emulated';
import { sampleCards } from '../emulators/cards';
import { EmulatorPhotoDecoder, EmulatorPhotoLibrary } from '../emulators/idcard-photo';
import { EmulatedIdCardReader } from '../emulators/idcard-reader';
import { seededRandom } from '../emulators/idcard-rig';
import type { SamFraming } from './packet';
import { createSamLink, IdCardReader } from './reader';

export interface BenchFigure {
  name: string;
  unit: string;
  value: number;
  goal: number;
  better: 'lower' | 'higher';
  /** The physical limit of the same work, measured in the same run (e.g. a raw insert of the same rows). */
  limit?: { what: string; value: number; unit: string };
  /** The figure could not be measured here (why); never counted as met or missed. */
  skipped?: string;
  /** A peer's figure, shown for comparison: its goal is not ours to miss. */
  informational?: boolean;
}

export const TAP_TO_RECORD_GOAL_MS = 1000;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

export async function benchIdcard(opts: { runs?: number; framing?: SamFraming; pollIntervalMs?: number; seed?: number } = {}): Promise<BenchFigure[]> {
  const runs = opts.runs ?? 20;
  const framing = opts.framing ?? 'stream';
  const pollIntervalMs = opts.pollIntervalMs ?? 100;
  if (!(Number.isInteger(runs) && runs >= 1)) throw new RangeError(`runs must be a positive integer, got ${runs}`);
  const random = seededRandom(opts.seed ?? 467);
  const photoLibrary = new EmulatorPhotoLibrary();
  const line = new EmulatedDevice({ name: 'bench-idcard', baudRate: 115_200, framing: framing === 'hid' ? 'datagram' : 'stream', random });
  const emulator = new EmulatedIdCardReader({ device: line, framing, timing: 'realistic', random });
  const link = createSamLink({ factory: line.factory, framing });
  const reader = new IdCardReader({ channel: link, photoDecoder: new EmulatorPhotoDecoder(photoLibrary) });
  const card = sampleCards({ photoLibrary }).resident;
  const samples: number[] = [];
  await link.open();
  try {
    for (let i = 0; i < runs; i++) {
      emulator.removeCard();
      const waiting = reader.waitForCard({ pollIntervalMs, timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 20 + random() * 150));
      const placedAt = performance.now();
      emulator.placeCard(card);
      const outcome = await waiting;
      const elapsed = performance.now() - placedAt;
      if (!outcome.ok) throw new Error(`idcard bench run ${i + 1} failed: ${outcome.error.code} (${outcome.error.detail})`);
      if (!outcome.photo.image) throw new Error(`idcard bench run ${i + 1}: photo not decoded`);
      samples.push(elapsed);
    }
  } finally {
    emulator.dispose();
    await link.close();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const figure = (suffix: string, value: number): BenchFigure => ({ name: `idcard.tap_to_record.${suffix}`, unit: 'ms', value: round1(value), goal: TAP_TO_RECORD_GOAL_MS, better: 'lower' });
  return [figure('p50', percentile(sorted, 50)), figure('p95', percentile(sorted, 95)), figure('max', sorted[sorted.length - 1] as number)];
}
