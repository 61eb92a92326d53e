import { verify } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../preload/contract';
import { ServiceItem } from '../../main/domain/catalog';
import { testClock } from '../../main/domain/clock';
import { createEventBus } from '../../main/events';
import { createMemoryLogger } from '../../main/log';
import { generateConsoleSigningKey } from '../../main/security/receipt-signature';
import { memoryStore } from '../../main/store/test-support';
import type { Bucket, SyncMessage } from '../protocol';
import { readCursors } from './apply';
import { seededRandom } from '../../drivers/emulators/random';
import { backoffDelayMs } from './backoff';
import { helloSigningText, SyncClient, type SyncClientOptions } from './client';
import { CATALOG_ITEM as ITEM, flush, manualTimers, scriptedTransport, type ScriptedHub } from './test-support';

const SERVER_TIME = '2026-11-26T01:00:00.000Z';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(over: Partial<SyncClientOptions> = {}) {
  const clock = testClock();
  const store = memoryStore(clock);
  const key = generateConsoleSigningKey();
  const timers = manualTimers();
  const net = scriptedTransport();
  const logger = createMemoryLogger();
  const events = createEventBus(logger);
  const emitted: SyncStatus[] = [];
  events.subscribe((e, p) => {
    if (e === 'sync.changed') emitted.push(p as SyncStatus);
  });
  const client = new SyncClient({
    url: 'ws://hub.test/sync',
    transport: net.transport,
    store,
    consoleId: 'C03',
    signingKey: key,
    clock,
    logger,
    events,
    timers,
    random: seededRandom(7),
    retentionDays: 0,
    buckets: [],
    ...over,
  });
  cleanups.push(() => store.close());
  cleanups.push(() => client.stop());
  const append = (n: number, type = 'case.created'): void =>
    store.db.transaction(() => {
      for (let i = 0; i < n; i++) store.outbox.append(type, { caseId: `c${store.outbox.lastSeq() + 1}` });
    });
  const connect = async (welcome: Partial<Extract<SyncMessage, { type: 'welcome' }>> = {}): Promise<ScriptedHub> => {
    if (client.connectionState === 'stopped') client.start();
    else timers.runNext();
    await flush();
    const hub = net.hubs.at(-1)!;
    hub.reply({ type: 'welcome', epoch: 'E1', expectedSeq: 1, serverTime: SERVER_TIME, ...welcome });
    await flush();
    return hub;
  };
  const lastPush = (hub: ScriptedHub) => hub.of('push').at(-1)!;
  const ackAll = async (hub: ScriptedHub, expectedSeq?: number) => {
    const p = lastPush(hub);
    const last = p.batch.at(-1)!.seq;
    hub.reply({ type: 'push_ack', results: p.batch.map((m) => ({ seq: m.seq, status: 'applied' as const })), expectedSeq: expectedSeq ?? last + 1 });
    await flush();
  };
  return { clock, store, key, timers, net, logger, events, emitted, client, append, connect, lastPush, ackAll };
}

describe('SyncClient: hello', () => {
  it('signs HALLSYNC1:<consoleId>:<issuedAt> with the console key and goes online on welcome', async () => {
    const t = setup();
    t.append(2);
    const hub = await t.connect();
    const hello = hub.of('hello')[0]!;
    expect(hello).toMatchObject({ consoleId: 'C03', protocolVersion: 1, lastAckedSeq: 0, cursors: {} });
    expect(hello.auth.keyId).toBe('C03');
    expect(hello.auth.issuedAt).toBe(SERVER_TIME);
    const ok = verify(null, Buffer.from(helloSigningText('C03', hello.auth.issuedAt), 'utf8'), t.key.publicKey, Buffer.from(hello.auth.signature, 'base64url'));
    expect(ok).toBe(true);
    expect(t.client.status()).toMatchObject({ state: 'online', pendingUploads: 2, hubUrl: 'ws://hub.test/sync', lastError: null, needsCorrection: 0 });
    expect(t.emitted.map((s) => s.state)).toContain('connecting');
    expect(t.emitted.at(-1)?.state).toBe('online');
  });

  it('is refused: error status, connection closed, reconnect scheduled', async () => {
    const t = setup();
    t.client.start();
    await flush();
    const hub = t.net.hubs[0]!;
    hub.reply({ type: 'error', code: 'unauthorized', message: 'console C03 is not enrolled at this hub' });
    await flush();
    expect(hub.closed).toBe(true);
    expect(t.client.connectionState).toBe('error');
    expect(t.client.status()).toMatchObject({ state: 'offline', lastError: expect.stringContaining('unauthorized') });
    expect(t.timers.pending()).toHaveLength(1);
  });
});

