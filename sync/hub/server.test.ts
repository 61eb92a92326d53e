import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseSyncFrame, type SyncMessage } from '../protocol';
import { formatCursor } from './session';
import { startHubServer, type RunningHubServer } from './server';
import { SqliteHubStore } from './store/sqlite';
import type { HubStore } from './store/types';
import { enrollTestConsole, helloFor, testMutation } from './test-support';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A ws client that collects parsed messages and lets a test wait for the next ones. */
async function connect(url: string) {
  const ws = new WebSocket(url);
  const inbox: SyncMessage[] = [];
  const waiters: (() => void)[] = [];
  let closeCode: number | null = null;
  ws.on('message', (data) => {
    const parsed = parseSyncFrame(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
    if (!parsed.ok) throw new Error(`hub sent a bad frame: ${parsed.reason}`);
    inbox.push(parsed.message);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<number>((resolve) =>
    ws.on('close', (code) => {
      closeCode = code;
      for (const w of waiters.splice(0)) w();
      resolve(code);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  cleanups.push(async () => {
    if (ws.readyState === ws.OPEN) ws.close();
  });
  let read = 0;
  /** The next message, waiting up to 5 s. */
  async function next(): Promise<SyncMessage> {
    const until = Date.now() + 5000;
    while (read >= inbox.length) {
      if (closeCode !== null) throw new Error(`socket closed (${closeCode})`);
      if (Date.now() > until) throw new Error('no message within 5 s');
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return inbox[read++]!;
  }
  return {
    ws,
    next,
    closed,
    send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
  };
}

async function hub(wrap: (s: HubStore) => HubStore = (s) => s): Promise<{ server: RunningHubServer; store: SqliteHubStore }> {
  const store = await SqliteHubStore.open({ file: ':memory:' });
  const server = await startHubServer({ store: wrap(store), port: 0 });
  cleanups.push(() => server.close());
  return { server, store };
}

describe('hub server', () => {
  it('does hello, push and pull over a real websocket', async () => {
    const { server, store } = await hub();
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/sync$/);
    const c03 = await enrollTestConsole(store, 'C03');
    await store.publish('catalog', [{ op: 'put', key: 'A', value: { code: 'A' } }]);
    const epoch = await store.epoch();
    const client = await connect(server.url);

    client.send(helloFor(c03, new Date()));
    expect(await client.next()).toMatchObject({ type: 'welcome', epoch, expectedSeq: 1 });

    client.send({ type: 'push', batch: [testMutation(1), testMutation(2)] });
    expect(await client.next()).toEqual({ type: 'push_ack', results: [{ seq: 1, status: 'applied' }, { seq: 2, status: 'applied' }], expectedSeq: 3 });

    client.send({ type: 'pull', bucket: 'catalog', cursor: '' });
    expect(await client.next()).toMatchObject({ type: 'changes', bucket: 'catalog', changes: [{ key: 'A', op: 'put', value: { code: 'A' } }] });
    const checkpoint = await client.next();
    expect(checkpoint).toMatchObject({ type: 'checkpoint', bucket: 'catalog', cursor: expect.stringMatching(new RegExp(`^${epoch}:\\d+\\.[A-Za-z0-9_-]{8}$`)) });

    // A publish afterwards pokes the connection.
    await store.publish('catalog', [{ op: 'put', key: 'B', value: { code: 'B' } }]);
    expect(await client.next()).toEqual({ type: 'poke', buckets: ['catalog'] });

    client.send('{not json');
    expect(await client.next()).toMatchObject({ type: 'error', code: 'bad_message' });
    client.send({ type: 'ping', at: new Date().toISOString() });
    expect(await client.next()).toMatchObject({ type: 'pong' });
    expect((await server.health()).sessions).toBe(1);
  });

  it('serves GET /health and 404 elsewhere', async () => {
    const { server, store } = await hub();
    const res = await fetch(`${server.origin}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, epoch: await store.epoch(), store: 'sqlite', sessions: 0 });
    expect((await fetch(`${server.origin}/nope`)).status).toBe(404);
    expect((await fetch(`${server.origin}/health`, { method: 'POST' })).status).toBe(405);
    await expect(connect(`${server.origin.replace('http', 'ws')}/other`)).rejects.toThrow();
  });

  it('close() during a push: the push is applied, acked, then the socket closes with 1001 and the store is closed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let applying = false;
    const { server, store } = await hub(
      (s) =>
        new Proxy(s, {
          get(target, prop) {
            if (prop === 'applyPush') {
              return async (...args: Parameters<HubStore['applyPush']>) => {
                applying = true;
                await gate;
                return target.applyPush(...args);
              };
            }
            const v = Reflect.get(target, prop, target) as unknown;
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        }),
    );
    const c03 = await enrollTestConsole(store, 'C03');
    const client = await connect(server.url);
    client.send(helloFor(c03, new Date()));
    expect((await client.next()).type).toBe('welcome');
    client.send({ type: 'push', batch: [testMutation(1)] });
    while (!applying) await new Promise((r) => setTimeout(r, 5));

    const closing = server.close();
    await new Promise((r) => setTimeout(r, 30));
    // No new connections while closing.
    await expect(connect(server.url)).rejects.toThrow();
    expect(await server.health()).toMatchObject({ ok: false, closing: true, sessions: 1 });
    release();
    expect(await client.next()).toEqual({ type: 'push_ack', results: [{ seq: 1, status: 'applied' }], expectedSeq: 2 });
    expect(await client.closed).toBe(1001);
    await closing;
    await expect(store.epoch()).rejects.toMatchObject({ code: 'closed' });
  });

  it('pokes its consoles when another process publishes into the same SQLite file (hall hub publish)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hall-hub-srv-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'hub.sqlite');
    const store = await SqliteHubStore.open({ file, watchIntervalMs: 20 });
    const server = await startHubServer({ store, port: 0 });
    cleanups.push(() => server.close());
    const c03 = await enrollTestConsole(store, 'C03');
    const client = await connect(server.url);
    client.send(helloFor(c03, new Date()));
    await client.next();
    client.send({ type: 'pull', bucket: 'users', cursor: '' });
    expect(await client.next()).toMatchObject({ type: 'checkpoint' });

    const publisher = await SqliteHubStore.open({ file });
    await publisher.publish('users', [{ op: 'put', key: 'clerk03', value: { id: 'clerk03' } }]);
    await publisher.close();
    expect(await client.next()).toEqual({ type: 'poke', buckets: ['users'] });
  });

  it('a pull from the beginning streams every change of a large bucket', async () => {
    const { server, store } = await hub();
    const c03 = await enrollTestConsole(store, 'C03');
    await store.publish(
      'credit',
      Array.from({ length: 3200 }, (_, i) => ({ op: 'put' as const, key: `h${i}`, value: { standing: 'watch', measures: [], pad: 'x'.repeat(400) } })),
    );
    const client = await connect(server.url);
    client.send(helloFor(c03, new Date()));
    await client.next();
    client.send({ type: 'pull', bucket: 'credit', cursor: '' });
    let total = 0;
    for (;;) {
      const m = await client.next();
      if (m.type === 'changes') total += m.changes.length;
      else if (m.type === 'poke') continue; // the publish's poke may land in the middle of the stream
      else {
        expect(m).toMatchObject({ type: 'checkpoint', cursor: formatCursor(await store.epoch(), 3200, (await store.changeAt('credit', 3200))!.tag) });
        break;
      }
    }
    expect(total).toBe(3200);
  });
});
