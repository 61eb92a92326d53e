/** Helpers for the sync client's tests: manual timers and a scripted hub behind an in-memory transport. Synthetic data only. */
import { parseSyncFrame, type SyncMessage } from '../protocol';
import { memoryConnectionPair, type SyncTimers, type SyncTransport } from './transport';

export interface ManualTimers extends SyncTimers {
  /** Delays of the timers still waiting, in the order they were set. */
  pending(): number[];
  /** Moves time on, running every timer that falls due (in due order). */
  advance(ms: number): void;
  /** Runs the earliest waiting timer; returns its delay, or null when none. */
  runNext(): number | null;
}

export function manualTimers(): ManualTimers {
  let now = 0;
  let id = 0;
  const list: { id: number; at: number; ms: number; fn: () => void }[] = [];
  const take = (i: number): void => {
    const [t] = list.splice(i, 1);
    if (t) {
      now = Math.max(now, t.at);
      t.fn();
    }
  };
  return {
    setTimeout(fn, ms) {
      const handle = ++id;
      list.push({ id: handle, at: now + ms, ms, fn });
      return handle;
    },
    clearTimeout(handle) {
      const i = list.findIndex((t) => t.id === handle);
      if (i >= 0) list.splice(i, 1);
    },
    pending: () => list.map((t) => t.ms),
    advance(ms) {
      const until = now + ms;
      for (;;) {
        let best = -1;
        list.forEach((t, i) => {
          if (t.at <= until && (best < 0 || t.at < list[best]!.at)) best = i;
        });
        if (best < 0) break;
        take(best);
      }
      now = until;
    },
    runNext() {
      if (list.length === 0) return null;
      let best = 0;
      list.forEach((t, i) => {
        if (t.at < list[best]!.at) best = i;
      });
      const ms = list[best]!.ms;
      take(best);
      return ms;
    },
  };
}

/** Lets queued microtasks and I/O callbacks run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** The hub's end of one scripted connection. */
export interface ScriptedHub {
  /** Every frame the client sent, parsed (unparseable ones as `{type: 'unparseable'}`). */
  received: (SyncMessage | { type: 'unparseable'; text: string })[];
  reply(message: SyncMessage | string): void;
  close(code?: number): void;
  readonly closed: boolean;
  /** The received messages of one type. */
  of<T extends SyncMessage['type']>(type: T): Extract<SyncMessage, { type: T }>[];
}

/** A transport whose connections are scripted hubs; `refuse` makes the next connects fail. */
export function scriptedTransport(): { transport: SyncTransport; hubs: ScriptedHub[]; refuse: number; attempts: number } {
  const state = {
    hubs: [] as ScriptedHub[],
    refuse: 0,
    attempts: 0,
    transport: {
      async connect() {
        state.attempts++;
        if (state.refuse > 0) {
          state.refuse--;
          throw new Error('ECONNREFUSED (scripted)');
        }
        const { client, server } = memoryConnectionPair();
        const received: ScriptedHub['received'] = [];
        server.onMessage((text) => {
          const p = parseSyncFrame(text);
          received.push(p.ok ? p.message : { type: 'unparseable', text });
        });
        state.hubs.push({
          received,
          reply: (m) => server.send(typeof m === 'string' ? m : JSON.stringify(m)),
          close: (code) => server.close(code),
          get closed() {
            return server.closed;
          },
          of: <T extends SyncMessage['type']>(type: T) => received.filter((m) => m.type === type) as Extract<SyncMessage, { type: T }>[],
        });
        return client;
      },
    } satisfies SyncTransport,
  };
  return state;
}

/** A catalog item as the hub publishes it (synthetic). */
export const CATALOG_ITEM = {
  code: 'SCJG-001',
  name: '个体工商户设立登记',
  department: '市场监督管理局',
  kind: 'promised',
  legalLimitDays: 15,
  promisedLimitDays: 3,
  serviceGroup: 'A',
  toleranceAllowed: true,
  creditCommitmentAllowed: true,
  materials: [{ code: 'M1', name: '申请书', form: 'original', count: 1 }],
  fees: [],
};
