import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  APP_SCHEME_PRIVILEGES,
  APP_START_URL,
  buildContentSecurityPolicy,
  buildWebPreferences,
  decideNavigation,
  decidePermission,
  decideWindowOpen,
  devServerOrigin,
  originOf,
  parseLaunchFlags,
  resolveAppUrl,
  validateSender,
} from './policy';

const ROOT = path.resolve('/opt/hall-console/resources/app.asar/out/renderer');
const PRELOAD = path.resolve('/opt/hall-console/resources/app.asar/out/preload/index.cjs');

describe('constants', () => {
  it('serves the console from app://console', () => {
    expect(APP_ORIGIN).toBe('app://console');
    expect(APP_START_URL).toBe('app://console/');
  });

  it('registers the scheme as standard + secure + fetch, and nothing that weakens CSP or CORS', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ standard: true, secure: true, supportFetchAPI: true });
    expect(Object.isFrozen(APP_SCHEME_PRIVILEGES)).toBe(true);
  });
});

describe('buildWebPreferences (items 1–8)', () => {
  const prefs = buildWebPreferences(PRELOAD) as unknown as Record<string, unknown>;

  it.each([
    ['contextIsolation', true],
    ['sandbox', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['experimentalFeatures', false],
    ['webviewTag', false],
    ['spellcheck', false],
    ['navigateOnDragDrop', false],
    ['safeDialogs', true],
    ['devTools', false],
  ])('%s is %s', (key, value) => {
    expect(prefs[key]).toBe(value);
  });

  it('keeps the preload path and sets no Blink features or other escape hatches', () => {
    expect(prefs['preload']).toBe(PRELOAD);
    for (const key of ['enableBlinkFeatures', 'disableBlinkFeatures', 'additionalArguments', 'partition', 'session', 'enableWebSQL']) {
      expect(prefs).not.toHaveProperty(key);
    }
  });

  it('has exactly the reviewed set of keys', () => {
    expect(Object.keys(prefs).sort()).toMatchInlineSnapshot(`
      [
        "allowRunningInsecureContent",
        "contextIsolation",
        "devTools",
        "experimentalFeatures",
        "navigateOnDragDrop",
        "nodeIntegration",
        "nodeIntegrationInSubFrames",
        "nodeIntegrationInWorker",
        "preload",
        "safeDialogs",
        "sandbox",
        "spellcheck",
        "webSecurity",
        "webviewTag",
      ]
    `);
  });

  it('enables DevTools only for an explicit true', () => {
    expect(buildWebPreferences(PRELOAD, { devTools: true }).devTools).toBe(true);
    expect(buildWebPreferences(PRELOAD, {}).devTools).toBe(false);
    expect(buildWebPreferences(PRELOAD, { devTools: 'yes' as unknown as boolean }).devTools).toBe(false);
    expect(buildWebPreferences(PRELOAD, { devTools: 1 as unknown as boolean }).devTools).toBe(false);
  });

  it('devTools does not change any other setting', () => {
    const { devTools: _a, ...off } = buildWebPreferences(PRELOAD);
    const { devTools: _b, ...on } = buildWebPreferences(PRELOAD, { devTools: true });
    expect(on).toEqual(off);
  });

  it('refuses a relative preload path', () => {
    expect(() => buildWebPreferences('out/preload/index.cjs')).toThrow(/absolute/);
    expect(() => buildWebPreferences('')).toThrow();
  });
});

describe('buildContentSecurityPolicy (item 9)', () => {
  const csp = buildContentSecurityPolicy();
  const directives = new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name as string, values];
    }),
  );

  it('is the reviewed policy', () => {
    expect(csp).toBe(
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
        "frame-ancestors 'none'; form-action 'none'",
    );
  });

  it('allows only our own scripts: no eval, no inline, no remote, no data/blob', () => {
    // 'wasm-unsafe-eval' lets the face engine compile its WebAssembly (tfjs wasm backend, served from
    // our own origin); it does not allow eval(), new Function() or string timers.
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp).not.toMatch(/(?<!wasm-)unsafe-eval|strict-dynamic|https?:|\*/);
    expect(csp.match(/wasm-unsafe-eval/g)).toHaveLength(1);
  });

  it('allows inline styles only in style-src (antd CSS-in-JS)', () => {
    const withInline = [...directives].filter(([, v]) => v.includes("'unsafe-inline'")).map(([k]) => k);
    expect(withInline).toEqual(['style-src']);
  });

  it('locks down plugins, base, framing and forms', () => {
    for (const d of ['object-src', 'base-uri', 'frame-ancestors', 'form-action']) {
      expect(directives.get(d)).toEqual(["'none'"]);
    }
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
  });

  it('lets camera streams and captured images render', () => {
    expect(directives.get('media-src')).toEqual(["'self'", 'blob:', 'mediastream:']);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
  });
});

