/**
 * Minimal structured logger. Callers pass event names and non-personal fields only; the logger
 * never receives inputs of contract calls (they may carry names or ID numbers).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
}

export type LogSink = (line: string) => void;

export function createLogger(sink: LogSink = (line) => process.stderr.write(`${line}\n`), minLevel: LogLevel = 'info'): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return {
    log(level, event, fields = {}) {
      if (order[level] < order[minLevel]) return;
      sink(JSON.stringify({ t: new Date().toISOString(), level, event, ...fields }));
    },
  };
}

/** A logger that keeps lines in memory; tests assert on it. */
export function createMemoryLogger(): Logger & { lines: { level: LogLevel; event: string; fields: Record<string, unknown> }[] } {
  const lines: { level: LogLevel; event: string; fields: Record<string, unknown> }[] = [];
  return {
    lines,
    log(level, event, fields = {}) {
      lines.push({ level, event, fields });
    },
  };
}
