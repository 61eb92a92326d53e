import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { HidTransport, hidTransportId, listHidDevices, type HidBackend, type HidDeviceInfo, type HidHandle } from './hid';
import type { TransportError } from './transport';

/** A stand-in for node-hid's HIDAsync: an EventEmitter with async methods that record calls. */
class FakeHid extends EventEmitter implements HidHandle {
  writes: number[][] = [];
  features: number[][] = [];
  closed = false;
  failWrite = false;
  async write(values: number[] | Buffer): Promise<number> {
    if (this.failWrite) throw new Error('Cannot write to hid device');
    this.writes.push(Array.from(values));
    return values.length;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  async sendFeatureReport(data: number[] | Buffer): Promise<number> {
    this.features.push(Array.from(data));
    return data.length;
  }
  async getFeatureReport(reportId: number, length: number): Promise<Buffer> {
    return Buffer.from([reportId, ...new Array<number>(length - 1).fill(7)]);
  }
}

const DEVICES: HidDeviceInfo[] = [
  { vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw1', serialNumber: 'SN123', usagePage: 0x8c },
  { vendorId: 0x0400, productId: 0xc35a, path: '/dev/hidraw2', usagePage: 0xff00 },
  { vendorId: 0x0400, productId: 0xc35a, path: '' },
];

function backend(handle: FakeHid | Error): HidBackend & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    devices: async () => DEVICES,
    open: async (path) => {
      opened.push(path);
      if (handle instanceof Error) throw handle;
      return handle;
    },
  };
}

const opts = { path: '/dev/hidraw2', vendorId: 0x0400, productId: 0xc35a };

describe('listHidDevices', () => {
  it('lists devices with a path, filtered, with their transport ids', async () => {
    const all = await listHidDevices({}, backend(new FakeHid()));
    expect(all.map((d) => d.transportId)).toEqual(['hid:0c2e:0b61:SN123', 'hid:0400:c35a:/dev/hidraw2']);
    const pos = await listHidDevices({ usagePage: 0x8c }, backend(new FakeHid()));
    expect(pos.map((d) => d.vendorId)).toEqual([0x0c2e]);
    const reader = await listHidDevices({ vendorId: 0x0400, productId: 0xc35a }, backend(new FakeHid()));
    expect(reader).toHaveLength(1);
  });

  it('builds ids from the serial number, else the path', () => {
    expect(hidTransportId({ vendorId: 1, productId: 2, serialNumber: 'X', path: '/p' })).toBe('hid:0001:0002:X');
    expect(hidTransportId({ vendorId: 1, productId: 2, path: '/p' })).toBe('hid:0001:0002:/p');
  });
});

describe('HidTransport', () => {
  it('opens by path, delivers input reports as chunks and prepends report id 0 to writes', async () => {
    const fake = new FakeHid();
    const be = backend(fake);
    const t = new HidTransport({ ...opts, backend: be });
    expect(t.kind).toBe('hid');
    const chunks: number[][] = [];
    t.onData((c) => chunks.push(Array.from(c)));
    await t.open();
    expect(be.opened).toEqual(['/dev/hidraw2']);
    fake.emit('data', Buffer.from([3, 0xaa, 0xbb, 0xcc]));
    expect(chunks).toEqual([[3, 0xaa, 0xbb, 0xcc]]);
    await t.write(Uint8Array.of(1, 2));
    expect(fake.writes).toEqual([[0, 1, 2]]);
  });

  it('writes bytes unchanged with reportId null, and a custom report id otherwise', async () => {
    const raw = new FakeHid();
    const t = new HidTransport({ ...opts, reportId: null, backend: backend(raw) });
    await t.open();
    await t.write(Uint8Array.of(2, 9));
    expect(raw.writes).toEqual([[2, 9]]);
    const numbered = new FakeHid();
    const t2 = new HidTransport({ ...opts, reportId: 4, backend: backend(numbered) });
    await t2.open();
    await t2.write(Uint8Array.of(9));
    expect(numbered.writes).toEqual([[4, 9]]);
    expect(() => new HidTransport({ ...opts, reportId: 300 })).toThrow(RangeError);
  });

  it('turns a read error (unplug) into onClose(disconnected) and stops delivering data', async () => {
    const fake = new FakeHid();
    const t = new HidTransport({ ...opts, backend: backend(fake) });
    const closes: (TransportError | null)[] = [];
    const chunks: Uint8Array[] = [];
    t.onClose((e) => closes.push(e));
    t.onData((c) => chunks.push(c));
    await t.open();
    fake.emit('error', new Error('could not read from HID device'));
    expect(closes).toHaveLength(1);
    expect(closes[0]?.code).toBe('disconnected');
    expect(t.isOpen).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(fake.closed).toBe(true);
    fake.emit('data', Buffer.from([1]));
    expect(chunks).toHaveLength(0);
  });

  it('treats a close event like a disconnect', async () => {
    const fake = new FakeHid();
    const t = new HidTransport({ ...opts, backend: backend(fake) });
    const closes: (TransportError | null)[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    fake.emit('close');
    expect(closes[0]?.code).toBe('disconnected');
  });

  it('fails to open with open_failed when node-hid cannot open the path', async () => {
    const t = new HidTransport({ ...opts, backend: backend(new Error('cannot open device with path /dev/hidraw2')) });
    await expect(t.open()).rejects.toMatchObject({ name: 'TransportError', code: 'open_failed' });
    expect(t.isOpen).toBe(false);
  });

  it('maps a failed write to io', async () => {
    const fake = new FakeHid();
    fake.failWrite = true;
    const t = new HidTransport({ ...opts, backend: backend(fake) });
    await t.open();
    await expect(t.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'io' });
  });

  it('sends and gets feature reports while open, not before', async () => {
    const fake = new FakeHid();
    const t = new HidTransport({ ...opts, backend: backend(fake) });
    await expect(t.sendFeatureReport(Uint8Array.of(0xfd, 1))).rejects.toMatchObject({ code: 'not_open' });
    await t.open();
    await expect(t.sendFeatureReport(Uint8Array.of(0xfd, 1))).resolves.toBe(2);
    expect(fake.features).toEqual([[0xfd, 1]]);
    expect(Array.from(await t.getFeatureReport(5, 3))).toEqual([5, 7, 7]);
  });

  it('close() closes the handle and reports null', async () => {
    const fake = new FakeHid();
    const t = new HidTransport({ ...opts, backend: backend(fake) });
    const closes: (TransportError | null)[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    await t.close();
    expect(fake.closed).toBe(true);
    expect(closes).toEqual([null]);
    expect(fake.listenerCount('data')).toBe(0);
  });
});