describe('originOf / devServerOrigin', () => {
  it.each([
    ['app://console/index.html', 'app://console'],
    ['app://console', 'app://console'],
    ['app://other/x', 'app://other'],
    ['https://zwfw.gov.cn/a?b', 'https://zwfw.gov.cn'],
    ['http://localhost:5173/', 'http://localhost:5173'],
    ['file:///etc/passwd', null],
    ['data:text/html,hi', null],
    ['javascript:alert(1)', null],
    ['blob:app://console/uuid', null],
    ['about:blank', null],
    ['app://u:p@console/', null],
    ['https://user@zwfw.gov.cn/', null],
    ['not a url', null],
    ['', null],
  ])('%s → %s', (url, origin) => {
    expect(originOf(url)).toBe(origin);
  });

  it('rejects non-strings', () => {
    expect(originOf(undefined)).toBeNull();
    expect(originOf(42)).toBeNull();
    expect(originOf({ toString: () => 'app://console/' })).toBeNull();
  });

  it.each([
    ['http://localhost:5173', 'http://localhost:5173'],
    ['http://127.0.0.1:5173/', 'http://127.0.0.1:5173'],
    ['http://[::1]:5173/', 'http://[::1]:5173'],
    ['https://localhost:5173', 'https://localhost:5173'],
    ['http://192.168.1.10:5173', null],
    ['http://localhost.evil.com:5173', null],
    ['http://localhost@evil.com', null],
    ['app://console', null],
    ['file:///tmp/x', null],
    [undefined, null],
  ])('devServerOrigin(%s) → %s', (url, origin) => {
    expect(devServerOrigin(url)).toBe(origin);
  });
});

