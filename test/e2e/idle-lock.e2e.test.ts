/**
 * Idle lock end to end (docs/security.md "Idle lock"): the clerk's window is idle past a tiny
 * `security.idleLockMinutes` (set through the store, as a technician would); main locks the session
 * and tells the window; the lock screen covers the counter workspace, which stays mounted (text typed
 * in the scan field is still there after unlocking); a wrong password is refused and counted; the
 * right one unlocks. The lock and the unlock are in the audit chain.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { IDLE_LOCK_SETTING, IdleLockMinutesSetting } from '../../main/services/idle-lock';
import { login, screenshotPath, startE2e, type E2eEnv } from './harness';

vi.setConfig({ testTimeout: 120_000 });
let env: E2eEnv;

beforeAll(async () => {
  env = await startE2e();
});
afterAll(async () => {
  await env?.close();
});

describe('idle lock', () => {
  it('locks an idle clerk window over the workspace and unlocks it with the password, the screen as it was', async () => {
    const page = await env.newPage();
    await login(page, env.host.consoleUrl, 'clerk03', DEMO_PASSWORD, '3号窗口 · 综合受理（A区）');
    await page.getByTestId('counter-workspace').waitFor();
    await page.getByTestId('scan-field').fill('手工输入的号票 A017');

    // 3 seconds of idleness locks the window (main's sweep runs every second).
    env.app.store.settings.set(IDLE_LOCK_SETTING, IdleLockMinutesSetting, 0.05);
    const started = Date.now();
    await page.getByTestId('lock-screen').waitFor({ timeout: 15_000 });
    const lockedAfterMs = Date.now() - started;
    expect(lockedAfterMs).toBeLessThan(10_000);
    await expect(page.getByText('工作台已锁定').first().isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('lock-user').textContent()).resolves.toContain('张*明');
    // Covered, not unmounted: the workspace is still in the page, under the opaque lock screen.
    await expect(page.getByTestId('counter-workspace').count()).resolves.toBe(1);
    await page.screenshot({ path: screenshotPath('idle-lock'), fullPage: true });
    expect(env.app.store.audit.forSubject('counter-03').map((a) => a.action)).toContain('session.idle_locked');

    // Wrong password: refused, counted toward lockout, still locked.
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: /解\s*锁/ }).click();
    await expect(page.getByTestId('lock-error').textContent()).resolves.toContain('用户名或密码错误');
    expect(env.app.store.users.getByUserName('clerk03')?.failedAttempts).toBe(1);
    await page.screenshot({ path: screenshotPath('idle-lock-wrong-password'), fullPage: true, animations: 'disabled' });

    // Back to a normal limit before unlocking, so the window does not lock again mid-test.
    env.app.store.settings.set(IDLE_LOCK_SETTING, IdleLockMinutesSetting, 10);
    await page.getByLabel('密码').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: /解\s*锁/ }).click();
    await page.getByTestId('lock-screen').waitFor({ state: 'detached' });
    await expect(page.getByTestId('scan-field').inputValue()).resolves.toBe('手工输入的号票 A017');
    await expect(page.getByTestId('status-user').textContent()).resolves.toBe('张*明');
    expect(env.app.store.users.getByUserName('clerk03')?.failedAttempts).toBe(0);
    expect(env.app.store.audit.forSubject('counter-03').map((a) => a.action)).toContain('session.unlocked');
    await page.screenshot({ path: screenshotPath('idle-lock-unlocked'), fullPage: true });
    console.log(`idle lock e2e: locked ${lockedAfterMs} ms after the 3 s limit was set`);
  });
});
