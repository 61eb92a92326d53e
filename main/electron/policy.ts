/**
 * Electron hardening rules as pure functions (design/security.md, hardening items 1–16).
 *
 * Nothing here imports `electron`: `index.ts`, `hardening.ts`, `ipc.ts` and `protocol.ts` feed
 * Electron's callbacks into these functions, and `policy.test.ts` proves each rule in plain Node.
 * Every function fails closed: anything it does not positively recognise is refused.
 */
import path from 'node:path';
import { resolveRendererPath, type AppUrlResolution } from '../security/policy';

/** The custom scheme the renderer is served from (item 10). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'console';
/** Origin of our own pages. Never compare against `new URL(x).origin`: Node gives "null" for non-special schemes. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the main window loads. */
export const APP_START_URL = `${APP_ORIGIN}/`;

/**
 * Privileges for `protocol.registerSchemesAsPrivileged` (must run before `app` is ready).
 * standard: relative URLs, origin and storage work like http; secure: treated like https (camera
 * access needs a secure context); supportFetchAPI: fetch()/ES modules can load from it.
 * Deliberately NOT bypassCSP, NOT corsEnabled, NOT allowServiceWorkers.
 */
export const APP_SCHEME_PRIVILEGES = Object.freeze({ standard: true, secure: true, supportFetchAPI: true });

// ---------- web preferences (items 1–8) ----------

/** Exactly what `new BrowserWindow({ webPreferences })` receives. Structurally an Electron `WebPreferences`. */
export interface HardenedWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  spellcheck: false;
  navigateOnDragDrop: false;
  safeDialogs: true;
  devTools: boolean;
}

export interface WebPreferencesOptions {
  /** Open-able DevTools. Only when a developer explicitly asked for it (see `parseLaunchFlags`). */
  devTools?: boolean;
}

export function buildWebPreferences(preloadPath: string, opts: WebPreferencesOptions = {}): HardenedWebPreferences {
  if (typeof preloadPath !== 'string' || !path.isAbsolute(preloadPath)) {
    throw new Error('buildWebPreferences: the preload path must be absolute');
  }
  return {
    preload: preloadPath,
    contextIsolation: true, // 1
    sandbox: true, // 2
    nodeIntegration: false, // 3
    nodeIntegrationInWorker: false, // 3
    nodeIntegrationInSubFrames: false, // 3
    webSecurity: true, // 4
    allowRunningInsecureContent: false, // 5
    experimentalFeatures: false, // 6
    // 7: no `enableBlinkFeatures` key at all.
    webviewTag: false, // 8
    spellcheck: false, // no dictionary download, no form text sent to a spelling service
    navigateOnDragDrop: false, // a file dropped on the window must not navigate it
    safeDialogs: true, // a looping alert() cannot lock the counter
    devTools: opts.devTools === true,
  };
}

// ---------- content security policy (item 9) ----------

// Shared with the headless host: one CSP, one renderer-path rule (main/security/policy.ts).
export { buildContentSecurityPolicy } from '../security/policy';
export type { AppUrlResolution } from '../security/policy';

// ---------- origins ----------

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Origin of a URL for our comparisons, or null when it has none we would ever trust
 * (unparsable, userinfo, opaque schemes such as file:, data:, javascript:, blob:, about:).
 */
export function originOf(url: unknown): string | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > 4096) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.username !== '' || parsed.password !== '') return null;
  if (parsed.protocol === `${APP_SCHEME}:`) {
    // Node's URL keeps non-special hosts verbatim; Chromium lower-cases standard schemes. Be strict.
    return parsed.host === '' ? null : `${APP_SCHEME}://${parsed.host}`;
  }
  if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return parsed.origin;
  return null;
}

/**
 * The origin of electron-vite's dev server when it is a loopback http(s) URL, else null.
 * `index.ts` only consults this when the app is NOT packaged.
 */
