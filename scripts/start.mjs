#!/usr/bin/env node
// `npm start`: the Electron console when its binary is installed; otherwise the headless host with
// emulated devices, opened in a browser (or its address printed). Says which mode it runs in.
//
// It never `require('electron')`: in plain Node that tries to download the binary.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

function electronBinary() {
  const pkgDir = join(root, 'node_modules', 'electron');
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkgDir, 'dist');
  const full = join(dist, relative);
  return existsSync(full) ? full : null;
}

function run(cmd, args, label) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`hall start: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function runForeground(cmd, args, env = process.env) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

const electron = electronBinary();
if (electron && !process.argv.includes('--browser')) {
  console.log('hall-console: desktop mode (Electron) — building…');
  run(bin('electron-vite'), ['build'], 'electron-vite build');
  runForeground(electron, ['.', '--emulated-devices', '--demo'], { ...process.env, ELECTRON_RUN_AS_NODE: '' });
} else {
  console.log(
    electron
      ? 'hall-console: browser mode requested (--browser)'
      : 'hall-console: the Electron binary is not installed here, so the console runs in BROWSER MODE\n' +
          '  (headless host on 127.0.0.1 + emulated devices; same handlers as the desktop console)',
  );
  run(bin('vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'], 'renderer build');
  runForeground(process.execPath, [join(root, 'bin', 'hall'), 'host', '--demo', '--open']);
}
