/**
 * 受理 at the counter, keyboard first, at 1366×768: a ticket from the kiosk is called and served, the
 * applicant's card is read (the intake starts by itself), the face matches the card photo (fake
 * camera), 个体工商户设立登记 is found by its pinyin initials, the materials are checked with M3 容缺
 * and a commitment date; the page is reloaded mid-intake and the draft comes back; F8 受理 gives a
 * receipt number. Then 一次性告知 (a material 需补正 with a note) and 不予受理 (with a reason, for an
 * applicant on a credit list), the case list and a case's drawer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYNTHETIC_RECORDS, withPhoto } from '../../drivers/emulators/cards';
import { creditHash } from '../../main/domain/credit';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { faceJpeg, faceY4m } from '../fixtures/face/faces';
import { fakeCameraArgs, login, screenshotPath, startE2e, type E2eEnv } from './harness';

const COUNTER = '3号窗口 · 综合受理（A区）';
vi.setConfig({ testTimeout: 180_000 });
const RECEIPT_NO = /^HALL01-\d{8}-C03-\d{4}$/;

let env: E2eEnv;
let dir: string;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hall-intake-'));
  const y4m = join(dir, 'camera.y4m');
  writeFileSync(y4m, faceY4m('man-facedetect'));
  env = await startE2e({ extraChromiumArgs: fakeCameraArgs(y4m) });
  page = await env.newPage();
});
afterAll(async () => {
  await env?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Nothing wider than the window (the counter screens are 1366×768). */
async function expectNoHorizontalScroll(p: Page): Promise<void> {
  const { scroll, client } = await p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

function placeCard(): void {
  const emulators = env.app.hardware.emulators!;
  emulators.idcard.removeCard();
  emulators.idcard.placeCard(withPhoto(emulators.cards.resident, { mime: 'image/jpeg', bytes: faceJpeg('man-collage-6') }, emulators.photoLibrary));
}

/** F1 calls the next ticket, 开始办理 serves it. */
async function callAndServe(number: string): Promise<void> {
  await page.keyboard.press('F1');
  await expect.poll(() => page.getByTestId('current-ticket-number').textContent()).toBe(number);
  await page.getByTestId('queue-serve').click();
  await expect.poll(() => page.getByTestId('current-ticket-state').textContent()).toBe('办理中');
}

/**
 * The card read while a ticket is served starts the intake and fills the applicant: the reader
 * announces a newly placed card by itself; a card left on the reader is read again with F5.
 */
async function readApplicantCard(withF5 = false): Promise<void> {
  placeCard();
  if (withF5) await page.keyboard.press('F5');
  await expect.poll(() => page.getByTestId('intake-applicant-name').textContent(), { timeout: 15_000 }).toBe('测*甲');
}

async function chooseItem(query: string, name = '个体工商户设立登记'): Promise<void> {
  const select = page.getByTestId('item-search');
  await select.click();
  await page.keyboard.type(query, { delay: 60 }); // as a person types (a 30 ms burst is a wedge scan)
  const option = page.locator('.ant-select-item-option').filter({ hasText: name });
  await option.waitFor();
  await option.click();
  await page.getByTestId('checklist-item').filter({ hasText: name }).waitFor();
}

/** The text box of an antd date picker (the test id sits on the input or on its wrapper). */
function dateInput(testId: string) {
  return page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();
}

/**
 * A screenshot for test/e2e/__screenshots__. The card photo is a real person's picture (Human's sample
 * assets, as in counter-face.e2e): it is masked so it never lands in the repository.
 */
async function shot(name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(name), mask: [page.getByTestId('card-photo'), page.getByTestId('face-video')] });
}

/** Let a dialog or drawer finish its opening animation before a screenshot. */
const settle = () => page.waitForTimeout(600);

async function waitSaved(): Promise<void> {
  await page.locator('[data-testid="draft-status"][data-state="saved"]').waitFor();
}

async function finishTicket(): Promise<void> {
  await page.getByTestId('queue-finish').click();
  await page.getByText('暂无办理中的号票').first().waitFor();
}