export function devServerOrigin(url: unknown): string | null {
  const origin = originOf(url);
  if (origin === null || origin.startsWith(`${APP_SCHEME}:`)) return null;
  const host = new URL(origin).hostname;
  return LOOPBACK_HOSTS.has(host) ? origin : null;
}

function isTrustedOrigin(url: unknown, extraOrigins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== null && (origin === APP_ORIGIN || extraOrigins.includes(origin));
}

// ---------- app:// → file (item 10) ----------


const MAX_APP_URL_LENGTH = 2048;
// C0 controls, DEL, path separators, Windows drive/stream separator and reserved characters.

/**
 * Map an `app://console/…` request to a file inside `rendererRoot`, or refuse it.
 *
 * The raw string is inspected (not only the parsed URL, whose parser silently resolves `..` and
 * `%2e%2e`): dot segments, encoded separators (`%2f`, `%5c`), backslashes, NUL and control
 * characters, dotfiles, empty segments, undecodable escapes, other hosts, userinfo, ports and other
 * schemes are all refused. `/` and extension-less routes (SPA client routes) map to index.html.
 */
export function resolveAppUrl(url: unknown, rendererRoot: string): AppUrlResolution {
  const refuse = (reason: string): AppUrlResolution => ({ ok: false, reason });
  if (typeof rendererRoot !== 'string' || !path.isAbsolute(rendererRoot)) return refuse('renderer root is not absolute');
  if (typeof url !== 'string') return refuse('not a string');
  if (url.length > MAX_APP_URL_LENGTH) return refuse('url too long');
  if (url.includes('\\')) return refuse('backslash');
  const prefix = `${APP_ORIGIN}/`;
  if (url !== APP_ORIGIN && !url.startsWith(prefix)) return refuse('not our origin');
  try {
    new URL(url);
  } catch {
    return refuse('unparsable');
  }

  return resolveRendererPath(url === APP_ORIGIN ? '' : url.slice(prefix.length), rendererRoot);
}

// ---------- navigation and new windows (items 11, 12, 16) ----------

export interface NavigationVerdict {
  allow: boolean;
  reason: string;
}

/** will-navigate / will-frame-navigate / will-redirect: only our own origin (plus the dev server in development). */
export function decideNavigation(url: unknown, extraOrigins: readonly string[] = []): NavigationVerdict {
  if (isTrustedOrigin(url, extraOrigins)) return { allow: true, reason: 'same origin' };
  return { allow: false, reason: 'navigation away from the console is not allowed' };
}

export type WindowOpenVerdict =
  | { action: 'deny'; openExternally: false; reason: string }
  | { action: 'deny'; openExternally: true; url: string; reason: string };

/** Normalise an allow-list entry: lower-case host name, nothing else. Invalid entries match nothing. */
function normaliseHost(entry: string): string | null {
  const host = entry.trim().toLowerCase();
  return /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(host) ? host : null;
}

/**
 * setWindowOpenHandler: the console never opens a second in-app window. An https link to an
 * allow-listed host (exact host, default port, no userinfo) may be handed to the OS browser — and
 * then only the normalised `url` returned here is passed to `shell.openExternal`, never the raw input.
 */
export function decideWindowOpen(url: unknown, allowList: readonly string[]): WindowOpenVerdict {
  const deny = (reason: string): WindowOpenVerdict => ({ action: 'deny', openExternally: false, reason });
  if (typeof url !== 'string' || url.length > 2048) return deny('not a url');
  // The URL parser would quietly turn '\\' into '/' and strip tabs/newlines; a link that needs that is not one we hand to the OS.
  if (/[\\\u0000-\u0020\u007f]/.test(url)) return deny('backslash, whitespace or control character');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return deny('unparsable');
  }
  if (parsed.protocol !== 'https:') return deny('only https links open externally');
  if (parsed.username !== '' || parsed.password !== '') return deny('userinfo in url');
  if (parsed.port !== '') return deny('non-default port');
  const allowed = new Set(allowList.map(normaliseHost).filter((h): h is string => h !== null));
  if (!allowed.has(parsed.hostname)) return deny('host not on the allow-list');
  return { action: 'deny', openExternally: true, url: parsed.href, reason: 'allow-listed https link' };
}

