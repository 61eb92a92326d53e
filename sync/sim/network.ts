/**
 * The injectable network of the fault-injection harness: each console's `SyncTransport` connects to
 * whatever hub process is up, through links whose frames are delivered by the virtual scheduler.
 *
 * Faults (all driven by the run's seeded random):
 * - latency 1–30 ms per frame, FIFO per direction like a socket;
 * - `chaos` windows: frames dropped, duplicated, delivered out of order, and garbage frames injected
 *   (random text, JSON of the wrong shape, valid messages at the wrong time, rarely one over 4 MiB) —
 *   what a faulty middlebox or a buggy peer does; TCP alone would not;
 * - partitions of one console or of all: `reset` closes the links (both ends see the close) and
 *   refuses connects; `silent` swallows every frame and lets connects time out (10 s);
 * - the hub going away (crash): links close, connects are refused until it is back.
 */
import type { SyncConnection, SyncTransport } from '../client/transport';
import type { HubService, HubSession } from '../hub/session';
import { MAX_FRAME_BYTES } from '../protocol';
import type { SimScheduler } from './scheduler';

export interface ChaosLevel {
  drop: number;
  duplicate: number;
  reorder: number;
  garbage: number;
}

export const NO_CHAOS: ChaosLevel = { drop: 0, duplicate: 0, reorder: 0, garbage: 0 };

interface Partition {
  until: number;
  mode: 'reset' | 'silent';
}

interface Link {
  consoleId: string;
  open: boolean;
  session: HubSession;
  toClient: ((text: string) => void) | null;
  onClientClose: ((info: { code?: number; reason?: string }) => void) | null;
  /** Last delivery time per direction (FIFO unless reordered). */
  lastToHub: number;
  lastToClient: number;
}

export interface NetworkStats {
  frames: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  garbage: number;
  connects: number;
  refused: number;
}

export class SimNetwork {
  private hub: HubService | null = null;
  private readonly links = new Set<Link>();
  private readonly partitions = new Map<string, Partition>();
  chaos: ChaosLevel = NO_CHAOS;
  readonly stats: NetworkStats = { frames: 0, dropped: 0, duplicated: 0, reordered: 0, garbage: 0, connects: 0, refused: 0 };
  /** Called when a console sends a push frame (the harness uses it to kill a console mid-upload). */
  onPushSent: ((consoleId: string) => void) | null = null;

  constructor(
    private readonly sched: SimScheduler,
    private readonly random: () => number,
  ) {}

  /** The hub process now serving (null: down). Links to a previous one are closed. */
  setHub(service: HubService | null): void {
    for (const link of [...this.links]) this.closeLink(link, 1006, 'hub went away', true);
    this.hub = service;
  }

  partition(consoleId: string | '*', ms: number, mode: Partition['mode']): void {
    this.partitions.set(consoleId, { until: this.sched.now + ms, mode });
    if (mode === 'reset') {
      for (const link of [...this.links]) if (consoleId === '*' || link.consoleId === consoleId) this.closeLink(link, 1006, 'network partition', true);
    }
  }

  heal(): void {
    this.partitions.clear();
    this.chaos = NO_CHAOS;
  }

  /** A console process died: its links vanish; the hub notices after a latency. */
  killConsole(consoleId: string): void {
    for (const link of [...this.links]) {
      if (link.consoleId !== consoleId) continue;
      link.toClient = null;
      link.onClientClose = null;
      this.closeLink(link, 1006, 'console died', false);
    }
  }

  private partitionOf(consoleId: string): Partition | null {
    for (const key of [consoleId, '*']) {
      const p = this.partitions.get(key);
      if (p !== undefined && p.until > this.sched.now) return p;
    }
    return null;
  }

  private latency(): number {
    return 1 + Math.floor(this.random() * 30);
  }

  transportFor(consoleId: string): SyncTransport {
    return {
      connect: () =>
        new Promise<SyncConnection>((resolve, reject) => {
          this.stats.connects++;
          const p = this.partitionOf(consoleId);
          const delay = p?.mode === 'silent' ? 10_000 : this.latency();
          this.sched.after(
            delay,
            () => {
              const hub = this.hub;
              if (hub === null || this.partitionOf(consoleId) !== null) {
                this.stats.refused++;
                reject(new Error(hub === null ? 'ECONNREFUSED (hub down)' : 'ETIMEDOUT (partition)'));
                return;
              }
              resolve(this.open(consoleId, hub));
            },
            consoleId,
          );
        }),
    };
  }

