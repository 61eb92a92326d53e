/** main/services/sync-status.ts with and without a client: shape, and live pending counts offline. */
import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../preload/contract';
import { SyncStatus as SyncStatusSchema } from '../../preload/contract';
import { createEventBus } from '../../main/events';
import { createMemoryLogger } from '../../main/log';
import { SyncStatusService } from '../../main/services/sync-status';
import { memoryStore } from '../../main/store/test-support';
import { manualTimers } from './test-support';

const store = memoryStore();

describe('SyncStatusService', () => {
  it('reports not_enrolled / offline with the real counts, and a source once a client is attached', () => {
    let url: string | null = null;
    const service = new SyncStatusService(store.outbox, () => url);
    expect(service.status()).toEqual({ state: 'not_enrolled', pendingUploads: 0, lastSyncAt: null, hubUrl: null, lastError: null, needsCorrection: 0 });
    url = 'ws://hub/sync';
    expect(service.status().state).toBe('offline');
    const fromClient: SyncStatus = { state: 'online', pendingUploads: 3, lastSyncAt: '2026-11-26T01:00:00.000Z', hubUrl: url, lastError: null, needsCorrection: 1 };
    service.attach({ status: () => fromClient });
    expect(service.status()).toBe(fromClient);
    expect(SyncStatusSchema.parse(service.status())).toEqual(fromClient);
  });

  it('emits sync.changed once per burst of appends (debounced), with the pending count', () => {
    const logger = createMemoryLogger();
    const events = createEventBus(logger);
    const seen: SyncStatus[] = [];
    events.subscribe((e, p) => {
      if (e === 'sync.changed') seen.push(p as SyncStatus);
    });
    const timers = manualTimers();
    const service = new SyncStatusService(store.outbox, () => null);
    const stop = service.watch(events, store.outbox, 250, timers);
    store.db.transaction(() => {
      for (let i = 0; i < 3; i++) store.outbox.append('case.created', { i });
    });
    expect(seen).toEqual([]);
    timers.advance(250);
    expect(seen.map((s) => s.pendingUploads)).toEqual([3]);
    store.db.transaction(() => store.outbox.append('case.created', {}));
    stop();
    timers.advance(1000);
    expect(seen).toHaveLength(1);
  });
});
