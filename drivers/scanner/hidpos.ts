/**
 * HID POS barcode scanners (USB HID usage page 0x8C, "HID Point of Sale Usage Tables" 1.02): the
 * layout of one scanned-data input report, the per-vendor profiles, and a parser that turns one
 * report into a typed value or a typed error — never an exception.
 *
 * Report layout (bytes, report id first as node-hid delivers it; 64 bytes in all):
 *
 *   0        report id 0x02 (scanned data)
 *   1        number of data bytes in *this* report (0–56)
 *   2–4      AIM symbology id, e.g. `]Q1` (repeated in every report of a multi-report code)
 *   5–60     data (56 bytes, zero padded)
 *   61       vendor symbology id (Honeywell "Code ID", e.g. `s` for QR); 62 reserved
 *   63       bit 0: the code continues in the next report
 *
 * Sources: the Access-IS LSR116/LSR118/ATR110 manuals publish exactly this table with a two-report
 * example (56 + 4 bytes, byte 63 = 1 then 0, byte 61 = `s`); a Honeywell REVINF answer captured over HID
 * POS (HenkVanAsselt/python_hon_usbhid) starts `02 38 5D 58 30 …` (id 2, 56 bytes, `]X0`), the same
 * layout. Other vendors place the AIM/data one byte later (design note: "vendors differ by one byte of
 * offset"); WebHidBarcodeScanner (MIT) finds the offset by looking for the `]` at byte 2 or 3. We keep the
 * offset in the profile *and* tolerate a one-byte shift when the `]` is found there.
 */
import { isAimId } from './symbology';

export const HIDPOS_USAGE_PAGE = 0x8c;
export const HIDPOS_SCANNED_DATA_REPORT_ID = 0x02;
export const HIDPOS_REPORT_LENGTH = 64;

export const HIDPOS_VENDORS = ['honeywell', 'zebra', 'datalogic', 'newland', 'generic'] as const;
export type HidPosVendor = (typeof HIDPOS_VENDORS)[number];

export type HidPosErrorCode =
  | 'empty' // no bytes at all
  | 'unexpected_report_id' // not the scanned-data report
  | 'truncated' // shorter than the layout needs
  | 'length_out_of_range' // byte 1 says more data than the report can hold
  | 'bad_aim' // bytes 2–4 are neither an AIM id nor empty
  | 'aim_changed' // a multi-report code changed its AIM id half-way
  | 'incomplete_timeout' // a multi-report code stopped arriving
  | 'interrupted' // the device went away with half a code received
  | 'too_long'; // a code above the assembler's size limit

export class HidPosError extends Error {
  constructor(
    readonly code: HidPosErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HidPosError';
  }
}

/** A feature report, report id first (node-hid's `sendFeatureReport` convention). */
export type FeatureReport = readonly number[];

export interface HidPosProfile {
  readonly vendor: HidPosVendor;
  readonly label: string;
  /** USB vendor id used to pick the profile; `null` for the generic profile. */
  readonly vendorId: number | null;
  readonly reportId: number;
  /** Whole report length including the report id byte. */
  readonly reportLength: number;
  readonly lengthAt: number;
  readonly aimAt: number;
  readonly dataAt: number;
  readonly dataMax: number;
  readonly continuationAt: number;
  readonly continuationMask: number;
  /** Where a vendor-specific symbology character sits, if the vendor sends one. */
  readonly vendorCodeIdAt: number | null;
  /** Accept the AIM id one byte later or earlier than `aimAt` (data moves with it). */
  readonly tolerateShift: boolean;
  /** Feature report that switches the scanner into HID POS mode, sent once after open; `null` if none. */
  readonly enable: FeatureReport | null;
  /** How sure we are of this layout: `documented` (a published table or capture), `assumed` (unverified). */
  readonly confidence: 'documented' | 'assumed';
  readonly source: string;
}

