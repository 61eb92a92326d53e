/**
 * 软件更新 through the whole stack, browser mode: real Ed25519-signed bundles (main/update test
 * helpers) in a temp "USB stick" folder and on a real hub serving `--updates DIR`. The technician
 * sees each bundle's verification result, a tampered one refused with its reason, installs a valid
 * one from the USB folder and one from the hub after confirming, and rolls back.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { KEYSET_PIN_FILE, keysetPinBytes } from '../../main/update/install';
import { generateUpdateSigningKey } from '../../main/update/sign';
import { artifactOf, bundleInput, keysetDocument, manifestOf, writeBundle } from '../../main/update/test-support';
import { startHubServer, type RunningHubServer } from '../../sync/hub/server';
import { SqliteHubStore } from '../../sync/hub/store/sqlite';
import { login, screenshotPath, startE2e, type E2eEnv } from './harness';

const keyA = generateUpdateSigningKey();
const keyB = generateUpdateSigningKey();

/** Whole-second UTC, the manifest's spelling. */
const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

function release(dir: string, version: string, counter: number): string {
  const artifacts = { [`hall-console-${version}-setup.exe`]: Buffer.from(`MZ synthetic installer ${version} `.repeat(400)) };
  const manifest = manifestOf({
    version,
    counter,
    issuedAt: utc(Date.now() - 86_400_000),
    expiresAt: utc(Date.now() + 30 * 86_400_000),
    artifacts: Object.entries(artifacts).map(([n, c]) => artifactOf(n, c)),
  });
  return writeBundle(dir, bundleInput({ manifest, signers: [keyA, keyB] }), artifacts);
}

let env: E2eEnv;
let hub: RunningHubServer;
let root: string;
let usb: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hall-e2e-updates-'));
  usb = join(root, 'usb');
  release(join(usb, 'hall-console-1.4.0'), '1.4.0', 7);
  const tampered = release(join(usb, 'hall-console-1.5.0'), '1.5.0', 8);
  const exe = join(tampered, 'hall-console-1.5.0-setup.exe');
  const bytes = readFileSync(exe);
  bytes.writeUInt8(bytes.readUInt8(200) ^ 0x01, 200); // one bit flipped after signing
  writeFileSync(exe, bytes);
  release(join(root, 'hub-updates', 'r160'), '1.6.0', 9);
  hub = await startHubServer({ store: await SqliteHubStore.open({ file: ':memory:' }), port: 0, updatesDir: join(root, 'hub-updates') });
  env = await startE2e({ hubUrl: hub.url });
  // The keyset pinned at provisioning: 2 of the 2 keys.
  writeFileSync(join(env.app.info.dataDir, KEYSET_PIN_FILE), keysetPinBytes(keysetDocument([keyA, keyB], 2, 1)));
});
afterAll(async () => {
  await env?.close();
  await hub?.close();
  rmSync(root, { recursive: true, force: true });
});

async function settled(page: Page, selector: string): Promise<void> {
  await page.locator(selector).evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
}

/** Installs download, copy and hash: on a loaded CI machine that takes seconds, not vitest's default 1 s. */
const SLOW = { timeout: 20_000, interval: 200 };

const row = (page: Page, text: string) => page.getByTestId('update-bundles').locator('tr', { hasText: text });

async function confirm(page: Page, okText: RegExp) {
  await page.locator('.ant-modal-confirm').waitFor();
  await settled(page, '.ant-modal-confirm');
  await page.locator('.ant-modal-confirm').getByRole('button', { name: okText }).click();
  await expect.poll(() => page.locator('.ant-modal-wrap:visible, .ant-modal-mask:visible').count(), SLOW).toBe(0);
}

describe('软件更新 (technician)', () => {
  it('shows each bundle’s verification result, refuses the tampered one, installs from USB and hub, rolls back', async () => {
    const page = await env.newPage({ width: 1366, height: 1100 });
    await login(page, env.host.consoleUrl, 'tech01', DEMO_PASSWORD);
    const card = page.getByTestId('updates');
    await card.waitFor();
    await expect.poll(() => card.textContent(), SLOW).toContain('第 1 版（2 把密钥，需 2 个签名）');
    expect(await page.getByTestId('updates-current').textContent()).toBe('无');

    await page.getByTestId('usb-dir').fill(usb);
    await page.getByTestId('check-updates').click();
    await row(page, '1.6.0').waitFor();
    expect(await row(page, '1.4.0').getByTestId('bundle-verified').count()).toBe(1);
    expect(await row(page, '1.6.0').innerText()).toContain('中心平台');
    expect(await row(page, '1.6.0').getByTestId('bundle-verified').count()).toBe(1);
    const refused = row(page, '1.5.0');
    expect(await refused.innerText()).toContain('已拒绝');
    expect(await refused.getByTestId('bundle-reason').innerText()).toContain('安装文件校验值（SHA-512）不符：文件被改动或已损坏（artifact_hash');
    expect(await refused.getByTestId('install-bundle').isDisabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('updates-check'), fullPage: true });

    // Install 1.4.0 from the USB folder, after the confirmation.
    await row(page, '1.4.0').getByTestId('install-bundle').click();
    await page.locator('.ant-modal-confirm-title').getByText('安装 1.4.0（stable）？').waitFor();
    await settled(page, '.ant-modal-confirm');
    await page.screenshot({ path: screenshotPath('updates-confirm'), fullPage: true });
    await confirm(page, /验证并安装/);
    await expect.poll(() => page.getByTestId('updates-current').textContent(), SLOW).toContain('1.4.0');
    expect(await page.getByTestId('updates-message').innerText()).toContain('已验证并安装 1.4.0（计数 7）');

    // Then 1.6.0 from the hub: downloaded, verified here, 1.4.0 kept for rollback.
    await expect.poll(() => row(page, '1.4.0').innerText(), SLOW).toContain('该版本已经安装');
    await row(page, '1.6.0').getByTestId('install-bundle').click();
    await confirm(page, /验证并安装/);
    await expect.poll(() => page.getByTestId('updates-current').textContent(), SLOW).toContain('1.6.0');
    expect(await page.getByTestId('updates-previous').textContent()).toBe('1.4.0（stable，计数 7）');
    // 1.4.0 is now below the counter: refused as an old bundle.
    await expect.poll(() => row(page, '1.4.0').getByTestId('bundle-reason').innerText(), SLOW).toContain('版本计数不高于本机已安装的版本');

    // Rollback to the kept 1.4.0.
    await page.getByTestId('rollback').click();
    await page.locator('.ant-modal-confirm-title').getByText('回退到 1.4.0？').waitFor();
    await confirm(page, /回\s*退/);
    await expect.poll(() => page.getByTestId('updates-current').textContent(), SLOW).toContain('1.4.0');
    expect(await page.getByTestId('updates-previous').textContent()).toBe('无');
    expect(await page.getByTestId('rollback').isDisabled()).toBe(true);
    expect(await card.textContent()).toContain('防回退计数9');
    await page.screenshot({ path: screenshotPath('updates-rolled-back'), fullPage: true });

    // Audited, by the technician.
    const tech = env.app.store.users.getByUserName('tech01');
    const rows = [...env.app.store.audit.forSubject('update:1.4.0'), ...env.app.store.audit.forSubject('update:1.6.0')].sort((a, b) => a.id - b.id);
    expect(rows.map((r) => r.action)).toEqual(['update.install', 'update.install', 'update.rollback']);
    expect(new Set(rows.map((r) => r.actor))).toEqual(new Set([tech?.id]));
    expect(rows[1]?.detail).toMatchObject({ source: 'hub', version: '1.6.0', counter: 9 });
  });
});
