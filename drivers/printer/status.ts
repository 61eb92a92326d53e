/**
 * ESC/POS real-time status (DLE EOT n, `10 04 n`) and what it means for the clerk.
 *
 * Every reply byte has bit 1 and bit 4 set and bits 0 and 7 clear (`b & 0x93 === 0x12`); that is how
 * a reply is told apart from other bytes a printer sends (a GS r reply has bit 4 clear).
 * - n = 1 printer status: bit 3 offline.
 * - n = 2 offline cause: bit 2 cover open, bit 3 paper fed by the FEED button, bit 5 printing stopped
 *   at paper end, bit 6 an error occurred.
 * - n = 3 error cause: bit 3 autocutter error, bit 5 unrecoverable error, bit 6 automatically
 *   recoverable error (head too hot; some models: cover opened while printing).
 * - n = 4 roll paper sensor: bits 2–3 near end, bits 5–6 paper end.
 */
import type { DeviceHealth } from '../../preload/contract';

export const STATUS_REQUESTS = [1, 2, 3, 4] as const;
export type StatusRequest = (typeof STATUS_REQUESTS)[number];

/** DLE EOT 1, 2, 3, 4 in one write; a printer answers with four bytes in that order. */
export const STATUS_QUERY = Uint8Array.from(STATUS_REQUESTS.flatMap((n) => [0x10, 0x04, n]));

export type PrinterErrorKind = 'cutter' | 'unrecoverable' | 'auto-recoverable';

export interface PrinterStatus {
  online: boolean;
  coverOpen: boolean;
  paperOut: boolean;
  paperNearEnd: boolean;
  /** Paper is being fed with the FEED button (the printer is offline meanwhile). */
  feeding: boolean;
  errors: PrinterErrorKind[];
}

export const HEALTHY_STATUS: PrinterStatus = Object.freeze({
  online: true,
  coverOpen: false,
  paperOut: false,
  paperNearEnd: false,
  feeding: false,
  errors: [],
}) as PrinterStatus;

/** True for a byte that can be a DLE EOT reply. */
export function isRealtimeStatusByte(byte: number): boolean {
  return (byte & 0x93) === 0x12;
}

/** True for a byte that can be a GS r 1 (paper sensor) reply: bits 4 and 7 clear. */
export function isTransmitStatusByte(byte: number): boolean {
  return (byte & 0x90) === 0;
}

export class StatusFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatusFormatError';
  }
}

/** Parses the four reply bytes of DLE EOT 1, 2, 3, 4 (in that order). */
export function parseRealtimeStatus(bytes: readonly number[]): PrinterStatus {
  if (bytes.length !== 4) throw new StatusFormatError(`expected 4 status bytes, got ${bytes.length}`);
  bytes.forEach((b, k) => {
    if (!isRealtimeStatusByte(b)) throw new StatusFormatError(`status byte ${k + 1} is 0x${b.toString(16).padStart(2, '0')}, not a DLE EOT reply`);
  });
  const [printer, offline, error, paper] = bytes as [number, number, number, number];
  const errors: PrinterErrorKind[] = [];
  if (error & 0x08) errors.push('cutter');
  if (error & 0x20) errors.push('unrecoverable');
  if (error & 0x40) errors.push('auto-recoverable');
  return {
    online: (printer & 0x08) === 0,
    coverOpen: (offline & 0x04) !== 0,
    paperOut: (offline & 0x20) !== 0 || (paper & 0x60) !== 0,
    paperNearEnd: (paper & 0x0c) !== 0,
    feeding: (offline & 0x08) !== 0,
    errors,
  };
}

/** The reply bytes a printer in this state sends (used by the emulator; inverse of parseRealtimeStatus). */
export function encodeRealtimeStatus(status: PrinterStatus): [number, number, number, number] {
  const base = 0x12;
  const has = (kind: PrinterErrorKind): boolean => status.errors.includes(kind);
  const anyError = status.errors.length > 0;
  const printer = base | (status.online ? 0 : 0x08);
  const offline = base | (status.coverOpen ? 0x04 : 0) | (status.feeding ? 0x08 : 0) | (status.paperOut ? 0x20 : 0) | (anyError ? 0x40 : 0);
  const error = base | (has('cutter') ? 0x08 : 0) | (has('unrecoverable') ? 0x20 : 0) | (has('auto-recoverable') ? 0x40 : 0);
  const paper = base | (status.paperNearEnd ? 0x0c : 0) | (status.paperOut ? 0x60 : 0);
  return [printer, offline, error, paper];
}

/** The GS r 1 reply (paper sensor status) of a printer in this state. */
export function encodePaperSensorStatus(status: PrinterStatus): number {
  return (status.paperNearEnd ? 0x03 : 0) | (status.paperOut ? 0x0c : 0);
}

export interface PrinterHealth {
  health: DeviceHealth;
  /** One sentence for the clerk's status bar (never receipt content). */
  detail: string;
  /** Whether a job may be sent now. */
  printable: boolean;
  /** The parsed status when the printer answered. */
  status: PrinterStatus | null;
}

const SAVED = '回执已保存';

/** Maps a parsed status to device health, most serious cause first. */
export function healthOf(status: PrinterStatus): PrinterHealth {
  const h = (health: DeviceHealth, detail: string, printable = false): PrinterHealth => ({ health, detail, printable, status });
  if (status.errors.includes('unrecoverable')) return h('error', `打印机故障，请关闭电源后重新开启；仍不能打印请联系技术人员。${SAVED}`);
  if (status.errors.includes('cutter')) return h('error', `打印机切纸刀卡住，请打开纸仓盖清除卡纸后合上。${SAVED}，恢复后自动补打`);
  if (status.coverOpen) return h('error', `打印机纸仓盖未合上，请合上纸仓盖。${SAVED}，合上后自动补打`);
  if (status.paperOut) return h('error', `打印机缺纸，${SAVED}，换纸后自动补打`);
  if (status.errors.includes('auto-recoverable')) return h('warning', '打印头温度过高，正在冷却，稍后自动继续打印');
  if (status.feeding) return h('warning', '打印机正在走纸，稍后自动继续打印');
  if (!status.online) return h('error', `打印机处于离线状态，请检查打印机指示灯。${SAVED}，恢复后自动补打`);
  if (status.paperNearEnd) return h('warning', '打印纸即将用完，请准备更换纸卷', true);
  return h('ok', '打印机正常', true);
}

export type UnreachableReason = 'timeout' | 'disconnected' | 'not_connected';

/** Health when the printer does not answer at all. */
export function unreachableHealth(reason: UnreachableReason): PrinterHealth {
  const detail = {
    timeout: `打印机无响应，请检查电源和连接线。${SAVED}，恢复后自动补打`,
    disconnected: `打印机连接已断开，请检查连接线。${SAVED}，重新连接后自动补打`,
    not_connected: `未连接打印机，请检查电源和连接线。${SAVED}，连接后自动补打`,
  }[reason];
  return { health: 'absent', detail, printable: false, status: null };
}
