/**
 * `hall update …`: the technician's side of signed updates (docs/security.md, "Signed updates").
 * keygen makes an Ed25519 signing key; keyset writes the keyset document from public keys; sign adds
 * one key's signature to a bundle (manifest, or a keyset change); verify checks a bundle as the
 * console will before installing it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { DATABASE_FILE } from '../../main/app';
import { systemClock } from '../../main/domain/clock';
import { openDatabase } from '../../main/store/database';
import { AuditLogRepository } from '../../main/store/repositories/audit-log';
import { OutboxRepository } from '../../main/store/repositories/outbox';
import { pendingApply, readApplyRecord, resetApplyAttempts, type ApplyDecision } from '../../main/update/apply';
import { UpdateInstaller, type InstalledVersion, type UpdateStatus } from '../../main/update/install';
import { UpdateInstallError } from '../../main/update/reasons';
import { canonicalJsonBytes } from '../../main/update/canonical-json';
import {
  firstIssue,
  KEYSET_FILE,
  KEYSET_SIG_FILE,
  KeysetDocument,
  MANIFEST_FILE,
  MANIFEST_SIG_FILE,
  MAX_KEYSET_BYTES,
  MAX_MANIFEST_BYTES,
  MAX_SIGNATURE_FILE_BYTES,
  PublicKeyEntry,
  SignatureFile,
  UpdateManifest,
} from '../../main/update/manifest';
import { createUpdateSigningKey, describeArtifact, loadUpdateSigningKey, signKeysetBytes, signManifestBytes, withSignature } from '../../main/update/sign';
import { parseKeyset, readLimited, verifyBundle } from '../../main/update/verify';
import { print, requireOption, stringOption, UsageError, type Command, type CommandContext } from '../command';
import { packageVersion } from './version';

async function readJson<S extends z.ZodType>(file: string, maxBytes: number, schema: S, what: string): Promise<z.output<S>> {
  const read = await readLimited(file, maxBytes);
  if (!read.ok) throw new Error(`cannot read ${what}: ${read.message}`);
  let raw: unknown;
  try {
    raw = JSON.parse(read.bytes.toString('utf8'));
  } catch {
    throw new Error(`${what} ${file} is not valid JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${what} ${file} is invalid: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/** Write-then-rename, so a reader never sees half a file. */
function writeAtomic(path: string, content: Buffer | string): void {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, content, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, path);
  } catch (err) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw err;
  }
}

export const updateKeygenCommand: Command = {
  name: 'update keygen',
  summary: 'create an Ed25519 update signing key (0600) and its public key file',
  options: {
    out: { type: 'string', description: 'folder for <name>.key and <name>.pub.json (created 0700)' },
    name: { type: 'string', description: 'file name stem (default update-signing)' },
  },
  run(ctx) {
    const dir = requireOption(ctx, 'out');
    const name = stringOption(ctx, 'name') ?? 'update-signing';
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new UsageError('--name must be 1–64 letters, digits, ".", "_" or "-"');
    const keyFile = join(dir, `${name}.key`);
    const pubFile = join(dir, `${name}.pub.json`);
    const key = createUpdateSigningKey(keyFile);
    writeAtomic(pubFile, `${JSON.stringify(key.publicEntry, null, 2)}\n`);
    print(ctx, { ...key.publicEntry, keyFile, publicKeyFile: pubFile }, `key ${key.publicEntry.keyId}: private key ${keyFile} (0600, keep it offline), public key ${pubFile}`);
  },
};

