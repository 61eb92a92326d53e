import { describe, expect, it } from 'vitest';
import { ScanAssembler } from '../scanner/assembler';
import { HIDPOS_PROFILES, HIDPOS_VENDORS, parseHidPosReport } from '../scanner/hidpos';
import { encodeHidPosReports, HidPosScannerEmulator } from './scanner-hidpos';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('encodeHidPosReports', () => {
  it('lays out a short Honeywell QR report byte for byte', () => {
    const [r, ...rest] = encodeHidPosReports(HIDPOS_PROFILES.honeywell, 'A012');
    expect(rest).toEqual([]);
    const expected = new Uint8Array(64);
    expected.set([0x02, 0x04, 0x5d, 0x51, 0x31, 0x41, 0x30, 0x31, 0x32]);
    expected[61] = 0x73; // Honeywell Code ID 's' = QR
    expect(hex(r as Uint8Array)).toBe(hex(expected));
  });

  it('splits a long code into 56-byte reports, continuation on all but the last', () => {
    const code = 'x'.repeat(130);
    const reports = encodeHidPosReports(HIDPOS_PROFILES.generic, code, { aim: ']d2' });
    expect(reports.map((r) => [r[1], r[63]])).toEqual([
      [56, 1],
      [56, 1],
      [18, 0],
    ]);
    expect(reports.every((r) => r.length === 64 && String.fromCharCode(r[2] ?? 0, r[3] ?? 0, r[4] ?? 0) === ']d2')).toBe(true);
  });

  it('sends exactly 56 bytes as one final report and an empty code as one empty report', () => {
    expect(encodeHidPosReports(HIDPOS_PROFILES.generic, 'y'.repeat(56)).map((r) => [r[1], r[63]])).toEqual([[56, 0]]);
    expect(encodeHidPosReports(HIDPOS_PROFILES.generic, '').map((r) => [r[1], r[63]])).toEqual([[0, 0]]);
  });

  it('places AIM and data one byte later for the shifted (Zebra) profile', () => {
    const [r] = encodeHidPosReports(HIDPOS_PROFILES.zebra, 'OK', { aim: ']C0' });
    expect(Array.from((r as Uint8Array).subarray(0, 8))).toEqual([0x02, 0x02, 0x00, 0x5d, 0x43, 0x30, 0x4f, 0x4b]);
  });

  it.each(HIDPOS_VENDORS)('round-trips through the parser and assembler for %s', (vendor) => {
    const profile = HIDPOS_PROFILES[vendor];
    const code = 'HALL1:R:HALL01-20261126-C03-0042:' + 'S'.repeat(86) + ' 受理回执';
    for (const encoding of ['utf-8', 'gb18030'] as const) {
      const assembler = new ScanAssembler();
      const outs = encodeHidPosReports(profile, code, { encoding }).flatMap((bytes, i) => {
        const parsed = parseHidPosReport(bytes, profile);
        if (!parsed.ok) throw parsed.error;
        return assembler.push(parsed.report, i);
      });
      expect(outs).toHaveLength(1);
      expect(outs[0]?.type === 'scan' && [outs[0].scan.text, outs[0].scan.encoding]).toEqual([code, encoding]);
    }
  });

  it('refuses an AIM id that is not three characters', () => {
    expect(() => encodeHidPosReports(HIDPOS_PROFILES.generic, 'x', { aim: ']Q' })).toThrow(RangeError);
  });
});

describe('HidPosScannerEmulator', () => {
  it('sends nothing until the Honeywell enable report arrives, then sends reports', async () => {
    const emulator = new HidPosScannerEmulator(HIDPOS_PROFILES.honeywell);
    const transport = emulator.factory();
    const received: Uint8Array[] = [];
    transport.onData((chunk) => received.push(chunk));
    await transport.open();
    expect(await emulator.scan('6901234567892', { aim: ']E0' })).toBe(0);

    await transport.sendFeatureReport?.(Uint8Array.from([0xfe, 0x00])); // not the enable bytes
    expect(emulator.hidPosEnabled).toBe(false);
    expect(await transport.sendFeatureReport?.(Uint8Array.from([0xfe, 0x01]))).toBe(2);
    expect(emulator.hidPosEnabled).toBe(true);
    expect(emulator.featureReports.map(hex)).toEqual(['fe00', 'fe01']);

    expect(await emulator.scan('6901234567892', { aim: ']E0' })).toBe(1);
    expect(received.map(hex)).toEqual(emulator.reportsFor('6901234567892', { aim: ']E0' }).map(hex));
    await transport.close();
  });

  it('sends only the first reports of a code when asked (a code cut off half-way)', async () => {
    const emulator = new HidPosScannerEmulator(HIDPOS_PROFILES.datalogic);
    const transport = emulator.factory();
    const received: Uint8Array[] = [];
    transport.onData((chunk) => received.push(chunk));
    await transport.open();
    expect(await emulator.scan('z'.repeat(150), { reports: 1 })).toBe(1);
    expect(received.map((r) => r[63])).toEqual([1]);
    await transport.close();
  });

  it('refuses feature reports on a closed transport and can be told to fail them', async () => {
    const emulator = new HidPosScannerEmulator(HIDPOS_PROFILES.honeywell);
    const transport = emulator.factory();
    await expect(transport.sendFeatureReport?.(Uint8Array.from([0xfe, 0x01]))).rejects.toMatchObject({ code: 'not_open' });
    await transport.open();
    emulator.failFeatureReports();
    await expect(transport.sendFeatureReport?.(Uint8Array.from([0xfe, 0x01]))).rejects.toMatchObject({ code: 'io' });
    expect(emulator.hidPosEnabled).toBe(false);
    await transport.close();
  });

  it('forgets HID POS mode when unplugged (the enable report is not stored in flash)', async () => {
    const emulator = new HidPosScannerEmulator(HIDPOS_PROFILES.honeywell);
    const transport = emulator.factory();
    const closed: (string | null)[] = [];
    transport.onClose((error) => closed.push(error?.code ?? null));
    await transport.open();
    await transport.sendFeatureReport?.(Uint8Array.from([0xfe, 0x01]));
    emulator.unplug();
    expect(closed).toEqual(['disconnected']);
    expect(emulator.hidPosEnabled).toBe(false);
    await expect(emulator.factory().open()).rejects.toMatchObject({ code: 'open_failed' });
    emulator.replug();
    const again = emulator.factory();
    await again.open();
    expect(again.isOpen).toBe(true);
    await again.close();
  });
});
