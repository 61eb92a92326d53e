/**
 * The hardening items are tested through pure functions (policy.test.ts, security-wiring.test.ts,
 * protocol.test.ts); this file checks, without the Electron binary, that the shell really uses them:
 * the source of the Electron entry and of every other non-test module is read and the few calls that
 * could bypass a policy are located. A refactor that builds a window or opens a link some other way
 * fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const SOURCE_DIRS = ['main', 'preload', 'renderer', 'sync', 'bin', 'drivers'];

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
    }
  };
  for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(root, dir))) walk(path.join(root, dir));
  return out;
}

const files = sourceFiles();
const rel = (file: string): string => path.relative(root, file).split(path.sep).join('/');
/** Source without line and block comments, so a mention in a comment is not a call. */
const code = (file: string): string =>
  fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
const filesMatching = (re: RegExp): string[] => files.filter((f) => re.test(code(f))).map(rel).sort();
const entry = code(path.join(root, 'main/electron/index.ts'));

describe('the Electron shell uses the tested policies', () => {
  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.map(rel)).toContain('main/electron/hardening.ts');
  });

  it('builds its only BrowserWindow with buildWebPreferences (items 1–8)', () => {
    expect(filesMatching(/new\s+BrowserWindow\s*\(/)).toEqual(['main/electron/index.ts']);
    expect(entry.match(/new\s+BrowserWindow\s*\(/g)).toHaveLength(1);
    expect(entry.match(/webPreferences\s*:/g)).toHaveLength(1);
    expect(entry).toMatch(/webPreferences\s*:\s*buildWebPreferences\(/);
  });

  it('serves app:// through createAppProtocolHandler, with the reviewed privileges (items 9, 10)', () => {
    expect(entry).toMatch(/protocol\.registerSchemesAsPrivileged\(\s*\[\s*\{\s*scheme:\s*APP_SCHEME,\s*privileges:\s*\{\s*\.\.\.APP_SCHEME_PRIVILEGES\s*\}\s*\}\s*\]\s*\)/);
    expect(entry).toMatch(/protocol\.handle\(\s*APP_SCHEME,\s*createAppProtocolHandler\(/);
    expect(filesMatching(/protocol\.(handle|registerFileProtocol|interceptFileProtocol|registerBufferProtocol)\s*\(/)).toEqual(['main/electron/index.ts']);
  });

  it('installs the hardening hooks and the sender-checked ipc (items 11–14)', () => {
    expect(entry).toMatch(/installHardening\(\s*\{/);
    expect(entry).toMatch(/registerIpc\(\s*\{/);
    expect(filesMatching(/ipcMain\.(handle|on|once|handleOnce)\s*\(/)).toEqual(['main/electron/ipc.ts']);
  });

  it('calls shell.openExternal only in hardening.ts, with the verdict’s normalised URL (item 16)', () => {
    expect(filesMatching(/openExternal\s*\(/)).toEqual(['main/electron/hardening.ts']);
    const hardening = code(path.join(root, 'main/electron/hardening.ts'));
    const calls = hardening.match(/\.openExternal\s*\(([^)]*)\)/g) ?? [];
    expect(calls).toEqual(['.openExternal(verdict.url)']);
  });

  it('applies an installed update only when packaged, before the app:// handler and the window, with the decision of main/update/apply.ts', () => {
    const apply = entry.indexOf('applyInstalledUpdate(consoleApp)');
    expect(apply).toBeGreaterThan(0);
    expect(entry).toMatch(/if\s*\(\s*app\.isPackaged\s*&&\s*\(await applyInstalledUpdate\(consoleApp\)\)\)\s*\{\s*app\.quit\(\);\s*return;\s*\}/);
    expect(apply).toBeLessThan(entry.indexOf('protocol.handle('));
    expect(apply).toBeLessThan(entry.indexOf('mainWindow = createMainWindow()'));
    // What runs is only ever the verified decision's command and arguments, never a shell string.
    expect(entry.match(/spawn\(/g)).toEqual(['spawn(']);
    expect(entry).toMatch(/spawn\(decision\.command, decision\.args, \{ detached: true, stdio: 'ignore'/);
    expect(entry).toMatch(/updates\.applyFailed\(decision, record, error\)/);
  });

  it('has no <webview> and no other window-creating or node-enabling switch in any source (items 3, 8)', () => {
    expect(filesMatching(/<webview[\s>]/)).toEqual([]);
    expect(filesMatching(/nodeIntegration\w*\s*:\s*true|contextIsolation\s*:\s*false|sandbox\s*:\s*false|webSecurity\s*:\s*false/)).toEqual([]);
  });
});
