/**
 * Applying an installed update at the next start (docs/security.md, "Install and rollback" → "Apply at
 * start"). Plain Node: the Electron shell (main/electron/index.ts) only asks `pendingApply`, records the
 * attempt, spawns the answer detached and quits.
 *
 * `install.ts` verifies a bundle and stages it as `updates/<version>/` (state.json `current`); a
 * technician's rollback makes the kept previous version `current` the same way. Whenever `current` is
 * not the version this process runs, its installer for this platform is run:
 *
 *   win32   the NSIS installer through electron-builder's `resources/elevate.exe` (perMachine installs
 *           need administrator rights: UAC asks), `/S --updated --force-run` (silent, keep shortcuts,
 *           start the console again when done);
 *   linux   deb installs (the normal hall install): `pkexec /usr/bin/dpkg -i` (polkit asks for an
 *           administrator), then the console is started again; running as an AppImage (APPIMAGE set):
 *           the staged AppImage replaces that file (same folder, atomic rename), then starts.
 *
 * Nothing runs unless the staged copy is still what was verified at install: manifest.json must hash
 * to the SHA-256 state.json recorded and the chosen installer must match that manifest's size and
 * SHA-512 (`readKeptManifest` / `verifyKeptArtifacts`, shared with rollback). Attempts are counted in
 * `updates/apply.json` (not in state.json: an older version rolled back to must still read that file);
 * after MAX_APPLY_ATTEMPTS for the same staged manifest the console stops trying and starts normally.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { UpdateManifest } from './manifest';
import { readKeptManifest, UPDATES_DIR, verifyKeptArtifacts, writeFileAtomic, type UpdateState } from './install';
import { readLimited } from './verify';

export const APPLY_FILE = 'apply.json';
/** Launches of one staged version's installer before the console gives up and starts as it is. */
export const MAX_APPLY_ATTEMPTS = 2;

export interface ApplyPlatform {
  /** process.platform */
  os: string;
  /** process.arch */
  arch: string;
  /** process.resourcesPath (where electron-builder puts elevate.exe on Windows). */
  resourcesPath: string;
  /** process.execPath: started again after a deb install. */
  execPath: string;
  /** process.env.APPIMAGE: the AppImage file this process runs from, or null. */
  appImage: string | null;
}

export type InstallerFormat = 'nsis' | 'deb' | 'appimage';

export type ApplyRefusalCode = 'staged_damaged' | 'no_installer' | 'ambiguous_installer' | 'unsupported_platform' | 'gave_up';

export const APPLY_REFUSAL_ZH: Record<ApplyRefusalCode, string> = {
  staged_damaged: '已安装的更新文件在验证后被改动或损坏，不会运行，请重新安装更新包',
  no_installer: '更新包中没有适用于本机平台的安装文件',
  ambiguous_installer: '更新包中有多个适用于本机平台的安装文件，无法确定运行哪一个',
  unsupported_platform: '本机平台不支持自动应用更新',
  gave_up: '多次应用更新未成功，工作台以当前版本启动，请技术人员处理',
};

export const ApplyRecord = z
  .object({
    version: z.string().max(64),
    manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
    attempts: z.number().int().min(0).max(1000),
    lastAttemptAt: z.string().max(64),
    lastError: z.string().max(500).nullable(),
  })
  .strict();
export type ApplyRecord = z.infer<typeof ApplyRecord>;

export type ApplyDecision =
  | { kind: 'none'; why: 'nothing_installed' | 'running' }
  | { kind: 'refused'; version: string; code: ApplyRefusalCode; reason: string; detail: string }
  | {
      kind: 'run';
      version: string;
      counter: number;
      /** The technician rolled back: the version to run is older than the highest counter installed. */
      rollback: boolean;
      manifestSha256: string;
      format: InstallerFormat;
      /** The verified staged installer. */
      installer: string;
      command: string;
      args: string[];
    };

type Artifact = UpdateManifest['artifacts'][number];

const EXTENSIONS: Record<InstallerFormat, RegExp> = { nsis: /\.exe$/i, deb: /\.deb$/i, appimage: /\.AppImage$/i };

