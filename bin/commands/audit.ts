import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AuditHubHead, type AuditVerification } from '../../main/security/audit-chain';
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

/**
 * The hub's latest head of this console (`hall hub audit-head --id ID --json`), given inline
 * (--hub-head) or as a file (--hub-head-file); null when neither is given.
 */
function hubHeadFor(inline: string | undefined, file: string | undefined): AuditHubHead | null {
  if (inline !== undefined && file !== undefined) throw new UsageError('give --hub-head or --hub-head-file, not both');
  if (inline === undefined && file === undefined) return null;
  let text: string;
  if (file !== undefined) {
    try {
      text = readFileSync(resolve(file), 'utf8');
    } catch (err) {
      throw new UsageError(`--hub-head-file: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else {
    text = inline!;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError('--hub-head must be JSON: {"lastId": N, "hash": "…"} (the output of hall hub audit-head --json)');
  }
  const parsed = AuditHubHead.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--hub-head: ${issue?.path.join('.') || '(head)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
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
  if (r.hubHead !== null) lines.push(`  the hub's latest head (row ${r.hubHead.lastId}) matches the log`);
  return lines.join('\n');
}

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  summary: 'walk the hash-chained audit log and its signed heads; name the first broken link (exit 1 when broken)',
  options: {
    db: { type: 'string', description: 'path of the console database (default: .hall-data/hall.sqlite, the headless host’s)' },
    'public-key': { type: 'string', description: 'the console’s public key (base64url, as enrolled at the hub): the signed heads are checked with it' },
    'hub-head': { type: 'string', description: 'the hub’s latest head of this console, JSON {"lastId":N,"hash":"…"} (hall hub audit-head --json): the log must still have that row with that hash' },
    'hub-head-file': { type: 'string', description: 'the same, read from a file' },
  },
  run(ctx) {
    const file = resolve(stringOption(ctx, 'db') ?? join('.hall-data', 'hall.sqlite'));
    const key = publicKeyFor(stringOption(ctx, 'public-key'));
    const hubHead = hubHeadFor(stringOption(ctx, 'hub-head'), stringOption(ctx, 'hub-head-file'));
    if (!existsSync(file)) throw new Error(`no database at ${file}`);
    const version = peekUserVersion(file);
    if (version > SCHEMA_VERSION) throw new DatabaseTooNewError(file, version, SCHEMA_VERSION);
    if (version < AUDIT_CHAIN_SCHEMA) throw new Error(`${file} is at schema ${version}, before the audit chain (${AUDIT_CHAIN_SCHEMA}): run hall db migrate first`);
    // Read-only: verifying evidence never writes to it (no migration, no checkpoint).
    const sql = new Database(file, { readonly: true, fileMustExist: true });
    let result: AuditVerification;
    try {
      result = verifyAuditDatabase(sql, key, hubHead);
    } finally {
      sql.close();
    }
    print(ctx, { file, ...result }, humanReport(file, result));
    return result.ok ? 0 : 1;
  },
};

export const auditCommands: Command[] = [auditVerifyCommand];
