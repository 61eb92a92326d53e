/**
 * `hall update install | rollback | status --data DIR`: the headless host's and screenless technician's
 * way to the same installer as the 软件更新 screen, audited as `cli` in the console's own audit log.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../main/app';
import { MAX_APPLY_ATTEMPTS, pendingApply, readApplyRecord, recordApplyAttempt, recordApplyFailure, type ApplyPlatform } from '../../main/update/apply';
import { KEYSET_PIN_FILE, keysetPinBytes, STATE_FILE, UPDATES_DIR, type UpdateState } from '../../main/update/install';
import { generateUpdateSigningKey } from '../../main/update/sign';
import { artifactOf, bundleInput, keysetDocument, manifestOf, writeBundle } from '../../main/update/test-support';
import { main } from '../cli';
import type { Io } from '../command';
import { packageVersion } from './version';

const keyA = generateUpdateSigningKey();
const keyB = generateUpdateSigningKey();
const day = 86_400_000;
const utc = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
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

let root: string;
let data: string;

/** A bundle for `version`, signed by `signers` (the console pins A+B, threshold 2), valid around the real clock. */
function release(version: string, counter: number, signers = [keyA, keyB]): string {
  const artifacts = {
    [`hall-console-${version}-win-x64.exe`]: Buffer.from(`MZ nsis ${version} `.repeat(300)),
    [`hall-console-${version}-linux-amd64.deb`]: Buffer.from(`!<arch>\ndeb ${version} `.repeat(200)),
  };
  const manifest = manifestOf({
    version,
    counter,
    issuedAt: utc(Date.now() - day),
    expiresAt: utc(Date.now() + 30 * day),
    artifacts: Object.entries(artifacts).map(([n, c]) => artifactOf(n, c)),
  });
  return writeBundle(join(root, 'usb', `hall-console-${version}`), bundleInput({ manifest, signers }), artifacts);
}

