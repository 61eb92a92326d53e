/**
 * 叫号 at the counter: tickets issued (as the kiosk would), F1 calls by priority, F2 recalls, serve,
 * finish, F3 skips; then, on a fresh hall, F4 转窗 from counter 3 to counter 5, 过号 → 重新排队,
 * F7 挂起/恢复 and F10 暂停/开窗 · Ctrl+F10 关窗.
 */
import type { Page } from 'playwright-core';
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
    await kiosk.getByTestId('kiosk-start-ticket').click(); // start screen: 取号 · 查询办件 · 评价
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
    await kiosk.getByTestId('kiosk-start-ticket').click();
    await kiosk.getByTestId('kiosk-group-C').click();
    const c = await kiosk.getByTestId('kiosk-ticket-number').textContent();
    await clerk.keyboard.press('F1');
    await expect.poll(() => clerk.getByTestId('current-ticket-number').textContent()).toBe(c);
  });
});

/** Nothing wider than the 1366 px counter screen: no horizontal scroll, the queue panel's body included. */
async function horizontalOverflow(page: Page): Promise<{ page: number; panel: number; viewport: number }> {
  return page.evaluate(() => {
    const body = document.querySelector('[data-testid="queue-panel"] .ant-card-body');
    return {
      page: document.documentElement.scrollWidth,
      panel: body ? body.scrollWidth - body.clientWidth : 0,
      viewport: window.innerWidth,
    };
  });
}

/** Wait for the opening animation of a dialog, so the screenshot shows it as the clerk sees it. */
async function settled(page: Page, selector: string): Promise<void> {
  await page.locator(selector).evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
}

