/**
 * Crash log: one JSON object per line in `<userData>/logs/crash.log`, rotated to `crash.log.1`
 * when it would exceed 1 MiB. Plain Node (no electron import) so it is unit tested.
 *
 * It is called from the places where things are already going wrong (uncaughtException, a renderer
 * or GPU process gone), so it writes synchronously (the process may be about to die) and it never
 * throws: a crash logger that crashes hides the first failure.
 *
 * Only error names, messages, truncated stacks and process reasons are written — never contract
 * inputs (they may hold names or ID numbers).
 */
import fs from 'node:fs';
import path from 'node:path';

export const CRASH_LOG_MAX_BYTES = 1024 * 1024;
const MAX_LINE_BYTES = 16 * 1024;
const MAX_STACK_CHARS = 4000;

export interface CrashLog {
  /** Append one record; returns false when it could not be written (never throws). */
  append(kind: string, fields?: Record<string, unknown>): boolean;
  readonly filePath: string;
}

export interface CrashLogOptions {
  maxBytes?: number;
  now?: () => Date;
  /** Injected for tests (e.g. a read-only or failing file system). */
  fsImpl?: Pick<typeof fs, 'mkdirSync' | 'statSync' | 'renameSync' | 'appendFileSync'>;
}

/** JSON.stringify that survives cycles, BigInt, functions and throwing getters. */
export function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'function' || typeof v === 'symbol') return undefined;
      if (v instanceof Error) return describeError(v);
      if (v !== null && typeof v === 'object') {
        if (seen.has(v)) return '[circular]';
        seen.add(v);
      }
      return v;
    });
  } catch {
    return JSON.stringify({ unserialisable: true });
  }
}

/** A plain description of anything thrown or rejected. */
export function describeError(err: unknown): { name: string; message: string; stack?: string } {
  try {
    if (err instanceof Error) {
      const out: { name: string; message: string; stack?: string } = {
        name: String(err.name),
        message: String(err.message).slice(0, 1000),
      };
      if (typeof err.stack === 'string') out.stack = err.stack.slice(0, MAX_STACK_CHARS);
      return out;
    }
    return { name: typeof err, message: String(err).slice(0, 1000) };
  } catch {
    return { name: 'unknown', message: 'unprintable error' };
  }
}

export function createCrashLog(logDir: string, opts: CrashLogOptions = {}): CrashLog {
  const maxBytes = opts.maxBytes ?? CRASH_LOG_MAX_BYTES;
  const now = opts.now ?? (() => new Date());
  const fsx = opts.fsImpl ?? fs;
  const filePath = path.join(logDir, 'crash.log');

  return {
    filePath,
    append(kind, fields = {}) {
      try {
        let line = safeStringify({ t: now().toISOString(), kind, pid: process.pid, ...fields });
        if (Buffer.byteLength(line, 'utf8') > MAX_LINE_BYTES) {
          line = safeStringify({ t: now().toISOString(), kind, pid: process.pid, truncated: true, head: line.slice(0, 2000) });
        }
        line += '\n';
        const lineBytes = Buffer.byteLength(line, 'utf8');
        fsx.mkdirSync(logDir, { recursive: true });
        let size = 0;
        try {
          size = fsx.statSync(filePath).size;
        } catch {
          size = 0; // no file yet
        }
        if (size > 0 && size + lineBytes > maxBytes) {
          fsx.renameSync(filePath, `${filePath}.1`); // replaces the previous generation
        }
        fsx.appendFileSync(filePath, line, { encoding: 'utf8', mode: 0o600 });
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** The part of `process` the handlers need; an EventEmitter in tests. */
export interface ProcessEvents {
  on(event: 'uncaughtException', listener: (err: unknown, origin?: string) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

/**
 * Log uncaught exceptions and unhandled rejections of the main process. Registering a listener
 * replaces Electron's default error dialog; `onFatal` decides what happens after an uncaught
 * exception has been logged (index.ts logs it and keeps running, as VS Code does).
 */
export function installProcessCrashHandlers(
  proc: ProcessEvents,
  crashLog: CrashLog,
  onFatal: (err: unknown) => void = () => {},
): void {
  proc.on('uncaughtException', (err, origin) => {
    crashLog.append('uncaughtException', { origin: origin ?? 'uncaughtException', error: describeError(err) });
    try {
      onFatal(err);
    } catch {
      // never let the fatal path throw from inside the handler
    }
  });
  proc.on('unhandledRejection', (reason) => {
    crashLog.append('unhandledRejection', { error: describeError(reason) });
  });
}
