/**
 * Electron IPC glue (item 14): one `ipcMain.handle` for every contract call, the EventBus
 * forwarded to windows, and the channel (session) ended when its webContents goes away.
 * Narrow structural types instead of the electron import, so `security-wiring.test.ts` drives it.
 */
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../preload/contract';
import type { Dispatcher } from '../ipc/dispatcher';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { validateSender, type SenderFrame } from './policy';

/** What Electron's WebFrameMain offers that we look at. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
  readonly processId?: number;
  readonly routingId?: number;
}

export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface TargetContents {
  readonly id: number;
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, ...args: unknown[]): void;
}

export interface TrackableContents {
  readonly id: number;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface IpcAppLike {
  on(event: 'web-contents-created', listener: (event: unknown, contents: TrackableContents) => void): unknown;
}

export interface IpcOptions {
  ipcMain: IpcMainLike;
  app: IpcAppLike;
  consoleApp: { dispatcher: Dispatcher; events: EventBus; endChannel(channelId: string): void; isLoggedIn(channelId: string): boolean };
  /** `webContents.fromId` */
  contentsById(id: number): TargetContents | undefined;
  /** webContents of every open BrowserWindow */
  allWindowContents(): TargetContents[];
  logger: Logger;
  extraOrigins?: readonly string[];
}

/** Electron's senderFrame → what `validateSender` judges. A destroyed frame throws on access: untrusted. */
export function describeFrame(frame: FrameLike | null | undefined): SenderFrame | null {
  if (!frame) return null;
  try {
    const out: SenderFrame = { url: frame.url, isMainFrame: frame.parent === null };
    if (typeof frame.processId === 'number') out.processId = frame.processId;
    if (typeof frame.routingId === 'number') out.routingId = frame.routingId;
    return out;
  } catch {
    return null;
  }
}

export function channelIdOf(contents: { readonly id: number }): string {
  return String(contents.id);
}

export function registerIpc(opts: IpcOptions): () => void {
  const { ipcMain, app, consoleApp, logger } = opts;
  const extraOrigins = opts.extraOrigins ?? [];

  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, method, input) => {
    return consoleApp.dispatcher.invoke(method, input, {
      channelId: channelIdOf(event.sender),
      trustedSender: validateSender(describeFrame(event.senderFrame), extraOrigins),
    });
  });

  const unsubscribe = consoleApp.events.subscribe((name, payload, target) => {
    let targets: TargetContents[];
    if (target === null) {
      // Broadcasts (card reads, scans, device health) go only to windows with a session.
      targets = opts.allWindowContents().filter((c) => consoleApp.isLoggedIn(String(c.id)));
    } else {
      const id = Number(target);
      const one = Number.isSafeInteger(id) ? opts.contentsById(id) : undefined;
      targets = one ? [one] : [];
    }
    for (const contents of targets) {
      try {
        if (contents.isDestroyed()) continue;
        // Never hand an event to a page that is not ours (navigation is blocked anyway).
        if (!validateSender({ url: contents.getURL(), isMainFrame: true }, extraOrigins)) continue;
        contents.send(IPC_EVENT_CHANNEL, name, payload);
      } catch (err) {
        logger.log('warn', 'ipc.event_send_failed', { event: name, error: String(err) });
      }
    }
  });

  let active = true;
  app.on('web-contents-created', (_event, contents) => {
    const channelId = channelIdOf(contents); // read now: the id is unreadable once destroyed
    contents.once('destroyed', () => {
      if (!active) return;
      try {
        consoleApp.endChannel(channelId);
      } catch (err) {
        logger.log('warn', 'ipc.end_channel_failed', { error: String(err) });
      }
    });
  });

  return () => {
    active = false;
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
  };
}
