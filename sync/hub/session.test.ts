import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { testClock } from '../../main/domain/clock';
import { generateConsoleSigningKey } from '../../main/security/receipt-signature';
import { parseSyncFrame, SyncMessage } from '../protocol';
import {
  createHubService,
  formatCursor,
  HUB_SCHEMA_VERSION,
  MIN_CONSOLE_SCHEMA_VERSION,
  parseCursor,
  signHello,
  type HubLimits,
} from './session';
import { SqliteHubStore } from './store/sqlite';
import type { HubStore } from './store/types';
import { enrollTestConsole, helloFor, sessionClient, testMutation, type TestConsole, type TestSessionClient } from './test-support';

const NOW = '2026-11-26T02:00:00.000Z';
const H = 3_600_000;

const cleanups: (() => Promise<void>)[] = [];
/** Every message the hub sends must pass the protocol's own schema. */
const offProtocol: unknown[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  expect(offProtocol.splice(0)).toEqual([]);
});

type Client = TestSessionClient;

async function setup(limits: Partial<HubLimits> = {}, wrap: (s: HubStore) => HubStore = (s) => s) {
  const raw = await SqliteHubStore.open({ file: ':memory:' });
  const store = wrap(raw);
  const clock = testClock(NOW);
  const service = createHubService({ store, clock, limits });
  cleanups.push(async () => {
    await service.close();
    await raw.close();
  });
  const client = (): Client =>
    sessionClient(service, (m) => {
      if (!SyncMessage.safeParse(m).success) offProtocol.push(m);
    });
  const c03 = await enrollTestConsole(raw, 'C03');
  const connected = async (who: TestConsole = c03, at = clock()): Promise<Client> => {
    const c = client();
    const answer = await c.send(helloFor(who, at));
    expect(answer[0]?.type).toBe('welcome');
    return c;
  };
  return { store: raw, service, clock, client, c03, connected };
}

const codes = (messages: SyncMessage[]): string[] => messages.map((m) => (m.type === 'error' ? `error:${m.code}` : m.type));