describe('转窗, 重新排队, 挂起 and 暂停 at the counter (a fresh hall)', () => {
  let hall: E2eEnv;
  beforeAll(async () => {
    hall = await startE2e();
  });
  afterAll(async () => {
    await hall?.close();
  });

  it('transfers a ticket from counter 3 to counter 5, where it is called first by its original time', async () => {
    const a1 = hall.app.queue.issue({ groupCode: 'A', priority: null });
    hall.app.queue.issue({ groupCode: 'C', priority: null }); // C001, later than A001, served at counter 5
    const clerk3 = await hall.newPage();
    await login(clerk3, hall.host.consoleUrl, 'clerk03', DEMO_PASSWORD, '3号窗口 · 综合受理（A区）');
    await clerk3.getByTestId('counter-workspace').waitFor();
    await clerk3.keyboard.press('F1');
    await expect.poll(() => clerk3.getByTestId('current-ticket-number').textContent()).toBe('A001');
    await clerk3.getByTestId('queue-serve').click();

    await clerk3.keyboard.press('F4');
    await clerk3.getByTestId('transfer-targets').waitFor();
    expect(await clerk3.getByTestId('transfer-to-3').count()).toBe(0); // never its own counter
    expect(await clerk3.getByTestId('transfer-to-5').isEnabled()).toBe(true);
    await settled(clerk3, '.ant-modal');
    await clerk3.screenshot({ path: screenshotPath('queue-transfer-dialog') });
    await clerk3.keyboard.press('5'); // the counter's number picks it (a click does too)
    await clerk3.getByText('A001 已转到 5号窗口，保留原取号时间').waitFor();
    await clerk3.getByText('暂无办理中的号票，按 F1 叫号').waitFor();
    expect(await clerk3.getByTestId('queue-waiting').textContent()).toContain('0'); // counter 3 no longer calls it

    const clerk5 = await hall.newPage();
    await login(clerk5, hall.host.consoleUrl, 'clerk05', DEMO_PASSWORD, '5号窗口 · 社保医保（B区）');
    await clerk5.getByTestId('counter-workspace').waitFor();
    await expect.poll(() => clerk5.getByTestId('queue-next').locator('.ant-list-item').allTextContents()).toEqual([
      expect.stringMatching(/^A001转入/),
      expect.stringMatching(/^C001/),
    ]);
    await clerk5.screenshot({ path: screenshotPath('queue-transferred-in') });
    const overflow = await horizontalOverflow(clerk5);
    expect(overflow.page).toBeLessThanOrEqual(overflow.viewport);
    expect(overflow.panel).toBe(0);
    await clerk5.keyboard.press('F1');
    await expect.poll(() => clerk5.getByTestId('current-ticket-number').textContent()).toBe('A001');
    expect(await clerk5.getByTestId('current-ticket').textContent()).toContain('转入');
    expect(hall.app.store.tickets.get(a1.id)).toMatchObject({ issuedAt: a1.issuedAt, counterId: 'counter-05', targetCounterId: 'counter-05' });
  });

  it('re-queues a skipped ticket once, with its original time; suspends, pauses and closes the counter', async () => {
    hall.app.queue.issue({ groupCode: 'A', priority: null }); // A002
    hall.app.queue.issue({ groupCode: 'A', priority: null }); // A003
    const page = await hall.newPage();
    await login(page, hall.host.consoleUrl, 'clerk03', DEMO_PASSWORD, '3号窗口 · 综合受理（A区）');
    await page.getByTestId('counter-workspace').waitFor();
    await page.keyboard.press('F1');
    await expect.poll(() => page.getByTestId('current-ticket-number').textContent()).toBe('A002');
    await page.keyboard.press('F3');
    await page.getByTestId('requeue-A002').waitFor();
    await page.getByTestId('requeue-A002').click();
    await page.getByText('A002 已重新排队，保留原取号时间').waitFor();
    await expect.poll(() => page.getByTestId('queue-next').locator('.ant-list-item strong').allTextContents()).toEqual(['A002', 'A003']);

    await page.keyboard.press('F1');
    await expect.poll(() => page.getByTestId('current-ticket-number').textContent()).toBe('A002');
    await page.keyboard.press('F3');
    await page.getByTestId('queue-skipped').getByText('已重排过').waitFor();
    await page.keyboard.press('Shift+F3');
    await page.getByText('今天的过号号票都已重新排队过一次，不能再排').waitFor();

    // F7 挂起 while serving, the counter goes on; F10 暂停: no calling until it opens again.
    await page.keyboard.press('F1');
    await expect.poll(() => page.getByTestId('current-ticket-number').textContent()).toBe('A003');
    await page.getByTestId('queue-serve').click();
    await page.keyboard.press('F7');
    await page.getByTestId('resume-A003').waitFor();
    await page.getByText('挂起 1 张，按 F7 恢复').waitFor();
    await page.keyboard.press('F10');
    await expect.poll(() => page.getByTestId('counter-status').textContent()).toBe('暂停服务');
    await page.getByTestId('counter-status-note').waitFor();
    hall.app.queue.issue({ groupCode: 'A', priority: null }); // A004 waits while the counter is paused
    await page.keyboard.press('F1');
    await page.getByText('本窗口已暂停服务，请先开窗（F10）再叫号').waitFor();
    await page.screenshot({ path: screenshotPath('queue-skipped-suspended-paused') });
    const overflow = await horizontalOverflow(page);
    expect(overflow.page).toBeLessThanOrEqual(overflow.viewport);
    expect(overflow.panel).toBe(0);

    await page.keyboard.press('Control+F10');
    await page.getByRole('button', { name: /关\s*窗/ }).last().click();
    await page.getByText('3号窗口还有号票 A003（已挂起），请先办结、过号或转窗后再关窗').waitFor();
    await page.keyboard.press('F10');
    await expect.poll(() => page.getByTestId('counter-status').textContent()).toBe('服务中');
    await page.keyboard.press('F7');
    await expect.poll(() => page.getByTestId('current-ticket-state').textContent()).toBe('办理中');
    await page.getByTestId('queue-finish').click();
    await page.getByTestId('counter-close').click();
    await page.getByRole('button', { name: /关\s*窗/ }).last().click();
    await expect.poll(() => page.getByTestId('counter-status').textContent()).toBe('已关窗');
    expect(hall.app.store.outbox.countPending()).toBeGreaterThan(0);
  });
});
