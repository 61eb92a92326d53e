/**
 * Every contract method × every role (and no session) through the real dispatcher, the real handlers
 * and the real store of a composed console. The method list is the contract's own (METHOD_NAMES), so a
 * new method is walked without touching this file.
 *
 * - a role the method does not declare gets `forbidden` (no session: `unauthenticated`), and nothing
 *   is written: every table's row count is unchanged and the refusal is logged as ipc.forbidden;
 * - a declared role is never refused for its role (an empty input may fail validation or the service's
 *   own rules: that is fine), and never crashes the handler (`internal` / `bad_output`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES, ROLES, methods, type MethodName, type Role } from '../../preload/contract';
import { caller, consoleWithEveryRole, loginRole, NO_SESSION, ROLE_CHANNELS, tableCounts } from '../../test/support/role-channels';

let env: Awaited<ReturnType<typeof consoleWithEveryRole>>;

beforeAll(async () => {
  env = await consoleWithEveryRole();
}, 60_000);

afterAll(async () => {
  await env?.cleanup();
});

const allowed = (method: MethodName, role: Role): boolean => {
  const access = methods[method].access;
  return access === 'public' || access.includes(role);
};

describe('the contract declares who may call each method', () => {
  it.each(METHOD_NAMES)('%s names known roles, at least one', (method) => {
    const access = methods[method].access;
    if (access === 'public') return;
    expect(access.length).toBeGreaterThan(0);
    for (const role of access) expect(ROLES).toContain(role);
  });
});

describe('every method × every role through the real dispatcher and handlers', () => {
  it.each(METHOD_NAMES)('%s', async (method) => {
    const app = env.app;
    const access = methods[method].access;
    const seen: string[] = [];

    // No session at all.
    {
      const before = tableCounts(app);
      const r = await app.dispatcher.invoke(method, {}, caller(NO_SESSION));
      if (access === 'public') {
        if (!r.ok) expect(['unauthenticated', 'forbidden'], `${method} public`).not.toContain(r.error.code);
      } else {
        expect(r, `${method} without a session`).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
        expect(tableCounts(app), `${method} without a session wrote something`).toEqual(before);
      }
      // A public method may log the anonymous channel in only through session.login, which {} cannot pass.
      expect(app.isLoggedIn(NO_SESSION)).toBe(false);
    }

    for (const role of ROLES) {
      const channel = ROLE_CHANNELS[role];
      const forbiddenBefore = env.logger.lines.filter((l) => l.event === 'ipc.forbidden').length;
      const before = tableCounts(app);
      // A plausible input and an empty one: the role check comes first, whatever is sent.
      for (const input of [{}, { id: 'case-x', reason: '核查', field: 'applicant.idNumber' }]) {
        const r = await app.dispatcher.invoke(method, input, caller(channel));
        if (allowed(method, role)) {
          if (!r.ok) {
            expect(['forbidden', 'unauthenticated', 'internal', 'bad_output'], `${method} × ${role}: ${r.error.message}`).not.toContain(r.error.code);
          }
          seen.push(`${role}:${r.ok ? 'ok' : r.error.code}`);
        } else {
          expect(r, `${method} × ${role}`).toMatchObject({ ok: false, error: { code: 'forbidden' } });
        }
        // session.logout (allowed to every session) ends the session: log in again.
        if (!app.isLoggedIn(channel)) await loginRole(app, role);
      }
      if (!allowed(method, role)) {
        expect(tableCounts(app), `${method} × ${role} wrote something`).toEqual(before);
        const refusals = env.logger.lines.filter((l) => l.event === 'ipc.forbidden').slice(forbiddenBefore);
        expect(refusals).toHaveLength(2);
        expect(refusals[0]!.fields).toEqual({ method, role });
      }
    }
    // Every allowed role reached at least the schema or the handler (never a role refusal).
    expect(seen.length).toBe(ROLES.filter((role) => allowed(method, role)).length * 2);
  }, 30_000);
});