describe('resolveAppUrl (item 10)', () => {
  const ok = (url: string) => {
    const r = resolveAppUrl(url, ROOT);
    if (!r.ok) throw new Error(`refused ${url}: ${r.reason}`);
    return r.filePath;
  };
  const refused = (url: unknown) => resolveAppUrl(url, ROOT).ok === false;

  it('maps / and the bare origin to index.html', () => {
    expect(ok('app://console/')).toBe(path.join(ROOT, 'index.html'));
    expect(ok('app://console')).toBe(path.join(ROOT, 'index.html'));
    expect(ok('app://console/index.html')).toBe(path.join(ROOT, 'index.html'));
  });

  it('maps assets inside the root, ignoring query and fragment', () => {
    expect(ok('app://console/assets/index-Ab12.js')).toBe(path.join(ROOT, 'assets', 'index-Ab12.js'));
    expect(ok('app://console/assets/logo.svg?v=3#x')).toBe(path.join(ROOT, 'assets', 'logo.svg'));
    expect(ok('app://console/assets/%E5%9B%BE%E6%A0%87.png')).toBe(path.join(ROOT, 'assets', '图标.png'));
  });

  it('maps extension-less SPA routes (and directories) to index.html', () => {
    for (const url of ['app://console/clerk', 'app://console/clerk/queue', 'app://console/kiosk?step=2', 'app://console/assets/', 'app://console/clerk#top']) {
      expect(ok(url)).toBe(path.join(ROOT, 'index.html'));
    }
  });

  it('always returns a path strictly inside the root', () => {
    for (const url of ['app://console/a/b/c.js', 'app://console/x.html', 'app://console/r']) {
      const rel = path.relative(ROOT, ok(url));
      expect(rel.startsWith('..')).toBe(false);
      expect(path.isAbsolute(rel)).toBe(false);
    }
  });

  it.each([
    'app://console/../../etc/passwd',
    'app://console/assets/../../../etc/passwd',
    'app://console/%2e%2e/%2e%2e/etc/passwd',
    'app://console/%2E%2E/secret.txt',
    'app://console/.%2e/secret.txt',
    'app://console/%2e./secret.txt',
    'app://console/..%2f..%2fetc%2fpasswd',
    'app://console/..%2F..%2Fetc%2Fpasswd',
    'app://console/..%5c..%5cwindows%5cwin.ini',
    'app://console/assets%2f..%2f..%2fmain%2findex.js',
    'app://console/./index.html',
    'app://console/assets/.env',
    'app://console/.git/config',
  ])('refuses traversal and dot segments: %s', (url) => {
    expect(refused(url)).toBe(true);
  });

  it.each([
    'app://console\\..\\..\\windows\\win.ini',
    'app://console/assets\\..\\..\\x.js',
    'app://console/a%5cb.js',
    'app://console/index.html%00.png',
    'app://console/a%00',
    'app://console/a%0ab.js',
    'app://console/C:%5cwindows%5cwin.ini',
    'app://console/C%3A/windows/win.ini',
    'app://console/index.html.',
    'app://console/index.html%20',
    'app://console//etc/passwd',
    'app://console/a//b.js',
    'app://console/%E0%A4%A.js',
    'app://console/%',
  ])('refuses backslashes, NUL/controls, drive letters, aliasing and bad encodings: %s', (url) => {
    expect(refused(url)).toBe(true);
  });

  it.each([
    'app://evil/index.html',
    'app://CONSOLE/index.html',
    'app://console.evil.com/index.html',
    'app://console@evil/index.html',
    'app://user:pass@console/index.html',
    'app://console:8080/index.html',
    'app:console/index.html',
    'app:///etc/passwd',
    'app://consoleX/index.html',
    'https://console/index.html',
    'http://console/index.html',
    'file:///etc/passwd',
    'file://console/index.html',
    'data:text/html,<script>alert(1)</script>',
    'javascript:alert(1)',
    'blob:app://console/1234',
    '',
  ])('refuses other hosts and schemes: %s', (url) => {
    expect(refused(url)).toBe(true);
  });

  it('refuses non-strings, over-long URLs and a relative root', () => {
    expect(refused(undefined)).toBe(true);
    expect(refused(null)).toBe(true);
    expect(refused(new URL('app://console/index.html'))).toBe(true);
    expect(refused(`app://console/${'a'.repeat(3000)}.js`)).toBe(true);
    expect(resolveAppUrl('app://console/index.html', 'out/renderer').ok).toBe(false);
  });

  it('decodes only once: double-encoded dots name a literal "%2e%2e" folder inside the root', () => {
    expect(ok('app://console/%252e%252e/%252e%252e/etc/passwd.txt')).toBe(
      path.join(ROOT, '%2e%2e', '%2e%2e', 'etc', 'passwd.txt'),
    );
  });

  it('gives a reason when refusing', () => {
    const r = resolveAppUrl('app://console/../x.js', ROOT);
    expect(r).toEqual({ ok: false, reason: expect.any(String) });
  });
});

describe('decideNavigation (item 11)', () => {
  it.each(['app://console/', 'app://console/clerk', 'app://console/index.html#/kiosk', 'app://console'])('allows %s', (url) => {
    expect(decideNavigation(url).allow).toBe(true);
  });

  it.each([
    'https://evil.example/',
    'http://evil.example/',
    'https://zwfw.gov.cn/',
    'file:///etc/passwd',
    'file:///opt/hall-console/resources/app.asar/out/renderer/index.html',
    'javascript:alert(1)',
    'data:text/html,<h1>x</h1>',
    'blob:app://console/abc',
    'about:blank',
    'app://evil/',
    'app://console.evil/',
    'app://console@evil/',
    'app://user@console/',
    'app://console:1/',
    'chrome://gpu',
    'devtools://devtools/bundled/inspector.html',
    'http://localhost:5173/',
    '',
    'not a url',
  ])('denies %s', (url) => {
    const verdict = decideNavigation(url);
    expect(verdict.allow).toBe(false);
    expect(verdict.reason).toBeTruthy();
  });

  it('denies non-strings', () => {
    expect(decideNavigation(undefined).allow).toBe(false);
    expect(decideNavigation(null).allow).toBe(false);
  });

  it('allows the dev server only when it is passed explicitly', () => {
    expect(decideNavigation('http://localhost:5173/clerk', ['http://localhost:5173']).allow).toBe(true);
    expect(decideNavigation('http://localhost:5174/', ['http://localhost:5173']).allow).toBe(false);
    expect(decideNavigation('https://evil.example/', ['http://localhost:5173']).allow).toBe(false);
  });
});

