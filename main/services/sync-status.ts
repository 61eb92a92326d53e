/**
 * What the status bar shows about the hub. Without a hub URL the console is `not_enrolled`; with one,
 * the sync client (sync/client/) reports its connection state, last sync, last error and the
 * needs-correction count. The pending count is always the real outbox count, and `watch` emits
 * `sync.changed` (debounced) whenever the outbox grows, so the count is live even offline.
 */
import type { SyncStatus } from '../../preload/contract';
import { realTimers, type Timers } from '../domain/clock';
import type { EventBus } from '../events';

export interface OutboxCountPort {
  countPending(): number;
  countNeedsCorrection?(): number;
}

export interface OutboxAppendPort {
  onAppend(listener: () => void): () => void;
}

/** The sync client as the status service sees it. */
export interface SyncStatusSource {
  status(): SyncStatus;
}

/** The status watch's timers (main/domain/clock.ts). */
export type StatusTimers = Timers;

export class SyncStatusService {
  private source: SyncStatusSource | null = null;

  constructor(
    private readonly outbox: OutboxCountPort,
    private readonly hubUrl: () => string | null,
  ) {}

  /** The running sync client; from now on its state is reported. */
  attach(source: SyncStatusSource | null): void {
    this.source = source;
  }

  status(): SyncStatus {
    if (this.source) return this.source.status();
    const hubUrl = this.hubUrl();
    return {
      state: hubUrl ? 'offline' : 'not_enrolled',
      pendingUploads: this.outbox.countPending(),
      lastSyncAt: null,
      hubUrl,
      lastError: null,
      needsCorrection: this.outbox.countNeedsCorrection?.() ?? 0,
    };
  }

  /**
   * Emits `sync.changed` `debounceMs` after the outbox grows (one event for a burst of appends).
   * Returns the unsubscribe function.
   */
  watch(events: EventBus, outbox: OutboxAppendPort, debounceMs = 250, timers: StatusTimers = realTimers): () => void {
    let timer: unknown = null;
    const off = outbox.onAppend(() => {
      if (timer !== null) return;
      timer = timers.setTimeout(() => {
        timer = null;
        try {
          events.emit('sync.changed', this.status());
        } catch {
          // the status bar is informational; never fail because of it
        }
      }, debounceMs);
    });
    return () => {
      off();
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    };
  }
}
