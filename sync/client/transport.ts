/**
 * What the sync client needs from a connection: text frames both ways and a close signal. The
 * websocket implementation is ws-transport.ts; tests use scripted transports or `inProcessTransport`
 * (a hub session of sync/hub/session.ts in the same process).
 */
import { realTimers, type Timers } from '../../main/domain/clock';

export interface SyncConnection {
  send(text: string): void;
  /** One listener; frames that arrived before it was set are delivered to it in order. */
  onMessage(listener: (text: string) => void): void;
  /** Called once when the connection is gone (either side closed it or it failed). */
  onClose(listener: (info: { code?: number; reason?: string }) => void): void;
  close(code?: number, reason?: string): void;
}

export interface SyncTransport {
  /** Resolves when the connection is open; rejects when it cannot be opened. */
  connect(url: string): Promise<SyncConnection>;
}

/** Injectable timers (tests drive them by hand; the client never reads the wall clock for delays). */
export type SyncTimers = Timers;
export { realTimers };

/**
 * Both ends of an in-memory connection: `client` is what `connect` returns, `server` is what a test
 * or a hub session drives. Delivery is asynchronous (a microtask), in order, like a socket.
 */
export function memoryConnectionPair(): {
  client: SyncConnection;
  server: { send(text: string): void; onMessage(listener: (text: string) => void): void; close(code?: number, reason?: string): void; readonly closed: boolean; onClose(listener: () => void): void };
} {
  let closed = false;
  let toClient: ((text: string) => void) | null = null;
  const clientBuffer: string[] = [];
  let toServer: ((text: string) => void) | null = null;
  const serverBuffer: string[] = [];
  let clientClose: ((info: { code?: number; reason?: string }) => void) | null = null;
  const serverClose: (() => void)[] = [];
  const shut = (code?: number, reason?: string): void => {
    if (closed) return;
    closed = true;
    queueMicrotask(() => {
      clientClose?.({ code, reason });
      for (const l of serverClose) l();
    });
  };
  const deliver = (text: string, to: () => ((t: string) => void) | null, buffer: string[]): void => {
    queueMicrotask(() => {
      if (closed) return;
      const l = to();
      if (l) l(text);
      else buffer.push(text);
    });
  };
  return {
    client: {
      send: (text) => {
        if (!closed) deliver(text, () => toServer, serverBuffer);
      },
      onMessage: (listener) => {
        toClient = listener;
        for (const t of clientBuffer.splice(0)) listener(t);
      },
      onClose: (listener) => {
        clientClose = listener;
      },
      close: (code, reason) => shut(code, reason),
    },
    server: {
      send: (text) => {
        if (!closed) deliver(text, () => toClient, clientBuffer);
      },
      onMessage: (listener) => {
        toServer = listener;
        for (const t of serverBuffer.splice(0)) listener(t);
      },
      close: (code, reason) => shut(code, reason),
      get closed() {
        return closed;
      },
      onClose: (listener) => {
        serverClose.push(listener);
      },
    },
  };
}
