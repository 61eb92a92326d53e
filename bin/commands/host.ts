import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createConsoleApp } from '../../main/app';
import { startHost } from '../../main/host/server';
import { createLogger } from '../../main/log';
import { DEMO_ACCOUNTS } from '../../main/services/demo-seed';
import { stringOption, UsageError, type Command } from '../command';

/** Try to show the console in a browser; fine to fail (no display on a server). */
function openBrowser(url: string): boolean {
  const candidates =
    process.platform === 'win32' ? [['cmd', ['/c', 'start', '', url]]] : process.platform === 'darwin' ? [['open', [url]]] : [['xdg-open', [url]]];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return false;
  for (const [cmd, args] of candidates as [string, string[]][]) {
    try {
      spawn(cmd, args, { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
      return true;
    } catch {
      // try the next one
    }
  }
  return false;
}

export const hostCommand: Command = {
  name: 'host',
  summary: 'run the headless host: the console in a browser, devices emulated (training, tests, no Electron)',
  options: {
    port: { type: 'string', description: 'port on 127.0.0.1 (default 4780; 0 = any free port)' },
    'data-dir': { type: 'string', description: 'where the database and key live (default ./.hall-data)' },
    renderer: { type: 'string', description: 'built renderer directory (default out/renderer)' },
    demo: { type: 'boolean', description: 'seed synthetic demo counters and accounts into an empty database' },
    open: { type: 'boolean', description: 'open the console in the default browser' },
  },
  async run(ctx) {
    const port = Number(stringOption(ctx, 'port') ?? '4780');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0–65535');
    const rendererRoot = resolve(stringOption(ctx, 'renderer') ?? 'out/renderer');
    if (!existsSync(resolve(rendererRoot, 'index.html'))) {
      throw new Error(`no built renderer in ${rendererRoot}: run "npm run build:renderer" first`);
    }
    const dataDir = resolve(stringOption(ctx, 'data-dir') ?? '.hall-data');
    const logger = createLogger();
    const app = await createConsoleApp({ dataDir, mode: 'browser', emulatedDevices: true, logger, demo: Boolean(ctx.values.demo) });
    const host = await startHost({ app, rendererRoot, port }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE' || port === 0) throw err;
      return startHost({ app, rendererRoot, port: 0 });
    });
    const opened = ctx.values.open ? openBrowser(host.consoleUrl) : false;
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ mode: 'browser', url: host.consoleUrl, port: host.port, dataDir, opened }));
    } else {
      ctx.io.out(
        [
          '政务服务大厅工作台 — 浏览器模式 (browser mode: headless host, emulated devices; no Electron binary needed)',
          `  open:      ${host.consoleUrl}`,
          `  data:      ${dataDir}`,
          ctx.values.demo ? `  demo login: ${DEMO_ACCOUNTS.map((a) => `${a.userName}/${a.password}${a.counterNumber ? ` (${a.counterNumber}号窗口)` : ''}`).join(', ')}` : '',
          opened ? '  (opened in your browser)' : '  (open the address above in Chromium/Chrome/Edge)',
          '  Ctrl+C stops the host.',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    }
    await new Promise<void>((resolveStop) => {
      const stop = () => resolveStop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await host.close();
    await app.close();
  },
};
