/**
 * Security rules shared by both shells (Electron's app:// protocol and the headless host's http
 * server). Pure functions, no I/O, no electron import.
 */
import path from 'node:path';

export interface CspOptions {
  /** connect-src list; Electron needs only 'self', the host adds its websocket bridge. */
  connectSources?: readonly string[];
}

/** Strict CSP (security item 9): no eval, no remote script, no plugins, no framing, no forms; WebAssembly allowed. */
export function buildContentSecurityPolicy(options: CspOptions = {}): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    // Only our own bundled scripts: no 'unsafe-eval', no 'unsafe-inline', no remote host.
    // 'wasm-unsafe-eval' lets the page compile WebAssembly (the face engine's tfjs wasm backend,
    // binaries served from our own origin); it does NOT allow eval(), new Function() or string timers.
    ['script-src', "'self'", "'wasm-unsafe-eval'"],
    // antd v5+/v6 is CSS-in-JS (@ant-design/cssinjs): it injects <style> elements at runtime, which
    // requires 'unsafe-inline' for styles. Styles cannot run code, scripts stay locked down.
    ['style-src', "'self'", "'unsafe-inline'"],
    // data:/blob: for scanned document previews and captured photos.
    ['img-src', "'self'", 'data:', 'blob:'],
    // blob:/mediastream: for the camera preview (face check) and recorded clips.
    ['media-src', "'self'", 'blob:', 'mediastream:'],
    ['connect-src', ...(options.connectSources ?? ["'self'"])],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['frame-ancestors', "'none'"],
    ['form-action', "'none'"],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

export type AppUrlResolution = { ok: true; filePath: string } | { ok: false; reason: string };

/** Characters no path segment of ours contains (control chars, separators, Windows-reserved). */
const FORBIDDEN_SEGMENT_CHARS = /[\u0000-\u001f\u007f/\\:*?"<>|]/;
const MAX_PATH_LENGTH = 2048;

/**
 * Map the raw path of a request (after the origin's `/`, may carry `?query` / `#hash`) to a file
 * inside `rendererRoot`. The RAW string is inspected — URL parsers silently resolve `..` and
 * `%2e%2e` — and dot segments, dotfiles, encoded separators (`%2f`, `%5c`), backslashes, NUL and
 * control characters, empty segments, undecodable escapes and trailing dots/spaces (Windows
 * aliasing) are refused. `''`, a trailing `/` and extension-less routes (single-page client routes)
 * give index.html.
 */
export function resolveRendererPath(rawPathAndQuery: string, rendererRoot: string): AppUrlResolution {
  const refuse = (reason: string): AppUrlResolution => ({ ok: false, reason });
  if (!path.isAbsolute(rendererRoot)) return refuse('renderer root is not absolute');
  if (rawPathAndQuery.length > MAX_PATH_LENGTH) return refuse('path too long');
  if (rawPathAndQuery.includes('\\')) return refuse('backslash');
  const rawPath = rawPathAndQuery.split(/[?#]/, 1)[0] ?? '';
  const rawSegments = rawPath === '' ? [] : rawPath.split('/');
  const segments: string[] = [];
  for (let i = 0; i < rawSegments.length; i++) {
    const raw = rawSegments[i] ?? '';
    if (raw === '') {
      if (i === rawSegments.length - 1) break; // trailing slash
      return refuse('empty path segment');
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return refuse('bad percent-encoding');
    }
    if (decoded === '' || FORBIDDEN_SEGMENT_CHARS.test(decoded)) return refuse('forbidden character in path');
    if (decoded.startsWith('.')) return refuse('dot segment or dotfile');
    if (decoded.endsWith('.') || decoded.endsWith(' ')) return refuse('trailing dot or space');
    segments.push(decoded);
  }
  const last = segments[segments.length - 1];
  const isSpaRoute = last === undefined || !last.includes('.') || rawPath.endsWith('/');
  const root = path.resolve(rendererRoot);
  const filePath = path.resolve(root, ...(isSpaRoute ? ['index.html'] : segments));
  const rel = path.relative(root, filePath);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return refuse('outside the renderer root');
  return { ok: true, filePath };
}
