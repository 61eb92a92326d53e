/**
 * Security rules shared by both shells (Electron's app:// protocol and the headless host's http
 * server). Pure functions, no I/O, no electron import.
 */
import { normalize, resolve, sep } from 'node:path';

export interface CspOptions {
  /** connect-src list; Electron needs only 'self', the host adds its websocket bridge. */
  connectSources?: string[];
}

/**
 * Strict CSP (security item 9): no eval, no remote script, no plugins, no framing.
 * style-src allows inline styles because antd's CSS-in-JS injects <style> elements at run time.
 */
export function buildContentSecurityPolicy(options: CspOptions = {}): string {
  const connect = options.connectSources ?? ["'self'"];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' blob: mediastream:",
    `connect-src ${connect.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
    "worker-src 'self' blob:",
  ].join('; ');
}

export type StaticResolution = { ok: true; path: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Map a request path (may carry a query) to a file inside `root`. Refuses traversal in every
 * spelling (`..`, `%2e%2e`, backslashes, NUL). `/` and extension-less routes give index.html, so
 * the single-page renderer can own its routes.
 */
export function resolveStaticPath(requestPath: string, root: string): StaticResolution {
  const raw = requestPath.split(/[?#]/, 1)[0] ?? '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { ok: false, status: 400, reason: 'bad path encoding' };
  }
  if (!decoded.startsWith('/')) return { ok: false, status: 400, reason: 'path must be absolute' };
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400, reason: 'bad characters in path' };
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.')) {
    return { ok: false, status: 403, reason: 'path traversal refused' };
  }
  const rootAbs = resolve(root);
  const lastSegment = decoded.slice(decoded.lastIndexOf('/') + 1);
  const relative = decoded === '/' || !lastSegment.includes('.') ? 'index.html' : decoded.slice(1);
  const full = resolve(rootAbs, normalize(relative));
  if (full !== rootAbs && !full.startsWith(rootAbs + sep)) return { ok: false, status: 403, reason: 'outside the app' };
  return { ok: true, path: full };
}
