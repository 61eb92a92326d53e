import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  REPORT_THRESHOLDS,
  chooseThreshold,
  errorRates,
  formatErrorTable,
  formatKindTable,
  summarizeByKind,
  thresholdGrid,
  type ScoredPair,
} from './calibration';
import { DEFAULT_FACE_MATCH_CONFIG } from './match-policy';

const pair = (same: boolean, similarity: number): ScoredPair => ({ a: 'a', b: 'b', same, kind: same ? 'genuine' : 'impostor', similarity });

describe('errorRates', () => {
  const pairs = [pair(true, 0.9), pair(true, 0.7), pair(true, 0.4), pair(false, 0.2), pair(false, 0.5), pair(false, 0.65)];
  it('counts impostors at or above the threshold and genuine pairs below it', () => {
    expect(errorRates(pairs, [0.5, 0.66])).toEqual([
      { threshold: 0.5, falseAccepts: 2, impostors: 3, falseRejects: 1, genuine: 3, far: 2 / 3, frr: 1 / 3 },
      { threshold: 0.66, falseAccepts: 0, impostors: 3, falseRejects: 1, genuine: 3, far: 0, frr: 1 / 3 },
    ]);
  });
  it('FAR never rises and FRR never falls as the threshold rises', () => {
    const rows = errorRates(pairs, thresholdGrid(0, 1, 0.01));
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.far).toBeLessThanOrEqual(rows[i - 1]!.far);
      expect(rows[i]!.frr).toBeGreaterThanOrEqual(rows[i - 1]!.frr);
    }
  });
});

describe('chooseThreshold', () => {
  it('takes the lowest threshold without false accepts, plus the margin', () => {
    const pairs = [pair(true, 0.9), pair(true, 0.6), pair(false, 0.55), pair(false, 0.3)];
    expect(chooseThreshold(pairs).threshold).toBe(0.57);
    expect(chooseThreshold(pairs, { margin: 0 }).threshold).toBe(0.56);
    expect(chooseThreshold(pairs, { maxFar: 0.5, margin: 0 }).threshold).toBe(0.31);
  });
  it('needs impostors', () => {
    expect(() => chooseThreshold([pair(true, 0.9)])).toThrow(/impostor/);
  });
});

describe('summaries and tables', () => {
  it('summarises per kind and prints markdown', () => {
    const s = summarizeByKind([pair(true, 0.4), pair(true, 0.8), pair(true, 0.6), pair(false, 0.1)]);
    expect(s).toEqual([
      { kind: 'genuine', count: 3, min: 0.4, median: 0.6, max: 0.8 },
      { kind: 'impostor', count: 1, min: 0.1, median: 0.1, max: 0.1 },
    ]);
    expect(formatKindTable(s)).toContain('| genuine | 3 | 0.40 | 0.60 | 0.80 |');
    expect(formatErrorTable(errorRates([pair(true, 0.7), pair(false, 0.2)], [0.6]), 0.6)).toContain('| 0.60 **(default)** | 0.0% | 0/1 | 0.0% | 0/1 |');
  });
});

describe('the measured calibration (calibration-data.json, from scripts/face-calibrate.ts)', () => {
  const data = JSON.parse(readFileSync(join(import.meta.dirname, 'calibration-data.json'), 'utf8')) as {
    engine: { modelVersion: string };
    pairs: ScoredPair[];
  };
  const readme = readFileSync(join(import.meta.dirname, 'README.md'), 'utf8');

  it('was measured with the model the default is for, on genuine and impostor pairs', () => {
    expect(data.engine.modelVersion).toBe(DEFAULT_FACE_MATCH_CONFIG.modelVersion);
    expect(data.pairs.filter((p) => p.same).length).toBeGreaterThanOrEqual(30);
    expect(data.pairs.filter((p) => !p.same).length).toBeGreaterThanOrEqual(100);
  });

  it('gives the default threshold by the documented rule, with no false accept', () => {
    const choice = chooseThreshold(data.pairs);
    expect(DEFAULT_FACE_MATCH_CONFIG.threshold).toBe(choice.threshold);
    expect(choice.row.falseAccepts).toBe(0);
  });

  it('is the table README.md shows', () => {
    expect(readme).toContain(formatErrorTable(errorRates(data.pairs, REPORT_THRESHOLDS), DEFAULT_FACE_MATCH_CONFIG.threshold));
    expect(readme).toContain(formatKindTable(summarizeByKind(data.pairs)));
  });
});
