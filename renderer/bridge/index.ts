/**
 * The renderer's one way to reach main: `hall()` gives the HallApi, from preload in Electron or
 * over the host's websocket bridge in a browser. Screens never know which.
 */
import { createHallApi, type HallApi } from '../../preload/contract';
import { HALL_GLOBAL } from '../../preload/global';
import { createWebSocketTransport, takeLaunchToken } from './ws';

let api: HallApi | null = null;

export type BridgeKind = 'electron' | 'browser';

export function bridgeKind(): BridgeKind {
  return (window as unknown as Record<string, unknown>)[HALL_GLOBAL] ? 'electron' : 'browser';
}

export function hall(): HallApi {
  if (api) return api;
  const exposed = (window as unknown as Record<string, HallApi | undefined>)[HALL_GLOBAL];
  if (exposed) {
    api = exposed;
  } else {
    const token = takeLaunchToken();
    if (!token) throw new Error('缺少启动令牌：请使用主程序打印的完整地址打开工作台');
    api = createHallApi(createWebSocketTransport(token));
  }
  return api;
}
