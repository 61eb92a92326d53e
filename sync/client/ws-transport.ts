/** The sync client's websocket transport (ws 8). Frames are text; binary frames are passed on as UTF-8. */
import WebSocket from 'ws';
import { MAX_FRAME_BYTES } from '../protocol';
import type { SyncConnection, SyncTransport } from './transport';

export interface WsTransportOptions {
  /** Give up opening after this long. Default 15 s. */
  connectTimeoutMs?: number;
}

export function createWsTransport(options: WsTransportOptions = {}): SyncTransport {
  return {
    connect(url) {
      return new Promise<SyncConnection>((resolve, reject) => {
        let socket: WebSocket;
        try {
          socket = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: options.connectTimeoutMs ?? 15_000 });
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        let opened = false;
        let onMessage: ((text: string) => void) | null = null;
        const early: string[] = [];
        let onClose: ((info: { code?: number; reason?: string }) => void) | null = null;
        let closedInfo: { code?: number; reason?: string } | null = null;
        socket.on('message', (data: WebSocket.RawData) => {
          const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
          if (onMessage) onMessage(text);
          else early.push(text);
        });
        socket.on('error', (err) => {
          if (!opened) reject(err);
        });
        socket.on('close', (code, reason) => {
          closedInfo = { code, reason: reason.toString('utf8') };
          if (!opened) reject(new Error(`connection closed (${code})`));
          onClose?.(closedInfo);
          onClose = null;
        });
        socket.on('open', () => {
          opened = true;
          resolve({
            send(text) {
              if (socket.readyState === WebSocket.OPEN) socket.send(text);
            },
            onMessage(listener) {
              onMessage = listener;
              for (const t of early.splice(0)) listener(t);
            },
            onClose(listener) {
              if (closedInfo) listener(closedInfo);
              else onClose = listener;
            },
            close(code = 1000, reason = '') {
              try {
                socket.close(code, reason);
              } catch {
                socket.terminate();
              }
            },
          });
        });
      });
    },
  };
}
