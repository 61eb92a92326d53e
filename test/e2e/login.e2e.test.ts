import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { screenshotPath, startE2e, type E2eEnv } from './harness';

let env: E2eEnv;

beforeAll(async () => {
  env = await startE2e();
});
afterAll(async () => {
  await env?.close();
});

describe('clerk login → counter workspace (browser mode)', () => {
  it('shows the zh_CN login, refuses a wrong password, then opens the workspace at the chosen counter', async () => {
    const page = await env.newPage();
    await page.goto(env.host.consoleUrl);
    await page.getByText('工作人员登录').waitFor();
    // The launch token leaves the address bar once taken.
    expect(page.url()).not.toContain('token=');
    await expect(page.getByText('浏览器模式').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath('login'), fullPage: true });

    await page.getByLabel('用户名').fill('clerk03');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByLabel('窗口').click();
    await page.getByText('3号窗口 · 综合受理（A区）').click();
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await expect(page.getByTestId('login-error').textContent()).resolves.toContain('用户名或密码错误');

    await page.getByLabel('密码').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByTestId('counter-workspace').waitFor();

    await expect(page.getByTestId('status-counter').textContent()).resolves.toBe('3号窗口');
    await expect(page.getByTestId('status-user').textContent()).resolves.toBe('张*明');
    await expect(page.getByTestId('status-sync').textContent()).resolves.toContain('0 条待传');
    for (const kind of ['idcard', 'camera', 'scanner', 'printer']) {
      await expect(page.getByTestId(`device-${kind}`).getAttribute('data-health')).resolves.toBe('ok');
    }
    // The clear name never reaches the page.
    expect(await page.content()).not.toContain('张小明');
    // Fits a 1366×768 counter screen without horizontal scroll.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    await page.screenshot({ path: screenshotPath('workspace'), fullPage: true });

    await page.getByRole('button', { name: /退\s*出/ }).click();
    await page.getByText('工作人员登录').waitFor();
  });

  it('refuses a clerk who picks no counter', async () => {
    const page = await env.newPage();
    await page.goto(env.host.consoleUrl);
    await page.getByLabel('用户名').fill('clerk05');
    await page.getByLabel('密码').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await expect(page.getByTestId('login-error').textContent()).resolves.toContain('请选择您所在的窗口');
  });

  it('cannot drive the console from a page without the launch token', async () => {
    const page = await env.newPage();
    await page.goto(env.host.origin);
    await expect(page.getByText('缺少启动令牌').isVisible()).resolves.toBe(true);
  });
});
