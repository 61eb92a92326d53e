/**
 * What every scanner path (HID POS driver, keyboard wedge in the renderer) hands to the rest of the
 * console. A scan's text may carry personal data (payment codes, e-ID QR): log `describeScan` output,
 * never the text.
 */
import type { ScanEncoding } from './decode-text';
import type { Symbology } from './symbology';

export type ScanSource = 'hidpos' | 'wedge';

export interface ScanEvent {
  readonly text: string;
  readonly symbology: Symbology;
  readonly source: ScanSource;
  /** HID POS only: how the bytes were decoded. */
  readonly encoding?: ScanEncoding;
}

/** Device health as the registry shows it (hardware note: ok / degraded / offline). */
export type ScannerHealthStatus = 'ok' | 'degraded' | 'offline';

export interface ScannerHealth {
  readonly status: ScannerHealthStatus;
  /** Short machine-readable reason, e.g. `hidpos_enable_failed`, `disconnected`, `stopped`. */
  readonly detail: string | null;
  readonly lastError: string | null;
  /** Clock time (ms) of the last report received. */
  readonly lastSeenAt: number | null;
}

/** Structurally the same as main/log.ts `Logger`, so the registry can pass its logger in. */
export interface ScannerLogger {
  log(level: 'debug' | 'info' | 'warn' | 'error', event: string, fields?: Record<string, unknown>): void;
}

/** Log fields for a scan: kind of code and length, never the content. */
export function describeScan(scan: Pick<ScanEvent, 'text' | 'symbology' | 'source'>): Record<string, unknown> {
  return { source: scan.source, aim: scan.symbology.aim, symbology: scan.symbology.family, length: Array.from(scan.text).length };
}
