/** The console's sync client (issue 6, slice 3). Design: docs/sync.md "The console's client". */
export { SyncClient, DEFAULT_PULL_BUCKETS, helloSigningText, type SyncClientOptions, type SyncClientState, type ResendResult } from './client';
export { createWsTransport, type WsTransportOptions } from './ws-transport';
export { realTimers, memoryConnectionPair, type SyncConnection, type SyncTimers, type SyncTransport } from './transport';
export { backoffDelayMs, BACKOFF_CAP_S } from './backoff';
export { readCursors, readDevices, applyCheckpoint, type SkippedChange } from './apply';
