/**
 * The documented calibration still holds for the built engine: every labelled pair of face fixtures
 * is measured again in headless Chromium and compared with drivers/camera/calibration-data.json
 * (which README.md's FAR/FRR table and the default threshold come from). A Human, tfjs or model
 * update that moves the scores fails here: re-run `npx tsx scripts/face-calibrate.ts --write`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseThreshold } from '../../drivers/camera/calibration';
import { DEFAULT_FACE_MATCH_CONFIG } from '../../drivers/camera/match-policy';
import { CALIBRATION_DATA, type CalibrationData } from '../../scripts/face-calibrate';
import { measureFixtures } from '../fixtures/face/measure';
import { startE2e, type E2eEnv } from './harness';

let env: E2eEnv;
beforeAll(async () => {
  env = await startE2e();
});
afterAll(async () => {
  await env?.close();
});

describe('face-match calibration (drivers/camera/README.md)', () => {
  it('reproduces the stored similarities and the default threshold', { timeout: 150_000 }, async () => {
    const stored = JSON.parse(readFileSync(CALIBRATION_DATA, 'utf8')) as CalibrationData;
    const page = await env.newPage();
    await page.goto(`${env.host.origin}/face/selftest.html`);
    const fresh = await measureFixtures(page);

    expect(fresh.engine.modelVersion).toBe(stored.engine.modelVersion);
    expect(Object.entries(fresh.samples).filter(([, s]) => s === null).map(([id]) => id)).toEqual([]);
    const before = new Map(stored.pairs.map((p) => [`${p.a}|${p.b}`, p.similarity]));
    expect(fresh.pairs).toHaveLength(stored.pairs.length);
    const drift = fresh.pairs.map((p) => Math.abs(p.similarity - (before.get(`${p.a}|${p.b}`) ?? Number.NaN)));
    expect(Math.max(...drift)).toBeLessThanOrEqual(0.02);
    expect(chooseThreshold(fresh.pairs).threshold).toBe(DEFAULT_FACE_MATCH_CONFIG.threshold);
  });
});