  private open(consoleId: string, hub: HubService): SyncConnection {
    const link: Link = {
      consoleId,
      open: true,
      session: null as unknown as HubSession,
      toClient: null,
      onClientClose: null,
      lastToHub: this.sched.now,
      lastToClient: this.sched.now,
    };
    link.session = hub.openSession((message) => this.send(link, 'client', JSON.stringify(message)));
    this.links.add(link);
    return {
      send: (text) => {
        if (!link.open) return;
        if (this.onPushSent !== null && text.startsWith('{"type":"push"')) this.onPushSent(consoleId);
        this.send(link, 'hub', text);
      },
      onMessage: (listener) => {
        link.toClient = listener;
      },
      onClose: (listener) => {
        link.onClientClose = listener;
      },
      close: (code, reason) => this.closeLink(link, code ?? 1000, reason ?? '', true),
    };
  }

  private send(link: Link, to: 'hub' | 'client', text: string): void {
    if (!link.open) return;
    this.stats.frames++;
    const p = this.partitionOf(link.consoleId);
    if (p !== null) {
      this.stats.dropped++;
      return; // a silent partition swallows frames; a reset one has closed the link already
    }
    const c = this.chaos;
    if (c.garbage > 0 && this.random() < c.garbage) {
      this.stats.garbage++;
      this.deliver(link, to, this.garbage(), false);
    }
    if (c.drop > 0 && this.random() < c.drop) {
      this.stats.dropped++;
      return;
    }
    const reorder = c.reorder > 0 && this.random() < c.reorder;
    if (reorder) this.stats.reordered++;
    this.deliver(link, to, text, reorder);
    if (c.duplicate > 0 && this.random() < c.duplicate) {
      this.stats.duplicated++;
      this.deliver(link, to, text, false);
    }
  }

  private deliver(link: Link, to: 'hub' | 'client', text: string, reorder: boolean): void {
    const owner = to === 'hub' ? 'hub' : link.consoleId;
    const last = to === 'hub' ? link.lastToHub : link.lastToClient;
    // FIFO: never before the previous frame of this direction; a reordered frame ignores that (and may overtake).
    const at = reorder ? this.sched.now + this.latency() * 20 : Math.max(this.sched.now + this.latency(), last);
    if (!reorder) {
      if (to === 'hub') link.lastToHub = at;
      else link.lastToClient = at;
    }
    this.sched.at(
      at,
      async () => {
        if (!link.open) return;
        if (to === 'hub') await link.session.receive(text);
        else link.toClient?.(text);
      },
      owner,
    );
  }

  /** Closes a link: the other side (or both, when `notifyClient`) learns of it after a latency. */
  private closeLink(link: Link, code: number, reason: string, notifyClient: boolean): void {
    if (!link.open) return;
    link.open = false;
    this.links.delete(link);
    const session = link.session;
    this.sched.after(this.latency(), () => session.close(), 'hub');
    const onClose = link.onClientClose;
    if (notifyClient && onClose !== null) this.sched.after(this.latency(), () => onClose({ code, reason }), link.consoleId);
  }

  /**
   * A poisoned frame. Valid frames that would lie about data (a forged push_ack or changes) are not
   * injected: on the real path the link is wss (TLS) and the hub authenticates the console, so no one
   * on the path can forge them; what remains are frames a broken peer or proxy can produce.
   */
  private garbage(): string {
    const r = this.random();
    if (r < 0.002) return 'x'.repeat(MAX_FRAME_BYTES + 1);
    if (r < 0.3) return Array.from({ length: 1 + Math.floor(this.random() * 64) }, () => String.fromCharCode(Math.floor(this.random() * 0xffff))).join('');
    if (r < 0.5) return JSON.stringify({ type: 'push', batch: [{ seq: -1 }] });
    if (r < 0.6) return JSON.stringify({ type: 'pull', bucket: 'nope', cursor: 7 });
    if (r < 0.7) return '{"type":"hello"';
    if (r < 0.8) return JSON.stringify({ type: 'welcome', epoch: 'stale', expectedSeq: 1, serverTime: new Date(0).toISOString() });
    if (r < 0.9) return JSON.stringify({ type: 'poke', buckets: ['catalog'] });
    return JSON.stringify({ type: 'error', code: 'reset_required', message: 'poisoned' });
  }
}
