/**
 * Drives the real hook code of hardening.ts and ipc.ts with fake Electron objects and checks that
 * each Electron callback is answered by the policy (items 8, 11–14, 16).
 *
 * `electron` is mocked with a factory that throws: these modules must not import it at runtime
 * (importing the real package in Node would even try to download the binary).
 */
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type SyncStatus } from '../../preload/contract';
import { createEventBus } from '../events';
import { createDispatcher, type Dispatcher, type Handlers } from '../ipc/dispatcher';
import { createMemoryLogger } from '../log';
import { hardenWebContents, installHardening, type HardenableWebContents, type PreventableEvent } from './hardening';
import { describeFrame, registerIpc, type FrameLike, type InvokeEventLike, type TargetContents } from './ipc';

vi.mock('electron', () => {
  throw new Error('main/electron/{hardening,ipc,policy}.ts must not import electron at runtime');
});

// ---------- fakes ----------

class FakeWebContents extends EventEmitter implements HardenableWebContents {
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }
}

function navEvent(url?: string): PreventableEvent & { preventDefault: ReturnType<typeof vi.fn> } {
  const ev = { preventDefault: vi.fn() } as PreventableEvent & { preventDefault: ReturnType<typeof vi.fn> };
  if (url !== undefined) ev.url = url;
  return ev;
}

type RequestHandler = (contents: unknown, permission: string, cb: (granted: boolean) => void, details: Record<string, unknown>) => void;
type CheckHandler = (contents: unknown, permission: string, origin: string, details: Record<string, unknown>) => boolean;

function fakeSession() {
  const s = {
    request: undefined as RequestHandler | undefined,
    check: undefined as CheckHandler | undefined,
    device: undefined as ((details: unknown) => boolean) | undefined,
    setPermissionRequestHandler(h: RequestHandler) {
      s.request = h;
    },
    setPermissionCheckHandler(h: CheckHandler) {
      s.check = h;
    },
    setDevicePermissionHandler(h: (details: unknown) => boolean) {
      s.device = h;
    },
  };
  return s;
}

function setupHardening() {
  const app = new EventEmitter();
  const session = fakeSession();
  const shell = { openExternal: vi.fn(async (_url: string) => {}) };
  const logger = createMemoryLogger();
  installHardening({ app, session, shell, logger, externalHosts: ['zwfw.gov.cn'] });
  const contents = new FakeWebContents();
  app.emit('web-contents-created', {}, contents);
  return { app, session, shell, logger, contents };
}

// ---------- hardening ----------

describe('installHardening: navigation (item 11)', () => {
  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])('%s off-origin is prevented', (eventName) => {
    const { contents, logger } = setupHardening();
    const evil = navEvent('https://evil.example/phish?id=110101199003071234');
    contents.emit(eventName, evil);
    expect(evil.preventDefault).toHaveBeenCalledTimes(1);
    // the log names the origin, never the path or query (they may carry personal data)
    expect(JSON.stringify(logger.lines)).toContain('https://evil.example');
    expect(JSON.stringify(logger.lines)).not.toContain('110101199003071234');

    const own = navEvent('app://console/clerk');
    contents.emit(eventName, own);
    expect(own.preventDefault).not.toHaveBeenCalled();
  });

  it.each(['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'http://localhost:5173/', 'app://evil/'])(
    'will-navigate to %s is prevented',
    (url) => {
      const { contents } = setupHardening();
      const ev = navEvent(url);
      contents.emit('will-navigate', ev);
      expect(ev.preventDefault).toHaveBeenCalled();
    },
  );

  it('uses the legacy url argument when the event carries none', () => {
    const { contents } = setupHardening();
    const ev = navEvent();
    contents.emit('will-navigate', ev, 'https://evil.example/');
    expect(ev.preventDefault).toHaveBeenCalled();
    const ok = navEvent();
    contents.emit('will-navigate', ok, 'app://console/');
    expect(ok.preventDefault).not.toHaveBeenCalled();
  });

  it('prevents a navigation with no URL at all', () => {
    const { contents } = setupHardening();
    const ev = navEvent();
    contents.emit('will-navigate', ev);
    expect(ev.preventDefault).toHaveBeenCalled();
  });

  it('allows the dev server only when given as an extra origin', () => {
    const app = new EventEmitter();
    const contents = new FakeWebContents();
    installHardening({
      app,
      session: fakeSession(),
      shell: { openExternal: vi.fn(async () => {}) },
      logger: createMemoryLogger(),
      externalHosts: [],
      extraOrigins: ['http://localhost:5173'],
    });
    app.emit('web-contents-created', {}, contents);
    const ev = navEvent('http://localhost:5173/clerk');
    contents.emit('will-navigate', ev);
    expect(ev.preventDefault).not.toHaveBeenCalled();
  });
});

