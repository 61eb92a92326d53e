/**
 * Property tests: the HID POS parser and the assembler take any bytes a USB stack can deliver — random,
 * or real reports with bytes flipped, cut short or extended — and answer with a value or a typed error,
 * never an exception. 100 000 inputs per property (seeded, so a failure replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHidPosReports } from '../emulators/scanner-hidpos';
import { ScanAssembler, type AssemblerOutput } from './assembler';
import { HIDPOS_PROFILES, HIDPOS_VENDORS, HidPosError, parseHidPosReport, type HidPosErrorCode, type HidPosProfile } from './hidpos';

const RUNS = 100_000;
const PARSE_CODES: HidPosErrorCode[] = ['empty', 'unexpected_report_id', 'truncated', 'length_out_of_range', 'bad_aim'];
const ASSEMBLY_CODES: HidPosErrorCode[] = ['aim_changed', 'incomplete_timeout', 'too_long', 'interrupted'];
const AIMS = [']Q1', ']E0', ']C0', ']d2', ']L2', ']A0', ']I0', ']E4', ']X0', null] as const;

const profileArb = fc.constantFrom(...HIDPOS_VENDORS).map((v) => HIDPOS_PROFILES[v]);

/** Reports a scanner could send for some code: the seed of the mutations. */
const encodedArb = fc.record({
  profile: profileArb,
  code: fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 })),
  aim: fc.constantFrom(...AIMS),
  encoding: fc.constantFrom('utf-8' as const, 'gb18030' as const),
});

type Mutation = { kind: 'set'; at: number; value: number } | { kind: 'truncate'; to: number } | { kind: 'extend'; bytes: Uint8Array } | { kind: 'length'; value: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(70), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), to: fc.nat(70) }),
  fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('length' as const), value: fc.integer({ min: 0, max: 255 }) }),
);

function mutate(bytes: Uint8Array, profile: HidPosProfile, mutations: Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of mutations) {
    if (m.kind === 'set' && m.at < out.length) out[m.at] = m.value;
    if (m.kind === 'truncate') out = out.slice(0, m.to);
    if (m.kind === 'extend') out = Uint8Array.from([...out, ...m.bytes]);
    if (m.kind === 'length' && out.length > profile.lengthAt) out[profile.lengthAt] = m.value;
  }
  return out;
}

/** Plain checks in the hot loop: `expect` costs more than the parser itself at 100 000 runs. */
function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`property violated: ${what}`);
}

function checkParse(bytes: Uint8Array, profile: HidPosProfile): void {
  const r = parseHidPosReport(bytes, profile);
  if (r.ok) {
    check(r.report.data.length <= profile.dataMax, 'data within dataMax');
    check(r.report.data.length === bytes[profile.lengthAt], 'data length is the length byte');
    check(r.report.reportId === profile.reportId, 'report id');
  } else {
    check(r.error instanceof HidPosError && PARSE_CODES.includes(r.error.code), `typed parse error, got ${String(r.error)}`);
  }
}

function checkOutputs(outs: AssemblerOutput[]): void {
  for (const o of outs) {
    if (o.type === 'scan') check(typeof o.scan.text === 'string', 'scan text');
    else check(o.error instanceof HidPosError && ASSEMBLY_CODES.includes(o.error.code), `typed assembly error, got ${String(o.error)}`);
  }
}

describe('HID POS parser (property)', () => {
  it(`survives ${RUNS} random byte arrays with a value or a typed error`, () => {
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      // random bodies behind the right report id, so the deeper checks are reached too
      fc.uint8Array({ minLength: 63, maxLength: 70 }).map((b) => Uint8Array.from([0x02, ...b])),
    );
    fc.assert(
      fc.property(bytesArb, profileArb, (bytes, profile) => checkParse(bytes, profile)),
      { numRuns: RUNS, seed: 20261126 },
    );
  });

  it(`survives ${RUNS} mutated real reports with a value or a typed error`, () => {
    fc.assert(
      fc.property(encodedArb, fc.nat(), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.constantFrom(...HIDPOS_VENDORS), (e, pick, mutations, parseAs) => {
        const reports = encodeHidPosReports(e.profile, e.code, { aim: e.aim, encoding: e.encoding });
        const report = reports[pick % reports.length] as Uint8Array;
        checkParse(mutate(report, e.profile, mutations), HIDPOS_PROFILES[parseAs]);
      }),
      { numRuns: RUNS, seed: 1126 },
    );
  });
});

