/**
 * electron-builder.yml is loaded the way electron-builder loads it (app-builder-lib's getConfig,
 * which parses the YAML and merges package.json) and validated against electron-builder's own
 * JSON schema; the security fuses (item 17) and the packaging rules are asserted one by one.
 * Also checks electron.vite.config.ts produces what index.ts and the packager expect.
 */
import fs from 'node:fs';
import path from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import type { Configuration } from 'app-builder-lib';
import { DebugLogger } from 'builder-util';
import { beforeAll, describe, expect, it } from 'vitest';

const projectDir = path.resolve(import.meta.dirname, '../..');
const configPath = path.join(projectDir, 'electron-builder.yml');

let config: Configuration;

beforeAll(async () => {
  config = await getConfig(projectDir, configPath, null);
});

const asList = (value: unknown): unknown[] => (value == null ? [] : Array.isArray(value) ? value : [value]);
const targetNames = (platform: unknown): string[] =>
  asList((platform as { target?: unknown } | null | undefined)?.target).map((t) =>
    typeof t === 'string' ? t : String((t as { target: string }).target),
  );

describe('electron-builder.yml', () => {
  it('passes electron-builder’s schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('validation really runs: a misspelt fuse is rejected', async () => {
    const broken = { ...config, electronFuses: { ...config.electronFuses, runAsNodee: false } } as Configuration;
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/Invalid configuration object[\s\S]*electronFuses/);
  });

  it('flips every security fuse as required (item 17)', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('identifies the product', () => {
    expect(config.appId).toBe('cn.gov.hall.console');
    expect(config.productName).toBeTruthy();
    expect(config.linux?.description ?? '').toMatch(/政务服务大厅/);
    expect(config.nsis?.shortcutName).toBe('政务服务大厅工作台');
  });

  it('packs the electron-vite output into an asar, native sqlite unpacked', () => {
    expect(config.asar).toBe(true);
    // getConfig normalises `files` to [{ filter: [...] }]
    const patterns = asList(config.files).flatMap((f) => (typeof f === 'string' ? [f] : asList((f as { filter?: unknown }).filter)));
    expect(patterns).toContain('out/**');
    expect(asList(config.asarUnpack).some((p) => String(p).includes('better-sqlite3'))).toBe(true);
    expect(config.disableSanityCheckAsar ?? false).toBe(false);
  });

  it('targets NSIS on Windows and deb + AppImage on Linux (Office)', () => {
    expect(targetNames(config.win)).toEqual(['nsis']);
    expect(targetNames(config.linux).sort()).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Office');
    expect(config.nsis?.deleteAppDataOnUninstall).toBe(false);
  });

  it('keeps machine-specific and secret settings out of the repository', () => {
    expect(config.electronDist).toBeUndefined();
    const text = fs.readFileSync(configPath, 'utf8');
    // only comments may mention the variables; no key of that name is set anywhere
    const keys = text
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    expect(keys).not.toMatch(/^\s*(cscLink|cscKeyPassword|certificateFile|certificatePassword|certificateSha1|electronDist)\s*:/m);
    expect(keys).not.toMatch(/\.(pfx|p12)\b/i);
    expect(config.win?.cscLink ?? config.cscLink).toBeUndefined();
    expect(config.forceCodeSigning ?? false).toBe(false);
  });

  it('packs the entry point package.json points at', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as { main: string; type: string };
    expect(pkg.main).toBe('out/main/index.js');
    expect(pkg.type).toBe('module');
  });
});

describe('electron.vite.config.ts', () => {
  type Build = {
    externalizeDeps?: unknown;
    rolldownOptions?: { input?: Record<string, string>; external?: unknown[]; output?: Record<string, unknown> };
  };
  type Section = { root?: string; base?: string; plugins?: unknown[]; build?: Build };
  let cfg: { main: Section; preload: Section; renderer: Section };

  beforeAll(async () => {
    cfg = (await import('../../electron.vite.config')).default as unknown as typeof cfg;
  });

  it('builds main from main/electron/index.ts with better-sqlite3 external', () => {
    expect(cfg.main.build?.rolldownOptions?.input).toEqual({ index: path.join(projectDir, 'main/electron/index.ts') });
    expect(cfg.main.build?.rolldownOptions?.external).toContain('better-sqlite3');
  });

  it('builds the sandboxed preload as one self-contained CommonJS file out/preload/index.cjs', () => {
    expect(cfg.preload.build?.rolldownOptions?.input).toEqual({ index: path.join(projectDir, 'preload/index.ts') });
    expect(cfg.preload.build?.externalizeDeps).toBe(false);
    expect(cfg.preload.build?.rolldownOptions?.output).toMatchObject({ format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false });
    // index.ts loads exactly this file
    const indexTs = fs.readFileSync(path.join(projectDir, 'main/electron/index.ts'), 'utf8');
    expect(indexTs).toContain("path.join(here, '..', 'preload', 'index.cjs')");
    expect(indexTs).toContain("path.join(here, '..', 'renderer')");
  });

  it('builds the renderer from renderer/index.html with the React plugin, like renderer/vite.config.ts', () => {
    expect(cfg.renderer.root).toBe(path.join(projectDir, 'renderer'));
    expect(cfg.renderer.base).toBe('./');
    // The console, and the technician's camera self-test page (renderer/face/selftest.html).
    expect(cfg.renderer.build?.rolldownOptions?.input).toEqual({
      index: path.join(projectDir, 'renderer/index.html'),
      selftest: path.join(projectDir, 'renderer/face/selftest.html'),
    });
    expect((cfg.renderer.plugins ?? []).flat(Infinity as 1).some((p) => String((p as { name?: string })?.name).includes('react'))).toBe(true);
  });
});
