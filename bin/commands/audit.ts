import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditVerification } from '../../main/security/audit-chain';
import { importConsolePublicKey } from '../../main/security/receipt-signature';
import { DatabaseTooNewError, peekUserVersion, SCHEMA_VERSION } from '../../main/store/database';
import { verifyAuditDatabase } from '../../main/store/repositories/audit-log';
import { print, stringOption, UsageError, type Command } from '../command';

/** The schema version that chains the audit log (migration 0009-audit-chain). */
const AUDIT_CHAIN_SCHEMA = 9;

/**
 * The key the heads are checked with: --public-key, the console's public key as enrolled at the hub
 * (`hall hub console add`). Not taken from the console's own folder: whoever can rewrite the database
 * there could as well put a key of their own beside it.
 */
function publicKeyFor(given: string | undefined): KeyObject | null {
  if (given === undefined) return null;
  const key = importConsolePublicKey(given);
  if (key === null) throw new UsageError('--public-key must be the console’s Ed25519 public key (43 base64url characters)');
  return key;
}

function humanReport(file: string, r: AuditVerification): string {
  if (r.firstBroken !== null) {
    return `${file}: audit log BROKEN at row ${r.firstBroken.id} (${r.firstBroken.kind}): ${r.firstBroken.message}`;
  }
  const lines = [`${file}: audit log intact: ${r.rows} row${r.rows === 1 ? '' : 's'}${r.lastId === null ? '' : `, last row ${r.lastId} (${r.lastHash!.slice(0, 16)}…)`}`];
  if (r.latestHead === null) {
    lines.push('  no signed head yet (one is signed and sent to the hub with the next sync): a deleted tail cannot be seen locally');
  } else {
    const after = (r.lastId ?? 0) - r.latestHead.lastId;
    lines.push(
      `  latest signed head: row ${r.latestHead.lastId} at ${r.latestHead.at}, ${r.signaturesChecked ? 'signature verified' : 'signature NOT checked (no key: pass --public-key)'}; ${after} row${after === 1 ? '' : 's'} after it`,
    );
  }
  return lines.join('\n');
}

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  summary: 'walk the hash-chained audit log and its signed heads; name the first broken link (exit 1 when broken)',
  options: {
    db: { type: 'string', description: 'path of the console database (default: .hall-data/hall.sqlite, the headless host’s)' },
    'public-key': { type: 'string', description: 'the console’s public key (base64url, as enrolled at the hub): the signed heads are checked with it' },
  },
  run(ctx) {
    const file = resolve(stringOption(ctx, 'db') ?? join('.hall-data', 'hall.sqlite'));
    const key = publicKeyFor(stringOption(ctx, 'public-key'));
    if (!existsSync(file)) throw new Error(`no database at ${file}`);
    const version = peekUserVersion(file);
    if (version > SCHEMA_VERSION) throw new DatabaseTooNewError(file, version, SCHEMA_VERSION);
    if (version < AUDIT_CHAIN_SCHEMA) throw new Error(`${file} is at schema ${version}, before the audit chain (${AUDIT_CHAIN_SCHEMA}): run hall db migrate first`);
    // Read-only: verifying evidence never writes to it (no migration, no checkpoint).
    const sql = new Database(file, { readonly: true, fileMustExist: true });
    let result: AuditVerification;
    try {
      result = verifyAuditDatabase(sql, key);
    } finally {
      sql.close();
    }
    print(ctx, { file, ...result }, humanReport(file, result));
    return result.ok ? 0 : 1;
  },
};

export const auditCommands: Command[] = [auditVerifyCommand];
