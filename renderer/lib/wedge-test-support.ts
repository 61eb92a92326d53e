/**
 * Test support for the wedge detector: plays a keydown timeline the way the browser binding does
 * (the timer fires at `deadline` unless a key comes first) against a model of the focused fields, and
 * records what happened. Used by the unit and property tests only.
 */
import { isPrintableKey, type WedgeAction, type WedgeDetector, type WedgeHandling, type WedgeKeyEvent } from './wedge';

export interface PlayedScan {
  text: string;
  target: string | undefined;
  terminator: string | null;
  at: number;
}

export interface Outcome {
  /** Text of each field (by target id) after the timeline, as the clerk sees it. */
  fields: Record<string, string>;
  scans: PlayedScan[];
  /** Each key as it finally took effect, in order: released/passed keys, scan texts' keys, swallowed terminators. */
  effects: { key: string; via: 'pass' | 'release' | 'scan' | 'swallow'; at: number }[];
  handling: WedgeHandling[];
  /** For each released character: how long after its keydown it reached the field. */
  releaseDelays: number[];
}

const NO_TARGET = '(none)';

export function play(detector: WedgeDetector<string>, events: readonly WedgeKeyEvent<string>[], endAt?: number): Outcome {
  const out: Outcome = { fields: {}, scans: [], effects: [], handling: [], releaseDelays: [] };
  const heldTimes: number[] = []; // keydown times of keys the detector holds, in order
  const type = (target: string | undefined, text: string) => {
    const id = target ?? NO_TARGET;
    out.fields[id] = (out.fields[id] ?? '') + text;
  };
  const apply = (actions: readonly WedgeAction<string>[], at: number) => {
    for (const action of actions) {
      const keys = Array.from(action.text);
      if (action.type === 'release') {
        type(action.target, action.text);
        for (const key of keys) {
          out.effects.push({ key, via: 'release', at });
          out.releaseDelays.push(at - (heldTimes.shift() ?? at));
        }
      } else {
        out.scans.push({ text: action.text, target: action.target, terminator: action.terminator, at });
        for (const key of keys) out.effects.push({ key, via: 'scan', at });
        if (detector.options.mode === 'hold') heldTimes.splice(0, keys.length);
        else {
          const id = action.target ?? NO_TARGET;
          const chars = Array.from(out.fields[id] ?? '');
          out.fields[id] = chars.slice(0, chars.length - action.typedIntoField).join('');
        }
      }
    }
  };
  const runTimer = (until: number) => {
    for (let deadline = detector.deadline; deadline !== null && deadline <= until; deadline = detector.deadline) apply(detector.tick(deadline), deadline);
  };

  for (const event of events) {
    runTimer(event.timeStamp);
    const decision = detector.feed(event);
    apply(decision.actions, event.timeStamp);
    out.handling.push(decision.handling);
    if (decision.handling === 'hold') heldTimes.push(event.timeStamp);
    if (decision.handling === 'swallow') out.effects.push({ key: event.key, via: 'swallow', at: event.timeStamp });
    if (decision.handling === 'pass') {
      out.effects.push({ key: event.key, via: 'pass', at: event.timeStamp });
      if (isPrintableKey(event.key) && !event.ctrlKey && !event.altKey && !event.metaKey && !event.isComposing) type(event.target, event.key);
      if (event.key === 'Backspace') {
        const id = event.target ?? NO_TARGET;
        out.fields[id] = Array.from(out.fields[id] ?? '').slice(0, -1).join('');
      }
    }
  }
  runTimer(endAt ?? Number.POSITIVE_INFINITY);
  return out;
}

/** A keydown event with defaults. */
export function key(k: string, timeStamp: number, extra: Partial<WedgeKeyEvent<string>> = {}): WedgeKeyEvent<string> {
  return { key: k, timeStamp, target: 'field', ...extra };
}
