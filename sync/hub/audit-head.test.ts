import { afterEach, describe, expect, it } from 'vitest';
import { testClock } from '../../main/domain/clock';
import { AUDIT_HEAD_MUTATION, signAuditHead } from '../../main/security/audit-chain';
import { generateConsoleSigningKey } from '../../main/security/receipt-signature';
import { allValidators, auditHeadValidator } from './audit-head';
import { createHubService } from './session';
import { SqliteHubStore } from './store/sqlite';
import { enrollTestConsole, helloFor, sessionClient, testMutation } from './test-support';

const NOW = '2026-11-26T02:00:00.000Z';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const HASH = 'ab'.repeat(32);

describe('hub: audit.head mutations (the hub as witness of the audit chain)', () => {
  it('stores a head signed by the console’s enrolled key; rejects a forged, another console’s or a malformed one', async () => {
    const store = await SqliteHubStore.open({ file: ':memory:' });
    const clock = testClock(NOW);
    const service = createHubService({ store, clock });
    cleanups.push(async () => {
      await service.close();
      await store.close();
    });
    const c03 = await enrollTestConsole(store, 'C03');
    const { send } = sessionClient(service);
    expect((await send(helloFor(c03, clock())))[0]?.type).toBe('welcome');

    const head = (key = c03.key, over: object = {}) => signAuditHead(key.privateKey, { consoleId: 'C03', lastId: 12, hash: HASH, at: NOW, ...over });
    const intruder = generateConsoleSigningKey();
    const batch = [
      testMutation(1, { type: AUDIT_HEAD_MUTATION, payload: { ...head() } }),
      testMutation(2, { type: AUDIT_HEAD_MUTATION, payload: { ...head(intruder) } }),
      testMutation(3, { type: AUDIT_HEAD_MUTATION, payload: { ...head(c03.key), lastId: 13 } }), // altered after signing
      testMutation(4, { type: AUDIT_HEAD_MUTATION, payload: { ...head(c03.key, { consoleId: 'C05' }) } }),
      testMutation(5, { type: AUDIT_HEAD_MUTATION, payload: { lastId: 'twelve' } }),
    ];
    const [ack] = await send({ type: 'push', batch });
    expect(ack).toMatchObject({
      type: 'push_ack',
      expectedSeq: 6,
      results: [
        { seq: 1, status: 'applied' },
        { seq: 2, status: 'rejected', reason: expect.stringContaining('does not verify') },
        { seq: 3, status: 'rejected', reason: expect.stringContaining('does not verify') },
        { seq: 4, status: 'rejected', reason: expect.stringContaining('names console C05') },
        { seq: 5, status: 'rejected', reason: expect.stringContaining('audit_head') },
      ],
    });
    expect((await store.listQuarantine({ consoleId: 'C03' })).map((q) => q.seq)).toEqual([2, 3, 4, 5]);
  });

  it('refuses a signed head that goes back from the one it witnessed (log truncated and re-signed), and logs it at warn', async () => {
    const store = await SqliteHubStore.open({ file: ':memory:' });
    const clock = testClock(NOW);
    const logged: { level: string; event: string; fields?: Record<string, unknown> }[] = [];
    const service = createHubService({ store, clock, logger: { log: (level, event, fields) => void logged.push({ level, event, ...(fields ? { fields } : {}) }) } });
    cleanups.push(async () => {
      await service.close();
      await store.close();
    });
    const c03 = await enrollTestConsole(store, 'C03');
    const { send } = sessionClient(service);
    expect((await send(helloFor(c03, clock())))[0]?.type).toBe('welcome');
    const head = (lastId: number, hash: string) => ({ ...signAuditHead(c03.key.privateKey, { consoleId: 'C03', lastId, hash, at: NOW }) });
    // Correctly signed by the console's own key, yet behind (or beside) what the hub already holds.
    const [ack] = await send({
      type: 'push',
      batch: [testMutation(1, { type: AUDIT_HEAD_MUTATION, payload: head(52, HASH) }), testMutation(2, { type: AUDIT_HEAD_MUTATION, payload: head(40, 'cd'.repeat(32)) }), testMutation(3, { type: AUDIT_HEAD_MUTATION, payload: head(52, 'ef'.repeat(32)) })],
    });
    expect(ack).toMatchObject({
      type: 'push_ack',
      expectedSeq: 4,
      results: [
        { seq: 1, status: 'applied' },
        { seq: 2, status: 'rejected', reason: expect.stringMatching(/^audit_head_regressed: lastId 40 after 52\b/) },
        { seq: 3, status: 'rejected', reason: expect.stringMatching(/^audit_head_forked: lastId 52 /) },
      ],
    });
    expect(logged.filter((l) => l.event === 'hub.audit_head_refused').map((l) => [l.level, l.fields?.seq])).toEqual([
      ['warn', 2],
      ['warn', 3],
    ]);
    expect(await store.latestAuditHead('C03')).toMatchObject({ lastId: 52, hash: HASH });
  });

  it('looks only at audit.head; allValidators gives the first reason', () => {
    const key = generateConsoleSigningKey();
    const v = auditHeadValidator(key.publicKey);
    expect(v(testMutation(1), { consoleId: 'C03' })).toBeNull();
    const both = allValidators(
      () => null,
      () => 'first',
      () => 'second',
    );
    expect(both(testMutation(1), { consoleId: 'C03' })).toBe('first');
    expect(allValidators(() => null, () => undefined)(testMutation(1), { consoleId: 'C03' })).toBeNull();
  });
});
