/**
 * The installer with real signed bundles in temp folders: install, keep the previous version,
 * rollback, and every refusal (with its Chinese reason), from a USB folder and from a real hub server.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHubServer, type RunningHubServer } from '../../sync/hub/server';
import { SqliteHubStore } from '../../sync/hub/store/sqlite';
import { hubHttpOrigin } from './hub-source';
import { KEYSET_PIN_FILE, keysetPinBytes, UpdateInstaller, type InstallerAuditEntry } from './install';
import { UpdateInstallError } from './reasons';
import { generateUpdateSigningKey } from './sign';
import { ARTIFACTS, artifactOf, bundleInput, keysetDocument, manifestOf, NOW, writeBundle } from './test-support';

const keyA = generateUpdateSigningKey();
const keyB = generateUpdateSigningKey();
const keyC = generateUpdateSigningKey();

let root: string;
let dataDir: string;
let usb: string;
let audit: InstallerAuditEntry[];
let now: Date;

function installer(): UpdateInstaller {
  return new UpdateInstaller({ dataDir, clock: () => now, runningVersion: '1.3.0', audit: (e) => audit.push(e) });
}

/** A bundle for `version` with its own artifact bytes, signed by A and B (threshold 2 of A, B, C). */
function release(version: string, counter: number, extra: Parameters<typeof manifestOf>[0] = {}, signers = [keyA, keyB]): string {
  const artifacts = { [`hall-console-${version}-setup.exe`]: Buffer.from(`MZ installer ${version} `.repeat(500)) };
  const manifest = manifestOf({ version, counter, artifacts: Object.entries(artifacts).map(([n, c]) => artifactOf(n, c)), ...extra });
  return writeBundle(join(usb, `hall-console-${version}`), bundleInput({ manifest, signers }), artifacts);
}

async function refusal(p: Promise<unknown>): Promise<UpdateInstallError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpdateInstallError);
  return err as UpdateInstallError;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hall-update-'));
  dataDir = join(root, 'data');
  usb = join(root, 'usb');
  audit = [];
  now = NOW;
  // the keyset pinned at provisioning
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, KEYSET_PIN_FILE), keysetPinBytes(keysetDocument([keyA, keyB, keyC], 2, 1)));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));