describe('HubSession: hello', () => {
  it('welcomes an enrolled console with epoch, expectedSeq and server time', async () => {
    const { store, client, c03, clock } = await setup();
    const answer = await client().send(helloFor(c03, clock()));
    expect(answer).toEqual([{ type: 'welcome', epoch: await store.epoch(), expectedSeq: 1, serverTime: NOW }]);
  });

  it('refuses unknown and revoked consoles and a signature by another key', async () => {
    const { store, client, c03, clock } = await setup();
    const stranger: TestConsole = { consoleId: 'C99', key: generateConsoleSigningKey() };
    expect(codes(await client().send(helloFor(stranger, clock())))).toEqual(['error:unauthorized']);

    const forged: TestConsole = { consoleId: 'C03', key: generateConsoleSigningKey() };
    expect(codes(await client().send(helloFor(forged, clock())))).toEqual(['error:unauthorized']);

    const wrongText = helloFor(c03, clock());
    wrongText.auth = { ...wrongText.auth, issuedAt: new Date(clock().getTime() + 1000).toISOString() };
    expect(codes(await client().send(wrongText))).toEqual(['error:unauthorized']);

    const otherKeyId = helloFor(c03, clock());
    otherKeyId.auth = { ...otherKeyId.auth, keyId: 'C05' };
    expect(codes(await client().send(otherKeyId))).toEqual(['error:unauthorized']);

    const garbage = helloFor(c03, new Date(clock().getTime() + 5));
    garbage.auth = { ...garbage.auth, signature: 'not-a-signature' };
    expect(codes(await client().send(garbage))).toEqual(['error:unauthorized']);

    await store.revokeConsole('C03');
    expect(codes(await client().send(helloFor(c03, new Date(clock().getTime() + 10))))).toEqual(['error:unauthorized']);
  });

  it('refuses a replayed hello but accepts a new one from the same console', async () => {
    const { client, c03, clock } = await setup();
    const hello = helloFor(c03, clock());
    expect(codes(await client().send(hello))).toEqual(['welcome']);
    expect(codes(await client().send(hello))).toEqual(['error:unauthorized']);
    clock.advance(1);
    expect(codes(await client().send(helloFor(c03, clock())))).toEqual(['welcome']);
  });

  it('refuses a hello replayed to another hub process on the same database', async () => {
    const { store, client, c03, clock } = await setup();
    const hello = helloFor(c03, clock());
    expect(codes(await client().send(hello))).toEqual(['welcome']);
    // A second hub process: its own service (own memory), the same store.
    const other = createHubService({ store, clock });
    cleanups.push(() => other.close());
    const out: SyncMessage[] = [];
    const session = other.openSession((m) => void out.push(m));
    await session.receive(JSON.stringify(hello));
    expect(codes(out)).toEqual(['error:unauthorized']);
    clock.advance(1);
    const fresh: SyncMessage[] = [];
    await other.openSession((m) => void fresh.push(m)).receive(JSON.stringify(helloFor(c03, clock())));
    expect(codes(fresh)).toEqual(['welcome']);
  });

  it('accepts clocks skewed ±48 h, refuses beyond 72 h', async () => {
    const { client, c03, clock } = await setup();
    const now = clock().getTime();
    expect(codes(await client().send(helloFor(c03, new Date(now + 48 * H))))).toEqual(['welcome']);
    expect(codes(await client().send(helloFor(c03, new Date(now - 48 * H))))).toEqual(['welcome']);
    expect(codes(await client().send(helloFor(c03, new Date(now + 71 * H))))).toEqual(['welcome']);
    expect(codes(await client().send(helloFor(c03, new Date(now + 73 * H))))).toEqual(['error:unauthorized']);
    expect(codes(await client().send(helloFor(c03, new Date(now - 73 * H))))).toEqual(['error:unauthorized']);
  });

  it('refuses another protocol version and schemas outside N−2..N', async () => {
    const { client, c03, clock } = await setup();
    let t = clock().getTime();
    const at = () => new Date(++t);
    expect(codes(await client().send(helloFor(c03, at(), { protocolVersion: 2 })))).toEqual(['error:unsupported_protocol']);
    expect(codes(await client().send(helloFor(c03, at(), { schemaVersion: HUB_SCHEMA_VERSION + 1 })))).toEqual(['error:unsupported_protocol']);
    if (HUB_SCHEMA_VERSION > 3) expect(codes(await client().send(helloFor(c03, at(), { schemaVersion: HUB_SCHEMA_VERSION - 3 })))).toEqual(['error:unsupported_protocol']);
    expect(MIN_CONSOLE_SCHEMA_VERSION).toBe(Math.max(1, HUB_SCHEMA_VERSION - 2));
    expect(codes(await client().send(helloFor(c03, at(), { schemaVersion: MIN_CONSOLE_SCHEMA_VERSION })))).toEqual(['welcome']);
  });

  it('answers a second hello on one connection with bad_message and stays authenticated', async () => {
    const { connected, c03, clock } = await setup();
    const c = await connected();
    clock.advance(1);
    expect(codes(await c.send(helloFor(c03, clock())))).toEqual(['error:bad_message']);
    expect(c.session.consoleId).toBe('C03');
  });

  it('says reset_required after welcome when a hello cursor is from another epoch', async () => {
    const { store, client, c03, clock } = await setup();
    const epoch = await store.epoch();
    const answer = await client().send(helloFor(c03, clock(), { cursors: { catalog: 'old-epoch:12', calendar: formatCursor(epoch, 0), users: '' } }));
    expect(codes(answer)).toEqual(['welcome', 'error:reset_required']);
    expect(answer[1]).toMatchObject({ message: expect.stringContaining('catalog') });
    expect((answer[1] as { message: string }).message).not.toContain('calendar');
  });
});