describe('installHardening: webview and new windows (items 8, 12, 16)', () => {
  it('prevents <webview> attachment', () => {
    const { contents } = setupHardening();
    const ev = navEvent();
    contents.emit('will-attach-webview', ev, {}, {});
    expect(ev.preventDefault).toHaveBeenCalled();
  });

  it('denies every window.open; only allow-listed https goes to the OS browser, normalised', () => {
    const { contents, shell } = setupHardening();
    const handler = contents.windowOpenHandler!;
    expect(handler).toBeTypeOf('function');

    for (const url of [
      'https://evil.example/',
      'https://zwfw.gov.cn@evil.com/',
      'http://zwfw.gov.cn/',
      'file:///C:/Windows/System32/calc.exe',
      'app://console/other',
      'javascript:alert(1)',
    ]) {
      expect(handler({ url })).toEqual({ action: 'deny' });
    }
    expect(shell.openExternal).not.toHaveBeenCalled();

    expect(handler({ url: 'https://ZWFW.gov.cn/guide' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
    expect(shell.openExternal).toHaveBeenCalledWith('https://zwfw.gov.cn/guide');
  });

  it('a failing openExternal is logged, not thrown', async () => {
    const app = new EventEmitter();
    const logger = createMemoryLogger();
    const shell = { openExternal: vi.fn(async () => Promise.reject(new Error('no browser'))) };
    const contents = new FakeWebContents();
    hardenWebContents(contents, { app, session: fakeSession(), shell, logger, externalHosts: ['zwfw.gov.cn'] });
    expect(contents.windowOpenHandler!({ url: 'https://zwfw.gov.cn/' })).toEqual({ action: 'deny' });
    await new Promise((r) => setImmediate(r));
    expect(logger.lines.some((l) => l.event === 'security.open_external_failed')).toBe(true);
  });

  it('hooks every web contents, not only the first', () => {
    const { app } = setupHardening();
    const second = new FakeWebContents();
    app.emit('web-contents-created', {}, second);
    const ev = navEvent('https://evil.example/');
    second.emit('will-navigate', ev);
    expect(ev.preventDefault).toHaveBeenCalled();
    expect(second.windowOpenHandler).toBeTypeOf('function');
  });
});

describe('installHardening: permissions (item 13)', () => {
  it('request handler grants only camera/microphone to our main frame', () => {
    const { session } = setupHardening();
    const ask = (permission: string, details: Record<string, unknown>) => {
      const cb = vi.fn();
      session.request!({}, permission, cb, details);
      expect(cb).toHaveBeenCalledTimes(1);
      return cb.mock.calls[0]![0] as boolean;
    };
    expect(ask('media', { requestingUrl: 'app://console/kiosk', isMainFrame: true, mediaTypes: ['video'] })).toBe(true);
    expect(ask('media', { requestingUrl: 'https://evil.example/', isMainFrame: true, mediaTypes: ['video'] })).toBe(false);
    expect(ask('media', { requestingUrl: 'app://console/', isMainFrame: false, mediaTypes: ['video'] })).toBe(false);
    expect(ask('notifications', { requestingUrl: 'app://console/', isMainFrame: true })).toBe(false);
    expect(ask('geolocation', { requestingUrl: 'app://console/', isMainFrame: true })).toBe(false);
    expect(ask('openExternal', { requestingUrl: 'app://console/', isMainFrame: true, externalURL: 'ms-settings:' })).toBe(false);
  });

  it('check handler follows the same rule', () => {
    const { session } = setupHardening();
    expect(session.check!({}, 'media', 'app://console', { isMainFrame: true, mediaType: 'video', securityOrigin: 'app://console/' })).toBe(true);
    expect(session.check!({}, 'media', 'app://console', { isMainFrame: true, mediaType: 'unknown' })).toBe(false);
    expect(session.check!({}, 'media', 'https://evil.example', { isMainFrame: true, mediaType: 'video' })).toBe(false);
    expect(session.check!(null, 'hid', 'app://console', { isMainFrame: true })).toBe(false);
    expect(session.check!(null, 'clipboard-read', 'app://console', { isMainFrame: true })).toBe(false);
  });

  it('device permission handler (WebHID/WebSerial/WebUSB) always refuses', () => {
    const { session } = setupHardening();
    expect(session.device!({ deviceType: 'hid', origin: 'app://console' })).toBe(false);
    expect(session.device!({ deviceType: 'serial', origin: 'app://console' })).toBe(false);
  });
});

// ---------- IPC ----------

class FakeTarget extends EventEmitter implements TargetContents {
  sent: unknown[][] = [];
  destroyed = false;
  constructor(
    readonly id: number,
    public url = 'app://console/',
  ) {
    super();
  }
  isDestroyed() {
    return this.destroyed;
  }
  getURL() {
    return this.url;
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push([channel, ...args]);
  }
}

function fakeIpcMain() {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  return {
    handlers,
    handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
  };
}

const mainFrame = (url = 'app://console/'): FrameLike => ({ url, parent: null, processId: 3, routingId: 1 });
const subFrame = (url = 'app://console/'): FrameLike => ({ url, parent: mainFrame(), processId: 3, routingId: 2 });

function setupIpc(dispatcher?: Dispatcher) {
  const ipcMain = fakeIpcMain();
  const app = new EventEmitter();
  const logger = createMemoryLogger();
  const events = createEventBus(logger);
  const invoke = vi.fn(async (..._args: Parameters<Dispatcher['invoke']>) => ({ ok: true as const, value: 'pong' }));
  const endChannel = vi.fn();
  const windows = [new FakeTarget(7), new FakeTarget(8)];
  const loggedIn = new Set(['7', '8']);
  const dispose = registerIpc({
    ipcMain,
    app,
    consoleApp: { dispatcher: dispatcher ?? { invoke }, events, endChannel, isLoggedIn: (id: string) => loggedIn.has(id) },
    contentsById: (id) => windows.find((w) => w.id === id),
    allWindowContents: () => windows,
    logger,
  });
  const call = (senderId: number, frame: FrameLike | null, ...args: unknown[]) =>
    ipcMain.handlers.get(IPC_INVOKE_CHANNEL)!({ sender: { id: senderId }, senderFrame: frame }, ...args);
  return { ipcMain, app, logger, events, invoke, endChannel, windows, loggedIn, dispose, call };
}

describe('registerIpc: sender check (item 14)', () => {
  let ctx: ReturnType<typeof setupIpc>;
  beforeEach(() => {
    ctx = setupIpc();
  });

  it('registers exactly one handler on the contract channel', () => {
    expect([...ctx.ipcMain.handlers.keys()]).toEqual([IPC_INVOKE_CHANNEL]);
  });

  it('passes method, input, the window id as channel and trustedSender=true for our main frame', async () => {
    await expect(ctx.call(7, mainFrame('app://console/clerk'), 'app.info', {})).resolves.toEqual({ ok: true, value: 'pong' });
    expect(ctx.invoke).toHaveBeenCalledWith('app.info', {}, { channelId: '7', trustedSender: true });
  });

  it.each([
    ['a subframe of ours', subFrame()],
    ['a foreign main frame', mainFrame('https://evil.example/')],
    ['a file: page', mainFrame('file:///tmp/x.html')],
    ['the dev server (not configured)', mainFrame('http://localhost:5173/')],
    ['no frame (navigated or destroyed)', null],
  ])('marks %s as untrusted', async (_label, frame) => {
    await ctx.call(9, frame, 'session.login', { userName: 'a', password: 'b', counterId: null });
    expect(ctx.invoke).toHaveBeenCalledWith('session.login', expect.anything(), { channelId: '9', trustedSender: false });
  });

  it('treats a frame that throws on access as untrusted', async () => {
    const exploding = {
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
      parent: null,
    };
    expect(describeFrame(exploding)).toBeNull();
    await ctx.call(7, exploding, 'app.info', {});
    expect(ctx.invoke).toHaveBeenCalledWith('app.info', {}, { channelId: '7', trustedSender: false });
  });

  it('with the real dispatcher, a foreign sender gets foreign_sender and the handler never runs', async () => {
    const appInfo = vi.fn(() => ({
      product: 'hall-console',
      version: '0.1.0',
      mode: 'electron',
      emulatedDevices: true,
      schemaVersion: 1,
      consoleId: 'c-1',
    }));
    const dispatcher = createDispatcher({
      handlers: { 'app.info': appInfo } as unknown as Handlers,
      sessions: { get: () => null },
      logger: createMemoryLogger(),
    });
    const real = setupIpc(dispatcher);
    const refused = (await real.call(7, mainFrame('https://evil.example/'), 'app.info', {})) as { ok: boolean; error?: { code: string } };
    expect(refused).toMatchObject({ ok: false, error: { code: 'foreign_sender' } });
    expect(appInfo).not.toHaveBeenCalled();
    const accepted = (await real.call(7, mainFrame(), 'app.info', {})) as { ok: boolean };
    expect(accepted.ok).toBe(true);
    expect(appInfo).toHaveBeenCalledTimes(1);
  });
});

describe('registerIpc: events and channels', () => {
  const status: SyncStatus = { state: 'online', pendingUploads: 0, lastSyncAt: null, hubUrl: null };

  it('broadcasts target=null to every live window of ours', () => {
    const ctx = setupIpc();
    const [w7, w8] = ctx.windows as [FakeTarget, FakeTarget];
    ctx.events.emit('sync.changed', status, null);
    expect(w7.sent).toEqual([[IPC_EVENT_CHANNEL, 'sync.changed', status]]);
    expect(w8.sent).toEqual([[IPC_EVENT_CHANNEL, 'sync.changed', status]]);
  });

  it('never broadcasts to a window without a session (card reads, scans stay off the login screen)', () => {
    const ctx = setupIpc();
    const [w7, w8] = ctx.windows as [FakeTarget, FakeTarget];
    ctx.loggedIn.delete('8');
    ctx.events.emit('sync.changed', status, null);
    expect(w7.sent).toHaveLength(1);
    expect(w8.sent).toEqual([]);
  });

  it('sends a targeted event only to that window', () => {
    const ctx = setupIpc();
    const [w7, w8] = ctx.windows as [FakeTarget, FakeTarget];
    ctx.events.emit('session.ended', { reason: 'idle_lock' }, '8');
    expect(w7.sent).toEqual([]);
    expect(w8.sent).toEqual([[IPC_EVENT_CHANNEL, 'session.ended', { reason: 'idle_lock' }]]);
    ctx.events.emit('session.ended', { reason: 'idle_lock' }, '99');
    ctx.events.emit('session.ended', { reason: 'idle_lock' }, 'not-a-number');
    expect(w7.sent.length + w8.sent.length).toBe(1);
  });

  it('skips destroyed windows and pages that are not ours', () => {
    const ctx = setupIpc();
    const [w7, w8] = ctx.windows as [FakeTarget, FakeTarget];
    w7.destroyed = true;
    w8.url = 'https://evil.example/';
    ctx.events.emit('sync.changed', status, null);
    expect(w7.sent).toEqual([]);
    expect(w8.sent).toEqual([]);
  });

  it('a window whose send throws does not stop the others', () => {
    const ctx = setupIpc();
    const [w7, w8] = ctx.windows as [FakeTarget, FakeTarget];
    w7.send = () => {
      throw new Error('Object has been destroyed');
    };
    ctx.events.emit('sync.changed', status, null);
    expect(w8.sent).toHaveLength(1);
    expect(ctx.logger.lines.some((l) => l.event === 'ipc.event_send_failed')).toBe(true);
  });

  it('ends the channel when its webContents is destroyed', () => {
    const ctx = setupIpc();
    const contents = new FakeTarget(12);
    ctx.app.emit('web-contents-created', {}, contents);
    expect(ctx.endChannel).not.toHaveBeenCalled();
    contents.emit('destroyed');
    expect(ctx.endChannel).toHaveBeenCalledWith('12');
  });

  it('dispose removes the handler and stops forwarding', () => {
    const ctx = setupIpc();
    ctx.dispose();
    expect(ctx.ipcMain.handlers.size).toBe(0);
    ctx.events.emit('sync.changed', status, null);
    expect((ctx.windows[0] as FakeTarget).sent).toEqual([]);
  });
});
