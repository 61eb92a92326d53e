/** 叫号 at the counter: tickets issued (as the kiosk would), F1 calls by priority, F2 recalls, serve, finish, F3 skips. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { login, screenshotPath, startE2e, type E2eEnv } from './harness';

let env: E2eEnv;
beforeAll(async () => {
  env = await startE2e();
});
afterAll(async () => {
  await env?.close();
});

describe('calling tickets at the counter', () => {
  it('calls, recalls, serves, finishes and skips with the keyboard', async () => {
    env.app.queue.issue({ groupCode: 'A', priority: null });
    env.app.queue.issue({ groupCode: 'C', priority: null }); // not served at counter 3
    env.app.queue.issue({ groupCode: 'B', priority: 'elderly' });
    const page = await env.newPage();
    await login(page, env.host.consoleUrl, 'clerk03', DEMO_PASSWORD, '3号窗口 · 综合受理（A区）');
    await page.getByTestId('counter-workspace').waitFor();
    await expect.poll(() => page.getByTestId('queue-waiting').textContent()).toContain('2');

    await page.keyboard.press('F1');
    await expect.poll(() => page.getByTestId('current-ticket-number').textContent()).toBe('B001'); // 老年人 first
    await page.keyboard.press('F2');
    await expect.poll(() => page.getByTestId('current-ticket').textContent()).toContain('重呼 1 次');
    await page.getByTestId('queue-serve').click();
    await expect.poll(() => page.getByTestId('current-ticket-state').textContent()).toBe('办理中');
    await page.screenshot({ path: screenshotPath('workspace-queue'), fullPage: true });
    await page.keyboard.press('F1');
    await page.getByText('请先办结或过号当前号票 B001').waitFor();
    await page.getByTestId('queue-finish').click();
    await page.keyboard.press('F1');
    await expect.poll(() => page.getByTestId('current-ticket-number').textContent()).toBe('A001');
    await page.keyboard.press('F3');
    await page.getByText('暂无办理中的号票，按 F1 叫号').waitFor();
    await page.keyboard.press('F1');
    await page.getByText('当前没有等候的号票').waitFor();

    // Another counter's clerk sees the queue change live (queue.changed event).
    env.app.queue.issue({ groupCode: 'A', priority: null });
    await expect.poll(() => page.getByTestId('queue-waiting').textContent()).toContain('1');
  });

  it('takes a ticket at the kiosk that the counter then calls', async () => {
    const kiosk = await env.newPage({ width: 1920, height: 1080 });
    await login(kiosk, env.host.consoleUrl, 'kiosk01', DEMO_PASSWORD);
    await kiosk.getByTestId('kiosk').waitFor();
    await kiosk.getByTestId('kiosk-group-A').click();
    const number = await kiosk.getByTestId('kiosk-ticket-number').textContent();
    expect(number).toMatch(/^A\d{3}$/);
    await kiosk.screenshot({ path: screenshotPath('kiosk-ticket') });

    const clerk = await env.newPage();
    await login(clerk, env.host.consoleUrl, 'clerk05', DEMO_PASSWORD, '5号窗口 · 社保医保（B区）');
    await clerk.getByTestId('counter-workspace').waitFor();
    // Counter 5 serves group C only: it calls the C ticket left from the first test, never the kiosk's A ticket.
    await clerk.keyboard.press('F1');
    await expect.poll(() => clerk.getByTestId('current-ticket-number').textContent()).toBe('C001');
    await clerk.getByTestId('queue-serve').click();
    await clerk.getByTestId('queue-finish').click();
    await clerk.keyboard.press('F1');
    await clerk.getByText('当前没有等候的号票').waitFor();
    await kiosk.getByRole('button', { name: /完\s*成/ }).click();
    await kiosk.getByTestId('kiosk-group-C').click();
    const c = await kiosk.getByTestId('kiosk-ticket-number').textContent();
    await clerk.keyboard.press('F1');
    await expect.poll(() => clerk.getByTestId('current-ticket-number').textContent()).toBe(c);
  });
});
