/**
 * E2E harness: a console app on a temp dir (demo data), the headless host serving the built
 * renderer, and Debian's Chromium driven by playwright-core. `npx playwright install` is never used.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ConsoleApp } from '../../main/app';
import { startHost, type RunningHost } from '../../main/host/server';
import { tempConsoleApp } from '../support/console-app';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const RENDERER_ROOT = resolve('out/renderer');
export const SCREENSHOT_DIR = resolve('test/e2e/__screenshots__');

export interface E2eEnv {
  /** The console behind the host: tests reach its emulators (place a card, scan, pull a cable). */
  app: ConsoleApp;
  host: RunningHost;
  browser: Browser;
  newPage(opts?: { width?: number; height?: number }): Promise<Page>;
  close(): Promise<void>;
}

export interface E2eOptions {
  /** Added to CHROMIUM_ARGS, e.g. the fake camera (fakeCameraArgs). */
  extraChromiumArgs?: readonly string[];
  /** The hub this console syncs with (it need not be running yet). */
  hubUrl?: string;
  /** With hubUrl: this console is a supervisor station and downloads hall_cases (全厅办件). */
  hallCases?: boolean;
}

/** Chromium's fake camera playing a YUV4MPEG2 file; the permission prompt is auto-accepted. */
export function fakeCameraArgs(y4mPath: string): string[] {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4mPath}`];
}

export async function startE2e(options: E2eOptions = {}): Promise<E2eEnv> {
  if (!existsSync(join(RENDERER_ROOT, 'index.html'))) throw new Error('renderer not built: npm run build:renderer');
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium`);
  const env = await tempConsoleApp({ hubUrl: options.hubUrl, hallCases: options.hallCases });
  const host = await startHost({ app: env.app, rendererRoot: RENDERER_ROOT, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...(options.extraChromiumArgs ?? [])] });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    app: env.app,
    host,
    browser,
    async newPage({ width = 1366, height = 768 } = {}) {
      const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      return context.newPage();
    },
    async close() {
      await browser.close();
      await host.close();
      await env.cleanup();
    },
  };
}

/** Log in through the login screen (demo accounts). */
export async function login(page: Page, consoleUrl: string, userName: string, password: string, counterLabel?: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel('用户名').fill(userName);
  await page.getByLabel('密码').fill(password);
  if (counterLabel) {
    await page.getByLabel('窗口').click();
    await page.getByText(counterLabel).click();
  }
  await page.getByRole('button', { name: /登\s*录/ }).click();
}

export function screenshotPath(name: string): string {
  return join(SCREENSHOT_DIR, `${name}.png`);
}
