/**
 * The hub's network face: a websocket endpoint (`/sync`) whose connections are HubSessions, and
 * `GET /health`. Graceful shutdown: stop accepting, let every frame being handled (a push being
 * applied) finish and be answered, close the sockets with 1001, close the store.
 * Rules: docs/sync.md "The hub server".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { systemClock, type Clock } from '../../main/domain/clock';
import type { Logger } from '../../main/log';
import { MAX_FRAME_BYTES, type SyncMessage } from '../protocol';
import { createHubService, type HubLimits, type HubService } from './session';
import type { HubStore } from './store/types';
import { createUpdatesHandler } from './updates-http';
import { createEnrollHandler, type EnrollLimits } from './enroll-http';

export const DEFAULT_HUB_PORT = 7300;
export const DEFAULT_HUB_HOST = '127.0.0.1';
export const DEFAULT_HUB_PATH = '/sync';
/** Above this many bytes queued on a socket, a pull waits for the socket before its next frame. */
const HIGH_WATER_BYTES = 1024 * 1024;
/** Close code when the hub stops (RFC 6455 "going away"). */
export const CLOSE_GOING_AWAY = 1001;

export interface HubServerOptions {
  store: HubStore;
  /** Default 7300; 0 = any free port. */
  port?: number;
  /** Default 127.0.0.1; '0.0.0.0' (or '::') to serve the halls' network. */
  host?: string;
  /** Websocket path, default /sync. */
  path?: string;
  clock?: Clock;
  logger?: Logger;
  limits?: Partial<HubLimits>;
  /** Websocket pings to find dead connections (default 30 s; 0 = off). */
  heartbeatMs?: number;
  /** close() also closes the store (default true). */
  closeStore?: boolean;
  /** Serve the signed update bundles in this folder at GET /updates/… (./updates-http.ts). */
  updatesDir?: string;
  /** POST /enroll limits (./enroll-http.ts; default 10 requests a minute per address, 5 tries per code). */
  enrollLimits?: Partial<EnrollLimits>;
  /**
   * permessage-deflate for frames of 1 KiB and more, without context takeover (no zlib state kept per
   * idle connection). Default on: a catch-up sends ~10× fewer bytes (docs/benchmarks.md "hall bench sync").
   */
  compression?: boolean;
}

/** ws's permessage-deflate settings of the hub (server.ts `compression`). */
export const HUB_PER_MESSAGE_DEFLATE = {
  threshold: 1024,
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
} as const;

export interface HubHealth {
  ok: boolean;
  epoch: string | null;
  store: HubStore['kind'];
  sessions: number;
  closing?: boolean;
  error?: string;
}

