/**
 * `hall hub`: the central hub (sync issue) and the technician's commands around it: publishing
 * reference data into its change log and adding or revoking a console by hand (enrollment with a
 * one-time code is the security issue). Every file is checked with zod before anything is written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CalendarFile } from '../../main/domain/calendar';
import { CatalogFile } from '../../main/domain/catalog';
import { CreditMeasure } from '../../main/domain/credit';
import { createLogger } from '../../main/log';
import { importConsolePublicKey } from '../../main/security/receipt-signature';
import { DEFAULT_HUB_HOST, DEFAULT_HUB_PORT, startHubServer } from '../../sync/hub/server';
import { DEFAULT_HUB_FILE, openHubStore, REFERENCE_BUCKETS, type ChangeInput, type HubStore, type ReferenceBucket } from '../../sync/hub/store';
import { print, requireOption, stringOption, UsageError, type Command } from '../command';

const dbOption = { db: { type: 'string', description: `hub database: a SQLite file (default ./${DEFAULT_HUB_FILE}) or postgres://…` } } as const;

/** A file's location for messages: the path as given. */
function readJsonFile(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
}

function checked<S extends z.ZodType>(raw: unknown, schema: S, what: string, file: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${what} ${file} is invalid: ${issue?.path.join('.') || '(file)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string, what: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate ${what} ${k}` });
    seen.add(k);
  });
}

/** The credit list the hub publishes: SHA-256 hashes of ID numbers (main/domain/credit.ts creditHash). */
export const CreditListFile = z
  .object({
    version: z.literal(1),
    listVersion: z.string().min(1).max(64),
    entries: z
      .array(
        z
          .object({
            idHash: z.string().regex(/^[0-9a-f]{64}$/, 'idHash must be 64 lower-case hex characters (creditHash)'),
            standing: z.enum(['good', 'normal', 'dishonest', 'watch']),
            measures: z.array(CreditMeasure).max(100),
          })
          .strict(),
      )
      .superRefine((entries, ctx) => uniqueBy(entries, (e) => e.idHash, 'idHash', ctx)),
  })
  .strict();

/** users and devices: a JSON array of objects, each with its own `id`. */
export const IdentifiedList = z
  .array(z.looseObject({ id: z.string().min(1).max(128).regex(/^[^\u0000-\u001f\u007f]+$/, 'id must be printable') }))
  .superRefine((items, ctx) => uniqueBy(items, (e) => e.id, 'id', ctx));

/**
 * Payment confirmations from the payment platform (缴费确认): the payment code printed on the 缴款通知
 * (the receipt number without dashes), the amount paid in fen, and when.
 */
export const PaymentsFile = z
  .object({
    version: z.literal(1),
    payments: z
      .array(
        z
          .object({
            paymentCode: z.string().regex(/^[A-Za-z0-9]{4,64}$/, 'paymentCode must be 4–64 letters or digits'),
            amountFen: z.number().int().nonnegative().max(1e12),
            paidAt: z.string().datetime({ offset: true }),
          })
          .strict(),
      )
      .min(1)
      .superRefine((items, ctx) => uniqueBy(items, (p) => p.paymentCode, 'paymentCode', ctx)),
  })
  .strict();

/** The changes one reference file becomes (one per item, keyed as docs/sync.md says). */
export function referenceChanges(bucket: ReferenceBucket, raw: unknown, file: string): ChangeInput[] {
  switch (bucket) {
    case 'catalog':
      return checked(raw, CatalogFile, 'catalog', file).items.map((item) => ({ op: 'put', key: item.code, value: item }));
    case 'calendar':
      return [{ op: 'put', key: 'calendar', value: checked(raw, CalendarFile, 'calendar', file) }];
    case 'credit': {
      const list = checked(raw, CreditListFile, 'credit list', file);
      return list.entries.map((e) => ({ op: 'put', key: e.idHash, value: { standing: e.standing, measures: e.measures, listVersion: list.listVersion } }));
    }
    case 'users':
    case 'devices':
      return checked(raw, IdentifiedList, `${bucket} list`, file).map((item) => ({ op: 'put', key: item.id, value: item }));
    case 'payments':
      return checked(raw, PaymentsFile, 'payments file', file).payments.map((p) => ({ op: 'put', key: p.paymentCode, value: { amountFen: p.amountFen, paidAt: p.paidAt } }));
  }
}

