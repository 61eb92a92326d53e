/**
 * The apply decision at start with real installed bundles (UpdateInstaller on temp folders): nothing
 * staged, same version, tampered staged copy, platform choices, attempts, rollback.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APPLY_FILE,
  installerCommand,
  MAX_APPLY_ATTEMPTS,
  pendingApply,
  planApply,
  readApplyRecord,
  recordApplyAttempt,
  recordApplyFailure,
  selectInstaller,
  type ApplyDecision,
  type ApplyPlatform,
} from './apply';
import { KEYSET_PIN_FILE, keysetPinBytes, UPDATES_DIR, UpdateInstaller, type UpdateState } from './install';
import { generateUpdateSigningKey } from './sign';
import { artifactOf, bundleInput, keysetDocument, manifestOf, NOW, writeBundle } from './test-support';

const keyA = generateUpdateSigningKey();
const keyB = generateUpdateSigningKey();

const WIN: ApplyPlatform = { os: 'win32', arch: 'x64', resourcesPath: 'C:\\Program Files\\hall-console\\resources', execPath: 'C:\\Program Files\\hall-console\\hall-console.exe', appImage: null };
const DEB: ApplyPlatform = { os: 'linux', arch: 'x64', resourcesPath: '/opt/hall-console/resources', execPath: '/opt/hall-console/hall-console', appImage: null };
const APPIMAGE: ApplyPlatform = { ...DEB, resourcesPath: '/tmp/.mount_hall/resources', appImage: '/home/tech/hall-console.AppImage' };

let root: string;
let dataDir: string;
let usb: string;

function installer(runningVersion = '1.3.0'): UpdateInstaller {
  return new UpdateInstaller({ dataDir, clock: () => NOW, runningVersion, audit: () => {} });
}

/** electron-builder's names for the three targets (artifactName in electron-builder.yml). */
function artifactsOf(version: string): Record<string, Buffer> {
  return {
    [`hall-console-${version}-win-x64.exe`]: Buffer.from(`MZ nsis ${version} `.repeat(300)),
    [`hall-console-${version}-linux-amd64.deb`]: Buffer.from(`!<arch>\ndeb ${version} `.repeat(200)),
    [`hall-console-${version}-linux-x86_64.AppImage`]: Buffer.from(`\x7fELF appimage ${version} `.repeat(200)),
  };
}

function release(version: string, counter: number): string {
  const artifacts = artifactsOf(version);
  const manifest = manifestOf({ version, counter, artifacts: Object.entries(artifacts).map(([n, c]) => artifactOf(n, c)) });
  return writeBundle(join(usb, `hall-console-${version}`), bundleInput({ manifest, signers: [keyA, keyB] }), artifacts);
}

