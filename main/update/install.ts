/**
 * Installs verified update bundles and rolls back to the kept previous version (docs/security.md,
 * "Install and rollback"). Plain Node; the store is reached only through the injected audit function.
 *
 * Layout under the data dir:
 *
 *     updates/state.json          what is installed (zod-checked, written atomically: tmp + fsync + rename)
 *     updates/<version>/          the verified copy of the installed bundle, and of the kept previous one
 *     updates/.staging-…/         a copy being made (only this process writes there), removed on failure
 *     updates/.incoming-…/       a hub download before verification, removed afterwards
 *
 * Install: verify the source (cheap refusal) → copy the control files and the listed artifacts into
 * .staging → verify that copy (nothing can be swapped between check and use) → rename it to
 * updates/<version>/ → write state.json (new current, old current kept as previous, highestCounter
 * raised, rotated keyset pinned) → remove the folder of the version that is no longer kept → audit.
 *
 * Rollback (technician): only to the kept previous version, whose manifest was verified when it was
 * installed; its manifest bytes must still hash to what state.json recorded and its artifacts still
 * match that manifest. highestCounter never goes down, so a bundle signed for an old version is still
 * refused as `rollback`: only the technician's explicit, audited step goes back, and only one step.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../domain/clock';
import { canonicalJsonBytes } from './canonical-json';
import { downloadHubBundle, fetchHubControlFiles, fetchHubIndex, HubBundleName, HubDownloadError, type HubFetchOptions } from './hub-source';
import { KEYSET_FILE, KEYSET_SIG_FILE, KeysetDocument, keysetFrom, MANIFEST_FILE, MANIFEST_SIG_FILE, MAX_KEYSET_BYTES, MAX_MANIFEST_BYTES, UpdateManifest, type Keyset } from './manifest';
import { refusalText, UpdateInstallError, type InstallRefusalCode } from './reasons';
import { parseKeyset, readLimited, verifyBundle, verifyManifest, type ManifestVerification, type UpdateRefusal } from './verify';

export const UPDATES_DIR = 'updates';
export const STATE_FILE = 'state.json';
/** The keyset the console pins, placed by the build or the technician at provisioning. */
export const KEYSET_PIN_FILE = 'update-keyset.json';
/** At most this many bundle folders are looked at in one USB folder. */
export const MAX_USB_BUNDLES = 32;

const Version = UpdateManifest.shape.version;

export const InstalledVersion = z
  .object({
    version: Version,
    channel: z.string(),
    counter: z.number().int().min(1),
    keysetVersion: z.number().int().min(1),
    installedAt: z.string(),
    source: z.enum(['usb', 'hub']),
    /** Folder name under updates/. */
    dir: Version,
    /** SHA-256 of the verified manifest.json: rollback checks the kept copy still is that manifest. */
    manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
    signedBy: z.array(z.string()),
  })
  .strict();
export type InstalledVersion = z.infer<typeof InstalledVersion>;

export const UpdateState = z
  .object({
    stateVersion: z.literal(1),
    /** The anti-rollback counter: the highest counter ever installed. Never decreases, not even on rollback. */
    highestCounter: z.number().int().min(0),
    /** A keyset a bundle rotated to (null: the pinned file is used). */
    rotatedKeyset: KeysetDocument.nullable(),
    current: InstalledVersion.nullable(),
    previous: InstalledVersion.nullable(),
  })
  .strict();
export type UpdateState = z.infer<typeof UpdateState>;

const EMPTY_STATE: UpdateState = { stateVersion: 1, highestCounter: 0, rotatedKeyset: null, current: null, previous: null };

export type BundleSource = { kind: 'usb'; dir: string } | { kind: 'hub'; origin: string; name: string };

export interface BundleCheck {
  source: BundleSource;
  /** From the manifest when it could be read (shown even when refused, as "what the bundle claims"). */
  version: string | null;
  channel: string | null;
  counter: number | null;
  expiresAt: string | null;
  verified: boolean;
  refusal: { code: InstallRefusalCode; reason: string } | null;
}

export interface UpdateStatus {
  runningVersion: string;
  current: InstalledVersion | null;
  previous: InstalledVersion | null;
  highestCounter: number;
  keyset: { keysetVersion: number; threshold: number; keys: number } | null;
}

export interface InstallerAuditEntry {
  actor: string;
  action: 'update.install' | 'update.rollback' | 'update.refused';
  subject: string;
  detail: Record<string, string | number | boolean | null>;
}

