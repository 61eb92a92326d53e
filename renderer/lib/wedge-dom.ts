/**
 * The browser side of the wedge detector: one capture-phase keydown listener on `window` (it runs
 * before any element's or React's handlers), a timer for `deadline`, and the text insertion.
 *
 * What a key the detector holds looks like to the page: nothing, until it is released as text
 * (`preventDefault` + `stopImmediatePropagation`; on release the text is inserted with Chromium's
 * `insertText`, so React sees an ordinary input event and undo works). A swallowed terminator never
 * reaches a form or an `onPressEnter`.
 *
 * Keys typed where there is no text field (focus on a button or the page) are never held: there is
 * nothing to insert them into later, and a shortcut must keep working. The detector still sees them, so
 * a scan made while no field has focus is recognised all the same.
 *
 *   const detach = attachWedgeScanner(window, { onScan: (scan) => hall().scanner.submit(scan.text) });
 */
import { WedgeDetector, type WedgeAction, type WedgeOptions } from './wedge';

export interface WedgeScan {
  readonly text: string;
  readonly terminator: string | null;
  /** The element the scanner "typed" into (or the page). */
  readonly target: EventTarget | null;
}

/** DOM operations the binding needs; `browserDom` is the real one, tests pass a fake. */
export interface WedgeDom {
  isEditable(target: EventTarget | null): boolean;
  insertText(target: EventTarget | null, text: string): void;
  /** passthrough mode: delete `count` characters (code points) before the caret. */
  removeBeforeCaret(target: EventTarget | null, count: number): void;
}

export interface WedgeTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface AttachWedgeOptions extends Partial<WedgeOptions> {
  onScan(scan: WedgeScan): void;
  dom?: WedgeDom;
  timers?: WedgeTimers;
}

/** The subset of KeyboardEvent the binding reads. */
export interface KeydownLike {
  readonly key: string;
  readonly timeStamp: number;
  readonly target: EventTarget | null;
  readonly isComposing?: boolean;
  readonly repeat?: boolean;
  readonly shiftKey?: boolean;
  readonly ctrlKey?: boolean;
  readonly altKey?: boolean;
  readonly metaKey?: boolean;
  preventDefault(): void;
  stopImmediatePropagation(): void;
}

/** Where the listeners go: `window` in the app. */
export type ListenerHost = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

type TextField = HTMLInputElement | HTMLTextAreaElement;

function textField(target: EventTarget | null): TextField | null {
  const el = target as (Partial<TextField> & { tagName?: string; type?: string }) | null;
  if (!el || typeof el.tagName !== 'string' || typeof el.setRangeText !== 'function') return null;
  if (el.tagName === 'TEXTAREA') return el as TextField;
  const textTypes = ['text', 'search', 'tel', 'url', 'email', 'password', 'number', ''];
  return el.tagName === 'INPUT' && textTypes.includes(el.type ?? '') ? (el as TextField) : null;
}

export const browserDom: WedgeDom = {
  isEditable(target) {
    const el = target as (HTMLElement & { readOnly?: boolean; disabled?: boolean }) | null;
    if (!el) return false;
    if (el.isContentEditable) return true;
    const field = textField(target);
    return field !== null && !field.readOnly && !field.disabled;
  },
  insertText(target, text) {
    const doc = (target as Node | null)?.ownerDocument;
    // insertText keeps the undo stack and fires beforeinput/input as typing does (Chromium, hence Electron).
    if (doc && doc.activeElement === target && doc.execCommand('insertText', false, text)) return;
    const field = textField(target);
    if (!field) return;
    const start = field.selectionStart ?? field.value.length;
    field.setRangeText(text, start, field.selectionEnd ?? start, 'end');
    field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
  },
  removeBeforeCaret(target, count) {
    const field = textField(target);
    if (!field || count <= 0) return;
    const end = field.selectionStart ?? field.value.length;
    const before = Array.from(field.value.slice(0, end));
    const start = before.slice(0, Math.max(0, before.length - count)).join('').length;
    field.setRangeText('', start, end, 'end');
    field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'deleteContentBackward' }));
  },
};

const browserTimers: WedgeTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Start detecting wedge scans on `host` (normally `window`). Returns the detach function. */
export function attachWedgeScanner(host: ListenerHost, options: AttachWedgeOptions): () => void {
  const { onScan, dom = browserDom, timers = browserTimers, ...wedgeOptions } = options;
  const detector = new WedgeDetector<EventTarget | null>(wedgeOptions);
  const passthrough = detector.options.mode === 'passthrough';
  /** Whether the burst being held went to an editable field (decided at its first key). */
  let holdingEditable = false;
  let timer: unknown = null;

  const run = (actions: readonly WedgeAction<EventTarget | null>[]) => {
    for (const action of actions) {
      if (action.type === 'release') {
        if (holdingEditable) dom.insertText(action.target ?? null, action.text);
        continue;
      }
      if (passthrough) dom.removeBeforeCaret(action.target ?? null, action.typedIntoField);
      onScan({ text: action.text, terminator: action.terminator, target: action.target ?? null });
    }
  };
  const schedule = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    const deadline = detector.deadline;
    if (deadline === null) return;
    timer = timers.setTimeout(
      () => {
        timer = null;
        run(detector.tick(timers.now()));
        schedule();
      },
      Math.max(0, deadline - timers.now()),
    );
  };

  const onKeydown = (event: KeydownLike): void => {
    const editable = dom.isEditable(event.target);
    const decision = detector.feed({
      key: event.key,
      timeStamp: event.timeStamp,
      target: event.target,
      isComposing: event.isComposing,
      repeat: event.repeat,
      shiftKey: event.shiftKey,
      ctrlKey: event.ctrlKey,
      altKey: event.altKey,
      metaKey: event.metaKey,
    });
    run(decision.actions); // before this key's own effect: order is kept
    if (decision.handling === 'hold' && detector.pending === 1) holdingEditable = editable; // this key starts a burst
    if (decision.handling === 'swallow' || (decision.handling === 'hold' && holdingEditable)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
    schedule();
  };
  const onFlush = () => {
    run(detector.flush());
    schedule();
  };

  const keydown = (event: Event) => onKeydown(event as KeyboardEvent);
  const capture = { capture: true } as const;
  host.addEventListener('keydown', keydown, capture);
  host.addEventListener('pointerdown', onFlush, capture);
  host.addEventListener('blur', onFlush, capture);
  return () => {
    onFlush();
    if (timer !== null) timers.clearTimeout(timer);
    host.removeEventListener('keydown', keydown, capture);
    host.removeEventListener('pointerdown', onFlush, capture);
    host.removeEventListener('blur', onFlush, capture);
  };
}
