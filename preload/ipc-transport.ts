/**
 * The Electron side of `HallTransport`, over ipcRenderer — passed in by preload/index.ts, so this
 * file imports nothing from electron (not even types) and is plain-testable.
 */
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type EventName, type HallTransport, type MethodName } from './contract';

/** The IpcRendererEvent is deliberately typed `unknown`: it never reaches the renderer. */
type IpcRendererListener = (event: unknown, ...args: unknown[]) => void;

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcRendererListener): unknown;
  removeListener(channel: string, listener: IpcRendererListener): unknown;
}

/**
 * One ipcRenderer listener for all contract events, attached while at least one renderer listener
 * exists; renderer listeners are kept per event name and removed by the function `subscribe` returns.
 */
export function createIpcTransport(ipc: IpcRendererLike): HallTransport {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let attached = false;

  const onMessage = (_event: unknown, name: unknown, payload: unknown) => {
    const set = listeners.get(name as EventName);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (err) {
        console.error('hall event listener failed', err);
      }
    }
  };

  return {
    invoke(method: MethodName, input: unknown) {
      return ipc.invoke(IPC_INVOKE_CHANNEL, method, input);
    },
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      // Wrap so the same function subscribed twice gets two independent subscriptions.
      const entry = (payload: unknown) => listener(payload);
      set.add(entry);
      if (!attached) {
        ipc.on(IPC_EVENT_CHANNEL, onMessage);
        attached = true;
      }
      let done = false;
      return () => {
        if (done) return;
        done = true;
        set.delete(entry);
        if (set.size === 0 && listeners.get(event) === set) listeners.delete(event);
        if (listeners.size === 0 && attached) {
          ipc.removeListener(IPC_EVENT_CHANNEL, onMessage);
          attached = false;
        }
      };
    },
  };
}
