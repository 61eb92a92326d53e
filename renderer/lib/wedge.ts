/**
 * Keyboard-wedge scanner detection (hardware note: characters ≤ 30 ms apart, ≥ 6 of them, ending in
 * Enter/Tab), as a pure state machine: feed it keydown events, it says what to do with each one and
 * when to hand back keys it kept. No DOM, no timers: the caller passes `timeStamp`s and calls `tick`
 * at `deadline` (see wedge-dom.ts for the browser binding).
 *
 * The rule that matters: a clerk's typing is never lost or reordered. Printable keys are kept only while
 * they may still be the start of a scan; the moment the burst turns out human (a gap > maxGapMs, fewer
 * than minLength keys before the terminator, another key, IME composition, a focus change) they are
 * handed back, in order, before the key that revealed it takes effect.
 *
 * Two ways to use it (`mode`):
 *
 * - `hold` (recommended, the default): the caller `preventDefault`s keys the detector `hold`s and inserts
 *   `release` texts into the field. A scanned code never enters whatever field has focus — a payment
 *   code cannot end up in a remark field that autosaves or syncs, search-as-you-type never sees it, and
 *   the Enter that ends a scan never submits a form. The price: a typed key reaches the field ≤ maxGapMs
 *   later (30 ms: below what a person notices) and the caller must insert text (Chromium's
 *   `insertText`, which keeps undo and fires the input events React listens to).
 * - `passthrough`: every printable key goes through untouched; a `scan` action says how many characters
 *   were typed into the field so the caller removes them, and the terminator is swallowed. Simpler to
 *   wire, but the code is briefly in the field (onChange fires with it) and removal assumes the field
 *   kept what was typed (no masks, no maxLength cuts).
 *
 * IME: keys during composition (`isComposing`, key `Process`) are never kept — they end a burst and
 * pass, so Chinese input behaves as if the detector were not there. Auto-repeat (`repeat`) is human.
 */

export interface WedgeKeyEvent<T = unknown> {
  /** `KeyboardEvent.key`: one character for printable keys, a name (`Enter`, `Backspace`, `Shift`…) otherwise. */
  readonly key: string;
  /** `KeyboardEvent.timeStamp` (ms, monotonic). */
  readonly timeStamp: number;
  readonly isComposing?: boolean;
  readonly repeat?: boolean;
  readonly shiftKey?: boolean;
  readonly ctrlKey?: boolean;
  readonly altKey?: boolean;
  readonly metaKey?: boolean;
  /** Where the key went (the focused element, or an id). Compared with `===`; a change ends a burst. */
  readonly target?: T;
}

export type WedgeMode = 'hold' | 'passthrough';

export interface WedgeOptions {
  mode: WedgeMode;
  /** Fewest characters a scan has. */
  minLength: number;
  /** Largest gap between two keys of a scan, including the terminator (ms). */
  maxGapMs: number;
  /** Keys that end a scan (without Shift/Ctrl/Alt/Meta). */
  terminators: readonly string[];
  /** Scanners configured without a terminator: a burst of ≥ minLength keys ends after idleMs of quiet. */
  unterminated: { readonly idleMs: number; readonly minLength: number } | null;
  /** A burst longer than this is not a scan (and is handed back). */
  maxLength: number;
}

export const DEFAULT_WEDGE_OPTIONS: Readonly<WedgeOptions> = {
  mode: 'hold',
  minLength: 6,
  maxGapMs: 30,
  terminators: ['Enter', 'Tab'],
  unterminated: null,
  maxLength: 4096,
};

export type WedgeAction<T = unknown> =
  /** hold mode: insert `text` into `target` now, before the current key's own effect. */
  | { readonly type: 'release'; readonly target: T | undefined; readonly text: string }
  /**
   * A scan. hold mode: none of it reached the field. passthrough mode: `typedIntoField` characters
   * (code points) just before the caret of `target` are the scan's and should be removed.
   */
  | {
      readonly type: 'scan';
      readonly target: T | undefined;
      readonly text: string;
      readonly terminator: string | null;
      readonly startedAt: number;
      readonly endedAt: number;
      readonly typedIntoField: number;
    };

/** `pass`: let the browser handle the key. `hold`: preventDefault, the detector keeps it. `swallow`: preventDefault, it ended a scan. */
export type WedgeHandling = 'pass' | 'hold' | 'swallow';

export interface WedgeDecision<T = unknown> {
  readonly handling: WedgeHandling;
  /** Run these first, in order, then apply `handling` to the event. */
  readonly actions: readonly WedgeAction<T>[];
}

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'OS', 'CapsLock', 'NumLock', 'ScrollLock', 'Fn', 'FnLock', 'Hyper', 'Super', 'Symbol', 'SymbolLock']);

/** A key that only modifies others (Shift, Control…): never part of a burst, never ends one. */
export function isModifierKey(key: string): boolean {
  return MODIFIER_KEYS.has(key);
}

/** One character that types text (`KeyboardEvent.key` of a printable key). */
export function isPrintableKey(key: string): boolean {
  if (key.length === 0 || key.length > 2) return false;
  const chars = Array.from(key);
  if (chars.length !== 1) return false;
  const code = key.codePointAt(0) ?? 0;
  return code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code <= 0x9f);
}