describe('HubSession: frames', () => {
  it('answers malformed frames with bad_message and stays usable', async () => {
    const { client, c03, clock } = await setup();
    const c = client();
    expect(codes(await c.send('{'))).toEqual(['error:bad_message']);
    expect(codes(await c.send('{"type":"launch"}'))).toEqual(['error:bad_message']);
    expect(codes(await c.send({ type: 'welcome', epoch: 'x', expectedSeq: 1, serverTime: NOW }))).toEqual(['error:bad_message']);
    expect(codes(await c.send('x'.repeat(4 * 1024 * 1024 + 1)))).toEqual(['error:bad_message']);
    await c.session.receive(new Uint8Array([0xff, 0xfe, 0x00]));
    expect(codes(await c.send({ type: 'pull', bucket: 'catalog', cursor: '' }))).toEqual(['error:unauthorized']);
    expect(codes(await c.send({ type: 'push', batch: [testMutation(1)] }))).toEqual(['error:unauthorized']);
    expect(codes(await c.send({ type: 'ping', at: NOW }))).toEqual(['pong']);
    expect(codes(await c.send(helloFor(c03, clock())))).toEqual(['welcome']);
    expect(codes(await c.send({ type: 'checkpoint_ack', bucket: 'catalog', cursor: '' }))).toEqual([]);
  });

  // HALL_FUZZ_RUNS=100000 (and HALL_FUZZ_SEED) for the long run: 100k frames take ~15 s.
  it('never throws on 2,000 random frames and answers each with error or nothing', async () => {
    const { client } = await setup();
    const c = client();
    const types = ['hello', 'push', 'pull', 'checkpoint_ack', 'ping', 'poke', 'welcome', 'error', 'changes', 'x'];
    const frame = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 200 }),
      fc
        .record({ type: fc.constantFrom(...types), rest: fc.dictionary(fc.constantFrom('batch', 'bucket', 'cursor', 'at', 'consoleId', 'auth', 'seq'), fc.jsonValue({ maxDepth: 3 })) })
        .map(({ type, rest }) => JSON.stringify({ ...rest, type })),
      fc
        .array(fc.record({ seq: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant(1)), payload: fc.jsonValue({ maxDepth: 2 }) }), { minLength: 0, maxLength: 3 })
        .map((batch) => JSON.stringify({ type: 'push', batch })),
    );
    await fc.assert(
      fc.asyncProperty(frame, async (f) => {
        const before = c.out.length;
        await c.session.receive(f);
        const answers = c.out.slice(before);
        const parsed = parseSyncFrame(f);
        const isPing = parsed.ok && parsed.message.type === 'ping';
        const isAck = parsed.ok && parsed.message.type === 'checkpoint_ack';
        if (isPing) expect(codes(answers)).toEqual(['pong']);
        else if (isAck) expect(answers).toEqual([]);
        else expect(answers.length === 1 && answers[0]!.type === 'error').toBe(true);
      }),
      { numRuns: Number(process.env.HALL_FUZZ_RUNS ?? 2000), seed: Number(process.env.HALL_FUZZ_SEED ?? 20261126) },
    );
  });
});

describe('HubSession: frames after hello', () => {
  // HALL_FUZZ_RUNS / HALL_FUZZ_SEED as above.
  it('keeps an authenticated session consistent under 1,000 random pushes and pulls', async () => {
    const { connected, store } = await setup();
    const c = await connected();
    const epoch = await store.epoch();
    await store.publish('catalog', [{ op: 'put', key: 'A', value: 1 }]);
    const mutation = fc.record({
      seq: fc.integer({ min: 1, max: 12 }),
      payload: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) })),
      hlc: fc.oneof(fc.constant('000000000000001-000000'), fc.string({ maxLength: 3 })),
    });
    const frame = fc.oneof(
      fc.array(mutation, { minLength: 1, maxLength: 4 }).map((items) => ({ type: 'push', batch: items.map((m) => ({ ...testMutation(m.seq), payload: m.payload, hlc: m.hlc })) })),
      fc.record({
        type: fc.constant('pull'),
        bucket: fc.constantFrom('catalog', 'calendar', 'hall_cases', 'nope'),
        cursor: fc.oneof(fc.constant(''), fc.nat(20).map((n) => formatCursor(epoch, n)), fc.string({ maxLength: 12 })),
      }),
    );
    await fc.assert(
      fc.asyncProperty(frame, async (f) => {
        const answers = await c.send(f);
        const last = answers.at(-1);
        expect(last).toBeDefined();
        if (f.type === 'push') expect(['push_ack', 'error']).toContain(last!.type);
        else expect(['checkpoint', 'error']).toContain(last!.type);
      }),
      { numRuns: Number(process.env.HALL_FUZZ_RUNS ?? 1000), seed: Number(process.env.HALL_FUZZ_SEED ?? 7) },
    );
    // The ledger is gapless: every seq up to lastApplied was consumed exactly once.
    const lastApplied = await store.lastApplied('C03');
    expect(codes(await c.send({ type: 'push', batch: [testMutation(lastApplied + 2)] }))).toEqual(['push_ack']);
    expect(c.out.at(-1)).toEqual({ type: 'push_ack', results: [], expectedSeq: lastApplied + 1 });
    expect(codes(await c.send({ type: 'ping', at: NOW }))).toEqual(['pong']);
  });
});