async function decide(runningVersion: string, platform: ApplyPlatform = DEB): Promise<ApplyDecision> {
  const state = await installer(runningVersion).readState();
  return pendingApply({ dataDir, state, runningVersion, platform, record: await readApplyRecord(dataDir) });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hall-apply-'));
  dataDir = join(root, 'data');
  usb = join(root, 'usb');
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, KEYSET_PIN_FILE), keysetPinBytes(keysetDocument([keyA, keyB], 2, 1)));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('pendingApply', () => {
  it('does nothing when no update was installed', async () => {
    expect(await decide('1.3.0')).toEqual({ kind: 'none', why: 'nothing_installed' });
  });

  it('does nothing when the installed version is the running one', async () => {
    await installer().install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech-1');
    expect(await decide('1.4.0')).toEqual({ kind: 'none', why: 'running' });
  });

  it('runs the verified deb through pkexec dpkg on a deb-installed Linux console, then starts it again', async () => {
    await installer().install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech-1');
    const d = await decide('1.3.0', DEB);
    const installerPath = join(dataDir, UPDATES_DIR, '1.4.0', 'hall-console-1.4.0-linux-amd64.deb');
    expect(d).toMatchObject({ kind: 'run', version: '1.4.0', counter: 7, rollback: false, format: 'deb', installer: installerPath, command: '/bin/sh' });
    if (d.kind !== 'run') throw new Error('expected run');
    expect(d.args).toEqual(['-c', '/usr/bin/pkexec /usr/bin/dpkg -i "$1" && exec "$2"', 'hall-update', installerPath, '/opt/hall-console/hall-console']);
  });

  it('replaces the AppImage the console runs from when it runs as an AppImage', async () => {
    await installer().install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech-1');
    const d = await decide('1.3.0', APPIMAGE);
    expect(d).toMatchObject({ kind: 'run', format: 'appimage', installer: join(dataDir, UPDATES_DIR, '1.4.0', 'hall-console-1.4.0-linux-x86_64.AppImage') });
    if (d.kind !== 'run') throw new Error('expected run');
    expect(d.args.slice(-2)).toEqual([d.installer, '/home/tech/hall-console.AppImage']);
  });

  it('runs the NSIS installer silently through elevate.exe on Windows', async () => {
    await installer().install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech-1');
    const d = await decide('1.3.0', WIN);
    expect(d).toMatchObject({ kind: 'run', format: 'nsis', command: join(WIN.resourcesPath, 'elevate.exe') });
    if (d.kind !== 'run') throw new Error('expected run');
    expect(d.args).toEqual([join(dataDir, UPDATES_DIR, '1.4.0', 'hall-console-1.4.0-win-x64.exe'), '/S', '--updated', '--force-run']);
  });

  it('refuses, running nothing, when the staged installer was changed after install', async () => {
    await installer().install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech-1');
    const deb = join(dataDir, UPDATES_DIR, '1.4.0', 'hall-console-1.4.0-linux-amd64.deb');
    const bytes = readFileSync(deb);
    bytes[10] = bytes[10]! ^ 1; // same size, other content
    writeFileSync(deb, bytes);
    expect(await decide('1.3.0', DEB)).toEqual({
      kind: 'refused',
      version: '1.4.0',
      code: 'staged_damaged',
      reason: '已安装的更新文件在验证后被改动或损坏，不会运行，请重新安装更新包',
      detail: 'hall-console-1.4.0-linux-amd64.deb does not match its SHA-512 any more',
    });
    // Only the installer that would run is hashed: Windows still gets its untouched .exe.
    expect((await decide('1.3.0', WIN)).kind).toBe('run');
  });

  it('refuses when the staged manifest is not the one verified at install', async () => {
    await installer().install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech-1');
    const manifestFile = join(dataDir, UPDATES_DIR, '1.4.0', 'manifest.json');
    writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace('"stable"', '"stablf"'));
    expect(await decide('1.3.0')).toMatchObject({ kind: 'refused', code: 'staged_damaged', detail: '1.4.0/manifest.json is not the manifest verified at install' });
    rmSync(manifestFile);
    expect(await decide('1.3.0')).toMatchObject({ kind: 'refused', code: 'staged_damaged' });
  });

  it('refuses when the staged installer is gone', async () => {
    await installer().install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech-1');
    rmSync(join(dataDir, UPDATES_DIR, '1.4.0', 'hall-console-1.4.0-win-x64.exe'));
    expect(await decide('1.3.0', WIN)).toMatchObject({ kind: 'refused', code: 'staged_damaged', detail: 'hall-console-1.4.0-win-x64.exe is missing' });
  });

  it('after a rollback, applies the kept previous version the same way', async () => {
    await installer('1.3.0').install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech-1');
    await installer('1.4.0').install({ kind: 'usb', dir: release('1.5.0', 8) }, 'tech-1');
    // 1.5.0 was applied and runs; the technician rolls back to 1.4.0.
    await installer('1.5.0').rollback('tech-1');
    const d = await decide('1.5.0', WIN);
    expect(d).toMatchObject({ kind: 'run', version: '1.4.0', counter: 7, rollback: true, format: 'nsis' });
    if (d.kind !== 'run') throw new Error('expected run');
    expect(d.args[0]).toBe(join(dataDir, UPDATES_DIR, '1.4.0', 'hall-console-1.4.0-win-x64.exe'));
    expect(await decide('1.4.0', WIN)).toEqual({ kind: 'none', why: 'running' });
  });

  it('gives up after MAX_APPLY_ATTEMPTS launches of the same staged version, and counts afresh for a new one', async () => {
    await installer().install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech-1');
    for (let i = 1; i <= MAX_APPLY_ATTEMPTS; i++) {
      const d = await decide('1.3.0');
      if (d.kind !== 'run') throw new Error(`attempt ${i}: ${d.kind}`);
      const record = await recordApplyAttempt(dataDir, d, await readApplyRecord(dataDir), NOW);
      expect(record.attempts).toBe(i);
      if (i === MAX_APPLY_ATTEMPTS) await recordApplyFailure(dataDir, record, 'spawn /bin/sh ENOENT');
    }
    expect(await decide('1.3.0')).toMatchObject({ kind: 'refused', code: 'gave_up', detail: `${MAX_APPLY_ATTEMPTS} launches of the 1.4.0 installer did not start it (last: spawn /bin/sh ENOENT)` });
    await installer().install({ kind: 'usb', dir: release('1.4.1', 9) }, 'tech-1');
    const next = await decide('1.3.0');
    expect(next).toMatchObject({ kind: 'run', version: '1.4.1' });
    if (next.kind !== 'run') throw new Error('expected run');
    expect((await recordApplyAttempt(dataDir, next, await readApplyRecord(dataDir), NOW)).attempts).toBe(1);
  });

  it('treats a damaged apply.json as no attempts', async () => {
    mkdirSync(join(dataDir, UPDATES_DIR), { recursive: true });
    writeFileSync(join(dataDir, UPDATES_DIR, APPLY_FILE), '{"attempts":');
    expect(await readApplyRecord(dataDir)).toBeNull();
  });
});

