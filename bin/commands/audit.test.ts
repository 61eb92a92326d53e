import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { signAuditHead } from '../../main/security/audit-chain';
import { generateConsoleSigningKey } from '../../main/security/receipt-signature';
import { runMigrations } from '../../main/store/database';
import { createStore } from '../../main/store/index';
import { MIGRATIONS } from '../../main/store/migrations/index';
import { tempDir, TEST_MASTER_KEY, testClock } from '../../main/store/test-support';
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