/** Honeywell's layout; the other profiles are variations of it. */
const BASE = {
  reportId: HIDPOS_SCANNED_DATA_REPORT_ID,
  reportLength: HIDPOS_REPORT_LENGTH,
  lengthAt: 1,
  aimAt: 2,
  dataAt: 5,
  dataMax: 56,
  continuationAt: 63,
  continuationMask: 0x01,
  vendorCodeIdAt: null,
  tolerateShift: true,
  enable: null,
} as const;

/** Same fields, AIM and data one byte later (data still ends before the trailer bytes). */
const SHIFTED = { aimAt: 3, dataAt: 6 } as const;

export const HIDPOS_PROFILES: Readonly<Record<HidPosVendor, HidPosProfile>> = {
  honeywell: {
    ...BASE,
    vendor: 'honeywell',
    label: 'Honeywell',
    vendorId: 0x0c2e,
    vendorCodeIdAt: 61,
    // Feature report id 0xFE with one data byte 0x01 switches Honeywell scanners that expose the HID POS
    // collection into HID POS output. Taken from WebHidBarcodeScanner (sendFeatureReport(254, [0x01])
    // for vendor 0x0C2E); not from a Honeywell document we hold, so it is profile data: a site can
    // override it in the device configuration.
    enable: [0xfe, 0x01],
    confidence: 'documented',
    source: 'Access-IS HID POS report table; Honeywell REVINF capture; WebHidBarcodeScanner (enable report)',
  },
  zebra: {
    ...BASE,
    ...SHIFTED,
    vendor: 'zebra',
    label: 'Zebra (Symbol)',
    vendorId: 0x05e0,
    confidence: 'assumed',
    source: 'assumed one-byte shift (design note); no capture held — the shift tolerance covers either layout',
  },
  datalogic: {
    ...BASE,
    vendor: 'datalogic',
    label: 'Datalogic',
    vendorId: 0x05f9,
    confidence: 'assumed',
    source: 'assumed Honeywell layout; no capture held — the shift tolerance covers a one-byte offset',
  },
  newland: {
    ...BASE,
    vendor: 'newland',
    label: 'Newland',
    vendorId: 0x1eab,
    confidence: 'assumed',
    source: 'assumed Honeywell layout; no capture held — the shift tolerance covers a one-byte offset',
  },
  generic: {
    ...BASE,
    vendor: 'generic',
    label: 'HID POS (generic)',
    vendorId: null,
    confidence: 'documented',
    source: 'HID POS report table as published by Access-IS / Honeywell',
  },
};

/** The profile for a USB vendor id; unknown vendors get the generic layout. */
export function profileForVendorId(vendorId: number): HidPosProfile {
  return Object.values(HIDPOS_PROFILES).find((p) => p.vendorId === vendorId) ?? HIDPOS_PROFILES.generic;
}

/** A profile with some fields replaced (site configuration); checked so a bad override cannot misparse. */
export function customProfile(base: HidPosProfile, overrides: Partial<Omit<HidPosProfile, 'vendor'>>): HidPosProfile {
  const p: HidPosProfile = { ...base, ...overrides };
  const problem = profileProblem(p);
  if (problem) throw new RangeError(`invalid HID POS profile for ${p.vendor}: ${problem}`);
  return p;
}

function profileProblem(p: HidPosProfile): string | null {
  const byte = (n: number) => Number.isInteger(n) && n >= 0 && n <= 0xff;
  if (!byte(p.reportId) || !byte(p.continuationMask) || p.continuationMask === 0) return 'report id / continuation mask';
  if (!Number.isInteger(p.reportLength) || p.reportLength < 8 || p.reportLength > 1024) return 'report length';
  const inReport = (n: number) => Number.isInteger(n) && n >= 1 && n < p.reportLength;
  if (![p.lengthAt, p.aimAt, p.dataAt, p.continuationAt].every(inReport)) return 'offsets outside the report';
  if (p.dataAt < p.aimAt + 3 || p.dataAt + p.dataMax > p.continuationAt || p.dataMax < 1) return 'data field overlaps';
  if (p.vendorCodeIdAt !== null && !inReport(p.vendorCodeIdAt)) return 'vendor code id offset';
  if (p.enable !== null && (p.enable.length < 1 || !p.enable.every(byte))) return 'enable report bytes';
  return null;
}

