/**
 * Reassembles codes that span several HID POS reports (continuation flag set on all but the last),
 * gives up on a half-received code after a quiet period, and decodes the bytes to text. Pure: time is
 * passed in, nothing is scheduled here (the driver owns the timer).
 */
import { decodeScanBytes, type ScanEncoding } from './decode-text';
import { HidPosError, type HidPosReport } from './hidpos';
import { symbologyFromAim, type Symbology } from './symbology';

export interface AssembledScan {
  readonly text: string;
  readonly encoding: ScanEncoding;
  readonly lossy: boolean;
  readonly symbology: Symbology;
  readonly byteLength: number;
  readonly reports: number;
  readonly vendorCodeId: string | null;
}

export type AssemblerOutput = { readonly type: 'scan'; readonly scan: AssembledScan } | { readonly type: 'error'; readonly error: HidPosError };

export interface ScanAssemblerOptions {
  /** Longest quiet gap between two reports of one code (ms). Real scanners send them back to back. */
  timeoutMs?: number;
  /** Largest code accepted (bytes); PDF417 tops out below 2 KB, QR below 3 KB. */
  maxBytes?: number;
  /** Drop one trailing CR / LF / CRLF (a suffix some scanners keep even in HID POS mode). */
  stripTrailingNewline?: boolean;
}

export const DEFAULT_ASSEMBLY_TIMEOUT_MS = 500;
export const DEFAULT_MAX_CODE_BYTES = 8192;

interface Pending {
  aim: string | null;
  chunks: Uint8Array[];
  size: number;
  reports: number;
  lastAt: number;
  vendorCodeId: string | null;
}

export class ScanAssembler {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly stripNewline: boolean;
  private pending: Pending | null = null;
  /** After a too-long code: drop its remaining reports (until its last one, or a quiet gap). */
  private skippingSince: number | null = null;

  constructor(options: ScanAssemblerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ASSEMBLY_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_CODE_BYTES;
    this.stripNewline = options.stripTrailingNewline ?? true;
  }

  /** When `expire` should next be called (ms, same clock as `now`); `null` when nothing is pending. */
  get deadline(): number | null {
    if (this.pending) return this.pending.lastAt + this.timeoutMs;
    if (this.skippingSince !== null) return this.skippingSince + this.timeoutMs;
    return null;
  }

  get hasPending(): boolean {
    return this.pending !== null;
  }

  push(report: HidPosReport, now: number): AssemblerOutput[] {
    const out = this.expire(now);
    if (this.skippingSince !== null) {
      this.skippingSince = report.continued ? now : null;
      return out;
    }
    if (this.pending && this.pending.aim !== report.aim) {
      out.push(this.drop('aim_changed', `AIM id changed from ${this.pending.aim ?? 'none'} to ${report.aim ?? 'none'} inside one code`));
    }
    const p: Pending = this.pending ?? { aim: report.aim, chunks: [], size: 0, reports: 0, lastAt: now, vendorCodeId: report.vendorCodeId };
    p.chunks.push(report.data);
    p.size += report.data.length;
    p.reports += 1;
    p.lastAt = now;
    this.pending = p;
    if (p.size > this.maxBytes) {
      out.push(this.drop('too_long', `code exceeds ${this.maxBytes} bytes`));
      if (report.continued) this.skippingSince = now;
      return out;
    }
    if (!report.continued) {
      this.pending = null;
      out.push({ type: 'scan', scan: this.finish(p) });
    }
    return out;
  }

  /** Give up on a code whose next report is overdue. */
  expire(now: number): AssemblerOutput[] {
    if (this.skippingSince !== null && now - this.skippingSince > this.timeoutMs) this.skippingSince = null;
    if (!this.pending || now - this.pending.lastAt <= this.timeoutMs) return [];
    const { reports, size } = this.pending;
    return [this.drop('incomplete_timeout', `code incomplete: ${reports} report(s), ${size} bytes, then nothing for over ${this.timeoutMs} ms`)];
  }

  /** The device went away: report and drop a half-received code. */
  interrupt(): AssemblerOutput[] {
    this.skippingSince = null;
    if (!this.pending) return [];
    return [this.drop('interrupted', `device closed after ${this.pending.reports} report(s) of a code`)];
  }

  reset(): void {
    this.pending = null;
    this.skippingSince = null;
  }

  private drop(code: 'aim_changed' | 'incomplete_timeout' | 'interrupted' | 'too_long', message: string): AssemblerOutput {
    this.pending = null;
    return { type: 'error', error: new HidPosError(code, message) };
  }

  private finish(p: Pending): AssembledScan {
    const bytes = new Uint8Array(p.size);
    let at = 0;
    for (const chunk of p.chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    const body = this.stripNewline ? withoutTrailingNewline(bytes) : bytes;
    const decoded = decodeScanBytes(body);
    return {
      text: decoded.text,
      encoding: decoded.encoding,
      lossy: decoded.lossy,
      symbology: symbologyFromAim(p.aim),
      byteLength: body.length,
      reports: p.reports,
      vendorCodeId: p.vendorCodeId,
    };
  }
}

function withoutTrailingNewline(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end -= 1;
  if (end > 0 && bytes[end - 1] === 0x0d) end -= 1;
  return end === bytes.length ? bytes : bytes.subarray(0, end);
}
