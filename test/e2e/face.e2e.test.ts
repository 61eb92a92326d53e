/**
 * 人证比对 end to end, in headless Chromium with its fake camera: the camera plays a y4m made at test
 * time from a photo of the man in Human's assets; the technician's self-test page
 * (/face/selftest.html, the same FaceCheck the clerk uses) compares it with another photo of him
 * (match) and with a woman from the same group photo (no_match). Figures are printed for the report.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FACE_MATCH_CONFIG, FaceCheckRecordSchema } from '../../drivers/camera/match-policy';
import type { FaceSample } from '../../renderer/face/engine';
import { faceJpeg, faceY4m } from '../fixtures/face/faces';
import { fakeCameraArgs, startE2e, type E2eEnv } from './harness';

/** Camera: the man in the facedetect demo; reference: him in an unrelated outdoor photo; impostor: a woman of the camera's own group photo. */
const CAMERA_FACE = 'man-facedetect';
const SAME_PERSON = 'man-collage-6';
const OTHER_PERSON = 'woman-g4-1';

let env: E2eEnv;
let dir: string;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hall-face-'));
  const y4m = join(dir, 'camera.y4m');
  writeFileSync(y4m, faceY4m(CAMERA_FACE));
  env = await startE2e({ extraChromiumArgs: fakeCameraArgs(y4m) });
  page = await env.newPage({ width: 1280, height: 900 });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|violates/i.test(m.text())) pageErrors.push(m.text());
  });
  await page.goto(`${env.host.origin}/face/selftest.html`);
});

afterAll(async () => {
  await env?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function useReference(id: string): Promise<void> {
  await page.locator('input[type="file"]').setInputFiles({ name: `${id}.jpg`, mimeType: 'image/jpeg', buffer: faceJpeg(id) });
  await page.locator('[data-testid="face-reference-status"][data-status="ready"]').waitFor({ timeout: 20_000 });
}

async function compare(): Promise<{ decision: string; score: number; text: string }> {
  const before = await page.getByTestId('face-record').textContent();
  await page.getByTestId('face-compare').click();
  await page.waitForFunction((prev) => {
    const text = document.querySelector('[data-testid="face-record"]')?.textContent ?? '';
    return text !== '' && text !== prev;
  }, before);
  const result = page.getByTestId('face-result');
  return {
    decision: (await result.getAttribute('data-decision')) ?? '',
    score: Number(await result.getAttribute('data-score')),
    text: (await result.textContent()) ?? '',
  };
}

async function lastRecord(): Promise<unknown> {
  return JSON.parse((await page.getByTestId('face-record').textContent()) ?? 'null');
}

describe('face check with the fake camera (self-test page)', () => {
  it('loads the wasm engine from local files and measures the live camera', async () => {
    const figures = await page.evaluate(() => window.hallFaceSelftest!.engine());
    expect(figures).toMatchObject({ backend: 'wasm', modelVersion: DEFAULT_FACE_MATCH_CONFIG.modelVersion });
    await page.getByTestId('face-video').waitFor();
    const frames: FaceSample[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await page.evaluate(() => window.hallFaceSelftest!.sampleVideo());
      expect(s, 'a face in the fake camera frame').not.toBeNull();
      frames.push(s!);
    }
    const ms = frames.map((f) => f.ms).sort((a, b) => a - b);
    expect(frames[0]!.embedding).toHaveLength(1024);
    console.log(
      `[face] setup ${Math.round(figures.setupMs)} ms, warm-up ${Math.round(figures.warmupMs)} ms; ` +
        `camera frame detect+embed ${ms.map(Math.round).join('/')} ms (median ${Math.round(ms[2]!)}); ` +
        `liveness ${frames[0]!.liveness?.toFixed(2)}, antispoof ${frames[0]!.antispoof?.toFixed(2)}`,
    );
    // The camera picker shows Chromium's fake device (labelled with the file it plays), remembered by label.
    await expect(page.evaluate(() => localStorage.getItem('hall.face.camera'))).resolves.toBe(join(dir, 'camera.y4m'));
    await expect(page.getByTestId('face-camera-select').textContent()).resolves.toContain('camera.y4m');
  });

  it('matches the live face with another photo of the same man', async () => {
    await useReference(SAME_PERSON);
    const r = await compare();
    console.log(`[face] same person (${CAMERA_FACE} camera vs ${SAME_PERSON}): ${r.decision} ${r.score}`);
    expect(r.decision).toBe('match');
    expect(r.score).toBeGreaterThanOrEqual(DEFAULT_FACE_MATCH_CONFIG.threshold);
    expect(r.text).toContain('人证比对通过');
    const record = FaceCheckRecordSchema.parse(await lastRecord());
    expect(record).toMatchObject({ decision: 'match', method: 'automatic', imagesKept: false, modelVersion: DEFAULT_FACE_MATCH_CONFIG.modelVersion, attempts: 1 });
  });

  it('refuses a different person', async () => {
    await useReference(OTHER_PERSON);
    const r = await compare();
    console.log(`[face] different person (${CAMERA_FACE} camera vs ${OTHER_PERSON}): ${r.decision} ${r.score}`);
    expect(r.decision).toBe('no_match');
    expect(r.score).toBeLessThan(DEFAULT_FACE_MATCH_CONFIG.threshold - DEFAULT_FACE_MATCH_CONFIG.retryBand);
    expect(r.text).toContain('比对未通过，请重新采集');
    expect(FaceCheckRecordSchema.parse(await lastRecord()).decision).toBe('no_match');
  });

  it('records a manual decision only with a reason', async () => {
    await page.getByTestId('face-manual').click();
    const ok = page.getByRole('button', { name: /确\s*认/ });
    await expect(ok.isDisabled()).resolves.toBe(true);
    await page.getByLabel('核验原因').fill('证件照年代久远，已核对户口簿');
    await ok.click();
    await page.locator('[data-testid="face-result"][data-method="manual"]').waitFor();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    const record = FaceCheckRecordSchema.parse(await lastRecord());
    expect(record).toMatchObject({ method: 'manual', decision: 'match', automaticDecision: 'no_match', manualReason: '证件照年代久远，已核对户口簿' });
    // Into the temp dir, not __screenshots__: the picture shows a real person's face.
    await page.screenshot({ path: process.env.FACE_SCREENSHOT ?? join(dir, 'face-selftest.png'), fullPage: true });
  });

  it('keeps no picture and breaks no CSP rule', async () => {
    const record = JSON.stringify(await lastRecord());
    expect(record).not.toMatch(/data:|blob:|base64/);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual(['hall.face.camera']);
    expect(pageErrors).toEqual([]);
  });
});
