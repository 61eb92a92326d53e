/**
 * TCP transport (network receipt printers on port 9100, "raw"/JetDirect). Connect timeout, TCP keepalive
 * (a printer switched off is noticed without waiting for the next job), Nagle off (small status requests
 * go out at once). The peer closing or resetting the connection → onClose(TransportError('disconnected')).
 */
import net from 'node:net';
import { BaseTransport, describe, toBytes } from './base';
import { TransportError } from './transport';

export interface TcpTransportOptions {
  host: string;
  /** Default 9100 (raw printing). */
  port?: number;
  /** Give up connecting after this long (default 3000 ms). */
  connectTimeoutMs?: number;
  /** TCP keepalive initial delay (default 5000 ms); 0 disables keepalive. */
  keepAliveMs?: number;
  /** Makes the socket (tests inject one whose connect never completes). */
  createSocket?: () => net.Socket;
}

export class TcpTransport extends BaseTransport {
  readonly kind = 'tcp' as const;
  readonly id: string;
  private socket: net.Socket | null = null;
  private readonly port: number;

  constructor(private readonly options: TcpTransportOptions) {
    super();
    this.port = options.port ?? 9100;
    if (!(Number.isInteger(this.port) && this.port > 0 && this.port < 65536)) throw new RangeError(`port must be 1..65535, got ${this.port}`);
    this.id = `tcp:${options.host}:${this.port}`;
  }

  protected doOpen(): Promise<void> {
    const { host, connectTimeoutMs = 3000, keepAliveMs = 5000 } = this.options;
    const socket = this.options.createSocket?.() ?? new net.Socket();
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (message: string, cause?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.destroy();
        reject(new TransportError('open_failed', message, this.id, { cause }));
      };
      const timer = setTimeout(() => fail(`connect to ${host}:${this.port} timed out after ${connectTimeoutMs} ms`), connectTimeoutMs);
      socket.once('error', (err) => fail(`cannot connect to ${host}:${this.port}: ${describe(err)}`, err));
      socket.once('connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        if (keepAliveMs > 0) socket.setKeepAlive(true, keepAliveMs);
        this.socket = socket;
        socket.on('data', (data: Buffer) => this.emitData(toBytes(data)));
        socket.on('error', (err) => this.lost(`connection error: ${describe(err)}`, err));
        socket.on('end', () => this.lost('peer closed the connection'));
        socket.on('close', () => this.lost('connection closed'));
        resolve();
      });
      socket.connect({ host, port: this.port });
    });
  }

  protected doWrite(bytes: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.reject(new TransportError('disconnected', 'connection is gone', this.id));
    return new Promise<void>((resolve, reject) => {
      socket.write(bytes, (err) => (err ? reject(new TransportError('io', `write failed: ${describe(err)}`, this.id, { cause: err })) : resolve()));
    });
  }

  protected async doClose(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.removeAllListeners();
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      if (socket.destroyed) return resolve();
      socket.once('close', () => resolve());
      socket.end();
      // A printer that never acknowledges FIN must not hang close().
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 1000).unref();
    });
  }
}
