/**
 * Item 15: the preload exposes exactly the contract under `window.hall`, and never ipcRenderer.
 * `electron` is mocked; we capture what `contextBridge.exposeInMainWorld` receives.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT_NAMES, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, METHOD_NAMES, type HallApi } from './contract';
import { HALL_GLOBAL } from './global';

// Note: vitest 5 defaults to clearMocks, so state that must outlive a test lives in plain arrays/sets.
const { exposed, ipcRenderer, contextBridge, live, attachCount } = vi.hoisted(() => {
  const exposed: { key: string; value: unknown }[] = [];
  /** ipc listeners currently attached to the event channel, in attach order */
  const live = new Set<(event: unknown, name: unknown, payload: unknown) => void>();
  const attachCount = { value: 0 };
  const ipcRenderer = {
    invoke: vi.fn(async (..._args: unknown[]): Promise<unknown> => ({ ok: true, value: {} })),
    on: vi.fn((channel: string, listener: (event: unknown, name: unknown, payload: unknown) => void) => {
      if (channel !== 'hall:event') throw new Error(`unexpected channel ${channel}`);
      live.add(listener);
      attachCount.value++;
    }),
    once: vi.fn(),
    removeListener: vi.fn((channel: string, listener: (event: unknown, name: unknown, payload: unknown) => void) => {
      if (channel === 'hall:event') live.delete(listener);
    }),
    removeAllListeners: vi.fn(),
    send: vi.fn(),
    sendSync: vi.fn(),
    postMessage: vi.fn(),
  };
  const contextBridge = {
    exposeInMainWorld: vi.fn((key: string, value: unknown) => {
      exposed.push({ key, value });
    }),
  };
  return { exposed, ipcRenderer, contextBridge, live, attachCount };
});

vi.mock('electron', () => ({ contextBridge, ipcRenderer }));

let hall: HallApi;

beforeAll(async () => {
  await import('./index');
  hall = exposed[0]!.value as HallApi;
});

beforeEach(() => {
  ipcRenderer.invoke.mockClear();
});

/** "ns.method" for each function two levels deep, plus top-level functions, sorted. */
function surface(api: unknown): string[] {
  const out: string[] = [];
  for (const [ns, value] of Object.entries(api as Record<string, unknown>)) {
    if (typeof value === 'function') {
      out.push(ns);
      continue;
    }
    for (const [leaf, fn] of Object.entries(value as Record<string, unknown>)) {
      out.push(typeof fn === 'function' ? `${ns}.${leaf}` : `${ns}.${leaf}:${typeof fn}`);
    }
  }
  return out.sort();
}

/** Every value reachable from the exposed object (own properties, functions included). */
function reachable(root: unknown): unknown[] {
  const seen = new Set<unknown>();
  const stack = [root];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v)) continue;
    seen.add(v);
    for (const key of Reflect.ownKeys(v as object)) {
      const desc = Object.getOwnPropertyDescriptor(v as object, key);
      if (desc && 'value' in desc) stack.push(desc.value);
      if (desc?.get) stack.push(desc.get);
    }
  }
  return [...seen];
}

describe('preload exposure (item 15)', () => {
  it('exposes exactly one global, named by HALL_GLOBAL = "hall"', () => {
    expect(HALL_GLOBAL).toBe('hall');
    expect(IPC_EVENT_CHANNEL).toBe('hall:event'); // the fake above listens on this literal
    expect(exposed.map((e) => e.key)).toEqual(['hall']);
  });

  it('exposes the reviewed surface (update this snapshot only with a contract change)', () => {
    expect({ key: exposed[0]!.key, surface: surface(hall) }).toMatchInlineSnapshot(`
      {
        "key": "hall",
        "surface": [
          "app.info",
          "callbacks.close",
          "callbacks.list",
          "cases.act",
          "cases.get",
          "cases.list",
          "cases.lookup",
          "cases.pay",
          "cases.pdf",
          "cases.print",
          "cases.reveal",
          "cases.summary",
          "catalog.search",
          "counters.list",
          "counters.setStatus",
          "counters.states",
          "devices.config",
          "devices.configure",
          "devices.reconnect",
          "devices.status",
          "devices.test",
          "enrollment.enroll",
          "enrollment.status",
          "face.record",
          "hallCases.list",
          "help.call",
          "idcard.read",
          "intake.current",
          "intake.decide",
          "intake.discard",
          "intake.start",
          "intake.update",
          "intake.useCard",
          "intake.verifyFace",
          "on",
          "printer.jobs",
          "printer.reprint",
          "queue.act",
          "queue.groups",
          "queue.issue",
          "queue.requeue",
          "queue.resume",
          "queue.state",
          "queue.ticketPdf",
          "queue.transfer",
          "ratings.pending",
          "ratings.submit",
          "scanner.submit",
          "session.current",
          "session.heartbeat",
          "session.login",
          "session.logout",
          "sync.corrections",
          "sync.dismiss",
          "sync.resend",
          "sync.status",
          "updates.check",
          "updates.install",
          "updates.rollback",
          "updates.status",
        ],
      }
    `);
  });

  it('is exactly the contract: METHOD_NAMES plus `on`, all functions', () => {
    expect(surface(hall)).toEqual([...METHOD_NAMES, 'on'].sort());
    for (const name of surface(hall)) expect(name).not.toContain(':');
  });

  it('is frozen at the top level', () => {
    expect(Object.isFrozen(hall)).toBe(true);
  });

  it('no reachable property is ipcRenderer or one of its functions', () => {
    const forbidden = new Set<unknown>([ipcRenderer, ...Object.values(ipcRenderer)]);
    for (const value of reachable(hall)) expect(forbidden.has(value)).toBe(false);
    expect(JSON.stringify(Object.keys(hall))).not.toMatch(/ipc|send|invoke|electron|require|process/i);
  });
});

