import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres';
import { describeHubStore, type Schema5Hub } from './hub-store.suite';
import { PostgresHubStore } from './postgres';
import { HUB_PG_MIGRATIONS } from './postgres-migrations';
import type { HubChangeEvent } from './types';
import pg from 'pg';

// One database for this file (a fresh server cluster unless HALL_TEST_PG_URL is set); one schema per
// test, so tests start empty without paying for CREATE DATABASE each time.
let db: TestDatabase | null = null;
let schemas = 0;

beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

function url(): string {
  if (db === null) throw new Error('the test database did not start (see the beforeAll error)');
  return db.url;
}

/** A hub schema as migration 5 left it (the upgrade test of the suite). */
async function seedSchema5(schema: string, c: Schema5Hub): Promise<void> {
  const client = new pg.Client({ connectionString: url() });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path = ${schema}`);
    await client.query('CREATE TABLE hub_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const m of HUB_PG_MIGRATIONS.filter((x) => x.version <= 5)) {
      await client.query(m.sql);
      await client.query('INSERT INTO hub_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await client.query(`INSERT INTO hub_meta (key, value) VALUES ('epoch', $1)`, [c.epoch]);
    const k = c.console;
    await client.query(`INSERT INTO hub_consoles (console_id, public_key, status, last_applied, registered_at, hall_id) VALUES ($1, $2, 'active', $3, $4, $5)`, [k.consoleId, k.publicKey, k.lastApplied, k.registeredAt, k.hallId]);
    for (const x of c.mutations) {
      await client.query('INSERT INTO hub_mutations (mutation_id, console_id, seq, schema_version, hlc, type, payload, content_hash, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
        x.mutationId, x.consoleId, x.seq, x.schemaVersion, x.hlc, x.type, x.payload, x.contentHash, x.appliedAt,
      ]);
    }
    for (const x of c.ledger) await client.query('INSERT INTO hub_console_seqs (console_id, seq, mutation_id, outcome, reason) VALUES ($1, $2, $3, $4, $5)', [x.consoleId, x.seq, x.mutationId, x.outcome, x.reason]);
    for (const x of c.changes) {
      await client.query('INSERT INTO hub_changes (server_seq, bucket, op, key, value, created_at, tag, hall_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [x.serverSeq, x.bucket, x.op, x.key, x.value, x.createdAt, x.tag, x.hallId]);
    }
    await client.query(`SELECT setval('hub_server_seq', $1)`, [Math.max(...c.changes.map((x) => x.serverSeq))]);
  } finally {
    await client.end();
  }
}

describeHubStore('postgres', () => {
  const schema = `hub_t${++schemas}`;
  return {
    open: (options) => PostgresHubStore.open({ connectionString: url(), schema, poolSize: 6, ...options }),
    seedSchema5: (content) => seedSchema5(schema, content),
  };
});

describe('PostgresHubStore change log under concurrency', () => {
  it('never lets a cursor pass a transaction that took a serverSeq and commits late', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let holding = false;
    const slow = await PostgresHubStore.open({
      connectionString: url(),
      schema: 'hub_late',
      hooks: {
        beforeCommit: async (op) => {
          if (op !== 'publish') return;
          holding = true;
          await gate;
        },
      },
    });
    const fast = await PostgresHubStore.open({ connectionString: url(), schema: 'hub_late' });
    try {
      const late = slow.publish('catalog', [{ op: 'put', key: 'late' }]);
      while (!holding) await new Promise((r) => setTimeout(r, 5));
      let fastDone = false;
      const early = fast.publish('catalog', [{ op: 'put', key: 'early' }]).then((c) => ((fastDone = true), c));
      await new Promise((r) => setTimeout(r, 150));
      // The second writer waits for the first to commit; a reader sees nothing yet, so its cursor stays put.
      expect(fastDone).toBe(false);
      const page = await fast.changesSince('catalog', 0);
      expect(page).toEqual({ changes: [], cursor: 0, hasMore: false });
      release();
      const [lateOut, earlyOut] = await Promise.all([late, early]);
      expect(lateOut[0]!.serverSeq).toBeLessThan(earlyOut[0]!.serverSeq);
      expect((await fast.changesSince('catalog', page.cursor)).changes.map((c) => c.key)).toEqual(['late', 'early']);
    } finally {
      release();
      await Promise.all([slow.close(), fast.close()]);
    }
  });
});

describe('PostgresHubStore LISTEN connection', () => {
  it('reconnects after losing it and reports every bucket (notifications may have been missed)', async () => {
    const errors: unknown[] = [];
    const listening = await PostgresHubStore.open({ connectionString: url(), schema: 'hub_listen', onError: (e) => errors.push(e) });
    const writer = await PostgresHubStore.open({ connectionString: url(), schema: 'hub_listen', listen: false });
    const events: HubChangeEvent[] = [];
    listening.onChange((e) => events.push(e));
    const admin = new pg.Client({ connectionString: url() });
    await admin.connect();
    try {
      const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hall-hub-listen' AND datname = current_database()`);
      expect(killed.rowCount).toBe(1);
      await waitUntil(() => events.length > 0);
      expect(events[0]).toMatchObject({ origin: 'other', buckets: expect.arrayContaining(['catalog', 'hall_cases']) });
      await writer.publish('devices', [{ op: 'put', key: 'pad03' }]);
      await waitUntil(() => events.some((e) => e.buckets.length === 1 && e.buckets[0] === 'devices'));
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
      await Promise.all([listening.close(), writer.close()]);
    }
  });
});

async function waitUntil(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('PostgresHubStore schema', () => {
  it('creates its tables, records migrations, and refuses a database from a newer hub', async () => {
    const store = await PostgresHubStore.open({ connectionString: url(), schema: 'hub_meta_test', listen: false });
    await store.close();
    const c = new pg.Client({ connectionString: url() });
    await c.connect();
    try {
      const m = await c.query<{ version: number; name: string }>('SELECT version, name FROM hub_meta_test.hub_migrations ORDER BY version');
      expect(m.rows).toEqual(HUB_PG_MIGRATIONS.map((x) => ({ version: x.version, name: x.name })));
      await c.query(`INSERT INTO hub_meta_test.hub_migrations (version, name) VALUES (99, 'future')`);
    } finally {
      await c.end();
    }
    await expect(PostgresHubStore.open({ connectionString: url(), schema: 'hub_meta_test' })).rejects.toMatchObject({ code: 'db_too_new' });
  });

  it('opens concurrently from several processes without racing the migrations', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresHubStore.open({ connectionString: url(), schema: 'hub_race', poolSize: 2 })));
    const epochs = await Promise.all(stores.map((s) => s.epoch()));
    expect(new Set(epochs).size).toBe(1);
    await Promise.all(stores.map((s) => s.close()));
  });
});