describe('HubSession: push', () => {
  it('maps applied, duplicate, gap and quarantine to push_ack', async () => {
    const { connected, store, clock } = await setup();
    const c = await connected();
    const m1 = testMutation(1);
    const m2 = testMutation(2);
    expect(await c.send({ type: 'push', batch: [m1, m2] })).toEqual([
      { type: 'push_ack', results: [{ seq: 1, status: 'applied' }, { seq: 2, status: 'applied' }], expectedSeq: 3 },
    ]);
    expect(await c.send({ type: 'push', batch: [m1, m2] })).toEqual([
      { type: 'push_ack', results: [{ seq: 1, status: 'duplicate' }, { seq: 2, status: 'duplicate' }], expectedSeq: 3 },
    ]);
    // Gap: nothing applied, the console resends from expectedSeq.
    expect(await c.send({ type: 'push', batch: [testMutation(5)] })).toEqual([{ type: 'push_ack', results: [], expectedSeq: 3 }]);

    // Business rule: a payload time more than a day ahead of the hub's clock is quarantined.
    const future = testMutation(3, { payload: { caseId: 'x', at: new Date(clock().getTime() + 25 * H).toISOString() } });
    const ok = testMutation(4, { payload: { caseId: 'y', at: new Date(clock().getTime() + 23 * H).toISOString() } });
    const [ack] = await c.send({ type: 'push', batch: [future, ok] });
    expect(ack).toMatchObject({ type: 'push_ack', expectedSeq: 5, results: [{ seq: 3, status: 'rejected', reason: expect.stringContaining('24 h') }, { seq: 4, status: 'applied' }] });

    // A mutation failing the protocol schema is quarantined too (not a bad frame: the outbox must move on).
    const broken = { ...testMutation(5), hlc: '' };
    const [ack2] = await c.send({ type: 'push', batch: [broken] });
    expect(ack2).toMatchObject({ type: 'push_ack', expectedSeq: 6, results: [{ seq: 5, status: 'rejected', reason: expect.stringContaining('schema') }] });

    const quarantined = await store.listQuarantine({ consoleId: 'C03' });
    expect(quarantined.map((q) => q.seq)).toEqual([3, 5]);
    expect(await store.lastApplied('C03')).toBe(5);
  });

  it('lets a console whose clock runs 48 h ahead sync its cases, still refusing `at` a day beyond its own clock', async () => {
    const { client, c03, clock } = await setup();
    const consoleNow = clock().getTime() + 48 * H;
    const c = client();
    expect(codes(await c.send(helloFor(c03, new Date(consoleNow))))).toEqual(['welcome']);
    const atConsoleTime = testMutation(1, { payload: { caseId: 'a', at: new Date(consoleNow + H).toISOString() } });
    const beyond = testMutation(2, { payload: { caseId: 'b', at: new Date(consoleNow + 25 * H).toISOString() } });
    const [ack] = await c.send({ type: 'push', batch: [atConsoleTime, beyond] });
    expect(ack).toMatchObject({ type: 'push_ack', results: [{ seq: 1, status: 'applied' }, { seq: 2, status: 'rejected' }], expectedSeq: 3 });
  });

  it('tells a console revoked mid-session that it is unauthorized', async () => {
    const { connected, store, c03, clock } = await setup();
    const c = await connected();
    const d = await connected(c03, new Date(clock().getTime() + 1));
    await store.revokeConsole('C03');
    expect(codes(await c.send({ type: 'push', batch: [testMutation(1)] }))).toEqual(['error:unauthorized']);
    expect(codes(await c.send({ type: 'pull', bucket: 'catalog', cursor: '' }))).toEqual(['error:unauthorized']);
    expect(codes(await d.send({ type: 'pull', bucket: 'catalog', cursor: '' }))).toEqual(['error:unauthorized']);
    expect(d.session.consoleId).toBeNull();
  });

  it('refuses a batch above 500 as bad_message', async () => {
    const { connected } = await setup();
    const c = await connected();
    const batch = Array.from({ length: 501 }, (_, i) => testMutation(i + 1));
    expect(codes(await c.send({ type: 'push', batch }))).toEqual(['error:bad_message']);
  });
});

