/**
 * UpdatesService: the installer's refusals become typed contract errors with the reason, the USB
 * folder is a saved setting, audit rows land in the console's audit log.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../log';
import type { Store } from '../store';
import { memoryStore } from '../store/test-support';
import { KEYSET_PIN_FILE, keysetPinBytes } from '../update/install';
import { generateUpdateSigningKey } from '../update/sign';
import { bundleInput, keysetDocument, manifestOf, NOW, writeBundle } from '../update/test-support';
import { HallServiceError } from './errors';
import { UpdatesService } from './updates';

const key = generateUpdateSigningKey();
let root: string;
let store: Store;
let hubUrl: string | null;

function service(): UpdatesService {
  return new UpdatesService({ store, dataDir: join(root, 'data'), clock: () => NOW, logger: createMemoryLogger(), runningVersion: '0.1.0', hubUrl: () => hubUrl });
}

async function serviceError(p: Promise<unknown>): Promise<HallServiceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HallServiceError);
  return err as HallServiceError;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hall-updates-svc-'));
  store = memoryStore();
  hubUrl = null;
  writeBundle(join(root, 'usb', 'ok'), bundleInput({ manifest: manifestOf({ version: '1.4.0', counter: 7 }), signers: [key] }));
  writeBundle(join(root, 'usb', 'unsigned'), bundleInput({ manifest: manifestOf({ version: '1.5.0', counter: 8 }), signers: [] }));
});
afterEach(() => {
  store.close();
  rmSync(root, { recursive: true, force: true });
});

describe('UpdatesService', () => {
  it('lists the USB folder (saved for next time), installs with an audit row in the store, and maps refusals to typed errors', async () => {
    const s = service();
    expect(await s.check({})).toEqual({ usbDir: null, hubUrl: null, bundles: [], usbError: null, hubError: null }); // no folder set yet
    mkdirSync(join(root, 'data'), { recursive: true });
    writeFileSync(join(root, 'data', KEYSET_PIN_FILE), keysetPinBytes(keysetDocument([key], 1)));

    const checked = await s.check({ usbDir: join(root, 'usb') });
    expect(checked.bundles.map((b) => [b.location.slice(root.length), b.version, b.installable, b.refusalCode])).toEqual([
      ['/usb/ok', '1.4.0', true, null],
      ['/usb/unsigned', '1.5.0', false, 'below_threshold'],
    ]);
    expect((await s.status()).usbDir).toBe(join(root, 'usb'));
    expect((await s.check({})).bundles).toHaveLength(2); // the saved folder

    const status = await s.install({ source: 'usb', location: join(root, 'usb', 'ok') }, 'tech-user-1');
    expect(status.current).toMatchObject({ version: '1.4.0', counter: 7, source: 'usb' });
    expect(store.audit.forSubject('update:1.4.0')).toEqual([expect.objectContaining({ actor: 'tech-user-1', action: 'update.install' })]);

    const refused = await serviceError(s.install({ source: 'usb', location: join(root, 'usb', 'unsigned') }, 'tech-user-1'));
    expect(refused.code).toBe('conflict');
    expect(refused.message).toMatch(/^签名数量不足（below_threshold: /);
    expect(store.audit.forSubject('update').map((r) => r.action)).toEqual(['update.refused']);

    expect((await serviceError(s.rollback('tech-user-1'))).code).toBe('not_found');
    expect((await serviceError(s.check({ usbDir: 'relative/path' }))).code).toBe('bad_input');
    expect((await serviceError(s.install({ source: 'hub', location: 'r1' }, 'tech-user-1'))).message).toContain('未设置中心平台地址');
    hubUrl = 'ws://127.0.0.1:1/sync';
    const down = await s.check({});
    expect(down.hubError).toContain('从中心平台下载更新包失败');
    expect(down.bundles).toHaveLength(2); // the USB list still there
  });

  it('at start: launches of the installed update are counted and audited; a failed launch too; then it gives up', async () => {
    mkdirSync(join(root, 'data'), { recursive: true });
    writeFileSync(join(root, 'data', KEYSET_PIN_FILE), keysetPinBytes(keysetDocument([key], 1)));
    const s = service();
    const platform = { os: 'linux', arch: 'x64', resourcesPath: '/opt/hall-console/resources', execPath: '/opt/hall-console/hall-console', appImage: null };
    expect((await s.applyAtStart(platform)).decision).toEqual({ kind: 'none', why: 'nothing_installed' });
    await s.install({ source: 'usb', location: join(root, 'usb', 'ok') }, 'tech-user-1');

    const first = await s.applyAtStart(platform);
    expect(first.decision).toMatchObject({ kind: 'run', version: '1.4.0', format: 'deb' });
    expect(first.record).toMatchObject({ attempts: 1, lastError: null });
    if (first.decision.kind !== 'run' || !first.record) throw new Error('expected run');
    await s.applyFailed(first.decision, first.record, 'spawn /bin/sh ENOENT');
    expect((await s.applyAtStart(platform)).record).toMatchObject({ attempts: 2, lastError: 'spawn /bin/sh ENOENT' });
    expect((await s.applyAtStart(platform)).decision).toMatchObject({ kind: 'refused', code: 'gave_up' });
    expect(store.audit.forSubject('update:1.4.0').map((r) => [r.actor, r.action])).toEqual([
      ['tech-user-1', 'update.install'],
      [null, 'update.apply'],
      [null, 'update.apply_failed'],
      [null, 'update.apply'],
      [null, 'update.apply_refused'],
    ]);
  });

  it('says unavailable with the reason when no keyset is pinned', async () => {
    const err = await serviceError(service().install({ source: 'usb', location: join(root, 'usb', 'ok') }, 'tech-user-1'));
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain('本机未配置更新公钥');
    expect((await service().status()).keyset).toBeNull();
  });
});
