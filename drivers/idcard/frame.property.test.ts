/**
 * Property tests: the SAM frame parser, the stream deframer and the HID reassembler never crash on any
 * input and only ever return typed errors; a mutated valid frame is always an error, never a wrong decode.
 * Each property runs 100 000 inputs (seeded; FC_SEED overrides) in well under 10 s on 2 cores.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FrameAccumulator } from '../transports/link';
import { encodeFrame, parseFrame, SAM_PREAMBLE, samDeframer, type SamFramingErrorCode } from './frame';
import { HidFrameReassembler, toHidReports } from './packet';

const RUNS = 100_000;
const seed = Number(process.env.FC_SEED ?? 467);
const CODES: ReadonlySet<SamFramingErrorCode> = new Set(['too_short', 'bad_preamble', 'length_invalid', 'length_mismatch', 'checksum_mismatch', 'hid_report_invalid']);
const LONG = 30_000;

const body = fc.uint8Array({ minLength: 2, maxLength: 300 });
/** Random bytes, half of them behind a real preamble so the deeper checks are reached too. */
const randomInput = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }).map((tail) => Uint8Array.from([...SAM_PREAMBLE, ...tail])),
  fc.tuple(fc.integer({ min: 0, max: 70 }), fc.uint8Array({ maxLength: 70 })).map(([len, tail]) => Uint8Array.from([...SAM_PREAMBLE, len >> 8, len & 0xff, ...tail])),
);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

describe('parseFrame properties', () => {
  it(
    'never throws on random input; errors are typed; a successful parse re-encodes to the same bytes',
    () => {
      fc.assert(
        fc.property(randomInput, (bytes) => {
          const r = parseFrame(bytes);
          if (r.ok) return sameBytes(encodeFrame(r.frame.raw.subarray(7, r.frame.raw.length - 1)), bytes);
          return CODES.has(r.error.code) && r.error.message.length > 0;
        }),
        { numRuns: RUNS, seed },
      );
    },
    LONG,
  );

  it(
    'a flipped byte is always an error of the right kind, never a decode',
    () => {
      fc.assert(
        fc.property(body, fc.nat(), fc.integer({ min: 1, max: 255 }), (b, pos, mask) => {
          const frame = encodeFrame(b);
          const i = pos % frame.length;
          frame[i] = (frame[i] as number) ^ mask;
          const r = parseFrame(frame);
          if (r.ok) return false;
          if (i < 5) return r.error.code === 'bad_preamble';
          if (i < 7) return r.error.code === 'length_invalid' || r.error.code === 'length_mismatch';
          return r.error.code === 'checksum_mismatch';
        }),
        { numRuns: RUNS, seed },
      );
    },
    LONG,
  );

  it(
    'an inserted or deleted byte is always an error',
    () => {
      fc.assert(
        fc.property(body, fc.nat(), fc.boolean(), fc.integer({ min: 0, max: 255 }), (b, pos, insert, value) => {
          const frame = Array.from(encodeFrame(b));
          const i = pos % frame.length;
          if (insert) frame.splice(i, 0, value);
          else frame.splice(i, 1);
          return !parseFrame(Uint8Array.from(frame)).ok;
        }),
        { numRuns: RUNS, seed },
      );
    },
    LONG,
  );
});

describe('stream reassembly properties', () => {
  it(
    'frames between garbage, split into random chunks, all come out in order, intact',
    () => {
      const garbage = fc.uint8Array({ maxLength: 8 }).map((g) => g.map((x) => (x === 0xaa ? 0 : x)));
      fc.assert(
        fc.property(fc.array(fc.tuple(garbage, fc.uint8Array({ minLength: 2, maxLength: 40 })), { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 8 }), (parts, cuts) => {
          const frames = parts.map(([, b]) => encodeFrame(b));
          const stream = Uint8Array.from(parts.flatMap(([g], k) => [...g, ...(frames[k] as Uint8Array)]));
          const acc = new FrameAccumulator(samDeframer);
          const got: Uint8Array[] = [];
          let at = 0;
          for (let c = 0; at < stream.length; c++) {
            const n = cuts[c % cuts.length] as number;
            for (const ev of acc.push(stream.subarray(at, at + n))) {
              if (ev.kind === 'frame') got.push(ev.frame.raw);
              if (ev.kind === 'error') return false;
            }
            at += n;
          }
          return got.length === frames.length && got.every((g, k) => sameBytes(g, frames[k] as Uint8Array));
        }),
        { numRuns: RUNS, seed },
      );
    },
    LONG,
  );

  it(
    'random chunks never crash the accumulator; every event is typed',
    () => {
      fc.assert(
        fc.property(fc.array(randomInput, { maxLength: 4 }), (chunks) => {
          const acc = new FrameAccumulator(samDeframer);
          for (const c of chunks) {
            for (const ev of acc.push(c)) {
              if (ev.kind === 'error' && !CODES.has(ev.error.code)) return false;
              if (ev.kind === 'frame' && !parseFrame(ev.frame.raw).ok) return false;
            }
          }
          return true;
        }),
        { numRuns: RUNS, seed },
      );
    },
    LONG,
  );
});

describe('HID reassembler properties', () => {
  it(
    'random reports never crash it; errors are typed',
    () => {
      const report = fc.oneof(
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ minLength: 63, maxLength: 63 }).chain((rest) => fc.integer({ min: 0, max: 255 }).map((n) => Uint8Array.from([n, ...rest]))),
      );
      fc.assert(
        fc.property(fc.array(report, { maxLength: 4 }), (reports) => {
          const r = new HidFrameReassembler();
          return reports.every((rep) => r.push(rep).every((ev) => ev.kind !== 'error' || CODES.has(ev.error.code)));
        }),
        { numRuns: RUNS, seed },
      );
    },
    LONG,
  );

  it(
    'frames cut into 64-byte reports come back intact',
    () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ minLength: 2, maxLength: 200 }), { minLength: 1, maxLength: 3 }), (bodies) => {
          const r = new HidFrameReassembler();
          const frames = bodies.map((b) => encodeFrame(b));
          const got = frames.flatMap((f) => toHidReports(f)).flatMap((rep) => r.push(rep));
          return got.length === frames.length && got.every((ev, k) => ev.kind === 'frame' && sameBytes(ev.frame.raw, frames[k] as Uint8Array));
        }),
        { numRuns: RUNS, seed },
      );
    },
    LONG,
  );
});
