import { describe, expect, it } from 'vitest';
import { wedgeKeyTimeline } from '../../drivers/emulators/scanner-wedge';
import { attachWedgeScanner, type KeydownLike, type ListenerHost, type WedgeDom, type WedgeScan, type WedgeTimers } from './wedge-dom';

/** `window` satisfies the host type the binding asks for. */
export const windowIsAHost = (w: Window): ListenerHost => w;

interface FakeKey extends KeydownLike {
  prevented: boolean;
  stopped: boolean;
}

function harness(options: { mode?: 'hold' | 'passthrough' } = {}) {
  const listeners = new Map<string, EventListenerOrEventListenerObject[]>();
  const host: ListenerHost = {
    addEventListener: (type, listener) => {
      if (listener) listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
    removeEventListener: (type, listener) => {
      listeners.set(type, (listeners.get(type) ?? []).filter((l) => l !== listener));
    },
  };
  const call = (type: string, event: unknown) => {
    for (const l of listeners.get(type) ?? []) (l as (e: unknown) => void)(event);
  };
  let now = 0;
  const queue: { at: number; fn: () => void; id: number }[] = [];
  let seq = 0;
  const timers: WedgeTimers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      queue.push({ at: now + ms, fn, id: ++seq });
      return seq;
    },
    clearTimeout: (id) => queue.splice(0, queue.length, ...queue.filter((t) => t.id !== id)),
  };
  const fields: Record<string, string> = { name: '', page: '' };
  const dom: WedgeDom = {
    isEditable: (t) => (t as unknown) === 'name',
    insertText: (t, text) => (fields[t as unknown as string] += text),
    removeBeforeCaret: (t, n) => (fields[t as unknown as string] = Array.from(fields[t as unknown as string] ?? '').slice(0, -n).join('')),
  };
  const scans: WedgeScan[] = [];
  const detach = attachWedgeScanner(host, { onScan: (s) => scans.push(s), dom, timers, mode: options.mode ?? 'hold' });
  const advanceTo = (t: number) => {
    for (;;) {
      const due = queue.filter((q) => q.at <= t).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      queue.splice(queue.indexOf(due), 1);
      now = due.at;
      due.fn();
    }
    now = t;
  };
  /** Dispatch a keydown; if the page gets it (not prevented) and it is a character, the field types it. */
  const press = (key: string, at: number, target = 'name', extra: Partial<KeydownLike> = {}): FakeKey => {
    advanceTo(at);
    const event: FakeKey = {
      key,
      timeStamp: at,
      target: target as unknown as EventTarget,
      prevented: false,
      stopped: false,
      preventDefault() {
        this.prevented = true;
      },
      stopImmediatePropagation() {
        this.stopped = true;
      },
      ...extra,
    };
    call('keydown', event);
    if (!event.prevented && Array.from(key).length === 1 && target in fields) fields[target] += key;
    return event;
  };
  const fire = (type: string) => call(type, {});
  return { press, advanceTo, fields, scans, detach, fire, listeners };
}

describe('attachWedgeScanner', () => {
  it('holds a scan in a field, swallows its Enter and reports it; the field stays empty', () => {
    const h = harness();
    const events = wedgeKeyTimeline('134567890123456789', { startAt: 100, shiftForCapitals: false });
    const dispatched = events.map((e) => h.press(e.key, e.timeStamp));
    expect(h.scans).toEqual([{ text: '134567890123456789', terminator: 'Enter', target: 'name' }]);
    expect(h.fields.name).toBe('');
    expect(dispatched.every((e) => e.prevented && e.stopped)).toBe(true);
  });

  it('hands typing back to the field through the timer, in order', () => {
    const h = harness();
    h.press('Z', 0);
    h.press('h', 12);
    expect(h.fields.name).toBe(''); // still possibly a scan
    h.advanceTo(43);
    expect(h.fields.name).toBe('Zh');
    h.press('a', 200);
    h.press('Backspace', 210); // releases 'a' first, then the Backspace (our fake field ignores it)
    expect(h.fields.name).toBe('Zha');
    expect(h.scans).toEqual([]);
  });

  it('never holds keys where there is no text field, yet recognises a scan made there', () => {
    const h = harness();
    const first = h.press('n', 0, 'page');
    expect(first.prevented).toBe(false);
    for (const e of wedgeKeyTimeline('HALL1:T:20261126:A012:sig', { startAt: 500, shiftForCapitals: false })) {
      const ev = h.press(e.key, e.timeStamp, 'page');
      expect(ev.prevented).toBe(e.key === 'Enter');
    }
    expect(h.scans.map((s) => s.text)).toEqual(['HALL1:T:20261126:A012:sig']);
    h.advanceTo(10_000);
    expect(h.fields.page).toBe('nHALL1:T:20261126:A012:sig'); // what the page itself received, never re-inserted
  });

  it('flushes held keys on pointer down and on detach', () => {
    const h = harness();
    h.press('a', 0);
    h.fire('pointerdown');
    expect(h.fields.name).toBe('a');
    h.press('b', 100);
    h.detach();
    expect(h.fields.name).toBe('ab');
    expect([...h.listeners.values()].every((l) => l.length === 0)).toBe(true);
  });

  it('passthrough mode lets keys through and removes the scanned text afterwards', () => {
    const h = harness({ mode: 'passthrough' });
    h.press('x', 0);
    const events = wedgeKeyTimeline('6901234567892', { startAt: 300 });
    const dispatched = events.map((e) => h.press(e.key, e.timeStamp));
    expect(dispatched.filter((e) => e.prevented).map((e) => e.key)).toEqual(['Enter']);
    expect(h.scans.map((s) => s.text)).toEqual(['6901234567892']);
    expect(h.fields.name).toBe('x');
  });
});
