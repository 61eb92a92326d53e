/**
 * The `app://console/…` request handler (item 10), without the electron import so it is tested:
 * `index.ts` passes it to `protocol.handle('app', …)` with `net.fetch` as `fetchFile`.
 *
 * Refused paths, missing files and non-GET methods answer 404/405; every response carries the
 * CSP (item 9) plus nosniff, so the policy does not depend on a <meta> tag in index.html.
 */
import { pathToFileURL } from 'node:url';
import { buildContentSecurityPolicy, resolveAppUrl } from './policy';

export type FetchFile = (fileUrl: string) => Promise<Response>;

export interface AppProtocolOptions {
  rendererRoot: string;
  fetchFile: FetchFile;
  /** Called for refusals and failures; gets no request body and only the path-safe reason. */
  onRefused?: (reason: string) => void;
}

export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': buildContentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders() } });
}

export function createAppProtocolHandler(opts: AppProtocolOptions): (request: { url: string; method?: string }) => Promise<Response> {
  const { rendererRoot, fetchFile, onRefused = () => {} } = opts;
  return async (request) => {
    const method = (request.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      onRefused('method not allowed');
      return plain(405, 'Method Not Allowed');
    }
    const resolved = resolveAppUrl(request.url, rendererRoot);
    if (!resolved.ok) {
      onRefused(resolved.reason);
      return plain(404, 'Not Found');
    }
    let upstream: Response;
    try {
      upstream = await fetchFile(pathToFileURL(resolved.filePath).toString());
    } catch {
      onRefused('file not readable');
      return plain(404, 'Not Found');
    }
    if (!upstream.ok) {
      onRefused(`file fetch status ${upstream.status}`);
      return plain(404, 'Not Found');
    }
    const headers = new Headers(upstream.headers);
    for (const [name, value] of Object.entries(securityHeaders())) headers.set(name, value);
    return new Response(method === 'HEAD' ? null : upstream.body, { status: 200, headers });
  };
}
