import { describe, expect, it } from 'vitest';
import { EmulatedDevice } from './emulated';
import { FrameAccumulator, FrameLink, FramingError, streamPacketizer, type Deframer, type LinkState, type Packetizer } from './link';
import { TransportError } from './transport';

/** A toy protocol for link tests: 02 LEN payload. LEN 0 is a framing error. */
type Err = { code: 'empty'; message: string };
const toy: Deframer<number[], Err> = (buf) => {
  const start = buf.indexOf(0x02);
  if (start < 0) return { kind: 'skip', count: buf.length };
  if (start > 0) return { kind: 'skip', count: start };
  if (buf.length < 2) return { kind: 'need_more' };
  const len = buf[1] as number;
  if (len === 0) return { kind: 'error', error: { code: 'empty', message: 'empty frame' }, skip: 2 };
  if (buf.length < 2 + len) return { kind: 'need_more' };
  return { kind: 'frame', frame: Array.from(buf.subarray(2, 2 + len)), consumed: 2 + len };
};
const frame = (...payload: number[]): Uint8Array => Uint8Array.from([0x02, payload.length, ...payload]);

function setup(options: Partial<ConstructorParameters<typeof FrameLink<number[], Err>>[0]> = {}) {
  const device = new EmulatedDevice({ name: 'toy' });
  const link = new FrameLink<number[], Err>({ factory: device.factory, deframer: toy, ...options });
  const states: LinkState[] = [];
  link.onState((s) => states.push(s));
  return { device, link, states };
}

/** Answer every request with the same payload + 100. */
function echoPlus100(device: EmulatedDevice): void {
  device.onHostWrite((b) => {
    const payload = Array.from(b.subarray(2));
    void device.push(frame(...payload.map((x) => x + 100))).catch(() => undefined);
  });
}

describe('FrameAccumulator', () => {
  it('reassembles frames split anywhere and merged together', () => {
    const acc = new FrameAccumulator(toy);
    const stream = Uint8Array.from([...frame(1, 2, 3), ...frame(4), ...frame(5, 6)]);
    const frames: number[][] = [];
    for (let i = 0; i < stream.length; i += 3) {
      for (const ev of acc.push(stream.subarray(i, i + 3))) if (ev.kind === 'frame') frames.push(ev.frame);
    }
    expect(frames).toEqual([[1, 2, 3], [4], [5, 6]]);
    expect(acc.buffered).toBe(0);
  });

  it('discards garbage before a frame and reports how much', () => {
    const acc = new FrameAccumulator(toy);
    const events = acc.push(Uint8Array.from([9, 9, 9, ...frame(7)]));
    expect(events).toEqual([
      { kind: 'discarded', count: 3, reason: 'garbage' },
      { kind: 'frame', frame: [7] },
    ]);
  });

  it('reports framing errors, skips, and resynchronises on the next frame', () => {
    const acc = new FrameAccumulator(toy);
    const events = acc.push(Uint8Array.from([0x02, 0x00, ...frame(8)]));
    expect(events).toEqual([
      { kind: 'error', error: { code: 'empty', message: 'empty frame' } },
      { kind: 'frame', frame: [8] },
    ]);
  });

  it('drops an overflowing buffer', () => {
    const acc = new FrameAccumulator(toy, 10);
    const events = acc.push(Uint8Array.from([0x02, 200, ...new Uint8Array(20)]));
    expect(events).toEqual([{ kind: 'discarded', count: 22, reason: 'overflow' }]);
    expect(acc.buffered).toBe(0);
  });

  it('always makes progress, even with a deframer that asks to skip 0 bytes', () => {
    const acc = new FrameAccumulator<number, never>(() => ({ kind: 'skip', count: 0 }));
    expect(acc.push(Uint8Array.from([1, 2, 3]))).toEqual([{ kind: 'discarded', count: 3, reason: 'garbage' }]);
  });

  it('does not alias the caller\u2019s chunk buffer', () => {
    const acc = new FrameAccumulator(toy);
    const chunk = Uint8Array.from([0x02, 2, 5]);
    acc.push(chunk.subarray(0, 3));
    chunk[2] = 0xff;
    const events = acc.push(Uint8Array.from([6]));
    expect(events).toEqual([{ kind: 'frame', frame: [5, 6] }]);
  });
});