/** How electron-builder (and Debian) spell each Node arch in artifact names. */
const ARCH_TOKENS: Record<string, string[]> = {
  x64: ['x64', 'amd64', 'x86_64'],
  arm64: ['arm64', 'aarch64'],
  ia32: ['ia32', 'i386', 'x86'],
  arm: ['armv7l', 'armhf'],
};

/** The installer format this platform takes, or null when it has none. */
export function installerFormat(platform: ApplyPlatform): InstallerFormat | null {
  if (platform.os === 'win32') return 'nsis';
  if (platform.os === 'linux') return platform.appImage ? 'appimage' : 'deb';
  return null;
}

/** Which listed artifact to run: the one file of the format; among several, the one named for this arch. */
export function selectInstaller(
  artifacts: readonly Artifact[],
  platform: ApplyPlatform,
): { ok: true; artifact: Artifact; format: InstallerFormat } | { ok: false; code: ApplyRefusalCode; detail: string } {
  const format = installerFormat(platform);
  if (format === null) return { ok: false, code: 'unsupported_platform', detail: `no installer format for ${platform.os}` };
  const ofFormat = artifacts.filter((a) => EXTENSIONS[format].test(a.name));
  if (ofFormat.length === 0) return { ok: false, code: 'no_installer', detail: `no ${format} artifact in the manifest` };
  if (ofFormat.length === 1) return { ok: true, artifact: ofFormat[0]!, format };
  const tokens = ARCH_TOKENS[platform.arch] ?? [platform.arch];
  const forArch = ofFormat.filter((a) => tokens.some((t) => new RegExp(`[-_.]${t}[-_.]`, 'i').test(a.name)));
  if (forArch.length === 1) return { ok: true, artifact: forArch[0]!, format };
  return { ok: false, code: 'ambiguous_installer', detail: `${forArch.length || ofFormat.length} ${format} artifacts for ${platform.arch}: ${ofFormat.map((a) => a.name).join(', ')}` };
}

/** The command that installs `installer` (an absolute path) on this platform and starts the console again. */
export function installerCommand(format: InstallerFormat, installer: string, platform: ApplyPlatform): { command: string; args: string[] } {
  switch (format) {
    case 'nsis':
      // electron-updater's way for perMachine NSIS: elevate.exe (packed by electron-builder) asks UAC.
      return { command: join(platform.resourcesPath, 'elevate.exe'), args: [installer, '/S', '--updated', '--force-run'] };
    case 'deb':
      // Absolute paths only (no PATH lookup); the paths travel as arguments, never inside the script.
      return { command: '/bin/sh', args: ['-c', '/usr/bin/pkexec /usr/bin/dpkg -i "$1" && exec "$2"', 'hall-update', installer, platform.execPath] };
    case 'appimage':
      return {
        command: '/bin/sh',
        args: ['-c', 'cp -f "$1" "$2.update" && chmod 0755 "$2.update" && mv -f "$2.update" "$2" && exec "$2"', 'hall-update', installer, platform.appImage ?? ''],
      };
  }
}

/**
 * The pure part: is there a staged version to apply, and has it been tried too often?
 * Returns the version to apply (state.current) or the decision that ends here.
 */
export function planApply(
  state: UpdateState,
  runningVersion: string,
  record: ApplyRecord | null,
): { kind: 'candidate'; current: NonNullable<UpdateState['current']> } | Extract<ApplyDecision, { kind: 'none' | 'refused' }> {
  const current = state.current;
  if (!current) return { kind: 'none', why: 'nothing_installed' };
  if (current.version === runningVersion) return { kind: 'none', why: 'running' };
  if (record && record.version === current.version && record.manifestSha256 === current.manifestSha256 && record.attempts >= MAX_APPLY_ATTEMPTS) {
    return refused(current.version, 'gave_up', `${record.attempts} launches of the ${current.version} installer did not start it${record.lastError ? ` (last: ${record.lastError})` : ''}`);
  }
  return { kind: 'candidate', current };
}

