import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BRIDGE_MAX_FRAME_BYTES, BRIDGE_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../preload/bridge-protocol';
import { tempConsoleApp } from '../../test/support/console-app';
import { DEMO_PASSWORD } from '../services/demo-seed';
import { startHost, tokenFromProtocols, type RunningHost } from './server';

let host: RunningHost;
let env: Awaited<ReturnType<typeof tempConsoleApp>>;
let rendererRoot: string;

beforeAll(async () => {
  rendererRoot = mkdtempSync(join(tmpdir(), 'hall-renderer-'));
  mkdirSync(join(rendererRoot, 'assets'));
  writeFileSync(join(rendererRoot, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(rendererRoot, 'assets', 'app.js'), 'console.log(1)');
  env = await tempConsoleApp();
  host = await startHost({ app: env.app, rendererRoot, port: 0, token: 'test-token-123' });
});

afterAll(async () => {
  await host.close();
  await env.cleanup();
  rmSync(rendererRoot, { recursive: true, force: true });
});

interface Client {
  ws: WebSocket;
  call(method: string, input: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
  next(): Promise<Record<string, unknown>>;
}

function connect(opts: { token?: string | null; origin?: string | null } = {}): Promise<Client> {
  const token = opts.token === undefined ? host.token : opts.token;
  const protocols = token === null ? [BRIDGE_PROTOCOL] : [BRIDGE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`];
  const headers: Record<string, string> = {};
  const origin = opts.origin === undefined ? host.origin : opts.origin;
  if (origin !== null) headers.origin = origin;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/bridge`, protocols, { headers });
  // Results go to their caller; everything else (events, errors) is read with next().
  const inbox: Record<string, unknown>[] = [];
  const waiters: ((m: Record<string, unknown>) => void)[] = [];
  const results = new Map<number, (r: never) => void>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as Record<string, unknown>;
    if (msg.type === 'result' && results.has(msg.id as number)) {
      results.get(msg.id as number)!(msg.result as never);
      results.delete(msg.id as number);
      return;
    }
    const w = waiters.shift();
    if (w) w(msg);
    else inbox.push(msg);
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => (inbox.length ? resolve(inbox.shift()!) : waiters.push(resolve)));
  let id = 1;
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        next,
        call(method, input) {
          const myId = id++;
          return new Promise((resolveCall) => {
            results.set(myId, resolveCall);
            ws.send(JSON.stringify({ type: 'invoke', id: myId, method, input }));
          });
        },
      }),
    );
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function rawStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('headless host', () => {
  it('serves the renderer with a strict CSP and refuses traversal', async () => {
    const index = await fetch(`${host.origin}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await index.text()).toContain('console');
    expect((await fetch(`${host.origin}/assets/app.js`)).headers.get('content-type')).toContain('javascript');
    // fetch() would normalise the dots away before sending; send the raw path as an attacker would.
    expect(await rawStatus('/assets/%2e%2e/%2e%2e/etc/passwd')).toBe(403);
    expect(await rawStatus('/../../etc/passwd')).toBe(403);
    expect((await fetch(`${host.origin}/missing.js`)).status).toBe(404);
    expect((await fetch(`${host.origin}/`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a bridge connection without the launch token', async () => {
    await expect(connect({ token: null })).rejects.toThrow('HTTP 401');
    await expect(connect({ token: 'wrong-token-123' })).rejects.toThrow('HTTP 401');
  });

  it('refuses a bridge connection from another origin, even with the token', async () => {
    await expect(connect({ origin: 'http://127.0.0.1:1' })).rejects.toThrow('HTTP 403');
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect({ origin: null })).rejects.toThrow('HTTP 403');
  });

  it('carries the contract: public call, typed errors, login, protected call', async () => {
    const c = await connect();
    expect(await c.call('counters.list', {})).toMatchObject({ ok: true, value: expect.arrayContaining([expect.objectContaining({ number: 3 })]) });
    expect(await c.call('devices.status', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await c.call('no.such', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await c.call('session.login', { userName: 7 })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await c.call('session.login', { userName: 'clerk03', password: 'nope', counterId: 'counter-03' })).toMatchObject({
      ok: false,
      error: { code: 'bad_credentials' },
    });
    const login = await c.call('session.login', { userName: 'clerk03', password: DEMO_PASSWORD, counterId: 'counter-03' });
    expect(login).toMatchObject({ ok: true, value: { role: 'clerk', displayNameMasked: '张*明', counter: { number: 3 } } });
    expect(JSON.stringify(login)).not.toContain('张小明');
    const devices = await c.call('devices.status', {});
    expect(devices).toMatchObject({ ok: true });
    expect((devices.value as unknown[]).length).toBe(4);
    c.ws.close();
  });

  it('keeps sessions per connection and drops them when the connection closes', async () => {
    const a = await connect();
    const b = await connect();
    await a.call('session.login', { userName: 'super01', password: DEMO_PASSWORD, counterId: null });
    expect(await a.call('session.current', {})).toMatchObject({ ok: true, value: { userName: 'super01' } });
    expect(await b.call('session.current', {})).toEqual({ ok: true, value: null });
    expect(await a.call('session.logout', {})).toEqual({ ok: true, value: { loggedOut: true } });
    expect(await a.next()).toMatchObject({ type: 'event', event: 'session.ended', payload: { reason: 'logout' } });
    a.ws.close();
    b.ws.close();
  });

  it('answers malformed messages with an error and stays usable', async () => {
    const c = await connect();
    c.ws.send('not json');
    expect(await c.next()).toMatchObject({ type: 'error', code: 'bad_message' });
    c.ws.send(JSON.stringify({ type: 'invoke', id: -1, method: 'app.info' }));
    expect(await c.next()).toMatchObject({ type: 'error', code: 'bad_message' });
    expect(await c.call('app.info', {})).toMatchObject({ ok: true, value: { product: 'hall-console', mode: 'browser' } });
    c.ws.close();
  });

  it('gives payload_too_large for inputs over the method limit and closes on frames over the bridge limit', async () => {
    const c = await connect();
    expect(await c.call('session.login', { userName: 'a', password: 'x'.repeat(8_000), counterId: null })).toMatchObject({
      ok: false,
      error: { code: 'payload_too_large' },
    });
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.ws.send(JSON.stringify({ type: 'invoke', id: 1, method: 'app.info', input: { pad: 'x'.repeat(BRIDGE_MAX_FRAME_BYTES) } }));
    expect(await closed).toBe(1009);
  });
});

describe('tokenFromProtocols', () => {
  it('finds the token only beside our protocol', () => {
    expect(tokenFromProtocols('hall.v1, token.abc')).toBe('abc');
    expect(tokenFromProtocols('other, token.abc')).toBeNull();
    expect(tokenFromProtocols(undefined)).toBeNull();
    expect(tokenFromProtocols('hall.v1')).toBeNull();
  });
});