describe('selectInstaller / installerCommand / planApply', () => {
  const a = (name: string) => artifactOf(name, Buffer.from(name));

  it('picks the one file of the format, or the one named for the arch among several', () => {
    expect(selectInstaller([a('setup.exe'), a('x.deb')], WIN)).toMatchObject({ ok: true, format: 'nsis', artifact: { name: 'setup.exe' } });
    const both = [a('hall-console-1.4.0-linux-amd64.deb'), a('hall-console-1.4.0-linux-arm64.deb')];
    expect(selectInstaller(both, DEB)).toMatchObject({ ok: true, artifact: { name: 'hall-console-1.4.0-linux-amd64.deb' } });
    expect(selectInstaller(both, { ...DEB, arch: 'arm64' })).toMatchObject({ ok: true, artifact: { name: 'hall-console-1.4.0-linux-arm64.deb' } });
    expect(selectInstaller([a('one.deb'), a('two.deb')], DEB)).toMatchObject({ ok: false, code: 'ambiguous_installer' });
    expect(selectInstaller([a('setup.exe')], DEB)).toMatchObject({ ok: false, code: 'no_installer' });
    expect(selectInstaller([a('setup.exe')], { ...DEB, os: 'darwin' })).toMatchObject({ ok: false, code: 'unsupported_platform' });
    // a .exe.blockmap or latest.yml is never an installer
    expect(selectInstaller([a('setup.exe.blockmap'), a('latest.yml')], WIN)).toMatchObject({ ok: false, code: 'no_installer' });
  });

  it.runIf(process.platform === 'linux')('the AppImage command really replaces the file it runs from and starts it (paths with spaces and $)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hall apply $x '));
    try {
      const running = join(dir, 'hall console.AppImage');
      writeFileSync(running, 'old', { mode: 0o755 });
      const staged = join(dir, 'staged $(touch pwned).AppImage');
      const marker = join(dir, 'started');
      // The "new AppImage": a script that records it was started as the file it replaced.
      writeFileSync(staged, `#!/bin/sh\necho "$0" > '${marker}'\n`);
      const cmd = installerCommand('appimage', staged, { ...APPIMAGE, appImage: running });
      const { spawnSync } = await import('node:child_process');
      const r = spawnSync(cmd.command, cmd.args, { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(readFileSync(running, 'utf8')).toBe(readFileSync(staged, 'utf8'));
      expect(readFileSync(marker, 'utf8').trim()).toBe(running);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
      expect(existsSync(`${running}.update`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes paths as arguments, never inside the shell script', () => {
    const evil = '/data/updates/1.4.0/$(reboot).deb';
    const cmd = installerCommand('deb', evil, DEB);
    expect(cmd.args[1]).not.toContain(evil);
    expect(cmd.args[3]).toBe(evil);
  });

  it('planApply needs a current version other than the running one', () => {
    const empty: UpdateState = { stateVersion: 1, highestCounter: 0, rotatedKeyset: null, current: null, previous: null };
    expect(planApply(empty, '1.3.0', null)).toEqual({ kind: 'none', why: 'nothing_installed' });
    const current = { version: '1.4.0', channel: 'stable', counter: 7, keysetVersion: 1, installedAt: NOW.toISOString(), source: 'usb' as const, dir: '1.4.0', manifestSha256: 'a'.repeat(64), signedBy: [] };
    const state: UpdateState = { ...empty, highestCounter: 7, current };
    expect(planApply(state, '1.4.0', null)).toEqual({ kind: 'none', why: 'running' });
    expect(planApply(state, '1.3.0', null)).toEqual({ kind: 'candidate', current });
    const tried = { version: '1.4.0', manifestSha256: 'a'.repeat(64), attempts: MAX_APPLY_ATTEMPTS - 1, lastAttemptAt: NOW.toISOString(), lastError: null };
    expect(planApply(state, '1.3.0', tried).kind).toBe('candidate');
    expect(planApply(state, '1.3.0', { ...tried, attempts: MAX_APPLY_ATTEMPTS }).kind).toBe('refused');
    // the same version re-signed (other manifest) counts afresh
    expect(planApply(state, '1.3.0', { ...tried, attempts: MAX_APPLY_ATTEMPTS, manifestSha256: 'b'.repeat(64) }).kind).toBe('candidate');
  });
});