async function withStore<T>(db: string | undefined, fn: (store: HubStore) => Promise<T>): Promise<T> {
  const store = await openHubStore(db ?? DEFAULT_HUB_FILE);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The db as the user gave it, a file resolved against the working folder. */
export function dbArg(value: string | undefined): string {
  const db = value ?? DEFAULT_HUB_FILE;
  return /^postgres(ql)?:\/\//i.test(db) ? db : resolve(db);
}

/** Where the hub runs, for messages: never a PostgreSQL password. */
function describeDb(db: string): string {
  if (!/^postgres(ql)?:\/\//i.test(db)) return db;
  try {
    const url = new URL(db);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://…';
  }
}

export const hubCommand: Command = {
  name: 'hub',
  summary: 'run the central hub: consoles sync over ws://HOST:PORT/sync, GET /health (Ctrl+C stops it gracefully)',
  options: {
    ...dbOption,
    port: { type: 'string', description: `port (default ${DEFAULT_HUB_PORT}; 0 = any free port)` },
    host: { type: 'string', description: `address to listen on (default ${DEFAULT_HUB_HOST}; 0.0.0.0 for the halls' network)` },
    updates: { type: 'string', description: 'serve the signed update bundles in this folder (one sub-folder each) at GET /updates/index.json' },
  },
  async run(ctx) {
    const port = Number(stringOption(ctx, 'port') ?? String(DEFAULT_HUB_PORT));
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0–65535');
    const host = stringOption(ctx, 'host') ?? DEFAULT_HUB_HOST;
    const db = dbArg(stringOption(ctx, 'db'));
    const updates = stringOption(ctx, 'updates');
    if (updates !== undefined && !existsSync(updates)) throw new UsageError(`--updates ${updates} does not exist`);
    const logger = createLogger();
    const store = await openHubStore(db, { onError: (err) => logger.log('error', 'hub.store_error', { error: err instanceof Error ? err.message : String(err) }) });
    let server;
    try {
      server = await startHubServer({ store, port, host, logger, ...(updates !== undefined ? { updatesDir: resolve(updates) } : {}) });
    } catch (err) {
      await store.close();
      throw err;
    }
    const epoch = await store.epoch();
    const started = { url: server.url, health: `${server.origin}/health`, port: server.port, store: store.kind, db: describeDb(db), epoch, updates: updates !== undefined ? `${server.origin}/updates/index.json` : null };
    // One line with --json: a supervisor or test reads it while the hub keeps running.
    ctx.io.out(
      ctx.json
        ? JSON.stringify(started)
        : [`hall hub — ${server.url}  (health: ${started.health})`, `  store: ${store.kind} ${started.db}`, `  epoch: ${epoch}`, ...(started.updates ? [`  updates: ${started.updates}`] : []), '  Ctrl+C stops the hub.'].join('\n'),
    );
    await new Promise<void>((resolveStop) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolveStop();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    if (!ctx.json) ctx.io.out('hall hub stopped');
  },
};

export const hubPublishCommand: Command = {
  name: 'hub publish',
  usage: `<${REFERENCE_BUCKETS.join('|')}> --file FILE [--hall HALL] [--db FILE|postgres://URL]`,
  summary: 'publish reference data (catalog, calendar, credit, users, devices) or payment confirmations (payments) from a JSON file to every console',
  positionals: true,
  options: {
    ...dbOption,
    file: { type: 'string', description: 'the JSON file to publish' },
    hall: { type: 'string', description: 'publish for this hall only (default: every hall)' },
  },
  async run(ctx) {
    const [bucket, ...extra] = ctx.positionals;
    if (bucket === undefined || extra.length > 0 || !(REFERENCE_BUCKETS as readonly string[]).includes(bucket)) {
      throw new UsageError(`name one bucket: ${REFERENCE_BUCKETS.join(', ')}`);
    }
    const file = resolve(requireOption(ctx, 'file'));
    const changes = referenceChanges(bucket as ReferenceBucket, readJsonFile(file, `${bucket} file`), file);
    if (changes.length === 0) throw new Error(`${bucket} file ${file} has nothing to publish`);
    const hall = hallOf(ctx);
    const published = await withStore(dbArg(stringOption(ctx, 'db')), (store) => store.publish(bucket as ReferenceBucket, changes, { hallId: hall ?? null }));
    const serverSeq = published.at(-1)?.serverSeq ?? 0;
    print(ctx, { bucket, changes: published.length, serverSeq }, `${published.length} ${bucket} change(s) published (serverSeq up to ${serverSeq})`);
  },
};

export const HallIdOption = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'hall id must be 1–64 letters, digits, "_" or "-"');

function hallOf(ctx: Parameters<Command['run']>[0]): string | undefined {
  const raw = stringOption(ctx, 'hall');
  if (raw === undefined) return undefined;
  const parsed = HallIdOption.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'bad hall id');
  return parsed.data;
}

export const ConsoleIdOption = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'console id must be 1–64 letters, digits, "_" or "-"');

function consoleIdOf(ctx: Parameters<Command['run']>[0]): string {
  const parsed = ConsoleIdOption.safeParse(requireOption(ctx, 'id'));
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'bad console id');
  return parsed.data;
}