export interface UpdateInstallerOptions {
  dataDir: string;
  /** The keyset pinned at provisioning (default <dataDir>/update-keyset.json). */
  keysetFile?: string;
  clock: Clock;
  /** The version this process runs (package.json). */
  runningVersion: string;
  /** Appends an audit row (store.audit.append). */
  audit(entry: InstallerAuditEntry): void;
  fetch?: HubFetchOptions;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function fromRefusal(r: UpdateRefusal): UpdateInstallError {
  return new UpdateInstallError(r.code, r.message);
}

/** Write-then-rename with fsync of the file and its folder: a crash leaves the old or the new state, never half. */
export async function writeFileAtomic(path: string, dir: string, content: Buffer): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, fsConstants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a folder for fsync; rename is already atomic there.
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

export class UpdateInstaller {
  readonly updatesDir: string;
  private readonly keysetFile: string;
  private busy = false;

  constructor(private readonly options: UpdateInstallerOptions) {
    this.updatesDir = join(options.dataDir, UPDATES_DIR);
    this.keysetFile = options.keysetFile ?? join(options.dataDir, KEYSET_PIN_FILE);
  }

  // ---- state ----

  async readState(): Promise<UpdateState> {
    const read = await readLimited(join(this.updatesDir, STATE_FILE), 256 * 1024);
    if (!read.ok) {
      if (read.missing) return EMPTY_STATE;
      throw new UpdateInstallError('state_damaged', read.message);
    }
    // A state file that does not parse is not silently reset: that would also reset the anti-rollback counter.
    let raw: unknown;
    try {
      raw = JSON.parse(read.bytes.toString('utf8'));
    } catch {
      throw new UpdateInstallError('state_damaged', `${STATE_FILE} is not JSON`);
    }
    const parsed = UpdateState.safeParse(raw);
    if (!parsed.success) throw new UpdateInstallError('state_damaged', `${STATE_FILE}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  }

  private async writeState(state: UpdateState): Promise<void> {
    await mkdir(this.updatesDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(this.updatesDir, STATE_FILE), this.updatesDir, Buffer.from(`${JSON.stringify(UpdateState.parse(state), null, 2)}\n`));
  }

  /** The keyset to verify with: the newer of the pinned file and a keyset a bundle rotated to; null when neither exists. */
  async trustedKeyset(state?: UpdateState): Promise<Keyset | null> {
    const s = state ?? (await this.readState());
    let pinned: Keyset | null = null;
    const read = await readLimited(this.keysetFile, MAX_KEYSET_BYTES);
    if (read.ok) {
      const parsed = parseKeyset(read.bytes);
      if (!parsed.ok) throw new UpdateInstallError('no_keyset', `${this.keysetFile}: ${parsed.message}`);
      pinned = parsed.keyset;
    } else if (!read.missing) throw new UpdateInstallError('no_keyset', read.message);
    const rotated = s.rotatedKeyset ? keysetFrom(s.rotatedKeyset) : null;
    if (rotated && (!pinned || rotated.keysetVersion > pinned.keysetVersion)) return rotated;
    return pinned;
  }

  async status(): Promise<UpdateStatus> {
    const state = await this.readState();
    let keyset: Keyset | null = null;
    try {
      keyset = await this.trustedKeyset(state);
    } catch {
      keyset = null;
    }
    return {
      runningVersion: this.options.runningVersion,
      current: state.current,
      previous: state.previous,
      highestCounter: state.highestCounter,
      keyset: keyset ? { keysetVersion: keyset.keysetVersion, threshold: keyset.threshold, keys: keyset.keys.size } : null,
    };
  }

  private async verifyOptions(state: UpdateState) {
    const keyset = await this.trustedKeyset(state);
    if (!keyset) throw new UpdateInstallError('no_keyset', `no ${this.keysetFile}`);
    return { trustedKeyset: keyset, installedCounter: state.highestCounter, now: this.options.clock() };
  }

  // ---- finding and checking bundles ----

  /** Bundle folders in a USB folder: the folder itself when it holds manifest.json, else its sub-folders that do. */
  async findUsbBundles(dir: string): Promise<string[]> {
    if (await exists(join(dir, MANIFEST_FILE))) return [dir];
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      const code = err instanceof Error && 'code' in err ? String(err.code) : 'error';
      throw new UpdateInstallError('not_found', `cannot read ${dir} (${code})`);
    }
    const found: string[] = [];
    for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (found.length >= MAX_USB_BUNDLES) break;
      if (await exists(join(dir, e.name, MANIFEST_FILE))) found.push(join(dir, e.name));
    }
    return found;
  }

  /** Hub bundles by name, from its index. */
  async findHubBundles(origin: string): Promise<string[]> {
    try {
      return (await fetchHubIndex(origin, this.options.fetch)).bundles.map((b) => b.name);
    } catch (err) {
      throw new UpdateInstallError('download_failed', err instanceof Error ? err.message : 'index');
    }
  }

  /** What a manifest claims, unverified (for the list only; nothing is decided on it). */
  private static claims(manifest: Buffer | undefined): Pick<BundleCheck, 'version' | 'channel' | 'counter' | 'expiresAt'> {
    const none = { version: null, channel: null, counter: null, expiresAt: null };
    if (!manifest) return none;
    try {
      const m = UpdateManifest.safeParse(JSON.parse(manifest.toString('utf8')));
      return m.success ? { version: m.data.version, channel: m.data.channel, counter: m.data.counter, expiresAt: m.data.expiresAt } : none;
    } catch {
      return none;
    }
  }

  /**
   * Checks one bundle without installing it. USB: the whole bundle (signatures, expiry, counter,
   * every artifact's size and SHA-512). Hub: the manifest and signatures; the artifacts are checked
   * when they are downloaded at install.
   */
  async check(source: BundleSource): Promise<BundleCheck> {
    let claimed: Buffer | undefined;
    try {
      const state = await this.readState();
      const options = await this.verifyOptions(state);
      let result: ManifestVerification;
      if (source.kind === 'usb') {
        const read = await readLimited(join(source.dir, MANIFEST_FILE), MAX_MANIFEST_BYTES);
        claimed = read.ok ? read.bytes : undefined;
        result = await verifyBundle(source.dir, options);
      } else {
        const control = await this.hubControl(source);
        claimed = control.manifest;
        result = verifyManifest(control, options);
      }
      const claims = UpdateInstaller.claims(claimed);
      // `rollback` is only answered for an authentic manifest: the one already installed says so plainly.
      if (!result.ok && result.code === 'rollback' && UpdateInstaller.isCurrent(state, claims)) {
        return { source, ...claims, verified: true, refusal: { code: 'already_installed', reason: refusalText('already_installed', `${claims.version} (counter ${claims.counter}) is installed`) } };
      }
      if (!result.ok) return { source, ...claims, verified: false, refusal: { code: result.code, reason: refusalText(result.code, result.message) } };
      if (state.current?.version === result.manifest.version) {
        return { source, ...claims, verified: true, refusal: { code: 'already_installed', reason: refusalText('already_installed', `${result.manifest.version} is installed`) } };
      }
      return { source, ...claims, verified: true, refusal: null };
    } catch (err) {
      const e = err instanceof UpdateInstallError ? err : new UpdateInstallError('malformed', err instanceof Error ? err.message : 'error');
      return { source, ...UpdateInstaller.claims(claimed), verified: false, refusal: { code: e.code, reason: e.message } };
    }
  }

  private static isCurrent(state: UpdateState, claims: { version: string | null; counter: number | null }): boolean {
    return state.current !== null && state.current.version === claims.version && state.current.counter === claims.counter;
  }

  private async hubControl(source: Extract<BundleSource, { kind: 'hub' }>) {
    try {
      return await fetchHubControlFiles(source.origin, source.name, this.options.fetch);
    } catch (err) {
      throw new UpdateInstallError('download_failed', err instanceof HubDownloadError ? err.message : 'hub request failed');
    }
  }

  // ---- install ----

  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy) throw new UpdateInstallError('busy', 'another install or rollback is running');
    this.busy = true;
    try {
      return await work();
    } finally {
      this.busy = false;
    }
  }

  /**
   * Verifies and installs a bundle; throws UpdateInstallError with the reason when it is refused
   * (refusals are audited too, as `update.refused`). `actor` is the technician's user id.
   */
  async install(source: BundleSource, actor: string): Promise<UpdateStatus> {
    return this.exclusive(async () => {
      try {
        return await this.installUnlocked(source, actor);
      } catch (err) {
        if (err instanceof UpdateInstallError) {
          this.options.audit({ actor, action: 'update.refused', subject: 'update', detail: { source: source.kind, code: err.code, detail: err.detail.slice(0, 300) } });
        }
        throw err;
      }
    });
  }

  private async installUnlocked(source: BundleSource, actor: string): Promise<UpdateStatus> {
    const state = await this.readState();
    const options = await this.verifyOptions(state);
    await mkdir(this.updatesDir, { recursive: true, mode: 0o700 });

    let sourceDir: string;
    let incoming: string | null = null;
    if (source.kind === 'usb') {
      sourceDir = source.dir;
      if (!(await exists(join(sourceDir, MANIFEST_FILE)))) throw new UpdateInstallError('not_found', `no ${MANIFEST_FILE} in ${sourceDir}`);
    } else {
      const name = HubBundleName.safeParse(source.name);
      if (!name.success) throw new UpdateInstallError('not_found', 'bad hub bundle name');
      const control = await this.hubControl(source);
      const pre = verifyManifest(control, options); // nothing large is downloaded for a bundle that is not signed
      if (!pre.ok) {
        const claims = UpdateInstaller.claims(control.manifest);
        if (pre.code === 'rollback' && UpdateInstaller.isCurrent(state, claims)) throw new UpdateInstallError('already_installed', `${claims.version} (counter ${claims.counter}) is the installed version`);
        throw fromRefusal(pre);
      }
      try {
        incoming = await downloadHubBundle(source.origin, name.data, control, pre.manifest, this.updatesDir, this.options.fetch);
      } catch (err) {
        throw new UpdateInstallError('download_failed', err instanceof Error ? err.message : 'download failed');
      }
      sourceDir = incoming;
    }

    const staging = join(this.updatesDir, `.staging-${randomBytes(6).toString('hex')}`);
    try {
      const first = await verifyBundle(sourceDir, options);
      if (!first.ok) {
        if (first.code === 'rollback') {
          const m = await readLimited(join(sourceDir, MANIFEST_FILE), MAX_MANIFEST_BYTES);
          const claims = UpdateInstaller.claims(m.ok ? m.bytes : undefined);
          if (UpdateInstaller.isCurrent(state, claims)) throw new UpdateInstallError('already_installed', `${claims.version} (counter ${claims.counter}) is the installed version`);
        }
        throw fromRefusal(first);
      }
      const version = first.manifest.version;
      if (state.current?.version === version) throw new UpdateInstallError('already_installed', `${version} is the installed version`);

      // The copy only this process writes to, verified again: what was checked is what is installed.
      await mkdir(staging, { mode: 0o700 });
      for (const file of [MANIFEST_FILE, MANIFEST_SIG_FILE, KEYSET_FILE, KEYSET_SIG_FILE]) {
        if (await exists(join(sourceDir, file))) await copyFile(join(sourceDir, file), join(staging, file), fsConstants.COPYFILE_EXCL);
      }
      for (const artifact of first.manifest.artifacts) await copyFile(join(sourceDir, artifact.name), join(staging, artifact.name), fsConstants.COPYFILE_EXCL);
      const verified = await verifyBundle(staging, options);
      if (!verified.ok) throw fromRefusal(verified);
      if (verified.manifest.version !== version || verified.manifest.counter !== first.manifest.counter) {
        throw new UpdateInstallError('malformed', 'the bundle changed while it was copied');
      }
      const manifestBytes = await readLimited(join(staging, MANIFEST_FILE), MAX_MANIFEST_BYTES);
      if (!manifestBytes.ok) throw new UpdateInstallError('malformed', manifestBytes.message);

      // Into place. A folder of this version is a leftover, or the kept previous version signed
      // again under a higher counter: either way the fresh verified copy replaces it.
      const target = join(this.updatesDir, version);
      await rm(target, { recursive: true, force: true });
      await rename(staging, target);
      await fsyncDir(this.updatesDir);

      const m = verified.manifest;
      const installed: InstalledVersion = {
        version: m.version,
        channel: m.channel,
        counter: m.counter,
        keysetVersion: verified.keyset.keysetVersion,
        installedAt: this.options.clock().toISOString(),
        source: source.kind,
        dir: version,
        manifestSha256: sha256(manifestBytes.bytes),
        signedBy: verified.signedBy,
      };
      const dropped = state.previous && state.previous.dir !== version && state.previous.dir !== state.current?.dir ? state.previous.dir : null;
      const next: UpdateState = {
        stateVersion: 1,
        highestCounter: Math.max(state.highestCounter, m.counter),
        rotatedKeyset: verified.rotated ? verified.keyset.document : state.rotatedKeyset,
        current: installed,
        previous: state.current && state.current.dir !== version ? state.current : null,
      };
      await this.writeState(next);
      if (dropped) await rm(join(this.updatesDir, dropped), { recursive: true, force: true });
      this.options.audit({
        actor,
        action: 'update.install',
        subject: `update:${m.version}`,
        detail: {
          version: m.version,
          channel: m.channel,
          counter: m.counter,
          source: source.kind,
          from: state.current?.version ?? null,
          keysetVersion: verified.keyset.keysetVersion,
          rotated: verified.rotated,
          signedBy: verified.signedBy.join(','),
        },
      });
      return this.status();
    } finally {
      await rm(staging, { recursive: true, force: true });
      if (incoming) await rm(incoming, { recursive: true, force: true });
    }
  }

  // ---- rollback ----

  /**
   * Back to the kept previous version. Its manifest is not re-verified against the keyset or the
   * counter (it was, at its install; the counter has since moved past it on purpose); instead the
   * kept copy must still be byte for byte what was verified then.
   */
  async rollback(actor: string): Promise<UpdateStatus> {
    return this.exclusive(async () => {
      const state = await this.readState();
      const previous = state.previous;
      const current = state.current;
      if (!previous || !current) throw new UpdateInstallError('no_previous', 'no previous version is kept');
      const dir = join(this.updatesDir, previous.dir);
      const kept = await readKeptManifest(dir, previous);
      if (!kept.ok) throw new UpdateInstallError('kept_damaged', kept.message);
      const artifactsOk = await verifyKeptArtifacts(dir, kept.manifest.artifacts);
      if (artifactsOk !== null) throw new UpdateInstallError('kept_damaged', artifactsOk);

      const next: UpdateState = { ...state, current: previous, previous: null };
      await this.writeState(next);
      await rm(join(this.updatesDir, current.dir), { recursive: true, force: true });
      this.options.audit({
        actor,
        action: 'update.rollback',
        subject: `update:${previous.version}`,
        detail: { from: current.version, fromCounter: current.counter, to: previous.version, toCounter: previous.counter, highestCounter: state.highestCounter },
      });
      return this.status();
    });
  }

  /** Leftovers of an interrupted install (.staging-*, .incoming-*, folders no version refers to). */
  async cleanup(): Promise<string[]> {
    const state = await this.readState();
    const keep = new Set([state.current?.dir, state.previous?.dir].filter((d): d is string => !!d));
    let entries;
    try {
      entries = await readdir(this.updatesDir, { withFileTypes: true });
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const e of entries) {
      if (!e.isDirectory() || keep.has(e.name)) continue;
      await rm(join(this.updatesDir, e.name), { recursive: true, force: true });
      removed.push(e.name);
    }
    return removed;
  }
}

/**
 * A kept (installed or previous) version's manifest: its bytes must still hash to the SHA-256 that
 * state.json recorded when it was verified at install. Used by rollback and by the apply step at start
 * (main/update/apply.ts). Never throws.
 */
export async function readKeptManifest(
  dir: string,
  recorded: Pick<InstalledVersion, 'dir' | 'manifestSha256'>,
): Promise<{ ok: true; manifest: UpdateManifest } | { ok: false; message: string }> {
  const read = await readLimited(join(dir, MANIFEST_FILE), MAX_MANIFEST_BYTES);
  if (!read.ok) return { ok: false, message: read.message };
  if (sha256(read.bytes) !== recorded.manifestSha256) return { ok: false, message: `${recorded.dir}/${MANIFEST_FILE} is not the manifest verified at install` };
  try {
    const parsed = UpdateManifest.safeParse(JSON.parse(read.bytes.toString('utf8')));
    return parsed.success ? { ok: true, manifest: parsed.data } : { ok: false, message: `${recorded.dir}/${MANIFEST_FILE} does not parse` };
  } catch {
    return { ok: false, message: `${recorded.dir}/${MANIFEST_FILE} is not JSON` };
  }
}

/** Kept artifacts against their manifest entries: size, then SHA-512 streamed. Null when they match, else why not. */
export async function verifyKeptArtifacts(dir: string, artifacts: readonly UpdateManifest['artifacts'][number][]): Promise<string | null> {
  for (const artifact of artifacts) {
    const path = join(dir, artifact.name);
    let st;
    try {
      st = await lstat(path);
    } catch {
      return `${artifact.name} is missing`;
    }
    if (!st.isFile() || st.size !== artifact.size) return `${artifact.name} is not the ${artifact.size}-byte file verified at install`;
    const hash = createHash('sha512');
    const handle = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
    try {
      const buffer = Buffer.alloc(1024 * 1024);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
    if (hash.digest('hex') !== artifact.sha512) return `${artifact.name} does not match its SHA-512 any more`;
  }
  return null;
}

/** For tests and `hall update`: the canonical bytes a keyset document is pinned as. */
export function keysetPinBytes(doc: KeysetDocument): Buffer {
  return canonicalJsonBytes(doc);
}