export const updateKeysetCommand: Command = {
  name: 'update keyset',
  summary: 'write a keyset document (k of n update signing keys) from public key files',
  options: {
    public: { type: 'string', description: 'comma-separated <name>.pub.json files from hall update keygen' },
    threshold: { type: 'string', description: 'signatures required (k)' },
    'keyset-version': { type: 'string', description: 'keyset version: 1, then +1 at each rotation' },
    out: { type: 'string', description: 'the keyset file to write (JSON)' },
  },
  async run(ctx) {
    const files = requireOption(ctx, 'public').split(',').filter((f) => f !== '');
    const threshold = positiveInt(requireOption(ctx, 'threshold'), '--threshold');
    const keysetVersion = positiveInt(requireOption(ctx, 'keyset-version'), '--keyset-version');
    const out = requireOption(ctx, 'out');
    const keys = [];
    for (const file of files) keys.push(await readJson(file, 4096, PublicKeyEntry, 'public key file'));
    const parsed = KeysetDocument.safeParse({ keysetVersion, threshold, keys });
    if (!parsed.success) throw new Error(`keyset is invalid: ${firstIssue(parsed.error)}`);
    mkdirSync(dirname(resolve(out)), { recursive: true });
    writeAtomic(out, canonicalJsonBytes(parsed.data));
    print(ctx, parsed.data, `keyset v${keysetVersion}: ${threshold} of ${keys.length} keys (${keys.map((k) => k.keyId).join(', ')}) written to ${out}`);
  },
};

function positiveInt(text: string, name: string): number {
  if (!/^[1-9]\d{0,14}$/.test(text)) throw new UsageError(`${name} must be a positive integer`);
  return Number(text);
}

export const updateSignCommand: Command = {
  name: 'update sign',
  summary: "add one key's signature to an update bundle (the manifest, or a keyset change with --keyset)",
  options: {
    key: { type: 'string', description: 'update signing key file (hall update keygen)' },
    manifest: { type: 'string', description: 'the manifest to sign (JSON; written to the bundle in canonical form)' },
    keyset: { type: 'string', description: 'instead of a manifest: the new keyset to sign with a key of the current one' },
    out: { type: 'string', description: "the bundle folder (default: the manifest's or keyset's folder)" },
  },
  async run(ctx) {
    const keyPath = requireOption(ctx, 'key');
    const manifestPath = stringOption(ctx, 'manifest');
    const keysetPath = stringOption(ctx, 'keyset');
    if ((manifestPath === undefined) === (keysetPath === undefined)) throw new UsageError('give exactly one of --manifest and --keyset');
    const source = (manifestPath ?? keysetPath)!;
    const dir = stringOption(ctx, 'out') ?? dirname(source);
    const key = loadUpdateSigningKey(keyPath);
    const keyId = key.publicEntry.keyId;

    let bytes: Buffer;
    let target: string;
    let sigPath: string;
    let sig: string;
    let summary: string;
    const warnings: string[] = [];
    if (manifestPath !== undefined) {
      const manifest = await readJson(manifestPath, MAX_MANIFEST_BYTES, UpdateManifest, 'manifest');
      bytes = canonicalJsonBytes(manifest);
      target = join(dir, MANIFEST_FILE);
      sigPath = join(dir, MANIFEST_SIG_FILE);
      sig = signManifestBytes(key, bytes);
      summary = `${manifest.product} ${manifest.version} (${manifest.channel}), counter ${manifest.counter}, keyset v${manifest.keysetVersion}`;
      // The signer vouches for the artifacts: those already in the folder must match the manifest.
      for (const artifact of manifest.artifacts) {
        const path = join(dir, artifact.name);
        if (!existsSync(path)) {
          warnings.push(`artifact ${artifact.name} is not in ${dir} yet`);
          continue;
        }
        const actual = await describeArtifact(path);
        if (actual.size !== artifact.size || actual.sha512 !== artifact.sha512) {
          throw new Error(`artifact ${path} does not match the manifest (${actual.size} bytes, the manifest says ${artifact.size}${actual.size === artifact.size ? '; SHA-512 differs' : ''}): refusing to sign`);
        }
      }
    } else {
      const keyset = await readJson(keysetPath!, MAX_KEYSET_BYTES, KeysetDocument, 'keyset');
      bytes = canonicalJsonBytes(keyset);
      target = join(dir, KEYSET_FILE);
      sigPath = join(dir, KEYSET_SIG_FILE);
      sig = signKeysetBytes(key, bytes);
      summary = `keyset change to v${keyset.keysetVersion} (${keyset.threshold} of ${keyset.keys.length})`;
    }

    const existingSigs = existsSync(sigPath) ? await readJson(sigPath, MAX_SIGNATURE_FILE_BYTES, SignatureFile, 'signature file') : null;
    const existing = existsSync(target) ? await readLimited(target, Math.max(MAX_MANIFEST_BYTES, MAX_KEYSET_BYTES)) : null;
    const changed = existing === null || !existing.ok || !existing.bytes.equals(bytes);
    if (changed && existing !== null && existingSigs !== null && existingSigs.signatures.length > 0) {
      throw new Error(`${target} differs from ${source} and is already signed by ${existingSigs.signatures.length} key(s): remove ${sigPath} to start a new bundle`);
    }
    mkdirSync(dir, { recursive: true });
    if (changed) writeAtomic(target, bytes);
    const sigs = withSignature(existingSigs, keyId, sig);
    writeAtomic(sigPath, `${JSON.stringify(sigs, null, 2)}\n`);
    const value = { signed: target, keyId, signatures: sigs.signatures.map((s) => s.keyId), signatureFile: sigPath, warnings };
    print(ctx, value, [`signed ${summary} with key ${keyId}: ${sigs.signatures.length} signature(s) in ${sigPath}`, ...warnings.map((w) => `warning: ${w}`)].join('\n'));
  },
};

