import { benchIdcard, type BenchFigure } from '../../drivers/idcard/bench';
import { benchCounter } from '../../main/bench/counter';
import { print, UsageError, type Command } from '../command';

/** Benchmarks print figures in the shape github-action-benchmark reads. */
const BENCHES: Record<string, (runs: number | undefined, cases: number | undefined, log: (line: string) => void) => Promise<BenchFigure[]>> = {
  idcard: (runs) => benchIdcard(runs ? { runs } : {}),
  counter: (runs, cases, log) => benchCounter({ ...(runs ? { runs } : {}), ...(cases !== undefined ? { cases } : {}), log }),
};

function table(figures: BenchFigure[]): string {
  const rows = figures.map((f) => {
    const met = f.better === 'lower' ? f.value <= f.goal : f.value >= f.goal;
    return `${f.name.padEnd(34)} ${String(f.value).padStart(10)} ${f.unit.padEnd(6)} goal ${f.better === 'lower' ? '≤' : '≥'} ${f.goal} ${met ? 'ok' : 'MISSED'}`;
  });
  return rows.join('\n');
}

export const benchCommand: Command = {
  name: 'bench',
  summary: `run a benchmark: ${Object.keys(BENCHES).join(', ')} (figures with goals; exit 1 if a goal is missed)`,
  usage: '<name> [--runs N] [--cases N] [--json]',
  positionals: true,
  options: {
    runs: { type: 'string', description: 'repetitions (default per benchmark)' },
    cases: { type: 'string', description: 'counter: cases in the database first (default 1000000)' },
  },
  async run(ctx) {
    const name = ctx.positionals[0];
    if (!name || !BENCHES[name]) throw new UsageError(`name one of: ${Object.keys(BENCHES).join(', ')}`);
    const runsText = ctx.values.runs;
    const runs = typeof runsText === 'string' ? Number(runsText) : undefined;
    if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) throw new UsageError('--runs must be a positive integer');
    const casesText = ctx.values.cases;
    const cases = typeof casesText === 'string' ? Number(casesText) : undefined;
    if (cases !== undefined && (!Number.isInteger(cases) || cases < 0)) throw new UsageError('--cases must be a non-negative integer');
    const figures = await BENCHES[name](runs, cases, (line) => ctx.io.err(line));
    print(ctx, figures, table(figures));
    const missed = figures.filter((f) => (f.better === 'lower' ? f.value > f.goal : f.value < f.goal));
    return missed.length ? 1 : 0;
  },
};
