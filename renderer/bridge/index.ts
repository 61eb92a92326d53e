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
    api = watchLocked(exposed);
  } else {
    const token = takeLaunchToken();
    if (!token) throw new Error('缺少启动令牌：请使用主程序打印的完整地址打开工作台');
    api = watchLocked(createHallApi(createWebSocketTransport(token)));
  }
  return api;
}

const lockedListeners = new Set<() => void>();

/**
 * Main refuses every call of an idle-locked session with `locked` (docs/security.md "Idle lock");
 * whichever screen made the call, the lock screen is shown.
 */
export function onLockedResult(listener: () => void): () => void {
  lockedListeners.add(listener);
  return () => lockedListeners.delete(listener);
}

function watchLocked(inner: HallApi): HallApi {
  const wrapped: Record<string, unknown> = {};
  for (const [ns, value] of Object.entries(inner)) {
    if (typeof value !== 'object' || value === null) {
      wrapped[ns] = value;
      continue;
    }
    const methods: Record<string, unknown> = {};
    for (const [leaf, fn] of Object.entries(value as Record<string, unknown>)) {
      methods[leaf] =
        typeof fn !== 'function'
          ? fn
          : async (input: unknown) => {
              const result = (await (fn as (i: unknown) => Promise<{ ok: boolean; error?: { code: string } }>)(input)) ?? null;
              if (result && !result.ok && result.error?.code === 'locked') lockedListeners.forEach((l) => l());
              return result;
            };
    }
    wrapped[ns] = methods;
  }
  wrapped.on = inner.on;
  return Object.freeze(wrapped) as unknown as HallApi;
}