describe('UpdateInstaller from a USB folder', () => {
  it('installs a verified bundle into updates/<version>/, records version and counter atomically, audits', async () => {
    const dir = release('1.4.0', 7);
    const status = await installer().install({ kind: 'usb', dir }, 'tech01');
    expect(status.current).toMatchObject({ version: '1.4.0', channel: 'stable', counter: 7, source: 'usb', keysetVersion: 1 });
    expect(status.current?.signedBy.sort()).toEqual([keyA.publicEntry.keyId, keyB.publicEntry.keyId].sort());
    expect(status.previous).toBeNull();
    expect(status.highestCounter).toBe(7);
    expect(readFileSync(join(dataDir, 'updates', '1.4.0', 'hall-console-1.4.0-setup.exe'))).toEqual(readFileSync(join(dir, 'hall-console-1.4.0-setup.exe')));
    // only the installed folder and the state: no staging leftovers, no tmp files
    expect(readdirSync(join(dataDir, 'updates')).sort()).toEqual(['1.4.0', 'state.json']);
    expect(JSON.parse(readFileSync(join(dataDir, 'updates', 'state.json'), 'utf8'))).toMatchObject({ highestCounter: 7, current: { version: '1.4.0' } });
    expect(audit).toEqual([
      expect.objectContaining({ actor: 'tech01', action: 'update.install', subject: 'update:1.4.0', detail: expect.objectContaining({ version: '1.4.0', counter: 7, source: 'usb', from: null }) }),
    ]);
  });

  it('keeps exactly one previous version, and rollback goes back to it (audited) without lowering the counter', async () => {
    const i = installer();
    await i.install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech01');
    await i.install({ kind: 'usb', dir: release('1.5.0', 8) }, 'tech01');
    let status = await i.install({ kind: 'usb', dir: release('1.6.0', 9) }, 'tech01');
    expect(status.current?.version).toBe('1.6.0');
    expect(status.previous?.version).toBe('1.5.0');
    expect(readdirSync(join(dataDir, 'updates')).sort()).toEqual(['1.5.0', '1.6.0', 'state.json']); // 1.4.0 no longer kept

    status = await i.rollback('tech02');
    expect(status.current?.version).toBe('1.5.0');
    expect(status.previous).toBeNull();
    expect(status.highestCounter).toBe(9);
    expect(readdirSync(join(dataDir, 'updates')).sort()).toEqual(['1.5.0', 'state.json']);
    expect(audit.at(-1)).toMatchObject({ actor: 'tech02', action: 'update.rollback', subject: 'update:1.5.0', detail: { from: '1.6.0', to: '1.5.0', highestCounter: 9 } });

    // An attacker's (or a stale) signed bundle cannot take the console back: the counter stayed at 9.
    for (const [v, c] of [['1.6.0', 9], ['1.4.0', 7]] as const) {
      const err = await refusal(i.install({ kind: 'usb', dir: join(usb, `hall-console-${v}`) }, 'tech01'));
      expect(err.code).toBe('rollback');
      expect(err.message).toContain('版本计数不高于本机已安装的版本');
      expect(err.message).toContain(`manifest counter ${c} is not above the installed 9`);
    }
    // The installed one is named as such (not as an old bundle).
    const same = await refusal(i.install({ kind: 'usb', dir: join(usb, 'hall-console-1.5.0') }, 'tech01'));
    expect(same.code).toBe('already_installed');
    expect((await i.check({ kind: 'usb', dir: join(usb, 'hall-console-1.5.0') })).refusal?.code).toBe('already_installed');
    // Only one step back.
    expect((await refusal(i.rollback('tech02'))).code).toBe('no_previous');
    // Forward again with a new counter.
    status = await i.install({ kind: 'usb', dir: release('1.6.1', 10) }, 'tech01');
    expect(status.current?.version).toBe('1.6.1');
    expect(status.previous?.version).toBe('1.5.0');
  });

  it('refuses a rollback when the kept copy was changed after it was verified', async () => {
    const i = installer();
    await i.install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech01');
    await i.install({ kind: 'usb', dir: release('1.5.0', 8) }, 'tech01');
    const kept = join(dataDir, 'updates', '1.4.0', 'hall-console-1.4.0-setup.exe');
    const bytes = readFileSync(kept);
    bytes.writeUInt8(bytes.readUInt8(10) ^ 1, 10);
    writeFileSync(kept, bytes);
    const err = await refusal(i.rollback('tech01'));
    expect(err.code).toBe('kept_damaged');
    expect(err.message).toContain('保留的上一版本文件已被改动或损坏');
    expect((await i.status()).current?.version).toBe('1.5.0');
  });

  it('refuses each bad bundle with its reason, installs nothing, audits the refusal', async () => {
    const i = installer();
    const tampered = release('1.4.0', 7);
    const exe = join(tampered, 'hall-console-1.4.0-setup.exe');
    const bytes = readFileSync(exe);
    bytes.writeUInt8(bytes.readUInt8(100) ^ 0x20, 100);
    writeFileSync(exe, bytes);
    const cases: [string, string, string][] = [[tampered, 'artifact_hash', '安装文件校验值（SHA-512）不符']];
    const truncated = release('1.4.1', 7);
    writeFileSync(join(truncated, 'hall-console-1.4.1-setup.exe'), readFileSync(join(truncated, 'hall-console-1.4.1-setup.exe')).subarray(0, 100));
    cases.push([truncated, 'truncated', '安装文件不完整']);
    cases.push([release('1.4.2', 7, {}, [keyA]), 'below_threshold', '签名数量不足']);
    const stranger = generateUpdateSigningKey();
    cases.push([release('1.4.3', 7, {}, [stranger, keyA]), 'unknown_key', '签名密钥不受本机信任']);
    cases.push([release('1.4.4', 7, { issuedAt: '2026-10-01T00:00:00Z', expiresAt: '2026-11-01T00:00:00Z' }), 'expired', '更新包已过期']);
    const altered = release('1.4.5', 7);
    writeFileSync(join(altered, 'manifest.json'), readFileSync(join(altered, 'manifest.json'), 'utf8').replace('"stable"', '"stablf"'));
    cases.push([altered, 'bad_signature', '签名不符']);
    cases.push([join(usb, 'nothing-here'), 'not_found', '没有找到更新包']);
    for (const [dir, code, zh] of cases) {
      const err = await refusal(i.install({ kind: 'usb', dir }, 'tech01'));
      expect(err.code, dir).toBe(code);
      expect(err.message, dir).toContain(zh);
      expect(err.reason).toBe(err.message.slice(0, err.reason.length));
    }
    expect(existsSync(join(dataDir, 'updates', 'state.json'))).toBe(false);
    expect(readdirSync(join(dataDir, 'updates'))).toEqual([]); // no staging left behind
    expect(audit.map((a) => [a.action, a.detail.code])).toEqual(cases.map(([, code]) => ['update.refused', code]));
  });

  it('refuses everything when no keyset is pinned, and never resets a damaged state file', async () => {
    rmSync(join(dataDir, KEYSET_PIN_FILE));
    const err = await refusal(installer().install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech01'));
    expect(err.code).toBe('no_keyset');
    expect(err.message).toContain('本机未配置更新公钥');
    expect((await installer().check({ kind: 'usb', dir: join(usb, 'hall-console-1.4.0') })).refusal?.code).toBe('no_keyset');

    writeFileSync(join(dataDir, KEYSET_PIN_FILE), keysetPinBytes(keysetDocument([keyA, keyB, keyC], 2, 1)));
    await installer().install({ kind: 'usb', dir: join(usb, 'hall-console-1.4.0') }, 'tech01');
    writeFileSync(join(dataDir, 'updates', 'state.json'), '{"stateVersion":1,"highestCounter":0');
    const damaged = await refusal(installer().install({ kind: 'usb', dir: release('1.5.0', 8) }, 'tech01'));
    expect(damaged.code).toBe('state_damaged');
    expect(damaged.message).toContain('不会自动重置');
    await expect(installer().status()).rejects.toThrow(/state_damaged/);
    expect(readFileSync(join(dataDir, 'updates', 'state.json'), 'utf8')).toBe('{"stateVersion":1,"highestCounter":0'); // left as it was
  });

  it('pins a rotated keyset: the next bundle signed only by the new keys installs, the retired keys no longer count', async () => {
    const keyD = generateUpdateSigningKey();
    const keyE = generateUpdateSigningKey();
    const v2 = keysetDocument([keyC, keyD, keyE], 2, 2);
    const artifacts = { 'hall-console-1.5.0-setup.exe': Buffer.from('MZ rotated '.repeat(100)) };
    const manifest = manifestOf({ version: '1.5.0', counter: 8, keysetVersion: 2, artifacts: [artifactOf('hall-console-1.5.0-setup.exe', artifacts['hall-console-1.5.0-setup.exe'])] });
    const rotating = writeBundle(join(usb, 'rotating'), bundleInput({ manifest, signers: [keyD, keyE], rotation: { keyset: v2, signers: [keyA, keyB] } }), artifacts);
    const i = installer();
    let status = await i.install({ kind: 'usb', dir: rotating }, 'tech01');
    expect(status.keyset).toEqual({ keysetVersion: 2, threshold: 2, keys: 3 });
    expect(audit.at(-1)?.detail).toMatchObject({ rotated: true, keysetVersion: 2 });
    status = await i.install({ kind: 'usb', dir: release('1.6.0', 9, { keysetVersion: 2 }, [keyD, keyC]) }, 'tech01');
    expect(status.current?.version).toBe('1.6.0');
    const old = await refusal(i.install({ kind: 'usb', dir: release('1.7.0', 10, { keysetVersion: 1 }, [keyA, keyB]) }, 'tech01'));
    expect(old.code).toBe('unknown_key');
  });

  it('lists the bundles of a USB folder with their verification result', async () => {
    const i = installer();
    release('1.4.0', 7);
    const bad = release('1.5.0', 8);
    writeFileSync(join(bad, 'hall-console-1.5.0-setup.exe'), 'MZ something else');
    const found = await i.findUsbBundles(usb);
    expect(found.map((d) => d.slice(usb.length + 1))).toEqual(['hall-console-1.4.0', 'hall-console-1.5.0']);
    const checks = await Promise.all(found.map((dir) => i.check({ kind: 'usb', dir })));
    expect(checks.map((c) => [c.version, c.verified, c.refusal?.code ?? null])).toEqual([
      ['1.4.0', true, null],
      ['1.5.0', false, 'truncated'],
    ]);
    expect(checks[1]?.refusal?.reason).toContain('安装文件不完整');
    // a folder that is itself a bundle
    expect(await i.findUsbBundles(join(usb, 'hall-console-1.4.0'))).toEqual([join(usb, 'hall-console-1.4.0')]);
    expect((await refusal(i.findUsbBundles(join(usb, 'missing')))).code).toBe('not_found');
  });

  it('removes leftovers of an interrupted install', async () => {
    const i = installer();
    await i.install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech01');
    mkdirSync(join(dataDir, 'updates', '.staging-abc'));
    writeBundle(join(dataDir, 'updates', '9.9.9'), bundleInput({ signers: [keyA] }));
    expect((await i.cleanup()).sort()).toEqual(['.staging-abc', '9.9.9']);
    expect(readdirSync(join(dataDir, 'updates')).sort()).toEqual(['1.4.0', 'state.json']);
  });

  it('refuses a second install while one runs', async () => {
    const i = installer();
    const a = i.install({ kind: 'usb', dir: release('1.4.0', 7) }, 'tech01');
    const err = await refusal(i.install({ kind: 'usb', dir: release('1.5.0', 8) }, 'tech01'));
    expect(err.code).toBe('busy');
    await a;
  });
});

describe('UpdateInstaller from the hub (a real hub server serving --updates DIR)', () => {
  let hub: RunningHubServer;
  let shelf: string;
  beforeEach(async () => {
    shelf = join(root, 'hub-updates');
    const store = await SqliteHubStore.open({ file: ':memory:' });
    hub = await startHubServer({ store, port: 0, updatesDir: shelf });
  });
  afterEach(async () => {
    await hub.close();
  });

  const hubRelease = (name: string, version: string, counter: number, signers = [keyA, keyB]) => {
    const manifest = manifestOf({ version, counter });
    return writeBundle(join(shelf, name), bundleInput({ manifest, signers }), ARTIFACTS);
  };

  it('serves index.json and files, nothing outside the shelf', async () => {
    hubRelease('r140', '1.4.0', 7);
    writeFileSync(join(root, 'secret.txt'), 'not for consoles');
    const index = (await (await fetch(`${hub.origin}/updates/index.json`)).json()) as { bundles: { name: string; files: { name: string }[] }[] };
    expect(index.bundles.map((b) => b.name)).toEqual(['r140']);
    expect(index.bundles[0]?.files.map((f) => f.name).sort()).toEqual([...Object.keys(ARTIFACTS), 'manifest.json', 'manifest.sig.json'].sort());
    const file = await fetch(`${hub.origin}/updates/r140/hall-console-1.4.0-setup.exe`);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(ARTIFACTS['hall-console-1.4.0-setup.exe']);
    for (const path of ['/updates/..%2F..%2Fsecret.txt/x', '/updates/r140/..%2F..%2Fsecret.txt', '/updates/%2E%2E/secret.txt', '/updates/r140', '/updates/r140/a/b']) {
      const res = await fetch(`${hub.origin}${path}`);
      expect(res.status, path).toBe(404);
    }
    expect((await fetch(`${hub.origin}/updates/index.json`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${hub.origin}/health`)).status).toBe(200); // the rest of the hub as before
  });

  it('checks, downloads, verifies locally and installs a hub bundle; a tampered one is refused', async () => {
    hubRelease('r140', '1.4.0', 7);
    const bad = hubRelease('r150', '1.5.0', 8);
    writeFileSync(join(bad, 'hall-console_1.4.0_amd64.deb'), Buffer.from('!<arch>\nevil '.padEnd(ARTIFACTS['hall-console_1.4.0_amd64.deb']!.length, 'x')));
    const origin = hubHttpOrigin(hub.url)!;
    expect(origin).toBe(hub.origin);
    const i = installer();
    expect(await i.findHubBundles(origin)).toEqual(['r140', 'r150']);
    const checks = await Promise.all(['r140', 'r150'].map((name) => i.check({ kind: 'hub', origin, name })));
    // the hub check covers manifest + signatures; the changed artifact is found at download
    expect(checks.map((c) => [c.version, c.verified])).toEqual([
      ['1.4.0', true],
      ['1.5.0', true],
    ]);
    const err = await refusal(i.install({ kind: 'hub', origin, name: 'r150' }, 'tech01'));
    expect(err.code).toBe('artifact_hash');
    expect(readdirSync(join(dataDir, 'updates'))).toEqual([]); // the download was removed
    const status = await i.install({ kind: 'hub', origin, name: 'r140' }, 'tech01');
    expect(status.current).toMatchObject({ version: '1.4.0', source: 'hub' });
    expect(audit.at(-1)).toMatchObject({ action: 'update.install', detail: { source: 'hub' } });
  });

  it('cuts off a hub that sends more than the signed manifest declares, and downloads nothing for an unsigned bundle', async () => {
    const big = hubRelease('big', '1.4.0', 7);
    writeFileSync(join(big, 'hall-console-1.4.0-setup.exe'), Buffer.alloc(5 * 1024 * 1024, 0x41));
    const origin = hub.origin;
    const err = await refusal(installer().install({ kind: 'hub', origin, name: 'big' }, 'tech01'));
    expect(err.code).toBe('download_failed');
    expect(err.detail).toMatch(/5242880 bytes is more than the limit of \d+/);

    hubRelease('unsigned', '1.5.0', 8, [keyA]);
    const refused = await refusal(installer().install({ kind: 'hub', origin, name: 'unsigned' }, 'tech01'));
    expect(refused.code).toBe('below_threshold');
    expect(readdirSync(join(dataDir, 'updates'))).toEqual([]);
  });

  it('answers download_failed when the hub is down or serves no updates', async () => {
    const store = await SqliteHubStore.open({ file: ':memory:' });
    const plain = await startHubServer({ store, port: 0 });
    try {
      expect((await refusal(installer().findHubBundles(plain.origin))).code).toBe('download_failed');
    } finally {
      await plain.close();
    }
    expect((await refusal(installer().findHubBundles('http://127.0.0.1:1'))).code).toBe('download_failed');
    expect(hubHttpOrigin('wss://hub.example.invalid:7300/sync')).toBe('https://hub.example.invalid:7300');
    expect(hubHttpOrigin('ftp://x/')).toBeNull();
  });
});
