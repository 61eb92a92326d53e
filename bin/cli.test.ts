import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, SCHEMA_VERSION } from '../main/store/database';
import { main, usage } from './cli';
import type { Io } from './command';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hall-cli-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('hall CLI', () => {
  it('prints help listing every command', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toBe(usage());
    for (const name of ['version', 'host', 'db info', 'db migrate', 'calendar deadline', 'calendar import', 'catalog import', 'diag decode', 'diag devices', 'bench']) expect(usage()).toContain(`  ${name}`);
  });

  it('refuses an unknown command with exit 2 and one stderr line', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.stderr).toEqual(['hall: unknown command "frobnicate" (try hall --help)']);
  });

  it('refuses an unknown option with exit 2', async () => {
    const io = capture();
    expect(await main(['version', '--nope'], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/^hall version: /);
  });

  it('prints JSON with --json', async () => {
    const io = capture();
    expect(await main(['version', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout[0]!)).toMatchObject({ product: 'hall-console', schemaVersion: SCHEMA_VERSION });
  });

  it('migrates a new database and reports it current', async () => {
    const file = join(tempDir(), 'hall.sqlite');
    const io = capture();
    expect(await main(['db', 'migrate', '--db', file, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout[0]!)).toMatchObject({ from: 0, to: SCHEMA_VERSION });
    expect(await main(['db', 'info', '--db', file, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout[1]!)).toMatchObject({ schemaVersion: SCHEMA_VERSION, status: 'current' });
  });

  it('refuses a database from a newer version with one clear line and leaves it untouched', async () => {
    const dir = tempDir();
    const file = join(dir, 'hall.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE t (x INTEGER)');
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    const before = createHash('sha256').update(readFileSync(file)).digest('hex');
    for (const args of [['db', 'migrate', '--db', file], ['db', 'info', '--db', file]]) {
      const io = capture();
      expect(await main(args, io)).toBe(1);
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]).toContain(`schema version ${SCHEMA_VERSION + 5}`);
      expect(io.stderr[0]).not.toContain('\n');
    }
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before);
    expect(readdirSync(dir)).toEqual(['hall.sqlite']);
  });

  it('asks for a required option with exit 2', async () => {
    const io = capture();
    expect(await main(['db', 'info'], io)).toBe(2);
    expect(io.stderr).toEqual(['hall db info: --db is required']);
  });

  it('computes a deadline on a calendar file and warns about years without data', async () => {
    const file = join(tempDir(), 'calendar.json');
    writeFileSync(file, JSON.stringify({ version: 1, holidays: ['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-03', '2025-02-04'], workdays: ['2025-01-26'] }));
    const io = capture();
    expect(await main(['calendar', 'deadline', '--calendar', file, '--from', '2025-01-24', '--days', '3'], io)).toBe(0);
    expect(io.stdout).toEqual(['2025-02-05']);
    expect(await main(['calendar', 'deadline', '--calendar', file, '--from', '2025-12-30', '--days', '3', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout[1]!)).toEqual({ from: '2025-12-30', days: 3, due: '2026-01-02', warnings: ['no holiday data for 2026: counted Monday–Friday'] });
    const bad = capture();
    expect(await main(['calendar', 'deadline', '--calendar', file, '--from', '2025-02-30', '--days', '3'], bad)).toBe(2);
    writeFileSync(file, '{"version":1,"holidays":["soon"],"workdays":[]}');
    expect(await main(['calendar', 'deadline', '--calendar', file, '--from', '2025-01-24', '--days', '3'], bad)).toBe(1);
    expect(bad.stderr[1]).toMatch(/^hall calendar deadline: calendar .* is invalid: holidays\.0: /);
  });

  it('loads the catalog and the calendar of a new hall into its database, refusing an invalid file', async () => {
    const dir = tempDir();
    const db = join(dir, 'hall.sqlite');
    const catalog = new URL('../main/services/seed/catalog.sample.json', import.meta.url).pathname;
    const io = capture();
    expect(await main(['catalog', 'import', '--db', db, '--file', catalog, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout[0]!)).toEqual({ items: 7 });
    const calendar = join(dir, 'calendar.json');
    writeFileSync(calendar, JSON.stringify({ version: 1, holidays: ['2026-10-01'], workdays: ['2026-10-10'] }));
    expect(await main(['calendar', 'import', '--db', db, '--file', calendar], io)).toBe(0);
    expect(io.stdout[1]).toBe('calendar loaded: 1 holidays, 1 make-up workdays');
    const check = openDatabase(db);
    expect(check.sql.prepare('SELECT count(*) AS n FROM catalog_items').get()).toEqual({ n: 7 });
    expect(check.sql.prepare("SELECT value FROM settings WHERE key = 'calendar'").get()).toEqual({ value: '{"version":1,"holidays":["2026-10-01"],"workdays":["2026-10-10"]}' });
    check.close();
    writeFileSync(calendar, '{"version":1,"items":[{"code":"X"}]}');
    const bad = capture();
    expect(await main(['catalog', 'import', '--db', db, '--file', calendar], bad)).toBe(1);
    expect(bad.stderr[0]).toMatch(/^hall catalog import: catalog .* is invalid: items\.0\./);
  });

  it('benchmarks the counter on a small database (the 1M-case run is `hall bench counter`)', async () => {
    const io = capture();
    // The exit code says whether the goals were met: timing, not behaviour, so either is fine here.
    expect([0, 1]).toContain(await main(['bench', 'counter', '--cases', '2000', '--runs', '5', '--json'], io));
    const figures = JSON.parse(io.stdout[0]!) as { name: string }[];
    expect(figures.map((f) => f.name)).toEqual(['case.accept.p50', 'case.accept.p99', 'caselist.filter.p50', 'caselist.filter.p95']);
    expect(await main(['bench', 'counter', '--cases', '-1'], capture())).toBe(2);
  });

  it('decodes captured frames of each protocol, and refuses a bad one with the reason', async () => {
    const io = capture();
    expect(await main(['diag', 'decode', '--protocol', 'sam', '--hex', 'AAAAAA96690003200122', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout[0]!)).toMatchObject({ direction: 'host_to_reader' });
    expect(await main(['diag', 'decode', '--protocol', 'escpos', '--hex', '1B401C26B2E2CAD40A', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout[1]!)).toMatchObject({ text: expect.stringContaining('测试') });
    const bad = capture();
    expect(await main(['diag', 'decode', '--protocol', 'sam', '--hex', 'AAAAAA9669000800009F0000000098'], bad)).toBe(1);
    expect(bad.stderr).toEqual(['hall diag decode: checksum mismatch: expected 0x97, got 0x98']);
    expect(await main(['diag', 'decode', '--protocol', 'morse', '--hex', '00'], bad)).toBe(2);
    expect(await main(['diag', 'decode', '--protocol', 'hidpos', '--hex', 'zz'], bad)).toBe(1);
  });

  it('lists devices as JSON even on a machine with none', async () => {
    const io = capture();
    expect(await main(['diag', 'devices', '--json'], io)).toBe(0);
    expect(Object.keys(JSON.parse(io.stdout[0]!))).toEqual(['hid', 'serial', 'usbPrinters']);
  });

  it('benchmarks the card reader in the github-action-benchmark shape', async () => {
    const io = capture();
    expect(await main(['bench', 'idcard', '--runs', '2', '--json'], io)).toBe(0);
    const figures = JSON.parse(io.stdout[0]!) as { name: string; unit: string; value: number; goal: number; better: string }[];
    expect(figures.map((f) => f.name)).toContain('idcard.tap_to_record.p95');
    for (const f of figures) expect(f).toMatchObject({ unit: 'ms', goal: 1000, better: 'lower' });
    expect(await main(['bench', 'nothing'], capture())).toBe(2);
  });

  it('runs as an executable: bin/hall version --json, and a failure exits 1 with one line', () => {
    expect(existsSync('bin/hall')).toBe(true);
    const out = execFileSync('bin/hall', ['version', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject({ product: 'hall-console' });
    const failed = spawnSync('bin/hall', ['db', 'info', '--db', join(tempDir(), 'missing.sqlite')], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    expect(failed.stderr).toMatch(/^hall db info: no database at /);
  });
});
