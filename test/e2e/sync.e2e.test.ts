/**
 * Offline first, then the hub: the console starts with its hub unreachable, a case is accepted
 * offline (the status bar counts it as waiting), then the hub starts; the case reaches it and the
 * status bar turns 在线 · 0 条待传 by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYNTHETIC_RECORDS } from '../../drivers/emulators/cards';
import { verifyAuditHeadSignature } from '../../main/security/audit-chain';
import { loadOrCreateConsoleKey } from '../../main/security/console-keys';
import { keyFileProtector } from '../../main/security/key-protector';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { manualFaceMatch } from '../../main/services/test-support';
import { startHubServer } from '../../sync/hub/server';
import { SqliteHubStore } from '../../sync/hub/store';
import { login, screenshotPath, startE2e, type E2eEnv } from './harness';
import { freePort } from '../support/net';

vi.setConfig({ testTimeout: 180_000 });


let env: E2eEnv;
let hubDir: string;
let port: number;
let hub: Awaited<ReturnType<typeof startHubServer>> | null = null;

beforeAll(async () => {
  port = await freePort();
  hubDir = mkdtempSync(join(tmpdir(), 'hall-hub-e2e-'));
  env = await startE2e({ hubUrl: `ws://127.0.0.1:${port}/sync` });
});
afterAll(async () => {
  await env?.close();
  await hub?.close();
  if (hubDir) rmSync(hubDir, { recursive: true, force: true });
});

describe('sync with the hub', () => {
  it('a case accepted while the hub is down reaches it once it starts; the status bar follows live', async () => {
    const page: Page = await env.newPage();
    await login(page, env.host.consoleUrl, 'clerk03', DEMO_PASSWORD, '3号窗口 · 综合受理（A区）');
    await page.getByTestId('counter-workspace').waitFor();
    await expect.poll(() => page.getByTestId('status-sync').textContent(), { timeout: 20_000 }).toMatch(/同步: (离线|连接中)/);

    // 受理 offline, through the same services the screens use.
    const app = env.app;
    const session = { userId: 'user-clerk03', userName: 'clerk03', displayNameMasked: '张*明', role: 'clerk' as const, counter: { id: 'counter-03', number: 3, name: '综合受理', zone: 'A区' }, startedAt: new Date().toISOString() };
    const emulators = app.hardware.emulators!;
    emulators.idcard.placeCard(emulators.cards.resident);
    await expect.poll(() => app.hardware.lastCard()?.card.kind ?? null, { timeout: 15_000 }).toBe('resident');
    app.intake.start(session);
    app.intake.useCard(session, 'applicant');
    const check = app.store.faceChecks.record(manualFaceMatch(new Date()), { userId: session.userId, counterId: 'counter-03' });
    app.intake.verifyFace(session, check.id);
    app.intake.update(session, { serviceItemCode: 'SB-007' });
    app.intake.update(session, { materials: [{ code: 'M1', status: 'e_licence' }] });
    const { record } = app.intake.decide(session, { decision: 'accept' });
    const lastSeq = app.store.outbox.lastSeq();
    await expect.poll(() => page.getByTestId('status-sync').textContent(), { timeout: 10_000 }).toContain(`${app.store.outbox.countPending()} 条待传`);
    await page.screenshot({ path: screenshotPath('sync-offline') });

    // The hub starts and knows this console (enrollment's manual path: its public key).
    const store = await SqliteHubStore.open({ file: join(hubDir, 'hub.sqlite') });
    const key = loadOrCreateConsoleKey(app.info.dataDir, keyFileProtector());
    await store.registerConsole(app.info.consoleId, key.publicKeyBase64Url);
    hub = await startHubServer({ store, port });

    // The client's backoff brings it back by itself; everything is acked, the case is on the hub once.
    // ≥: the first push also carries the signed audit-chain head (`audit.head`, docs/security.md "Audit chain").
    await expect.poll(() => store.lastApplied(app.info.consoleId), { timeout: 90_000, interval: 500 }).toBeGreaterThanOrEqual(lastSeq);
    await expect.poll(() => page.getByTestId('status-sync').textContent(), { timeout: 20_000 }).toBe('同步: 在线 · 0 条待传');
    const cases = await store.changesSince('hall_cases', 0, 1000);
    const created = cases.changes.filter((c) => {
      const v = c.value as { type?: string; payload?: { receiptNo?: string } } | undefined;
      return v?.type === 'case.created' && v.payload?.receiptNo === record.receiptNo;
    });
    expect(created).toHaveLength(1); // exactly once
    // The audit chain's signed head went with that sync: on the hub, and it verifies with the enrolled key.
    const heads = app.store.outbox.from(1, 10_000).filter((e) => e.type === 'audit.head');
    expect(heads.length).toBeGreaterThanOrEqual(1);
    const witnessed = await store.getMutation(heads.at(-1)!.mutationId);
    expect(verifyAuditHeadSignature(key.publicKeyBase64Url, witnessed?.payload)).toBe(true);
    expect(app.store.audit.verify(key.publicKeyBase64Url)).toMatchObject({ ok: true, firstBroken: null });
    expect(JSON.stringify(cases.changes)).not.toContain(SYNTHETIC_RECORDS.resident.idNumber); // no personal data travels
    await page.screenshot({ path: screenshotPath('sync-online') });
    emulators.idcard.removeCard();
  });
});
