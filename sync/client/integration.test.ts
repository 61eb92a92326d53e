/**
 * The console's client against the real hub session (sync/hub/session.ts) in one process, over an
 * in-memory transport: offline cases reach the hub exactly once, published reference data arrives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../main/domain/clock';
import { createEventBus } from '../../main/events';
import { createMemoryLogger } from '../../main/log';
import { generateConsoleSigningKey } from '../../main/security/receipt-signature';
import { memoryStore } from '../../main/store/test-support';
import { createHubService, type HubService } from '../hub/session';
import { SqliteHubStore } from '../hub/store/sqlite';
import { readCursors } from './apply';
import { SyncClient } from './client';
import { memoryConnectionPair, type SyncTransport } from './transport';
import { CATALOG_ITEM as ITEM } from './test-support';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Each connect opens a hub session wired to the other end of an in-memory connection. */
function inProcessTransport(service: HubService): SyncTransport & { drop(): void } {
  const open: (() => void)[] = [];
  return {
    async connect() {
      const { client, server } = memoryConnectionPair();
      const session = service.openSession((m) => server.send(JSON.stringify(m)));
      server.onMessage((text) => void session.receive(text));
      server.onClose(() => session.close());
      open.push(() => server.close(1006));
      return client;
    },
    drop() {
      for (const close of open.splice(0)) close();
    },
  };
}

