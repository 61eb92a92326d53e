import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { listSerialPorts, SerialTransport, type SerialPortFactory, type SerialPortLike } from './serial';
import type { TransportError } from './transport';

// @serialport/binding-mock ships with serialport 13 (SerialPortMock): a real SerialPortStream over a fake binding.
let made: SerialPortMock[] = [];
const mockFactory: SerialPortFactory = ({ path, baudRate }) => {
  const port = new SerialPortMock({ path, baudRate, autoOpen: false });
  made.push(port);
  return port as unknown as SerialPortLike;
};

afterEach(() => {
  SerialPortMock.binding.reset();
  made = [];
});

describe('SerialTransport (over SerialPortMock)', () => {
  it('opens at the configured baud rate, writes, and delivers received bytes', async () => {
    SerialPortMock.binding.createPort('/dev/ttyUSB0', { record: true });
    const t = new SerialTransport({ path: '/dev/ttyUSB0', baudRate: 115_200, portFactory: mockFactory });
    expect(t.id).toBe('serial:/dev/ttyUSB0');
    expect(t.kind).toBe('serial');
    const chunks: number[][] = [];
    t.onData((c) => chunks.push(Array.from(c)));
    await t.open();
    const port = made[0] as SerialPortMock;
    expect(port.baudRate).toBe(115_200);
    await t.write(Uint8Array.of(0xaa, 0xbb));
    expect(Array.from(port.port?.recording ?? [])).toEqual([0xaa, 0xbb]);
    port.port?.emitData(Buffer.from([1, 2, 3]));
    await new Promise((r) => setTimeout(r, 10));
    expect(chunks.flat()).toEqual([1, 2, 3]);
    await t.close();
  });

  it('defaults to 115200 baud and refuses nonsense', () => {
    expect(new SerialTransport({ path: '/dev/x', portFactory: mockFactory }).baudRate).toBe(115_200);
    expect(() => new SerialTransport({ path: '/dev/x', baudRate: -1 })).toThrow(RangeError);
  });

  it('fails with open_failed when the port does not exist', async () => {
    const t = new SerialTransport({ path: '/dev/nothing', portFactory: mockFactory });
    await expect(t.open()).rejects.toMatchObject({ code: 'open_failed' });
  });

  it('reports a disconnect (serialport close with disconnected) as onClose(disconnected)', async () => {
    SerialPortMock.binding.createPort('/dev/ttyUSB1');
    const t = new SerialTransport({ path: '/dev/ttyUSB1', portFactory: mockFactory });
    const closes: (TransportError | null)[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    (made[0] as SerialPortMock)._disconnected(new Error('device reports readiness to read but returned no data'));
    await new Promise((r) => setTimeout(r, 20));
    expect(closes).toHaveLength(1);
    expect(closes[0]?.code).toBe('disconnected');
    expect(t.isOpen).toBe(false);
    await expect(t.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'not_open' });
  });

  it('close() reports null and closes the port', async () => {
    SerialPortMock.binding.createPort('/dev/ttyUSB2');
    const t = new SerialTransport({ path: '/dev/ttyUSB2', portFactory: mockFactory });
    const closes: (TransportError | null)[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    await t.close();
    expect(closes).toEqual([null]);
    expect((made[0] as SerialPortMock).isOpen).toBe(false);
  });
});

describe('listSerialPorts', () => {
  it('maps the OS list to transport ids', async () => {
    const ports = await listSerialPorts(async () => [{ path: '/dev/ttyS0' }, { path: '/dev/ttyUSB0', manufacturer: 'FTDI', vendorId: '0403' }]);
    expect(ports.map((p) => p.transportId)).toEqual(['serial:/dev/ttyS0', 'serial:/dev/ttyUSB0']);
    expect(ports[1]?.manufacturer).toBe('FTDI');
  });
});
