/** What a `hall` subcommand is. Each lives in bin/commands/ and is listed in bin/commands/index.ts. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export class UsageError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
}

export interface CommandContext {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  json: boolean;
  io: Io;
}

export interface Command {
  /** One or more words: `version`, `db info`. */
  name: string;
  summary: string;
  usage?: string;
  positionals?: boolean;
  options?: Record<string, OptionSpec>;
  /** Returns the exit code (default 0); throws for failure (one line on stderr, exit 1; UsageError → 2). */
  run(ctx: CommandContext): Promise<number | void> | number | void;
}

export function stringOption(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireOption(ctx: CommandContext, name: string): string {
  const v = stringOption(ctx, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** Print `value` as JSON with --json, else the human text. */
export function print(ctx: CommandContext, value: unknown, human: string): void {
  ctx.io.out(ctx.json ? JSON.stringify(value, null, 2) : human);
}
