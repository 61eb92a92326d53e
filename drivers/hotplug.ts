/**
 * Hot-plug: notice that a device was attached or detached, so the registry retries at once instead of
 * waiting for its backoff. Two sources, whichever this machine has:
 * - the `usb` package's WebUSB-style `connect` / `disconnect` events (libusb hot-plug);
 * - polling the device lists (HID, serial ports, /dev/usb/lp*) and comparing them — works everywhere,
 *   including machines where libusb has no hot-plug support.
 */
import { existsSync } from 'node:fs';

export type DeviceLister = () => Promise<readonly string[]>;

export interface HotplugOptions {
  listers: readonly DeviceLister[];
  intervalMs?: number;
  onChange(change: { attached: string[]; detached: string[]; source: 'poll' | 'usb' }): void;
  /** The WebUSB-style emitter of the `usb` package; null when unavailable. */
  usbEvents?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
  timers?: { setInterval(fn: () => void, ms: number): unknown; clearInterval(h: unknown): void };
}

/** Start watching; returns stop. The first poll only records what is there. */
export function watchHotplug(options: HotplugOptions): () => void {
  const timers = options.timers ?? { setInterval: (fn, ms) => setInterval(fn, ms), clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>) };
  let known: Set<string> | null = null;
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const lists = await Promise.all(options.listers.map((l) => l().catch(() => [] as readonly string[])));
      const now = new Set(lists.flat());
      if (known) {
        const attached = [...now].filter((id) => !known!.has(id));
        const detached = [...known].filter((id) => !now.has(id));
        if (attached.length || detached.length) options.onChange({ attached, detached, source: 'poll' });
      }
      known = now;
    } finally {
      polling = false;
    }
  };
  void poll();
  const interval = timers.setInterval(() => void poll(), options.intervalMs ?? 3000);

  const onConnect = () => options.onChange({ attached: ['usb'], detached: [], source: 'usb' });
  const onDisconnect = () => options.onChange({ attached: [], detached: ['usb'], source: 'usb' });
  options.usbEvents?.addEventListener('connect', onConnect);
  options.usbEvents?.addEventListener('disconnect', onDisconnect);

  return () => {
    timers.clearInterval(interval);
    options.usbEvents?.removeEventListener('connect', onConnect);
    options.usbEvents?.removeEventListener('disconnect', onDisconnect);
  };
}

/** The `usb` package's event source, if it loads here (no libusb, no bus → null). */
export async function loadUsbEvents(): Promise<HotplugOptions['usbEvents']> {
  // Without a USB bus the package fails later, asynchronously, where nobody can catch it.
  if (process.platform === 'linux' && !existsSync('/sys/bus/usb/devices')) return null;
  try {
    const mod = (await import('usb')) as unknown as { usb?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> };
    return mod.usb && typeof mod.usb.addEventListener === 'function' ? mod.usb : null;
  } catch {
    return null;
  }
}
