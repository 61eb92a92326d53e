/**
 * Enrollment with a one-time code (docs/security.md "Enrollment"), the part both store adapters share:
 * types, row decoding and the decision a consume takes. The adapters only read and write rows.
 *
 * One pending enrollment per console id (a new code replaces the old one). The code itself is never
 * stored: `codeHash` is what sync/hub/enrollment.ts makes of it (scrypt with a salt). A consume reads
 * the row under a write lock, checks the code with the caller's `check`, and in the same transaction
 * either marks the code used and registers the console's public key, or counts a failed attempt.
 */
import { z } from 'zod';
import { checkConsoleId } from './plan';
import { decode } from './rows';
import { HubStoreError, type ConsoleRecord } from './types';

/** What an enrolled machine is: a counter's console, a self-service kiosk, or a supervisor's desk. */
export const CONSOLE_ROLES = ['clerk', 'kiosk', 'supervisor'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

export interface EnrollmentInput {
  consoleId: string;
  role: ConsoleRole;
  /** The counter (窗口号) the console serves; null for kiosks and desks without one. */
  counter: number | null;
  /** The hall's name as the console shows it; null = keep the console's own. */
  hall: string | null;
  /**
   * The hall id that scopes the console's buckets (docs/sync.md "Halls"): set on the console when the
   * code is used; null/absent = leave the console's hall as it is.
   */
  hallId?: string | null;
  /** sync/hub/enrollment.ts hashCode(code). */
  codeHash: string;
  /** ISO time. */
  expiresAt: string;
}

export interface EnrollmentRecord {
  consoleId: string;
  role: ConsoleRole;
  counter: number | null;
  hall: string | null;
  hallId: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  /** Failed attempts so far. */
  attempts: number;
}

export type EnrollmentRefusal = 'no_enrollment' | 'expired' | 'used' | 'locked' | 'wrong_code' | 'console_revoked';

export type EnrollmentOutcome =
  | { ok: true; enrollment: EnrollmentRecord; console: ConsoleRecord }
  | { ok: false; reason: EnrollmentRefusal; attemptsLeft: number };

export interface ConsumeEnrollmentInput {
  consoleId: string;
  publicKey: string;
  /** True when the offered code matches the stored hash (runs inside the transaction). */
  check: (codeHash: string) => boolean;
  /** Failed attempts after which the code is dead (default 5). */
  maxAttempts?: number;
  /** ISO time of the request (default the store's clock). */
  now?: string;
}

export const DEFAULT_MAX_ENROLL_ATTEMPTS = 5;

const int = z.union([z.number(), z.string(), z.bigint()]).transform((v) => Number(v)).pipe(z.number().int().nonnegative());
const time = z.union([z.string(), z.date()]).transform((v) => (typeof v === 'string' ? v : v.toISOString()));

const EnrollmentRow = z.object({
  console_id: z.string(),
  role: z.enum(CONSOLE_ROLES),
  counter: z.union([int, z.null()]),
  hall: z.string().nullable(),
  hall_id: z.string().nullable(),
  code_hash: z.string(),
  created_at: time,
  expires_at: time,
  used_at: z.union([time, z.null()]),
  attempts: int,
});

export function toEnrollment(row: unknown): EnrollmentRecord & { codeHash: string } {
  const r = decode(EnrollmentRow, row, 'hub_enrollments');
  return { consoleId: r.console_id, role: r.role, counter: r.counter, hall: r.hall, hallId: r.hall_id, codeHash: r.code_hash, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at, attempts: r.attempts };
}

export function publicEnrollment(e: EnrollmentRecord & { codeHash?: string }): EnrollmentRecord {
  return { consoleId: e.consoleId, role: e.role, counter: e.counter, hall: e.hall, hallId: e.hallId, createdAt: e.createdAt, expiresAt: e.expiresAt, usedAt: e.usedAt, attempts: e.attempts };
}

const Input = z
  .object({
    consoleId: z.string(),
    role: z.enum(CONSOLE_ROLES),
    counter: z.number().int().min(1).max(999).nullable(),
    hall: z.string().min(1).max(60).regex(/^[^\u0000-\u001f\u007f]+$/).nullable(),
    hallId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a hall id is 1–64 letters, digits, "_" or "-"').nullable().optional(),
    codeHash: z.string().min(16).max(512),
    expiresAt: z.iso.datetime(),
  })
  .strict();

/** Checks an enrollment before it is written (HubStoreError 'bad_enrollment'); hallId comes back null when absent. */
export function checkEnrollmentInput(input: EnrollmentInput): EnrollmentInput & { hallId: string | null } {
  checkConsoleId(input.consoleId);
  const parsed = Input.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HubStoreError('bad_enrollment', `enrollment ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`);
  }
  return { ...parsed.data, hallId: parsed.data.hallId ?? null };
}

export type ConsumeDecision = { kind: 'consume' } | { kind: 'refuse'; reason: EnrollmentRefusal; countAttempt: boolean; attemptsLeft: number };

/** What a consume does with the row it read (null: no enrollment for this console). */
export function decideConsume(row: (EnrollmentRecord & { codeHash: string }) | null, consoleStatus: string | undefined, input: ConsumeEnrollmentInput, nowIso: string): ConsumeDecision {
  const max = input.maxAttempts ?? DEFAULT_MAX_ENROLL_ATTEMPTS;
  if (row === null) return { kind: 'refuse', reason: 'no_enrollment', countAttempt: false, attemptsLeft: 0 };
  const left = Math.max(0, max - row.attempts);
  if (row.usedAt !== null) return { kind: 'refuse', reason: 'used', countAttempt: false, attemptsLeft: 0 };
  if (left === 0) return { kind: 'refuse', reason: 'locked', countAttempt: false, attemptsLeft: 0 };
  if (Date.parse(row.expiresAt) <= Date.parse(nowIso)) return { kind: 'refuse', reason: 'expired', countAttempt: false, attemptsLeft: left };
  let matches = false;
  try {
    matches = input.check(row.codeHash);
  } catch {
    matches = false;
  }
  if (!matches) return { kind: 'refuse', reason: left - 1 === 0 ? 'locked' : 'wrong_code', countAttempt: true, attemptsLeft: left - 1 };
  if (consoleStatus === 'revoked') return { kind: 'refuse', reason: 'console_revoked', countAttempt: false, attemptsLeft: left };
  return { kind: 'consume' };
}
