/**
 * A console as its own OS process, for the kill -9 test (kill9.test.ts): opens its store, makes sure
 * the outbox holds CASES accepted cases (each in its own transaction, as the counter does; none more
 * after a restart), then syncs them to the hub at HUB_URL with the real SyncClient over a websocket.
 * Synthetic data only. Environment: HALL_DB, HALL_MASTER_KEY (base64), HALL_SIGNING_KEY (PKCS#8 PEM,
 * base64), HUB_URL, CONSOLE_ID, CASES, BATCH.
 */
import { createPrivateKey } from 'node:crypto';
import { createStore } from '../../main/store';
import { SyncClient } from '../../sync/client/client';
import { createWsTransport } from '../../sync/client/ws-transport';

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`${name} is not set`);
  return v;
};

const store = createStore(env('HALL_DB'), Buffer.from(env('HALL_MASTER_KEY'), 'base64'));
const consoleId = env('CONSOLE_ID');
const cases = Number(env('CASES'));
for (let n = store.outbox.lastSeq() + 1; n <= cases; n++) {
  store.db.transaction(() => store.outbox.append('case.accepted', { caseId: `${consoleId}-${n}`, receiptNo: `K9-${n}`, state: 'accepted', at: new Date().toISOString() }));
}
const client = new SyncClient({
  url: env('HUB_URL'),
  transport: createWsTransport(),
  store,
  consoleId,
  signingKey: { privateKey: createPrivateKey(Buffer.from(env('HALL_SIGNING_KEY'), 'base64').toString('utf8')) },
  clock: () => new Date(),
  logger: { log() {} },
  batchSize: Number(env('BATCH')),
  buckets: [],
  random: () => 0, // reconnect at once
});
client.start();
process.stdout.write('started\n');
const timer = setInterval(() => {
  if (store.outbox.countPending() === 0) process.stdout.write('drained\n');
}, 20);
process.on('SIGTERM', () => {
  clearInterval(timer);
  void client.stop().then(() => {
    store.close();
    process.exit(0);
  });
});
