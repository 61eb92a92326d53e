import { describe, expect, it } from 'vitest';
import { createEmulatedPair, EmulatedDevice } from './emulated';
import { TransportError } from './transport';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const collect = (t: { onData(l: (c: Uint8Array) => void): () => void }): Uint8Array[] => {
  const chunks: Uint8Array[] = [];
  t.onData((c) => chunks.push(c));
  return chunks;
};
const joined = (chunks: Uint8Array[]): number[] => chunks.flatMap((c) => Array.from(c));

describe('EmulatedDevice / EmulatedTransport', () => {
  it('carries bytes both ways and identifies itself', async () => {
    const { device, factory } = createEmulatedPair({ name: 'reader' });
    const t = factory();
    expect(t.kind).toBe('emulated');
    expect(t.id).toBe('emulated:reader');
    const seen: number[][] = [];
    device.onHostWrite((b) => seen.push(Array.from(b)));
    const chunks = collect(t);
    await t.open();
    expect(device.openTransports).toBe(1);
    await t.write(bytes(1, 2, 3));
    await device.push(bytes(9, 8));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([[1, 2, 3]]);
    expect(joined(chunks)).toEqual([9, 8]);
  });

  it('rejects writes before open with not_open', async () => {
    const { factory } = createEmulatedPair();
    await expect(factory().write(bytes(1))).rejects.toMatchObject({ code: 'not_open' });
  });

  it('splits pushes into random chunks in stream framing, keeping order', async () => {
    const { device, factory } = createEmulatedPair({ maxChunk: 5, random: () => 0.5 });
    const t = factory();
    const chunks = collect(t);
    await t.open();
    const payload = Uint8Array.from({ length: 40 }, (_, i) => i);
    await device.push(payload);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.every((c) => c.length <= 5)).toBe(true);
    expect(joined(chunks)).toEqual(Array.from(payload));
  });

  it('keeps each push whole in datagram framing (HID reports)', async () => {
    const { device, factory } = createEmulatedPair({ framing: 'datagram', baudRate: 115_200 });
    const t = factory();
    const chunks = collect(t);
    await t.open();
    await device.push(new Uint8Array(64));
    await device.push(new Uint8Array(64));
    expect(chunks.map((c) => c.length)).toEqual([64, 64]);
  });

  it('plays 115200-baud timing: 1152 bytes take ≈ 100 ms', async () => {
    const device = new EmulatedDevice({ baudRate: 115_200 });
    expect(device.bytesPerMs).toBeCloseTo(11.52, 5);
    const t = device.factory();
    const chunks = collect(t);
    await t.open();
    const start = performance.now();
    await device.push(new Uint8Array(1152));
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(250);
    expect(joined(chunks)).toHaveLength(1152);
  });

  it('unplug closes open transports with disconnected, drops bytes in flight, and blocks open until replug', async () => {
    const device = new EmulatedDevice({ baudRate: 9600 });
    const t = device.factory();
    const closes: (TransportError | null)[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    const inFlight = device.push(new Uint8Array(500)); // ~520 ms at 9600 baud
    device.unplug();
    await expect(inFlight).rejects.toMatchObject({ code: 'disconnected' });
    expect(t.isOpen).toBe(false);
    expect(closes).toHaveLength(1);
    expect(closes[0]).toBeInstanceOf(TransportError);
    expect(closes[0]?.code).toBe('disconnected');
    await expect(device.factory().open()).rejects.toMatchObject({ code: 'open_failed' });
    await expect(device.push(bytes(1))).rejects.toMatchObject({ code: 'disconnected' });
    device.replug();
    const t2 = device.factory();
    await t2.open();
    expect(t2.isOpen).toBe(true);
  });

  it('close() reports null once and detaches from the device', async () => {
    const { device, factory } = createEmulatedPair();
    const t = factory();
    const closes: (TransportError | null)[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    await t.close();
    await t.close();
    expect(closes).toEqual([null]);
    expect(device.openTransports).toBe(0);
  });

  it('validates its options', () => {
    expect(() => new EmulatedDevice({ baudRate: 0 })).toThrow(RangeError);
    expect(() => new EmulatedDevice({ maxChunk: 0 })).toThrow(RangeError);
  });
});