function refused(version: string, code: ApplyRefusalCode, detail: string): Extract<ApplyDecision, { kind: 'refused' }> {
  return { kind: 'refused', version, code, reason: APPLY_REFUSAL_ZH[code], detail };
}

/**
 * What the shell must do at start. Re-verifies the staged copy (manifest SHA-256 recorded at install,
 * the chosen installer's size and SHA-512) before answering `run`; never throws for a damaged copy.
 */
export async function pendingApply(input: { dataDir: string; state: UpdateState; runningVersion: string; platform: ApplyPlatform; record: ApplyRecord | null }): Promise<ApplyDecision> {
  const plan = planApply(input.state, input.runningVersion, input.record);
  if (plan.kind !== 'candidate') return plan;
  const current = plan.current;
  const dir = join(input.dataDir, UPDATES_DIR, current.dir);
  const kept = await readKeptManifest(dir, current);
  if (!kept.ok) return refused(current.version, 'staged_damaged', kept.message);
  if (kept.manifest.version !== current.version) return refused(current.version, 'staged_damaged', `${current.dir}/manifest.json names ${kept.manifest.version}`);
  const chosen = selectInstaller(kept.manifest.artifacts, input.platform);
  if (!chosen.ok) return refused(current.version, chosen.code, chosen.detail);
  const artifactProblem = await verifyKeptArtifacts(dir, [chosen.artifact]);
  if (artifactProblem !== null) return refused(current.version, 'staged_damaged', artifactProblem);
  const installer = join(dir, chosen.artifact.name);
  return {
    kind: 'run',
    version: current.version,
    counter: current.counter,
    rollback: current.counter < input.state.highestCounter,
    manifestSha256: current.manifestSha256,
    format: chosen.format,
    installer,
    ...installerCommand(chosen.format, installer, input.platform),
  };
}

// ---- the attempt record (updates/apply.json) ----

export async function readApplyRecord(dataDir: string): Promise<ApplyRecord | null> {
  const read = await readLimited(join(dataDir, UPDATES_DIR, APPLY_FILE), 16 * 1024);
  if (!read.ok) return null;
  try {
    const parsed = ApplyRecord.safeParse(JSON.parse(read.bytes.toString('utf8')));
    // A damaged record only loses the attempt count (at most MAX_APPLY_ATTEMPTS more launches).
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function writeApplyRecord(dataDir: string, record: ApplyRecord): Promise<void> {
  const dir = join(dataDir, UPDATES_DIR);
  await writeFileAtomic(join(dir, APPLY_FILE), dir, Buffer.from(`${JSON.stringify(ApplyRecord.parse(record), null, 2)}\n`));
}

/** Counts one launch of `decision`'s installer (written before it is spawned: a crash still counts). */
export async function recordApplyAttempt(dataDir: string, decision: Extract<ApplyDecision, { kind: 'run' }>, previous: ApplyRecord | null, now: Date): Promise<ApplyRecord> {
  const same = previous !== null && previous.version === decision.version && previous.manifestSha256 === decision.manifestSha256;
  const record: ApplyRecord = {
    version: decision.version,
    manifestSha256: decision.manifestSha256,
    attempts: (same ? previous.attempts : 0) + 1,
    lastAttemptAt: now.toISOString(),
    lastError: same ? previous.lastError : null,
  };
  await writeApplyRecord(dataDir, record);
  return record;
}

/** A technician's retry after the cause was fixed (`hall update retry`): the attempts start again from 0. */
export async function resetApplyAttempts(dataDir: string): Promise<ApplyRecord | null> {
  const previous = await readApplyRecord(dataDir);
  await rm(join(dataDir, UPDATES_DIR, APPLY_FILE), { force: true });
  return previous;
}

/** The launch failed (spawn error): recorded with the attempt so `hall update status` shows it. */
export async function recordApplyFailure(dataDir: string, record: ApplyRecord, error: string): Promise<ApplyRecord> {
  const next = { ...record, lastError: error.slice(0, 500) };
  await writeApplyRecord(dataDir, next);
  return next;
}
