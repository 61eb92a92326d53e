import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpTransport } from './tcp';
import type { TransportError } from './transport';

let servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

/** A local "printer": records what it receives and exposes the accepted socket. */
async function printer(): Promise<{ port: number; received: () => number[]; peer: () => Promise<net.Socket> }> {
  const received: number[] = [];
  let resolvePeer: (s: net.Socket) => void = () => undefined;
  const peerP = new Promise<net.Socket>((r) => (resolvePeer = r));
  const server = net.createServer((socket) => {
    socket.on('data', (d) => received.push(...d));
    socket.on('error', () => undefined);
    resolvePeer(socket);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, received: () => received, peer: () => peerP };
}

const until = async (cond: () => boolean, ms = 1000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('TcpTransport', () => {
  it('defaults to port 9100 in its id', () => {
    expect(new TcpTransport({ host: '10.1.2.3' }).id).toBe('tcp:10.1.2.3:9100');
    expect(() => new TcpTransport({ host: 'x', port: 70000 })).toThrow(RangeError);
  });

  it('connects, writes and receives against a local server', async () => {
    const p = await printer();
    const t = new TcpTransport({ host: '127.0.0.1', port: p.port });
    const chunks: number[] = [];
    t.onData((c) => chunks.push(...c));
    await t.open();
    expect(t.isOpen).toBe(true);
    await t.write(Uint8Array.of(0x1b, 0x40));
    await until(() => p.received().length === 2);
    expect(p.received()).toEqual([0x1b, 0x40]);
    (await p.peer()).write(Buffer.from([0x12]));
    await until(() => chunks.length === 1);
    expect(chunks).toEqual([0x12]);
    await t.close();
  });

  it('reports the peer closing the connection as disconnected', async () => {
    const p = await printer();
    const t = new TcpTransport({ host: '127.0.0.1', port: p.port });
    const closes: (TransportError | null)[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    (await p.peer()).destroy();
    await until(() => closes.length > 0);
    expect(closes).toHaveLength(1);
    expect(closes[0]?.code).toBe('disconnected');
    expect(t.isOpen).toBe(false);
  });

  it('fails with open_failed when nothing listens', async () => {
    const p = await printer();
    const port = p.port;
    await new Promise((r) => (servers.pop() as net.Server).close(r));
    const t = new TcpTransport({ host: '127.0.0.1', port });
    const err = await t.open().catch((e: unknown) => e as TransportError);
    expect(err).toMatchObject({ code: 'open_failed' });
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('fails with open_failed when the connect does not complete in time', async () => {
    // A socket whose connect never completes (like a printer that is off behind a silent firewall).
    const stuck = (): net.Socket => {
      const s = new net.Socket();
      s.connect = (() => s) as typeof s.connect;
      return s;
    };
    const t = new TcpTransport({ host: '192.0.2.1', connectTimeoutMs: 40, createSocket: stuck });
    const start = Date.now();
    await expect(t.open()).rejects.toMatchObject({ code: 'open_failed', message: expect.stringMatching(/timed out after 40 ms/) });
    expect(Date.now() - start).toBeGreaterThanOrEqual(35);
  });

  it('close() reports null and ends the connection', async () => {
    const p = await printer();
    const t = new TcpTransport({ host: '127.0.0.1', port: p.port, keepAliveMs: 1000 });
    const closes: (TransportError | null)[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    const peer = await p.peer();
    const ended = new Promise((r) => peer.on('end', r));
    await t.close();
    await ended;
    expect(closes).toEqual([null]);
  });
});
