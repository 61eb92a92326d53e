/**
 * A real console (tempConsoleApp: every service, the real dispatcher and handlers, emulated devices)
 * with one logged-in channel per role, plus a channel with no session. The demo seed has no admin:
 * a synthetic admin account is added here. Synthetic data only.
 */
import { ROLES, type Role } from '../../preload/contract';
import type { ConsoleApp } from '../../main/app';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { hashPassword } from '../../main/services/password';
import { tempConsoleApp } from './console-app';

/** The channel of each role; `NO_SESSION` never logs in. */
export const ROLE_CHANNELS: Record<Role, string> = {
  clerk: 'walk-clerk',
  kiosk: 'walk-kiosk',
  supervisor: 'walk-supervisor',
  technician: 'walk-technician',
  admin: 'walk-admin',
};
export const NO_SESSION = 'walk-anonymous';

const LOGINS: Record<Role, { userName: string; counterId: string | null }> = {
  clerk: { userName: 'clerk03', counterId: 'counter-03' },
  kiosk: { userName: 'kiosk01', counterId: null },
  supervisor: { userName: 'super01', counterId: null },
  technician: { userName: 'tech01', counterId: null },
  admin: { userName: 'admin-walk', counterId: null },
};

export const caller = (channelId: string) => ({ channelId, trustedSender: true });

/** Every table of the database with its row count (what "nothing was written" is checked against). */
export function tableCounts(app: ConsoleApp): Record<string, number> {
  const tables = app.store.db.sql
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    counts[name] = (app.store.db.sql.prepare(`SELECT COUNT(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n;
  }
  return counts;
}

/** Logs every role in on its own channel (again after a logout, e.g. by a fuzzed `session.logout`). */
export async function loginRole(app: ConsoleApp, role: Role): Promise<void> {
  const { userName, counterId } = LOGINS[role];
  const r = await app.dispatcher.invoke('session.login', { userName, password: DEMO_PASSWORD, counterId }, caller(ROLE_CHANNELS[role]));
  if (!r.ok) throw new Error(`login ${role}: ${r.error.code} ${r.error.message}`);
}

export async function consoleWithEveryRole() {
  const env = await tempConsoleApp();
  env.app.store.users.upsert({
    id: 'user-admin-walk',
    userName: 'admin-walk',
    displayName: '测试管理员',
    role: 'admin',
    counterId: null,
    passwordHash: await hashPassword(DEMO_PASSWORD),
  });
  for (const role of ROLES) await loginRole(env.app, role);
  return env;
}
