import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy, resolveRendererPath } from './policy';

const root = '/srv/app/renderer';

describe('buildContentSecurityPolicy', () => {
  it('allows no eval, no remote script, no objects, no framing', () => {
    const csp = buildContentSecurityPolicy();
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    // 'wasm-unsafe-eval' (compile WebAssembly: the face engine) is allowed, plain 'unsafe-eval' is not.
    expect(csp).not.toMatch(/(?<!wasm-)unsafe-eval/);
    expect(csp).not.toMatch(/script-src[^;]*(https?:|\*)/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self';");
  });
  it('adds the host bridge to connect-src only when asked', () => {
    expect(buildContentSecurityPolicy({ connectSources: ["'self'", 'ws://127.0.0.1:*'] })).toContain("connect-src 'self' ws://127.0.0.1:*;");
  });
});

describe('resolveRendererPath (the host passes the request path without its leading slash)', () => {
  it.each([
    ['', `${root}/index.html`],
    ['index.html', `${root}/index.html`],
    ['assets/index-abc.js?v=1', `${root}/assets/index-abc.js`],
    ['clerk/workspace', `${root}/index.html`],
    ['assets/', `${root}/index.html`],
    ['assets/%E5%AD%97.woff2', `${root}/assets/字.woff2`],
  ])('%s → %s', (input, expected) => {
    expect(resolveRendererPath(input, root)).toEqual({ ok: true, filePath: expected });
  });

  it.each([
    '../etc/passwd',
    'assets/../../etc/passwd',
    '%2e%2e/etc/passwd',
    '%2E%2E%2Fetc%2Fpasswd',
    'assets/..%2f..%2fsecret.txt',
    '..\\..\\windows\\win.ini',
    'assets%5c..%5c..%5csecret.js',
    'a%00.js',
    '%E0%A4%A',
    './index.html',
    '.env',
    'assets//x.js',
    'index.html.',
    'c:/windows/win.ini',
  ])('refuses %s', (input) => {
    expect(resolveRendererPath(input, root).ok).toBe(false);
  });

  it('refuses a relative renderer root', () => {
    expect(resolveRendererPath('index.html', 'out/renderer')).toEqual({ ok: false, reason: 'renderer root is not absolute' });
  });
});
