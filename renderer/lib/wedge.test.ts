import { describe, expect, it } from 'vitest';
import { FAST_TYPIST_INTERVAL, typingTimeline, wedgeKeyTimeline, type TypingOptions } from '../../drivers/emulators/scanner-wedge';
import { isPrintableKey, WedgeDetector, type WedgeKeyEvent } from './wedge';
import { key, play } from './wedge-test-support';

const CODE = 'HALL1:T:20261126:A012:Sig_x-9';
const WECHAT = '134567890123456789';

/** Emulator events, aimed at one field. */
function scanner(text: string, options: Omit<TypingOptions, 'target'> = {}): WedgeKeyEvent<string>[] {
  return wedgeKeyTimeline<string>(text, { target: 'field', ...options });
}
function typist(text: string, options: Omit<TypingOptions, 'target'> = {}): WedgeKeyEvent<string>[] {
  return typingTimeline<string>(text, { intervalMs: FAST_TYPIST_INTERVAL, terminator: null, target: 'field', ...options });
}

describe('WedgeDetector: scans', () => {
  it('recognises a scanner at 5–20 ms per key ending in Enter; nothing reaches the field', () => {
    const out = play(new WedgeDetector<string>(), scanner(CODE));
    expect(out.scans).toEqual([{ text: CODE, target: 'field', terminator: 'Enter', at: expect.any(Number) }]);
    expect(out.fields).toEqual({});
    expect(out.handling.at(-1)).toBe('swallow');
  });

  it('recognises Tab as a terminator and keeps capitals typed with Shift', () => {
    const events = scanner('AbC-123-XyZ', { terminator: 'Tab' });
    expect(events.filter((e) => e.key === 'Shift')).toHaveLength(4);
    const out = play(new WedgeDetector<string>(), events);
    expect(out.scans.map((s) => [s.text, s.terminator])).toEqual([['AbC-123-XyZ', 'Tab']]);
    expect(out.fields).toEqual({});
  });

  it('takes exactly 30 ms gaps as a scan and 31 ms as human (threshold inclusive)', () => {
    expect(play(new WedgeDetector<string>(), scanner('ABCDEFGH', { intervalMs: 30 })).scans).toHaveLength(1);
    const slow = play(new WedgeDetector<string>(), scanner('ABCDEFGH', { intervalMs: 31 }));
    expect(slow.scans).toEqual([]);
    expect(slow.fields.field).toBe('ABCDEFGH');
  });

  it('needs at least 6 characters: 5 fast ones and Enter are typing', () => {
    const out = play(new WedgeDetector<string>(), scanner('A0123'));
    expect(out.scans).toEqual([]);
    expect(out.fields.field).toBe('A0123');
    expect(out.effects.map((e) => e.key).join('')).toBe('ShiftA0123Enter'); // released before Enter takes effect
    expect(out.effects.at(-1)).toMatchObject({ key: 'Enter', via: 'pass' });
    expect(play(new WedgeDetector<string>(), scanner('A01234')).scans).toHaveLength(1);
  });

  it('treats a gap over 30 ms before the terminator as human', () => {
    const events = scanner('ABCDEFGH', { terminator: null });
    const last = events.at(-1) as WedgeKeyEvent<string>;
    const out = play(new WedgeDetector<string>(), [...events, key('Enter', last.timeStamp + 31)]);
    expect(out.scans).toEqual([]);
    expect(out.fields.field).toBe('ABCDEFGH');
    expect(out.effects.at(-1)).toMatchObject({ key: 'Enter', via: 'pass' });
  });

  it('reads two codes scanned back to back', () => {
    const first = scanner('6901234567892');
    const second = scanner(WECHAT, { startAt: (first.at(-1) as WedgeKeyEvent).timeStamp + 8, seed: 7 });
    const out = play(new WedgeDetector<string>(), [...first, ...second]);
    expect(out.scans.map((s) => s.text)).toEqual(['6901234567892', WECHAT]);
  });

  it('uses configurable thresholds', () => {
    const detector = new WedgeDetector<string>({ minLength: 4, maxGapMs: 50, terminators: ['Enter'] });
    expect(play(detector, scanner('A012', { intervalMs: 45 })).scans.map((s) => s.text)).toEqual(['A012']);
    expect(play(new WedgeDetector<string>({ terminators: ['Enter'] }), scanner('ABCDEFG', { terminator: 'Tab' })).scans).toEqual([]);
  });
});