function auditRows(): { actor: string | null; action: string; subject: string | null }[] {
  const db = new Database(join(data, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare("SELECT actor, action, subject FROM audit_log WHERE action LIKE 'update.%' ORDER BY id").all() as { actor: string | null; action: string; subject: string | null }[];
  } finally {
    db.close();
  }
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'hall-cli-update-'));
  data = join(root, 'data');
  await run(['db', 'migrate', '--db', join(data, DATABASE_FILE)], 0);
  writeFileSync(join(data, KEYSET_PIN_FILE), keysetPinBytes(keysetDocument([keyA, keyB], 2, 1)));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('hall update install / rollback / status', () => {
  it('installs, installs the next, rolls back one step: each audited as cli, status says what the next start applies', async () => {
    const running = packageVersion();
    const empty = await run(['update', 'status', '--data', data], 0);
    expect(empty.stdout[0]).toBe(`running ${running}; installed none; previous none\nanti-rollback counter 0; keyset v1 (2 of 2)\nnext start: nothing to apply (no update installed)`);

    const first = await run(['update', 'install', '--data', data, '--from', release('1.4.0', 7)], 0);
    expect(first.stdout[0]).toMatch(/^installed 1\.4\.0 \(stable, counter 7\) from .*hall-console-1\.4\.0; previous none; applied when the console next starts$/);
    // --from may also be the USB folder when it holds exactly one bundle
    rmSync(join(root, 'usb', 'hall-console-1.4.0'), { recursive: true });
    release('1.5.0', 8);
    const second = await run(['update', 'install', '--data', data, '--from', join(root, 'usb'), '--json'], 0);
    expect(JSON.parse(second.stdout[0]!)).toMatchObject({ ok: true, current: { version: '1.5.0', counter: 8, source: 'usb' }, previous: { version: '1.4.0' }, highestCounter: 8 });

    const status = JSON.parse((await run(['update', 'status', '--data', data, '--json'], 0)).stdout[0]!);
    expect(status).toMatchObject({ runningVersion: running, current: { version: '1.5.0' }, previous: { version: '1.4.0' }, highestCounter: 8 });
    if (process.platform === 'linux') {
      expect(status.nextStart).toMatchObject({ kind: 'run', version: '1.5.0', format: process.env.APPIMAGE ? 'appimage' : 'deb', rollback: false });
    }

    const back = await run(['update', 'rollback', '--data', data], 0);
    expect(back.stdout[0]).toMatch(/^rolled back from 1\.5\.0 to 1\.4\.0 \(stable, counter 7, from usb .*\); applied when the console next starts; the anti-rollback counter stays 8$/);
    if (process.platform === 'linux') {
      expect(JSON.parse((await run(['update', 'status', '--data', data, '--json'], 0)).stdout[0]!).nextStart).toMatchObject({ kind: 'run', version: '1.4.0', rollback: true });
    }
    expect((await run(['update', 'rollback', '--data', data], 1)).stderr[0]).toBe('hall update rollback: refused (no_previous): 没有保留的上一版本，无法回退（no_previous: no previous version is kept）');

    expect(auditRows()).toEqual([
      { actor: 'cli', action: 'update.install', subject: 'update:1.4.0' },
      { actor: 'cli', action: 'update.install', subject: 'update:1.5.0' },
      { actor: 'cli', action: 'update.rollback', subject: 'update:1.4.0' },
    ]);
  });

  it('refuses a bundle below the threshold, an older counter and a tampered artifact with the reason; nothing installed, the refusals audited', async () => {
    const below = await run(['update', 'install', '--data', data, '--from', release('1.4.0', 7, [keyA])], 1);
    expect(below.stderr[0]).toMatch(/^hall update install: refused \(below_threshold\): 签名数量不足（below_threshold: manifest\.json has 1 of the 2 required signatures/);
    expect(JSON.parse((await run(['update', 'status', '--data', data, '--json'], 0)).stdout[0]!)).toMatchObject({ current: null, highestCounter: 0 });

    rmSync(join(root, 'usb'), { recursive: true });
    await run(['update', 'install', '--data', data, '--from', release('1.5.0', 8)], 0);
    const older = await run(['update', 'install', '--data', data, '--from', release('1.4.1', 8)], 1);
    expect(older.stderr[0]).toMatch(/^hall update install: refused \(rollback\): /);

    const tampered = release('1.6.0', 9);
    const exe = join(tampered, 'hall-console-1.6.0-win-x64.exe');
    const bytes = readFileSync(exe);
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(exe, bytes);
    const json = await run(['update', 'install', '--data', data, '--from', tampered, '--json'], 1);
    expect(JSON.parse(json.stdout[0]!)).toMatchObject({ ok: false, code: 'artifact_hash' });
    expect(JSON.parse(readFileSync(join(data, UPDATES_DIR, STATE_FILE), 'utf8'))).toMatchObject({ highestCounter: 8, current: { version: '1.5.0' } });

    expect(auditRows().map((r) => [r.actor, r.action])).toEqual([
      ['cli', 'update.refused'],
      ['cli', 'update.install'],
      ['cli', 'update.refused'],
      ['cli', 'update.refused'],
    ]);
  });

  it('status shows a staged copy changed after install as refused at the next start', async () => {
    await run(['update', 'install', '--data', data, '--from', release('1.4.0', 7)], 0);
    for (const name of ['hall-console-1.4.0-win-x64.exe', 'hall-console-1.4.0-linux-amd64.deb']) writeFileSync(join(data, UPDATES_DIR, '1.4.0', name), 'swapped');
    if (process.platform === 'linux' || process.platform === 'win32') {
      const next = JSON.parse((await run(['update', 'status', '--data', data, '--json'], 0)).stdout[0]!).nextStart;
      expect(next).toMatchObject({ kind: 'refused', version: '1.4.0', code: 'staged_damaged' });
      expect((await run(['update', 'status', '--data', data], 0)).stdout[0]).toContain('next start: will not apply 1.4.0: 已安装的更新文件在验证后被改动或损坏');
    }
  });

  it('retry clears the attempts of an update the console gave up applying, audited', async () => {
    await run(['update', 'install', '--data', data, '--from', release('1.4.0', 7)], 0);
    const state = JSON.parse(readFileSync(join(data, UPDATES_DIR, STATE_FILE), 'utf8')) as UpdateState;
    const linux: ApplyPlatform = { os: 'linux', arch: 'x64', resourcesPath: '/opt/hall-console/resources', execPath: '/opt/hall-console/hall-console', appImage: null };
    for (let i = 0; i < MAX_APPLY_ATTEMPTS; i++) {
      const d = await pendingApply({ dataDir: data, state, runningVersion: '0.0.1', platform: linux, record: await readApplyRecord(data) });
      if (d.kind !== 'run') throw new Error(d.kind);
      await recordApplyFailure(data, await recordApplyAttempt(data, d, await readApplyRecord(data), new Date()), 'pkexec: dismissed');
    }
    expect(await pendingApply({ dataDir: data, state, runningVersion: '0.0.1', platform: linux, record: await readApplyRecord(data) })).toMatchObject({ kind: 'refused', code: 'gave_up' });
    expect((await run(['update', 'status', '--data', data], 0)).stdout[0]).toContain(`apply attempts for 1.4.0: ${MAX_APPLY_ATTEMPTS}, last `);

    expect((await run(['update', 'retry', '--data', data], 0)).stdout[0]).toBe(`cleared ${MAX_APPLY_ATTEMPTS} apply attempt(s) of 1.4.0: the console runs its installer again at the next start`);
    expect(await pendingApply({ dataDir: data, state, runningVersion: '0.0.1', platform: linux, record: await readApplyRecord(data) })).toMatchObject({ kind: 'run', version: '1.4.0' });
    expect((await run(['update', 'retry', '--data', data], 0)).stdout[0]).toBe('no apply attempts recorded: nothing to clear');
    expect(auditRows().map((r) => [r.actor, r.action])).toEqual([
      ['cli', 'update.install'],
      ['cli', 'update.apply_retry'],
    ]);
  });

  it('needs the console database (nowhere to audit otherwise), --data and --from, and one bundle', async () => {
    expect((await run(['update', 'install', '--data', join(root, 'nowhere'), '--from', release('1.4.0', 7)], 1)).stderr[0]).toMatch(/^hall update install: no console database at .*hall\.sqlite/);
    await run(['update', 'install', '--from', join(root, 'usb')], 2);
    await run(['update', 'install', '--data', data], 2);
    await run(['update', 'status'], 2);
    release('1.5.0', 8);
    expect((await run(['update', 'install', '--data', data, '--from', join(root, 'usb')], 2)).stderr[0]).toMatch(/holds 2 bundles: name one with --from/);
    expect((await run(['update', 'install', '--data', data, '--from', join(root, 'empty')], 1)).stderr[0]).toMatch(/^hall update install: refused \(not_found\)/);
  });
});
