/**
 * Composition root: opens the store, builds the services and the dispatcher. Both shells call this
 * one function — Electron (main/electron/index.ts) and the headless host (bin/commands/host.ts) —
 * so a browser-mode console runs exactly the code the desktop console runs.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AppInfo } from '../preload/contract';
import { systemClock, type Clock } from './domain/clock';
import { createEventBus, type EventBus } from './events';
import { createDispatcher, type Dispatcher } from './ipc/dispatcher';
import { createHandlers } from './ipc/handlers';
import type { Logger } from './log';
import { AuthService } from './services/auth';
import { DEFAULT_IDLE_LOCK_MINUTES, IDLE_LOCK_SETTING, IdleLockMinutesSetting } from './services/idle-lock';
import { seedDemoData } from './services/demo-seed';
import { FaceCheckService } from './services/face';
import { QueueService } from './services/queue';
import { RatingService } from './services/ratings';
import { DOCUMENT_KEYS_SETTING, DocumentKeysSetting, KioskService } from './services/kiosk';
import { CaseService } from './services/cases';
import { CatalogService } from './services/catalog';
import { CaseDocuments } from './services/documents';
import { IntakeService } from './services/intake';
import { signDocumentQr } from './security/receipt-signature';
import { loadOrCreateConsoleKey, loadOrCreateDataKey } from './security/console-keys';
import { KEY_FILE_PROTECTOR_WARNING, keyFileProtector, type KeyProtector } from './security/key-protector';
import { signAuditHead } from './security/audit-chain';
import { renderDocumentPdf } from './documents/pdf';
import { ALL_EMULATED, DEVICES_CONFIG_SETTING, DevicesConfig, HallHardware } from './services/hardware';
import { SyncStatusService } from './services/sync-status';
import { SyncViewsService } from './services/sync-views';
import { UpdatesService } from './services/updates';
import { EnrollmentService } from './services/enrollment';
import { PrivacyService, type PurgeTimer } from './services/privacy';
import { createStore, type Store } from './store';
import { SyncClient } from '../sync/client/client';
import { createWsTransport } from '../sync/client/ws-transport';
import { pullBuckets } from '../sync/client/buckets';

export interface ConsoleAppOptions {
  dataDir: string;
  mode: 'electron' | 'browser';
  emulatedDevices: boolean;
  logger: Logger;
  /** The database key as is (tests). Absent: data-key.json in dataDir, unwrapped by `keyProtector`. */
  masterKey?: Buffer;
  /**
   * Wraps the data key and the console key on disk (docs/security.md "Key protection"): Electron's
   * safeStorage (main/electron/key-protector.ts). Absent (headless host): 0600 key files, warned once.
   */
  keyProtector?: KeyProtector;
  /** Seed synthetic counters and accounts into an empty database. */
  demo?: boolean;
  clock?: Clock;
  /** The timer of the daily retention purge (tests inject one; default: setInterval, unref'd). */
  purgeTimer?: PurgeTimer;
  version?: string;
  /** Emulated card reads at real 115200-baud timing (default) or instantly (fast tests). */
  emulatorTiming?: 'realistic' | 'instant';
  /** The pinned update keyset (default <dataDir>/update-keyset.json; the packaged Electron app pins the one in its resources). */
  updateKeysetFile?: string;
}

export interface ConsoleApp {
  dispatcher: Dispatcher;
  events: EventBus;
  logger: Logger;
  store: Store;
  hardware: HallHardware;
  queue: QueueService;
  /** 好差评: `ratings.request(...)` opens the one rating of a handling. */
  ratings: RatingService;
  intake: IntakeService;
  cases: CaseService;
  /** 查看完整信息 (audited reveal) and the retention purge of closed cases' personal fields. */
  privacy: PrivacyService;
  /** 软件更新; the Electron shell asks it at start whether an installed update must be applied. */
  updates: UpdatesService;
  /** The session of a window or connection, if any (events go only to logged-in channels). */
  isLoggedIn(channelId: string): boolean;
  /** A window or connection went away: drop its session. */
  endChannel(channelId: string): void;
  info: AppInfo & { dataDir: string };
  close(): Promise<void>;
}

export const DATABASE_FILE = 'hall.sqlite';
/** The wrapped data key and console key (main/security/console-keys.ts); master.key and document-signing.key were their plain predecessors. */
export { CONSOLE_KEY_FILE, DATA_KEY_FILE } from './security/console-keys';

