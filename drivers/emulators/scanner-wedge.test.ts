import { describe, expect, it } from 'vitest';
import { FAST_TYPIST_INTERVAL, seededRandom, typingTimeline, wedgeKeyTimeline, wedgeTypingPlan } from './scanner-wedge';

describe('wedgeKeyTimeline', () => {
  it('types each character 5–20 ms apart and ends with Enter', () => {
    const events = wedgeKeyTimeline('6901234567892', { startAt: 1000 });
    expect(events.map((e) => e.key).join('')).toBe('6901234567892Enter');
    expect(events[0]?.timeStamp).toBe(1000);
    const gaps = events.slice(1).map((e, i) => e.timeStamp - (events[i]?.timeStamp ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(20);
  });

  it('presses Shift just before capitals and shifted symbols, as a US-layout keyboard does', () => {
    const events = wedgeKeyTimeline('aB:c', { intervalMs: 10 });
    expect(events.map((e) => `${e.key}@${e.timeStamp}${e.shiftKey ? '+' : ''}`)).toEqual(['a@0', 'Shift@9+', 'B@10+', 'Shift@19+', ':@20+', 'c@30', 'Enter@40']);
    expect(wedgeKeyTimeline('AB', { shiftForCapitals: false }).map((e) => e.key)).toEqual(['A', 'B', 'Enter']);
  });

  it('supports Tab or no terminator, fixed intervals and a target', () => {
    expect(wedgeKeyTimeline('ab', { terminator: 'Tab' }).at(-1)?.key).toBe('Tab');
    expect(wedgeKeyTimeline('ab', { terminator: null }).map((e) => e.key)).toEqual(['a', 'b']);
    expect(typingTimeline('abc', { intervalMs: FAST_TYPIST_INTERVAL, terminator: null }).map((e) => e.timeStamp)).toEqual([0, 40, 80]);
    expect(wedgeKeyTimeline('a', { target: 'field' })[0]?.target).toBe('field');
  });

  it('is reproducible for a seed and varies between seeds', () => {
    const times = (seed: number) => wedgeKeyTimeline('0123456789', { seed }).map((e) => e.timeStamp);
    expect(times(3)).toEqual(times(3));
    expect(times(3)).not.toEqual(times(4));
    const r = seededRandom(1);
    const values = Array.from({ length: 1000 }, r);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });

  it('gives Playwright a plan of keys and gaps without Shift entries', () => {
    const plan = wedgeTypingPlan('A012', { intervalMs: 8 });
    expect(plan).toEqual([
      { key: 'A', delayMs: 0 },
      { key: '0', delayMs: 8 },
      { key: '1', delayMs: 8 },
      { key: '2', delayMs: 8 },
      { key: 'Enter', delayMs: 8 },
    ]);
  });
});
