import { benchIdcard, type BenchFigure } from '../../drivers/idcard/bench';
import { benchCounter } from '../../main/bench/counter';
import { benchSync } from '../../main/bench/sync';
import { print, UsageError, type Command } from '../command';

/** Benchmarks print figures in the shape github-action-benchmark reads. */
interface BenchArgs {
  runs: number | undefined;
  cases: number | undefined;
  consoles: number | undefined;
  pg: string | undefined;
  log: (line: string) => void;
}

const BENCHES: Record<string, (args: BenchArgs) => Promise<BenchFigure[]>> = {
  idcard: ({ runs }) => benchIdcard(runs ? { runs } : {}),
  counter: ({ runs, cases, log }) => benchCounter({ ...(runs ? { runs } : {}), ...(cases !== undefined ? { cases } : {}), log }),
  sync: ({ runs, cases, consoles, pg, log }) =>
    benchSync({ ...(runs ? { fanoutRounds: runs } : {}), ...(cases ? { cases } : {}), ...(consoles ? { consoles } : {}), ...(pg !== undefined ? { pg } : {}), log }),
};

const isMissed = (f: BenchFigure): boolean => !f.skipped && !f.informational && (f.better === 'lower' ? f.value > f.goal : f.value < f.goal);

function table(figures: BenchFigure[]): string {
  const rows = figures.map((f) => {
    const goal = `goal ${f.better === 'lower' ? '≤' : '≥'} ${f.goal}`;
    if (f.skipped) return `${f.name.padEnd(34)} ${'—'.padStart(10)} ${f.unit.padEnd(6)} ${goal} SKIPPED: ${f.skipped}`;
    const verdict = f.informational ? 'peer (not ours)' : isMissed(f) ? 'MISSED' : 'ok';
    const limit = f.limit ? `\n${''.padEnd(35)}limit ${f.limit.value} ${f.limit.unit}: ${f.limit.what}` : '';
    return `${f.name.padEnd(34)} ${String(f.value).padStart(10)} ${f.unit.padEnd(6)} ${goal} ${verdict}${limit}`;
  });
  return rows.join('\n');
}

export const benchCommand: Command = {
  name: 'bench',
  summary: `run a benchmark: ${Object.keys(BENCHES).join(', ')} (figures with goals; exit 1 if a goal is missed)`,
  usage: '<name> [--runs N] [--cases N] [--consoles N] [--pg URL|skip] [--json]',
  positionals: true,
  options: {
    runs: { type: 'string', description: 'repetitions (default per benchmark)' },
    cases: { type: 'string', description: 'counter: cases in the database first (default 1000000); sync: cases made offline (default 10000)' },
    consoles: { type: 'string', description: 'sync: simulated consoles of the fan-out (default 500)' },
    pg: { type: 'string', description: 'sync: PostgreSQL URL for the ingest figure, or skip (default: HALL_TEST_PG_URL, else a throwaway local cluster)' },
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
    const consolesText = ctx.values.consoles;
    const consoles = typeof consolesText === 'string' ? Number(consolesText) : undefined;
    if (consoles !== undefined && (!Number.isInteger(consoles) || consoles < 1)) throw new UsageError('--consoles must be a positive integer');
    const pgText = ctx.values.pg;
    const pg = typeof pgText === 'string' ? pgText : undefined;
    if (pg !== undefined && pg !== 'skip' && !/^postgres(ql)?:\/\//i.test(pg)) throw new UsageError('--pg must be a postgres:// URL or skip');
    const figures = await BENCHES[name]({ runs, cases, consoles, pg, log: (line) => ctx.io.err(line) });
    print(ctx, figures, table(figures));
    return figures.some(isMissed) ? 1 : 0;
  },
};
