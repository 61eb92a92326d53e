/**
 * `hall` — the technicians' and operators' command line (and what our own checks call).
 *
 * Conventions every subcommand follows:
 * - `--json` prints machine-readable JSON on stdout; otherwise a short human text.
 * - failure: exit code 1 (2 for usage errors) and exactly one line on stderr: `hall: <reason>`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type Command, type Io } from './command';
import { commands } from './commands';

const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'hall — 政务服务大厅工作台 command line',
    '',
    'Usage: hall <command> [options]   (every command takes --json and --help)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit status: 0 on success; 1 on failure, 2 on a usage error, with one line on stderr.',
  ].join('\n');
}

function commandHelp(command: Command): string {
  const opts = Object.entries(command.options ?? {}).map(([name, o]) => {
    const flag = o.type === 'boolean' ? `--${name}` : `--${name} <${o.type}>`;
    return `  ${flag.padEnd(22)} ${o.description}`;
  });
  return [`Usage: hall ${command.name} ${command.usage ?? '[options]'}`, '', command.summary, '', 'Options:', ...opts, `  ${'--json'.padEnd(22)} print JSON`, `  ${'--help'.padEnd(22)} this text`].join('\n');
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | null {
  // Longest match first, so `db info` wins over a hypothetical `db`.
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return null;
}

/**
 * `--name -value` for a string option becomes `--name=-value`. parseArgs calls a value that starts with
 * "-" ambiguous, and a base64url console key (`--public-key`) starts with "-" once in 64. A next word
 * that is one of the command's own options (`--db`, `-h`) stays an option: then the value is missing.
 */
export function joinDashValues(args: readonly string[], options: NonNullable<Command['options']>): string[] {
  const known = new Set(['--json', '--help', '-h', ...Object.entries(options).flatMap(([k, o]) => [`--${k}`, ...(o.short ? [`-${o.short}`] : [])])]);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && next !== undefined && next.startsWith('-') && next !== '--' && !known.has(next.split('=')[0]!)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(usage());
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`hall: unknown command "${argv.filter((a) => !a.startsWith('-')).join(' ')}" (try hall --help)`);
    return 2;
  }
  const { command, rest } = found;
  const config: ParseArgsConfig = {
    args: joinDashValues(rest, command.options ?? {}),
    allowPositionals: Boolean(command.positionals),
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      ...Object.fromEntries(Object.entries(command.options ?? {}).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }])),
    },
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    io.err(`hall ${command.name}: ${(err as Error).message.split('\n')[0]}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    return (await command.run({ values: parsed.values, positionals: parsed.positionals, json: Boolean(parsed.values.json), io })) ?? 0;
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    io.err(`hall ${command.name}: ${message}`);
    return err instanceof UsageError ? 2 : 1;
  }
}