export const updateVerifyCommand: Command = {
  name: 'update verify',
  summary: 'check an update bundle (signatures, threshold, keyset change, expiry, counter, artifacts) as the console does',
  usage: 'BUNDLE --keyset FILE [--installed-counter N] [--json]',
  positionals: true,
  options: {
    keyset: { type: 'string', description: 'the keyset this console pins (JSON)' },
    'installed-counter': { type: 'string', description: 'highest counter installed so far (default 0)' },
  },
  async run(ctx) {
    if (ctx.positionals.length !== 1) throw new UsageError('name exactly one bundle folder');
    const bundle = ctx.positionals[0]!;
    const keysetFile = requireOption(ctx, 'keyset');
    const counterText = stringOption(ctx, 'installed-counter') ?? '0';
    if (!/^\d{1,15}$/.test(counterText)) throw new UsageError('--installed-counter must be a non-negative integer');
    const read = await readLimited(keysetFile, MAX_KEYSET_BYTES);
    if (!read.ok) throw new Error(`cannot read keyset: ${read.message}`);
    const keyset = parseKeyset(read.bytes);
    if (!keyset.ok) throw new Error(`keyset ${keysetFile} is invalid: ${keyset.message}`);

    const result = await verifyBundle(bundle, { trustedKeyset: keyset.keyset, installedCounter: Number(counterText), now: systemClock() });
    if (!result.ok) {
      if (ctx.json) ctx.io.out(JSON.stringify(result, null, 2));
      ctx.io.err(`hall update verify: refused (${result.code}): ${result.message}`);
      return 1;
    }
    const m = result.manifest;
    const value = {
      ok: true,
      product: m.product,
      version: m.version,
      channel: m.channel,
      counter: m.counter,
      issuedAt: m.issuedAt,
      expiresAt: m.expiresAt,
      keysetVersion: result.keyset.keysetVersion,
      rotated: result.rotated,
      threshold: result.keyset.threshold,
      signedBy: result.signedBy,
      artifacts: m.artifacts,
    };
    const rotated = result.rotated ? `, keys rotated to v${result.keyset.keysetVersion}` : '';
    print(
      ctx,
      value,
      `ok: ${m.product} ${m.version} (${m.channel}), counter ${m.counter}, signed by ${result.signedBy.length} of keyset v${result.keyset.keysetVersion} (threshold ${result.keyset.threshold})${rotated}, ${m.artifacts.length} artifact(s) verified, expires ${m.expiresAt}`,
    );
    return 0;
  },
};

// ---- install, rollback, status on a console's data folder (headless host, technicians without a screen) ----

