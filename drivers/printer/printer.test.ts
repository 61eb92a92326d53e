import { describe, expect, it } from 'vitest';
import { EscposPrinterEmulator } from '../emulators/escpos-printer';
import { TransportError, type Transport } from '../transports/transport';
import { PrintError, ReceiptPrinter } from './printer';
import { receiptToEscpos } from './render';
import { isRealtimeStatusByte } from './status';
import { ManualTimers, sampleReceipt, settle } from './test-support';

/** A transport whose device takes everything and never answers (a printer that is off, on a live port). */
class SilentTransport implements Transport {
  readonly kind = 'tcp' as const;
  readonly id = 'tcp:192.0.2.1:9100';
  isOpen = false;
  written: number[] = [];
  async open(): Promise<void> {
    this.isOpen = true;
  }
  async write(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) throw new TransportError('not_open', 'closed', this.id);
    this.written.push(...bytes);
  }
  onData(): () => void {
    return () => undefined;
  }
  onClose(): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {
    this.isOpen = false;
  }
}

/** Wraps a transport and drops GS r replies: a clone that does not implement GS r. */
function withoutGsR(inner: Transport): Transport {
  return {
    kind: inner.kind,
    id: inner.id,
    get isOpen() {
      return inner.isOpen;
    },
    open: () => inner.open(),
    write: (b) => inner.write(b),
    onData: (l) => inner.onData((chunk) => l(Uint8Array.from([...chunk].filter(isRealtimeStatusByte)))),
    onClose: (l) => inner.onClose(l),
    close: () => inner.close(),
  };
}

function setup(connect?: () => Transport) {
  const emulator = new EscposPrinterEmulator();
  const timers = new ManualTimers();
  const printer = new ReceiptPrinter({
    id: 'printer:counter-3',
    label: '3号窗口回执打印机',
    emulated: true,
    connect: connect ?? emulator.factory,
    timers,
    statusTimeoutMs: 1_000,
    completionTimeoutMs: 10_000,
  });
  return { emulator, timers, printer };
}

