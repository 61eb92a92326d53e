/**
 * Idle lock through the composed console (real dispatcher, handlers, store, audit chain) with an
 * injected clock: idle → locked (event to that window only, audited) → refused with `locked` →
 * unlocked with the password → the clerk's intake draft is as it was. Synthetic demo data only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleApp, type ConsoleApp } from '../app';
import { testClock } from '../domain/clock';
import { createMemoryLogger } from '../log';
import { DEMO_PASSWORD } from './demo-seed';
import { IDLE_LOCK_SETTING, IdleLockMinutesSetting } from './idle-lock';
import { TEST_KEY } from '../../test/support/console-app';

const caller = (channelId: string) => ({ channelId, trustedSender: true });
const MIN = 60_000;
let cleanup: (() => Promise<void>) | null = null;

afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

async function consoleWithClock() {
  const dataDir = mkdtempSync(join(tmpdir(), 'hall-idle-'));
  const clock = testClock('2026-11-26T01:00:00Z');
  const app: ConsoleApp = await createConsoleApp({ dataDir, mode: 'browser', emulatedDevices: true, logger: createMemoryLogger(), demo: true, masterKey: TEST_KEY, clock, emulatorTiming: 'instant' });
  cleanup = async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const sent: { event: string; payload: unknown; target: string | null }[] = [];
  app.events.subscribe((event, payload, target) => sent.push({ event, payload, target }));
  return { app, clock, sent };
}

describe('idle lock in the composed console', () => {
  it('locks an idle clerk, refuses calls with `locked`, unlocks with the password and keeps the draft', async () => {
    const { app, clock, sent } = await consoleWithClock();
    const call = (method: string, input: unknown, channel = 'w-clerk') => app.dispatcher.invoke(method, input, caller(channel));
    expect(await call('session.login', { userName: 'clerk03', password: DEMO_PASSWORD, counterId: 'counter-03' })).toMatchObject({ ok: true });
    expect(await call('session.login', { userName: 'super01', password: DEMO_PASSWORD, counterId: null }, 'w-sup')).toMatchObject({ ok: true });
    expect(await call('intake.start', {})).toMatchObject({ ok: true });
    expect(await call('intake.update', { serviceItemCode: 'SB-007', notes: '申请人补交材料后再来' })).toMatchObject({ ok: true });

    // Heartbeats (user input in the window) keep the clerk unlocked; the supervisor's window is idle.
    clock.advance(6 * MIN);
    expect(await call('session.heartbeat', {})).toEqual({ ok: true, value: { idleLockSeconds: 600 } });
    clock.advance(6 * MIN);
    expect(await call('cases.list', {}, 'w-sup')).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(sent.filter((e) => e.event === 'session.ended')).toEqual([{ event: 'session.ended', payload: { reason: 'idle_lock' }, target: 'w-sup' }]);
    expect(await call('intake.current', {})).toMatchObject({ ok: true });

    // The clerk leaves: 10 minutes later the clerk's window locks.
    clock.advance(10 * MIN);
    const refused = await call('intake.current', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await call('intake.update', { notes: '被改' })).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await call('session.heartbeat', {})).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await call('devices.status', {})).toMatchObject({ ok: true });
    expect(await call('session.current', {})).toMatchObject({ ok: true, value: { userName: 'clerk03', locked: true } });
    expect(sent.filter((e) => e.event === 'session.ended').map((e) => e.target)).toEqual(['w-sup', 'w-clerk']);
    const audited = app.store.audit.forSubject('counter-03').map((a) => a.action);
    expect(audited).toContain('session.idle_locked');

    // A wrong password is refused (and counted toward lockout); the right one unlocks the same session.
    expect(await call('session.login', { userName: 'clerk03', password: 'wrong-password', counterId: 'counter-03' })).toMatchObject({ ok: false, error: { code: 'bad_credentials' } });
    expect(app.store.users.getByUserName('clerk03')?.failedAttempts).toBe(1);
    expect(await call('intake.current', {})).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await call('session.login', { userName: 'clerk03', password: DEMO_PASSWORD, counterId: 'counter-03' })).toMatchObject({ ok: true });
    expect(app.store.users.getByUserName('clerk03')?.failedAttempts).toBe(0);
    expect(app.store.audit.forSubject('counter-03').map((a) => a.action)).toContain('session.unlocked');
    const draft = await call('intake.current', {});
    expect(draft).toMatchObject({ ok: true, value: { serviceItemCode: 'SB-007', notes: '申请人补交材料后再来' } });
    expect(await call('session.current', {})).toMatchObject({ ok: true, value: { userName: 'clerk03' } });
    expect(((await call('session.current', {})) as { value: { locked?: boolean } }).value.locked).toBeUndefined();
    expect(app.store.audit.verify().ok).toBe(true);
  });

  it('follows the zod-checked setting: a shorter limit applies at once, kiosks never lock', async () => {
    const { app, clock } = await consoleWithClock();
    const call = (method: string, input: unknown, channel: string) => app.dispatcher.invoke(method, input, caller(channel));
    expect(() => app.store.settings.set(IDLE_LOCK_SETTING, IdleLockMinutesSetting, -1)).toThrow();
    app.store.settings.set(IDLE_LOCK_SETTING, IdleLockMinutesSetting, 1);
    await call('session.login', { userName: 'tech01', password: DEMO_PASSWORD, counterId: null }, 'w-tech');
    await call('session.login', { userName: 'kiosk01', password: DEMO_PASSWORD, counterId: null }, 'w-kiosk');
    await call('session.login', { userName: 'pad03', password: DEMO_PASSWORD, counterId: null }, 'w-pad');
    clock.advance(24 * 60 * MIN);
    expect(await call('queue.groups', {}, 'w-kiosk')).toMatchObject({ ok: true });
    expect(await call('ratings.pending', {}, 'w-pad')).toMatchObject({ ok: true });
    expect(await call('session.heartbeat', {}, 'w-kiosk')).toEqual({ ok: true, value: { idleLockSeconds: null } });
    expect(await call('updates.status', {}, 'w-tech')).toMatchObject({ ok: false, error: { code: 'locked' } });
  });
});

describe('the dispatcher enforces the lock before any parser or handler runs', () => {
  it('refuses a locked session with `locked` whatever the input, and leaves passive calls through', async () => {
    const { createDispatcher } = await import('../ipc/dispatcher');
    const called: string[] = [];
    const handlers = new Proxy({}, { get: (_t, name) => () => (called.push(String(name)), []) }) as never;
    const clerk = { userId: 'u1', userName: 'clerk03', displayNameMasked: '张*明', role: 'clerk' as const, counter: null, startedAt: '2026-11-26T01:00:00.000Z' };
    let locked = true;
    const dispatcher = createDispatcher({
      handlers,
      logger: createMemoryLogger(),
      sessions: { get: () => clerk, admit: (_c, method) => (locked && method !== 'devices.status' ? 'locked' : 'ok') },
    });
    for (const input of [{}, { notes: 'x'.repeat(5000) }, null, 42]) {
      expect(await dispatcher.invoke('intake.update', input, caller('w'))).toMatchObject({ ok: false, error: { code: 'locked' } });
    }
    expect(called).toEqual([]);
    expect(await dispatcher.invoke('devices.status', {}, caller('w'))).toMatchObject({ ok: true });
    // A role the method does not allow is still `forbidden` first (it learns nothing about the lock).
    expect(await dispatcher.invoke('updates.install', {}, caller('w'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    locked = false;
    expect(await dispatcher.invoke('cases.list', {}, caller('w'))).not.toMatchObject({ error: { code: 'locked' } });
    expect(called).toEqual(['devices.status', 'cases.list']);
  });
});
