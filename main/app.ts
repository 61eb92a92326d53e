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
import { seedDemoData } from './services/demo-seed';
import { FaceCheckService } from './services/face';
import { QueueService } from './services/queue';
import { RatingService } from './services/ratings';
import { DOCUMENT_KEYS_SETTING, DocumentKeysSetting, KioskService } from './services/kiosk';
import { CaseService } from './services/cases';
import { CatalogService } from './services/catalog';
import { CaseDocuments } from './services/documents';
import { IntakeService } from './services/intake';
import { loadOrCreateConsoleSigningKey, signDocumentQr } from './security/receipt-signature';
import { renderDocumentPdf } from './documents/pdf';
import { ALL_EMULATED, DEVICES_CONFIG_SETTING, DevicesConfig, HallHardware } from './services/hardware';
import { SyncStatusService } from './services/sync-status';
import { createStore, loadOrCreateMasterKeyFile, type Store } from './store';
import { SyncClient } from '../sync/client/client';
import { createWsTransport } from '../sync/client/ws-transport';

export interface ConsoleAppOptions {
  dataDir: string;
  mode: 'electron' | 'browser';
  emulatedDevices: boolean;
  logger: Logger;
  /** Unwrapped database key (OS key store in Electron). Absent: a 0600 key file in dataDir. */
  masterKey?: Buffer;
  /** Seed synthetic counters and accounts into an empty database. */
  demo?: boolean;
  clock?: Clock;
  version?: string;
  /** Emulated card reads at real 115200-baud timing (default) or instantly (fast tests). */
  emulatorTiming?: 'realistic' | 'instant';
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
  /** The session of a window or connection, if any (events go only to logged-in channels). */
  isLoggedIn(channelId: string): boolean;
  /** A window or connection went away: drop its session. */
  endChannel(channelId: string): void;
  info: AppInfo & { dataDir: string };
  close(): Promise<void>;
}

export const DATABASE_FILE = 'hall.sqlite';
export const KEY_FILE = 'master.key';
/** The console's Ed25519 key that signs the QR on every printed document. */
export const SIGNING_KEY_FILE = 'document-signing.key';

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

  let masterKey = opts.masterKey;
  if (!masterKey) {
    const loaded = loadOrCreateMasterKeyFile(join(opts.dataDir, KEY_FILE));
    logger.log('warn', 'store.key_file', { warning: loaded.warning, created: loaded.created });
    masterKey = loaded.key;
  }
  const store = createStore(join(opts.dataDir, DATABASE_FILE), masterKey, clock);
  let syncClient: SyncClient | null = null;

  try {
    if (opts.demo && (await seedDemoData(store))) logger.log('info', 'store.demo_seeded', {});

    // Until enrollment (security issue) gives this console its hub identity, it names itself.
    const consoleId =
      store.settings.get('console.id', ConsoleIdSetting) ??
      store.settings.set('console.id', ConsoleIdSetting, `unenrolled-${randomUUID().slice(0, 8)}`);

    const events = createEventBus(logger);
    const auth = new AuthService(store.users, store.counters, clock);

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
    const signingKey = loadOrCreateConsoleSigningKey(join(opts.dataDir, SIGNING_KEY_FILE));
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
      syncClient = new SyncClient({ url: hubUrl, transport: createWsTransport(), store, consoleId, signingKey, clock, logger, events });
      syncStatus.attach(syncClient);
      syncClient.start();
      logger.log('info', 'sync.started', { hubUrl, consoleId });
    }
    const stopStatusWatch = syncStatus.watch(events, store.outbox);
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
      info: { ...info, dataDir: opts.dataDir },
      isLoggedIn: (channelId) => auth.get(channelId) !== null,
      endChannel: (channelId) => void auth.logout(channelId),
      async close() {
        stopStatusWatch();
        await syncClient?.stop();
        await hardware.stop();
        store.close();
      },
    };
  } catch (err) {
    await syncClient?.stop();
    store.close();
    throw err;
  }
}