describe('WedgeDetector: scanners without a terminator', () => {
  it('hands the burst back as typing when unterminated scans are off (the default)', () => {
    const out = play(new WedgeDetector<string>(), scanner('6901234567892', { terminator: null }));
    expect(out.scans).toEqual([]);
    expect(out.fields.field).toBe('6901234567892');
  });

  it('ends the scan after the idle timeout when configured', () => {
    const detector = new WedgeDetector<string>({ unterminated: { idleMs: 80, minLength: 8 } });
    const events = scanner('6901234567892', { terminator: null });
    const lastAt = (events.at(-1) as WedgeKeyEvent).timeStamp;
    expect(detector.feed(events[0] as WedgeKeyEvent<string>).handling).toBe('hold');
    const out = play(detector, events.slice(1));
    expect(out.scans).toEqual([{ text: '6901234567892', target: 'field', terminator: null, at: lastAt + 81 }]);
    expect(out.fields).toEqual({});
  });

  it('still hands back short fast bursts after maxGap, not after the longer idle timeout', () => {
    const detector = new WedgeDetector<string>({ unterminated: { idleMs: 200, minLength: 8 } });
    const out = play(detector, scanner('ab', { terminator: null }));
    expect(out.scans).toEqual([]);
    expect(Math.max(...out.releaseDelays)).toBeLessThanOrEqual(31 + 20);
  });

  it('ends an unterminated scan when the next key comes instead of waiting', () => {
    const detector = new WedgeDetector<string>({ unterminated: { idleMs: 100, minLength: 8 } });
    const code = scanner('6901234567892', { terminator: null });
    const lastAt = (code.at(-1) as WedgeKeyEvent).timeStamp;
    const out = play(detector, [...code, key('Backspace', lastAt + 50)]);
    expect(out.scans.map((s) => s.text)).toEqual(['6901234567892']);
    expect(out.effects.at(-1)).toMatchObject({ key: 'Backspace', via: 'pass' });
  });
});

describe('WedgeDetector: a clerk’s typing is never lost', () => {
  it('lets a fast typist at 40 ms through, each key within 31 ms', () => {
    const out = play(new WedgeDetector<string>(), typist('ZhangSan 13800138000', { terminator: 'Enter' }));
    expect(out.scans).toEqual([]);
    expect(out.fields.field).toBe('ZhangSan 13800138000');
    expect(Math.max(...out.releaseDelays)).toBeLessThanOrEqual(31);
    expect(out.effects.at(-1)).toMatchObject({ key: 'Enter', via: 'pass' });
  });

  it('handles a clerk typing into a field while a scan arrives', () => {
    const before = typist('Wang', { startAt: 0, intervalMs: 150 });
    const scan = scanner(WECHAT, { startAt: 700 });
    const scanEnd = (scan.at(-1) as WedgeKeyEvent).timeStamp;
    const after = typist(' Wu', { startAt: scanEnd + 200, intervalMs: 120 });
    const out = play(new WedgeDetector<string>(), [...before, ...scan, ...after]);
    expect(out.scans.map((s) => s.text)).toEqual([WECHAT]);
    expect(out.fields.field).toBe('Wang Wu');
  });

  it('keeps order around Backspace: held keys land before the Backspace takes effect', () => {
    const out = play(new WedgeDetector<string>(), [key('a', 0), key('b', 10), key('Backspace', 20), key('c', 100)]);
    expect(out.effects.map((e) => e.key)).toEqual(['a', 'b', 'Backspace', 'c']);
    expect(out.fields.field).toBe('ac');
  });

  it('never holds keys during IME composition and releases earlier keys first', () => {
    const detector = new WedgeDetector<string>();
    expect(detector.feed(key('a', 0)).handling).toBe('hold');
    const composing = detector.feed(key('Process', 5, { isComposing: true }));
    expect(composing).toEqual({ handling: 'pass', actions: [{ type: 'release', target: 'field', text: 'a' }] });
    expect(detector.feed(key('n', 10, { isComposing: true }))).toEqual({ handling: 'pass', actions: [] });
    expect(detector.feed(key('Shift', 12, { isComposing: true }))).toEqual({ handling: 'pass', actions: [] });
    expect(detector.pending).toBe(0);
  });

  it('does not let Shift alone end a burst or count as a key', () => {
    const detector = new WedgeDetector<string>();
    detector.feed(key('a', 0));
    expect(detector.feed(key('Shift', 5))).toEqual({ handling: 'pass', actions: [] });
    expect(detector.pending).toBe(1);
  });

  it('passes shortcuts and auto-repeat through, releasing held keys first', () => {
    const detector = new WedgeDetector<string>();
    detector.feed(key('x', 0));
    expect(detector.feed(key('v', 5, { ctrlKey: true }))).toEqual({ handling: 'pass', actions: [{ type: 'release', target: 'field', text: 'x' }] });
    detector.feed(key('y', 100));
    expect(detector.feed(key('y', 110, { repeat: true }))).toEqual({ handling: 'pass', actions: [{ type: 'release', target: 'field', text: 'y' }] });
    expect(detector.feed(key('Tab', 500, { shiftKey: true })).handling).toBe('pass');
  });

  it('hands held keys back to the field they were typed in when focus moves', () => {
    const out = play(new WedgeDetector<string>(), [key('a', 0, { target: 'name' }), key('b', 5, { target: 'phone' }), key('c', 100, { target: 'phone' })]);
    expect(out.fields).toEqual({ name: 'a', phone: 'bc' });
    expect(out.effects.map((e) => e.key)).toEqual(['a', 'b', 'c']);
  });

  it('does not join a scan across a focus change', () => {
    const events = scanner(WECHAT).map((e, i) => (i < 6 ? e : { ...e, target: 'other' }));
    const out = play(new WedgeDetector<string>(), events);
    expect(out.scans.map((s) => [s.text, s.target])).toEqual([[WECHAT.slice(6), 'other']]);
    expect(out.fields).toEqual({ field: WECHAT.slice(0, 6) });
  });

  it('releases everything on flush (blur, pointer down)', () => {
    const detector = new WedgeDetector<string>();
    detector.feed(key('a', 0));
    detector.feed(key('b', 3));
    expect(detector.flush()).toEqual([{ type: 'release', target: 'field', text: 'ab' }]);
    expect(detector.flush()).toEqual([]);
    expect(detector.deadline).toBeNull();
  });

  it('hands back a burst longer than maxLength instead of calling it a scan', () => {
    const detector = new WedgeDetector<string>({ maxLength: 10 });
    const out = play(detector, scanner('0123456789ABCDEF'));
    expect(out.scans).toEqual([]);
    expect(out.fields.field).toBe('0123456789ABCDEF');
  });

  it('never reports the tail of a burst the timer already ended (a late key after a busy main thread)', () => {
    const detector = new WedgeDetector<string>();
    const events = scanner('ABCDEFGHIJKLMNOP', { intervalMs: 10, shiftForCapitals: false });
    for (const e of events.slice(0, 8)) detector.feed(e);
    expect(detector.tick(200)).toEqual([{ type: 'release', target: 'field', text: 'ABCDEFGH' }]); // timer ran late…
    const rest = events.slice(8).map((e) => detector.feed(e)); // …then the queued keys arrive
    expect(rest.at(-1)).toEqual({ handling: 'pass', actions: [{ type: 'release', target: 'field', text: 'IJKLMNOP' }] });
  });
});