describe('decideWindowOpen (items 12, 16)', () => {
  const allow = ['zwfw.gov.cn', 'www.gjzwfw.gov.cn'];

  it('always denies an in-app window', () => {
    for (const url of ['app://console/x', 'https://zwfw.gov.cn/', 'https://evil.example/', 'about:blank', '']) {
      expect(decideWindowOpen(url, allow).action).toBe('deny');
    }
  });

  it('opens allow-listed https links externally, with the normalised URL', () => {
    expect(decideWindowOpen('https://zwfw.gov.cn/guide?id=1', allow)).toEqual({
      action: 'deny',
      openExternally: true,
      url: 'https://zwfw.gov.cn/guide?id=1',
      reason: expect.any(String),
    });
    const v = decideWindowOpen('https://ZWFW.gov.cn/办事指南?q=户籍', allow);
    expect(v.openExternally).toBe(true);
    if (v.openExternally) expect(v.url).toBe('https://zwfw.gov.cn/%E5%8A%9E%E4%BA%8B%E6%8C%87%E5%8D%97?q=%E6%88%B7%E7%B1%8D');
    expect(decideWindowOpen('https://www.gjzwfw.gov.cn/', allow).openExternally).toBe(true);
  });

  it.each([
    ['http://zwfw.gov.cn/', 'plain http'],
    ['https://evil.example/', 'not listed'],
    ['https://zwfw.gov.cn@evil.com/', 'userinfo trick'],
    ['https://zwfw.gov.cn:443@evil.com/', 'userinfo with port trick'],
    ['https://user:pw@zwfw.gov.cn/', 'credentials on an allowed host'],
    ['https://evil.com/?https://zwfw.gov.cn', 'host in query'],
    ['https://evil.com/#zwfw.gov.cn', 'host in fragment'],
    ['https://zwfw.gov.cn.evil.com/', 'suffix trick'],
    ['https://evilzwfw.gov.cn/', 'prefix trick'],
    ['https://sub.zwfw.gov.cn/', 'subdomain is not an exact match'],
    ['https://gov.cn/', 'parent domain'],
    ['https://zwfw.gov.cn./', 'trailing dot'],
    ['https://zwfw.gov.cn:8443/', 'non-default port'],
    ['https://zwfw.gov.cn\\@evil.com/', 'backslash trick'],
    ['https://zwfw.gov.cn/a b', 'raw space'],
    ['https://zwfw.gov.cn/\tx', 'tab (the parser would strip it)'],
    ['https://zwfw.gov.cn/\nx', 'newline'],
    [' https://zwfw.gov.cn/', 'leading space'],
    ['file:///C:/Windows/System32/calc.exe', 'file'],
    ['javascript:alert(1)', 'javascript'],
    ['data:text/html,hi', 'data'],
    ['smb://zwfw.gov.cn/share', 'smb'],
    ['ms-msdt:/id PCWDiagnostic', 'protocol handler'],
    ['app://console/', 'own origin'],
    ['not a url', 'garbage'],
  ])('does not open %s (%s)', (url) => {
    const v = decideWindowOpen(url, allow);
    expect(v.action).toBe('deny');
    expect(v.openExternally).toBe(false);
  });

  it('denies everything with an empty or malformed allow-list', () => {
    expect(decideWindowOpen('https://zwfw.gov.cn/', []).openExternally).toBe(false);
    expect(decideWindowOpen('https://evil.com/', ['*']).openExternally).toBe(false);
    expect(decideWindowOpen('https://evil.com/', ['']).openExternally).toBe(false);
    expect(decideWindowOpen('https://evil.com/', ['https://evil.com']).openExternally).toBe(false);
    expect(decideWindowOpen('https://localhost/', ['localhost']).openExternally).toBe(false);
  });

  it('matches allow-list entries case-insensitively', () => {
    expect(decideWindowOpen('https://zwfw.gov.cn/', ['ZWFW.GOV.CN']).openExternally).toBe(true);
  });

  it('denies non-strings and over-long URLs', () => {
    expect(decideWindowOpen(undefined, allow).openExternally).toBe(false);
    expect(decideWindowOpen(`https://zwfw.gov.cn/${'a'.repeat(3000)}`, allow).openExternally).toBe(false);
  });
});

