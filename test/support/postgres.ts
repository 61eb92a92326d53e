/**
 * A PostgreSQL database for tests. With HALL_TEST_PG_URL (a server URL whose user may CREATE DATABASE,
 * e.g. what .ci/run exports) it creates a fresh database there; otherwise it starts a throwaway
 * cluster of its own from the Debian binaries (/usr/lib/postgresql/<v>/bin, or HALL_TEST_PG_BIN), run
 * as the `postgres` user when we are root. Missing binaries are an error, never a silent skip.
 *
 *   let db: TestDatabase;
 *   beforeAll(async () => { db = await createTestDatabase(); });
 *   afterAll(() => db.drop());
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './net';

export interface TestDatabase {
  /** postgres://… of the fresh database. */
  url: string;
  /** Drops the database, and stops the cluster when this module started it. */
  drop(): Promise<void>;
}

interface Cluster {
  /** URL of the `postgres` maintenance database. */
  serverUrl: string;
  stop(): void;
}

const HINT =
  'The hub store tests need a PostgreSQL server: install the Debian package (apt-get install postgresql-15; .ci/run does) ' +
  'or set HALL_TEST_PG_URL=postgres://user@host:port/postgres to a server where that user may CREATE DATABASE.';

/** Where initdb/pg_ctl live: HALL_TEST_PG_BIN, else /usr/lib/postgresql/15/bin, else the newest version installed. */
export function findPostgresBin(): string {
  const explicit = process.env.HALL_TEST_PG_BIN;
  const candidates: string[] = explicit ? [explicit] : ['/usr/lib/postgresql/15/bin'];
  if (!explicit && existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  }
  const found = candidates.find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b))));
  if (found === undefined) throw new Error(`PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in ${candidates.join(', ')}. ${HINT}`);
  return found;
}


function idOf(flag: '-u' | '-g', user: string): number {
  const r = spawnSync('id', [flag, user], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`we run as root, so PostgreSQL must run as the "${user}" user, which does not exist. ${HINT}`);
  return Number(r.stdout.trim());
}

/**
 * Starts a throwaway cluster (fsync off: test data only). `durable: true` keeps PostgreSQL's default
 * fsync/synchronous_commit, so commits cost what they cost on a real server (hall bench sync).
 */
export async function startCluster(options: { durable?: boolean } = {}): Promise<Cluster> {
  const bin = findPostgresBin();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'hall-pg-'));
  if (asRoot) chownSync(dir, idOf('-u', 'postgres'), idOf('-g', 'postgres'));
  const run = (tool: string, args: string[]): void => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    try {
      execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    } catch (err) {
      const out = err as { stderr?: Buffer; stdout?: Buffer };
      const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').slice(-2000) : '';
      throw new Error(`${tool} failed: ${String(out.stderr ?? '')}${String(out.stdout ?? '')}${log}`);
    }
  };
  const data = join(dir, 'data');
  let started = false;
  const stop = (): void => {
    process.off('exit', stop);
    if (started) {
      started = false;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const port = await freePort();
    const fast = options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${fast}`;
    run('pg_ctl', ['-D', data, '-w', '-t', '60', '-l', join(dir, 'log'), '-o', opts, 'start']);
    started = true;
    process.once('exit', stop);
    return { serverUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

/** A fresh database on HALL_TEST_PG_URL's server, or on a cluster started for this test file. */
export async function createTestDatabase(options: { durable?: boolean } = {}): Promise<TestDatabase> {
  const cluster: Cluster | null = process.env.HALL_TEST_PG_URL ? null : await startCluster(options);
  const serverUrl = process.env.HALL_TEST_PG_URL ?? cluster!.serverUrl;
  const name = `hall_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    cluster?.stop();
    throw new Error(`cannot create a test database on ${serverUrl}: ${err instanceof Error ? err.message : String(err)}. ${HINT}`);
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      if (cluster) {
        cluster.stop();
        return;
      }
      const c = new pg.Client({ connectionString: serverUrl });
      try {
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end().catch(() => {});
      }
    },
  };
}
