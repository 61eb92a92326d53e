/**
 * The few parts of pouchdb-node and express-pouchdb that `hall bench sync` uses (bench-only
 * devDependencies without bundled types; @types/pouchdb-* would pull a dozen packages for three calls).
 */
declare module 'pouchdb-node' {
  interface PouchReplicationResult {
    ok: boolean;
    docs_read: number;
    docs_written: number;
    doc_write_failures: number;
  }
  interface PouchInfo {
    doc_count: number;
  }
  interface PouchDatabase {
    bulkDocs(docs: readonly Record<string, unknown>[]): Promise<{ ok?: boolean; error?: string }[]>;
    info(): Promise<PouchInfo>;
    close(): Promise<void>;
    replicate: { to(target: string | PouchDatabase, options?: { batch_size?: number; batches_limit?: number }): Promise<PouchReplicationResult> };
  }
  interface PouchConstructor {
    new (name: string, options?: Record<string, unknown>): PouchDatabase;
    defaults(options: { prefix?: string }): PouchConstructor;
  }
  const PouchDB: PouchConstructor;
  export default PouchDB;
  export type { PouchDatabase, PouchConstructor, PouchReplicationResult };
}

declare module 'express-pouchdb' {
  import type { Server } from 'node:http';
  import type { PouchConstructor } from 'pouchdb-node';
  interface ExpressPouchApp {
    listen(port: number, host: string): Server;
  }
  function expressPouchDB(
    pouch: PouchConstructor,
    options?: { mode?: 'fullCouchDB' | 'minimumForPouchDB' | 'custom'; inMemoryConfig?: boolean; logPath?: string; configPath?: string },
  ): ExpressPouchApp;
  export default expressPouchDB;
}
