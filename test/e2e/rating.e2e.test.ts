/**
 * 好差评 end to end: counter 3's rating pad (kiosk account pad03) waits idle; the clerk serves and
 * finishes a ticket; the pad asks for the one rating, the applicant taps 不满意 with a reason and a
 * comment; the clerk's screen shows nothing of it; the supervisor's 回访 ledger has the callback with its
 * working-day deadline and closes it with a note. Then the hall kiosk: 查询办件 by number and by the
 * receipt's signed QR (HID POS scanner), 评价 from the result, 呼叫工作人员.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackDeadline } from '../../main/domain/rating';
import { signDocumentQr } from '../../main/security/receipt-signature';
import { loadOrCreateConsoleKey } from '../../main/security/console-keys';
import { keyFileProtector } from '../../main/security/key-protector';
import { loadCalendar } from '../../main/services/calendar';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { businessDate } from '../../main/services/queue';
import { login, screenshotPath, startE2e, type E2eEnv } from './harness';

let env: E2eEnv;
beforeAll(async () => {
  env = await startE2e();
});
afterAll(async () => {
  await env?.close();
});

const COUNTER_3 = 'counter-03';
const CLERK_03 = 'user-clerk03';

async function noHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

describe('ratings at the counter', () => {
  it('the pad rates the finished handling once; 不满意 opens a callback the supervisor closes', async () => {
    const pad = await env.newPage({ width: 1920, height: 1080 });
    await login(pad, env.host.consoleUrl, 'pad03', DEMO_PASSWORD);
    await pad.getByTestId('rating-idle').waitFor();
    expect(await pad.getByTestId('rating-pad-counter').textContent()).toBe('3号窗口');
    await pad.screenshot({ path: screenshotPath('rating-pad-idle') });

    const ticket = env.app.queue.issue({ groupCode: 'A', priority: null });
    const clerk = await env.newPage();
    await login(clerk, env.host.consoleUrl, 'clerk03', DEMO_PASSWORD, '3号窗口 · 综合受理（A区）');
    await clerk.getByTestId('counter-workspace').waitFor();
    await clerk.keyboard.press('F1');
    await expect.poll(() => clerk.getByTestId('current-ticket-number').textContent()).toBe(ticket.number);
    await clerk.getByTestId('queue-serve').click();
    await clerk.getByTestId('queue-finish').click();
    await expect.poll(() => env.app.store.tickets.get(ticket.id)?.state).toBe('done');
    // Queue finish does not ask for the rating by itself yet: open it as the finish will.
    const request = env.app.ratings.request({ counterId: COUNTER_3, ticketId: ticket.id, clerkUserId: CLERK_03 });
    expect(request?.counterId).toBe(COUNTER_3);

    await pad.getByTestId('rating-choose').waitFor();
    await pad.screenshot({ path: screenshotPath('rating-pad-1920') });
    await pad.setViewportSize({ width: 1366, height: 768 });
    expect(await noHorizontalScroll(pad)).toBe(true);
    await pad.screenshot({ path: screenshotPath('rating-pad-1366') });

    await pad.getByTestId('rating-level-2').click();
    await pad.getByTestId('rating-reasons').waitFor();
    await pad.getByTestId('rating-reason-等候时间长').click();
    await pad.getByTestId('rating-comment').fill('等了四十分钟');
    expect(await noHorizontalScroll(pad)).toBe(true);
    await pad.screenshot({ path: screenshotPath('rating-pad-reasons') });
    await pad.getByTestId('rating-submit').click();
    await pad.getByTestId('rating-thanks').waitFor();
    await pad.screenshot({ path: screenshotPath('rating-pad-thanks') });
    await pad.getByTestId('rating-idle').waitFor({ timeout: 15_000 });

    // One rating per handling: asking again for the same ticket opens nothing.
    expect(env.app.ratings.request({ counterId: COUNTER_3, ticketId: ticket.id })).toBeNull();
    // The comment is stored encrypted and sent nowhere in clear.
    expect(JSON.stringify(env.app.store.outbox.pending())).not.toContain('四十分钟');
    // The clerk sees nothing of it.
    const clerkText = await clerk.locator('body').innerText();
    expect(clerkText).not.toMatch(/不满意|等候时间长|四十分钟/);

    const supervisor = await env.newPage();
    await login(supervisor, env.host.consoleUrl, 'super01', DEMO_PASSWORD);
    const ledger = supervisor.getByTestId('callback-ledger');
    await ledger.waitFor();
    const due = callbackDeadline(loadCalendar(env.app.store), businessDate(new Date()), 5);
    await expect.poll(() => ledger.getByTestId('callback-deadline').first().textContent()).toContain(due);
    const row = await ledger.locator('[data-testid^="callback-row-"]').first().innerText();
    expect(row).toContain('3号窗口');
    expect(row).toContain('不满意');
    expect(row).toContain('等候时间长');
    expect(await ledger.innerText()).not.toContain('四十分钟');
    await supervisor.screenshot({ path: screenshotPath('supervisor-callbacks'), fullPage: true });

    await ledger.getByTestId('callback-close').first().click();
    const dialog = supervisor.getByRole('dialog');
    await dialog.getByRole('button', { name: /办\s*结/ }).click();
    await dialog.getByText('请填写回访及整改情况').waitFor(); // the note is required
    await supervisor.getByTestId('callback-note').fill('已电话回访申请人并致歉，高峰期增开窗口');
    await dialog.getByRole('button', { name: /办\s*结/ }).click();
    await ledger.getByText('没有待回访的差评').waitFor();
    await ledger.getByText('已办结', { exact: true }).first().click();
    await ledger.getByText('已电话回访申请人并致歉，高峰期增开窗口').waitFor();
    const callbackId = env.app.store.ratings.listCallbacks('closed')[0]!.id;
    expect(env.app.store.audit.forSubject(callbackId)).toMatchObject([{ actor: 'user-super01', action: 'callback.closed' }]);
  });
});

describe('the hall kiosk', () => {
  const RECEIPT = 'HALL01-20261126-C03-0042';

  it('查询办件 by number and by the receipt QR, 评价 from the result, 呼叫工作人员', async () => {
    const item = env.app.store.catalog.all()[0];
    const kase = env.app.store.cases.create(
      {
        receiptNo: RECEIPT,
        serviceItemCode: item?.code ?? 'DEMO-001',
        state: 'accepted',
        applicant: { name: '测试甲', idNumber: '11010519491231002X' },
        counterId: 'counter-05',
        clerkUserId: 'user-clerk05',
        deadline: '2026-12-10',
      },
      'user-clerk05',
    );
    env.app.ratings.request({ counterId: 'counter-05', caseId: kase.id });

    const supervisor = await env.newPage();
    await login(supervisor, env.host.consoleUrl, 'super01', DEMO_PASSWORD);
    await supervisor.getByTestId('callback-ledger').waitFor();

    const kiosk = await env.newPage({ width: 1920, height: 1080 });
    await login(kiosk, env.host.consoleUrl, 'kiosk01', DEMO_PASSWORD);
    await kiosk.getByTestId('kiosk-start-lookup').waitFor();
    await kiosk.screenshot({ path: screenshotPath('kiosk-start') });

    await kiosk.getByTestId('kiosk-start-lookup').click();
    await kiosk.getByTestId('kiosk-lookup').waitFor();
    await kiosk.screenshot({ path: screenshotPath('kiosk-lookup-input') });
    await kiosk.getByTestId('kiosk-lookup-input').fill('hall01-20261126-c03-0099');
    await kiosk.getByTestId('kiosk-lookup-submit').click();
    await kiosk.getByText('未找到办件 HALL01-20261126-C03-0099，请核对办件编号').waitFor();
    await kiosk.getByTestId('kiosk-lookup-input').fill(RECEIPT.toLowerCase());
    await kiosk.getByTestId('kiosk-lookup-submit').click();
    const status = kiosk.getByTestId('kiosk-status');
    await status.waitFor();
    expect(await kiosk.getByTestId('kiosk-status-receipt').textContent()).toBe(RECEIPT);
    expect(await kiosk.getByTestId('kiosk-status-state').textContent()).toBe('已受理');
    expect(await kiosk.getByTestId('kiosk-status-deadline').textContent()).toBe('2026-12-10');
    if (item) expect(await kiosk.getByTestId('kiosk-status-item').textContent()).toBe(item.name);
    expect(await status.innerText()).not.toMatch(/测试甲|11010519491231002X/);
    await kiosk.screenshot({ path: screenshotPath('kiosk-lookup') });

    // The receipt's signed QR, scanned on the start screen with the HID POS scanner.
    await kiosk.getByTestId('kiosk-home').click();
    await kiosk.getByTestId('kiosk-start-lookup').waitFor();
    const key = loadOrCreateConsoleKey(env.app.info.dataDir, keyFileProtector());
    const qr = signDocumentQr(key, { kind: 'acceptance-receipt', number: RECEIPT, consoleId: env.app.info.consoleId, issuedAt: new Date() });
    await env.app.hardware.emulators!.scanner.scan(qr);
    await kiosk.getByTestId('kiosk-signature').waitFor();
    expect(await kiosk.getByTestId('kiosk-signature').textContent()).toContain('回执二维码校验通过');
    await kiosk.screenshot({ path: screenshotPath('kiosk-lookup-qr') });

    await kiosk.getByTestId('kiosk-status-rate').click();
    await kiosk.getByTestId('kiosk-rate').waitFor();
    await kiosk.getByTestId('rating-level-5').click();
    await kiosk.getByTestId('rating-thanks').waitFor();
    await expect.poll(() => env.app.store.db.sql.prepare('SELECT level FROM ratings ORDER BY rated_at DESC LIMIT 1').pluck().get()).toBe(5);
    await kiosk.getByTestId('kiosk-start-lookup').waitFor({ timeout: 15_000 }); // back to the start after the thanks

    await kiosk.getByTestId('kiosk-help').click();
    await kiosk.getByTestId('kiosk-help-confirm').waitFor();
    expect(await kiosk.getByTestId('kiosk-help-confirm').innerText()).toContain('工作人员马上就到');
    await kiosk.waitForTimeout(600); // the dialog's zoom-in animation
    await kiosk.screenshot({ path: screenshotPath('kiosk-help') });
    expect(env.app.store.audit.forSubject('user-kiosk01')).toMatchObject([{ action: 'help.called', detail: { kiosk: '大厅自助机一号' } }]);
    await supervisor.getByText('大厅自助机一号').waitFor();
    await supervisor.screenshot({ path: screenshotPath('supervisor-help-call') });
  });
});
