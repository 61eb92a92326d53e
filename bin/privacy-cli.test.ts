/** `hall privacy purge`: dry run counts, the real run erases and audits, on a database opened without its key. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SYNTHETIC_RECORDS } from '../drivers/emulators/cards';
import { createStore } from '../main/store';
import { main } from './cli';
import type { Io } from './command';

const dir = mkdtempSync(join(tmpdir(), 'hall-privacy-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('hall privacy purge', () => {
  it('counts with --dry-run, then erases the closed case’s personal fields and audits the run', async () => {
    const file = join(dir, 'hall.sqlite');
    const key = Buffer.alloc(32, 4);
    const person = SYNTHETIC_RECORDS.resident;
    // Closed a year before "now" (the CLI runs on the system clock).
    const store = createStore(file, key, () => new Date(Date.now() - 365 * 24 * 3600 * 1000));
    const applicant = { name: person.name, idNumber: person.idNumber, address: person.address, phone: null };
    const closed = store.cases.create({ receiptNo: 'HALL01-20251126-C03-0001', serviceItemCode: 'BDC-021', state: 'received', applicant }, 'user-clerk03');
    store.cases.transition(closed.id, 'withdrawn', 'user-clerk03', '申请人撤回');
    const open = store.cases.create({ receiptNo: 'HALL01-20251126-C03-0002', serviceItemCode: 'BDC-021', state: 'accepted', applicant }, 'user-clerk03');
    store.close();

    let io = capture();
    expect(await main(['privacy', 'purge', '--db', file, '--dry-run', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout.join('\n'))).toMatchObject({ cases: 1, dryRun: true, retentionDays: 180, auditId: null });

    io = capture();
    expect(await main(['privacy', 'purge', '--db', file], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/erased the personal fields of 1 closed case\(s\).*audit row \d+/);

    const after = createStore(file, key);
    try {
      expect(after.cases.get(closed.id)!.applicant).toBeNull();
      expect(after.cases.get(open.id)!.applicant?.idNumber).toBe(person.idNumber);
      const runs = after.db.sql.prepare("SELECT detail FROM audit_log WHERE action = 'privacy.purged'").all() as { detail: string }[];
      expect(runs.map((r) => JSON.parse(r.detail) as { cases: number })).toEqual([expect.objectContaining({ cases: 1, retentionDays: 180 })]);
    } finally {
      after.close();
    }

    io = capture();
    expect(await main(['privacy', 'purge', '--db', file, '--days', '0'], io)).toBe(2);
  });
});
