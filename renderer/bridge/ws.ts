/**
 * Browser-mode transport: the HallApi contract over the headless host's websocket bridge.
 * The launch token arrives in the URL fragment (#token=…), is kept in sessionStorage for reloads
 * and removed from the address bar.
 */
import {
  BRIDGE_PATH,
  BRIDGE_PROTOCOL,
  ServerMessage,
  TOKEN_PROTOCOL_PREFIX,
} from '../../preload/bridge-protocol';
import type { EventName, HallTransport, MethodName } from '../../preload/contract';

const TOKEN_KEY = 'hall.host-token';

export function takeLaunchToken(loc: Location = window.location, storage: Storage = window.sessionStorage): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(loc.hash);
  if (match?.[1]) {
    storage.setItem(TOKEN_KEY, match[1]);
    window.history.replaceState(null, '', loc.pathname + loc.search);
    return match[1];
  }
  return storage.getItem(TOKEN_KEY);
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export function createWebSocketTransport(token: string, url = `ws://${window.location.host}${BRIDGE_PATH}`): HallTransport {
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let nextId = 1;
  let retryMs = 500;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  const connect = (): Promise<WebSocket> => {
    if (opened) return opened;
    opened = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, [BRIDGE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`]);
      ws.onopen = () => {
        socket = ws;
        retryMs = 500;
        resolve(ws);
      };
      ws.onmessage = (ev) => {
        let msg: ServerMessage;
        try {
          const parsed = ServerMessage.safeParse(JSON.parse(String(ev.data)));
          if (!parsed.success) return;
          msg = parsed.data;
        } catch {
          return;
        }
        if (msg.type === 'result') {
          pending.get(msg.id)?.resolve(msg.result);
          pending.delete(msg.id);
        } else if (msg.type === 'event') {
          listeners.get(msg.event as EventName)?.forEach((fn) => fn(msg.payload));
        }
      };
      ws.onclose = () => {
        const wasOpen = socket === ws;
        socket = null;
        opened = null;
        for (const p of pending.values()) p.reject(new Error('与主程序的连接已断开'));
        pending.clear();
        if (!wasOpen) reject(new Error('无法连接主程序（令牌无效或主程序未运行）'));
        // Keep event subscriptions alive: reconnect in the background with backoff.
        if (listeners.size > 0) {
          setTimeout(() => void connect().catch(() => undefined), retryMs);
          retryMs = Math.min(retryMs * 2, 10_000);
        }
      };
    });
    return opened;
  };

  return {
    async invoke(method: MethodName, input: unknown) {
      const ws = socket ?? (await connect());
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ type: 'invoke', id, method, input }));
      });
    },
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      void connect().catch(() => undefined);
      return () => {
        set.delete(listener);
      };
    },
  };
}
