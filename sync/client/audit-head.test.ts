import { afterEach, describe, expect, it } from 'vitest';
import { testClock } from '../../main/domain/clock';
import { createMemoryLogger } from '../../main/log';
import { AUDIT_HEAD_MUTATION, signAuditHead, verifyAuditHeadSignature } from '../../main/security/audit-chain';
import { generateConsoleSigningKey } from '../../main/security/receipt-signature';
import { memoryStore } from '../../main/store/test-support';
import { seededRandom } from '../../drivers/emulators/random';
import { SyncClient, type SyncClientOptions } from './client';
import { flush, manualTimers, scriptedTransport, type ScriptedHub } from './test-support';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The app's wiring (main/app.ts): the audit head, signed when it moved, goes out with each push. */
function setup(over: Partial<SyncClientOptions> = {}) {
  const clock = testClock();
  const store = memoryStore(clock);
  const key = generateConsoleSigningKey();
  const net = scriptedTransport();
  const logger = createMemoryLogger();
  const client = new SyncClient({
    url: 'ws://hub.test/sync',
    transport: net.transport,
    store,
    consoleId: 'C03',
    signingKey: key,
    clock,
    logger,
    timers: manualTimers(),
    random: seededRandom(7),
    retentionDays: 0,
    buckets: [],
    beforePush: () => void store.audit.signHeadIfMoved('C03', (head) => signAuditHead(key.privateKey, head)),
    ...over,
  });
  cleanups.push(() => store.close());
  cleanups.push(() => client.stop());
  const connect = async (): Promise<ScriptedHub> => {
    client.start();
    await flush();
    const hub = net.hubs.at(-1)!;
    hub.reply({ type: 'welcome', epoch: 'E1', expectedSeq: 1, serverTime: '2026-11-26T01:00:00.000Z' });
    await flush();
    return hub;
  };
  const ackLast = async (hub: ScriptedHub) => {
    const p = hub.of('push').at(-1)!;
    hub.reply({ type: 'push_ack', results: p.batch.map((m) => ({ seq: m.seq, status: 'applied' as const })), expectedSeq: p.batch.at(-1)!.seq + 1 });
    await flush();
  };
  return { store, key, logger, client, connect, ackLast };
}

describe('SyncClient beforePush: the audit head goes to the hub with each sync', () => {
  it('pushes a signed head when the chain moved, and none when it did not', async () => {
    const t = setup();
    for (const action of ['receipt.reprinted', 'help.called', 'credit.waived']) t.store.audit.append({ actor: 'u-clerk-1', action });
    const hub = await t.connect();
    const first = hub.of('push')[0]!.batch;
    expect(first.map((m) => m.type)).toEqual([AUDIT_HEAD_MUTATION]);
    expect(first[0]!.payload).toMatchObject({ consoleId: 'C03', lastId: 3, hash: t.store.audit.head()!.hash });
    expect(verifyAuditHeadSignature(t.key.publicKeyBase64Url, first[0]!.payload)).toBe(true);
    await t.ackLast(hub);

    // A case change without an audit row: the head did not move, no new head.
    t.store.db.transaction(() => t.store.outbox.append('case.created', { caseId: 'c1' }));
    await flush();
    expect(hub.of('push').at(-1)!.batch.map((m) => m.type)).toEqual(['case.created']);
    await t.ackLast(hub);

    // An audited action (its own outbox row) moves the head: the head goes out in the same push.
    t.store.db.transaction(() => {
      t.store.audit.append({ actor: 'u-clerk-1', action: 'receipt.reprinted' });
      t.store.outbox.append('case.updated', { caseId: 'c1' });
    });
    await flush();
    const third = hub.of('push').at(-1)!.batch;
    expect(third.map((m) => m.type)).toEqual(['case.updated', AUDIT_HEAD_MUTATION]);
    expect(third[1]!.payload).toMatchObject({ lastId: 4 });
    expect(t.store.audit.heads().map((h) => h.lastId)).toEqual([3, 4]);
  });

  it('a failing hook is logged and never stops the push', async () => {
    const t = setup({
      beforePush: () => {
        throw new Error('key store locked');
      },
    });
    t.store.db.transaction(() => t.store.outbox.append('case.created', { caseId: 'c1' }));
    const hub = await t.connect();
    expect(hub.of('push')[0]!.batch.map((m) => m.type)).toEqual(['case.created']);
    expect(t.logger.lines.some((e) => e.event === 'sync.before_push_failed')).toBe(true);
  });
});
