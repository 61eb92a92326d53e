/**
 * 待更正 and 全厅办件 against a real hub (startHubServer on SQLite). The hub's validator is wrapped to
 * reject what the test chooses (a rule the hall later fixes): the clerk sees 待更正 1 in the status
 * bar, opens the list, resends (重新提交) once the rule is fixed, and the count goes back to 0; a
 * second rejection is settled with 标记已处理 and a reason. The console is a supervisor station
 * (sync.hallCases), so the supervisor's 全厅办件 shows the case from the hub's hall_cases feed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYNTHETIC_RECORDS } from '../../drivers/emulators/cards';
import { loadOrCreateConsoleKey } from '../../main/security/console-keys';
import { keyFileProtector } from '../../main/security/key-protector';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { manualFaceMatch } from '../../main/services/test-support';
import type { Session } from '../../preload/contract';
import type { Mutation } from '../../sync/protocol';
import { startHubServer } from '../../sync/hub/server';
import { SqliteHubStore } from '../../sync/hub/store';
import { login, screenshotPath, startE2e, type E2eEnv } from './harness';
import { freePort } from '../support/net';

vi.setConfig({ testTimeout: 240_000 });


let env: E2eEnv;
let hubDir: string;
let hub: Awaited<ReturnType<typeof startHubServer>> | null = null;
let store: SqliteHubStore;
/** The hub's extra rule; null = accept. */
let rule: ((m: Mutation) => string | null) | null = null;

beforeAll(async () => {
  const port = await freePort();
  hubDir = mkdtempSync(join(tmpdir(), 'hall-hub-corr-'));
  env = await startE2e({ hubUrl: `ws://127.0.0.1:${port}/sync`, hallCases: true });
  store = await SqliteHubStore.open({ file: join(hubDir, 'hub.sqlite') });
  const key = loadOrCreateConsoleKey(env.app.info.dataDir, keyFileProtector());
  await store.registerConsole(env.app.info.consoleId, key.publicKeyBase64Url);
  // The hub's validator, with a rule of the test's in front (ApplyOptions.validate is the hub's hook).
  const applyPush = store.applyPush.bind(store);
  store.applyPush = (consoleId, batch, options) =>
    applyPush(consoleId, batch, { ...options, validate: (m, ctx) => rule?.(m) ?? options?.validate?.(m, ctx) ?? null });
  hub = await startHubServer({ store, port });
});
afterAll(async () => {
  await env?.close();
  await hub?.close();
  if (hubDir) rmSync(hubDir, { recursive: true, force: true });
});

const clerk: Session = { userId: 'user-clerk03', userName: 'clerk03', displayNameMasked: '张*明', role: 'clerk', counter: { id: 'counter-03', number: 3, name: '综合受理', zone: 'A区' }, startedAt: new Date().toISOString() };

/** 受理 one case through the services the screens use (card, face by hand, item, materials). */
async function acceptCase(): Promise<{ id: string; receiptNo: string }> {
  const app = env.app;
  const emulators = app.hardware.emulators!;
  emulators.idcard.placeCard(emulators.cards.resident);
  await expect.poll(() => app.hardware.lastCard()?.card.kind ?? null, { timeout: 15_000 }).toBe('resident');
  app.intake.start(clerk);
  app.intake.useCard(clerk, 'applicant');
  const check = app.store.faceChecks.record(manualFaceMatch(new Date()), { userId: clerk.userId, counterId: 'counter-03' });
  app.intake.verifyFace(clerk, check.id);
  app.intake.update(clerk, { serviceItemCode: 'SB-007' });
  app.intake.update(clerk, { materials: [{ code: 'M1', status: 'e_licence' }] });
  const { record } = app.intake.decide(clerk, { decision: 'accept' });
  emulators.idcard.removeCard();
  return { id: record.id, receiptNo: record.receiptNo };
}

