/**
 * An emulated keyboard-wedge scanner: the keydown timeline a USB scanner in keyboard mode "types" for a
 * code — one key per character a few milliseconds apart (Shift pressed for capitals, as a US-layout
 * keyboard does), then the terminator. For the renderer's wedge tests and the e2e, which replays
 * `wedgeTypingPlan` with Playwright at the same pace.
 *
 * The events are plain objects shaped like the renderer's `WedgeKeyEvent` (structurally; drivers never
 * import the renderer).
 */
import { seededRandom } from './random';

export { seededRandom };

export interface EmulatedKeyEvent<T = unknown> {
  readonly key: string;
  readonly timeStamp: number;
  readonly shiftKey: boolean;
  readonly isComposing: boolean;
  readonly repeat: boolean;
  readonly ctrlKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
  readonly target?: T;
}

export type Interval = number | { readonly min: number; readonly max: number };

export interface TypingOptions<T = unknown> {
  /** Time of the first key (ms). Default 0. */
  startAt?: number;
  /** Gap between keys (ms): fixed, or uniform in [min, max]. */
  intervalMs?: Interval;
  /** Key sent after the text; `null` for scanners configured without one. */
  terminator?: 'Enter' | 'Tab' | null;
  /** Emit a `Shift` keydown just before characters that need it (US layout). Default true. */
  shiftForCapitals?: boolean;
  /** Seed for the interval jitter (runs are reproducible). */
  seed?: number;
  target?: T;
}

/** Typical wedge scanner pace: 5–20 ms per key. */
export const SCANNER_INTERVAL: Interval = { min: 5, max: 20 };
/** A fast typist: 40 ms per key is still clearly human for a 30 ms threshold. */
export const FAST_TYPIST_INTERVAL: Interval = { min: 40, max: 40 };

const SHIFTED_SYMBOLS = new Set(Array.from('~!@#$%^&*()_+{}|:"<>?'));

function needsShift(ch: string): boolean {
  return (ch >= 'A' && ch <= 'Z') || SHIFTED_SYMBOLS.has(ch);
}


function intervals(interval: Interval, seed: number): () => number {
  if (typeof interval === 'number') return () => interval;
  const random = seededRandom(seed);
  return () => interval.min + random() * (interval.max - interval.min);
}

function keyEvent<T>(key: string, timeStamp: number, shiftKey: boolean, target: T | undefined): EmulatedKeyEvent<T> {
  return { key, timeStamp, shiftKey, isComposing: false, repeat: false, ctrlKey: false, altKey: false, metaKey: false, ...(target === undefined ? {} : { target }) };
}

/** Keydown events for `text` typed at the given pace (any typist: scanner or person). */
export function typingTimeline<T = unknown>(text: string, options: TypingOptions<T> = {}): EmulatedKeyEvent<T>[] {
  const next = intervals(options.intervalMs ?? SCANNER_INTERVAL, options.seed ?? 1);
  const shift = options.shiftForCapitals ?? true;
  const events: EmulatedKeyEvent<T>[] = [];
  let t = options.startAt ?? 0;
  Array.from(text).forEach((ch, i) => {
    if (i > 0) t += next();
    const shifted = needsShift(ch);
    if (shift && shifted) events.push(keyEvent('Shift', Math.max(options.startAt ?? 0, t - 1), true, options.target));
    events.push(keyEvent(ch, t, shifted, options.target));
  });
  const terminator = options.terminator === undefined ? 'Enter' : options.terminator;
  if (terminator) events.push(keyEvent(terminator, t + next(), false, options.target));
  return events;
}

/** What a wedge scanner types for a code (defaults: 5–20 ms per key, Enter at the end). */
export function wedgeKeyTimeline<T = unknown>(text: string, options: TypingOptions<T> = {}): EmulatedKeyEvent<T>[] {
  return typingTimeline(text, { intervalMs: SCANNER_INTERVAL, ...options });
}

/**
 * For Playwright: the keys to press and the gap (ms) before each one, 0 for the first; no Shift entries
 * (`page.keyboard.press('A')` adds Shift itself):
 *
 *   for (const { key, delayMs } of wedgeTypingPlan(code)) { await page.waitForTimeout(delayMs); await page.keyboard.press(key); }
 *
 * Each press is a round trip to the browser (a few ms), so the real gaps come out somewhat longer than
 * planned; the default 5–20 ms plan stays under the 30 ms threshold on a normal machine. An e2e that must
 * not depend on machine speed can dispatch the keydowns inside the page instead (same `timeStamp` clock).
 */
export function wedgeTypingPlan(text: string, options: Omit<TypingOptions, 'shiftForCapitals' | 'target' | 'startAt'> = {}): { key: string; delayMs: number }[] {
  const events = wedgeKeyTimeline(text, { ...options, shiftForCapitals: false, startAt: 0 });
  return events.map((e, i) => ({ key: e.key, delayMs: i === 0 ? 0 : Math.round(e.timeStamp - (events[i - 1] as EmulatedKeyEvent).timeStamp) }));
}
