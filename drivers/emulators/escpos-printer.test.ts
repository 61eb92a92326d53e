import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeEscpos } from '../printer/escpos-decode';
import { receiptToEscpos } from '../printer/render';
import { parseRealtimeStatus, STATUS_QUERY } from '../printer/status';
import { sampleReceipt, settle } from '../printer/test-support';
import { TransportError, type Transport } from '../transports/transport';
import { EscposPrinterEmulator } from './escpos-printer';

async function connect(printer: EscposPrinterEmulator): Promise<{ t: Transport; replies: number[]; closed: (TransportError | null)[] }> {
  const t = printer.transport();
  const replies: number[] = [];
  const closed: (TransportError | null)[] = [];
  t.onData((chunk) => replies.push(...chunk));
  t.onClose((e) => closed.push(e));
  await t.open();
  return { t, replies, closed };
}

describe('EscposPrinterEmulator', () => {
  it('round trip: receipt model → ESC/POS bytes → emulator → a cut page with the Chinese lines, masked fields and QR', async () => {
    const printer = new EscposPrinterEmulator();
    const { t } = await connect(printer);
    await t.write(receiptToEscpos(sampleReceipt()));

    // The wire carried GB18030: the masked name's bytes are there and decode back.
    const wire = Buffer.from(printer.receivedBytes());
    expect(wire.includes(iconv.encode('张*三', 'gb18030'))).toBe(true);
    expect(wire.includes(Buffer.from('张*三', 'utf8'))).toBe(false);

    expect(printer.pages).toHaveLength(1);
    const [page] = printer.pages;
    expect(page!.cut).toBe('partial');
    expect(page!.qr).toEqual(['HC1:HALL01-20261126-C03-0042:c2lnbmF0dXJl']);
    for (const line of ['受理回执', '示例市政务服务中心', '办件编号   HALL01-20261126-C03-0042', '申请人     张*三', '证件号码   4201**********1234', '1.   居民身份证 原件 1份']) {
      expect(page!.text).toContain(line);
    }
    expect(page!.text).not.toContain('张小三');
  });

  it('accepts a job in arbitrary chunks', async () => {
    const printer = new EscposPrinterEmulator();
    const { t } = await connect(printer);
    const bytes = receiptToEscpos(sampleReceipt());
    for (let i = 0; i < bytes.length; i += 7) await t.write(bytes.subarray(i, i + 7));
    expect(printer.pages).toHaveLength(1);
    expect(printer.pages[0]!.text).toBe(decodeEscpos(bytes).text);
  });

  it('answers DLE EOT 1–4 in real time with its faults', async () => {
    const printer = new EscposPrinterEmulator();
    const { t, replies } = await connect(printer);
    await t.write(STATUS_QUERY);
    await settle();
    expect(parseRealtimeStatus(replies.splice(0))).toMatchObject({ online: true, paperOut: false, coverOpen: false });
    printer.setFault('paperOut');
    printer.setFault('coverOpen');
    await t.write(STATUS_QUERY);
    await settle();
    expect(parseRealtimeStatus(replies.splice(0))).toMatchObject({ online: false, paperOut: true, coverOpen: true });
  });

  it('holds data while out of paper, still answers status, and prints it after paper is back', async () => {
    const printer = new EscposPrinterEmulator();
    const { t, replies } = await connect(printer);
    printer.setFault('paperOut');
    await t.write(receiptToEscpos(sampleReceipt()));
    await t.write(Uint8Array.of(0x1d, 0x72, 0x01, ...STATUS_QUERY)); // GS r 1 waits; DLE EOT does not
    await settle();
    expect(printer.pages).toHaveLength(0);
    expect(replies).toHaveLength(4);
    expect(parseRealtimeStatus(replies.splice(0)).paperOut).toBe(true);
    printer.setFault('paperOut', false);
    await settle();
    expect(printer.completePages()).toHaveLength(1);
    expect(replies).toEqual([0x00]); // the GS r 1 reply: paper present
  });

  it('runs out of paper mid-page: that page is torn off incomplete, the rest waits', async () => {
    const printer = new EscposPrinterEmulator();
    const { t } = await connect(printer);
    printer.runOutOfPaperAfterLines(4);
    await t.write(receiptToEscpos(sampleReceipt()));
    expect(printer.hasFault('paperOut')).toBe(true);
    expect(printer.pages).toHaveLength(1);
    expect(printer.pages[0]).toMatchObject({ cut: null });
    expect(printer.pages[0]!.text.split('\n')).toHaveLength(4);
    printer.setFault('paperOut', false);
    expect(printer.pages).toHaveLength(2);
    expect(printer.pages[1]!.cut).toBe('partial');
    expect(printer.pages[1]!.text).toContain('申请人     张*三');
  });

  it('unplug closes the transport with a disconnected error, loses the buffer and refuses to open until plugged', async () => {
    const printer = new EscposPrinterEmulator();
    const { t, closed } = await connect(printer);
    printer.setFault('coverOpen');
    await t.write(receiptToEscpos(sampleReceipt()));
    printer.unplug();
    expect(t.isOpen).toBe(false);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toBeInstanceOf(TransportError);
    expect(closed[0]?.code).toBe('disconnected');
    await expect(t.write(Uint8Array.of(0x0a))).rejects.toMatchObject({ code: 'not_open' });
    await expect(printer.transport().open()).rejects.toMatchObject({ code: 'open_failed' });
    printer.plug();
    printer.setFault('coverOpen', false);
    await connect(printer);
    expect(printer.pages).toHaveLength(0); // the buffered job died with the power
  });

  it('can be unplugged in the middle of a write', async () => {
    const printer = new EscposPrinterEmulator();
    const { t, closed } = await connect(printer);
    printer.unplugAfterBytes(300);
    await expect(t.write(receiptToEscpos(sampleReceipt()))).rejects.toMatchObject({ code: 'disconnected' });
    expect(printer.receivedBytes()).toHaveLength(300);
    expect(closed[0]?.code).toBe('disconnected');
    expect(printer.completePages()).toHaveLength(0);
  });

  it('when busy, keeps received data waiting with a healthy status, then prints it', async () => {
    const printer = new EscposPrinterEmulator();
    const { t, replies } = await connect(printer);
    printer.setBusy(true);
    await t.write(receiptToEscpos(sampleReceipt()));
    await t.write(STATUS_QUERY);
    await settle();
    expect(printer.pages).toHaveLength(0);
    expect(parseRealtimeStatus(replies.splice(0))).toMatchObject({ online: true });
    printer.setBusy(false);
    expect(printer.completePages()).toHaveLength(1);
  });

  it('closing our side fires onClose(null)', async () => {
    const printer = new EscposPrinterEmulator();
    const { t, closed } = await connect(printer);
    await t.close();
    expect(closed).toEqual([null]);
  });
});