describe('WedgeDetector: passthrough mode', () => {
  it('lets keys through and says how many scanned characters to remove', () => {
    const detector = new WedgeDetector<string>({ mode: 'passthrough' });
    const out = play(detector, [...typist('ab'), ...scanner(WECHAT, { startAt: 500 })]);
    expect(out.handling.filter((h) => h === 'hold')).toEqual([]);
    expect(out.scans.map((s) => s.text)).toEqual([WECHAT]);
    expect(out.fields.field).toBe('ab');
    expect(out.handling.at(-1)).toBe('swallow');
  });

  it('emits no release actions: the keys already went through', () => {
    const detector = new WedgeDetector<string>({ mode: 'passthrough' });
    detector.feed(key('a', 0));
    expect(detector.tick(100)).toEqual([]);
    expect(detector.pending).toBe(0);
  });

  it('reports typedIntoField for the removal', () => {
    const detector = new WedgeDetector<string>({ mode: 'passthrough' });
    const events = scanner('中文ABC12', { terminator: null, shiftForCapitals: false });
    for (const e of events) expect(detector.feed(e).handling).toBe('pass');
    const { actions } = detector.feed(key('Enter', (events.at(-1) as WedgeKeyEvent).timeStamp + 10));
    expect(actions).toMatchObject([{ type: 'scan', text: '中文ABC12', typedIntoField: 7 }]);
  });
});

describe('WedgeDetector: clock and options', () => {
  it('has a deadline only while keys are pending, and tick before it does nothing', () => {
    const detector = new WedgeDetector<string>();
    expect(detector.deadline).toBeNull();
    detector.feed(key('a', 1000));
    expect(detector.deadline).toBe(1031);
    expect(detector.tick(1030)).toEqual([]);
    expect(detector.tick(1031)).toEqual([{ type: 'release', target: 'field', text: 'a' }]);
    expect(detector.deadline).toBeNull();
  });

  it('refuses nonsense thresholds', () => {
    expect(() => new WedgeDetector<string>({ minLength: 0 })).toThrow(RangeError);
    expect(() => new WedgeDetector<string>({ minLength: 1 })).toThrow(RangeError);
    expect(() => new WedgeDetector<string>({ unterminated: { idleMs: 50, minLength: 1 } })).toThrow(RangeError);
    expect(() => new WedgeDetector<string>({ maxGapMs: 0 })).toThrow(RangeError);
    expect(() => new WedgeDetector<string>({ maxLength: 3 })).toThrow(RangeError);
    expect(() => new WedgeDetector<string>({ unterminated: { idleMs: -1, minLength: 8 } })).toThrow(RangeError);
  });

  it('knows printable keys', () => {
    for (const k of ['a', 'Z', '0', ' ', '中', '😀', '-']) expect(isPrintableKey(k), k).toBe(true);
    for (const k of ['Enter', 'Tab', 'Backspace', 'Shift', 'Dead', 'Unidentified', '', '\u0000', '\u007f', 'ab']) expect(isPrintableKey(k), k).toBe(false);
  });
});