export interface RunningHubServer {
  host: string;
  port: number;
  /** ws://host:port/sync */
  url: string;
  /** http://host:port */
  origin: string;
  service: HubService;
  health(): Promise<HubHealth>;
  /** Graceful: stop accepting, answer what is in flight, close sockets with 1001, close the store. Idempotent. */
  close(): Promise<void>;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export async function startHubServer(options: HubServerOptions): Promise<RunningHubServer> {
  const { store } = options;
  const host = options.host ?? DEFAULT_HUB_HOST;
  const path = options.path ?? DEFAULT_HUB_PATH;
  const logger = options.logger;
  const service = createHubService({ store, clock: options.clock ?? systemClock, ...(logger ? { logger } : {}), ...(options.limits ? { limits: options.limits } : {}) });
  const sockets = new Set<WebSocket>();
  const alive = new WeakSet<WebSocket>();
  let closing: Promise<void> | null = null;

  const log = (level: 'info' | 'warn' | 'error', event: string, fields?: Record<string, unknown>): void => {
    try {
      logger?.log(level, event, fields);
    } catch {
      // never let logging fail the hub
    }
  };

  async function health(): Promise<HubHealth> {
    const sessions = service.stats().sessions;
    if (closing) return { ok: false, epoch: null, store: store.kind, sessions, closing: true };
    try {
      return { ok: true, epoch: await store.epoch(), store: store.kind, sessions };
    } catch (err) {
      return { ok: false, epoch: null, store: store.kind, sessions, error: err instanceof Error ? err.message : String(err) };
    }
  }

  const serveUpdates = options.updatesDir ? createUpdatesHandler(options.updatesDir) : null;
  const serveEnroll = createEnrollHandler({ store, clock: options.clock ?? systemClock, syncPath: path, ...(logger ? { logger } : {}), ...(options.enrollLimits ? { limits: options.enrollLimits } : {}) });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://hub.invalid');
    if (serveUpdates?.(req, res, url.pathname)) return;
    if (serveEnroll(req, res, url.pathname)) return;
    if (url.pathname !== '/health') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    void health().then((h) => {
      res.writeHead(h.ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : JSON.stringify(h));
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: options.compression === false ? false : { ...HUB_PER_MESSAGE_DEFLATE } });

  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, text: string) => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const url = new URL(req.url ?? '/', 'http://hub.invalid');
    if (url.pathname !== path) return refuse(404, 'Not Found');
    if (closing) return refuse(503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  /** A `changes` frame is one object shared by every session that pulled that page (session.ts PageCache): encoded once. */
  const encoded = new WeakMap<SyncMessage, string>();
  const encode = (message: SyncMessage): string => {
    if (message.type !== 'changes') return JSON.stringify(message);
    let text = encoded.get(message);
    if (text === undefined) {
      text = JSON.stringify(message);
      encoded.set(message, text);
    }
    return text;
  };

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    if (closing) {
      ws.close(CLOSE_GOING_AWAY, 'hub shutting down');
      return;
    }
    sockets.add(ws);
    alive.add(ws);
    const send = (message: SyncMessage): void | Promise<void> => {
      if (ws.readyState !== ws.OPEN) return;
      const text = encode(message);
      if (ws.bufferedAmount < HIGH_WATER_BYTES) {
        ws.send(text);
        return;
      }
      return new Promise<void>((resolve) => ws.send(text, () => resolve()));
    };
    const session = service.openSession(send);
    ws.on('message', (data) => {
      void session.receive(toBuffer(data));
    });
    ws.on('pong', () => alive.add(ws));
    ws.on('close', () => {
      sockets.delete(ws);
      session.close();
    });
    ws.on('error', (err) => {
      log('warn', 'hub.socket_error', { consoleId: session.consoleId, remote: req.socket.remoteAddress, error: err.message });
      ws.terminate();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_HUB_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log('error', 'hub.server_error', { error: err.message }));
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;

  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const heartbeat =
    heartbeatMs > 0
      ? setInterval(() => {
          for (const ws of sockets) {
            if (!alive.has(ws)) {
              ws.terminate();
              continue;
            }
            alive.delete(ws);
            ws.ping();
          }
        }, heartbeatMs)
      : null;
  heartbeat?.unref();

  async function shutdown(): Promise<void> {
    if (heartbeat) clearInterval(heartbeat);
    const listening = new Promise<void>((resolve) => server.close(() => resolve()));
    // Frames being handled finish and are answered; no new frames are taken.
    await service.drain();
    const closed = [...sockets].map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) return resolve();
          const timer = setTimeout(() => {
            ws.terminate();
            resolve();
          }, 2000);
          ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          ws.close(CLOSE_GOING_AWAY, 'hub shutting down');
        }),
    );
    await Promise.all(closed);
    await service.close();
    wss.close();
    server.closeAllConnections();
    await listening;
    if (options.closeStore ?? true) await store.close();
    log('info', 'hub.stopped', { port });
  }

  log('info', 'hub.listening', { host, port, path, store: store.kind });
  return {
    host,
    port,
    url: `ws://${hostInUrl}:${port}${path}`,
    origin: `http://${hostInUrl}:${port}`,
    service,
    health,
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
