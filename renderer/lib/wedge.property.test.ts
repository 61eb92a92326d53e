/**
 * Property tests for the wedge detector: for any timeline of keys — people typing, scanners, IME,
 * shortcuts, focus changes, all interleaved at any pace and with any thresholds — no keystroke is lost
 * or reordered, people are never taken for scanners, and nothing is held longer than it must be.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { isModifierKey, isPrintableKey, WedgeDetector, type WedgeAction, type WedgeKeyEvent, type WedgeOptions } from './wedge';
import { play } from './wedge-test-support';

const RUNS = 100_000;

const keyArb: fc.Arbitrary<Omit<WedgeKeyEvent<string>, 'timeStamp'>> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...'abcXYZ019 -:中文😀').map((key) => ({ key })) },
  { weight: 2, arbitrary: fc.constantFrom('Enter', 'Tab').map((key) => ({ key })) },
  { weight: 1, arbitrary: fc.constantFrom('Shift', 'Backspace', 'ArrowLeft', 'Process', 'Dead').map((key) => ({ key })) },
  { weight: 1, arbitrary: fc.constantFrom('a', 'n', 'Process').map((key) => ({ key, isComposing: true })) },
  { weight: 1, arbitrary: fc.constantFrom('c', 'v', 'Enter').map((key) => ({ key, ctrlKey: true })) },
  { weight: 1, arbitrary: fc.constantFrom('x', 'Tab').map((key) => ({ key, shiftKey: true })) },
  { weight: 1, arbitrary: fc.constantFrom('x', '1').map((key) => ({ key, repeat: true })) },
);

/** Gaps from scanner-fast to clearly human, with exact threshold values over-represented. */
const gapArb = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(29, 30, 31, 32, 50, 51), fc.integer({ min: 0, max: 300 }), fc.double({ min: 0, max: 60, noNaN: true }));

const timelineArb = fc
  .array(fc.record({ gap: gapArb, event: keyArb, target: fc.constantFrom('name', 'name', 'name', 'phone') }), { maxLength: 40 })
  .map((steps) => {
    let t = 1_000;
    return steps.map(({ gap, event, target }) => {
      t += gap;
      return { ...event, timeStamp: t, target } as WedgeKeyEvent<string>;
    });
  });

const optionsArb: fc.Arbitrary<Partial<WedgeOptions>> = fc.record({
  minLength: fc.integer({ min: 2, max: 10 }),
  maxGapMs: fc.integer({ min: 5, max: 60 }),
  terminators: fc.constantFrom(['Enter', 'Tab'], ['Enter'], ['Tab'], []),
  unterminated: fc.option(fc.record({ idleMs: fc.integer({ min: 1, max: 120 }), minLength: fc.integer({ min: 2, max: 12 }) }), { nil: null }),
  maxLength: fc.integer({ min: 12, max: 40 }),
});

/** Keys the detector takes part in (everything else passes untouched). */
const participates = (e: WedgeKeyEvent<string>) => isPrintableKey(e.key) && !e.isComposing && !e.repeat && !e.ctrlKey && !e.altKey && !e.metaKey;
/** Keys that put text into the field when they reach it (auto-repeat included). */
const types = (e: WedgeKeyEvent<string>) => isPrintableKey(e.key) && !e.isComposing && !e.ctrlKey && !e.altKey && !e.metaKey;
/**
 * Order is checked for every key with an effect of its own. A bare modifier keydown (Shift…) has none —
 * the next key already carries it (`A`, not `a`) — and passes at once even while earlier keys are held,
 * which is what lets a scanner press Shift for capitals inside a burst.
 */
const ordered = (key: string) => !isModifierKey(key);

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`property violated: ${what}`);
}

