import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { buildContentSecurityPolicy } from './policy';
import { createAppProtocolHandler } from './protocol';

const ROOT = path.resolve('/srv/hall/out/renderer');

function setup(fetchImpl?: (url: string) => Promise<Response>) {
  const fetchFile = vi.fn(
    fetchImpl ?? (async () => new Response('<!doctype html><title>hall</title>', { status: 200, headers: { 'Content-Type': 'text/html' } })),
  );
  const onRefused = vi.fn();
  const handle = createAppProtocolHandler({ rendererRoot: ROOT, fetchFile, onRefused });
  return { handle, fetchFile, onRefused };
}

describe('app:// protocol handler', () => {
  it('serves files inside the renderer root through fetchFile with a file: URL', async () => {
    const { handle, fetchFile } = setup();
    const res = await handle({ url: 'app://console/', method: 'GET' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>hall</title>');
    expect(fetchFile).toHaveBeenCalledWith(pathToFileURL(path.join(ROOT, 'index.html')).toString());
    expect(res.headers.get('Content-Type')).toBe('text/html');
  });

  it('puts the CSP and nosniff on every response, including errors', async () => {
    const { handle } = setup();
    for (const url of ['app://console/', 'app://console/../../etc/passwd', 'https://evil.example/']) {
      const res = await handle({ url });
      expect(res.headers.get('Content-Security-Policy')).toBe(buildContentSecurityPolicy());
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    }
  });

  it('overrides a CSP coming from the file layer', async () => {
    const { handle } = setup(async () => new Response('x', { headers: { 'Content-Security-Policy': "script-src *" } }));
    const res = await handle({ url: 'app://console/assets/a.js' });
    expect(res.headers.get('Content-Security-Policy')).toBe(buildContentSecurityPolicy());
  });

  it('answers 404 without touching the file system for refused URLs', async () => {
    const { handle, fetchFile, onRefused } = setup();
    for (const url of ['app://console/%2e%2e/%2e%2e/etc/passwd', 'app://console/..%2fmain%2findex.js', 'app://evil/index.html', 'file:///etc/passwd']) {
      const res = await handle({ url });
      expect(res.status).toBe(404);
    }
    expect(fetchFile).not.toHaveBeenCalled();
    expect(onRefused).toHaveBeenCalledTimes(4);
  });

  it('answers 404 when the file is missing or unreadable', async () => {
    const missing = setup(async () => {
      throw new Error('net::ERR_FILE_NOT_FOUND');
    });
    expect((await missing.handle({ url: 'app://console/assets/none.js' })).status).toBe(404);
    const notOk = setup(async () => new Response('', { status: 500 }));
    expect((await notOk.handle({ url: 'app://console/assets/x.js' })).status).toBe(404);
  });

  it('refuses methods other than GET and HEAD', async () => {
    const { handle, fetchFile } = setup();
    expect((await handle({ url: 'app://console/', method: 'POST' })).status).toBe(405);
    expect((await handle({ url: 'app://console/', method: 'PUT' })).status).toBe(405);
    expect(fetchFile).not.toHaveBeenCalled();
    const head = await handle({ url: 'app://console/', method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
  });
});