describe('invoking methods', () => {
  it.each(METHOD_NAMES)('%s calls ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, input)', async (method) => {
    const [ns, leaf] = method.split('.') as [string, string];
    const fn = (hall as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[ns]![leaf]!;
    const input = { probe: method };
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: { echoed: method } });
    await expect(fn(input)).resolves.toEqual({ ok: true, value: { echoed: method } });
    expect(ipcRenderer.invoke).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.invoke).toHaveBeenCalledWith(IPC_INVOKE_CHANNEL, method, input);
  });

  it('turns a rejected invoke into an `unavailable` result instead of throwing', async () => {
    ipcRenderer.invoke.mockRejectedValueOnce(new Error('Error invoking remote method'));
    await expect(hall.app.info({})).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('turns a malformed reply into an `internal` result', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({ hello: 'world' });
    await expect(hall.app.info({})).resolves.toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

describe('events', () => {
  const status = { state: 'online', pendingUploads: 2, lastSyncAt: null, hubUrl: 'wss://hub.example/' };

  function currentIpcListener(): ((event: unknown, name: unknown, payload: unknown) => void) | undefined {
    return [...live].at(-1);
  }

  beforeEach(() => {
    expect(live.size).toBe(0); // every test unsubscribes what it subscribed
    attachCount.value = 0;
  });

  it('delivers only the payload of the subscribed event, never the IpcRendererEvent', () => {
    const onSync = vi.fn();
    const onDevices = vi.fn();
    const offSync = hall.on('sync.changed', onSync);
    const offDevices = hall.on('devices.changed', onDevices);
    expect(attachCount.value).toBe(1); // one multiplexed ipc listener
    expect(live.size).toBe(1);
    const listener = currentIpcListener()!;
    const ipcEvent = { sender: ipcRenderer, senderId: 0, ports: [] };

    listener(ipcEvent, 'sync.changed', status);
    expect(onSync).toHaveBeenCalledTimes(1);
    expect(onSync.mock.calls[0]).toEqual([status]);
    expect(onSync.mock.calls[0]![0]).not.toHaveProperty('sender');
    expect(onDevices).not.toHaveBeenCalled();

    listener(ipcEvent, 'devices.changed', []);
    expect(onDevices).toHaveBeenCalledWith([]);
    offSync();
    offDevices();
  });

  it('drops payloads that do not match the contract and unknown event names', () => {
    const onSync = vi.fn();
    const off = hall.on('sync.changed', onSync);
    const listener = currentIpcListener()!;
    listener({ sender: ipcRenderer }, 'sync.changed', { state: 'hacked' });
    listener({ sender: ipcRenderer }, 'not.an.event', status);
    expect(onSync).not.toHaveBeenCalled();
    off();
  });

  it('refuses to subscribe to an unknown event', () => {
    expect(() => hall.on('nope' as never, () => {})).toThrow(/unknown event/);
  });

  it('unsubscribe stops delivery and detaches the ipc listener when the last one goes', () => {
    const a = vi.fn();
    const b = vi.fn();
    const offA = hall.on('sync.changed', a);
    const offB = hall.on('sync.changed', b);
    const listener = currentIpcListener()!;

    offA();
    offA(); // idempotent
    expect(live.size).toBe(1);
    listener({}, 'sync.changed', status);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);

    offB();
    expect(ipcRenderer.removeListener).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.removeListener).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, listener);
    expect(live.size).toBe(0);

    // re-subscribing attaches again
    const offC = hall.on('session.ended', vi.fn());
    expect(currentIpcListener()).toBeTypeOf('function');
    offC();
  });

  it('the same function subscribed twice is two subscriptions', () => {
    const f = vi.fn();
    const off1 = hall.on('sync.changed', f);
    const off2 = hall.on('sync.changed', f);
    currentIpcListener()!({}, 'sync.changed', status);
    expect(f).toHaveBeenCalledTimes(2);
    off1();
    currentIpcListener()!({}, 'sync.changed', status);
    expect(f).toHaveBeenCalledTimes(3);
    off2();
  });

  it('a throwing renderer listener does not stop the others', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bad = vi.fn(() => {
      throw new Error('renderer bug');
    });
    const good = vi.fn();
    const off1 = hall.on('sync.changed', bad);
    const off2 = hall.on('sync.changed', good);
    currentIpcListener()!({}, 'sync.changed', status);
    expect(good).toHaveBeenCalledTimes(1);
    off1();
    off2();
    spy.mockRestore();
  });

  it('covers every contract event name', () => {
    for (const name of EVENT_NAMES) {
      const off = hall.on(name, () => {});
      off();
    }
    expect(attachCount.value).toBe(EVENT_NAMES.length);
    expect(live.size).toBe(0);
  });
});