/** The audit actor of these commands (the screen records the technician's user id instead). */
export const CLI_ACTOR = 'cli';

const dataOptions = {
  data: { type: 'string', description: "the console's data folder (holds hall.sqlite and updates/)" },
  keyset: { type: 'string', description: 'the pinned update keyset (default <data>/update-keyset.json; a packaged console: resources/update-keyset.json)' },
} as const;

/**
 * The same installer the 软件更新 screen uses (main/update/install.ts), auditing into the console's own
 * audit log as actor `cli`. Run it while the console is stopped: the one-at-a-time guard is per process.
 */
async function withInstaller<T>(ctx: CommandContext, work: (installer: UpdateInstaller, dataDir: string, audit: AuditLogRepository) => Promise<T>): Promise<T> {
  const dataDir = resolve(requireOption(ctx, 'data'));
  const dbFile = join(dataDir, DATABASE_FILE);
  // Every install and rollback is audited: without the console's database there is nowhere to write it.
  if (!existsSync(dbFile)) throw new Error(`no console database at ${dbFile} (start the console once, or hall db migrate --db ${dbFile})`);
  const keyset = stringOption(ctx, 'keyset');
  const db = openDatabase(dbFile, { now: systemClock, idleCheckpointMs: 0 });
  try {
    const audit = new AuditLogRepository(db, systemClock, new OutboxRepository(db, systemClock));
    const installer = new UpdateInstaller({
      dataDir,
      clock: systemClock,
      runningVersion: packageVersion(),
      ...(keyset ? { keysetFile: resolve(keyset) } : {}),
      audit: (e) => void audit.append({ actor: e.actor, action: e.action, subject: e.subject, detail: e.detail }),
    });
    return await work(installer, dataDir, audit);
  } finally {
    db.close();
  }
}

/** A refusal: one line `hall update <cmd>: refused (code): 中文原因（code: detail）`, exit 1. */
function refusedExit(ctx: CommandContext, command: string, err: unknown): number {
  if (!(err instanceof UpdateInstallError)) throw err;
  if (ctx.json) ctx.io.out(JSON.stringify({ ok: false, code: err.code, reason: err.reason, detail: err.detail }, null, 2));
  ctx.io.err(`hall update ${command}: refused (${err.code}): ${err.message}`);
  return 1;
}

const versionText = (v: InstalledVersion | null): string => (v ? `${v.version} (${v.channel}, counter ${v.counter}, from ${v.source} ${v.installedAt})` : 'none');

/** What the console does at its next start on this machine's platform (main/update/apply.ts), for status. */
async function nextStart(dataDir: string, status: UpdateStatus, installer: UpdateInstaller): Promise<ApplyDecision> {
  return pendingApply({
    dataDir,
    state: await installer.readState(),
    runningVersion: status.runningVersion,
    platform: { os: process.platform, arch: process.arch, resourcesPath: '', execPath: process.execPath, appImage: process.env.APPIMAGE ?? null },
    record: await readApplyRecord(dataDir),
  });
}

function nextStartText(d: ApplyDecision): string {
  if (d.kind === 'none') return d.why === 'running' ? 'nothing to apply (the installed version is running)' : 'nothing to apply (no update installed)';
  if (d.kind === 'refused') return `will not apply ${d.version}: ${d.reason} (${d.code}: ${d.detail})`;
  return `applies ${d.version}${d.rollback ? ' (rollback)' : ''}: runs ${d.installer} (${d.format})`;
}

