import { describe, expect, it } from 'vitest';
import { encodeHidPosReports } from '../emulators/scanner-hidpos';
import { decodeHidPosHex } from './diag';
import { HIDPOS_PROFILES } from './hidpos';

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const hexOf = (code: string, vendor: keyof typeof HIDPOS_PROFILES = 'generic', aim = ']Q1') => encodeHidPosReports(HIDPOS_PROFILES[vendor], code, { aim }).map(toHex);

describe('decodeHidPosHex', () => {
  it('decodes one report to JSON', () => {
    const [hex] = hexOf('6901234567892', 'honeywell', ']E0');
    const r = decodeHidPosHex(hex as string, { vendor: 'honeywell' });
    expect(r).toEqual({
      ok: true,
      value: {
        protocol: 'hidpos',
        vendor: 'honeywell',
        reportId: 2,
        aim: ']E0',
        symbology: 'EAN-13',
        continuation: false,
        complete: true,
        encoding: 'utf-8',
        byteLength: 13,
        kind: 'other',
        text: '6901234567892',
        masked: false,
        reports: [{ reportId: 2, dataLength: 13, aim: ']E0', continuation: false, vendorCodeId: 'd', shift: 0 }],
      },
    });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('accepts spaces, colons, 0x prefixes and upper case', () => {
    const [hex] = hexOf('ABC');
    const spaced = (hex as string).toUpperCase().match(/../g)?.map((b) => `0x${b}`).join(', ') ?? '';
    expect(decodeHidPosHex(spaced)).toMatchObject({ ok: true, value: { text: 'ABC' } });
    const colons = (hex as string).match(/../g)?.join(':') ?? '';
    expect(decodeHidPosHex(colons)).toMatchObject({ ok: true, value: { text: 'ABC' } });
  });

  it('masks payment codes (kind + last 4)', () => {
    const [hex] = hexOf('134567890123456789');
    expect(decodeHidPosHex(hex as string)).toMatchObject({ ok: true, value: { kind: 'wechat_pay', text: '**************6789', masked: true } });
    const r = JSON.stringify(decodeHidPosHex(hex as string));
    expect(r).not.toContain('13456789012345');
  });

  it('joins several reports given one per line, with | or as one long run', () => {
    const code = 'HALL1:T:20261126:A012:' + 'k'.repeat(86);
    const reports = hexOf(code);
    expect(reports).toHaveLength(2);
    for (const input of [reports.join('\n'), reports.join(' | '), reports.join('')]) {
      expect(decodeHidPosHex(input)).toMatchObject({ ok: true, value: { text: code, kind: 'hall_ticket', complete: true, reports: [{ continuation: true }, { continuation: false }] } });
    }
  });

  it('shows a capture that stops inside a code, masked unless it is ours', () => {
    const [first] = hexOf('9'.repeat(100));
    expect(decodeHidPosHex(first as string)).toMatchObject({ ok: true, value: { complete: false, continuation: true, byteLength: 56, masked: true, text: '*'.repeat(52) + '9999' } });
    const [ours] = hexOf('HALL1:R:HALL01-20261126-C03-0042:' + 's'.repeat(86));
    expect(decodeHidPosHex(ours as string)).toMatchObject({ ok: true, value: { complete: false, kind: expect.stringMatching(/^hall_/), masked: false } });
  });

  it('decodes the Zebra layout and flags a one-byte shift in the report list', () => {
    const [zebra] = hexOf('OK', 'zebra', ']C0');
    expect(decodeHidPosHex(zebra as string, { vendor: 'zebra' })).toMatchObject({ ok: true, value: { text: 'OK', reports: [{ shift: 0 }] } });
    expect(decodeHidPosHex(zebra as string)).toMatchObject({ ok: true, value: { text: 'OK', reports: [{ shift: 1 }] } });
  });

  it.each([
    ['', 'no hex given'],
    ['02 3g', 'not hex: unexpected character "g"'],
    ['023', 'odd number of hex digits (3)'],
    ['0102', 'report id 0x01 is not 0x02 (HID POS scanned data)'],
    ['0201', 'report is 2 bytes, the generic layout needs 64'],
  ])('explains bad input %j in one line', (input, error) => {
    const r = decodeHidPosHex(input);
    expect(r).toEqual({ ok: false, error });
    if (!r.ok) expect(r.error).not.toContain('\n');
  });

  it('names the report that is wrong in a multi-report capture', () => {
    const [a, b] = hexOf('z'.repeat(80));
    const broken = (b as string).slice(0, 2) + 'ff' + (b as string).slice(4);
    expect(decodeHidPosHex(`${a}\n${broken}`)).toEqual({ ok: false, error: 'report 2: data length 255 exceeds 56 bytes per report' });
    expect(decodeHidPosHex(`${hexOf('one')[0]}\n${hexOf('two')[0]}`)).toEqual({ ok: false, error: 'report 1 ends the code but more reports follow' });
    const [c] = hexOf('x'.repeat(60), 'generic', ']Q1');
    const [, d] = hexOf('x'.repeat(60), 'generic', ']C0');
    expect(decodeHidPosHex(`${c}\n${d}`)).toMatchObject({ ok: false, error: expect.stringContaining('AIM id changed from ]Q1 to ]C0') });
  });

  it('refuses an unknown vendor name', () => {
    expect(decodeHidPosHex('02', { vendor: 'constructor' as 'generic' })).toMatchObject({ ok: false, error: expect.stringContaining('unknown vendor "constructor"') });
  });
});