describe('SyncClient: push', () => {
  it('pushes pending rows in seq order in batches of batchSize, one batch in flight, marking each ack', async () => {
    const t = setup({ batchSize: 200 });
    t.append(450);
    const hub = await t.connect();
    expect(hub.of('push').map((p) => p.batch.map((m) => m.seq))).toEqual([Array.from({ length: 200 }, (_, i) => i + 1)]);
    await flush();
    expect(hub.of('push')).toHaveLength(1); // nothing more until the ack
    await t.ackAll(hub);
    expect(t.store.outbox.countPending()).toBe(250);
    expect(t.lastPush(hub).batch.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 201));
    await t.ackAll(hub);
    expect(t.lastPush(hub).batch.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 401));
    await t.ackAll(hub);
    expect(hub.of('push')).toHaveLength(3);
    expect(t.store.outbox.countPending()).toBe(0);
    expect(t.client.status()).toMatchObject({ pendingUploads: 0, lastSyncAt: SERVER_TIME });
    const first = hub.of('push')[0]!.batch[0]!;
    const row = t.store.outbox.get(1)!;
    expect(first).toEqual({ seq: 1, mutationId: row.mutationId, schemaVersion: row.schemaVersion, hlc: row.hlc, type: 'case.created', payload: { caseId: 'c1' } });
  });

  it('pushes rows appended while online (the outbox listener)', async () => {
    const t = setup();
    const hub = await t.connect();
    expect(hub.of('push')).toHaveLength(0);
    t.append(3);
    await flush();
    expect(t.lastPush(hub).batch.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('marks an ack in one transaction: a failure part-way leaves every row pending and resets the connection', async () => {
    const t = setup();
    t.append(3);
    const hub = await t.connect();
    t.store.db.sql.exec(`CREATE TEMP TRIGGER fail_3 BEFORE UPDATE ON outbox WHEN NEW.seq = 3 BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    await t.ackAll(hub);
    expect(t.store.outbox.countPending()).toBe(3);
    expect(hub.closed).toBe(true);
    t.store.db.sql.exec('DROP TRIGGER temp.fail_3');
    const again = await t.connect({ expectedSeq: 4 });
    expect(t.lastPush(again).batch.map((m) => m.seq)).toEqual([1, 2, 3]); // pending rows below expectedSeq are re-sent
    again.reply({ type: 'push_ack', results: [1, 2, 3].map((seq) => ({ seq, status: 'duplicate' as const })), expectedSeq: 4 });
    await flush();
    expect(t.store.outbox.countPending()).toBe(0);
  });

  it('puts a rejected row on the needs-correction list; resend writes a NEW row that resolves it', async () => {
    const t = setup();
    t.append(3);
    const hub = await t.connect();
    hub.reply({
      type: 'push_ack',
      results: [
        { seq: 1, status: 'applied' },
        { seq: 2, status: 'rejected', reason: 'schema: receiptNo missing' },
        { seq: 3, status: 'applied' },
      ],
      expectedSeq: 4,
    });
    await flush();
    expect(t.client.needsCorrection()).toEqual([expect.objectContaining({ seq: 2, type: 'case.created', reason: 'schema: receiptNo missing', payload: { caseId: 'c2' } })]);
    expect(t.client.status()).toMatchObject({ needsCorrection: 1, pendingUploads: 0 });
    const original = t.store.outbox.get(2)!;

    expect(t.client.resend(2, { payload: { caseId: 'c2', receiptNo: 'R-2' } })).toEqual({ ok: true, seq: 4 });
    expect(t.client.resend(2)).toMatchObject({ ok: false });
    expect(t.client.resend(1)).toMatchObject({ ok: false });
    await flush();
    expect(t.store.outbox.get(2)).toEqual(original); // the rejected row is never edited
    expect(t.client.needsCorrection()).toEqual([]);
    const pushed = t.lastPush(hub).batch;
    expect(pushed.map((m) => [m.seq, m.payload])).toEqual([[4, { caseId: 'c2', receiptNo: 'R-2' }]]);
    expect(pushed[0]!.mutationId).not.toBe(original.mutationId);
  });

  it('resends from expectedSeq after a gap', async () => {
    const t = setup();
    t.append(10);
    const hub = await t.connect();
    hub.reply({ type: 'push_ack', results: [1, 2, 3].map((seq) => ({ seq, status: 'applied' as const })), expectedSeq: 4 });
    await flush();
    expect(t.lastPush(hub).batch.map((m) => m.seq)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(t.store.outbox.countPending()).toBe(7);
  });

  it('re-pushes acked rows when the hub is behind (restored from a backup)', async () => {
    const t = setup();
    t.append(5);
    const hub = await t.connect();
    await t.ackAll(hub);
    expect(t.store.outbox.lastAnsweredSeq()).toBe(5);
    hub.close();
    await flush();
    t.append(1);
    const restored = await t.connect({ expectedSeq: 3 });
    expect(restored.of('hello')[0]!.lastAckedSeq).toBe(5);
    expect(t.lastPush(restored).batch.map((m) => m.seq)).toEqual([3, 4, 5, 6]);
    await t.ackAll(restored);
    expect(t.store.outbox.get(3)?.status).toBe('acked');
    expect(t.store.outbox.countPending()).toBe(0);
    expect(t.logger.lines.some((l) => l.event === 'sync.hub_behind')).toBe(true);
  });

  it('gives up on a hub that makes no progress (resets the connection instead of spinning)', async () => {
    const t = setup();
    t.append(2);
    const hub = await t.connect();
    for (let i = 0; i < 3; i++) {
      hub.reply({ type: 'push_ack', results: [], expectedSeq: 1 });
      await flush();
    }
    expect(hub.closed).toBe(true);
    expect(t.client.status().lastError).toMatch(/no progress/);
  });
});

describe('SyncClient: pull', () => {
  const catalogChange = (serverSeq: number, name = ITEM.name) => ({ serverSeq, op: 'put' as const, key: ITEM.code, value: { ...ITEM, name } });

  it('applies all changes of a pull and the cursor in one transaction on checkpoint, then acks', async () => {
    const t = setup({ buckets: ['catalog', 'devices'] });
    const hub = await t.connect();
    expect(hub.of('pull')).toEqual([{ type: 'pull', bucket: 'catalog', cursor: '' }]);
    hub.reply({ type: 'changes', bucket: 'catalog', changes: [catalogChange(3)] });
    hub.reply({ type: 'changes', bucket: 'catalog', changes: [catalogChange(5, '个体工商户设立登记（新）')] });
    await flush();
    expect(t.store.catalog.count()).toBe(0); // nothing before the checkpoint
    hub.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:5' });
    await flush();
    expect(t.store.catalog.get(ITEM.code)?.name).toBe('个体工商户设立登记（新）');
    expect(readCursors(t.store)).toEqual({ catalog: 'E1:5' });
    expect(hub.of('checkpoint_ack')).toEqual([{ type: 'checkpoint_ack', bucket: 'catalog', cursor: 'E1:5' }]);
    expect(hub.of('pull').at(-1)).toEqual({ type: 'pull', bucket: 'devices', cursor: '' });
    hub.reply({ type: 'changes', bucket: 'devices', changes: [{ serverSeq: 6, op: 'put', key: 'pad03', value: { id: 'pad03', kind: 'rating-pad' } }] });
    hub.reply({ type: 'checkpoint', bucket: 'devices', cursor: 'E1:6' });
    await flush();
    expect(t.store.db.sql.prepare('SELECT id FROM sync_devices').pluck().all()).toEqual(['pad03']);

    // poke → incremental pull from the stored cursor; a delete removes the item
    hub.reply({ type: 'poke', buckets: ['catalog'] });
    await flush();
    expect(hub.of('pull').at(-1)).toEqual({ type: 'pull', bucket: 'catalog', cursor: 'E1:5' });
    hub.reply({ type: 'changes', bucket: 'catalog', changes: [{ serverSeq: 9, op: 'delete', key: ITEM.code }] });
    hub.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:9' });
    await flush();
    expect(t.store.catalog.get(ITEM.code)).toBeNull();
  });

  it('applies nothing when the connection dies between changes and checkpoint, or the commit fails', async () => {
    let crash = true;
    const t = setup({
      buckets: ['catalog'],
      faults: {
        beforeCheckpointCommit: () => {
          if (crash) throw new Error('power cut');
        },
      },
    });
    const hub = await t.connect();
    hub.reply({ type: 'changes', bucket: 'catalog', changes: [catalogChange(3)] });
    await flush();
    hub.close();
    await flush();
    expect(t.store.catalog.count()).toBe(0);
    expect(readCursors(t.store)).toEqual({});

    const second = await t.connect();
    second.reply({ type: 'changes', bucket: 'catalog', changes: [catalogChange(3)] });
    second.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:3' });
    await flush();
    expect(t.store.catalog.count()).toBe(0);
    expect(readCursors(t.store)).toEqual({});
    expect(second.of('checkpoint_ack')).toEqual([]);

    crash = false;
    const third = await t.connect();
    expect(third.of('pull')[0]).toEqual({ type: 'pull', bucket: 'catalog', cursor: '' });
    third.reply({ type: 'changes', bucket: 'catalog', changes: [catalogChange(3)] });
    third.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:3' });
    await flush();
    expect(t.store.catalog.count()).toBe(1);
  });

  it('skips a change that does not fit, logs it, and still moves the cursor', async () => {
    const t = setup({ buckets: ['credit'] });
    const hub = await t.connect();
    const good = 'a'.repeat(64);
    hub.reply({
      type: 'changes',
      bucket: 'credit',
      changes: [
        { serverSeq: 1, op: 'put', key: 'not-a-hash', value: { standing: 'dishonest', measures: [], listVersion: 'v1' } },
        { serverSeq: 2, op: 'put', key: good, value: { standing: 'dishonest', measures: [{ text: '限制适用容缺受理', items: [] }], listVersion: 'v1' } },
      ],
    });
    hub.reply({ type: 'checkpoint', bucket: 'credit', cursor: 'E1:2' });
    await flush();
    expect(t.store.credit.find(good)?.standing).toBe('dishonest');
    expect(readCursors(t.store)).toEqual({ credit: 'E1:2' });
    expect(t.logger.lines.filter((l) => l.event === 'sync.change_skipped')).toHaveLength(1);
  });

  it('reset_required: cursors of another epoch are dropped at welcome and pulled again from ""', async () => {
    const t = setup({ buckets: ['catalog', 'calendar'] });
    const hub = await t.connect();
    for (const [bucket, cursor] of [
      ['catalog', 'E1:5'],
      ['calendar', 'E1:6'],
    ] as [Bucket, string][]) {
      hub.reply({ type: 'checkpoint', bucket, cursor });
      await flush();
    }
    expect(readCursors(t.store)).toEqual({ catalog: 'E1:5', calendar: 'E1:6' });
    hub.close();
    await flush();
    t.append(1);
    const restored = await t.connect({ epoch: 'E2' });
    expect(restored.of('hello')[0]!.cursors).toEqual({ catalog: 'E1:5', calendar: 'E1:6' });
    restored.reply({ type: 'error', code: 'reset_required', message: 'cursors of calendar, catalog are not from this epoch' });
    await flush();
    expect(readCursors(t.store)).toEqual({ catalog: '', calendar: '' }); // reset pending: the next download replaces
    expect(t.store.outbox.countPending()).toBe(1); // the outbox is kept
    await t.ackAll(restored);
    expect(restored.of('pull')).toEqual([{ type: 'pull', bucket: 'catalog', cursor: '' }]);

    // reset_required as the answer to a pull: every cursor goes, and the buckets are pulled from '' on a NEW
    // connection (frames of the answered pull may still be on the way and must not count as the full download).
    restored.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E2:7' });
    await flush();
    expect(restored.of('pull').at(-1)).toEqual({ type: 'pull', bucket: 'calendar', cursor: '' });
    restored.reply({ type: 'error', code: 'reset_required', message: 'again' });
    await flush();
    expect(readCursors(t.store)).toEqual({ catalog: '', calendar: '' });
    expect(restored.closed).toBe(true);
    restored.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E2:9' }); // late: ignored
    const again = await t.connect({ epoch: 'E2', expectedSeq: 2 });
    expect(again.of('pull')).toEqual([{ type: 'pull', bucket: 'catalog', cursor: '' }]);
    expect(readCursors(t.store)).toEqual({ catalog: '', calendar: '' });
  });

  it('after a reset the full download replaces the bucket (what the hub lost goes); a first download only adds', async () => {
    const t = setup({ buckets: ['catalog', 'devices'] });
    t.store.db.transaction(() => t.store.catalog.upsert([ServiceItem.parse({ ...ITEM, code: 'LOCAL-1' })], 'import'));
    const hub = await t.connect();
    const put = (serverSeq: number, code: string) => ({ serverSeq, op: 'put' as const, key: code, value: { ...ITEM, code } });
    hub.reply({ type: 'changes', bucket: 'catalog', changes: [put(1, 'A'), put(2, 'B')] });
    hub.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:2' });
    await flush();
    hub.reply({ type: 'changes', bucket: 'devices', changes: [{ serverSeq: 3, op: 'put', key: 'pad03', value: { kind: 'rating-pad' } }] });
    hub.reply({ type: 'checkpoint', bucket: 'devices', cursor: 'E1:3' });
    await flush();
    const codes = () => t.store.db.sql.prepare('SELECT code FROM catalog_items ORDER BY code').pluck().all();
    expect(codes()).toEqual(['A', 'B', 'LOCAL-1']); // the first download added to the local import
    // The hub lost B and the device (restored): reset, then the full download has only A and a new C.
    hub.reply({ type: 'error', code: 'reset_required', message: 'lost' });
    await flush();
    hub.reply({ type: 'changes', bucket: 'catalog', changes: [put(1, 'A'), put(2, 'C'), { serverSeq: 4, op: 'delete', key: 'A' }, put(5, 'A')] });
    hub.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:5' });
    await flush();
    expect(codes()).toEqual(['A', 'C']);
    expect(t.store.catalog.get('B')).toBeNull(); // and the catalog cache saw it
    hub.reply({ type: 'checkpoint', bucket: 'devices', cursor: 'E1:0' });
    await flush();
    expect(t.store.db.sql.prepare('SELECT count(*) FROM sync_devices').pluck().get()).toBe(0);
    expect(readCursors(t.store)).toEqual({ catalog: 'E1:5', devices: 'E1:0' });
    // No reset pending any more: a later incremental download only adds.
    hub.reply({ type: 'poke', buckets: ['catalog'] });
    await flush();
    hub.reply({ type: 'changes', bucket: 'catalog', changes: [put(6, 'D')] });
    hub.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:6' });
    await flush();
    expect(codes()).toEqual(['A', 'C', 'D']);
  });

  it('pulls every bucket again every pollMs while online, even without a poke; hello announces the configured schema', async () => {
    const t = setup({ buckets: ['catalog'], pollMs: 300_000, keepaliveMs: 0, schemaVersion: 5 });
    const hub = await t.connect();
    expect(hub.of('hello')[0]!.schemaVersion).toBe(5);
    hub.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:1' });
    await flush();
    expect(hub.of('pull')).toHaveLength(1);
    t.timers.advance(299_000);
    await flush();
    expect(hub.of('pull')).toHaveLength(1);
    t.timers.advance(1_000);
    await flush();
    expect(hub.of('pull')).toEqual([
      { type: 'pull', bucket: 'catalog', cursor: '' },
      { type: 'pull', bucket: 'catalog', cursor: 'E1:1' },
    ]);
    // Offline: no polling timer is left behind.
    hub.close();
    await flush();
    expect(t.timers.pending().filter((ms) => ms === 300_000)).toEqual([]);
  });

  it('applies nothing when the checkpoint announces another number of changes than arrived (a frame lost or reordered)', async () => {
    const t = setup({ buckets: ['catalog'] });
    const hub = await t.connect();
    const put = (serverSeq: number, code: string) => ({ serverSeq, op: 'put' as const, key: code, value: { ...ITEM, code } });
    hub.reply({ type: 'changes', bucket: 'catalog', changes: [put(1, 'A')] });
    hub.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:2', count: 2 });
    await flush();
    expect(t.store.catalog.get('A')).toBeNull();
    expect(readCursors(t.store)).toEqual({});
    expect(hub.closed).toBe(true);
    expect(t.client.status().lastError).toMatch(/announced 2 changes but 1 arrived/);
    const again = await t.connect();
    expect(again.of('pull')).toEqual([{ type: 'pull', bucket: 'catalog', cursor: '' }]);
    again.reply({ type: 'changes', bucket: 'catalog', changes: [put(1, 'A'), put(2, 'B')] });
    again.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:2', count: 2 });
    await flush();
    expect(t.store.catalog.get('B')?.code).toBe('B');
  });

  it('applies nothing when the changes of a pull arrive twice or out of order, even if their number matches', async () => {
    const t = setup({ buckets: ['catalog'] });
    const hub = await t.connect();
    const put = (serverSeq: number, code: string) => ({ serverSeq, op: 'put' as const, key: code, value: { ...ITEM, code } });
    // Frame [2] lost and frame [1] repeated: the count (2) still matches.
    hub.reply({ type: 'changes', bucket: 'catalog', changes: [put(1, 'A')] });
    hub.reply({ type: 'changes', bucket: 'catalog', changes: [put(1, 'A')] });
    hub.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:2', count: 2 });
    await flush();
    expect(t.store.catalog.get('A')).toBeNull();
    expect(readCursors(t.store)).toEqual({});
    expect(hub.closed).toBe(true);
    expect(t.client.status().lastError).toMatch(/out of order or twice/);
  });

  it('hands payment confirmations (bucket payments) to onPayment; a malformed one is skipped and logged', async () => {
    const paid: unknown[] = [];
    const t = setup({ buckets: ['payments'], onPayment: (p) => void paid.push(p) });
    const hub = await t.connect();
    hub.reply({
      type: 'changes',
      bucket: 'payments',
      changes: [
        { serverSeq: 1, op: 'put', key: '20261126A0001', value: { amountFen: 8000, paidAt: '2026-11-26T03:00:00.000+08:00' } },
        { serverSeq: 2, op: 'put', key: '20261126A0002', value: { amountFen: -1, paidAt: 'yesterday' } },
        { serverSeq: 3, op: 'delete', key: '20261126A0001' },
      ],
    });
    hub.reply({ type: 'checkpoint', bucket: 'payments', cursor: 'E1:3', count: 3 });
    await flush();
    expect(paid).toEqual([{ paymentCode: '20261126A0001', amountFen: 8000, paidAt: '2026-11-26T03:00:00.000+08:00' }]);
    expect(t.logger.lines.filter((l) => l.event === 'sync.change_skipped')).toHaveLength(1);
    expect(readCursors(t.store)).toEqual({ payments: 'E1:3' });
  });

  it('busy: waits retryAfterMs and pulls the bucket again', async () => {
    const t = setup({ buckets: ['catalog'] });
    const hub = await t.connect();
    hub.reply({ type: 'error', code: 'busy', message: 'queue full', retryAfterMs: 5000 });
    await flush();
    expect(hub.closed).toBe(false);
    expect(hub.of('pull')).toHaveLength(1);
    t.timers.advance(5000);
    await flush();
    expect(hub.of('pull')).toHaveLength(2);
  });
});

describe('SyncClient: robustness', () => {
  it('ignores malformed and unexpected frames and keeps working', async () => {
    const t = setup();
    t.append(1);
    const hub = await t.connect();
    for (const junk of ['', 'not json', '{"type":"nope"}', '[]', 'null', JSON.stringify({ type: 'push_ack', results: 'x', expectedSeq: 1 }), '\u0000'.repeat(10)]) hub.reply(junk);
    hub.reply({ type: 'checkpoint', bucket: 'catalog', cursor: 'E1:1' }); // nothing was pulled
    hub.reply({ type: 'welcome', epoch: 'E1', expectedSeq: 1, serverTime: SERVER_TIME });
    await flush();
    expect(hub.closed).toBe(false);
    expect(readCursors(t.store)).toEqual({});
    await t.ackAll(hub);
    expect(t.store.outbox.countPending()).toBe(0);
    expect(t.logger.lines.filter((l) => l.event === 'sync.bad_frame').length).toBeGreaterThanOrEqual(6);
  });

  it('resets a connection whose request goes unanswered for requestTimeoutMs; a hub ping keeps a queued pull alive', async () => {
    const t = setup({ requestTimeoutMs: 1000 });
    t.append(1);
    const hub = await t.connect();
    expect(hub.of('push')).toHaveLength(1);
    t.timers.advance(999);
    expect(hub.closed).toBe(false);
    t.timers.advance(1);
    await flush();
    expect(hub.closed).toBe(true);
    expect(t.client.status().lastError).toMatch(/no answer from the hub to push within 1000 ms/);

    const p = setup({ requestTimeoutMs: 1000, buckets: ['catalog'] });
    const pulling = await p.connect();
    expect(pulling.of('pull')).toHaveLength(1);
    p.timers.advance(900);
    pulling.reply({ type: 'ping', at: SERVER_TIME }); // queued at the hub
    await flush();
    p.timers.advance(900);
    await flush();
    expect(pulling.closed).toBe(false);
    expect(pulling.of('pong')).toHaveLength(1);
    p.timers.advance(100);
    await flush();
    expect(pulling.closed).toBe(true);
  });

  it('pings an idle hub and resets a connection that stays silent', async () => {
    const t = setup({ keepaliveMs: 30_000 });
    const hub = await t.connect();
    t.timers.advance(30_000);
    await flush();
    expect(hub.of('ping')).toHaveLength(1);
    hub.reply({ type: 'pong', at: SERVER_TIME });
    await flush();
    t.timers.advance(30_000);
    await flush();
    expect(hub.of('ping')).toHaveLength(2);
    expect(hub.closed).toBe(false);
    t.timers.advance(30_000); // no answer to the second ping
    await flush();
    expect(hub.closed).toBe(true);
    expect(t.client.status().lastError).toMatch(/after a ping/);
  });

  it('survives 2,000 random frames (fast-check) and still syncs afterwards', async () => {
    const t = setup({ buckets: ['catalog'] });
    t.append(2);
    const hub = await t.connect();
    const frames = fc.sample(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.record({ type: fc.constantFrom('welcome', 'push_ack', 'changes', 'checkpoint', 'poke', 'error', 'pong', 'hello'), bucket: fc.constantFrom('catalog', 'users', 'x') }).map((o) => JSON.stringify(o)),
      ),
      { numRuns: 2000, seed: 42 },
    );
    for (const f of frames) hub.reply(f);
    await flush(20);
    // Whatever happened, a fresh connection still pushes and pulls.
    if (!hub.closed) hub.close();
    await flush();
    const again = await t.connect();
    expect(t.lastPush(again).batch.map((m) => m.seq)).toEqual([1, 2]);
    await t.ackAll(again);
    expect(t.store.outbox.countPending()).toBe(0);
    expect(again.of('pull')).toHaveLength(1);
  });

  it('backs off with full jitter within [0, min(60, 2^n)] s and starts over after a good connection', async () => {
    const t = setup();
    t.net.refuse = 12;
    t.client.start();
    const delays: number[] = [];
    for (let n = 0; n < 12; n++) {
      await flush();
      expect(t.timers.pending()).toHaveLength(1);
      delays.push(t.timers.runNext()!);
    }
    const replay = seededRandom(7);
    delays.forEach((d, n) => {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(Math.min(60, 2 ** n) * 1000);
      expect(d).toBe(backoffDelayMs(n, replay));
    });
    expect(Math.max(...delays.slice(6))).toBeGreaterThan(2000); // the cap grows to 60 s
    await flush();
    const hub = t.net.hubs.at(-1)!;
    hub.reply({ type: 'welcome', epoch: 'E1', expectedSeq: 1, serverTime: SERVER_TIME });
    await flush();
    hub.close();
    await flush();
    expect(t.timers.pending()).toHaveLength(1);
    expect(t.timers.pending()[0]).toBeLessThanOrEqual(1000);
    expect(t.client.status().state).toBe('offline');
  });

  it('backoffDelayMs stays within bounds for any random value', () => {
    for (let n = 0; n < 40; n++) {
      for (const r of [0, 0.5, 0.999999, 1, -1, Number.NaN]) {
        const d = backoffDelayMs(n, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(Math.min(60, 2 ** n) * 1000);
      }
    }
  });

  it('stop() closes the connection and schedules nothing more', async () => {
    const t = setup();
    const hub = await t.connect();
    await t.client.stop();
    await flush();
    expect(hub.closed).toBe(true);
    expect(t.timers.pending()).toEqual([]);
    expect(t.client.connectionState).toBe('stopped');
  });
});
