/**
 * Electron main entry (built by electron-vite to out/main/index.js). Thin on purpose: every rule it
 * applies lives in policy.ts / hardening.ts / ipc.ts / protocol.ts / crash-log.ts, which are tested
 * in plain Node; this file only connects them to the Electron objects.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, app, dialog, ipcMain, net, protocol, safeStorage, session, shell, webContents } from 'electron';
import { createConsoleApp, type ConsoleApp } from '../app';
import { createLogger } from '../log';
import { createCrashLog, describeError, installProcessCrashHandlers } from './crash-log';
import { installHardening } from './hardening';
import { registerIpc } from './ipc';
import { createSafeStorageProtector } from './key-protector';
import {
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  APP_START_URL,
  buildWebPreferences,
  parseLaunchFlags,
} from './policy';
import { createAppProtocolHandler } from './protocol';

const WINDOW_TITLE = '政务服务大厅工作台';
/** Hosts whose https links open in the OS browser. Keep short; every entry is a way out of the console. */
const EXTERNAL_HOSTS: readonly string[] = [];

const here = path.dirname(fileURLToPath(import.meta.url)); // out/main
const preloadPath = path.join(here, '..', 'preload', 'index.cjs');
const rendererRoot = path.join(here, '..', 'renderer');

const logger = createLogger();
const flags = parseLaunchFlags(process.argv, process.env, app.isPackaged);
const extraOrigins = flags.devServerOrigin ? [flags.devServerOrigin] : [];

const crashLog = createCrashLog(path.join(app.getPath('userData'), 'logs'));
installProcessCrashHandlers(process, crashLog, (err) => {
  // Logged above; keep running (the SQLite store is transactional) but make it visible in the log too.
  logger.log('error', 'main.uncaught_exception', { error: describeError(err).name }); // message and stack: crash.log only
});

// Must happen before `ready` (item 10).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);

let mainWindow: BrowserWindow | null = null;
let consoleApp: ConsoleApp | null = null;

function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1366,
    height: 768,
    minWidth: 1366,
    minHeight: 768,
    show: false,
    title: WINDOW_TITLE,
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: buildWebPreferences(preloadPath, { devTools: flags.devTools }),
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(flags.devServerUrl ?? APP_START_URL);
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  if (process.platform === 'win32') app.setAppUserModelId('cn.gov.hall.console'); // = appId in electron-builder.yml
  if (app.isPackaged) Menu.setApplicationMenu(null); // no reload / devtools accelerators in the hall

  try {
    // The data key and the console key are wrapped by the OS key store; on Linux a plaintext
    // safeStorage backend (basic_text) refuses the start (docs/security.md "Key protection").
    const keyProtector = createSafeStorageProtector(safeStorage);
    logger.log('info', 'security.key_protector', { kind: keyProtector.kind, backend: keyProtector.backend });
    consoleApp = await createConsoleApp({
      keyProtector,
      dataDir: app.getPath('userData'),
      version: app.getVersion(), // package.json is not next to the bundled out/main/index.js
      mode: 'electron',
      emulatedDevices: flags.emulatedDevices,
      logger,
      demo: flags.demo,
      // Packaged: the update keyset shipped in resources/ (root-owned under /opt or Program Files), not one
      // the console's own account could write into userData (docs/security.md, "Install and rollback").
      ...(app.isPackaged ? { updateKeysetFile: path.join(process.resourcesPath, 'update-keyset.json') } : {}),
    });
  } catch (err) {
    const e = describeError(err);
    crashLog.append('startup_failed', { error: e });
    dialog.showErrorBox(WINDOW_TITLE, `工作台无法启动：${e.message}\n\n详细信息已写入 ${crashLog.filePath}`);
    app.exit(1);
    return;
  }

  // An installed update (or a technician's rollback) not yet running: its re-verified installer is
  // launched detached and the console quits; if it cannot be launched, the console starts as it is
  // (main/update/apply.ts decides; docs/security.md "Apply at start"). Packaged builds only.
  if (app.isPackaged && (await applyInstalledUpdate(consoleApp))) {
    app.quit();
    return;
  }

  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({
      rendererRoot,
      fetchFile: (fileUrl) => net.fetch(fileUrl),
      onRefused: (reason) => logger.log('warn', 'protocol.refused', { reason }),
    }),
  );

  installHardening({
    app,
    session: session.defaultSession,
    shell,
    logger,
    externalHosts: EXTERNAL_HOSTS,
    extraOrigins,
  });

  registerIpc({
    ipcMain,
    app,
    consoleApp,
    contentsById: (id) => webContents.fromId(id),
    allWindowContents: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
    logger,
    extraOrigins,
  });

  mainWindow = createMainWindow();
}

/** True when the installer was launched (the caller quits); false: start normally. */
async function applyInstalledUpdate(current: ConsoleApp): Promise<boolean> {
  const { decision, record } = await current.updates.applyAtStart({
    os: process.platform,
    arch: process.arch,
    resourcesPath: process.resourcesPath,
    execPath: process.execPath,
    appImage: process.env.APPIMAGE ?? null,
  });
  if (decision.kind !== 'run' || !record) return false;
  const error = await new Promise<string | null>((resolve) => {
    try {
      const child = spawn(decision.command, decision.args, { detached: true, stdio: 'ignore', windowsHide: false });
      child.once('error', (err) => resolve(err.message));
      child.once('spawn', () => {
        child.unref();
        resolve(null);
      });
    } catch (err) {
      resolve(err instanceof Error ? err.message : String(err));
    }
  });
  if (error === null) return true;
  await current.updates.applyFailed(decision, record, error);
  return false;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = mainWindow;
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });

  app.on('render-process-gone', (_event, contents, details) => {
    crashLog.append('render-process-gone', {
      channel: contents.id,
      reason: details.reason,
      exitCode: details.exitCode,
    });
  });
  app.on('child-process-gone', (_event, details) => {
    crashLog.append('child-process-gone', {
      type: details.type,
      reason: details.reason,
      exitCode: details.exitCode,
      serviceName: details.serviceName,
      name: details.name,
    });
  });

  app.on('window-all-closed', () => app.quit());

  let closing = false;
  app.on('will-quit', (event) => {
    if (closing || !consoleApp) return;
    event.preventDefault();
    closing = true;
    const current = consoleApp;
    consoleApp = null;
    current
      .close()
      .catch((err: unknown) => crashLog.append('close_failed', { error: describeError(err) }))
      .finally(() => app.quit());
  });

  start().catch((err: unknown) => {
    crashLog.append('startup_failed', { error: describeError(err) });
    app.exit(1);
  });
}
