import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CRASH_LOG_MAX_BYTES, createCrashLog, describeError, installProcessCrashHandlers, safeStringify, type ProcessEvents } from './crash-log';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hall-crash-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const readLines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('createCrashLog', () => {
  it('creates <dir>/crash.log (and the directory) and appends one JSON object per line', () => {
    const logDir = path.join(dir, 'logs', 'nested');
    const log = createCrashLog(logDir, { now: () => new Date('2026-03-01T08:00:00.000Z') });
    expect(log.filePath).toBe(path.join(logDir, 'crash.log'));
    expect(log.append('render-process-gone', { reason: 'crashed', exitCode: 139 })).toBe(true);
    expect(log.append('child-process-gone', { type: 'GPU' })).toBe(true);
    const lines = readLines(log.filePath);
    expect(lines).toEqual([
      { t: '2026-03-01T08:00:00.000Z', kind: 'render-process-gone', pid: process.pid, reason: 'crashed', exitCode: 139 },
      { t: '2026-03-01T08:00:00.000Z', kind: 'child-process-gone', pid: process.pid, type: 'GPU' },
    ]);
  });

  it.runIf(process.platform !== 'win32')('creates the file readable by the owner only', () => {
    const log = createCrashLog(dir);
    log.append('x');
    expect(fs.statSync(log.filePath).mode & 0o777).toBe(0o600);
  });

  it('defaults to a 1 MiB limit', () => {
    expect(CRASH_LOG_MAX_BYTES).toBe(1024 * 1024);
  });

  it('rotates to crash.log.1 before a line would cross the limit, keeping one old generation', () => {
    // each line is ~230 bytes: four fit under 1000, the fifth does not
    const log = createCrashLog(dir, { maxBytes: 1000, now: () => new Date('2026-03-01T08:00:00.000Z') });
    const filler = 'x'.repeat(150);
    for (let i = 0; i < 4; i++) log.append('fill', { i, filler });
    const sizeBefore = fs.statSync(log.filePath).size;
    expect(sizeBefore).toBeLessThanOrEqual(1000);
    expect(fs.existsSync(`${log.filePath}.1`)).toBe(false);

    log.append('fill', { i: 4, filler });
    expect(fs.existsSync(`${log.filePath}.1`)).toBe(true);
    expect(readLines(`${log.filePath}.1`).map((l) => l['i'])).toEqual([0, 1, 2, 3]);
    expect(readLines(log.filePath).map((l) => l['i'])).toEqual([4]);

    for (let i = 5; i < 20; i++) log.append('fill', { i, filler });
    // never more than two generations, each within the limit
    expect(fs.readdirSync(dir).sort()).toEqual(['crash.log', 'crash.log.1']);
    expect(fs.statSync(log.filePath).size).toBeLessThanOrEqual(1000);
    expect(fs.statSync(`${log.filePath}.1`).size).toBeLessThanOrEqual(1000);
    const last = readLines(log.filePath).map((l) => l['i']);
    expect(last[last.length - 1]).toBe(19);
  });

  it('rotates at the real 1 MiB default', () => {
    const log = createCrashLog(dir);
    fs.writeFileSync(log.filePath, 'y'.repeat(CRASH_LOG_MAX_BYTES - 10));
    log.append('after');
    expect(fs.statSync(`${log.filePath}.1`).size).toBe(CRASH_LOG_MAX_BYTES - 10);
    expect(readLines(log.filePath)).toHaveLength(1);
  });

  it('does not rotate an empty file even when a single line is larger than the limit', () => {
    const log = createCrashLog(dir, { maxBytes: 50 });
    expect(log.append('big', { s: 'z'.repeat(100) })).toBe(true);
    expect(fs.existsSync(`${log.filePath}.1`)).toBe(false);
  });

  it('truncates huge records instead of writing megabytes', () => {
    const log = createCrashLog(dir);
    log.append('huge', { blob: 'q'.repeat(100_000) });
    const [line] = readLines(log.filePath);
    expect(line).toMatchObject({ kind: 'huge', truncated: true });
    expect(fs.statSync(log.filePath).size).toBeLessThan(5000);
  });

  it('never throws: unwritable location', () => {
    const blocker = path.join(dir, 'file-not-dir');
    fs.writeFileSync(blocker, '');
    const log = createCrashLog(path.join(blocker, 'logs'));
    expect(() => log.append('x')).not.toThrow();
    expect(log.append('x')).toBe(false);
  });

  it('never throws: failing file system calls', () => {
    const boom = () => {
      throw new Error('EIO');
    };
    const log = createCrashLog(dir, {
      fsImpl: { mkdirSync: boom, statSync: boom, renameSync: boom, appendFileSync: boom } as never,
    });
    expect(log.append('x')).toBe(false);
    const log2 = createCrashLog(dir, {
      maxBytes: 1,
      fsImpl: { mkdirSync: () => undefined, statSync: () => ({ size: 10 }), renameSync: boom, appendFileSync: boom } as never,
    });
    expect(log2.append('x')).toBe(false);
  });

  it('never throws: hostile field values and a broken clock', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const hostile = {
      get boom() {
        throw new Error('getter');
      },
    };
    const log = createCrashLog(dir);
    expect(log.append('cyclic', { cyclic, big: 10n, fn: () => 1 })).toBe(true);
    expect(() => log.append('hostile', { hostile })).not.toThrow();
    const broken = createCrashLog(dir, {
      now: () => {
        throw new Error('clock');
      },
    });
    expect(broken.append('x')).toBe(false);
    const [first] = readLines(log.filePath);
    expect(first).toMatchObject({ kind: 'cyclic', cyclic: { a: 1, self: '[circular]' }, big: '10' });
  });
});

