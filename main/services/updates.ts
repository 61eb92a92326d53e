/**
 * 软件更新 for the technician: what is installed, the bundles in the USB folder and on the hub with
 * their verification result, install, rollback. The work is main/update/install.ts; this service
 * adds the console's settings (hub URL, USB folder), the audit log, and typed errors for the contract.
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import type { Store } from '../store';
import { pendingApply, readApplyRecord, recordApplyAttempt, recordApplyFailure, type ApplyDecision, type ApplyPlatform, type ApplyRecord } from '../update/apply';
import { hubHttpOrigin } from '../update/hub-source';
import { UpdateInstaller, type BundleCheck, type BundleSource, type InstalledVersion, type UpdateStatus } from '../update/install';
import { UpdateInstallError, type InstallRefusalCode } from '../update/reasons';
import { HallServiceError } from './errors';
import type { ErrorCode } from '../../preload/contract';

export const USB_DIR_SETTING = 'updates.usbDir';
const UsbDirSetting = z.string().min(1).max(1024);

export interface VersionView {
  version: string;
  channel: string;
  counter: number;
  installedAt: string;
  source: 'usb' | 'hub';
}

export interface UpdatesStatusView {
  runningVersion: string;
  current: VersionView | null;
  previous: VersionView | null;
  highestCounter: number;
  keyset: { keysetVersion: number; threshold: number; keys: number } | null;
  usbDir: string | null;
  hubUrl: string | null;
}

export interface BundleView {
  source: 'usb' | 'hub';
  location: string;
  version: string | null;
  channel: string | null;
  counter: number | null;
  expiresAt: string | null;
  verified: boolean;
  installable: boolean;
  refusalCode: string | null;
  reason: string | null;
}

export interface UpdatesCheckView {
  usbDir: string | null;
  hubUrl: string | null;
  bundles: BundleView[];
  usbError: string | null;
  hubError: string | null;
}

const ERROR_CODES: Partial<Record<InstallRefusalCode, ErrorCode>> = {
  not_found: 'not_found',
  no_previous: 'not_found',
  download_failed: 'unavailable',
  no_keyset: 'unavailable',
  busy: 'unavailable',
};

function toServiceError(err: unknown): never {
  if (err instanceof UpdateInstallError) throw new HallServiceError(ERROR_CODES[err.code] ?? 'conflict', err.message);
  throw err;
}

const versionView = (v: InstalledVersion | null): VersionView | null =>
  v ? { version: v.version, channel: v.channel, counter: v.counter, installedAt: v.installedAt, source: v.source } : null;

export interface UpdatesServiceOptions {
  store: Store;
  dataDir: string;
  clock: Clock;
  logger: Logger;
  runningVersion: string;
  /** The sync setting sync.hubUrl (ws://…), or null. */
  hubUrl(): string | null;
  /** The pinned keyset file (default <dataDir>/update-keyset.json). */
  keysetFile?: string;
}

export class UpdatesService {
  readonly installer: UpdateInstaller;

  constructor(private readonly options: UpdatesServiceOptions) {
    this.installer = new UpdateInstaller({
      dataDir: options.dataDir,
      clock: options.clock,
      runningVersion: options.runningVersion,
      ...(options.keysetFile ? { keysetFile: options.keysetFile } : {}),
      audit: (entry) => {
        options.store.audit.append({ actor: entry.actor, action: entry.action, subject: entry.subject, detail: entry.detail });
      },
    });
  }

