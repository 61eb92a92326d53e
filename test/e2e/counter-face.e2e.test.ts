/**
 * 实人 at the counter: a synthetic card carrying a photo of the man from Human's assets is placed on
 * the emulated reader; Chromium's fake camera plays another picture of him; F6 compares, and main
 * records the check (scores and decision, no pictures).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPhoto } from '../../drivers/emulators/cards';
import { DEMO_PASSWORD } from '../../main/services/demo-seed';
import { faceJpeg, faceY4m } from '../fixtures/face/faces';
import { fakeCameraArgs, login, startE2e, type E2eEnv } from './harness';

let env: E2eEnv;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hall-counter-face-'));
  const y4m = join(dir, 'camera.y4m');
  writeFileSync(y4m, faceY4m('man-facedetect'));
  env = await startE2e({ extraChromiumArgs: fakeCameraArgs(y4m) });
});
afterAll(async () => {
  await env?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('face check at the counter', () => {
  it('matches the live face with the card photo and records the check', async () => {
    const emulators = env.app.hardware.emulators!;
    const page = await env.newPage();
    await login(page, env.host.consoleUrl, 'clerk03', DEMO_PASSWORD, '3号窗口 · 综合受理（A区）');
    await page.getByTestId('counter-workspace').waitFor();
    const card = withPhoto(emulators.cards.resident, { mime: 'image/jpeg', bytes: faceJpeg('man-collage-6') }, emulators.photoLibrary);
    emulators.idcard.placeCard(card);
    await page.getByTestId('card-name').waitFor();

    await page.keyboard.press('F6');
    await page.locator('[data-testid="face-reference-status"][data-status="ready"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('face-compare').click();
    await page.getByTestId('face-recorded').waitFor({ timeout: 30_000 });
    const score = Number(await page.getByTestId('face-result').getAttribute('data-score'));
    console.log(`e2e counter face score = ${score}`);
    await expect(page.getByTestId('face-recorded').getAttribute('data-decision')).resolves.toBe('match');
    expect(env.app.store.faceChecks.count()).toBe(1);
    // A real person's photo (Human's sample assets): look at it, but keep it out of the repo.
    await page.screenshot({ path: join(tmpdir(), 'hall-counter-face.png') });
    emulators.idcard.removeCard();
  });
});