function validate(o: WedgeOptions): WedgeOptions {
  const positive = (n: number) => Number.isFinite(n) && n > 0;
  // A one-key "scan" would turn every key a person types into a scan.
  if (!Number.isInteger(o.minLength) || o.minLength < 2) throw new RangeError('minLength must be an integer ≥ 2');
  if (!positive(o.maxGapMs)) throw new RangeError('maxGapMs must be > 0');
  if (!Number.isInteger(o.maxLength) || o.maxLength < o.minLength) throw new RangeError('maxLength must be ≥ minLength');
  if (o.unterminated && (!positive(o.unterminated.idleMs) || !Number.isInteger(o.unterminated.minLength) || o.unterminated.minLength < 2)) {
    throw new RangeError('unterminated needs idleMs > 0 and an integer minLength ≥ 2');
  }
  return o;
}

interface Held {
  readonly key: string;
  readonly timeStamp: number;
}

export class WedgeDetector<T = unknown> {
  readonly options: Readonly<WedgeOptions>;
  private held: Held[] = [];
  private target: T | undefined = undefined;
  /**
   * The current burst continues one that already ended — past maxLength, or ended by `tick` when the
   * timer ran before a queued key: the first part was handed back or reported, so this tail must never
   * be reported as a scan of its own (a truncated code is worse than no code).
   */
  private tainted = false;
  /** Last key time of the burst `tick` ended most recently. */
  private lastTickEndedAt = Number.NEGATIVE_INFINITY;

  constructor(options: Partial<WedgeOptions> = {}) {
    this.options = validate({ ...DEFAULT_WEDGE_OPTIONS, ...options });
  }

  /** Keys currently kept (hold mode) or tracked as a possible scan (passthrough mode). */
  get pending(): number {
    return this.held.length;
  }

  /** When `tick` has work to do (same clock as `timeStamp`); `null` when nothing is pending. */
  get deadline(): number | null {
    const last = this.held[this.held.length - 1];
    if (!last) return null;
    const u = this.options.unterminated;
    const wait = u && this.held.length >= u.minLength && !this.tainted ? Math.max(u.idleMs, this.options.maxGapMs) : this.options.maxGapMs;
    return last.timeStamp + wait + 1;
  }

  feed(event: WedgeKeyEvent<T>): WedgeDecision<T> {
    const { key } = event;
    if (MODIFIER_KEYS.has(key) && !event.isComposing) return { handling: 'pass', actions: [] }; // scanners press Shift for capitals
    if (event.isComposing || key === 'Process' || key === 'Dead' || event.repeat) return { handling: 'pass', actions: this.endBurst() };
    const shortcut = Boolean(event.ctrlKey || event.altKey || event.metaKey);
    const continues = this.continues(event);

    if (this.options.terminators.includes(key) && !shortcut && !event.shiftKey) {
      if (continues && !this.tainted && this.held.length >= this.options.minLength) {
        return { handling: 'swallow', actions: [this.scan(key)] };
      }
      return { handling: 'pass', actions: this.endBurst() };
    }

    if (!isPrintableKey(key) || shortcut) return { handling: 'pass', actions: this.endBurst() };

    const overflow = continues && this.held.length >= this.options.maxLength;
    const actions = continues && !overflow ? [] : this.endBurst(overflow);
    if (this.held.length === 0) {
      // The rest of an overlong burst, or of one the timer ended too early, is never a scan of its own.
      this.tainted = overflow || event.timeStamp - this.lastTickEndedAt <= this.options.maxGapMs;
      this.target = event.target;
    }
    this.held.push({ key, timeStamp: event.timeStamp });
    return { handling: this.options.mode === 'hold' ? 'hold' : 'pass', actions };
  }

  /** Call at (or after) `deadline` with the current time: resolves a burst that has gone quiet. */
  tick(now: number): WedgeAction<T>[] {
    const deadline = this.deadline;
    const last = this.held[this.held.length - 1];
    if (deadline === null || !last || now < deadline) return [];
    this.lastTickEndedAt = last.timeStamp;
    return this.endBurst();
  }

  /** End the burst now — on blur, pointer down, window hide — handing back what was kept. */
  flush(): WedgeAction<T>[] {
    return this.endBurst();
  }

  private continues(event: WedgeKeyEvent<T>): boolean {
    const last = this.held[this.held.length - 1];
    return last !== undefined && event.target === this.target && event.timeStamp - last.timeStamp <= this.options.maxGapMs;
  }

  private scan(terminator: string | null): WedgeAction<T> {
    const held = this.held;
    const first = held[0] as Held;
    const last = held[held.length - 1] as Held;
    const action: WedgeAction<T> = {
      type: 'scan',
      target: this.target,
      text: held.map((h) => h.key).join(''),
      terminator,
      startedAt: first.timeStamp,
      endedAt: last.timeStamp,
      typedIntoField: this.options.mode === 'passthrough' ? held.length : 0,
    };
    this.clear();
    return action;
  }

  /** The burst ended without a terminator: a scan if unterminated scans qualify, otherwise human. */
  private endBurst(human = false): WedgeAction<T>[] {
    const last = this.held[this.held.length - 1];
    if (!last) return [];
    const u = this.options.unterminated;
    if (u && !human && !this.tainted && this.held.length >= u.minLength) return [this.scan(null)];
    const text = this.held.map((h) => h.key).join('');
    const target = this.target;
    this.clear();
    return this.options.mode === 'hold' ? [{ type: 'release', target, text }] : [];
  }

  private clear(): void {
    this.held = [];
    this.target = undefined;
    this.tainted = false;
  }
}
