import { describe, expect, it } from 'vitest';
import { customProfile, HIDPOS_PROFILES, parseHidPosReport, profileForVendorId, type HidPosProfile } from './hidpos';

/** A report built byte by byte (independent of the emulator), Honeywell layout unless shifted. */
function report(fields: { length: number; aim?: string; data?: string; continued?: boolean; codeId?: string; shift?: number; size?: number; id?: number }): Uint8Array {
  const bytes = new Uint8Array(fields.size ?? 64);
  const shift = fields.shift ?? 0;
  bytes[0] = fields.id ?? 0x02;
  bytes[1] = fields.length;
  Array.from(fields.aim ?? '').forEach((c, i) => (bytes[2 + shift + i] = c.charCodeAt(0)));
  Array.from(fields.data ?? '').forEach((c, i) => (bytes[5 + shift + i] = c.charCodeAt(0)));
  if (fields.codeId) bytes[61] = fields.codeId.charCodeAt(0);
  if (fields.continued) bytes[63] = 0x01;
  return bytes;
}

const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('parseHidPosReport', () => {
  it('reads the published two-report example (56 data bytes + continuation, then the rest)', () => {
    const first56 = 'M1ZHANG/SAN          EABCDEF PEKSHACA 1234 330Y012A0001'.padEnd(56, '1');
    expect(first56).toHaveLength(56);
    const first = parseHidPosReport(report({ length: 56, aim: ']Q0', data: first56, continued: true, codeId: 's' }), HIDPOS_PROFILES.honeywell);
    expect(first).toEqual({
      ok: true,
      report: { reportId: 2, aim: ']Q0', data: expect.any(Uint8Array), continued: true, vendorCodeId: 's', shift: 0 },
    });
    if (first.ok) expect(text(first.report.data)).toBe(first56);

    const second = parseHidPosReport(report({ length: 4, aim: ']Q0', data: '00 1', codeId: 's' }), HIDPOS_PROFILES.honeywell);
    expect(second.ok && second.report.continued).toBe(false);
    expect(second.ok && text(second.report.data)).toBe('00 1');
  });

  it('takes exactly `length` bytes and ignores the zero padding and trailer', () => {
    const r = parseHidPosReport(report({ length: 3, aim: ']E0', data: '978XXXX' }));
    expect(r.ok && text(r.report.data)).toBe('978');
  });

  it('accepts a zero-length report (the end of a code that filled the previous report exactly)', () => {
    const r = parseHidPosReport(report({ length: 0, aim: ']C0' }));
    expect(r.ok && r.report.data.length).toBe(0);
  });

  it('tolerates the AIM one byte later and moves the data with it', () => {
    const r = parseHidPosReport(report({ length: 5, aim: ']C0', data: 'ABCDE', shift: 1 }), HIDPOS_PROFILES.generic);
    expect(r.ok && r.report.shift).toBe(1);
    expect(r.ok && text(r.report.data)).toBe('ABCDE');
  });

  it('reads the shifted (Zebra) profile natively and still accepts the unshifted layout', () => {
    const shifted = parseHidPosReport(report({ length: 2, aim: ']Q1', data: 'OK', shift: 1 }), HIDPOS_PROFILES.zebra);
    expect(shifted.ok && [shifted.report.shift, text(shifted.report.data)]).toEqual([0, 'OK']);
    const unshifted = parseHidPosReport(report({ length: 2, aim: ']Q1', data: 'OK' }), HIDPOS_PROFILES.zebra);
    expect(unshifted.ok && [unshifted.report.shift, text(unshifted.report.data)]).toEqual([-1, 'OK']);
  });

  it('does not look for a shifted AIM when the profile forbids it', () => {
    const strict = customProfile(HIDPOS_PROFILES.generic, { tolerateShift: false });
    const r = parseHidPosReport(report({ length: 2, aim: ']Q1', data: 'OK', shift: 1 }), strict);
    expect(r.ok ? 'parsed' : r.error.code).toBe('bad_aim');
  });

  it('gives aim null when the scanner sends no AIM id', () => {
    const r = parseHidPosReport(report({ length: 2, data: 'OK' }));
    expect(r.ok && r.report.aim).toBeNull();
  });

  it('reports only printable vendor code ids', () => {
    const r = parseHidPosReport(report({ length: 1, aim: ']Q1', data: 'x' }), HIDPOS_PROFILES.honeywell);
    expect(r.ok && r.report.vendorCodeId).toBeNull();
    const generic = parseHidPosReport(report({ length: 1, aim: ']Q1', data: 'x', codeId: 's' }), HIDPOS_PROFILES.generic);
    expect(generic.ok && generic.report.vendorCodeId).toBeNull(); // only Honeywell defines byte 61
  });

  it('returns a copy of the data, not a view into the caller’s buffer', () => {
    const bytes = report({ length: 2, aim: ']Q1', data: 'OK' });
    const r = parseHidPosReport(bytes);
    bytes[5] = 0x58;
    expect(r.ok && text(r.report.data)).toBe('OK');
  });

  it.each([
    ['empty', new Uint8Array(0), 'empty report'],
    ['unexpected_report_id', report({ id: 0x01, length: 1, aim: ']Q1' }), 'report id 0x01 is not 0x02'],
    ['truncated', report({ length: 1, aim: ']Q1', size: 40 }), 'report is 40 bytes'],
    ['length_out_of_range', report({ length: 57, aim: ']Q1' }), 'data length 57 exceeds 56'],
    ['bad_aim', report({ length: 1, aim: 'ABC' }), 'no AIM symbology id at byte 2'],
    ['bad_aim', report({ length: 1, aim: ']]]' }), 'no AIM symbology id'],
  ])('refuses %s with a typed error', (code, bytes, message) => {
    const r = parseHidPosReport(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.name).toBe('HidPosError');
      expect(r.error.message).toContain(message);
    }
  });

  it('fits 56 shifted data bytes of every built-in profile before the continuation byte', () => {
    const zebraPlusOne = parseHidPosReport(report({ length: 56, aim: ']Q1', shift: 2 }), HIDPOS_PROFILES.zebra); // data 7..62
    expect(zebraPlusOne.ok && zebraPlusOne.report.shift).toBe(1);
  });

  it('refuses shifted data that would run into the continuation byte (custom layout)', () => {
    const tight = customProfile(HIDPOS_PROFILES.generic, { aimAt: 4, dataAt: 7 }); // data 7..62, nothing to spare
    const ok = parseHidPosReport(report({ length: 56, aim: ']Q1', shift: 2 }), tight);
    expect(ok.ok).toBe(true);
    const tooFar = parseHidPosReport(report({ length: 56, aim: ']Q1', shift: 3 }), tight); // +1: data 8..63
    expect(tooFar.ok ? 'parsed' : tooFar.error.code).toBe('length_out_of_range');
    const shorter = parseHidPosReport(report({ length: 55, aim: ']Q1', shift: 3 }), tight);
    expect(shorter.ok && shorter.report.shift).toBe(1);
  });

  it('accepts longer reports (extra trailing bytes) without reading them as data', () => {
    const r = parseHidPosReport(report({ length: 2, aim: ']Q1', data: 'OK', size: 65 }));
    expect(r.ok && text(r.report.data)).toBe('OK');
  });
});

