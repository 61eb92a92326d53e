/**
 * The tamper-evident audit log (security note "Audit"; docs/security.md "Audit chain").
 *
 * Row hash (format HALLAUDITROW1): SHA-256, lower-case hex, over the UTF-8 text of the JSON array
 *
 *     ["HALLAUDITROW1", id, at, actor, action, subject, detail, prev_hash]
 *
 * with `detail` as the exact text stored in the column (so no second canonicalisation of JSON is
 * involved) and `prev_hash` the previous row's hash, or 64 zeros for row 1. JSON.stringify of an array
 * of strings, integers and nulls has one spelling, which makes this the canonical encoding.
 *
 * Head (format HALLAUDIT1): the console signs, with its Ed25519 key, the UTF-8 text
 *
 *     HALLAUDIT1:<consoleId>:<lastId>:<hash>:<at>
 *
 * The prefix separates it from the hello signature (HALLSYNC1) and the document QR (HALL2), which the
 * same key signs. Signed heads are kept in `audit_heads` and sent to the hub (outbox `audit.head`).
 *
 * `verifyAuditChain` walks rows in id order and names the first broken link: the first id at which the
 * stored log differs from the one that was written.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { importConsolePublicKey } from './receipt-signature';

export const AUDIT_GENESIS = '0'.repeat(64);
export const AUDIT_ROW_FORMAT = 'HALLAUDITROW1';
export const AUDIT_HEAD_PREFIX = 'HALLAUDIT1';
/** The outbox mutation type that carries a signed head to the hub. */
export const AUDIT_HEAD_MUTATION = 'audit.head';

export interface AuditRowFields {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  subject: string | null;
  /** The stored JSON text, byte for byte. */
  detail: string;
  prevHash: string;
}

export interface AuditChainRow extends AuditRowFields {
  hash: string;
}

export function auditRowHash(r: AuditRowFields): string {
  const text = JSON.stringify([AUDIT_ROW_FORMAT, r.id, r.at, r.actor, r.action, r.subject, r.detail, r.prevHash]);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

/** A signed head, as stored in `audit_heads` and sent as the `audit.head` payload. */
export const AuditHead = z.strictObject({
  consoleId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'console id must be 1–64 letters, digits, "_" or "-"'),
  lastId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  hash: Hex64,
  at: z.iso.datetime(),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'signature must be 86 base64url characters'),
});
export type AuditHead = z.infer<typeof AuditHead>;

export function auditHeadText(h: Omit<AuditHead, 'signature'>): string {
  return `${AUDIT_HEAD_PREFIX}:${h.consoleId}:${h.lastId}:${h.hash}:${h.at}`;
}

export function signAuditHead(privateKey: KeyObject, h: Omit<AuditHead, 'signature'>): AuditHead {
  const signature = sign(null, Buffer.from(auditHeadText(h), 'utf8'), privateKey).toString('base64url');
  return AuditHead.parse({ ...h, signature });
}

/** True when `head` is well formed and its signature verifies with `publicKey`; never throws. */
export function verifyAuditHeadSignature(publicKey: KeyObject | string, head: unknown): boolean {
  const parsed = AuditHead.safeParse(head);
  if (!parsed.success) return false;
  const key = typeof publicKey === 'string' ? importConsolePublicKey(publicKey) : publicKey;
  if (key === null) return false;
  try {
    return verify(null, Buffer.from(auditHeadText(parsed.data), 'utf8'), key, Buffer.from(parsed.data.signature, 'base64url'));
  } catch {
    return false;
  }
}

export type AuditBreakKind =
  /** The row's fields do not give its stored hash: the row was edited. */
  | 'hash_mismatch'
  /** A link is broken: the row named was edited and its hash recomputed (the next row still links to the old hash), or its own prev_hash was edited. */
  | 'prev_mismatch'
  /** Rows are missing before this one (deleted). */
  | 'missing'
  /** The row links to a row that comes after it: rows were swapped or moved. */
  | 'reordered'
  /** This row and the ones up to the next link are not part of the chain: inserted. */
  | 'inserted'
  /** A signed head names a row past the end of the log: the tail was deleted. */
  | 'truncated'
  /** A signed head's hash is not the hash of the row it names: the chain was rewritten up to there. */
  | 'head_mismatch'
  /** A signed head's signature does not verify with the console's key: the head was forged. */
  | 'bad_signature'
  /** An anchor row's digest of case_events / face_checks no longer matches those tables: they were edited. */
  | 'anchor_mismatch';