describe('ScanAssembler (property)', () => {
  // Real report sets drawn once per vendor (seeded): each run picks and mutates them, so the 100 000 runs
  // spend their time in the assembler rather than in generating and encoding codes.
  const samples = fc.sample(encodedArb, { numRuns: 400, seed: 5 });
  const POOL = Object.fromEntries(
    HIDPOS_VENDORS.map((v) => [v, samples.map((e) => encodeHidPosReports(HIDPOS_PROFILES[v], e.code, { aim: e.aim, encoding: e.encoding }))]),
  ) as Record<(typeof HIDPOS_VENDORS)[number], Uint8Array[][]>;

  /** Reads a run's random numbers in order (a flat tape generates and shrinks far faster than nested records). */
  function reader(tape: Uint32Array): (below: number) => number {
    let i = 0;
    return (below) => (tape[i++ % tape.length] ?? 0) % below;
  }

  it(`survives ${RUNS} random and mutated report sequences with scans or typed errors`, () => {
    fc.assert(
      fc.property(fc.uint32Array({ minLength: 8, maxLength: 40 }), (tape) => {
        const next = reader(tape);
        const vendor = HIDPOS_VENDORS[next(HIDPOS_VENDORS.length)] as (typeof HIDPOS_VENDORS)[number];
        const profile = HIDPOS_PROFILES[vendor];
        const timeoutMs = 1 + next(600);
        const assembler = new ScanAssembler({ timeoutMs, maxBytes: 1 + next(300) });
        let now = 0;
        for (let steps = 1 + next(5); steps > 0; steps--) {
          now += next(2) === 0 ? next(6) : next(1000);
          let bytes: Uint8Array;
          if (next(5) === 0) {
            bytes = new Uint8Array(64 + next(3));
            for (let i = 1; i < bytes.length; i++) bytes[i] = next(256);
            bytes[0] = 0x02;
          } else {
            const reports = POOL[vendor][next(samples.length)] as Uint8Array[];
            bytes = reports[next(reports.length)] as Uint8Array;
          }
          const mutations: Mutation[] = [];
          for (let m = next(3); m > 0; m--) {
            const kind = next(4);
            if (kind === 0) mutations.push({ kind: 'set', at: next(70), value: next(256) });
            else if (kind === 1) mutations.push({ kind: 'truncate', to: next(70) });
            else if (kind === 2) mutations.push({ kind: 'extend', bytes: Uint8Array.from({ length: next(8) }, () => next(256)) });
            else mutations.push({ kind: 'length', value: next(256) });
          }
          const parsed = parseHidPosReport(mutations.length > 0 ? mutate(bytes, profile, mutations) : bytes, profile);
          if (parsed.ok) checkOutputs(assembler.push(parsed.report, now));
          if (next(2) === 0) checkOutputs(assembler.expire(now + timeoutMs + 1));
        }
        if (next(2) === 0) checkOutputs(assembler.interrupt());
        const deadline = assembler.deadline;
        check(deadline === null || Number.isFinite(deadline), 'deadline is a time or null');
      }),
      { numRuns: RUNS, seed: 42 },
    );
  });

  it('reassembles every code exactly when its reports arrive on time (round trip)', () => {
    fc.assert(
      fc.property(encodedArb, fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 100, maxLength: 100 }), (e, gaps) => {
        const assembler = new ScanAssembler({ timeoutMs: 50, stripTrailingNewline: false });
        const reports = encodeHidPosReports(e.profile, e.code, { aim: e.aim, encoding: e.encoding });
        let now = 0;
        const outs = reports.flatMap((bytes, i) => {
          now += gaps[i % gaps.length] ?? 0;
          const parsed = parseHidPosReport(bytes, e.profile);
          if (!parsed.ok) throw parsed.error;
          return assembler.push(parsed.report, now);
        });
        expect(outs).toHaveLength(1);
        const scan = outs[0];
        if (scan?.type !== 'scan') throw new Error('expected a scan');
        if (typeof e.code === 'string') {
          expect(scan.scan.text).toBe(e.code);
          expect(scan.scan.encoding === e.encoding || /^[\u0000-\u007f]*$/.test(e.code)).toBe(true);
        }
        expect(scan.scan.symbology.aim).toBe(e.aim);
      }),
      { numRuns: 5_000, seed: 7 },
    );
  });
});