describe('intake at the counter', () => {
  it('accepts with 容缺 after the card and the face check, and the draft survives a reload', async () => {
    // The kiosk issues the ticket.
    const kiosk = await env.newPage({ width: 1920, height: 1080 });
    await login(kiosk, env.host.consoleUrl, 'kiosk01', DEMO_PASSWORD);
    await kiosk.getByTestId('kiosk').waitFor();
    if (await kiosk.getByTestId('kiosk-start-ticket').count()) await kiosk.getByTestId('kiosk-start-ticket').click();
    await kiosk.getByTestId('kiosk-group-A').click();
    const ticket = (await kiosk.getByTestId('kiosk-ticket-number').textContent())!;
    expect(ticket).toMatch(/^A\d{3}$/);
    await kiosk.close();

    await login(page, env.host.consoleUrl, 'clerk03', DEMO_PASSWORD, COUNTER);
    await page.getByTestId('counter-workspace').waitFor();
    await shot('intake-idle');
    await expectNoHorizontalScroll(page);
    await callAndServe(ticket);
    await readApplicantCard();
    await expect(page.getByTestId('intake-header').textContent()).resolves.toContain(ticket);
    await expect(page.getByTestId('blockers').textContent()).resolves.toContain('人脸核验');

    // 实人: F6, compare, recorded → attached to the intake.
    await page.keyboard.press('F6');
    await page.locator('[data-testid="face-reference-status"][data-status="ready"]').waitFor({ timeout: 90_000 });
    await page.getByTestId('face-compare').click();
    await page.getByTestId('face-recorded').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('face-recorded').getAttribute('data-decision')).resolves.toBe('match');
    await page.locator('[data-testid="identity-status"][data-status="face_match"]').waitFor();
    await page.getByTestId('face-video').waitFor({ state: 'hidden' }); // closes by itself once the check is attached

    // 事项 by pinyin initials, then the checklist.
    await chooseItem('gtgsh');
    await expect(page.getByTestId('item-facts').textContent()).resolves.toContain('承诺 3 个工作日');
    // Only what the item allows: M2 has an e-licence, M3 may be tolerated or replaced by a commitment; M1 neither.
    expect(await page.getByTestId('mat-M1-e_licence').count()).toBe(0);
    expect(await page.getByTestId('mat-M1-tolerated').count()).toBe(0);
    await page.getByTestId('mat-M1-provided').click();
    await page.getByTestId('mat-M2-e_licence').click();
    await page.getByTestId('mat-M3-tolerated').click();
    await page.getByTestId('commitment').waitFor();
    await expect.poll(() => page.getByTestId('blockers').textContent()).toContain('承诺补齐材料的日期');
    await expect(page.getByTestId('commitment-blocker').textContent()).resolves.toContain('承诺补齐材料的日期');
    const promised = (await page.getByTestId('promised-deadline').textContent())!;
    expect(promised).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await dateInput('commitment-deadline').fill(promised);
    await page.keyboard.press('Enter');
    await page.getByTestId('intake-notes').fill('申请人承诺三日内补交场地证明');
    await page.getByTestId('mat-M3-tolerated').focus(); // leave the field: the note is saved after the pause
    await expect.poll(() => page.getByTestId('blockers').count()).toBe(0);
    await waitSaved();
    await shot('intake-checklist');
    await expectNoHorizontalScroll(page);

    // A restart (here: reload, which also ends the window's session) loses nothing.
    await page.reload();
    await page.getByLabel('用户名').fill('clerk03');
    await page.getByLabel('密码').fill(DEMO_PASSWORD);
    await page.getByLabel('窗口').click();
    await page.getByText(COUNTER).click();
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByTestId('checklist-item').filter({ hasText: '个体工商户设立登记' }).waitFor();
    await expect(page.getByTestId('intake-applicant-name').textContent()).resolves.toBe('测*甲');
    await expect(page.getByTestId('material-M1').getAttribute('data-status')).resolves.toBe('provided');
    await expect(page.getByTestId('material-M2').getAttribute('data-status')).resolves.toBe('e_licence');
    await expect(page.getByTestId('material-M3').getAttribute('data-status')).resolves.toBe('tolerated');
    await expect(page.getByTestId('intake-notes').inputValue()).resolves.toBe('申请人承诺三日内补交场地证明');
    await expect(dateInput('commitment-deadline').inputValue()).resolves.toBe(promised);
    await page.locator('[data-testid="identity-status"][data-status="face_match"]').waitFor();
    expect(await page.getByTestId('item-search').textContent()).toContain('个体工商户设立登记');

    // F8 受理 → confirm → receipt number and the documents sent to the printer.
    await page.keyboard.press('F8');
    await page.getByRole('dialog').getByText('容缺材料').waitFor();
    await settle();
    await shot('intake-accept-dialog');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('确认受理');
    await page.keyboard.press('Enter'); // 确认受理 has the focus: F8, Enter
    const receipt = page.getByTestId('receipt-no');
    await receipt.waitFor();
    expect(await receipt.textContent()).toMatch(RECEIPT_NO);
    await expect.poll(() => page.getByTestId('printed-documents').textContent()).toContain('受理回执');
    await expect(page.getByTestId('decision-result').getAttribute('data-decision')).resolves.toBe('accept');
    expect(await page.getByTestId('intake-body').locator('[data-testid="item-search"]').count()).toBe(0); // the form reset
    await shot('intake-accepted');
    await expectNoHorizontalScroll(page);
  });

  it('issues a one-time correction notice listing exactly the missing and defective materials', async () => {
    await finishTicket();
    const ticket = env.app.queue.issue({ groupCode: 'A', priority: null });
    await callAndServe(ticket.number);
    await readApplicantCard(true);
    await chooseItem('SCJG-001');
    await page.getByTestId('mat-M1-provided').click();
    await page.getByTestId('mat-M2-defective').click();
    await page.getByTestId('mat-M2-note').fill('复印件字迹不清，请重新复印');
    // M3 stays 缺.
    await waitSaved();
    await expect.poll(() => page.getByTestId('blockers').textContent()).toContain('缺少材料：经营场所使用证明');
    await expect(page.getByTestId('decide-accept').isDisabled()).resolves.toBe(true);
    await page.getByTestId('decide-correction').click();
    const list = page.getByTestId('correction-list');
    await list.waitFor();
    const text = (await list.textContent())!;
    expect(text).toContain('经营场所使用证明');
    expect(text).toContain('经营者身份证明');
    expect(text).toContain('复印件字迹不清，请重新复印');
    expect(text).not.toContain('个体工商户登记（备案）申请书');
    await settle();
    await shot('intake-correction-dialog');
    await page.getByRole('button', { name: '出具一次性告知书' }).click();
    await page.locator('[data-testid="decision-result"][data-decision="correction"]').waitFor();
    expect(await page.getByTestId('receipt-no').textContent()).toMatch(RECEIPT_NO);
    await expect.poll(() => page.getByTestId('printed-documents').textContent()).toContain('一次性告知书');
  });

  it('refuses with a reason, asking the credit-list question first', async () => {
    env.app.store.credit.upsert([
      { idHash: creditHash(SYNTHETIC_RECORDS.resident.idNumber), standing: 'watch', measures: [{ text: '限制适用容缺受理', items: [] }], listVersion: 'e2e-1' },
    ]);
    await finishTicket();
    const ticket = env.app.queue.issue({ groupCode: 'A', priority: null });
    await callAndServe(ticket.number);
    await readApplicantCard(true);
    await page.locator('[data-testid="credit-standing"][data-standing="watch"]').waitFor();
    await chooseItem('个体工商户');
    await page.getByTestId('credit-measures').waitFor();
    await page.getByTestId('decide-refuse').click();
    await page.getByTestId('credit-question').waitFor();
    await page.getByRole('button', { name: '确认不予受理' }).click();
    await page.getByText('请填写不予受理理由').waitFor(); // refused at the field, nothing sent
    await page.getByText('请选择执行措施，或不执行并填写原因').waitFor();
    await page.getByTestId('refuse-reason').fill('申请事项依法不需要取得行政许可');
    await page.getByTestId('credit-action').getByText('执行措施').click();
    await settle();
    await shot('intake-refuse-dialog');
    await page.getByRole('button', { name: '确认不予受理' }).click();
    await page.locator('[data-testid="decision-result"][data-decision="refuse"]').waitFor();
    await expect.poll(() => page.getByTestId('printed-documents').textContent()).toContain('不予受理决定书');
  });

  it('lists the cases with today’s figures and opens one in the drawer', async () => {
    await page.getByTestId('cases-tab').click();
    const list = page.getByTestId('case-list');
    await expect.poll(() => list.locator('tr[data-testid^="case-row-"]').count()).toBe(3);
    await expect.poll(() => page.getByTestId('summary-casesAccepted').textContent()).toContain('1');
    await expect(page.getByTestId('summary-refusals').textContent()).resolves.toContain('1');
    await expect(page.getByTestId('summary-tolerated').textContent()).resolves.toContain('1');
    await shot('cases-list');
    await expectNoHorizontalScroll(page);

    const accepted = list.locator('tr[data-testid^="case-row-"]').filter({ hasText: '已受理' });
    await accepted.click();
    await page.getByTestId('case-drawer-receipt').waitFor();
    expect(await page.getByTestId('case-drawer-receipt').textContent()).toMatch(RECEIPT_NO);
    await page.getByTestId('case-events').getByText('已受理').first().waitFor();
    // Printed at the decision: printing it again says so.
    await expect.poll(() => page.getByTestId('print-acceptance-receipt').textContent()).toContain('补打');
    const download = page.waitForEvent('download');
    await page.getByTestId('pdf-acceptance-receipt').click();
    expect((await download).suggestedFilename()).toMatch(/受理回执\.pdf$/);
    await settle();
    await shot('case-drawer');

    // Later steps: 开始审查 (confirmed), then 暂停 asks 补正 / 听证 / 鉴定 and the clock stops.
    await page.getByTestId('case-act-start_review').click();
    await page.getByRole('button', { name: /^确\s*定$/ }).click();
    await expect.poll(() => page.getByTestId('case-drawer-state').textContent()).toBe('审查中');
    await page.getByTestId('case-act-pause').click();
    await page.getByTestId('case-action-dialog').getByText('听证', { exact: true }).waitFor();
    await settle();
    await page.getByRole('button', { name: '确认暂停' }).click();
    await page.getByText('请选择暂停原因：补正、听证或鉴定').waitFor();
    await page.getByTestId('case-action-dialog').getByText('听证', { exact: true }).click();
    await page.getByTestId('case-action-reason').fill('申请人要求听证');
    await page.getByRole('button', { name: '确认暂停' }).click();
    await expect.poll(() => page.getByTestId('case-drawer-state').textContent()).toBe('暂停');
    await expect.poll(() => list.locator('tr[data-testid^="case-row-"]').filter({ hasText: '暂停' }).count()).toBe(1); // the list follows cases.changed
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.ant-drawer-section').count()).toBe(0);
  });

  it('takes a 代办 application with fees, the agent verified by hand, and collects the fee by scanning the payer’s code', async () => {
    env.app.store.credit.upsert([{ idHash: creditHash(SYNTHETIC_RECORDS.resident.idNumber), standing: 'good', measures: [], listVersion: 'e2e-2' }]);
    await page.getByText('当前办理').click();
    await finishTicket();
    const ticket = env.app.queue.issue({ groupCode: 'A', priority: null });
    await callAndServe(ticket.number);
    await readApplicantCard(true);
    await page.getByTestId('agent-switch').click();
    await page.getByTestId('intake-agent').waitFor();
    await expect.poll(() => page.getByTestId('blockers').textContent()).toContain('代办须读取代办人的身份证');
    // The agent's card: a HK/Macao/Taiwan residence permit whose photo cannot be compared.
    const emulators = env.app.hardware.emulators!;
    emulators.idcard.removeCard();
    emulators.idcard.placeCard(emulators.cards.hmt);
    await expect.poll(() => page.getByTestId('intake-agent-name').textContent(), { timeout: 15_000 }).toBe('测*丙');
    await expect(page.getByTestId('identity-status').textContent()).resolves.toContain('代办人');
    await page.keyboard.press('F6');
    await page.getByTestId('face-manual').click();
    await page.getByLabel('核验原因').fill('证件照片无法比对，已当面核对港澳台居民居住证');
    await page.getByRole('button', { name: /确\s*认/ }).click();
    await page.locator('[data-testid="identity-status"][data-status="manual_override"]').waitFor();
    await page.getByTestId('face-video').waitFor({ state: 'hidden' });

    const select = page.getByTestId('item-search');
    await select.click();
    await page.keyboard.type('bdc', { delay: 60 });
    await page.locator('.ant-select-item-option').filter({ hasText: '不动产转移登记' }).click();
    await page.getByTestId('checklist-item').filter({ hasText: '不动产转移登记' }).waitFor();
    await expect(page.getByTestId('fee-total').textContent()).resolves.toContain('合计 ¥90.00');
    await page.getByTestId('mark-all-provided').click();
    await expect.poll(() => page.getByTestId('blockers').count()).toBe(0);
    await page.keyboard.press('F8');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('确认受理');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="decision-result"][data-decision="accept"]').waitFor();
    await expect.poll(() => page.getByTestId('printed-documents').textContent()).toContain('缴款通知');

    await page.getByTestId('decision-result').getByText('查看办件').click();
    await page.getByTestId('case-drawer-receipt').waitFor();
    await expect(page.getByTestId('case-fee-total').textContent()).resolves.toBe('¥90.00');
    await page.getByTestId('pay-scan').waitFor();
    await emulators.scanner.scan('134567890123456789'); // the payer's WeChat payment code on the HID POS scanner
    await page.getByTestId('case-paid').waitFor();
    await settle();
    await shot('case-drawer-paid');
    await page.keyboard.press('Escape');
  });

  it('starts with F8 and drops the draft with Esc, only with a reason', async () => {
    await expect.poll(() => page.locator('.ant-drawer-section').count()).toBe(0); // Esc closed the drawer
    await page.keyboard.press('F8');
    await page.getByTestId('intake-header').getByText('受理中').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('discard-reason').waitFor();
    await page.getByRole('button', { name: '放弃受理', exact: true }).click();
    await page.getByText('请填写原因').waitFor();
    await page.getByTestId('discard-reason').fill('申请人临时有事离开');
    await page.getByRole('button', { name: '放弃受理', exact: true }).click();
    await page.getByTestId('intake-start').waitFor();
    const audited = env.app.store.db.sql.prepare("SELECT detail FROM audit_log WHERE action = 'intake.discarded'").all() as { detail: string }[];
    expect(audited.map((r) => JSON.parse(r.detail).reason)).toEqual(['申请人临时有事离开']);
  });

  it('the whole handling, hub unreachable: ticket by ID card → 容缺 with fees (payment QR printed) → rating 2 → callback', async () => {
    const emulators = env.app.hardware.emulators!;
    expect(env.app.info.consoleId).toMatch(/^unenrolled-/); // no hub: everything below happens offline
    await finishTicket();
    emulators.idcard.removeCard();
    const pad = await env.newPage();
    await login(pad, env.host.consoleUrl, 'pad03', DEMO_PASSWORD);
    await pad.getByTestId('rating-pad-counter').waitFor(); // the earlier handlings' request may be showing

    // 刷身份证取号 at the kiosk: the ticket is bound to the card and printed.
    const kiosk = await env.newPage({ width: 1920, height: 1080 });
    await login(kiosk, env.host.consoleUrl, 'kiosk01', DEMO_PASSWORD);
    await kiosk.getByTestId('kiosk-start-ticket').click();
    await kiosk.getByTestId('kiosk-group-B').waitFor();
    placeCard();
    await kiosk.getByTestId('kiosk-card').waitFor();
    await kiosk.screenshot({ path: screenshotPath('kiosk-ticket-by-card') });
    await kiosk.getByTestId('kiosk-group-B').click();
    const ticket = (await kiosk.getByTestId('kiosk-ticket-number').textContent())!;
    expect(ticket).toMatch(/^B\d{3}$/);
    await expect.poll(() => emulators.printer.pages.some((p) => p.text.includes(ticket) && p.qr.some((q) => q.startsWith(`HALL2:T:${ticket}-`)))).toBe(true);
    await kiosk.close();
    emulators.idcard.removeCard();

    await callAndServe(ticket);
    await readApplicantCard(true);
    await page.keyboard.press('F6');
    await page.getByTestId('face-compare').click();
    await page.locator('[data-testid="identity-status"][data-status="face_match"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('face-video').waitFor({ state: 'hidden' });
    await chooseItem('bdczydj', '不动产转移登记');
    await page.getByTestId('mat-M1-provided').click();
    await page.getByTestId('mat-M2-e_licence').click();
    await page.getByTestId('mat-M3-e_licence').click();
    await page.getByTestId('mat-M4-provided').click();
    await page.getByTestId('mat-M5-tolerated').click();
    await page.getByTestId('commitment').waitFor();
    const promised = (await page.getByTestId('promised-deadline').textContent())!;
    await dateInput('commitment-deadline').fill(promised);
    await page.keyboard.press('Enter');
    await page.getByTestId('mat-M5-tolerated').focus();
    await expect.poll(() => page.getByTestId('blockers').count()).toBe(0);
    await expect(page.getByTestId('fee-total').textContent()).resolves.toContain('¥90.00');
    await waitSaved();
    await page.keyboard.press('F8');
    await page.getByRole('dialog').getByText('容缺材料').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('确认受理');
    await page.keyboard.press('Enter');
    const receipt = (await page.getByTestId('receipt-no').textContent())!;
    expect(receipt).toMatch(RECEIPT_NO);
    await expect.poll(() => page.getByTestId('printed-documents').textContent()).toContain('缴款通知');
    // The payment notice on paper: the amount, the payment QR, the signed QR; the applicant masked.
    await expect.poll(() => emulators.printer.pages.find((p) => p.text.includes('缴款通知') && p.text.includes(receipt))?.qr.length ?? 0).toBe(2);
    const notice = emulators.printer.pages.find((p) => p.text.includes('缴款通知') && p.text.includes(receipt))!;
    expect(notice.text).toContain('¥90.00');
    expect(notice.text).not.toContain(SYNTHETIC_RECORDS.resident.idNumber);
    expect(notice.qr[0]).toMatch(/^FSPAY:[0-9A-Z]+:9000$/);
    expect(notice.qr[1]).toMatch(new RegExp(`^HALL2:P:${receipt}:`));
    await shot('counter-day-accepted');
    await finishTicket();

    // 好差评 on the counter's pad: once, for this handling, 不满意 with a reason; the clerk sees nothing of it.
    const open = env.app.store.db.sql
      .prepare("SELECT c.receipt_no FROM rating_requests r JOIN cases c ON c.id = r.case_id WHERE r.rated_at IS NULL AND r.expired_at IS NULL")
      .all() as { receipt_no: string }[];
    expect(open.map((r) => r.receipt_no)).toEqual([receipt]);
    await pad.getByTestId('rating-choose').waitFor({ timeout: 15_000 });
    await pad.getByTestId('rating-level-2').click();
    await pad.getByTestId('rating-reason-材料要求反复').click();
    await pad.screenshot({ path: screenshotPath('counter-day-rating') });
    await pad.getByTestId('rating-submit').click();
    await pad.getByTestId('rating-thanks').waitFor();
    await pad.close();
    expect(await page.getByText('不满意').count()).toBe(0);

    // The callback, with its fix deadline, on the supervisor's ledger.
    const supervisor = await env.newPage();
    await login(supervisor, env.host.consoleUrl, 'super01', DEMO_PASSWORD);
    const ledger = supervisor.getByTestId('callback-ledger');
    await ledger.waitFor();
    await expect.poll(() => ledger.getByText(receipt).count()).toBeGreaterThan(0);
    await supervisor.screenshot({ path: screenshotPath('counter-day-callback') });
    await supervisor.close();
    const pending = env.app.store.outbox.countPending();
    expect(pending).toBeGreaterThan(10); // all of it waits in the outbox for the hub
  });
});