// ---------- permissions (item 13) ----------

export interface PermissionDetails {
  /** Request handler: camera = 'video', microphone = 'audio'. */
  mediaTypes?: readonly string[];
  /** Check handler: 'video' | 'audio' | 'unknown'. */
  mediaType?: string;
  isMainFrame?: boolean;
  requestingUrl?: string;
  /** Check handler: set for cross-origin subframes. */
  embeddingOrigin?: string;
  securityOrigin?: string;
}

const CAPTURE_TYPES = new Set(['video', 'audio']);

/**
 * Session permission request/check handlers: only `media` (camera / microphone capture) for our
 * own main frame; every other permission, origin or media type (screen capture, 'unknown') is denied.
 * `requestingOrigin` may be an origin or a full URL (the request handler only has `requestingUrl`).
 */
export function decidePermission(
  permission: unknown,
  requestingOrigin: unknown,
  details: PermissionDetails = {},
  extraOrigins: readonly string[] = [],
): boolean {
  if (permission !== 'media') return false;
  if (!isTrustedOrigin(requestingOrigin, extraOrigins)) return false;
  if (details.requestingUrl !== undefined && !isTrustedOrigin(details.requestingUrl, extraOrigins)) return false;
  if (details.securityOrigin !== undefined && !isTrustedOrigin(details.securityOrigin, extraOrigins)) return false;
  if (details.embeddingOrigin !== undefined && details.embeddingOrigin !== '') return false;
  if (details.isMainFrame === false) return false;

  const requested: string[] = [];
  if (details.mediaTypes !== undefined) {
    if (!Array.isArray(details.mediaTypes)) return false;
    requested.push(...details.mediaTypes);
    if (details.mediaTypes.length === 0) return false;
  }
  if (details.mediaType !== undefined) requested.push(details.mediaType);
  if (requested.length === 0) return false;
  return requested.every((t) => CAPTURE_TYPES.has(t));
}

// ---------- IPC sender (item 14) ----------

export interface SenderFrame {
  url: string;
  isMainFrame: boolean;
  processId?: number;
  routingId?: number;
}

/**
 * True only for the main frame of one of our pages on APP_ORIGIN (or the dev server in
 * development). Called for every ipcMain message; the dispatcher refuses the call otherwise.
 */
export function validateSender(frame: SenderFrame | null | undefined, extraOrigins: readonly string[] = []): boolean {
  if (frame === null || frame === undefined || typeof frame !== 'object') return false;
  if (frame.isMainFrame !== true) return false;
  return isTrustedOrigin(frame.url, extraOrigins);
}

// ---------- launch flags ----------

export interface LaunchFlags {
  devTools: boolean;
  emulatedDevices: boolean;
  demo: boolean;
  /** Origin of the electron-vite dev server, only in an unpackaged (development) run. */
  devServerOrigin: string | null;
  devServerUrl: string | null;
}

/**
 * Developer conveniences only ever apply to an unpackaged run: a packaged console ignores
 * `--devtools` and `ELECTRON_RENDERER_URL`. Emulated devices and demo data may be switched on
 * by a technician in a packaged build (training rooms without hardware).
 */
export function parseLaunchFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  isPackaged: boolean,
): LaunchFlags {
  const has = (flag: string) => argv.includes(flag);
  const envOn = (name: string) => env[name] === '1' || env[name] === 'true';
  const devOrigin = isPackaged ? null : devServerOrigin(env['ELECTRON_RENDERER_URL']);
  return {
    devTools: !isPackaged && (has('--devtools') || envOn('HALL_DEVTOOLS')),
    emulatedDevices: has('--emulated-devices') || envOn('HALL_EMULATED_DEVICES'),
    demo: has('--demo') || envOn('HALL_DEMO'),
    devServerOrigin: devOrigin,
    devServerUrl: devOrigin === null ? null : (env['ELECTRON_RENDERER_URL'] ?? null),
  };
}
