import { describe, expect, it } from 'vitest';
import { hexToBytes, SAM_EXAMPLES } from '../../test/fixtures/idcard/sam-examples';
import { streamPacketizer } from '../transports/link';
import { encodeAnswer, toHex } from './frame';
import { fromHidReport, HID_REPORT_SIZE, HidFrameReassembler, hidPacketizer, samPacketizer, toHidReports } from './packet';

describe('vendor HID reports', () => {
  it('wraps a short frame in one 64-byte report: length byte, frame, zero padding', () => {
    const frame = hexToBytes(SAM_EXAMPLES.findCommand);
    const [report, ...rest] = toHidReports(frame);
    expect(rest).toEqual([]);
    expect(report).toHaveLength(HID_REPORT_SIZE);
    expect(report?.[0]).toBe(10);
    expect(toHex((report as Uint8Array).subarray(1, 11))).toBe(SAM_EXAMPLES.findCommand);
    expect(Array.from((report as Uint8Array).subarray(11)).every((b) => b === 0)).toBe(true);
  });

  it('cuts a long frame into 63-byte pieces', () => {
    const frame = encodeAnswer(0x90, new Uint8Array(1288 - 4)); // a read-basic answer is 1295 bytes
    expect(frame).toHaveLength(1295);
    const reports = toHidReports(frame);
    expect(reports).toHaveLength(Math.ceil(1295 / 63));
    expect(reports.map((r) => r[0])).toEqual([...new Array<number>(20).fill(63), 1295 - 20 * 63]);
  });

  it('unwraps a report, and refuses a length byte beyond the report', () => {
    expect(fromHidReport(Uint8Array.of(2, 7, 8, 0, 0))).toEqual({ ok: true, bytes: Uint8Array.of(7, 8) });
    expect(fromHidReport(Uint8Array.of(0, 0))).toEqual({ ok: true, bytes: new Uint8Array(0) });
    expect(fromHidReport(Uint8Array.of(9, 1))).toMatchObject({ ok: false, error: { code: 'hid_report_invalid', declared: 9, reportLength: 2 } });
    expect(fromHidReport(new Uint8Array(0))).toMatchObject({ ok: false, error: { code: 'hid_report_invalid' } });
  });

  it('reassembles frames spanning reports, and resets after a bad report', () => {
    const r = new HidFrameReassembler();
    const frame = encodeAnswer(0x90, Uint8Array.from({ length: 200 }, (_, i) => i));
    const events = toHidReports(frame).flatMap((rep) => r.push(rep));
    expect(events).toHaveLength(1);
    expect(events[0]?.kind === 'frame' && toHex(events[0].frame.raw)).toBe(toHex(frame));
    const [first] = toHidReports(frame);
    r.push(first as Uint8Array);
    expect(r.push(Uint8Array.of(200))).toMatchObject([{ kind: 'error', error: { code: 'hid_report_invalid' } }]);
    const again = toHidReports(hexToBytes(SAM_EXAMPLES.samStatusOk)).flatMap((rep) => r.push(rep));
    expect(again.map((e) => e.kind)).toEqual(['frame']);
  });

  it('validates the report size', () => {
    expect(() => toHidReports(Uint8Array.of(1), 1)).toThrow(RangeError);
  });

  it('picks the packetizer for the framing', () => {
    expect(samPacketizer('stream')).toBe(streamPacketizer);
    const hid = hidPacketizer();
    expect(hid.packetize(hexToBytes(SAM_EXAMPLES.findCommand))[0]).toHaveLength(64);
    expect(samPacketizer('hid').unpacketize(Uint8Array.of(1, 5))).toEqual({ ok: true, bytes: Uint8Array.of(5) });
  });
});
