/**
 * What the status bar shows about the hub. The sync client (sync issue) will drive `state`; until
 * a console is enrolled it is `not_enrolled`, and the pending count is the real outbox count.
 */
import type { SyncStatus } from '../../preload/contract';

export interface OutboxCountPort {
  countPending(): number;
}

export class SyncStatusService {
  constructor(
    private readonly outbox: OutboxCountPort,
    private readonly hubUrl: () => string | null,
  ) {}

  status(): SyncStatus {
    const hubUrl = this.hubUrl();
    return {
      state: hubUrl ? 'offline' : 'not_enrolled',
      pendingUploads: this.outbox.countPending(),
      lastSyncAt: null,
      hubUrl,
    };
  }
}
