/**
 * The headless host: the console's handlers behind a websocket bridge on 127.0.0.1, and the built
 * renderer over http. Used by `npm start` when the Electron binary is absent, by training setups,
 * and by the Playwright e2e tests.
 *
 * A per-launch token keeps other local pages (and other users' processes) from driving the
 * console: the browser gets it in the URL fragment (never sent to a server, never in Referer), and
 * the websocket upgrade must carry it as a subprotocol and come from the host's own origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { isEventName } from '../../preload/contract';
import type { ConsoleApp } from '../app';
import { buildContentSecurityPolicy, resolveRendererPath } from '../security/policy';
import {
  BRIDGE_MAX_FRAME_BYTES,
  BRIDGE_PATH,
  BRIDGE_PROTOCOL,
  ClientMessage,
  TOKEN_PROTOCOL_PREFIX,
  type ServerMessage,
} from '../../preload/bridge-protocol';

export interface HostOptions {
  app: ConsoleApp;
  /** Directory of the built renderer (out/renderer). */
  rendererRoot: string;
  port?: number;
  /** Fixed token for tests; a random one otherwise. */
  token?: string;
}

export interface RunningHost {
  /** Origin the host serves, e.g. http://127.0.0.1:43123 */
  origin: string;
  port: number;
  token: string;
  /** The URL to open in a browser: origin + #token=… */
  consoleUrl: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

function sameToken(offered: string, expected: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token offered in the subprotocol list, if the list is ours. */
export function tokenFromProtocols(header: string | undefined): string | null {
  if (!header) return null;
  const offered = header.split(',').map((p) => p.trim());
  if (!offered.includes(BRIDGE_PROTOCOL)) return null;
  const token = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return token ? token.slice(TOKEN_PROTOCOL_PREFIX.length) : null;
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const { app } = options;
  const rendererRoot = resolve(options.rendererRoot);
  const token = options.token ?? randomBytes(24).toString('base64url');
  const csp = buildContentSecurityPolicy({ connectSources: ["'self'", 'ws://127.0.0.1:*'] });
  let origin = '';

  const server: Server = createServer((req, res) => serveStatic(req, res, rendererRoot, csp));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: BRIDGE_MAX_FRAME_BYTES,
    handleProtocols: (protocols) => (protocols.has(BRIDGE_PROTOCOL) ? BRIDGE_PROTOCOL : false),
  });

  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, text: string) => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== BRIDGE_PATH) return refuse(404, 'Not Found');
    if (req.headers.origin !== origin) {
      app.logger.log('warn', 'host.bridge_refused', { reason: 'origin', origin: String(req.headers.origin ?? '') });
      return refuse(403, 'Forbidden');
    }
    const offered = tokenFromProtocols(req.headers['sec-websocket-protocol']);
    if (!offered || !sameToken(offered, token)) {
      app.logger.log('warn', 'host.bridge_refused', { reason: 'token' });
      return refuse(401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  let nextChannel = 1;
  const channels = new Map<string, WebSocket>();
  const send = (ws: WebSocket, message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  wss.on('connection', (ws) => {
    const channelId = `ws-${nextChannel++}`;
    channels.set(channelId, ws);
    ws.on('message', async (data, isBinary) => {
      let message: ClientMessage;
      try {
        if (isBinary) throw new Error('binary frame');
        const parsed = ClientMessage.safeParse(JSON.parse(data.toString('utf8')));
        if (!parsed.success) throw new Error('not a bridge message');
        message = parsed.data;
      } catch (err) {
        send(ws, { type: 'error', code: 'bad_message', message: `bridge: ${(err as Error).message}` });
        return;
      }
      // The upgrade checked origin and token: every call on this socket is from our page.
      const result = await app.dispatcher.invoke(message.method, message.input, { channelId, trustedSender: true });
      send(ws, { type: 'result', id: message.id, result });
    });
    ws.on('close', () => {
      channels.delete(channelId);
      app.endChannel(channelId);
    });
    ws.on('error', () => ws.terminate());
  });

  const unsubscribe = app.events.subscribe((event, payload, target) => {
    if (!isEventName(event)) return;
    if (target !== null) {
      const ws = channels.get(target);
      if (ws) send(ws, { type: 'event', event, payload });
      return;
    }
    // Broadcasts (card reads, scans, device health) go only to pages that are logged in.
    for (const [channelId, ws] of channels) if (app.isLoggedIn(channelId)) send(ws, { type: 'event', event, payload });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    port,
    token,
    consoleUrl: `${origin}/#token=${token}`,
    async close() {
      unsubscribe();
      for (const ws of channels.values()) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, csp: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const url = req.url ?? '/';
  const resolved = url.startsWith('/') ? resolveRendererPath(url.slice(1), root) : ({ ok: false, reason: 'path must be absolute' } as const);
  if (!resolved.ok) {
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end(resolved.reason);
    return;
  }
  let size: number;
  try {
    const st = statSync(resolved.filePath);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(resolved.filePath).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': size,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(resolved.filePath).pipe(res);
}
