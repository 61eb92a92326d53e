import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_HEAD_MUTATION, signAuditHead } from '../../main/security/audit-chain';
import { generateConsoleSigningKey } from '../../main/security/receipt-signature';
import { runMigrations } from '../../main/store/database';
import { createStore } from '../../main/store/index';
import { MIGRATIONS } from '../../main/store/migrations/index';
import { tempDir, TEST_MASTER_KEY, testClock } from '../../main/store/test-support';
import { SqliteHubStore } from '../../sync/hub/store/sqlite';
import { testMutation } from '../../sync/hub/test-support';
import { main } from '../cli';
import type { Io } from '../command';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const key = generateConsoleSigningKey();

/** A console database with `rows` audit rows and a head signed at `headAt` (0 = none). */
function consoleDb(rows: number, headAt: number): string {
  const { dir, cleanup } = tempDir('hall-audit-');
  cleanups.push(cleanup);
  const file = join(dir, 'hall.sqlite');
  const clock = testClock();
  const store = createStore(file, TEST_MASTER_KEY, clock);
  for (let i = 1; i <= rows; i += 1) {
    clock.advance(60_000);
    store.audit.append({ actor: 'u-clerk-1', action: 'receipt.reprinted', subject: `case-${i}`, detail: { copies: 1 } });
    if (i === headAt) store.audit.signHeadIfMoved('C03', (h) => signAuditHead(key.privateKey, h));
  }
  store.close();
  return file;
}

/** An attacker with the file: drops the triggers, then does what `sql` says. */
function tamper(file: string, sql: string): void {
  const db = new Database(file);
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_chain;');
  db.exec(sql);
  db.close();
}

async function run(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const io = capture();
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('hall audit verify', () => {
  it('an intact log: exit 0, the rows, the latest signed head and its signature', async () => {
    const file = consoleDb(5, 4);
    const plain = await run(['audit', 'verify', '--db', file]);
    expect(plain.code).toBe(0);
    expect(plain.stdout.join('\n')).toMatch(/audit log intact: 5 rows, last row 5 .*\n {2}latest signed head: row 4 at 2026-11-26T01:04:00.000Z, signature NOT checked .*; 1 row after it/);
    const withKey = await run(['audit', 'verify', '--db', file, '--public-key', key.publicKeyBase64Url, '--json']);
    expect(withKey.code).toBe(0);
    expect(JSON.parse(withKey.stdout[0]!)).toMatchObject({ file, ok: true, rows: 5, heads: 1, signaturesChecked: true, latestHead: { consoleId: 'C03', lastId: 4 }, firstBroken: null });
  });

  it('names the first broken link and exits 1: edited, deleted, reordered, truncated, forged head', async () => {
    const edited = consoleDb(5, 5);
    tamper(edited, "UPDATE audit_log SET actor = 'u-forger' WHERE id = 3");
    const r1 = await run(['audit', 'verify', '--db', edited]);
    expect(r1).toMatchObject({ code: 1, stderr: [] });
    expect(r1.stdout[0]).toContain('audit log BROKEN at row 3 (hash_mismatch)');

    const deleted = consoleDb(5, 5);
    tamper(deleted, 'DELETE FROM audit_log WHERE id = 2');
    const r2 = await run(['audit', 'verify', '--db', deleted, '--json']);
    expect(r2.code).toBe(1);
    expect(JSON.parse(r2.stdout[0]!)).toMatchObject({ ok: false, firstBroken: { id: 2, kind: 'missing' } });

    const reordered = consoleDb(5, 5);
    tamper(reordered, 'UPDATE audit_log SET id = -id WHERE id IN (2, 4); UPDATE audit_log SET id = 4 WHERE id = -2; UPDATE audit_log SET id = 2 WHERE id = -4;');
    expect(JSON.parse((await run(['audit', 'verify', '--db', reordered, '--json'])).stdout[0]!)).toMatchObject({ firstBroken: { id: 2, kind: 'reordered' } });

    const truncated = consoleDb(6, 5);
    tamper(truncated, 'DELETE FROM audit_log WHERE id >= 4');
    expect(JSON.parse((await run(['audit', 'verify', '--db', truncated, '--json'])).stdout[0]!)).toMatchObject({ firstBroken: { id: 4, kind: 'truncated' } });

    const forgedHead = consoleDb(3, 3);
    const other = generateConsoleSigningKey();
    const res = await run(['audit', 'verify', '--db', forgedHead, '--public-key', other.publicKeyBase64Url, '--json']);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout[0]!)).toMatchObject({ firstBroken: { id: 3, kind: 'bad_signature' } });
  });

  it('refuses a missing file, a database from before the chain, and a malformed key', async () => {
    expect(await run(['audit', 'verify', '--db', '/nonexistent/hall.sqlite'])).toMatchObject({ code: 1, stderr: [expect.stringMatching(/no database at/)] });
    const { dir, cleanup } = tempDir('hall-audit-');
    cleanups.push(cleanup);
    const old = join(dir, 'old.sqlite');
    const db = new Database(old);
    runMigrations(db, MIGRATIONS.slice(0, 8));
    db.close();
    expect(await run(['audit', 'verify', '--db', old])).toMatchObject({ code: 1, stderr: [expect.stringMatching(/before the audit chain \(9\): run hall db migrate/)] });
    expect(await run(['audit', 'verify', '--db', old, '--public-key', 'not-a-key'])).toMatchObject({ code: 2 });
  });
});