describe('HubSession: pull', () => {
  it('streams changes in frames of at most 1000, then a checkpoint with an epoch cursor', async () => {
    const { connected, store } = await setup();
    const epoch = await store.epoch();
    const published = await store.publish(
      'catalog',
      Array.from({ length: 2500 }, (_, i) => ({ op: 'put' as const, key: `item-${i}`, value: { code: `item-${i}` } })),
    );
    const c = await connected();
    const answer = await c.send({ type: 'pull', bucket: 'catalog', cursor: '' });
    expect(codes(answer)).toEqual(['changes', 'changes', 'changes', 'checkpoint']);
    expect(answer.slice(0, 3).map((m) => (m.type === 'changes' ? m.changes.length : -1))).toEqual([1000, 1000, 500]);
    const last = published.at(-1)!.serverSeq;
    const cursor = formatCursor(epoch, last, (await store.changeAt('catalog', last))!.tag);
    expect(answer[3]).toEqual({ type: 'checkpoint', bucket: 'catalog', cursor, count: 2500 });

    // From the checkpoint: nothing new, the same cursor back.
    expect(await c.send({ type: 'pull', bucket: 'catalog', cursor })).toEqual([{ type: 'checkpoint', bucket: 'catalog', cursor, count: 0 }]);
    // An empty bucket from the beginning.
    expect(await c.send({ type: 'pull', bucket: 'devices', cursor: '' })).toEqual([{ type: 'checkpoint', bucket: 'devices', cursor: formatCursor(epoch, 0), count: 0 }]);
  });

  it("pulls the console's hall's view: reference data for its hall or every hall, hall_cases of its hall", async () => {
    const { connected, store, c03 } = await setup();
    const c05 = await enrollTestConsole(store, 'C05');
    await store.setConsoleHall('C03', 'hall-a');
    await store.setConsoleHall('C05', 'hall-b');
    await store.publish('catalog', [{ op: 'put', key: 'every-hall', value: 1 }]);
    await store.publish('catalog', [{ op: 'put', key: 'hall-b-only', value: 2 }], { hallId: 'hall-b' });
    const a = await connected(c03);
    const b = await connected(c05);
    await b.send({ type: 'push', batch: [testMutation(1)] });
    const keys = (answer: SyncMessage[]) => answer.flatMap((m) => (m.type === 'changes' ? m.changes.map((c) => c.key) : []));
    expect(keys(await a.send({ type: 'pull', bucket: 'catalog', cursor: '' }))).toEqual(['every-hall']);
    expect(keys(await b.send({ type: 'pull', bucket: 'catalog', cursor: '' }))).toEqual(['every-hall', 'hall-b-only']);
    expect(keys(await a.send({ type: 'pull', bucket: 'hall_cases', cursor: '' }))).toEqual([]);
    expect(keys(await b.send({ type: 'pull', bucket: 'hall_cases', cursor: '' }))).toHaveLength(1);
  });

  it('consoles asking for the same page share one read and one frame; a change empties the cache before its poke', async () => {
    let reads = 0;
    const counting = (inner: HubStore): HubStore =>
      new Proxy(inner, {
        get(target, prop, receiver) {
          if (prop === 'changesSince') {
            return (...args: Parameters<HubStore['changesSince']>) => {
              reads++;
              return target.changesSince(...args);
            };
          }
          const v: unknown = Reflect.get(target, prop, receiver);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    const { connected, store, c03 } = await setup({}, counting);
    const c05 = await enrollTestConsole(store, 'C05');
    const c07 = await enrollTestConsole(store, 'C07');
    await store.setConsoleHall('C07', 'hall-b'); // another hall: another page
    await store.publish('catalog', [{ op: 'put', key: 'item-1', value: { n: 1 } }]);
    const [a, b, c] = [await connected(c03), await connected(c05), await connected(c07)];
    const [ra, rb, rc] = await Promise.all([a, b, c].map((x) => x.send({ type: 'pull', bucket: 'catalog', cursor: '' })));
    expect(reads).toBe(2); // C03 and C05 shared one; C07's hall is another page
    expect(ra![0]).toBe(rb![0]); // the same frame object: the server encodes it once
    expect(rc![0]).toEqual(ra![0]);
    const cursor = (ra!.at(-1) as Extract<SyncMessage, { type: 'checkpoint' }>).cursor;

    await store.publish('catalog', [{ op: 'put', key: 'item-2', value: { n: 2 } }]);
    const after = await a.send({ type: 'pull', bucket: 'catalog', cursor });
    expect(after[0]).toMatchObject({ type: 'changes', changes: [{ key: 'item-2' }] });
    // The page from the beginning is read again too: it has one more change now.
    expect((await b.send({ type: 'pull', bucket: 'catalog', cursor: '' }))[0]).toMatchObject({ changes: [{ key: 'item-1' }, { key: 'item-2' }] });
  });

  it('sees pushed cases in hall_cases', async () => {
    const { connected } = await setup();
    const c = await connected();
    await c.send({ type: 'push', batch: [testMutation(1), testMutation(2)] });
    const answer = await c.send({ type: 'pull', bucket: 'hall_cases', cursor: '' });
    expect(codes(answer)).toEqual(['changes', 'checkpoint']);
    expect(answer[0]).toMatchObject({ changes: [{ value: { consoleId: 'C03', seq: 1 } }, { value: { consoleId: 'C03', seq: 2 } }] });
  });

  it('answers reset_required when the hub lost the change a cursor points at but kept its epoch (lost fsync)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hall-hub-lost-'));
    cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    const file = join(dir, 'hub.sqlite');
    const open = async (): Promise<{ store: SqliteHubStore; c: Client }> => {
      const store = await SqliteHubStore.open({ file });
      const service = createHubService({ store, clock: testClock(NOW) });
      cleanups.push(async () => {
        await service.close();
        await store.close();
      });
      const c03 = await enrollTestConsole(store, 'C03');
      const c = sessionClient(service);
      expect(codes(await c.send(helloFor(c03, new Date(Date.parse(NOW) + Math.floor(Math.random() * 1e6)))))).toEqual(['welcome']);
      return { store, c };
    };
    let { store, c } = await open();
    await store.publish('catalog', [{ op: 'put', key: 'kept', value: { n: 1 } }]);
    await store.close();
    copyFileSync(file, join(dir, 'backup.sqlite'));
    ({ store, c } = await open());
    const epoch = await store.epoch();
    await store.publish('catalog', [{ op: 'put', key: 'lost', value: { n: 2 } }]);
    const pulled = await c.send({ type: 'pull', bucket: 'catalog', cursor: '' });
    const checkpoint = pulled.at(-1) as Extract<SyncMessage, { type: 'checkpoint' }>;
    expect(parseCursor(checkpoint.cursor)).toMatchObject({ epoch, serverSeq: 2 });
    const atOne = pulled[0]!.type === 'changes' ? pulled[0]!.changes[0]!.serverSeq : -1;
    const firstCursor = formatCursor(epoch, atOne, (await store.changeAt('catalog', atOne))!.tag);
    await store.close();

    // The hub comes back without its last commit, same epoch.
    copyFileSync(join(dir, 'backup.sqlite'), file);
    rmSync(`${file}-wal`, { force: true });
    ({ store, c } = await open());
    expect(await store.epoch()).toBe(epoch);
    expect(codes(await c.send({ type: 'pull', bucket: 'catalog', cursor: checkpoint.cursor }))).toEqual(['error:reset_required']);
    // Another change takes serverSeq 2 again: the cursor's tag no longer matches.
    await store.publish('catalog', [{ op: 'put', key: 'other', value: { n: 3 } }]);
    expect(await store.changeAt('catalog', 2)).not.toBeNull();
    expect(codes(await c.send({ type: 'pull', bucket: 'catalog', cursor: checkpoint.cursor }))).toEqual(['error:reset_required']);
    // A cursor at a change the hub still has is fine, and so is a cursor without a tag pointing at an existing change.
    expect(codes(await c.send({ type: 'pull', bucket: 'catalog', cursor: firstCursor }))).toEqual(['changes', 'checkpoint']);
    expect(codes(await c.send({ type: 'pull', bucket: 'catalog', cursor: formatCursor(epoch, atOne) }))).toEqual(['changes', 'checkpoint']);
    expect(codes(await c.send({ type: 'pull', bucket: 'catalog', cursor: formatCursor(epoch, 99) }))).toEqual(['error:reset_required']);
  });

  it('answers a cursor from another epoch (or not ours) with reset_required', async () => {
    const { connected, store } = await setup();
    const c = await connected();
    const old = await store.epoch();
    await store.newEpoch();
    expect(codes(await c.send({ type: 'pull', bucket: 'catalog', cursor: formatCursor(old, 3) }))).toEqual(['error:reset_required']);
    expect(codes(await c.send({ type: 'pull', bucket: 'catalog', cursor: 'garbage' }))).toEqual(['error:reset_required']);
    expect(codes(await c.send({ type: 'pull', bucket: 'catalog', cursor: '' }))).toEqual(['checkpoint']);
  });

  it('parses and formats cursors', () => {
    expect(parseCursor('')).toEqual({ epoch: null, serverSeq: 0, tag: null });
    expect(parseCursor(formatCursor('0b9e-uuid', 42))).toEqual({ epoch: '0b9e-uuid', serverSeq: 42, tag: null });
    expect(parseCursor(formatCursor('0b9e-uuid', 42, 'Ab_9-x2Q'))).toEqual({ epoch: '0b9e-uuid', serverSeq: 42, tag: 'Ab_9-x2Q' });
    expect(formatCursor('e', 7, null)).toBe('e:7');
    for (const bad of ['42', ':42', 'e:-1', 'e:01', 'e:', 'e:99999999999999999', 'e:4.', 'e:4.a.b', 'e:4.a b', 'e:4.12345678901234567']) expect(parseCursor(bad)).toBeNull();
  });
});