describe('describeError / safeStringify', () => {
  it('describes errors and non-errors', () => {
    const e = describeError(new TypeError('bad'));
    expect(e.name).toBe('TypeError');
    expect(e.message).toBe('bad');
    expect(e.stack).toContain('TypeError: bad');
    expect(describeError('plain')).toEqual({ name: 'string', message: 'plain' });
    expect(describeError(undefined)).toEqual({ name: 'undefined', message: 'undefined' });
  });

  it('caps stack and message length', () => {
    const err = new Error('m'.repeat(5000));
    err.stack = 's'.repeat(50_000);
    const d = describeError(err);
    expect(d.message.length).toBeLessThanOrEqual(1000);
    expect(d.stack!.length).toBeLessThanOrEqual(4000);
  });

  it('survives objects whose toString throws', () => {
    const evil = {
      toString() {
        throw new Error('no');
      },
    };
    expect(describeError(evil)).toEqual({ name: 'unknown', message: 'unprintable error' });
  });

  it('serialises errors nested in fields', () => {
    expect(JSON.parse(safeStringify({ e: new RangeError('r') }))).toMatchObject({ e: { name: 'RangeError', message: 'r' } });
  });
});

describe('installProcessCrashHandlers', () => {
  it('logs uncaught exceptions and unhandled rejections, and calls onFatal only for exceptions', () => {
    const proc = new EventEmitter();
    const log = createCrashLog(dir);
    const onFatal = vi.fn();
    installProcessCrashHandlers(proc as unknown as ProcessEvents, log, onFatal);

    proc.emit('uncaughtException', new Error('kaput'), 'uncaughtException');
    proc.emit('unhandledRejection', new Error('rejected'));
    proc.emit('unhandledRejection', 'just a string');

    const lines = readLines(log.filePath);
    expect(lines.map((l) => l['kind'])).toEqual(['uncaughtException', 'unhandledRejection', 'unhandledRejection']);
    expect(lines[0]).toMatchObject({ origin: 'uncaughtException', error: { name: 'Error', message: 'kaput' } });
    expect(lines[2]).toMatchObject({ error: { name: 'string', message: 'just a string' } });
    expect(onFatal).toHaveBeenCalledTimes(1);
  });

  it('swallows a throwing onFatal', () => {
    const proc = new EventEmitter();
    installProcessCrashHandlers(proc as unknown as ProcessEvents, createCrashLog(dir), () => {
      throw new Error('fatal handler broke');
    });
    expect(() => proc.emit('uncaughtException', new Error('x'))).not.toThrow();
  });
});
