import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres';
import { parseSyncFrame, type SyncMessage } from '../protocol';
import { startHubServer } from './server';
import { PostgresHubStore } from './store/postgres';
import { enrollTestConsole, helloFor, testMutation } from './test-support';

// Two hub processes (here: two servers with their own store) on one PostgreSQL database.
let db: TestDatabase | null = null;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

async function client(url: string) {
  const ws = new WebSocket(url);
  const inbox: SyncMessage[] = [];
  ws.on('message', (data) => {
    const parsed = parseSyncFrame(data as Buffer);
    if (parsed.ok) inbox.push(parsed.message);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async (type: SyncMessage['type']): Promise<SyncMessage> => {
    const until = Date.now() + 5000;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return inbox.splice(0, i + 1).at(-1)!;
      if (Date.now() > until) throw new Error(`no ${type} within 5 s (got ${inbox.map((m) => m.type).join(', ')})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { ws, next, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

describe('hub server on PostgreSQL', () => {
  it('a case pushed to one hub process pokes a console connected to another', async () => {
    if (db === null) throw new Error('the test database did not start (see the beforeAll error)');
    const storeA = await PostgresHubStore.open({ connectionString: db.url, schema: 'hub_srv' });
    const storeB = await PostgresHubStore.open({ connectionString: db.url, schema: 'hub_srv' });
    const a = await startHubServer({ store: storeA, port: 0 });
    const b = await startHubServer({ store: storeB, port: 0 });
    try {
      expect(await (await fetch(`${a.origin}/health`)).json()).toMatchObject({ ok: true, store: 'postgres', epoch: await storeB.epoch() });
      const c03 = await enrollTestConsole(storeA, 'C03');
      const super01 = await enrollTestConsole(storeA, 'S01');
      const supervisor = await client(b.url);
      supervisor.send(helloFor(super01, new Date()));
      await supervisor.next('welcome');
      supervisor.send({ type: 'pull', bucket: 'hall_cases', cursor: '' });
      const first = await supervisor.next('checkpoint');

      const counter = await client(a.url);
      counter.send(helloFor(c03, new Date()));
      expect(await counter.next('welcome')).toMatchObject({ expectedSeq: 1 });
      counter.send({ type: 'push', batch: [testMutation(1)] });
      expect(await counter.next('push_ack')).toMatchObject({ results: [{ seq: 1, status: 'applied' }], expectedSeq: 2 });

      expect(await supervisor.next('poke')).toEqual({ type: 'poke', buckets: ['hall_cases'] });
      supervisor.send({ type: 'pull', bucket: 'hall_cases', cursor: (first as { cursor: string }).cursor });
      expect(await supervisor.next('changes')).toMatchObject({ changes: [{ value: { consoleId: 'C03', seq: 1 } }] });
      counter.ws.close();
      supervisor.ws.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