export interface AuditBreak {
  /** The first id at which the stored log differs from the one that was written. */
  id: number;
  kind: AuditBreakKind;
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Rows read before the first break (all of them when intact). */
  rows: number;
  lastId: number | null;
  lastHash: string | null;
  /** Signed heads checked (all of them when intact). */
  heads: number;
  /** The newest signed head, when there is one. */
  latestHead: AuditHead | null;
  /** Whether the heads' signatures were checked (a public key was given). */
  signaturesChecked: boolean;
  /** The hub's latest head the log was also checked against (`hubHead`), null when none was given. */
  hubHead: AuditHubHead | null;
  firstBroken: AuditBreak | null;
}

/**
 * The latest head the hub accepted from this console (`hall hub audit-head`): it pins row `lastId` to
 * `hash` like a signed head does, but comes from outside the console, so a log whose tail and
 * `audit_heads` rows were both deleted still shows as `truncated` (or `head_mismatch` when rewritten).
 * Its signature was checked by the hub when it arrived; it is not checked again here.
 */
export const AuditHubHead = z.object({
  lastId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  hash: Hex64,
  at: z.iso.datetime().nullable().optional(),
});
export type AuditHubHead = z.infer<typeof AuditHubHead>;

export interface VerifyAuditOptions {
  /** The hub's latest head of this console, checked as one more head (no signature). */
  hubHead?: AuditHubHead | null;
  /** Every signed head, in any order (normally all rows of `audit_heads`). */
  heads?: readonly AuditHead[];
  /** The console's public key (KeyObject or base64url raw key): heads' signatures are checked with it. */
  publicKey?: KeyObject | string | null;
  /** The id of a row whose stored hash is `hash`, or null; only called at a broken link (classifies it). */
  locate?: (hash: string) => number | null;
  /** Checks a row whose hash verified against what it vouches for (anchors); returns what is wrong, or null. */
  checkRow?: (row: AuditChainRow) => string | null;
}

/**
 * Walks `rows` (in id order) and stops at the first broken link. Heads are checked as the walk passes
 * their lastId; a head past the last row means the tail was deleted.
 */
