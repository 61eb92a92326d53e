/** `hall sim sync`: seeded fault-injection runs of consoles and hub (sync/sim/, docs/sync.md "Fault injection"). */
import { simulateSync } from '../../sync/sim';
import { print, stringOption, UsageError, type Command } from '../command';

function positiveInt(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer`);
  return n;
}

export const simSyncCommand: Command = {
  name: 'sim sync',
  summary: 'seeded fault-injection runs: consoles + hub with network faults, crashes, lost fsync, backup restore, old schema, clock skew (exit 1 if any run fails)',
  usage: '[--seed N] [--runs R] [--keep] [--json]',
  options: {
    seed: { type: 'string', description: 'first seed (default 1); runs use seed, seed+1, …' },
    runs: { type: 'string', description: 'number of runs (default 20)' },
    keep: { type: 'boolean', description: "keep each run's database files (in the temp folder) for reading a failure" },
  },
  async run(ctx) {
    const seed = positiveInt(stringOption(ctx, 'seed'), 'seed', 1);
    const runs = positiveInt(stringOption(ctx, 'runs'), 'runs', 20);
    if (runs < 1) throw new UsageError('--runs must be at least 1');
    const summary = await simulateSync({
      seed,
      runs,
      keepFiles: ctx.values.keep === true,
      onRun: (r) => {
        ctx.io.err(`seed ${r.seed}: ${r.ok ? 'ok' : 'FAILED'} · ${r.consoles} consoles · ${r.cases} cases · ${r.faults.length} faults`);
        if (!r.ok) for (const line of [...r.faults, ...r.problems, ...r.errors].slice(0, 40)) ctx.io.err(`  ${line}`);
      },
    });
    const { runs: n, lost, duplicated, divergent, stuck, seeds_failed } = summary;
    print(
      ctx,
      { runs: n, lost, duplicated, divergent, stuck, seeds_failed },
      `runs ${n} · lost ${lost} · duplicated ${duplicated} · divergent ${divergent} · stuck ${stuck} · seeds failed ${seeds_failed.length ? seeds_failed.join(', ') : 'none'} (${summary.cases} cases, ${summary.faults} faults, ${summary.seconds} s)`,
    );
    return seeds_failed.length > 0 ? 1 : 0;
  },
};