describe('decidePermission (item 13)', () => {
  it('grants camera and microphone capture to our main frame', () => {
    expect(decidePermission('media', APP_ORIGIN, { mediaTypes: ['video'], isMainFrame: true, requestingUrl: 'app://console/kiosk' })).toBe(true);
    expect(decidePermission('media', 'app://console/kiosk', { mediaTypes: ['video', 'audio'], isMainFrame: true })).toBe(true);
    expect(decidePermission('media', APP_ORIGIN, { mediaType: 'video', isMainFrame: true, securityOrigin: 'app://console/' })).toBe(true);
    expect(decidePermission('media', APP_ORIGIN, { mediaType: 'audio', isMainFrame: true })).toBe(true);
  });

  it.each([
    'notifications',
    'geolocation',
    'clipboard-read',
    'clipboard-sanitized-write',
    'display-capture',
    'fullscreen',
    'openExternal',
    'hid',
    'serial',
    'usb',
    'midi',
    'midiSysex',
    'pointerLock',
    'keyboardLock',
    'fileSystem',
    'local-fonts',
    'window-management',
    'idle-detection',
    'unknown',
    'MEDIA',
  ])('denies %s even for our own origin', (permission) => {
    expect(decidePermission(permission, APP_ORIGIN, { mediaTypes: ['video'], mediaType: 'video', isMainFrame: true })).toBe(false);
  });

  it.each([
    'https://evil.example',
    'http://localhost:5173',
    'file://',
    'file:///opt/x/index.html',
    'app://evil',
    'app://console.evil',
    'null',
    '',
  ])('denies media to %s', (origin) => {
    expect(decidePermission('media', origin, { mediaTypes: ['video'], isMainFrame: true })).toBe(false);
  });

  it('denies unknown, missing or non-capture media types', () => {
    expect(decidePermission('media', APP_ORIGIN, { mediaType: 'unknown', isMainFrame: true })).toBe(false);
    expect(decidePermission('media', APP_ORIGIN, { mediaTypes: [], isMainFrame: true })).toBe(false);
    expect(decidePermission('media', APP_ORIGIN, { isMainFrame: true })).toBe(false);
    expect(decidePermission('media', APP_ORIGIN)).toBe(false);
    expect(decidePermission('media', APP_ORIGIN, { mediaTypes: ['video', 'screen'], isMainFrame: true })).toBe(false);
    expect(decidePermission('media', APP_ORIGIN, { mediaTypes: ['video'], mediaType: 'unknown', isMainFrame: true })).toBe(false);
    expect(decidePermission('media', APP_ORIGIN, { mediaTypes: 'video' as unknown as string[], isMainFrame: true })).toBe(false);
  });

  it('denies subframes and embedded frames, and a mismatching requesting URL', () => {
    expect(decidePermission('media', APP_ORIGIN, { mediaTypes: ['video'], isMainFrame: false })).toBe(false);
    expect(decidePermission('media', APP_ORIGIN, { mediaType: 'video', isMainFrame: true, embeddingOrigin: 'https://evil.example' })).toBe(false);
    expect(decidePermission('media', APP_ORIGIN, { mediaTypes: ['video'], isMainFrame: true, requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(decidePermission('media', APP_ORIGIN, { mediaType: 'video', isMainFrame: true, securityOrigin: 'https://evil.example' })).toBe(false);
  });

  it('denies non-string inputs', () => {
    expect(decidePermission(undefined, APP_ORIGIN, { mediaTypes: ['video'] })).toBe(false);
    expect(decidePermission('media', undefined, { mediaTypes: ['video'] })).toBe(false);
  });

  it('allows the dev server origin only when passed explicitly', () => {
    const d = { mediaTypes: ['video'], isMainFrame: true };
    expect(decidePermission('media', 'http://localhost:5173', d)).toBe(false);
    expect(decidePermission('media', 'http://localhost:5173', d, ['http://localhost:5173'])).toBe(true);
    expect(decidePermission('geolocation', 'http://localhost:5173', d, ['http://localhost:5173'])).toBe(false);
  });
});

describe('validateSender (item 14)', () => {
  it('trusts our main frame', () => {
    expect(validateSender({ url: 'app://console/', isMainFrame: true })).toBe(true);
    expect(validateSender({ url: 'app://console/clerk?x=1', isMainFrame: true, processId: 4, routingId: 1 })).toBe(true);
  });

  it('refuses subframes, even on our origin', () => {
    expect(validateSender({ url: 'app://console/', isMainFrame: false })).toBe(false);
  });

  it.each([
    'https://evil.example/',
    'http://localhost:5173/',
    'file:///opt/hall/out/renderer/index.html',
    'about:blank',
    'data:text/html,x',
    'app://evil/',
    'app://console@evil/',
    'devtools://devtools/',
    '',
  ])('refuses a main frame on %s', (url) => {
    expect(validateSender({ url, isMainFrame: true })).toBe(false);
  });

  it('refuses missing or malformed frames', () => {
    expect(validateSender(null)).toBe(false);
    expect(validateSender(undefined)).toBe(false);
    expect(validateSender({} as never)).toBe(false);
    expect(validateSender({ url: 'app://console/', isMainFrame: 'true' } as never)).toBe(false);
    expect(validateSender({ url: 'app://console/' } as never)).toBe(false);
  });

  it('trusts the dev server only when passed explicitly', () => {
    expect(validateSender({ url: 'http://localhost:5173/', isMainFrame: true }, ['http://localhost:5173'])).toBe(true);
    expect(validateSender({ url: 'http://localhost:5173/', isMainFrame: false }, ['http://localhost:5173'])).toBe(false);
  });
});

describe('parseLaunchFlags', () => {
  it('ignores developer switches in a packaged build', () => {
    const f = parseLaunchFlags(['hall', '--devtools'], { ELECTRON_RENDERER_URL: 'http://localhost:5173', HALL_DEVTOOLS: '1' }, true);
    expect(f.devTools).toBe(false);
    expect(f.devServerOrigin).toBeNull();
    expect(f.devServerUrl).toBeNull();
  });

  it('honours them in development', () => {
    const f = parseLaunchFlags(['electron', '.', '--devtools'], { ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, false);
    expect(f).toEqual({
      devTools: true,
      emulatedDevices: false,
      demo: false,
      devServerOrigin: 'http://localhost:5173',
      devServerUrl: 'http://localhost:5173/',
    });
  });

  it('never trusts a non-loopback dev server', () => {
    const f = parseLaunchFlags([], { ELECTRON_RENDERER_URL: 'https://evil.example/' }, false);
    expect(f.devServerOrigin).toBeNull();
    expect(f.devServerUrl).toBeNull();
  });

  it('devtools stays off without an explicit flag', () => {
    expect(parseLaunchFlags([], {}, false).devTools).toBe(false);
    expect(parseLaunchFlags([], { HALL_DEVTOOLS: '0' }, false).devTools).toBe(false);
  });

  it('reads emulated devices and demo data from flags or environment, packaged or not', () => {
    expect(parseLaunchFlags(['--emulated-devices', '--demo'], {}, true)).toMatchObject({ emulatedDevices: true, demo: true });
    expect(parseLaunchFlags([], { HALL_EMULATED_DEVICES: '1', HALL_DEMO: 'true' }, true)).toMatchObject({ emulatedDevices: true, demo: true });
    expect(parseLaunchFlags([], {}, true)).toMatchObject({ emulatedDevices: false, demo: false });
  });
});