  /** Leftovers of an install interrupted by a crash or power cut; logged, never fatal. */
  async cleanup(): Promise<void> {
    try {
      const removed = await this.installer.cleanup();
      if (removed.length > 0) this.options.logger.log('info', 'updates.cleanup', { removed });
    } catch (err) {
      this.options.logger.log('error', 'updates.cleanup_failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private usbDir(): string | null {
    return this.options.store.settings.get(USB_DIR_SETTING, UsbDirSetting) ?? null;
  }

  async status(): Promise<UpdatesStatusView> {
    let s: UpdateStatus;
    try {
      s = await this.installer.status();
    } catch (err) {
      toServiceError(err);
    }
    return {
      runningVersion: s.runningVersion,
      current: versionView(s.current),
      previous: versionView(s.previous),
      highestCounter: s.highestCounter,
      keyset: s.keyset,
      usbDir: this.usbDir(),
      hubUrl: this.options.hubUrl(),
    };
  }

  private static bundleView(check: BundleCheck): BundleView {
    return {
      source: check.source.kind,
      location: check.source.kind === 'usb' ? check.source.dir : check.source.name,
      version: check.version,
      channel: check.channel,
      counter: check.counter,
      expiresAt: check.expiresAt,
      verified: check.verified,
      installable: check.verified && check.refusal === null,
      refusalCode: check.refusal?.code ?? null,
      reason: check.refusal?.reason ?? null,
    };
  }

  /** Lists and verifies the bundles in the USB folder (saved as the new default when given) and on the hub. */
  async check(input: { usbDir?: string | null | undefined }): Promise<UpdatesCheckView> {
    if (input.usbDir !== undefined && input.usbDir !== null) {
      if (!isAbsolute(input.usbDir)) throw new HallServiceError('bad_input', 'U 盘目录须为完整路径，例如 /media/tech/HALL-UPDATE');
      this.options.store.settings.set(USB_DIR_SETTING, UsbDirSetting, resolve(input.usbDir));
    }
    const usbDir = this.usbDir();
    const hubUrl = this.options.hubUrl();
    const bundles: BundleView[] = [];
    let usbError: string | null = null;
    let hubError: string | null = null;
    if (usbDir) {
      try {
        for (const dir of await this.installer.findUsbBundles(usbDir)) bundles.push(UpdatesService.bundleView(await this.installer.check({ kind: 'usb', dir })));
      } catch (err) {
        usbError = err instanceof UpdateInstallError ? err.message : '读取 U 盘目录失败';
      }
    }
    const origin = hubUrl ? hubHttpOrigin(hubUrl) : null;
    if (origin) {
      try {
        for (const name of await this.installer.findHubBundles(origin)) bundles.push(UpdatesService.bundleView(await this.installer.check({ kind: 'hub', origin, name })));
      } catch (err) {
        hubError = err instanceof UpdateInstallError ? err.message : '连接中心平台失败';
      }
    }
    return { usbDir, hubUrl, bundles, usbError, hubError };
  }

  private source(input: { source: 'usb' | 'hub'; location: string }): BundleSource {
    if (input.source === 'usb') {
      if (!isAbsolute(input.location)) throw new HallServiceError('bad_input', '更新包目录须为完整路径');
      return { kind: 'usb', dir: resolve(input.location) };
    }
    const hubUrl = this.options.hubUrl();
    const origin = hubUrl ? hubHttpOrigin(hubUrl) : null;
    if (!origin) throw new HallServiceError('unavailable', '本机未设置中心平台地址，不能从中心平台安装');
    return { kind: 'hub', origin, name: input.location };
  }

  async install(input: { source: 'usb' | 'hub'; location: string }, actor: string): Promise<UpdatesStatusView> {
    const source = this.source(input);
    try {
      await this.installer.install(source, actor);
    } catch (err) {
      this.options.logger.log('warn', 'updates.install_refused', { source: source.kind, code: err instanceof UpdateInstallError ? err.code : 'error' });
      toServiceError(err);
    }
    const status = await this.status();
    this.options.logger.log('info', 'updates.installed', { version: status.current?.version ?? null, counter: status.current?.counter ?? null, source: source.kind });
    return status;
  }

  /**
   * At start, before the window (main/electron/index.ts): the installer to run for the installed
   * version when it is not the running one, re-verified (main/update/apply.ts). The launch is counted
   * and audited here; a refusal is logged and audited and the console starts as it is. Never throws.
   */
  async applyAtStart(platform: ApplyPlatform): Promise<{ decision: ApplyDecision; record: ApplyRecord | null }> {
    const { store, logger, clock, dataDir, runningVersion } = this.options;
    try {
      const state = await this.installer.readState();
      const previous = await readApplyRecord(dataDir);
      const decision = await pendingApply({ dataDir, state, runningVersion, platform, record: previous });
      if (decision.kind === 'none') return { decision, record: previous };
      if (decision.kind === 'refused') {
        logger.log('warn', 'updates.apply_refused', { version: decision.version, code: decision.code, detail: decision.detail });
        store.audit.append({ actor: null, action: 'update.apply_refused', subject: `update:${decision.version}`, detail: { version: decision.version, running: runningVersion, code: decision.code, detail: decision.detail.slice(0, 300) } });
        return { decision, record: previous };
      }
      const record = await recordApplyAttempt(dataDir, decision, previous, clock());
      logger.log('info', 'updates.apply', { version: decision.version, format: decision.format, rollback: decision.rollback, attempt: record.attempts });
      store.audit.append({
        actor: null,
        action: 'update.apply',
        subject: `update:${decision.version}`,
        detail: { version: decision.version, counter: decision.counter, running: runningVersion, format: decision.format, rollback: decision.rollback, attempt: record.attempts },
      });
      return { decision, record };
    } catch (err) {
      logger.log('error', 'updates.apply_check_failed', { error: err instanceof Error ? err.message : String(err) });
      return { decision: { kind: 'none', why: 'nothing_installed' }, record: null };
    }
  }

  /** The shell could not launch the installer: logged, audited, kept in updates/apply.json; the console starts normally. */
  async applyFailed(decision: Extract<ApplyDecision, { kind: 'run' }>, record: ApplyRecord, error: string): Promise<void> {
    const { store, logger, dataDir } = this.options;
    logger.log('error', 'updates.apply_failed', { version: decision.version, format: decision.format, error });
    store.audit.append({ actor: null, action: 'update.apply_failed', subject: `update:${decision.version}`, detail: { version: decision.version, format: decision.format, attempt: record.attempts, error: error.slice(0, 300) } });
    try {
      await recordApplyFailure(dataDir, record, error);
    } catch (err) {
      logger.log('error', 'updates.apply_record_failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  async rollback(actor: string): Promise<UpdatesStatusView> {
    try {
      await this.installer.rollback(actor);
    } catch (err) {
      toServiceError(err);
    }
    const status = await this.status();
    this.options.logger.log('info', 'updates.rolled_back', { version: status.current?.version ?? null });
    return status;
  }
}
