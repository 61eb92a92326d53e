/**
 * electron-builder.yml is loaded the way electron-builder loads it (app-builder-lib's getConfig,
 * which parses the YAML and merges package.json) and validated against electron-builder's own
 * JSON schema; the security fuses (item 17) and the packaging rules are asserted one by one.
 * Also checks electron.vite.config.ts produces what index.ts and the packager expect.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import type { Configuration } from 'app-builder-lib';
import { DebugLogger } from 'builder-util';
import { beforeAll, describe, expect, it } from 'vitest';
import { HIDPOS_PROFILES } from '../../drivers/scanner/hidpos';

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

describe('electron-builder.yml: builds (issue 7, item 5)', () => {
  const RULES = 'build/linux/99-hall-console.rules';
  const RULES_DEST = '/usr/lib/udev/rules.d/99-hall-console.rules';
  const rulesText = () => fs.readFileSync(path.join(projectDir, RULES), 'utf8');

  /** One udev rule line → its KEY{attr}OP"value" terms; throws on anything that is not that. */
  function udevTerms(line: string): { key: string; attr: string | null; op: string; value: string }[] {
    const term = /^\s*([A-Z_]+)(?:\{([A-Za-z0-9_]+)\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(?:,|$)/;
    const terms = [];
    let rest = line;
    while (rest.trim() !== '') {
      const m = term.exec(rest);
      if (!m) throw new Error(`not a udev term: ${rest}`);
      terms.push({ key: m[1]!, attr: m[2] ?? null, op: m[3]!, value: m[4]! });
      rest = rest.slice(m[0].length);
    }
    return terms;
  }
  const MATCH_KEYS = new Set(['SUBSYSTEM', 'SUBSYSTEMS', 'KERNEL', 'ATTR', 'ATTRS', 'ENV', 'ACTION', 'DRIVERS']);
  const ASSIGN_KEYS = new Set(['GROUP', 'MODE', 'TAG']);
  const rules = () =>
    rulesText()
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
      .map(udevTerms);

  it('the deb installs the udev rules file into udev’s rules folder, and resources carry it for the AppImage', () => {
    expect(config.deb?.fpm).toContain(`${RULES}=${RULES_DEST}`);
    expect(fs.existsSync(path.join(projectDir, RULES))).toBe(true);
    const extra = asList(config.linux?.extraResources) as { from: string; to: string }[];
    expect(extra).toContainEqual({ from: RULES, to: 'udev/99-hall-console.rules' });
  });

  it('the udev rules are syntactically sane: known keys, match operators for matches, each rule gives the device to hall-console 0660', () => {
    const all = rules();
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const terms of all) {
      for (const t of terms) {
        if (MATCH_KEYS.has(t.key)) expect(['==', '!='], JSON.stringify(t)).toContain(t.op);
        else if (ASSIGN_KEYS.has(t.key)) expect(['=', '+=', ':='], JSON.stringify(t)).toContain(t.op);
        else throw new Error(`unexpected udev key ${t.key}`);
        if (t.attr === 'idVendor' || t.attr === 'idProduct') expect(t.value).toMatch(/^[0-9a-f]{4}$/);
        if (t.key === 'ATTR' || t.key === 'ATTRS') expect(t.attr).not.toBeNull();
      }
      expect(terms.some((t) => MATCH_KEYS.has(t.key))).toBe(true);
      expect(terms.filter((t) => t.key === 'GROUP')).toEqual([{ key: 'GROUP', attr: null, op: '=', value: 'hall-console' }]);
      expect(terms.filter((t) => t.key === 'MODE')).toEqual([{ key: 'MODE', attr: null, op: '=', value: '0660' }]); // never world-writable
    }
    // the parser really refuses what udev would refuse
    expect(() => udevTerms('SUBSYSTEM=="tty" GROUP="x"')).toThrow(/not a udev term/);
    expect(() => udevTerms('SUBSYSTEM==tty')).toThrow(/not a udev term/);
  });

  it('the udev rules cover every HID POS scanner vendor the drivers know, the serial bridges of the card readers, and USB printers', () => {
    const all = rules();
    const hidrawVendors = all
      .filter((r) => r.some((t) => t.key === 'SUBSYSTEM' && t.value === 'hidraw'))
      .flatMap((r) => r.filter((t) => t.attr === 'idVendor').map((t) => t.value));
    for (const profile of Object.values(HIDPOS_PROFILES)) {
      if (profile.vendorId !== null) expect(hidrawVendors).toContain(profile.vendorId.toString(16).padStart(4, '0'));
    }
    const ttyIds = all.filter((r) => r.some((t) => t.key === 'SUBSYSTEM' && t.value === 'tty')).map((r) => r.filter((t) => t.attr).map((t) => t.value).join(':'));
    expect(ttyIds).toEqual(expect.arrayContaining(['0403:6001', '1a86:7523', '067b:2303', '10c4:ea60']));
    expect(all.some((r) => r.some((t) => t.key === 'SUBSYSTEM' && t.value === 'usbmisc') && r.some((t) => t.key === 'KERNEL' && t.value.startsWith('lp')))).toBe(true);
  });

  it('the deb postinst is electron-builder’s own plus the hall-console group and a udev reload, and is valid bash', () => {
    expect(config.deb?.afterInstall).toBe('build/linux/after-install.tpl');
    const ours = fs.readFileSync(path.join(projectDir, 'build/linux/after-install.tpl'), 'utf8');
    const theirs = fs.readFileSync(path.join(projectDir, 'node_modules/app-builder-lib/templates/linux/after-install.tpl'), 'utf8');
    expect(ours.startsWith(theirs)).toBe(true); // /usr/bin link, chrome-sandbox mode, AppArmor profile kept
    expect(ours).toMatch(/groupadd --system hall-console/);
    expect(ours).toMatch(/udevadm control --reload-rules/);
    expect(() => execFileSync('bash', ['-n', path.join(projectDir, 'build/linux/after-install.tpl')])).not.toThrow();
  });

  it('signs Windows builds with SHA-256 from the environment only (CSC_LINK / WIN_CSC_LINK), never forced', () => {
    expect(config.win?.signtoolOptions?.signingHashAlgorithms).toEqual(['sha256']);
    expect(config.win?.signtoolOptions?.certificateFile).toBeUndefined();
    expect(config.win?.signtoolOptions?.certificatePassword).toBeUndefined();
    expect(fs.readFileSync(configPath, 'utf8')).toMatch(/WIN_CSC_LINK \(or CSC_LINK\)/);
  });

  it('rebuilds native modules for Electron, and packs no development dependency', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.nodeGypRebuild).toBe(false);
    expect(config.buildDependenciesFromSource).toBe(false);
    const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    // the native modules main loads are production dependencies, so electron-builder rebuilds and packs them
    for (const native of ['better-sqlite3', 'node-hid', 'serialport', 'usb']) expect(pkg.dependencies, native).toHaveProperty(native);
    // electron-builder packs `dependencies` only; the toolchain and the renderer's libraries (bundled by vite) stay out
    for (const dev of ['electron', 'electron-builder', 'electron-vite', 'vite', 'vitest', 'typescript', 'eslint', 'react', 'antd', 'playwright-core', '@vladmandic/human']) {
      expect(pkg.dependencies, dev).not.toHaveProperty(dev);
      expect(pkg.devDependencies, dev).toHaveProperty(dev);
    }
    const patterns = asList(config.files).flatMap((f) => (typeof f === 'string' ? [f] : asList((f as { filter?: unknown }).filter))).map(String);
    expect(patterns.filter((p) => p.includes('node_modules') && !p.startsWith('!'))).toEqual([]);
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