describe('HubSession: poke', () => {
  it('pokes every authenticated session for the buckets it pulled, once per debounce window', async () => {
    const { connected, client, store, c03, clock } = await setup();
    const c05 = await enrollTestConsole(store, 'C05');
    const a = await connected(c03);
    const b = await connected(c05);
    const other = await connected(await enrollTestConsole(store, 'C07'));
    const anonymous = client();
    await a.send({ type: 'pull', bucket: 'catalog', cursor: '' });
    await b.send({ type: 'pull', bucket: 'catalog', cursor: '' });
    await b.send({ type: 'pull', bucket: 'calendar', cursor: '' });
    await other.send({ type: 'pull', bucket: 'users', cursor: '' });
    clock.advance(1);
    const before = [a.out.length, b.out.length, other.out.length];
    await store.publish('catalog', [{ op: 'put', key: 'A', value: 1 }]);
    await store.publish('calendar', [{ op: 'put', key: 'calendar', value: 1 }]);
    await new Promise((r) => setTimeout(r, 80));
    expect(a.out.slice(before[0])).toEqual([{ type: 'poke', buckets: ['catalog'] }]);
    expect(b.out.slice(before[1])).toEqual([{ type: 'poke', buckets: ['calendar', 'catalog'] }]);
    expect(other.out.slice(before[2])).toEqual([]);
    expect(anonymous.out).toEqual([]);
  });
});

