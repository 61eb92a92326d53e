/**
 * Virtual time for the fault-injection harness: one queue of events ordered by (time, insertion), run
 * one at a time. Between two events every microtask runs to the end (the hub's SQLite store and the
 * console's store are synchronous underneath), so an event boundary is a point where no transaction is
 * open: a crash "at" a boundary is a kill -9 between two instructions of the processes it stands for.
 * Timers belong to an owner (a console, the hub), so killing one drops exactly its pending work.
 */

/** Virtual t = 0 (UTC). */
export const SIM_T0 = Date.parse('2026-11-26T01:00:00.000Z');

export interface SimTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface SimEvent {
  at: number;
  id: number;
  owner: string;
  fn: () => void | Promise<void>;
}

export class SimScheduler {
  /** Virtual milliseconds since SIM_T0. */
  now = 0;
  private nextId = 1;
  private readonly queue: SimEvent[] = [];
  /** Errors thrown by events (a harness or product bug: the run fails with them). */
  readonly errors: string[] = [];
  /** Events run so far. */
  steps = 0;

  /** Runs `fn` at virtual time `at` (not before now). Returns a handle for cancel(). */
  at(at: number, fn: () => void | Promise<void>, owner = 'world'): number {
    const ev: SimEvent = { at: Math.max(this.now, at), id: this.nextId++, owner, fn };
    // Binary insertion after every event with at <= ev.at: same-time events run in the order they were set.
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.queue[mid]!.at <= ev.at) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, ev);
    return ev.id;
  }

  after(ms: number, fn: () => void | Promise<void>, owner = 'world'): number {
    return this.at(this.now + Math.max(0, ms), fn, owner);
  }

  cancel(handle: unknown): void {
    const i = this.queue.findIndex((e) => e.id === handle);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Drops every pending event of `owner` (its process died). */
  cancelOwner(owner: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.owner === owner) this.queue.splice(i, 1);
  }

  timers(owner: string): SimTimers {
    return {
      setTimeout: (fn, ms) => this.after(ms, fn, owner),
      clearTimeout: (handle) => this.cancel(handle),
    };
  }

  /** Lets every queued microtask run (and anything they chain), without moving virtual time. */
  async settle(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Runs events up to virtual time `until` (inclusive), then sets now = until. */
  async runUntil(until: number): Promise<void> {
    await this.settle();
    for (;;) {
      const next = this.queue[0];
      if (next === undefined || next.at > until) break;
      this.queue.shift();
      this.now = next.at;
      this.steps++;
      try {
        await next.fn();
      } catch (err) {
        this.errors.push(`${next.owner} at ${next.at} ms: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      await this.settle();
    }
    this.now = Math.max(this.now, until);
  }

  pending(): number {
    return this.queue.length;
  }
}
