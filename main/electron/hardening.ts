/**
 * Installs the web-contents and session hooks built from `policy.ts` (items 8, 11, 12, 13, 16).
 * Nothing runs on import; `index.ts` calls `installHardening` once the app is ready and before the
 * first window exists. The Electron objects are taken as narrow structural types so
 * `security-wiring.test.ts` drives the real hook code with fakes.
 */
import type { Logger } from '../log';
import { decideNavigation, decidePermission, decideWindowOpen, originOf, type PermissionDetails } from './policy';

export interface PreventableEvent {
  preventDefault(): void;
  /** Electron ≥ 25 puts the target URL on the event (will-navigate, will-frame-navigate, will-redirect). */
  url?: string;
}

export interface HardenableWebContents {
  on(event: 'will-navigate', listener: (event: PreventableEvent, url?: string) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent, url?: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface HardenableApp {
  on(event: 'web-contents-created', listener: (event: unknown, contents: HardenableWebContents) => void): unknown;
}

export interface HardenableSession {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: PermissionDetails) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (contents: unknown, permission: string, requestingOrigin: string, details: PermissionDetails) => boolean,
  ): void;
  /** WebHID / WebSerial / WebUSB from the page: our drivers talk to devices in main, never the renderer. */
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
}

export interface ExternalOpener {
  openExternal(url: string): Promise<void>;
}

export interface HardeningOptions {
  app: HardenableApp;
  session: HardenableSession;
  shell: ExternalOpener;
  logger: Logger;
  /** Hosts whose https links may open in the OS browser (e.g. the provincial 一网通办 portal). */
  externalHosts: readonly string[];
  /** Dev server origin in an unpackaged run; empty in production. */
  extraOrigins?: readonly string[];
}

/** Log-safe form of a URL: origin only (paths and queries may carry personal data). */
function logOrigin(url: unknown): string {
  const origin = originOf(url);
  if (origin !== null) return origin;
  return typeof url === 'string' ? `${(url.split(':', 1)[0] ?? '').slice(0, 16)}:` : typeof url;
}

export function hardenWebContents(contents: HardenableWebContents, opts: HardeningOptions): void {
  const { logger, shell, externalHosts } = opts;
  const extraOrigins = opts.extraOrigins ?? [];

  const guard = (kind: string) => (event: PreventableEvent, legacyUrl?: string) => {
    const url = event.url ?? legacyUrl;
    const verdict = decideNavigation(url, extraOrigins);
    if (!verdict.allow) {
      event.preventDefault();
      logger.log('warn', 'security.navigation_blocked', { kind, target: logOrigin(url) });
    }
  };
  contents.on('will-navigate', guard('will-navigate'));
  contents.on('will-frame-navigate', guard('will-frame-navigate'));
  contents.on('will-redirect', guard('will-redirect'));

  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.log('warn', 'security.webview_blocked');
  });

  contents.setWindowOpenHandler(({ url }) => {
    const verdict = decideWindowOpen(url, externalHosts);
    if (verdict.openExternally) {
      logger.log('info', 'security.open_external', { target: logOrigin(verdict.url) });
      shell.openExternal(verdict.url).catch((err: unknown) => {
        logger.log('warn', 'security.open_external_failed', { error: String(err) });
      });
    } else {
      logger.log('warn', 'security.window_open_blocked', { target: logOrigin(url), reason: verdict.reason });
    }
    return { action: 'deny' };
  });
}

export function installHardening(opts: HardeningOptions): void {
  const { app, session, logger } = opts;
  const extraOrigins = opts.extraOrigins ?? [];

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, opts));

  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const granted = decidePermission(permission, details.requestingUrl, details, extraOrigins);
    if (!granted) logger.log('warn', 'security.permission_denied', { permission, origin: logOrigin(details.requestingUrl) });
    callback(granted);
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    decidePermission(permission, requestingOrigin, details, extraOrigins),
  );
  session.setDevicePermissionHandler(() => false);
}
