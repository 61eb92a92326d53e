/**
 * The hub is not trusted: a hostile http server (no Content-Length, a lying one, redirects, a bad
 * index) gets nothing past the size limits and the schema.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHubControlFiles, fetchHubIndex, fetchLimited, HubDownloadError } from './hub-source';

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case '/chunked': // no Content-Length: the limit is enforced while streaming
        res.writeHead(200);
        for (let i = 0; i < 100; i++) res.write(Buffer.alloc(1024, 0x41));
        res.end();
        return;
      case '/declared-big':
        res.writeHead(200, { 'Content-Length': String(50 * 1024 * 1024) });
        res.write('x');
        return; // never finishes: must be refused on the header alone
      case '/redirect':
        res.writeHead(302, { Location: '/chunked' }).end();
        return;
      case '/updates/index.json':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ bundles: [{ name: '../etc', files: [] }] }));
        return;
      case '/updates/b1/manifest.json':
        res.writeHead(200).end(Buffer.alloc(65 * 1024, 0x20));
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('hub downloads', () => {
  it('cuts a body without Content-Length off at the limit', async () => {
    await expect(fetchLimited(`${origin}/chunked`, 10 * 1024)).rejects.toThrow(/more than the limit of 10240 bytes/);
    expect((await fetchLimited(`${origin}/chunked`, 100 * 1024))?.length).toBe(100 * 1024);
  });

  it('refuses a declared size over the limit before reading the body', async () => {
    await expect(fetchLimited(`${origin}/declared-big`, 1024)).rejects.toThrow(/52428800 bytes is more than the limit of 1024/);
  });

  it('follows no redirect, and answers null for 404', async () => {
    await expect(fetchLimited(`${origin}/redirect`, 1024 * 1024)).rejects.toBeInstanceOf(HubDownloadError);
    expect(await fetchLimited(`${origin}/nothing`, 1024)).toBeNull();
  });

  it('refuses an index that does not fit the schema (a bundle name with a path in it)', async () => {
    await expect(fetchHubIndex(origin)).rejects.toThrow(/not an update index/);
  });

  it('keeps manifest.json to its 64 KiB limit, and refuses bundle names that are paths', async () => {
    await expect(fetchHubControlFiles(origin, 'b1')).rejects.toThrow(/more than the limit of 65536/);
    await expect(fetchHubControlFiles(origin, '../b1')).rejects.toThrow(/bad bundle name/);
  });
});
