/**
 * kill -9 of a real console process in the middle of an upload (issue 6): the hub commits a batch
 * while the console process is being killed, so the ack is lost; the console restarts from its
 * database and finishes. Every case is on the hub exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../../main/store';
import { generateConsoleSigningKey } from '../../main/security/receipt-signature';
import { startHubServer, type RunningHubServer } from '../../sync/hub/server';
import { SqliteHubStore } from '../../sync/hub/store/sqlite';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CASES = 400;

function startConsole(env: Record<string, string>): { child: ChildProcess; exited: Promise<NodeJS.Signals | number | null>; drained: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'console-process.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const drained = new Promise<void>((resolve) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('drained')) resolve();
    });
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, exited, drained };
}

describe('kill -9 of a console process mid-upload', () => {
  it('loses and duplicates nothing: the restarted console finishes the upload, each case on the hub once', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hall-kill9-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const key = generateConsoleSigningKey();
    let victim: ChildProcess | null = null;
    let killed = false;
    const hubFile = join(dir, 'hub.sqlite');
    const store = await SqliteHubStore.open({
      file: hubFile,
      hooks: {
        // Inside the hub's transaction of the console's first batch, just before COMMIT: the console dies now.
        beforeCommit: (op) => {
          if (op !== 'applyPush' || victim === null || killed) return;
          victim.kill('SIGKILL');
          killed = true;
        },
      },
    });
    await store.registerConsole('C03', key.publicKeyBase64Url);
    const server: RunningHubServer = await startHubServer({ store, port: 0, heartbeatMs: 0 });
    cleanups.push(() => server.close());
    const env = {
      HALL_DB: join(dir, 'console.sqlite'),
      HALL_MASTER_KEY: randomBytes(32).toString('base64'),
      HALL_SIGNING_KEY: Buffer.from(key.privateKey.export({ format: 'pem', type: 'pkcs8' })).toString('base64'),
      HUB_URL: server.url,
      CONSOLE_ID: 'C03',
      CASES: String(CASES),
      BATCH: '25',
    };

    // First life: killed while the hub commits its first batch.
    const first = startConsole(env);
    victim = first.child;
    expect(await first.exited).toBe('SIGKILL');
    expect(killed).toBe(true);
    const appliedAtKill = await store.lastApplied('C03');
    expect(appliedAtKill).toBe(25); // the batch committed after the console died: its ack went nowhere

    // The console's database as the kill left it: every case there, the committed batch not acked.
    const local = createStore(env.HALL_DB, Buffer.from(env.HALL_MASTER_KEY, 'base64'));
    expect(local.outbox.lastSeq()).toBe(CASES);
    expect(local.outbox.countPending()).toBe(CASES);
    local.close();

    // Second life: same database, no new cases; it pushes from seq 1 again and the hub answers duplicate for 1..25.
    victim = null;
    const second = startConsole(env);
    await second.drained;
    second.child.kill('SIGTERM');
    await second.exited;

    expect(await store.lastApplied('C03')).toBe(CASES);
    const hub = new Database(hubFile, { readonly: true });
    const rows = hub.prepare(`SELECT json_extract(payload, '$.caseId') AS caseId, count(*) AS n FROM hub_mutations GROUP BY 1`).all() as { caseId: string; n: number }[];
    hub.close();
    expect(rows).toHaveLength(CASES);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const after = createStore(env.HALL_DB, Buffer.from(env.HALL_MASTER_KEY, 'base64'));
    expect(after.outbox.countPending()).toBe(0);
    after.close();
  });
});