describe('WedgeDetector (property)', () => {
  it(`never loses or reorders a keystroke (${RUNS} random timelines, hold mode)`, () => {
    fc.assert(
      fc.property(timelineArb, optionsArb, (events, options) => {
        const detector = new WedgeDetector<string>({ ...options, mode: 'hold' });
        const out = play(detector, events);
        // Every key took effect exactly once, in the order it was pressed (scans and swallowed terminators included).
        check(out.effects.map((e) => e.key).filter(ordered).join('\u0001') === events.map((e) => e.key).filter(ordered).join('\u0001'), 'effects in input order');
        check(out.effects.length === events.length, 'every key took effect once');
        // The brief's form: released characters + scanned texts, in order, are the input characters.
        const released = out.effects.filter((e) => e.via === 'release' || e.via === 'scan').map((e) => e.key);
        check(released.join('') === events.filter(participates).map((e) => e.key).join(''), 'released + scanned = input chars');
        check(detector.pending === 0 && detector.deadline === null, 'nothing left held');
      }),
      { numRuns: RUNS, seed: 20261126 },
    );
  });

  it('never takes a person for a scanner and hands every key back within maxGapMs + 1 ms', () => {
    fc.assert(
      fc.property(
        optionsArb,
        fc.array(fc.record({ key: fc.constantFrom(...'ab1 中-'), extraGap: fc.integer({ min: 1, max: 400 }) }), { minLength: 1, maxLength: 30 }),
        fc.constantFrom('Enter', 'Tab', null),
        (options, keys, terminator) => {
          const detector = new WedgeDetector<string>({ ...options, mode: 'hold' });
          const maxGap = detector.options.maxGapMs;
          let t = 0;
          const events: WedgeKeyEvent<string>[] = keys.map(({ key, extraGap }) => ({ key, timeStamp: (t += maxGap + extraGap), target: 'name' }));
          if (terminator) events.push({ key: terminator, timeStamp: t + maxGap + 1, target: 'name' });
          const out = play(detector, events);
          check(out.scans.length === 0, 'no scan from human-paced keys');
          check(out.fields.name === keys.map((k) => k.key).join(''), 'field holds exactly what was typed');
          check(out.releaseDelays.every((d) => d <= maxGap + 1), 'each key reaches the field within maxGap + 1 ms');
        },
      ),
      { numRuns: 20_000, seed: 7 },
    );
  });

  it('finds a scanner burst wherever it lands in a clerk’s typing', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9:_-]{6,40}$/),
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 41, maxLength: 41 }),
        fc.string({ unit: fc.constantFrom(...'abc 中'), maxLength: 8 }),
        fc.string({ unit: fc.constantFrom(...'xyz 文'), maxLength: 8 }),
        (code, gaps, before, after) => {
          const events: WedgeKeyEvent<string>[] = [];
          let t = 0;
          for (const key of Array.from(before)) events.push({ key, timeStamp: (t += 120), target: 'f' });
          t += 200;
          Array.from(code).forEach((key, i) => events.push({ key, timeStamp: (t += i === 0 ? 0 : (gaps[i] ?? 0)), target: 'f' }));
          events.push({ key: 'Enter', timeStamp: (t += gaps[40] ?? 0), target: 'f' });
          for (const key of Array.from(after)) events.push({ key, timeStamp: (t += 150), target: 'f' });
          const out = play(new WedgeDetector<string>(), events);
          check(out.scans.length === 1 && out.scans[0]?.text === code, 'exactly the code is scanned');
          check((out.fields.f ?? '') === before + after, 'the field has only the typing');
        },
      ),
      { numRuns: 20_000, seed: 11 },
    );
  });

  it('passthrough mode: removing each scan’s characters leaves exactly the typing', () => {
    fc.assert(
      fc.property(timelineArb, optionsArb, (events, options) => {
        const detector = new WedgeDetector<string>({ ...options, mode: 'passthrough' });
        const oneField = events.filter((e) => e.key !== 'Backspace').map((e) => ({ ...e, target: 'f' }));
        const out = play(detector, oneField);
        check(!out.handling.includes('hold') && out.releaseDelays.length === 0, 'never holds a key');
        const typed = oneField.filter(types).map((e) => e.key);
        const scanned = out.scans.map((s) => s.text).join('');
        // scans are removed from the field, so field + scanned texts are the typed keys (as multisets in order of removal)
        check(Array.from(out.fields.f ?? '').length + Array.from(scanned).length === typed.length, 'every typed key is in the field or in a scan');
        check(out.effects.filter((e) => e.via === 'swallow').length === out.scans.filter((s) => s.terminator !== null).length, 'only scan terminators are swallowed');
      }),
      { numRuns: 20_000, seed: 3 },
    );
  });

  it('a scan is only ever the latest burst: enough keys, each at most maxGapMs after the previous one', () => {
    fc.assert(
      fc.property(timelineArb, optionsArb, (events, options) => {
        const detector = new WedgeDetector<string>({ ...options, mode: 'hold' });
        const { maxGapMs, minLength, unterminated } = detector.options;
        const held: WedgeKeyEvent<string>[] = [];
        const take = (actions: readonly WedgeAction<string>[]) => {
          for (const a of actions) {
            const keys = held.splice(0, Array.from(a.text).length);
            check(keys.map((k) => k.key).join('') === a.text, 'action text is the held keys');
            if (a.type !== 'scan') continue;
            check(keys.length >= (a.terminator === null ? (unterminated?.minLength ?? Infinity) : minLength), 'scan long enough');
            check(keys.every((k, i) => i === 0 || k.timeStamp - (keys[i - 1] as WedgeKeyEvent).timeStamp <= maxGapMs), 'scan keys within maxGap');
            check(keys.every((k) => k.target === a.target), 'scan keys from one field');
          }
        };
        for (const event of events) {
          for (let d = detector.deadline; d !== null && d <= event.timeStamp; d = detector.deadline) take(detector.tick(d));
          const decision = detector.feed(event);
          take(decision.actions);
          if (decision.handling === 'hold') held.push(event);
        }
        take(detector.flush());
        check(held.length === 0, 'all held keys accounted for');
      }),
      { numRuns: 20_000, seed: 5 },
    );
  });
});
