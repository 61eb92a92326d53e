import { describe, expect, it } from 'vitest';
import { watchHotplug } from './hotplug';

const flush = () => new Promise((r) => setTimeout(r, 0));

function manualInterval() {
  let fn: (() => void) | null = null;
  return {
    timers: { setInterval: (f: () => void) => ((fn = f), 1), clearInterval: () => (fn = null) },
    tick: async () => {
      fn?.();
      await flush();
    },
    get active() {
      return fn !== null;
    },
  };
}

describe('watchHotplug', () => {
  it('reports attached and detached devices between polls, not the first inventory', async () => {
    let hid = ['hid:0c2e:0b61'];
    let serial: string[] = [];
    const changes: unknown[] = [];
    const clock = manualInterval();
    const stop = watchHotplug({ listers: [async () => hid, async () => serial], onChange: (c) => changes.push(c), timers: clock.timers });
    await flush();
    expect(changes).toEqual([]);
    serial = ['serial:/dev/ttyUSB0'];
    await clock.tick();
    expect(changes).toEqual([{ attached: ['serial:/dev/ttyUSB0'], detached: [], source: 'poll' }]);
    hid = [];
    await clock.tick();
    expect(changes.at(-1)).toEqual({ attached: [], detached: ['hid:0c2e:0b61'], source: 'poll' });
    await clock.tick();
    expect(changes).toHaveLength(2);
    stop();
    expect(clock.active).toBe(false);
  });

  it('survives a failing lister and forwards usb connect events', async () => {
    const events = new EventTarget();
    const changes: { source: string }[] = [];
    const clock = manualInterval();
    const stop = watchHotplug({
      listers: [async () => Promise.reject(new Error('no hidraw')), async () => ['lp0']],
      onChange: (c) => changes.push(c),
      usbEvents: events,
      timers: clock.timers,
    });
    await flush();
    events.dispatchEvent(new Event('connect'));
    expect(changes).toEqual([{ attached: ['usb'], detached: [], source: 'usb' }]);
    stop();
    events.dispatchEvent(new Event('disconnect'));
    expect(changes).toHaveLength(1);
  });
});