export function verifyAuditChain(rows: Iterable<AuditChainRow>, options: VerifyAuditOptions = {}): AuditVerification {
  const signed = [...(options.heads ?? [])].sort((a, b) => a.lastId - b.lastId);
  const hubHead = options.hubHead ?? null;
  /** Every head the walk checks, in lastId order: the signed ones and the hub's. */
  const heads: { lastId: number; hash: string; what: string; signed: boolean }[] = signed.map((h) => ({ lastId: h.lastId, hash: h.hash, what: `the head signed at ${h.at}`, signed: true }));
  if (hubHead !== null) {
    const i = heads.findIndex((h) => h.lastId > hubHead.lastId);
    heads.splice(i === -1 ? heads.length : i, 0, { lastId: hubHead.lastId, hash: hubHead.hash, what: `the hub's latest head${hubHead.at ? ` (signed at ${hubHead.at})` : ''}`, signed: false });
  }
  const key = options.publicKey === undefined || options.publicKey === null ? null : typeof options.publicKey === 'string' ? importConsolePublicKey(options.publicKey) : options.publicKey;
  const latestHead = options.heads && options.heads.length > 0 ? options.heads.at(-1)! : null;
  const result: AuditVerification = { ok: true, rows: 0, lastId: null, lastHash: null, heads: 0, latestHead, signaturesChecked: key !== null, hubHead, firstBroken: null };
  const broken = (b: AuditBreak): AuditVerification => ({ ...result, ok: false, firstBroken: b });

  if (options.publicKey !== undefined && options.publicKey !== null && key === null) {
    return broken({ id: heads[0]?.lastId ?? 1, kind: 'bad_signature', message: 'the public key given is not an Ed25519 public key' });
  }
  for (const h of signed) {
    if (key !== null && !verifyAuditHeadSignature(key, h)) {
      return broken({ id: h.lastId, kind: 'bad_signature', message: `the head signed at ${h.at} for row ${h.lastId} does not verify with console ${h.consoleId}'s key: forged` });
    }
  }

  let h = 0;
  let prev: AuditChainRow | null = null;
  for (const r of rows) {
    const expectedId = prev === null ? 1 : prev.id + 1;
    const expectedPrev = prev === null ? AUDIT_GENESIS : prev.hash;
    if (r.prevHash !== expectedPrev) {
      // Genesis counts as "row 0": a row past the first that starts the chain follows inserted rows.
      const linked = r.prevHash === AUDIT_GENESIS ? 0 : (options.locate?.(r.prevHash) ?? null);
      if (linked !== null && linked >= r.id) {
        return broken({ id: r.id, kind: 'reordered', message: `row ${r.id} links to row ${linked}, which comes after it: rows were swapped or moved` });
      }
      if (linked !== null && prev !== null && linked < prev.id) {
        return broken({ id: linked + 1, kind: 'inserted', message: `row ${r.id} links to row ${linked}: row${linked + 1 === prev.id ? ` ${prev.id} was` : `s ${linked + 1}–${prev.id} were`} inserted` });
      }
      if (r.id > expectedId) {
        return broken({ id: expectedId, kind: 'missing', message: `row${r.id - 1 === expectedId ? ` ${expectedId} is` : `s ${expectedId}–${r.id - 1} are`} missing (deleted) before row ${r.id}` });
      }
      if (prev !== null && auditRowHash(r) === r.hash) {
        // This row is as written (its hash covers the prev_hash it holds): the row before it is not.
        return broken({ id: prev.id, kind: 'prev_mismatch', message: `row ${prev.id} was changed and its hash recomputed: row ${r.id} links to another hash` });
      }
      return broken({
        id: r.id,
        kind: 'prev_mismatch',
        message: prev === null ? `row ${r.id} is the first row but does not start the chain` : `row ${r.id}'s prev_hash is not row ${prev.id}'s hash: this link was changed`,
      });
    }
    if (r.id !== expectedId) {
      return broken(
        r.id > expectedId
          ? { id: expectedId, kind: 'missing', message: `row${r.id - 1 === expectedId ? ` ${expectedId} is` : `s ${expectedId}–${r.id - 1} are`} missing before row ${r.id}` }
          : { id: r.id, kind: 'reordered', message: `row ${r.id} comes after row ${prev?.id ?? 0}` },
      );
    }
    if (auditRowHash(r) !== r.hash) {
      return broken({ id: r.id, kind: 'hash_mismatch', message: `row ${r.id}'s fields do not give its stored hash: the row was edited` });
    }
    const problem = options.checkRow?.(r) ?? null;
    if (problem !== null) return broken({ id: r.id, kind: 'anchor_mismatch', message: `row ${r.id}: ${problem}` });
    while (h < heads.length && heads[h]!.lastId <= r.id) {
      const head = heads[h]!;
      if (head.lastId === r.id && head.hash !== r.hash) {
        return broken({ id: r.id, kind: 'head_mismatch', message: `${head.what} names row ${r.id} with another hash: the chain was rewritten up to row ${r.id}` });
      }
      h += 1;
      if (head.signed) result.heads += 1;
    }
    prev = r;
    result.rows += 1;
    result.lastId = r.id;
    result.lastHash = r.hash;
  }
  if (h < heads.length) {
    const head = heads.at(-1)!;
    const first = (prev?.id ?? 0) + 1;
    return broken({
      id: first,
      kind: 'truncated',
      message: `${head.what} names row ${head.lastId} but the log ends at ${prev === null ? 'no row' : `row ${prev.id}`}: row${first === head.lastId ? ` ${first} was` : `s ${first}–${head.lastId} (at least) were`} deleted`,
    });
  }
  return result;
}

/** Format of the anchor rows' digests (docs/security.md "Audit chain", anchors). */
export const AUDIT_ANCHOR_FORMAT = 'HALLANCHOR1';

/**
 * SHA-256 (hex) over rows of an append-only table: the UTF-8 lines
 * `JSON.stringify(["HALLANCHOR1", table, columns])` then `JSON.stringify(row values in column order)`
 * for each row in rowid order (BLOBs as base64).
 */
export function anchorDigest(table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>): { sha256: string; count: number } {
  const h = createHash('sha256');
  h.update(`${JSON.stringify([AUDIT_ANCHOR_FORMAT, table, columns])}\n`, 'utf8');
  let count = 0;
  for (const row of rows) {
    h.update(`${JSON.stringify(row.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'bigint' ? v.toString() : v)))}\n`, 'utf8');
    count += 1;
  }
  return { sha256: h.digest('hex'), count };
}