describe('profiles', () => {
  it('maps the four vendors by USB vendor id and falls back to generic', () => {
    expect(profileForVendorId(0x0c2e).vendor).toBe('honeywell');
    expect(profileForVendorId(0x05e0).vendor).toBe('zebra');
    expect(profileForVendorId(0x05f9).vendor).toBe('datalogic');
    expect(profileForVendorId(0x1eab).vendor).toBe('newland');
    expect(profileForVendorId(0x1234).vendor).toBe('generic');
  });

  it('has the Honeywell enable-HID-POS feature report (id 0xFE, data 0x01) and only there', () => {
    expect(HIDPOS_PROFILES.honeywell.enable).toEqual([0xfe, 0x01]);
    for (const vendor of ['zebra', 'datalogic', 'newland', 'generic'] as const) expect(HIDPOS_PROFILES[vendor].enable).toBeNull();
  });

  it('keeps every data field inside the report and before the continuation byte', () => {
    for (const p of Object.values(HIDPOS_PROFILES) as HidPosProfile[]) {
      expect(p.dataAt + p.dataMax, p.vendor).toBeLessThanOrEqual(p.continuationAt);
      expect(p.continuationAt, p.vendor).toBe(p.reportLength - 1);
      expect(() => customProfile(p, {})).not.toThrow();
    }
  });

  it('refuses an override that would make fields overlap', () => {
    expect(() => customProfile(HIDPOS_PROFILES.generic, { dataMax: 60 })).toThrow(/data field overlaps/);
    expect(() => customProfile(HIDPOS_PROFILES.generic, { enable: [0x1ff] })).toThrow(/enable report/);
    expect(customProfile(HIDPOS_PROFILES.newland, { enable: [0xfe, 0x01] }).enable).toEqual([0xfe, 0x01]);
  });
});
