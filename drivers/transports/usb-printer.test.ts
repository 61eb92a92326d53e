import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TransportError } from './transport';
import { listUsbPrinters, UsbPrinterTransport, type PrinterFile } from './usb-printer';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lp-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: fake`), { code });

describe('UsbPrinterTransport', () => {
  it('writes bytes to the device file', async () => {
    const path = join(dir, 'lp0');
    writeFileSync(path, '');
    const t = new UsbPrinterTransport({ path, statusPollMs: 0 });
    expect(t.id).toBe(`usb-printer:${path}`);
    await t.open();
    await t.write(Uint8Array.of(0x1b, 0x40, 0x41));
    await t.close();
    expect(Array.from(readFileSync(path))).toEqual([0x1b, 0x40, 0x41]);
  });

  it('fails with open_failed when the device file is missing', async () => {
    const t = new UsbPrinterTransport({ path: join(dir, 'lp9') });
    await expect(t.open()).rejects.toMatchObject({ code: 'open_failed', message: expect.stringMatching(/device file missing/) });
  });

  it('reads status bytes when the fd allows it', async () => {
    const path = join(dir, 'lp1');
    writeFileSync(path, Buffer.from([0x12])); // as if the printer had answered DLE EOT
    const t = new UsbPrinterTransport({ path, statusPollMs: 5 });
    const chunks: number[] = [];
    t.onData((c) => chunks.push(...c));
    await t.open();
    expect(t.canRead).toBe(true);
    await new Promise((r) => setTimeout(r, 40));
    await t.close();
    expect(chunks).toEqual([0x12]);
  });

  it('falls back to write-only and stops polling when reading is not possible', async () => {
    const writes: number[] = [];
    const file: PrinterFile = {
      write: async (b, o, l) => {
        writes.push(...b.subarray(o, o + l));
        return { bytesWritten: l };
      },
      read: async () => {
        throw errno('EBADF');
      },
      close: async () => undefined,
    };
    let calls = 0;
    const t = new UsbPrinterTransport({
      path: '/dev/usb/lp0',
      statusPollMs: 1,
      open: async () => {
        calls++;
        if (calls === 1) throw errno('EACCES');
        return file;
      },
    });
    await t.open();
    expect(t.canRead).toBe(false);
    await t.write(Uint8Array.of(1, 2));
    expect(writes).toEqual([1, 2]);
    await t.close();
  });

  it('reports ENODEV on write as disconnected, and closes', async () => {
    const file: PrinterFile = {
      write: async () => {
        throw errno('ENODEV');
      },
      read: async () => ({ bytesRead: 0 }),
      close: async () => undefined,
    };
    const t = new UsbPrinterTransport({ path: '/dev/usb/lp0', statusPollMs: 0, open: async () => file });
    const closes: (TransportError | null)[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    await expect(t.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'disconnected' });
    expect(closes.map((c) => c?.code)).toEqual(['disconnected']);
    expect(t.isOpen).toBe(false);
  });

  it('retries a full printer buffer (EAGAIN) and completes partial writes', async () => {
    const written: number[] = [];
    let n = 0;
    const file: PrinterFile = {
      write: async (b, o, l) => {
        n++;
        if (n === 1) throw errno('EAGAIN');
        const take = Math.min(2, l);
        written.push(...b.subarray(o, o + take));
        return { bytesWritten: take };
      },
      read: async () => ({ bytesRead: 0 }),
      close: async () => undefined,
    };
    const t = new UsbPrinterTransport({ path: '/dev/usb/lp0', statusPollMs: 0, open: async () => file });
    await t.open();
    await t.write(Uint8Array.of(1, 2, 3, 4, 5));
    expect(written).toEqual([1, 2, 3, 4, 5]);
  });

  it('detects a printer going away while polling status', async () => {
    const file: PrinterFile = {
      write: async (_b, _o, l) => ({ bytesWritten: l }),
      read: async () => {
        throw errno('EIO');
      },
      close: async () => undefined,
    };
    const t = new UsbPrinterTransport({ path: '/dev/usb/lp0', statusPollMs: 2, open: async () => file });
    const closes: (TransportError | null)[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    await new Promise((r) => setTimeout(r, 30));
    expect(closes.map((c) => c?.code)).toEqual(['disconnected']);
  });
});

describe('listUsbPrinters', () => {
  it('finds lpN device files, and nothing when the folder is missing', async () => {
    writeFileSync(join(dir, 'lp1'), '');
    writeFileSync(join(dir, 'lp0'), '');
    writeFileSync(join(dir, 'other'), '');
    expect((await listUsbPrinters(dir)).map((p) => p.transportId)).toEqual([`usb-printer:${dir}/lp0`, `usb-printer:${dir}/lp1`]);
    expect(await listUsbPrinters(join(dir, 'none'))).toEqual([]);
  });
});
