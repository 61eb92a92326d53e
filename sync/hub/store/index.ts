/** The hub's storage: one interface (types.ts), two adapters. Design: docs/sync.md. */
export * from './types';
export { canonicalJson, contentHash } from './plan';
export { SqliteHubStore, DEFAULT_HUB_FILE, type SqliteHubStoreOptions } from './sqlite';
export { PostgresHubStore, type PostgresHubStoreHooks, type PostgresHubStoreOptions } from './postgres';

import { PostgresHubStore } from './postgres';
import { DEFAULT_HUB_FILE, SqliteHubStore } from './sqlite';
import type { HubStore, HubStoreHooks } from './types';

/**
 * What `hall hub --db X` opens: a postgres:// or postgresql:// URL → PostgreSQL, anything else a
 * SQLite file (default hub.sqlite in the working folder).
 */
export function openHubStore(db: string = DEFAULT_HUB_FILE, options: { hooks?: HubStoreHooks; onError?: (err: unknown) => void } = {}): Promise<HubStore> {
  return /^postgres(ql)?:\/\//i.test(db) ? PostgresHubStore.open({ connectionString: db, ...options }) : SqliteHubStore.open({ file: db, ...options });
}
