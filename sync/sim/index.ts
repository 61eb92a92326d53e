/**
 * `hall sim sync`: many seeded fault-injection runs (run.ts) and their summary. Seeds are consecutive
 * from `seed`; a failing one is listed and reproduces exactly with `--seed S --runs 1`.
 */
import { runSyncSimulation, type SimOptions, type SimRunResult } from './run';

export { runSyncSimulation, type SimOptions, type SimRunResult } from './run';

export interface SimSummary {
  runs: number;
  lost: number;
  duplicated: number;
  divergent: number;
  stuck: number;
  seeds_failed: number[];
  /** Totals over the runs, for the note. */
  cases: number;
  faults: number;
  seconds: number;
}

export async function simulateSync(options: { seed: number; runs: number; onRun?: (result: SimRunResult) => void } & SimOptions): Promise<SimSummary> {
  const started = Date.now();
  const summary: SimSummary = { runs: 0, lost: 0, duplicated: 0, divergent: 0, stuck: 0, seeds_failed: [], cases: 0, faults: 0, seconds: 0 };
  for (let i = 0; i < options.runs; i++) {
    const result = await runSyncSimulation(options.seed + i, options);
    summary.runs++;
    summary.lost += result.lost;
    summary.duplicated += result.duplicated;
    summary.divergent += result.divergent;
    summary.stuck += result.stuck;
    summary.cases += result.cases;
    summary.faults += result.faults.length;
    if (!result.ok) summary.seeds_failed.push(result.seed);
    options.onRun?.(result);
  }
  summary.seconds = Math.round((Date.now() - started) / 100) / 10;
  return summary;
}
