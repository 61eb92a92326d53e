/**
 * 注册本机 through the whole stack, browser mode: a real hub issues a one-time code (its store's
 * createEnrollment, as `hall hub enroll-code` does); the technician types hub address, console id and
 * code; a wrong code is refused with the tries left; the right one enrolls the console and the hub
 * has its public key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { formatEnrollmentCode, generateEnrollmentCode, hashEnrollmentCode } from '../../sync/enrollment';
import { startHubServer, type RunningHubServer } from '../../sync/hub/server';
import { SqliteHubStore } from '../../sync/hub/store/sqlite';
import { login, screenshotPath, startE2e, type E2eEnv } from './harness';

let env: E2eEnv;
let hub: RunningHubServer;
let store: SqliteHubStore;
let code: string;

beforeAll(async () => {
  store = await SqliteHubStore.open({ file: ':memory:' });
  hub = await startHubServer({ store, port: 0, heartbeatMs: 0 });
  const raw = generateEnrollmentCode();
  code = formatEnrollmentCode(raw);
  await store.createEnrollment({ consoleId: 'C07', role: 'clerk', counter: 7, hall: '示例市民中心', codeHash: hashEnrollmentCode(raw), expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  env = await startE2e();
});
afterAll(async () => {
  await env?.close();
  await hub?.close();
});

const SLOW = { timeout: 15_000, interval: 200 };

describe('注册本机 (technician)', () => {
  it('refuses a wrong code with the tries left, then enrolls with the right one', async () => {
    const page = await env.newPage({ width: 1366, height: 1400 });
    await login(page, env.host.consoleUrl, 'tech01', DEMO_PASSWORD);
    const card = page.getByTestId('enrollment-card');
    await card.waitFor();
    await card.scrollIntoViewIfNeeded();
    await expect.poll(() => card.textContent(), SLOW).toContain('未注册');

    await page.getByTestId('enrollment-hub').fill(hub.url);
    await page.getByTestId('enrollment-id').fill('C07');
    await page.getByTestId('enrollment-code').fill('ZZZZZ-ZZZZZ');
    await page.getByTestId('enrollment-submit').click();
    await expect.poll(() => page.getByTestId('enrollment-message').textContent(), SLOW).toContain('注册码不正确，还可尝试 4 次');

    await page.getByTestId('enrollment-code').fill(code);
    await page.getByTestId('enrollment-submit').click();
    await expect.poll(() => page.getByTestId('enrollment-message').textContent(), SLOW).toContain('已注册为 C07，重启工作台后开始与中心同步');
    expect(await page.getByTestId('enrollment-console-id').textContent()).toBe('C07');
    expect(await card.textContent()).toContain('窗口工作台');
    await card.screenshot({ path: screenshotPath('enrollment-done') });

    const registered = await store.getConsole('C07');
    expect(registered?.status).toBe('active');
    expect(await card.textContent()).toContain(registered!.publicKey);
  });
});
