import { describe, expect, it } from 'vitest';
import type { DeviceKind } from '../preload/contract';
import { testClock } from '../main/domain/clock';
import { DeviceRegistry, type DeviceAdapter, type HealthReport, type Timers } from './registry';

/** Timers run by hand: `run()` fires everything due by the current fake time. */
function manualTimers() {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers & { advance(ms: number): Promise<void>; delays: number[] } = {
    delays: [],
    setTimeout(fn, ms) {
      timers.delays.push(ms);
      pending.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout(h) {
      pending.delete(h as number);
    },
    async advance(ms) {
      now += ms;
      for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) {
          pending.delete(id);
          t.fn();
          await flush();
        }
      }
    },
  };
  return timers;
}
const flush = () => new Promise((r) => setTimeout(r, 0));

class FakeDevice implements DeviceAdapter {
  present = true;
  opens = 0;
  probeReport: HealthReport | null = null;
  private lostListeners = new Set<(r: string) => void>();
  constructor(
    readonly id: string,
    readonly kind: DeviceKind = 'printer',
    readonly label = '打印机',
    readonly emulated = true,
  ) {}
  async open() {
    this.opens++;
    if (!this.present) throw new Error('device not found');
  }
  async close() {}
  probe = async () => this.probeReport ?? { health: 'ok' as const, detail: '正常' };
  onLost(l: (r: string) => void) {
    this.lostListeners.add(l);
    return () => this.lostListeners.delete(l);
  }
  unplug() {
    this.present = false;
    for (const l of this.lostListeners) l('unplugged');
  }
}

function setup(opts: { probeIntervalMs?: number } = {}) {
  const timers = manualTimers();
  const registry = new DeviceRegistry({ clock: testClock(), timers, random: () => 0.999, backoff: { initialMs: 1000, maxMs: 8000 }, ...opts });
  const changes: string[][] = [];
  registry.subscribe((s) => changes.push(s.map((d) => `${d.kind}:${d.health}`)));
  return { timers, registry, changes };
}

describe('DeviceRegistry', () => {
  it('opens registered devices and reports their health', async () => {
    const { registry } = setup();
    const printer = new FakeDevice('p1');
    registry.add(printer);
    expect(registry.statuses()[0]).toMatchObject({ health: 'unknown' });
    await registry.start();
    expect(registry.statuses()[0]).toMatchObject({ kind: 'printer', health: 'ok', emulated: true });
  });

  it('marks a missing device absent and retries with capped exponential backoff', async () => {
    const { registry, timers } = setup();
    const reader = new FakeDevice('r1', 'idcard', '读卡器');
    reader.present = false;
    registry.add(reader);
    await registry.start();
    expect(registry.statuses()[0]).toMatchObject({ health: 'absent', detail: expect.stringContaining('device not found') });
    for (let i = 0; i < 5; i++) await timers.advance(10_000);
    expect(timers.delays.slice(0, 6)).toEqual([999, 1998, 3996, 7992, 7992, 7992]);
    reader.present = true;
    await timers.advance(10_000);
    expect(registry.statuses()[0]).toMatchObject({ health: 'ok' });
  });

  it('notices an unplug, says so, and reconnects when the device returns', async () => {
    const { registry, timers, changes } = setup();
    const printer = new FakeDevice('p1');
    registry.add(printer);
    await registry.start();
    printer.unplug();
    expect(registry.statuses()[0]).toMatchObject({ health: 'absent', detail: expect.stringContaining('设备已断开') });
    await timers.advance(1000);
    expect(registry.statuses()[0]!.health).toBe('absent');
    printer.present = true;
    await timers.advance(5000);
    expect(registry.statuses()[0]!.health).toBe('ok');
    // Failed retries update the detail (a change too); health went ok → absent → ok.
    expect(changes.map((c) => c[0]).filter((h, i, all) => h !== all[i - 1])).toEqual(['printer:ok', 'printer:absent', 'printer:ok']);
  });

  it('retries at once on a hot-plug notice instead of waiting for the backoff', async () => {
    const { registry, timers } = setup();
    const scanner = new FakeDevice('s1', 'scanner', '扫码枪');
    scanner.present = false;
    registry.add(scanner);
    await registry.start();
    for (let i = 0; i < 4; i++) await timers.advance(10_000);
    scanner.present = true;
    registry.notifyAttached();
    await flush();
    expect(registry.statuses()[0]!.health).toBe('ok');
  });

  it('takes health from probes: paper near end is a warning', async () => {
    const { registry, timers } = setup({ probeIntervalMs: 2000 });
    const printer = new FakeDevice('p1');
    registry.add(printer);
    await registry.start();
    printer.probeReport = { health: 'warning', detail: '纸将用尽' };
    await timers.advance(2000);
    expect(registry.statuses()[0]).toMatchObject({ health: 'warning', detail: '纸将用尽' });
    registry.report('p1', { health: 'error', detail: '打印机缺纸' });
    expect(registry.statuses()[0]).toMatchObject({ health: 'error' });
  });

  it('stops cleanly: no retries after stop', async () => {
    const { registry, timers } = setup();
    const d = new FakeDevice('x');
    d.present = false;
    registry.add(d);
    await registry.start();
    await registry.stop();
    const opens = d.opens;
    await timers.advance(60_000);
    expect(d.opens).toBe(opens);
  });

  it('refuses the same device twice', () => {
    const { registry } = setup();
    registry.add(new FakeDevice('p1'));
    expect(() => registry.add(new FakeDevice('p1'))).toThrow(/already registered/);
  });
});
