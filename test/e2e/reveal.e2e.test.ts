/**
 * 查看完整信息 through the whole stack, browser mode: a case of this console (synthetic applicant) is
 * opened by a supervisor from 本机办件; the drawer shows the applicant masked, 查看完整信息 asks which
 * field and why, and shows the clear value once main has written the audit row. A clerk's drawer has
 * no such button.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNTHETIC_RECORDS } from '../../drivers/emulators/cards';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { login, screenshotPath, startE2e, type E2eEnv } from './harness';

const PERSON = SYNTHETIC_RECORDS.resident;
const RECEIPT = 'HALL01-20261126-C03-0901';
let env: E2eEnv;
let caseId: string;

beforeAll(async () => {
  env = await startE2e();
  const record = env.app.store.cases.create(
    {
      receiptNo: RECEIPT,
      serviceItemCode: 'BDC-021',
      state: 'accepted',
      applicant: { name: PERSON.name, idNumber: PERSON.idNumber, address: PERSON.address, phone: null },
      counterId: 'counter-03',
      clerkUserId: 'user-clerk03',
    },
    'user-clerk03',
  );
  caseId = record.id;
});
afterAll(async () => {
  await env?.close();
});

async function openCase(page: Page): Promise<void> {
  await page.getByTestId(`case-row-${RECEIPT}`).click();
  await page.getByTestId('case-drawer-receipt').filter({ hasText: RECEIPT }).waitFor();
}

describe('查看完整信息 (supervisor, audited)', () => {
  it('shows the field only after a reason, and the audit log has the reveal without the value', async () => {
    const page = await env.newPage();
    await login(page, env.host.consoleUrl, 'super01', DEMO_PASSWORD);
    await page.getByTestId('local-cases').waitFor();
    await openCase(page);
    const facts = page.getByTestId('case-facts');
    await expect.poll(() => facts.textContent()).toContain('测*甲');
    expect(await page.getByTestId('case-drawer').textContent()).not.toContain(PERSON.idNumber);

    await page.getByTestId('reveal-open').click();
    await page.getByTestId('reveal-reason').waitFor();
    // No reason: the form refuses and nothing is asked of main.
    await page.locator('#reveal-submit').click();
    await page.getByText('请填写查看原因').waitFor();
    expect(env.app.store.audit.forSubject(RECEIPT)).toEqual([]);
    await page.getByTestId('reveal-reason').fill('申请人来电核对证件号码');
    await page.getByText('请填写查看原因').waitFor({ state: 'hidden' });
    await page.screenshot({ path: screenshotPath('reveal-dialog') });
    await page.locator('#reveal-submit').click();

    await expect.poll(() => page.getByTestId('reveal-value').textContent()).toBe(PERSON.idNumber);
    await page.screenshot({ path: screenshotPath('reveal-shown') });
    const audit = env.app.store.audit.forSubject(RECEIPT);
    expect(audit).toEqual([expect.objectContaining({ actor: 'user-super01', action: 'personal.revealed', detail: expect.objectContaining({ caseId, field: 'applicant.idNumber', reason: '申请人来电核对证件号码' }) })]);
    expect(JSON.stringify(audit)).not.toContain(PERSON.idNumber);

    await page.getByTestId('reveal-hide').click();
    await page.getByTestId('reveal-open').waitFor();
    expect(await page.getByTestId('case-drawer').textContent()).not.toContain(PERSON.idNumber);
    await page.context().close();
  });

  it('a clerk’s drawer has no 查看完整信息', async () => {
    const page = await env.newPage();
    await login(page, env.host.consoleUrl, 'clerk03', DEMO_PASSWORD, '3号窗口 · 综合受理（A区）');
    await page.getByTestId('cases-tab').click();
    await openCase(page);
    await page.getByTestId('case-facts').waitFor();
    expect(await page.getByTestId('reveal-open').count()).toBe(0);
    await page.context().close();
  });
});
