/**
 * The hub's update shelf (docs/security.md, "Hub distribution"): `hall hub --updates DIR` serves the
 * signed bundles in DIR (one sub-folder each) to the consoles. The hub only hands out files; it is
 * not trusted and checks nothing: every console verifies what it downloads with its pinned keyset.
 *
 *     GET /updates/index.json          {"bundles":[{"name","files":[{"name","size"}]}]}
 *     GET /updates/<bundle>/<file>     one regular file of a bundle (no links, no sub-folders, no dot files)
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { HubBundleName, MAX_HUB_BUNDLES, type HubUpdateIndex } from '../../main/update/hub-source';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;
const MAX_FILES = 20;

async function listBundles(root: string): Promise<HubUpdateIndex> {
  const bundles: HubUpdateIndex['bundles'] = [];
  const entries = await readdir(root, { withFileTypes: true });
  for (const entry of entries.filter((e) => e.isDirectory() && HubBundleName.safeParse(e.name).success).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (bundles.length >= MAX_HUB_BUNDLES) break;
    const dir = join(root, entry.name);
    const files: { name: string; size: number }[] = [];
    for (const f of (await readdir(dir, { withFileTypes: true })).filter((x) => x.isFile() && NAME.test(x.name)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (files.length >= MAX_FILES) break;
      files.push({ name: f.name, size: (await lstat(join(dir, f.name))).size });
    }
    if (files.some((f) => f.name === 'manifest.json')) bundles.push({ name: entry.name, files });
  }
  return { bundles };
}

/**
 * A request handler for /updates/…; answers and returns true for those paths, false for any other
 * (the hub server then answers as before).
 */
export function createUpdatesHandler(root: string): (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean {
  return (req, res, pathname) => {
    if (pathname !== '/updates' && !pathname.startsWith('/updates/')) return false;
    const plain = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(405, 'method not allowed', { Allow: 'GET, HEAD' });
      return true;
    }
    const rest = pathname.slice('/updates/'.length);
    if (rest === 'index.json') {
      listBundles(root).then(
        (index) => {
          const body = JSON.stringify(index);
          res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) }).end(req.method === 'HEAD' ? undefined : body);
        },
        () => plain(503, 'update folder unavailable'),
      );
      return true;
    }
    const parts = rest.split('/');
    let bundle: string;
    let file: string;
    try {
      [bundle, file] = parts.map((p) => decodeURIComponent(p)) as [string, string];
    } catch {
      plain(400, 'bad path');
      return true;
    }
    if (parts.length !== 2 || !NAME.test(bundle) || !NAME.test(file)) {
      plain(404, 'not found');
      return true;
    }
    const path = join(root, bundle, file);
    lstat(path).then(
      (st) => {
        if (!st.isFile()) return plain(404, 'not found');
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': st.size, 'Cache-Control': 'no-store' });
        if (req.method === 'HEAD') return void res.end();
        const stream = createReadStream(path, { start: 0, end: Math.max(0, st.size - 1) });
        if (st.size === 0) return void res.end();
        stream.on('error', () => res.destroy());
        stream.pipe(res);
      },
      () => plain(404, 'not found'),
    );
    return true;
  };
}