describe('FrameLink', () => {
  it('answers a request with the next frame', async () => {
    const { device, link, states } = setup();
    echoPlus100(device);
    await link.open();
    expect(link.state).toBe('open');
    expect(link.transportId).toBe('emulated:toy');
    await expect(link.request(frame(1, 2), { timeoutMs: 500 })).resolves.toEqual([101, 102]);
    expect(states).toEqual(['opening', 'open']);
  });

  it('keeps one request in flight and queues the rest in order', async () => {
    const { device, link } = setup();
    const writes: number[][] = [];
    device.onHostWrite((b) => writes.push(Array.from(b.subarray(2))));
    await link.open();
    const a = link.request(frame(1), { timeoutMs: 1000 });
    const b = link.request(frame(2), { timeoutMs: 1000 });
    await new Promise((r) => setTimeout(r, 20));
    expect(writes).toEqual([[1]]); // b waits for a's answer
    await device.push(frame(11));
    await expect(a).resolves.toEqual([11]);
    await new Promise((r) => setTimeout(r, 20));
    expect(writes).toEqual([[1], [2]]);
    await device.push(frame(22));
    await expect(b).resolves.toEqual([22]);
  });

  it('times out with TransportError("timeout") and goes on with the next request', async () => {
    const { device, link } = setup();
    await link.open();
    const silent = link.request(frame(1), { timeoutMs: 30 });
    await expect(silent).rejects.toMatchObject({ name: 'TransportError', code: 'timeout' });
    echoPlus100(device);
    await expect(link.request(frame(3), { timeoutMs: 500 })).resolves.toEqual([103]);
  });

  it('discards a half frame left over from a timed-out request', async () => {
    const { device, link } = setup();
    await link.open();
    const first = link.request(frame(1), { timeoutMs: 30 });
    await device.push(Uint8Array.from([0x02, 5, 1, 2])); // never completed
    await expect(first).rejects.toMatchObject({ code: 'timeout' });
    const second = link.request(frame(2), { timeoutMs: 500 });
    await device.push(frame(42));
    await expect(second).resolves.toEqual([42]);
  });

  it('emits frames nobody asked for as unsolicited', async () => {
    const { device, link } = setup();
    const seen: number[][] = [];
    link.onFrame((f) => seen.push(f));
    await link.open();
    await device.push(frame(5));
    expect(seen).toEqual([[5]]);
  });

  it('uses isResponse to let event frames pass a request in flight', async () => {
    const { device, link } = setup({ isResponse: (f) => f[0] !== 0xee });
    const unsolicited: number[][] = [];
    link.onFrame((f) => unsolicited.push(f));
    await link.open();
    const r = link.request(frame(1), { timeoutMs: 500 });
    await device.push(Uint8Array.from([...frame(0xee, 1), ...frame(9)]));
    await expect(r).resolves.toEqual([9]);
    expect(unsolicited).toEqual([[0xee, 1]]);
  });

  it('fails the request in flight with a FramingError carrying the typed detail', async () => {
    const { device, link } = setup();
    const errors: Err[] = [];
    link.onFramingError((e) => errors.push(e));
    await link.open();
    const r = link.request(frame(1), { timeoutMs: 500 });
    await device.push(Uint8Array.from([0x02, 0x00]));
    const err = await r.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FramingError);
    expect((err as FramingError<Err>).detail).toEqual({ code: 'empty', message: 'empty frame' });
    expect((err as Error).message).toBe('empty frame');
    expect(errors).toHaveLength(1);
  });

  it('rejects the request in flight and the queue with disconnected on unplug', async () => {
    const { device, link, states } = setup();
    await link.open();
    const a = link.request(frame(1), { timeoutMs: 1000 });
    const b = link.request(frame(2), { timeoutMs: 1000 });
    device.unplug();
    await expect(a).rejects.toMatchObject({ code: 'disconnected' });
    await expect(b).rejects.toMatchObject({ code: 'disconnected' });
    expect(link.state).toBe('closed');
    expect(link.lastError?.code).toBe('disconnected');
    expect(states.at(-1)).toBe('closed');
    await expect(link.request(frame(3), { timeoutMs: 100 })).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('rejects requests before open with not_open', async () => {
    const { link } = setup();
    await expect(link.request(frame(1), { timeoutMs: 100 })).rejects.toMatchObject({ code: 'not_open' });
  });

  it('reopen() retries with exponential backoff until the device is back', async () => {
    const { device, link, states } = setup({ backoff: { initialMs: 10, factor: 2, maxMs: 40 } });
    await link.open();
    device.unplug();
    const attempts: number[] = [];
    const t0 = performance.now();
    link.onState((s) => {
      if (s === 'reconnecting') attempts.push(performance.now() - t0);
    });
    setTimeout(() => device.replug(), 120);
    await link.reopen();
    expect(link.state).toBe('open');
    // first attempt at once, then after 10, 20, 40, 40… ms: several failed attempts before the replug
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(states).toContain('reconnecting');
    echoPlus100(device);
    await expect(link.request(frame(1), { timeoutMs: 500 })).resolves.toEqual([101]);
  });

  it('reopen() gives up after maxAttempts with the last open error', async () => {
    const { device, link } = setup({ backoff: { initialMs: 5, maxAttempts: 3 } });
    device.unplug();
    await expect(link.reopen()).rejects.toMatchObject({ code: 'open_failed' });
    expect(link.state).toBe('closed');
  });

  it('close() cancels a reopen in progress', async () => {
    const { device, link } = setup({ backoff: { initialMs: 1000 } });
    device.unplug();
    const reopening = link.reopen();
    await new Promise((r) => setTimeout(r, 10));
    await link.close();
    await expect(reopening).rejects.toMatchObject({ code: 'closed' });
    expect(link.state).toBe('closed');
  });

  it('autoReopen brings the link back after an unplug', async () => {
    const { device, link } = setup({ autoReopen: true, backoff: { initialMs: 10, maxMs: 20 } });
    await link.open();
    device.unplug();
    expect(link.state).not.toBe('open');
    device.replug();
    await new Promise((r) => setTimeout(r, 80));
    expect(link.state).toBe('open');
  });

  it('close() rejects pending requests with closed', async () => {
    const { link } = setup();
    await link.open();
    const r = link.request(frame(1), { timeoutMs: 1000 });
    await link.close();
    await expect(r).rejects.toMatchObject({ code: 'closed' });
    expect(link.state).toBe('closed');
  });

  it('send() writes in order with requests without waiting for an answer', async () => {
    const { device, link } = setup();
    const writes: number[][] = [];
    device.onHostWrite((b) => writes.push(Array.from(b.subarray(2))));
    await link.open();
    await link.send(frame(7));
    await new Promise((r) => setTimeout(r, 10));
    expect(writes).toEqual([[7]]);
  });

  it('goes through the packetizer both ways, and a bad packet is a framing error', async () => {
    // Each packet: [n, ...n bytes]; n = 0xff is invalid.
    const packetizer: Packetizer<Err> = {
      packetize: (f) => [Uint8Array.from([f.length, ...f])],
      unpacketize: (c) => (c[0] === 0xff ? { ok: false, error: { code: 'empty', message: 'bad packet' } } : { ok: true, bytes: c.subarray(1, 1 + (c[0] as number)) }),
    };
    const { device, link } = setup({ packetizer });
    const writes: number[][] = [];
    device.onHostWrite((b) => writes.push(Array.from(b)));
    await link.open();
    const r = link.request(frame(1), { timeoutMs: 500 });
    await device.push(Uint8Array.from([3, ...frame(9)]));
    await expect(r).resolves.toEqual([9]);
    expect(writes).toEqual([[3, 0x02, 1, 1]]);
    const r2 = link.request(frame(2), { timeoutMs: 500 });
    await device.push(Uint8Array.of(0xff));
    await expect(r2).rejects.toBeInstanceOf(FramingError);
  });

  it('reports open failures as open_failed and stays closed', async () => {
    const { device, link } = setup();
    device.unplug();
    const err = await link.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('open_failed');
    expect(link.state).toBe('closed');
  });

  it('streamPacketizer passes bytes through', () => {
    const b = Uint8Array.of(1, 2);
    expect(streamPacketizer.packetize(b)).toEqual([b]);
    expect(streamPacketizer.unpacketize(b)).toEqual({ ok: true, bytes: b });
  });
});
