/**
 * The injected time source: a function returning now. Services and repositories never call
 * `new Date()` themselves, so tests and seeded fault runs control time.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export interface TestClock extends Clock {
  advance(ms: number): void;
  set(time: Date | string): void;
}

/** A clock tests move by hand. */
export function testClock(start: Date | string = '2026-11-26T01:00:00.000Z'): TestClock {
  let t = new Date(start).getTime();
  const clock = (() => new Date(t)) as TestClock;
  clock.advance = (ms) => {
    t += ms;
  };
  clock.set = (time) => {
    t = new Date(time).getTime();
  };
  return clock;
}

/** Halls are in China: UTC+8 all year, no daylight saving. */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The calendar date in China at an instant, YYYY-MM-DD: the hall's business day, whatever the machine's time zone. */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The wall-clock time in China at an instant, HH:MM. */
export function chinaTime(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(11, 16);
}

/** Injectable timers (tests and the fault harness drive them; the real ones never keep the process alive). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