export const updateStatusCommand: Command = {
  name: 'update status',
  summary: "installed, kept previous and running version, anti-rollback counter, keyset, and what the next start applies",
  usage: '--data DIR [--keyset FILE] [--json]',
  options: dataOptions,
  async run(ctx) {
    return withInstaller(ctx, async (installer, dataDir) => {
      let status: UpdateStatus;
      try {
        status = await installer.status();
      } catch (err) {
        return refusedExit(ctx, 'status', err);
      }
      const next = await nextStart(dataDir, status, installer);
      const record = await readApplyRecord(dataDir);
      const keyset = status.keyset ? `keyset v${status.keyset.keysetVersion} (${status.keyset.threshold} of ${status.keyset.keys})` : 'no keyset pinned';
      print(
        ctx,
        { ...status, nextStart: next, applyAttempts: record },
        [
          `running ${status.runningVersion}; installed ${versionText(status.current)}; previous ${versionText(status.previous)}`,
          `anti-rollback counter ${status.highestCounter}; ${keyset}`,
          `next start: ${nextStartText(next)}`,
          ...(record ? [`apply attempts for ${record.version}: ${record.attempts}, last ${record.lastAttemptAt}${record.lastError ? `, error: ${record.lastError}` : ''}`] : []),
        ].join('\n'),
      );
      return 0;
    });
  },
};

export const updateInstallCommand: Command = {
  name: 'update install',
  summary: "verify and install a signed bundle into a console's data folder (applied at its next start; audited as cli)",
  usage: '--data DIR --from FOLDER [--keyset FILE] [--json]',
  options: { ...dataOptions, from: { type: 'string', description: 'the bundle folder, or a USB folder holding exactly one bundle folder' } },
  async run(ctx) {
    const from = resolve(requireOption(ctx, 'from'));
    return withInstaller(ctx, async (installer) => {
      try {
        const found = await installer.findUsbBundles(from);
        if (found.length === 0) throw new UpdateInstallError('not_found', `no bundle (manifest.json) in ${from} or its sub-folders`);
        if (found.length > 1) throw new UsageError(`${from} holds ${found.length} bundles: name one with --from (${found.join(', ')})`);
        const status = await installer.install({ kind: 'usb', dir: found[0]! }, CLI_ACTOR);
        const c = status.current!;
        print(ctx, { ok: true, ...status }, `installed ${c.version} (${c.channel}, counter ${c.counter}) from ${found[0]}; previous ${versionText(status.previous)}; applied when the console next starts`);
        return 0;
      } catch (err) {
        return refusedExit(ctx, 'install', err);
      }
    });
  },
};

export const updateRollbackCommand: Command = {
  name: 'update rollback',
  summary: 'go back to the kept previous version (checked against what was verified at its install; audited as cli)',
  usage: '--data DIR [--keyset FILE] [--json]',
  options: dataOptions,
  async run(ctx) {
    return withInstaller(ctx, async (installer) => {
      try {
        const before = (await installer.status()).current;
        const status = await installer.rollback(CLI_ACTOR);
        print(ctx, { ok: true, ...status }, `rolled back from ${before?.version ?? '?'} to ${versionText(status.current)}; applied when the console next starts; the anti-rollback counter stays ${status.highestCounter}`);
        return 0;
      } catch (err) {
        return refusedExit(ctx, 'rollback', err);
      }
    });
  },
};

export const updateRetryCommand: Command = {
  name: 'update retry',
  summary: 'after the console gave up applying the installed update (UAC/polkit cancelled, installer failed): try again at the next start (audited as cli)',
  usage: '--data DIR [--json]',
  options: { data: dataOptions.data },
  async run(ctx) {
    return withInstaller(ctx, async (_installer, dataDir, audit) => {
      const cleared = await resetApplyAttempts(dataDir);
      if (cleared) {
        audit.append({ actor: CLI_ACTOR, action: 'update.apply_retry', subject: `update:${cleared.version}`, detail: { version: cleared.version, attempts: cleared.attempts, lastError: cleared.lastError } });
      }
      const text = cleared ? `cleared ${cleared.attempts} apply attempt(s) of ${cleared.version}: the console runs its installer again at the next start` : 'no apply attempts recorded: nothing to clear';
      print(ctx, { cleared }, text);
      return 0;
    });
  },
};

export const updateCommands: Command[] = [updateKeygenCommand, updateKeysetCommand, updateSignCommand, updateVerifyCommand, updateStatusCommand, updateInstallCommand, updateRollbackCommand, updateRetryCommand];
