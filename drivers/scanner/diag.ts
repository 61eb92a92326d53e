/**
 * `hall diag decode --protocol hidpos --hex HEX`: a captured HID POS report (or several, for a code that
 * spans reports) decoded to JSON for the technician. Payment and e-ID codes are masked (kind + last 4):
 * a capture pasted into a ticket must not carry a usable payment code.
 */
import { ScanAssembler } from './assembler';
import { classifyScan, isSensitiveKind, maskTail, type ScanKind } from './classify';
import { decodeScanBytes } from './decode-text';
import { HIDPOS_PROFILES, HIDPOS_VENDORS, parseHidPosReport, type HidPosReport, type HidPosVendor } from './hidpos';
import { symbologyFromAim } from './symbology';

export interface HidPosDiagReport {
  reportId: number;
  dataLength: number;
  aim: string | null;
  continuation: boolean;
  vendorCodeId: string | null;
  /** AIM/data offset relative to the vendor profile (0 unless the report was one byte off). */
  shift: number;
}

export interface HidPosDiagValue {
  protocol: 'hidpos';
  vendor: HidPosVendor;
  reportId: number;
  aim: string | null;
  symbology: string;
  /** Continuation flag of the last report: true means the capture stops inside a code. */
  continuation: boolean;
  complete: boolean;
  encoding: 'utf-8' | 'gb18030';
  byteLength: number;
  kind: ScanKind;
  /** Decoded text; masked (last 4 kept) for payment and e-ID codes and for unrecognised partial codes. */
  text: string;
  masked: boolean;
  reports: HidPosDiagReport[];
}

export type DiagResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface DecodeHidPosOptions {
  vendor?: HidPosVendor;
}

/** Hex → bytes per report. Reports may be separated by `|`, `;` or new lines; a long run is cut every 64 bytes. */
function parseHex(input: string, reportLength: number): DiagResult<Uint8Array[]> {
  const groups = input.split(/[|;\n\r]+/).map((g) => g.replace(/0x/gi, '').replace(/[\s,:-]+/g, '')).filter((g) => g.length > 0);
  if (groups.length === 0) return { ok: false, error: 'no hex given' };
  const reports: Uint8Array[] = [];
  for (const group of groups) {
    const bad = /[^0-9a-f]/i.exec(group);
    if (bad) return { ok: false, error: `not hex: unexpected character ${JSON.stringify(bad[0])}` };
    if (group.length % 2 !== 0) return { ok: false, error: `odd number of hex digits (${group.length})` };
    const bytes = Uint8Array.from(group.match(/../g) ?? [], (h) => parseInt(h, 16));
    if (bytes.length > reportLength && bytes.length % reportLength === 0) {
      for (let i = 0; i < bytes.length; i += reportLength) reports.push(bytes.subarray(i, i + reportLength));
    } else {
      reports.push(bytes);
    }
  }
  return { ok: true, value: reports };
}

export function decodeHidPosHex(hex: string, opts: DecodeHidPosOptions = {}): DiagResult<HidPosDiagValue> {
  const vendor = opts.vendor ?? 'generic';
  if (!(HIDPOS_VENDORS as readonly string[]).includes(vendor)) {
    return { ok: false, error: `unknown vendor ${JSON.stringify(vendor)} (known: ${HIDPOS_VENDORS.join(', ')})` };
  }
  const profile = HIDPOS_PROFILES[vendor];
  const bytes = parseHex(hex, profile.reportLength);
  if (!bytes.ok) return bytes;

  const reports: HidPosReport[] = [];
  for (const [i, raw] of bytes.value.entries()) {
    const parsed = parseHidPosReport(raw, profile);
    if (!parsed.ok) return { ok: false, error: bytes.value.length > 1 ? `report ${i + 1}: ${parsed.error.message}` : parsed.error.message };
    reports.push(parsed.report);
  }
  const earlyEnd = reports.slice(0, -1).findIndex((r) => !r.continued);
  if (earlyEnd >= 0) return { ok: false, error: `report ${earlyEnd + 1} ends the code but more reports follow` };

  const last = reports[reports.length - 1] as HidPosReport;
  const assembler = new ScanAssembler({ timeoutMs: Number.POSITIVE_INFINITY, maxBytes: Number.MAX_SAFE_INTEGER });
  let decoded: { text: string; encoding: 'utf-8' | 'gb18030'; byteLength: number } | null = null;
  for (const report of reports) {
    for (const out of assembler.push(report, 0)) {
      if (out.type === 'error') return { ok: false, error: out.error.message };
      decoded = { text: out.scan.text, encoding: out.scan.encoding, byteLength: out.scan.byteLength };
    }
  }
  if (!decoded) {
    // The capture stops inside a code: show what arrived.
    const data = concat(reports.map((r) => r.data));
    const partial = decodeScanBytes(data);
    decoded = { text: partial.text, encoding: partial.encoding, byteLength: data.length };
  }

  const kind = classifyScan(decoded.text).kind;
  // Half a payment code is still most of one: mask an incomplete capture unless it is recognisably ours.
  const masked = isSensitiveKind(kind) || (last.continued && kind === 'other');
  const symbology = symbologyFromAim(last.aim);
  return {
    ok: true,
    value: {
      protocol: 'hidpos',
      vendor,
      reportId: last.reportId,
      aim: last.aim,
      symbology: symbology.name,
      continuation: last.continued,
      complete: !last.continued,
      encoding: decoded.encoding,
      byteLength: decoded.byteLength,
      kind,
      text: masked ? maskTail(decoded.text.trim()) : decoded.text,
      masked,
      reports: reports.map((r) => ({
        reportId: r.reportId,
        dataLength: r.data.length,
        aim: r.aim,
        continuation: r.continued,
        vendorCodeId: r.vendorCodeId,
        shift: r.shift,
      })),
    },
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