describe('ReceiptPrinter', () => {
  it('opens with ESC @ and reports a healthy printer', async () => {
    const { emulator, printer } = setup();
    await printer.open();
    expect(Array.from(emulator.receivedBytes())).toEqual([0x1b, 0x40]);
    expect(await printer.status()).toMatchObject({ online: true, paperOut: false });
    expect(await printer.probe()).toMatchObject({ health: 'ok', printable: true, detail: '打印机正常' });
  });

  it('prints a job and confirms it with the GS r reply', async () => {
    const { emulator, printer } = setup();
    await printer.open();
    await expect(printer.print(receiptToEscpos(sampleReceipt()))).resolves.toEqual({ confirmed: true });
    expect(emulator.completePages()).toHaveLength(1);
    expect(emulator.completePages()[0]!.text).toContain('张*三');
    expect(Array.from(emulator.receivedBytes().subarray(-3))).toEqual([0x1d, 0x72, 0x01]);
  });

  it('maps faults to health in the clerk’s words', async () => {
    const { emulator, printer } = setup();
    await printer.open();
    emulator.setFault('paperOut');
    expect(await printer.probe()).toMatchObject({ health: 'error', printable: false, detail: '打印机缺纸，回执已保存，换纸后自动补打' });
    emulator.setFault('paperOut', false);
    emulator.setFault('paperNearEnd');
    expect(await printer.probe()).toMatchObject({ health: 'warning', printable: true });
  });

  it('treats no answer as offline (absent) after the status timeout', async () => {
    const silent = new SilentTransport();
    const { timers, printer } = setup(() => silent);
    await printer.open();
    const status = printer.status();
    const outcome = status.catch((e: unknown) => e);
    await timers.advance(999);
    expect(timers.pending).toBe(1);
    await timers.advance(1);
    const err = await outcome;
    expect(err).toBeInstanceOf(PrintError);
    expect(err).toMatchObject({ code: 'timeout', health: { health: 'absent', printable: false } });
    const probe = printer.probe();
    await timers.advance(1_000);
    expect((await probe).detail).toContain('打印机无响应');
  });

  it('fails a job when the paper runs out during it (not_ready, paper-out health)', async () => {
    const { emulator, timers, printer } = setup();
    await printer.open();
    emulator.runOutOfPaperAfterLines(5);
    const outcome = printer.print(receiptToEscpos(sampleReceipt())).catch((e: unknown) => e);
    await timers.advance(10_000);
    expect(await outcome).toMatchObject({ code: 'not_ready', health: { health: 'error', detail: '打印机缺纸，回执已保存，换纸后自动补打' } });
  });

  it('does not take the late GS r reply of an interrupted job as confirmation of the next one', async () => {
    const { emulator, timers, printer } = setup();
    await printer.open();
    const job = receiptToEscpos(sampleReceipt());
    emulator.runOutOfPaperAfterLines(5);
    const first = printer.print(job).catch((e: unknown) => e);
    await timers.advance(10_000);
    expect(await first).toMatchObject({ code: 'not_ready' });
    // Paper is back but the mechanism has not caught up: the rest of job 1 and its GS r still wait.
    emulator.setBusy(true);
    emulator.setFault('paperOut', false);
    const linesPerJob = job.filter((b) => b === 0x0a).length;
    emulator.runOutOfPaperAfterLines(linesPerJob - 5 + 3); // the rest of job 1, then 3 lines of job 2
    const second = printer.print(job).catch((e: unknown) => e);
    await settle();
    emulator.setBusy(false); // job 1's reply comes out, then job 2 stops
    await settle();
    await timers.advance(10_000);
    expect(await second).toMatchObject({ code: 'not_ready', health: { detail: '打印机缺纸，回执已保存，换纸后自动补打' } });
  });

  it('counts a job as printed, unconfirmed, on a healthy printer that does not answer GS r', async () => {
    const emulator = new EscposPrinterEmulator();
    const { timers, printer } = setup(() => withoutGsR(emulator.transport()));
    await printer.open();
    const outcome = printer.print(receiptToEscpos(sampleReceipt()));
    await timers.advance(10_000);
    await expect(outcome).resolves.toEqual({ confirmed: false });
  });

  it('fails at once when unplugged mid-job, reports the loss, and reopens with a fresh transport', async () => {
    const { emulator, timers, printer } = setup();
    const lost: string[] = [];
    printer.onLost((reason) => lost.push(reason));
    await printer.open();
    emulator.setFault('coverOpen'); // the job sits in the buffer, unconfirmed
    const outcome = printer.print(receiptToEscpos(sampleReceipt())).catch((e: unknown) => e);
    await settle();
    emulator.unplug();
    expect(await outcome).toMatchObject({ code: 'disconnected', health: { health: 'absent' } });
    expect(timers.pending).toBe(0); // the completion timer was cleared
    expect(lost).toEqual(['printer unplugged']);
    expect(printer.isOpen).toBe(false);
    expect(await printer.ensureReady()).toMatchObject({ health: 'absent', detail: expect.stringContaining('未连接打印机') });
    emulator.plug();
    emulator.setFault('coverOpen', false);
    expect(await printer.ensureReady()).toMatchObject({ health: 'ok', printable: true });
    await expect(printer.print(receiptToEscpos(sampleReceipt()))).resolves.toEqual({ confirmed: true });
  });

  it('serialises requests so each reply reaches the request that asked', async () => {
    const { emulator, printer } = setup();
    await printer.open();
    const results = await Promise.all([printer.probe(), printer.print(receiptToEscpos(sampleReceipt())), printer.status(), printer.probe()]);
    expect(results[1]).toEqual({ confirmed: true });
    expect(results[2]).toMatchObject({ online: true });
    expect(emulator.completePages()).toHaveLength(1);
  });

  it('does not report a loss when we close it ourselves', async () => {
    const { printer } = setup();
    const lost: string[] = [];
    printer.onLost((r) => lost.push(r));
    await printer.open();
    await printer.close();
    expect(lost).toEqual([]);
    await expect(printer.status()).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('opens once when asked concurrently', async () => {
    let made = 0;
    const emulator = new EscposPrinterEmulator();
    const { printer } = setup(() => {
      made += 1;
      return emulator.transport();
    });
    await Promise.all([printer.open(), printer.open(), printer.ensureReady()]);
    expect(made).toBe(1);
  });
});