describe('待更正 with a hub that rejects', () => {
  it('shows 待更正 1, resends after the rule is fixed, settles another with 标记已处理; 全厅办件 shows the case', async () => {
    const page = await env.newPage();
    await login(page, env.host.consoleUrl, 'clerk03', DEMO_PASSWORD, '3号窗口 · 综合受理（A区）');
    await page.getByTestId('counter-workspace').waitFor();
    await expect.poll(() => page.getByTestId('status-sync').textContent(), { timeout: 90_000, interval: 500 }).toMatch(/在线/);

    // The hub refuses this hall's 受理 for now (its clock rule, as the hub words it).
    rule = (m) => (m.type === 'case.created' ? `at ${new Date(Date.now() + 3 * 86_400_000).toISOString()} is more than 24 h ahead of the console's clock as measured at hello (test rule)` : null);
    const first = await acceptCase();
    await expect.poll(() => page.getByTestId('status-corrections').textContent().catch(() => null), { timeout: 30_000, interval: 300 }).toBe('待更正 1');
    await page.screenshot({ path: screenshotPath('sync-needs-correction'), mask: [page.getByTestId('card-photo'), page.getByTestId('face-video')] });

    await page.getByTestId('status-corrections').click();
    const drawer = page.getByTestId('corrections-drawer');
    await drawer.waitFor();
    await expect.poll(() => drawer.textContent()).toContain(first.receiptNo);
    const text = (await drawer.textContent()) ?? '';
    expect(text).toContain('受理');
    expect(text).toContain('请校准本机时钟后重新提交'); // the known reason in Chinese
    expect(text).not.toContain(SYNTHETIC_RECORDS.resident.idNumber);
    await page.screenshot({ path: screenshotPath('sync-corrections-drawer'), animations: 'disabled', mask: [page.getByTestId('card-photo'), page.getByTestId('face-video')] });

    // The hall fixes the rule; the clerk resends.
    rule = null;
    const seq = env.app.store.outbox.needsCorrection()[0]!.seq;
    await page.getByTestId(`correction-resend-${seq}`).click();
    await expect.poll(() => page.getByTestId('corrections-result').textContent()).toContain('已重新提交');
    await expect.poll(() => page.getByTestId('status-corrections').count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('status-sync').textContent(), { timeout: 30_000 }).toBe('同步: 在线 · 0 条待传');
    const created = async () =>
      (await store.changesSince('hall_cases', 0, 1000)).changes.filter((c) => {
        const v = c.value as { type?: string; payload?: { receiptNo?: string } };
        return v.type === 'case.created' && v.payload?.receiptNo === first.receiptNo;
      }).length;
    expect(await created()).toBe(1); // the resent copy, once; the rejected one stays in quarantine
    expect((await store.listQuarantine({ consoleId: env.app.info.consoleId })).length).toBe(1);

    // A step the hub refuses that the hall settles by hand: 标记已处理 with a reason.
    rule = (m) => (m.type === 'case.transitioned' ? 'item SB-007 review is handled by the central system' : null);
    env.app.cases.act(clerk, { id: first.id, action: 'start_review' });
    await expect.poll(() => page.getByTestId('status-corrections').textContent().catch(() => null), { timeout: 30_000, interval: 300 }).toBe('待更正 1');
    const seq2 = env.app.store.outbox.needsCorrection()[0]!.seq;
    await expect.poll(() => drawer.textContent(), { timeout: 10_000 }).toContain('item SB-007 review is handled by the central system'); // unknown reason: raw
    await page.getByTestId(`correction-dismiss-${seq2}`).click();
    await page.getByTestId('correction-dismiss-reason').fill('已在中心平台人工登记审查');
    await page.getByRole('button', { name: /确\s*定/ }).click();
    await expect.poll(() => page.getByTestId('corrections-result').textContent()).toContain('已标记为已处理');
    await expect.poll(() => page.getByTestId('status-corrections').count(), { timeout: 10_000 }).toBe(0);
    await page.screenshot({ path: screenshotPath('sync-corrections-settled'), animations: 'disabled', mask: [page.getByTestId('card-photo'), page.getByTestId('face-video')] });
    expect(env.app.store.audit.forSubject(`outbox:${seq2}`)).toEqual([expect.objectContaining({ actor: 'user-clerk03', action: 'sync.correction_dismissed' })]);
    rule = null;

    // The supervisor's 全厅办件: the case, from the hub's feed, with its counter.
    const sup = await env.newPage();
    await login(sup, env.host.consoleUrl, 'super01', DEMO_PASSWORD);
    const row = sup.getByTestId(`hall-case-${first.receiptNo}`);
    await expect.poll(() => row.count(), { timeout: 30_000, interval: 500 }).toBe(1);
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('3号窗口');
    expect(rowText).toContain('已受理'); // the start_review was settled locally, never reached the hub
    await sup.screenshot({ path: screenshotPath('hall-cases'), fullPage: true });
  });
});