describe('hall audit verify --hub-head (the hub as witness: hall hub audit-head)', () => {
  /** A hub database that accepted `head` from console C03, as it would at the console's last sync. */
  async function hubWith(head: { lastId: number; hash: string; at: string } | null): Promise<string> {
    const { dir, cleanup } = tempDir('hall-audit-hub-');
    cleanups.push(cleanup);
    const file = join(dir, 'hub.sqlite');
    const hub = await SqliteHubStore.open({ file });
    await hub.registerConsole('C03', key.publicKeyBase64Url);
    await hub.registerConsole('C04', generateConsoleSigningKey().publicKeyBase64Url);
    if (head !== null) {
      const out = await hub.applyPush('C03', [testMutation(1), testMutation(2, { type: AUDIT_HEAD_MUTATION, payload: { ...signAuditHead(key.privateKey, { consoleId: 'C03', ...head }) } })]);
      expect(out.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    }
    await hub.close();
    return file;
  }
  const rowHash = (file: string, id: number): string => {
    const db = new Database(file, { readonly: true });
    try {
      return String(db.prepare('SELECT hash FROM audit_log WHERE id = ?').pluck().get(id));
    } finally {
      db.close();
    }
  };

  it('a tail deleted together with its signed heads looks intact alone, and is truncated against the hub’s head; a rewritten tail is head_mismatch', async () => {
    const file = consoleDb(6, 6);
    const hub = await hubWith({ lastId: 6, hash: rowHash(file, 6), at: '2026-11-26T01:06:00.000Z' });
    const read = await run(['hub', 'audit-head', '--id', 'C03', '--db', hub, '--json']);
    expect(read.code).toBe(0);
    const hubHead = JSON.parse(read.stdout[0]!) as Record<string, unknown>;
    expect(hubHead).toEqual({ consoleId: 'C03', lastId: 6, hash: rowHash(file, 6), at: '2026-11-26T01:06:00.000Z', appliedAt: expect.any(String) as unknown });
    expect((await run(['hub', 'audit-head', '--id', 'C03', '--db', hub])).stdout[0]).toBe(
      `console C03: audit head row 6, hash ${rowHash(file, 6)}, signed 2026-11-26T01:06:00.000Z, accepted ${String(hubHead.appliedAt)}`,
    );
    const headFile = join(file, '..', 'hub-head.json');
    writeFileSync(headFile, read.stdout[0]!);

    // Intact: the hub's head is there with its hash.
    const intact = await run(['audit', 'verify', '--db', file, '--hub-head-file', headFile]);
    expect(intact.code).toBe(0);
    expect(intact.stdout.join('\n')).toContain("the hub's latest head (row 6) matches the log");

    // The attacker deletes rows 4–6 and every signed head: locally nothing is left to see it.
    tamper(file, 'DROP TRIGGER audit_heads_no_delete; DELETE FROM audit_heads; DELETE FROM audit_log WHERE id >= 4;');
    expect((await run(['audit', 'verify', '--db', file])).code).toBe(0);
    const truncated = await run(['audit', 'verify', '--db', file, '--hub-head-file', headFile, '--json']);
    expect(truncated.code).toBe(1);
    expect(JSON.parse(truncated.stdout[0]!)).toMatchObject({ ok: false, hubHead: { lastId: 6 }, firstBroken: { id: 4, kind: 'truncated', message: expect.stringContaining("the hub's latest head") as unknown } });
    const inline = await run(['audit', 'verify', '--db', file, '--hub-head', JSON.stringify({ lastId: 6, hash: hubHead.hash })]);
    expect(inline.code).toBe(1);
    expect(inline.stdout[0]).toContain('audit log BROKEN at row 4 (truncated)');

    // … then writes rows 4–6 again, correctly chained: row 6 now has another hash than the hub witnessed.
    const clock = testClock();
    const store = createStore(file, TEST_MASTER_KEY, clock);
    for (let i = 4; i <= 6; i += 1) store.audit.append({ actor: 'u-forger', action: 'receipt.reprinted', subject: `case-${i}`, detail: { copies: 2 } });
    store.close();
    expect((await run(['audit', 'verify', '--db', file])).code).toBe(0);
    const rewritten = await run(['audit', 'verify', '--db', file, '--hub-head-file', headFile, '--json']);
    expect(rewritten.code).toBe(1);
    expect(JSON.parse(rewritten.stdout[0]!)).toMatchObject({ firstBroken: { id: 6, kind: 'head_mismatch' } });
  });

  it('refuses a malformed hub head (exit 2), and hub audit-head names an unknown console or one without a head (exit 1)', async () => {
    const file = consoleDb(3, 3);
    expect((await run(['audit', 'verify', '--db', file, '--hub-head', '{lastId: 3}'])).code).toBe(2);
    expect((await run(['audit', 'verify', '--db', file, '--hub-head', JSON.stringify({ lastId: 3, hash: 'ABC' })])).code).toBe(2);
    expect((await run(['audit', 'verify', '--db', file, '--hub-head', JSON.stringify({ lastId: 0, hash: rowHash(file, 3) })])).code).toBe(2);
    expect((await run(['audit', 'verify', '--db', file, '--hub-head', '{}', '--hub-head-file', file])).code).toBe(2);
    expect((await run(['audit', 'verify', '--db', file, '--hub-head-file', join(file, '..', 'none.json')])).code).toBe(2);

    const hub = await hubWith(null);
    expect(await run(['hub', 'audit-head', '--id', 'C09', '--db', hub])).toMatchObject({ code: 1, stderr: [expect.stringContaining('console C09 is not enrolled at this hub')] });
    expect(await run(['hub', 'audit-head', '--id', 'C04', '--db', hub])).toMatchObject({ code: 1, stderr: [expect.stringContaining('console C04 has sent no audit head yet')] });
    expect((await run(['hub', 'audit-head', '--db', hub])).code).toBe(2);
  });
});