export const hubConsoleHallCommand: Command = {
  name: 'hub console hall',
  usage: '--id ID (--hall HALL | --none) [--db FILE|postgres://URL]',
  summary: 'put a console in a hall (it downloads what is published for that hall or every hall, and its hall_cases)',
  options: {
    ...dbOption,
    id: { type: 'string', description: 'console id, e.g. C03' },
    hall: { type: 'string', description: 'hall id' },
    none: { type: 'boolean', description: 'take it out of any hall' },
  },
  async run(ctx) {
    const consoleId = consoleIdOf(ctx);
    const hall = hallOf(ctx);
    if ((hall === undefined) === (ctx.values.none !== true)) throw new UsageError('give --hall HALL or --none');
    const found = await withStore(dbArg(stringOption(ctx, 'db')), (store) => store.setConsoleHall(consoleId, hall ?? null));
    if (!found) throw new Error(`console ${consoleId} is not enrolled at this hub`);
    print(ctx, { consoleId, hallId: hall ?? null }, hall ? `console ${consoleId} is in hall ${hall}` : `console ${consoleId} is in no hall`);
  },
};

export const hubConsoleAddCommand: Command = {
  name: 'hub console add',
  usage: '--id ID --public-key B64URL [--hall HALL] [--db FILE|postgres://URL]',
  summary: "add a console (or replace its key) by hand: its Ed25519 public key as base64url of the raw 32 bytes",
  options: {
    ...dbOption,
    id: { type: 'string', description: 'console id, e.g. C03' },
    'public-key': { type: 'string', description: "the console's public key (43 base64url characters)" },
    hall: { type: 'string', description: 'the hall it belongs to: it downloads what is published for that hall or every hall (docs/sync.md "Halls")' },
  },
  async run(ctx) {
    const consoleId = consoleIdOf(ctx);
    const publicKey = requireOption(ctx, 'public-key');
    if (importConsolePublicKey(publicKey) === null) throw new UsageError('--public-key is not an Ed25519 public key (base64url of the raw 32 bytes, 43 characters)');
    const hall = hallOf(ctx);
    const record = await withStore(dbArg(stringOption(ctx, 'db')), async (store) => {
      const r = await store.registerConsole(consoleId, publicKey);
      if (hall !== undefined) await store.setConsoleHall(consoleId, hall);
      return { ...r, hallId: hall ?? r.hallId };
    });
    print(
      ctx,
      { consoleId: record.consoleId, status: record.status, lastApplied: record.lastApplied, hallId: record.hallId },
      `console ${record.consoleId} is enrolled (${record.status})${record.hallId ? ` in hall ${record.hallId}` : ''}`,
    );
  },
};

export const hubConsoleRevokeCommand: Command = {
  name: 'hub console revoke',
  usage: '--id ID [--db FILE|postgres://URL]',
  summary: 'revoke a console for good: the hub refuses it from now on (re-enroll the machine under a new id)',
  options: { ...dbOption, id: { type: 'string', description: 'console id' } },
  async run(ctx) {
    const consoleId = consoleIdOf(ctx);
    const revoked = await withStore(dbArg(stringOption(ctx, 'db')), async (store) => {
      const done = await store.revokeConsole(consoleId);
      return { done, known: done || (await store.getConsole(consoleId)) !== null };
    });
    if (!revoked.done) throw new Error(revoked.known ? `console ${consoleId} is already revoked` : `console ${consoleId} is not enrolled at this hub`);
    print(ctx, { consoleId, status: 'revoked' }, `console ${consoleId} is revoked`);
  },
};

/**
 * The latest audit-chain head the hub accepted from a console (docs/security.md "Audit chain"): give
 * its `--json` output to `hall audit verify --hub-head-file` on the console's database, so a log whose
 * tail and signed heads were both deleted there still shows as truncated.
 */
export const hubAuditHeadCommand: Command = {
  name: 'hub audit-head',
  usage: '--id ID [--db FILE|postgres://URL] [--json]',
  summary: 'print the latest audit-chain head the hub accepted from a console ({lastId, hash, at}), for hall audit verify --hub-head',
  options: { ...dbOption, id: { type: 'string', description: 'console id' } },
  async run(ctx) {
    const consoleId = consoleIdOf(ctx);
    const found = await withStore(dbArg(stringOption(ctx, 'db')), async (store) => ({ head: await store.latestAuditHead(consoleId), known: (await store.getConsole(consoleId)) !== null }));
    if (found.head === null) throw new Error(found.known ? `console ${consoleId} has sent no audit head yet (one goes with each sync)` : `console ${consoleId} is not enrolled at this hub`);
    const { lastId, hash, at, appliedAt } = found.head;
    print(ctx, { consoleId, lastId, hash, at, appliedAt }, `console ${consoleId}: audit head row ${lastId}, hash ${hash}, signed ${at ?? '(no time)'}, accepted ${appliedAt}`);
  },
};

export const hubCommands: Command[] = [hubCommand, hubPublishCommand, hubConsoleAddCommand, hubConsoleHallCommand, hubConsoleRevokeCommand, hubAuditHeadCommand];
