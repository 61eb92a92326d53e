import { z } from 'zod';
import type { Clock, HallDatabase } from '../database';
import { ROLES, type Role } from '../enums';
import { NotFoundError } from '../errors';
import { fieldContext, type FieldCipher } from '../field-cipher';
import { blob, parseRow } from './rows';

export interface User {
  id: string;
  userName: string;
  /** Decrypted; personal data: never log it. */
  displayName: string;
  role: Role;
  counterId: string | null;
  /** scrypt string as distributed by the hub. */
  passwordHash: string;
  failedAttempts: number;
  lockedUntil: string | null;
  updatedAt: string;
}

/** What the hub distributes; lockout state is local and kept on update. */
export type UserInput = Omit<User, 'failedAttempts' | 'lockedUntil' | 'updatedAt'>;

const Row = z.object({
  id: z.string(),
  user_name: z.string(),
  display_name_enc: blob,
  role: z.enum(ROLES),
  counter_id: z.string().nullable(),
  password_hash: z.string(),
  failed_attempts: z.number().int(),
  locked_until: z.string().nullable(),
  updated_at: z.string(),
});

const DISPLAY_NAME = 'users.display_name';

export class UserRepository {
  constructor(
    private readonly db: HallDatabase,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
  ) {}

  get(id: string): User | null {
    return this.toUser(this.db.prepare('SELECT * FROM users WHERE id = ?').get(id));
  }

  getByUserName(userName: string): User | null {
    return this.toUser(this.db.prepare('SELECT * FROM users WHERE user_name = ?').get(userName));
  }

  upsert(input: UserInput): User {
    const now = this.clock().toISOString();
    this.db
      .prepare(
        `INSERT INTO users (id, user_name, display_name_enc, role, counter_id, password_hash, updated_at)
         VALUES (@id, @userName, @nameEnc, @role, @counterId, @passwordHash, @now)
         ON CONFLICT (id) DO UPDATE SET user_name = excluded.user_name, display_name_enc = excluded.display_name_enc,
           role = excluded.role, counter_id = excluded.counter_id, password_hash = excluded.password_hash,
           updated_at = excluded.updated_at`,
      )
      .run({
        id: input.id,
        userName: input.userName,
        nameEnc: this.cipher.encrypt(input.displayName, fieldContext(DISPLAY_NAME, input.id)),
        role: input.role,
        counterId: input.counterId,
        passwordHash: input.passwordHash,
        now,
      });
    return this.mustGet(input.id);
  }

  /**
   * Stores the lockout state after a failed login, as the auth service computed it with the
   * domain rule (main/domain/lockout.ts). Returns the user after the update.
   */
  recordFailedLogin(userId: string, state: { failedAttempts: number; lockedUntil: string | null }): User {
    const info = this.db
      .prepare('UPDATE users SET failed_attempts = ?, locked_until = ?, updated_at = ? WHERE id = ?')
      .run(state.failedAttempts, state.lockedUntil, this.clock().toISOString(), userId);
    if (info.changes === 0) throw new NotFoundError('user', userId);
    return this.mustGet(userId);
  }

  resetFailedLogins(userId: string): void {
    const info = this.db
      .prepare('UPDATE users SET failed_attempts = 0, locked_until = NULL, updated_at = ? WHERE id = ?')
      .run(this.clock().toISOString(), userId);
    if (info.changes === 0) throw new NotFoundError('user', userId);
  }

  private mustGet(id: string): User {
    const user = this.get(id);
    if (user === null) throw new NotFoundError('user', id);
    return user;
  }

  private toUser(raw: unknown): User | null {
    if (raw === undefined) return null;
    const row = parseRow(Row, raw, 'users');
    return {
      id: row.id,
      userName: row.user_name,
      displayName: this.cipher.decrypt(row.display_name_enc, fieldContext(DISPLAY_NAME, row.id)),
      role: row.role,
      counterId: row.counter_id,
      passwordHash: row.password_hash,
      failedAttempts: row.failed_attempts,
      lockedUntil: row.locked_until,
      updatedAt: row.updated_at,
    };
  }
}