const ConsoleIdSetting = z.string().min(1).max(64);
const HubUrlSetting = z.string().url();
const HallNameSetting = z.string().min(1).max(60);

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function createConsoleApp(opts: ConsoleAppOptions): Promise<ConsoleApp> {
  const { logger } = opts;
  const clock = opts.clock ?? systemClock;
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });

  const keyProtector = opts.keyProtector ?? keyFileProtector();
  if (keyProtector.kind === 'key-file') logger.log('warn', 'store.key_file', { warning: KEY_FILE_PROTECTOR_WARNING });
  let masterKey = opts.masterKey;
  if (!masterKey) {
    const loaded = loadOrCreateDataKey(opts.dataDir, keyProtector);
    if (loaded.origin !== 'none') logger.log('info', 'store.data_key', { origin: loaded.origin, protector: keyProtector.kind });
    masterKey = loaded.key;
  }
  const store = createStore(join(opts.dataDir, DATABASE_FILE), masterKey, clock);
  let syncClient: SyncClient | null = null;
  let stopPurge: (() => void) | null = null;
  let stopIdleSweep: (() => void) | null = null;

  try {
    if (opts.demo && (await seedDemoData(store))) logger.log('info', 'store.demo_seeded', {});

    // Until enrollment (security issue) gives this console its hub identity, it names itself.
    const consoleId =
      store.settings.get('console.id', ConsoleIdSetting) ??
      store.settings.set('console.id', ConsoleIdSetting, `unenrolled-${randomUUID().slice(0, 8)}`);

    const events = createEventBus(logger);
    // Idle lock, enforced here in main (docs/security.md "Idle lock"): audited, and the window is told.
    const auth = new AuthService(store.users, store.counters, clock, {
      minutes: () => store.settings.get(IDLE_LOCK_SETTING, IdleLockMinutesSetting) ?? DEFAULT_IDLE_LOCK_MINUTES,
      onChange: (change, channelId, session) => {
        const action = { locked: 'session.idle_locked', unlocked: 'session.unlocked', replaced: 'session.lock_replaced' }[change];
        store.audit.append({ actor: session.userId, action, subject: session.counter?.id ?? null, detail: { role: session.role } });
        logger.log('info', `auth.${action}`, { role: session.role, counter: session.counter?.number ?? null });
        if (change === 'locked') events.emit('session.ended', { reason: 'idle_lock' }, channelId);
      },
    });
    const idleSweep = setInterval(() => {
      try {
        auth.sweepIdle();
      } catch (err) {
        logger.log('error', 'auth.idle_sweep_failed', { error: String((err as Error)?.message ?? err) });
      }
    }, 1000);
    idleSweep.unref();
    stopIdleSweep = () => clearInterval(idleSweep);

    const configured = store.settings.get(DEVICES_CONFIG_SETTING, DevicesConfig);
    if (!opts.emulatedDevices && !configured) {
      logger.log('warn', 'hardware.not_configured', { using: 'emulators', fix: 'a technician sets the devices in 技术维护 → 设备' });
    }
    const config = opts.emulatedDevices ? ALL_EMULATED : (configured ?? ALL_EMULATED);
    const hardware = new HallHardware({
      store,
      events,
      logger,
      clock,
      config,
      hallName: store.settings.get('hall.name', HallNameSetting) ?? '政务服务大厅',
      emulatorTiming: opts.emulatorTiming ?? 'realistic',
    });
    await hardware.start();
    hardware.startWatchingCards();

    const info: AppInfo = {
      product: 'hall-console',
      version: opts.version ?? packageVersion(),
      mode: opts.mode,
      emulatedDevices: hardware.emulators !== null,
      schemaVersion: store.db.schemaVersion,
      consoleId,
    };
    const queue = new QueueService(store, clock, events);
    const ratings = new RatingService(store, clock, events, logger);
    // 一次一评: a finished ticket or a decided case asks the counter's rating pad once.
    // A rating problem never undoes the handling it follows: logged, not thrown.
    const askRating = (handled: Parameters<RatingService['request']>[0]): void => {
      try {
        ratings.request(handled);
      } catch (err) {
        logger.log('error', 'ratings.request_failed', { error: String((err as Error)?.message ?? err) });
      }
    };
    queue.onTicketFinished(askRating);
    const signingKey = loadOrCreateConsoleKey(opts.dataDir, keyProtector);
    if (signingKey.origin !== 'none') logger.log('info', 'security.console_key', { origin: signingKey.origin, protector: keyProtector.kind });
    const hallName = (): string => store.settings.get('hall.name', HallNameSetting) ?? '政务服务大厅';
    const documents = new CaseDocuments({
      store,
      clock,
      hallName,
      sign: (doc) => signDocumentQr(signingKey, { kind: doc.kind, number: doc.number, consoleId, issuedAt: doc.issuedAt }),
      print: (doc) => hardware.print(doc),
      reprint: (jobId) => hardware.reprint(jobId, null, false), // CaseService.print audits with the clerk
      pdf: (doc) => renderDocumentPdf(doc),
      onError: (kind, error) => logger.log('error', 'documents.print_failed', { kind, error: String((error as Error)?.message ?? error) }),
    });
    const intake = new IntakeService({ store, clock, events, lastCard: () => hardware.lastCard(), documents, onHandled: askRating });
    const cases = new CaseService({ store, clock, events, classify: (text) => hardware.classify(text, 'hidpos'), documents });
    // Sync with the hub only when a hub URL is set; without one the status bar says 未注册.
    const readHubUrl = (): string | null => {
      try {
        return store.settings.get('sync.hubUrl', HubUrlSetting) ?? null;
      } catch (err) {
        logger.log('error', 'sync.bad_hub_url', { error: String((err as Error)?.message ?? err) });
        return null;
      }
    };
    const syncStatus = new SyncStatusService(store.outbox, readHubUrl);
    const hubUrl = readHubUrl();
    if (hubUrl) {
      syncClient = new SyncClient({
        url: hubUrl,
        transport: createWsTransport(),
        store,
        consoleId,
        signingKey,
        clock,
        logger,
        events,
        buckets: pullBuckets(store),
        // 缴费确认 from the payment platform, through the hub: the case is marked paid (amount checked).
        onPayment: (p) => void cases.confirmPayment(p.paymentCode, p.paidAt, p.amountFen),
        // The audit chain's head, signed when it moved, goes out with each push (docs/security.md "Audit chain").
        beforePush: () => void store.audit.signHeadIfMoved(consoleId, (head) => signAuditHead(signingKey.privateKey, head)),
      });
      syncStatus.attach(syncClient);
      syncClient.start();
      logger.log('info', 'sync.started', { hubUrl, consoleId });
    }
    const stopStatusWatch = syncStatus.watch(events, store.outbox);
    // 软件更新: signed bundles from a USB folder or the hub (docs/security.md, "Install and rollback").
    const updates = new UpdatesService({
      store,
      dataDir: opts.dataDir,
      clock,
      logger,
      runningVersion: info.version,
      hubUrl: readHubUrl,
      ...(opts.updateKeysetFile ? { keysetFile: opts.updateKeysetFile } : {}),
    });
    void updates.cleanup();
    // Retention: closed cases' personal fields are erased after privacy.retentionDays, now and daily.
    const privacy = new PrivacyService({ store, clock, logger });
    stopPurge = privacy.schedule(opts.purgeTimer);
    const handlers = createHandlers({
      catalog: new CatalogService(store),
      documents,
      intake,
      cases,
      info,
      auth,
      counters: store.counters,
      hardware,
      face: new FaceCheckService(store),
      queue,
      sync: syncStatus,
      syncViews: new SyncViewsService({ store, clock, events, logger, status: () => syncStatus.status() }),
      ratings,
      kiosk: new KioskService({
        store,
        clock,
        events,
        logger,
        // Other consoles' keys (a setting until the hub distributes them), and always this console's own.
        publicKeys: () => ({ ...store.settings.get(DOCUMENT_KEYS_SETTING, DocumentKeysSetting), [consoleId]: signingKey.publicKeyBase64Url }),
      }),
      events,
      updates,
      privacy,
      // 注册本机 (docs/security.md "Enrollment"): the console key made here, a one-time code from the hub.
      enrollment: new EnrollmentService({ store, clock, logger, signingKey, keyProtection: keyProtector.kind, runningConsoleId: consoleId }),
    });
    const dispatcher = createDispatcher({ handlers, sessions: auth, logger });
    logger.log('info', 'app.started', { mode: opts.mode, schemaVersion: info.schemaVersion, emulatedDevices: opts.emulatedDevices });

    return {
      dispatcher,
      events,
      logger,
      store,
      hardware,
      queue,
      ratings,
      intake,
      cases,
      privacy,
      updates,
      info: { ...info, dataDir: opts.dataDir },
      isLoggedIn: (channelId) => auth.get(channelId) !== null,
      endChannel: (channelId) => void auth.logout(channelId),
      async close() {
        stopIdleSweep?.();
        stopPurge?.();
        stopStatusWatch();
        await syncClient?.stop();
        await hardware.stop();
        store.close();
      },
    };
  } catch (err) {
    stopIdleSweep?.();
    stopPurge?.();
    await syncClient?.stop();
    store.close();
    throw err;
  }
}
