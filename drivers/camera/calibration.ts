/**
 * Threshold calibration for the 1:1 face match: from labelled pairs (same person or not) and their
 * measured similarity, the false accept rate (FAR: different people scored ≥ threshold) and false
 * reject rate (FRR: the same person scored < threshold) per threshold, and the default's rule.
 *
 * The pairs are measured in the browser by the real engine (scripts/face-calibrate.ts); the result
 * is kept in calibration-data.json and summarised in README.md.
 */

export interface ScoredPair {
  a: string;
  b: string;
  same: boolean;
  /** Free label for reporting (genuine, impostor-male, …). */
  kind: string;
  similarity: number;
}

export interface ErrorRateRow {
  threshold: number;
  falseAccepts: number;
  impostors: number;
  falseRejects: number;
  genuine: number;
  far: number;
  frr: number;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

export function errorRates(pairs: readonly ScoredPair[], thresholds: readonly number[]): ErrorRateRow[] {
  const genuine = pairs.filter((p) => p.same);
  const impostors = pairs.filter((p) => !p.same);
  return thresholds.map((threshold) => {
    const falseAccepts = impostors.filter((p) => p.similarity >= threshold).length;
    const falseRejects = genuine.filter((p) => p.similarity < threshold).length;
    return {
      threshold,
      falseAccepts,
      impostors: impostors.length,
      falseRejects,
      genuine: genuine.length,
      far: impostors.length === 0 ? 0 : falseAccepts / impostors.length,
      frr: genuine.length === 0 ? 0 : falseRejects / genuine.length,
    };
  });
}

/** Thresholds from `from` to `to` inclusive in `step` (rounded to 2 decimals). */
export function thresholdGrid(from: number, to: number, step: number): number[] {
  if (!(step > 0) || to < from) throw new RangeError('bad threshold grid');
  const out: number[] = [];
  for (let i = 0; from + i * step <= to + 1e-9; i++) out.push(round2(from + i * step));
  return out;
}

/** The thresholds README.md's table shows. */
export const REPORT_THRESHOLDS: readonly number[] = [0.4, 0.45, 0.5, 0.55, 0.58, 0.59, 0.6, 0.61, 0.62, 0.65, 0.7];

export interface ThresholdChoice {
  threshold: number;
  row: ErrorRateRow;
}

/**
 * The rule for the default: security first. Take the lowest threshold (0.01 steps) at which the
 * false accept rate is ≤ maxFar, then add `margin` (the impostors we measured are few; an unseen one
 * may score a little higher). False rejects are handled by recapture and the clerk's 人工核验.
 */
export function chooseThreshold(pairs: readonly ScoredPair[], { maxFar = 0, margin = 0.01 } = {}): ThresholdChoice {
  if (!pairs.some((p) => !p.same)) throw new Error('calibration needs impostor pairs');
  const grid = thresholdGrid(0, 1, 0.01);
  const lowest = errorRates(pairs, grid).find((r) => r.far <= maxFar);
  const threshold = Math.min(1, round2((lowest?.threshold ?? 1) + margin));
  return { threshold, row: errorRates(pairs, [threshold])[0]! };
}

export interface KindSummary {
  kind: string;
  count: number;
  min: number;
  median: number;
  max: number;
}

export function summarizeByKind(pairs: readonly ScoredPair[]): KindSummary[] {
  const kinds = [...new Set(pairs.map((p) => p.kind))];
  return kinds.map((kind) => {
    const values = pairs
      .filter((p) => p.kind === kind)
      .map((p) => p.similarity)
      .sort((x, y) => x - y);
    const mid = Math.floor(values.length / 2);
    const median = values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
    return { kind, count: values.length, min: values[0]!, median: round2(median), max: values[values.length - 1]! };
  });
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** Markdown table of FAR/FRR per threshold (the one README.md shows). */
export function formatErrorTable(rows: readonly ErrorRateRow[], chosen?: number): string {
  const lines = ['| threshold | FAR | false accepts | FRR | false rejects |', '|---|---|---|---|---|'];
  for (const r of rows) {
    const mark = chosen !== undefined && Math.abs(r.threshold - chosen) < 1e-9 ? ' **(default)**' : '';
    lines.push(`| ${r.threshold.toFixed(2)}${mark} | ${pct(r.far)} | ${r.falseAccepts}/${r.impostors} | ${pct(r.frr)} | ${r.falseRejects}/${r.genuine} |`);
  }
  return lines.join('\n');
}

export function formatKindTable(summary: readonly KindSummary[]): string {
  const lines = ['| pairs | count | min | median | max |', '|---|---|---|---|---|'];
  for (const s of summary) lines.push(`| ${s.kind} | ${s.count} | ${s.min.toFixed(2)} | ${s.median.toFixed(2)} | ${s.max.toFixed(2)} |`);
  return lines.join('\n');
}