async function until<T>(fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('SyncClient ⇄ hub session (in process)', () => {
  it('pushes 50 offline cases exactly once and receives a published catalog change', async () => {
    const hubStore = await SqliteHubStore.open({ file: ':memory:' });
    const service = createHubService({ store: hubStore, clock: systemClock });
    cleanups.push(() => hubStore.close());
    cleanups.push(() => service.close());
    const key = generateConsoleSigningKey();
    await hubStore.registerConsole('C03', key.publicKeyBase64Url);

    const store = memoryStore(systemClock);
    cleanups.push(() => store.close());
    store.db.transaction(() => {
      for (let i = 1; i <= 50; i++) store.outbox.append('case.created', { caseId: `case-${i}`, receiptNo: `C03-20261126-${String(i).padStart(4, '0')}` });
    });
    const transport = inProcessTransport(service);
    const logger = createMemoryLogger();
    const client = new SyncClient({ url: 'memory://hub', transport, store, consoleId: 'C03', signingKey: key, clock: systemClock, logger, events: createEventBus(logger), batchSize: 20, random: () => 0 });
    cleanups.push(() => client.stop());
    client.start();

    await until(() => store.outbox.countPending() === 0, 'all 50 acked');
    expect(await hubStore.lastApplied('C03')).toBe(store.outbox.lastSeq());
    expect(store.outbox.lastSeq()).toBe(50);
    await until(() => readCursors(store).devices, 'the first pull of every bucket');
    expect(client.status()).toMatchObject({ state: 'online', pendingUploads: 0, needsCorrection: 0 });

    await hubStore.publish('catalog', [{ op: 'put', key: ITEM.code, value: ITEM }]);
    await until(() => store.catalog.get(ITEM.code), 'the published catalog item (poke → pull)');
    expect(store.db.sql.prepare('SELECT code FROM catalog_items').pluck().all()).toEqual([ITEM.code]);

    // The connection drops, more cases are made offline, the client reconnects and pushes them.
    transport.drop();
    store.db.transaction(() => store.outbox.append('case.created', { caseId: 'case-51' }));
    await until(() => store.outbox.countPending() === 0, 'case 51 acked after reconnect');
    expect(await hubStore.lastApplied('C03')).toBe(51);
    const hubMutation = await hubStore.getMutation(store.outbox.get(51)!.mutationId);
    expect(hubMutation?.payload).toEqual({ caseId: 'case-51' });
  });

  it('a hub restored from an older backup gets the acked rows again, and the console re-downloads', async () => {
    const key = generateConsoleSigningKey();
    let hubStore = await SqliteHubStore.open({ file: ':memory:' });
    let service = createHubService({ store: hubStore, clock: systemClock });
    await hubStore.registerConsole('C03', key.publicKeyBase64Url);
    await hubStore.publish('catalog', [{ op: 'put', key: ITEM.code, value: ITEM }]);
    const store = memoryStore(systemClock);
    cleanups.push(() => store.close());
    store.db.transaction(() => {
      for (let i = 1; i <= 5; i++) store.outbox.append('case.created', { caseId: `case-${i}` });
    });
    let current = service;
    const transport: SyncTransport = { connect: (url) => inProcessTransport(current).connect(url) };
    const logger = createMemoryLogger();
    const client = new SyncClient({ url: 'memory://hub', transport, store, consoleId: 'C03', signingKey: key, clock: systemClock, logger, random: () => 0 });
    cleanups.push(() => client.stop());
    client.start();
    await until(() => store.outbox.countPending() === 0 && readCursors(store).devices, 'first sync');
    expect(store.catalog.count()).toBe(1);

    // "Restore": a fresh hub that knows the console but none of its mutations, with a new epoch.
    await service.close();
    await hubStore.close();
    hubStore = await SqliteHubStore.open({ file: ':memory:' });
    service = createHubService({ store: hubStore, clock: systemClock });
    cleanups.push(() => hubStore.close());
    cleanups.push(() => service.close());
    await hubStore.registerConsole('C03', key.publicKeyBase64Url);
    current = service;
    await client.stop();
    client.start();
    const epoch = await hubStore.epoch();
    await until(async () => (await hubStore.lastApplied('C03')) === 5, 'the re-push of acked rows');
    await until(() => readCursors(store).devices?.startsWith(`${epoch}:`), 'every bucket pulled again in the new epoch');
    expect(logger.lines.some((l) => l.event === 'sync.hub_behind')).toBe(true);
    expect(logger.lines.some((l) => l.event === 'sync.epoch_changed')).toBe(true);
    expect(Object.values(readCursors(store)).every((c) => c.startsWith(`${epoch}:`))).toBe(true);
    expect(await hubStore.getMutation(store.outbox.get(3)!.mutationId)).not.toBeNull();
    expect(store.outbox.get(3)?.status).toBe('acked');
  });

  it('a mutation the hub rejects shows as needing correction; the fix goes as a new row and is applied', async () => {
    const hubStore = await SqliteHubStore.open({ file: ':memory:' });
    const service = createHubService({ store: hubStore, clock: systemClock });
    cleanups.push(() => hubStore.close());
    cleanups.push(() => service.close());
    const key = generateConsoleSigningKey();
    await hubStore.registerConsole('C03', key.publicKeyBase64Url);
    const store = memoryStore(systemClock);
    cleanups.push(() => store.close());
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString();
    store.db.transaction(() => {
      store.outbox.append('case.created', { caseId: 'ok-1' });
      store.outbox.append('case.created', { caseId: 'late-2', at: future }); // > 24 h ahead: the hub's rule rejects it
      store.outbox.append('case.created', { caseId: 'ok-3' });
    });
    const logger = createMemoryLogger();
    const client = new SyncClient({ url: 'memory://hub', transport: inProcessTransport(service), store, consoleId: 'C03', signingKey: key, clock: systemClock, logger, random: () => 0 });
    cleanups.push(() => client.stop());
    client.start();
    await until(() => store.outbox.countPending() === 0, 'all answered');
    expect(client.needsCorrection()).toEqual([expect.objectContaining({ seq: 2, reason: expect.stringContaining('24 h') })]);
    expect(client.status().needsCorrection).toBe(1);
    expect((await hubStore.listQuarantine({ consoleId: 'C03' })).map((q) => q.seq)).toEqual([2]);

    expect(client.resend(2, { payload: { caseId: 'late-2', at: new Date().toISOString() } })).toEqual({ ok: true, seq: 4 });
    await until(async () => (await hubStore.lastApplied('C03')) === 4, 'the corrected row applied');
    await until(() => store.outbox.countPending() === 0, 'the corrected row acked');
    expect(store.outbox.get(4)?.status).toBe('acked');
    expect(client.needsCorrection()).toEqual([]);
  });
});