export interface HidPosReport {
  readonly reportId: number;
  /** AIM id, or `null` when the scanner left the three bytes empty (zero). */
  readonly aim: string | null;
  /** This report's data bytes (a copy, `length` long). */
  readonly data: Uint8Array;
  readonly continued: boolean;
  /** Vendor symbology character (Honeywell Code ID) when the profile has one and it is printable. */
  readonly vendorCodeId: string | null;
  /** How far the AIM/data sat from the profile's offsets (0 normally; ±1 when tolerated). */
  readonly shift: -1 | 0 | 1;
}

export type HidPosParseResult = { ok: true; report: HidPosReport } | { ok: false; error: HidPosError };

const AIM_FLAG = 0x5d; // ']'

function fail(code: HidPosErrorCode, message: string): HidPosParseResult {
  return { ok: false, error: new HidPosError(code, message) };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

function readAim(bytes: Uint8Array, at: number): string | null {
  const text = String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0);
  return isAimId(text) ? text : null;
}

/** Where the AIM id sits in this report: the profile's offset or, when tolerated, one byte off. */
function locateAim(bytes: Uint8Array, p: HidPosProfile): { shift: -1 | 0 | 1; aim: string | null } | null {
  const candidates: (-1 | 0 | 1)[] = p.tolerateShift ? [0, 1, -1] : [0];
  for (const shift of candidates) {
    const at = p.aimAt + shift;
    if (at <= p.lengthAt || at + 3 > p.continuationAt) continue;
    if (bytes[at] !== AIM_FLAG) continue;
    const aim = readAim(bytes, at);
    if (aim) return { shift, aim };
  }
  if (bytes[p.aimAt] === 0 && bytes[p.aimAt + 1] === 0 && bytes[p.aimAt + 2] === 0) return { shift: 0, aim: null };
  return null;
}

/** Parse one input report. Any byte array is accepted; problems come back as typed errors. */
export function parseHidPosReport(bytes: Uint8Array, profile: HidPosProfile = HIDPOS_PROFILES.generic): HidPosParseResult {
  if (bytes.length === 0) return fail('empty', 'empty report');
  const reportId = bytes[0] ?? 0;
  if (reportId !== profile.reportId) {
    return fail('unexpected_report_id', `report id ${hex(reportId)} is not ${hex(profile.reportId)} (HID POS scanned data)`);
  }
  if (bytes.length <= profile.continuationAt) {
    return fail('truncated', `report is ${bytes.length} bytes, the ${profile.vendor} layout needs ${profile.continuationAt + 1}`);
  }
  const length = bytes[profile.lengthAt] ?? 0;
  if (length > profile.dataMax) {
    return fail('length_out_of_range', `data length ${length} exceeds ${profile.dataMax} bytes per report`);
  }
  const located = locateAim(bytes, profile);
  if (!located) {
    const raw = Array.from(bytes.subarray(profile.aimAt, profile.aimAt + 3), hex).join(' ');
    return fail('bad_aim', `no AIM symbology id at byte ${profile.aimAt} (found ${raw})`);
  }
  const dataAt = profile.dataAt + located.shift;
  if (dataAt + length > profile.continuationAt) {
    return fail('length_out_of_range', `data length ${length} at byte ${dataAt} runs into the continuation byte`);
  }
  const data = bytes.slice(dataAt, dataAt + length);
  const codeIdByte = profile.vendorCodeIdAt === null ? 0 : (bytes[profile.vendorCodeIdAt] ?? 0);
  return {
    ok: true,
    report: {
      reportId,
      aim: located.aim,
      data,
      continued: ((bytes[profile.continuationAt] ?? 0) & profile.continuationMask) !== 0,
      vendorCodeId: codeIdByte >= 0x21 && codeIdByte <= 0x7e ? String.fromCharCode(codeIdByte) : null,
      shift: located.shift,
    },
  };
}