/** A store whose `method` waits until `open()` is called. */
function gated<K extends 'changesSince' | 'applyPush'>(method: K) {
  let open!: () => void;
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const state = { calls: 0, open: () => open() };
  const wrap = (store: HubStore): HubStore =>
    new Proxy(store, {
      get(target, prop) {
        if (prop === method) {
          return async (...args: unknown[]) => {
            state.calls++;
            await gate;
            return (target[method] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  return { wrap, state };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('HubSession: limits', () => {
  it('queues initial syncs beyond the limit, refuses beyond the queue with busy, and still answers ping', async () => {
    const g = gated('changesSince');
    const { connected, store, service } = await setup({ maxInitialSyncs: 1, maxQueuedInitialSyncs: 1, busyRetryMs: 1234, queuedPingMs: 20 }, g.wrap);
    const a = await connected();
    const b = await connected(await enrollTestConsole(store, 'C05'));
    const c = await connected(await enrollTestConsole(store, 'C07'));
    const pa = a.session.receive(JSON.stringify({ type: 'pull', bucket: 'catalog', cursor: '' }));
    await tick();
    const pb = b.session.receive(JSON.stringify({ type: 'pull', bucket: 'catalog', cursor: '' }));
    await tick();
    expect(service.stats()).toMatchObject({ initialSyncsRunning: 1, initialSyncsQueued: 1 });
    expect(await c.send({ type: 'pull', bucket: 'catalog', cursor: '' })).toEqual([
      { type: 'error', code: 'busy', message: expect.any(String), retryAfterMs: 1234 },
    ]);
    expect(codes(await b.send({ type: 'ping', at: NOW }))).toEqual(['pong']);
    expect(g.state.calls).toBe(1); // b waits for a slot, it has not touched the store
    // While b waits, the hub pings it every queuedPingMs (its pull request stays alive); a, running, is not pinged.
    const before = codes(b.out).filter((c) => c === 'ping').length;
    await new Promise((r) => setTimeout(r, 70));
    expect(codes(b.out).filter((c) => c === 'ping').length - before).toBeGreaterThanOrEqual(2);
    expect(codes(a.out)).not.toContain('ping');
    g.state.open();
    await Promise.all([pa, pb]);
    expect(codes(a.out).at(-1)).toBe('checkpoint');
    expect(codes(b.out).at(-1)).toBe('checkpoint');
    expect(service.stats()).toMatchObject({ initialSyncsRunning: 0, initialSyncsQueued: 0 });
    // After its first pull a session's incremental pulls take no slot.
    const epoch = await store.epoch();
    expect(codes(await a.send({ type: 'pull', bucket: 'catalog', cursor: formatCursor(epoch, 0) }))).toEqual(['checkpoint']);
  });

  it('gives a queued slot back when its session closes', async () => {
    const g = gated('changesSince');
    const { connected, store, service } = await setup({ maxInitialSyncs: 1, maxQueuedInitialSyncs: 5 }, g.wrap);
    const a = await connected();
    const b = await connected(await enrollTestConsole(store, 'C05'));
    const pa = a.session.receive(JSON.stringify({ type: 'pull', bucket: 'catalog', cursor: '' }));
    const pb = b.session.receive(JSON.stringify({ type: 'pull', bucket: 'catalog', cursor: '' }));
    await tick();
    b.session.close();
    await pb;
    expect(service.stats()).toMatchObject({ initialSyncsQueued: 0, sessions: 1 });
    g.state.open();
    await pa;
    expect(service.stats().initialSyncsRunning).toBe(0);
  });

  it('drain() waits for a push being applied and its ack', async () => {
    const g = gated('applyPush');
    const { connected, service } = await setup({}, g.wrap);
    const a = await connected();
    const pushed = a.session.receive(JSON.stringify({ type: 'push', batch: [testMutation(1)] }));
    await tick();
    let drained = false;
    const drain = service.drain().then(() => {
      drained = true;
    });
    await tick();
    expect(drained).toBe(false);
    // New frames are not taken any more.
    expect(await a.send({ type: 'ping', at: NOW })).toEqual([]);
    g.state.open();
    await Promise.all([pushed, drain]);
    expect(codes(a.out).at(-1)).toBe('push_ack');
  });

  it('signHello signs the documented text', async () => {
    const { client, c03, clock } = await setup();
    const issuedAt = clock().toISOString();
    const auth = signHello(c03.key.privateKey, 'C03', issuedAt);
    expect(auth.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(codes(await client().send(helloFor(c03, issuedAt, { auth })))).toEqual(['welcome']);
  });
});


