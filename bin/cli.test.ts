import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { testClock } from '../main/domain/clock';
import { creditHash } from '../main/domain/credit';
import { generateConsoleSigningKey } from '../main/security/receipt-signature';
import { openDatabase, SCHEMA_VERSION } from '../main/store/database';
import type { SyncMessage } from '../sync/protocol';
import { createHubService } from '../sync/hub/session';
import { SqliteHubStore } from '../sync/hub/store/sqlite';
import { helloFor } from '../sync/hub/test-support';
import { joinDashValues, main, usage } from './cli';
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
    for (const name of ['version', 'host', 'db info', 'db migrate', 'calendar deadline', 'calendar import', 'catalog import', 'diag decode', 'diag devices', 'bench', 'sim sync', 'hub', 'hub publish', 'hub console add', 'hub console hall', 'hub console revoke']) expect(usage()).toContain(`  ${name}`);
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

  it('benchmarks sync at tiny sizes: a table with each limit, PostgreSQL skipped and said so', async () => {
    expect(await main(['bench', 'sync', '--pg', 'mysql://x'], capture())).toBe(2);
    expect(await main(['bench', 'sync', '--consoles', '0'], capture())).toBe(2);
    const io = capture();
    expect([0, 1]).toContain(await main(['bench', 'sync', '--cases', '100', '--consoles', '5', '--runs', '1', '--pg', 'skip'], io));
    const table = io.stdout.join('\n');
    expect(table).toMatch(/^hub\.ingest\.postgres\.per_s .* SKIPPED: PostgreSQL skipped \(--pg skip\)$/m);
    expect(table).toMatch(/^peer\.pouchdb\.10k\.s .* peer \(not ours\)$/m);
    expect(table).toMatch(/^ +limit \d+(\.\d+)? B: the case's outbox payloads as JSON/m);
  }, 60_000);

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

describe('option values that start with "-"', () => {
  it('are taken as the value of a string option unless they are one of the command\'s options', () => {
    const options = { 'public-key': { type: 'string' as const, description: '' }, db: { type: 'string' as const, description: '' }, force: { type: 'boolean' as const, description: '' } };
    expect(joinDashValues(['--public-key', '-Ab3', '--db', 'x'], options)).toEqual(['--public-key=-Ab3', '--db', 'x']);
    expect(joinDashValues(['--public-key', '--db', 'x'], options)).toEqual(['--public-key', '--db', 'x']); // missing value stays an error
    expect(joinDashValues(['--public-key', '--json'], options)).toEqual(['--public-key', '--json']);
    expect(joinDashValues(['--force', '-x'], options)).toEqual(['--force', '-x']); // a boolean takes no value
  });

  it('a console key starting with "-" (one in 64) is enrolled by hand like any other', async () => {
    let key = generateConsoleSigningKey();
    while (!key.publicKeyBase64Url.startsWith('-')) key = generateConsoleSigningKey();
    const dir = mkdtempSync(join(tmpdir(), 'hall-cli-dash-'));
    try {
      const io = capture();
      expect(await main(['hub', 'console', 'add', '--id', 'C03', '--public-key', key.publicKeyBase64Url, '--db', join(dir, 'hub.sqlite')], io)).toBe(0);
      expect(io.stdout.join('')).toContain('console C03 is enrolled');
      const missing = capture();
      expect(await main(['hub', 'console', 'add', '--id', 'C04', '--public-key', '--db', join(dir, 'hub.sqlite')], missing)).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hall hub', () => {
  const sampleCatalog = new URL('../main/services/seed/catalog.sample.json', import.meta.url).pathname;

  it('publishes reference data and adds a console; a session then sees the published changes', async () => {
    const dir = tempDir();
    const db = join(dir, 'hub.sqlite');
    const key = generateConsoleSigningKey();
    const io = capture();
    expect(await main(['hub', 'console', 'add', '--id', 'C03', '--public-key', key.publicKeyBase64Url, '--db', db, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout[0]!)).toEqual({ consoleId: 'C03', status: 'active', lastApplied: 0, hallId: null });
    expect(await main(['hub', 'publish', 'catalog', '--file', sampleCatalog, '--db', db, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout[1]!)).toMatchObject({ bucket: 'catalog', changes: 7 });

    const calendar = join(dir, 'calendar.json');
    writeFileSync(calendar, JSON.stringify({ version: 1, holidays: ['2026-10-01'], workdays: ['2026-10-10'] }));
    expect(await main(['hub', 'publish', 'calendar', '--file', calendar, '--db', db], io)).toBe(0);
    expect(io.stdout[2]).toMatch(/^1 calendar change\(s\) published/);
    const credit = join(dir, 'credit.json');
    const idHash = creditHash('110101199003070000');
    writeFileSync(credit, JSON.stringify({ version: 1, listVersion: '2026-11', entries: [{ idHash, standing: 'dishonest', measures: [{ text: '限制适用容缺受理', items: [] }] }] }));
    expect(await main(['hub', 'publish', 'credit', '--file', credit, '--db', db], io)).toBe(0);
    const users = join(dir, 'users.json');
    writeFileSync(users, JSON.stringify([{ id: 'clerk03', role: 'clerk' }, { id: 'super01', role: 'supervisor' }]));
    expect(await main(['hub', 'publish', 'users', '--file', users, '--db', db, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout.at(-1)!)).toMatchObject({ bucket: 'users', changes: 2 });

    const store = await SqliteHubStore.open({ file: db });
    try {
      const clock = testClock();
      const service = createHubService({ store, clock });
      const out: SyncMessage[] = [];
      const session = service.openSession((m) => {
        out.push(m);
      });
      await session.receive(JSON.stringify(helloFor({ consoleId: 'C03', key }, clock())));
      expect(out[0]).toMatchObject({ type: 'welcome', expectedSeq: 1 });
      for (const bucket of ['catalog', 'calendar', 'credit', 'users']) await session.receive(JSON.stringify({ type: 'pull', bucket, cursor: '' }));
      const changes = out.flatMap((m) => (m.type === 'changes' ? m.changes.map((c) => `${m.bucket}/${c.key}`) : []));
      expect(changes.filter((c) => c.startsWith('catalog/'))).toHaveLength(7);
      expect(changes).toEqual(expect.arrayContaining(['calendar/calendar', `credit/${idHash}`, 'users/clerk03', 'users/super01']));
      const creditChange = out.find((m) => m.type === 'changes' && m.bucket === 'credit');
      expect(creditChange).toMatchObject({ changes: [{ value: { standing: 'dishonest', listVersion: '2026-11' } }] });
      await service.close();
    } finally {
      await store.close();
    }
  });

  it('refuses bad files, buckets, keys and ids with one clear line', async () => {
    const dir = tempDir();
    const db = join(dir, 'hub.sqlite');
    const file = join(dir, 'f.json');
    const run = async (args: string[], code: number): Promise<string> => {
      const io = capture();
      expect(await main(args, io)).toBe(code);
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]).not.toContain('\n');
      return io.stderr[0]!;
    };
    writeFileSync(file, '{"version":1,"items":[{"code":"X"}]}');
    expect(await run(['hub', 'publish', 'catalog', '--file', file, '--db', db], 1)).toMatch(/^hall hub publish: catalog .* is invalid: items\.0\./);
    writeFileSync(file, JSON.stringify([{ id: 'a' }, { id: 'a' }]));
    expect(await run(['hub', 'publish', 'devices', '--file', file, '--db', db], 1)).toMatch(/duplicate id a/);
    writeFileSync(file, JSON.stringify({ version: 1, listVersion: 'x', entries: [{ idHash: '110101199003070000', standing: 'dishonest', measures: [] }] }));
    expect(await run(['hub', 'publish', 'credit', '--file', file, '--db', db], 1)).toMatch(/entries\.0\.idHash: idHash must be 64/);
    writeFileSync(file, '[]');
    expect(await run(['hub', 'publish', 'users', '--file', file, '--db', db], 1)).toMatch(/nothing to publish/);
    writeFileSync(file, JSON.stringify({ version: 1, payments: [{ paymentCode: '2026-A-1', amountFen: 100, paidAt: '2026-11-26T03:00:00Z' }] }));
    expect(await run(['hub', 'publish', 'payments', '--file', file, '--db', db], 1)).toMatch(/payments\.0\.paymentCode: paymentCode must be 4–64 letters or digits/);
    writeFileSync(file, JSON.stringify({ version: 1, payments: [{ paymentCode: '20261126A0001', amountFen: 8000, paidAt: '2026-11-26T03:00:00Z' }] }));
    const paid = capture();
    expect(await main(['hub', 'publish', 'payments', '--file', file, '--db', db], paid)).toBe(0);
    expect(paid.stdout[0]).toMatch(/^1 payments change\(s\) published/);
    expect(await run(['hub', 'publish', 'hall_cases', '--file', file, '--db', db], 2)).toMatch(/name one bucket/);
    expect(await run(['hub', 'publish', 'catalog', '--file', join(dir, 'missing.json'), '--db', db], 1)).toMatch(/cannot read catalog file/);
    expect(await run(['hub', 'console', 'add', '--id', 'C03', '--public-key', 'abc', '--db', db], 2)).toMatch(/not an Ed25519 public key/);
    expect(await run(['hub', 'console', 'add', '--id', 'C 03', '--public-key', generateConsoleSigningKey().publicKeyBase64Url, '--db', db], 2)).toMatch(/console id/);
    expect(await run(['hub', 'console', 'revoke', '--id', 'C09', '--db', db], 1)).toBe('hall hub console revoke: console C09 is not enrolled at this hub');

    const halls = capture();
    expect(await main(['hub', 'console', 'add', '--id', 'C07', '--public-key', generateConsoleSigningKey().publicKeyBase64Url, '--hall', 'hall-a', '--db', db], halls)).toBe(0);
    expect(await main(['hub', 'console', 'hall', '--id', 'C07', '--none', '--db', db], halls)).toBe(0);
    expect(await main(['hub', 'console', 'hall', '--id', 'C07', '--hall', 'hall-b', '--db', db], halls)).toBe(0);
    expect(halls.stdout).toEqual(['console C07 is enrolled (active) in hall hall-a', 'console C07 is in no hall', 'console C07 is in hall hall-b']);
    expect(await run(['hub', 'console', 'hall', '--id', 'C07', '--db', db], 2)).toMatch(/--hall HALL or --none/);
    expect(await run(['hub', 'console', 'hall', '--id', 'C07', '--hall', 'a b', '--db', db], 2)).toMatch(/hall id must be/);
    expect(await run(['hub', 'console', 'hall', '--id', 'C99', '--hall', 'x', '--db', db], 1)).toMatch(/not enrolled/);

    const io = capture();
    expect(await main(['hub', 'console', 'add', '--id', 'C03', '--public-key', generateConsoleSigningKey().publicKeyBase64Url, '--db', db], io)).toBe(0);
    expect(await main(['hub', 'console', 'revoke', '--id', 'C03', '--db', db], io)).toBe(0);
    expect(io.stdout).toEqual(['console C03 is enrolled (active)', 'console C03 is revoked']);
    expect(await run(['hub', 'console', 'revoke', '--id', 'C03', '--db', db], 1)).toMatch(/already revoked/);
    expect(await run(['hub', 'console', 'add', '--id', 'C03', '--public-key', generateConsoleSigningKey().publicKeyBase64Url, '--db', db], 1)).toMatch(/revoked/);
    // A console database is never opened as a hub.
    const consoleDb = join(dir, 'hall.sqlite');
    openDatabase(consoleDb).close();
    expect(await run(['hub', 'console', 'revoke', '--id', 'C03', '--db', consoleDb], 1)).toMatch(/not a hub database/);
  });

  it('runs as a process: serves /health, stops gracefully on SIGTERM', async () => {
    const dir = tempDir();
    const child = spawn('bin/hall', ['hub', '--db', join(dir, 'hub.sqlite'), '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const first = await new Promise<string>((resolveLine, reject) => {
        let buffered = '';
        child.stdout.on('data', (d: Buffer) => {
          buffered += d.toString('utf8');
          const nl = buffered.indexOf('\n');
          if (nl >= 0) resolveLine(buffered.slice(0, nl));
        });
        child.once('exit', (code) => reject(new Error(`hall hub exited early (${code})`)));
        setTimeout(() => reject(new Error('hall hub did not start within 15 s')), 15_000);
      });
      const started = JSON.parse(first) as { url: string; health: string; store: string };
      expect(started).toMatchObject({ store: 'sqlite', url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/sync$/) });
      const health = await (await fetch(started.health)).json();
      expect(health).toMatchObject({ ok: true, store: 'sqlite', sessions: 0 });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(join(dir, 'hub.sqlite'))).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('hall update', () => {
  const day = 86_400_000;
  /** Whole-second UTC, as manifests spell times. */
  const utc = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const artifacts: Record<string, Buffer> = { 'hall-console-1.4.0-setup.exe': Buffer.from('MZ installer '.repeat(500)), 'latest.yml': Buffer.from('version: 1.4.0\n') };

  function draft(overrides: Record<string, unknown> = {}): string {
    const manifest = {
      product: 'hall-console',
      version: '1.4.0',
      channel: 'stable',
      counter: 7,
      issuedAt: utc(Date.now() - day),
      expiresAt: utc(Date.now() + 30 * day),
      keysetVersion: 1,
      artifacts: Object.entries(artifacts).map(([name, content]) => ({ name, size: content.length, sha512: createHash('sha512').update(content).digest('hex') })),
      ...overrides,
    };
    return JSON.stringify(manifest, null, 2); // a technician's hand-written spelling; sign writes it canonical
  }

  async function run(args: string[], code: number): Promise<{ stdout: string[]; stderr: string[] }> {
    const io = capture();
    const got = await main(args, io);
    expect({ got, stderr: io.stderr }).toMatchObject({ got: code });
    if (code !== 0) {
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]).not.toContain('\n');
    }
    return io;
  }

  it('keygen → keyset → sign by two of three → verify; refusals with their reason', async () => {
    const dir = tempDir();
    const keys = join(dir, 'keys');
    for (const name of ['a', 'b', 'c']) {
      const io = await run(['update', 'keygen', '--out', keys, '--name', name, '--json'], 0);
      const made = JSON.parse(io.stdout[0]!) as { keyId: string; keyFile: string };
      expect(made.keyId).toMatch(/^[0-9a-f]{16}$/);
      if (process.platform !== 'win32') expect(statSync(made.keyFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(made.keyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    }
    expect((await run(['update', 'keygen', '--out', keys, '--name', 'a'], 1)).stderr[0]).toMatch(/^hall update keygen: update signing key file .*a\.key already exists/);
    const keyset = join(dir, 'keyset-v1.json');
    const pub = (n: string): string => join(keys, `${n}.pub.json`);
    expect((await run(['update', 'keyset', '--public', [pub('a'), pub('b'), pub('c')].join(','), '--threshold', '2', '--keyset-version', '1', '--out', keyset], 0)).stdout[0]).toMatch(/^keyset v1: 2 of 3 keys/);

    const bundle = join(dir, 'bundle');
    mkdirSync(bundle);
    for (const [name, content] of Object.entries(artifacts)) writeFileSync(join(bundle, name), content);
    const draftFile = join(dir, 'draft.json');
    writeFileSync(draftFile, draft());
    const first = await run(['update', 'sign', '--key', join(keys, 'a.key'), '--manifest', draftFile, '--out', bundle], 0);
    expect(first.stdout[0]).toMatch(/^signed hall-console 1\.4\.0 \(stable\), counter 7, keyset v1 with key [0-9a-f]{16}: 1 signature\(s\) in /);
    expect(readFileSync(join(bundle, 'manifest.json'), 'utf8')).toMatch(/^\{"artifacts":\[\{"name":"hall-console-1\.4\.0-setup\.exe","sha512":"[0-9a-f]{128}","size":6500\}/);

    const verify = (...extra: string[]): string[] => ['update', 'verify', bundle, '--keyset', keyset, ...extra];
    expect((await run(verify(), 1)).stderr).toEqual(['hall update verify: refused (below_threshold): manifest.json has 1 of the 2 required signatures of keyset v1']);
    // The second signer signs the bundle's own manifest.json.
    expect((await run(['update', 'sign', '--key', join(keys, 'c.key'), '--manifest', join(bundle, 'manifest.json')], 0)).stdout[0]).toMatch(/2 signature\(s\)/);
    const good = await run(verify(), 0);
    expect(good.stdout).toHaveLength(1);
    expect(good.stdout[0]).toMatch(/^ok: hall-console 1\.4\.0 \(stable\), counter 7, signed by 2 of keyset v1 \(threshold 2\), 2 artifact\(s\) verified, expires \d{4}-/);
    expect(JSON.parse((await run(verify('--json', '--installed-counter', '6'), 0)).stdout[0]!)).toMatchObject({ ok: true, version: '1.4.0', counter: 7, keysetVersion: 1, rotated: false });

    // Replayed: the console already has counter 7.
    expect((await run(verify('--installed-counter', '7'), 1)).stderr[0]).toMatch(/^hall update verify: refused \(rollback\): manifest counter 7 is not above the installed 7/);
    // A flipped byte in the installer; with --json the refusal is also on stdout.
    const exe = join(bundle, 'hall-console-1.4.0-setup.exe');
    const bytes = readFileSync(exe);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(exe, bytes);
    const tampered = await run(verify('--json'), 1);
    expect(tampered.stderr[0]).toBe('hall update verify: refused (artifact_hash): artifact hall-console-1.4.0-setup.exe does not match its SHA-512: it was altered or damaged');
    expect(JSON.parse(tampered.stdout[0]!)).toMatchObject({ ok: false, code: 'artifact_hash' });
    // A signer refuses to vouch for it, and a different manifest cannot join the signed bundle.
    expect((await run(['update', 'sign', '--key', join(keys, 'b.key'), '--manifest', join(bundle, 'manifest.json')], 1)).stderr[0]).toMatch(/does not match the manifest .*refusing to sign/);
    writeFileSync(exe, artifacts['hall-console-1.4.0-setup.exe']!);
    writeFileSync(draftFile, draft({ counter: 8 }));
    expect((await run(['update', 'sign', '--key', join(keys, 'b.key'), '--manifest', draftFile, '--out', bundle], 1)).stderr[0]).toMatch(/already signed by 2 key\(s\): remove .*manifest\.sig\.json/);
    // Truncated in the copy to the USB stick.
    writeFileSync(exe, artifacts['hall-console-1.4.0-setup.exe']!.subarray(0, 4096));
    expect((await run(verify(), 1)).stderr[0]).toMatch(/^hall update verify: refused \(truncated\): artifact hall-console-1\.4\.0-setup\.exe is truncated: 4096 of 6500 bytes/);

    // A mistyped key path is an error, never a new key.
    expect((await run(['update', 'sign', '--key', join(keys, 'typo.key'), '--manifest', draftFile], 1)).stderr[0]).toMatch(/typo\.key does not exist/);
    expect(existsSync(join(keys, 'typo.key'))).toBe(false);
    // Usage errors.
    await run(['update', 'verify', '--keyset', keyset], 2);
    await run(['update', 'sign', '--key', join(keys, 'a.key'), '--manifest', draftFile, '--keyset', keyset], 2);
    await run(verify('--installed-counter', '-1'), 2);
    for (const name of ['update keygen', 'update keyset', 'update sign', 'update verify']) expect(usage()).toContain(`  ${name}`);
  });

  it('rotates keys: the new keyset signed by the old threshold is accepted, signed by the new keys alone refused', async () => {
    const dir = tempDir();
    const keys = join(dir, 'keys');
    for (const name of ['a', 'b', 'c', 'd', 'e']) await run(['update', 'keygen', '--out', keys, '--name', name], 0);
    const pub = (...names: string[]): string => names.map((n) => join(keys, `${n}.pub.json`)).join(',');
    const v1 = join(dir, 'keyset-v1.json');
    const v2 = join(dir, 'keyset-v2.json');
    await run(['update', 'keyset', '--public', pub('a', 'b', 'c'), '--threshold', '2', '--keyset-version', '1', '--out', v1], 0);
    await run(['update', 'keyset', '--public', pub('c', 'd', 'e'), '--threshold', '2', '--keyset-version', '2', '--out', v2], 0);

    const bundle = join(dir, 'bundle');
    mkdirSync(bundle);
    for (const [name, content] of Object.entries(artifacts)) writeFileSync(join(bundle, name), content);
    const draftFile = join(dir, 'draft.json');
    writeFileSync(draftFile, draft({ keysetVersion: 2, counter: 8 }));
    for (const k of ['d', 'e']) await run(['update', 'sign', '--key', join(keys, `${k}.key`), '--manifest', draftFile, '--out', bundle], 0);
    // Only the new keys vouch for the change: refused.
    for (const k of ['d', 'e']) await run(['update', 'sign', '--key', join(keys, `${k}.key`), '--keyset', v2, '--out', bundle], 0);
    expect((await run(['update', 'verify', bundle, '--keyset', v1], 1)).stderr[0]).toMatch(/^hall update verify: refused \(keyset_rotation_invalid\): keyset change refused: .*not in keyset v1/);
    // Signed by two of the old keys: accepted, and the summary says the keys rotated.
    rmSync(join(bundle, 'keyset.sig.json'));
    for (const k of ['a', 'b']) expect((await run(['update', 'sign', '--key', join(keys, `${k}.key`), '--keyset', v2, '--out', bundle], 0)).stdout[0]).toMatch(/^signed keyset change to v2 \(2 of 3\)/);
    expect((await run(['update', 'verify', bundle, '--keyset', v1], 0)).stdout[0]).toMatch(/signed by 2 of keyset v2 \(threshold 2\), keys rotated to v2, 2 artifact/);
    // A console that already pins v2 verifies the same bundle without rotating.
    expect((await run(['update', 'verify', bundle, '--keyset', v2, '--json'], 0)).stdout[0]).toContain('"rotated": false');
  });
});
