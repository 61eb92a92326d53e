/**
 * receiptline markup → ESC/POS bytes (for the printer) and → SVG (for the UI preview).
 *
 * - Chinese: receiptline's `gb18030` encoding (iconv-lite underneath): real GB18030, including the
 *   4-byte sequences of rare characters (𠀀 → 95 32 82 36). `cp936` would be GBK and print `?` for them.
 *   Text is sent in Chinese mode (receiptline emits `ESC t 0 FS &` before each run).
 * - Command set: receiptline's `generic` ESC/POS (ESC @, GS v 0 raster images, GS V 66 0 cut): the
 *   commands Chinese-market 80 mm printers (and Epson TM) all understand; `escpos` would add FS ( A and
 *   GS 8 L, which many of them print as garbage.
 * - QR: receiptline 4 always draws QR codes as raster images. We replace its `qrcode` command with the
 *   printer's native `GS ( k` (model 2, cell size, error level, store, print): ~60 bytes instead of
 *   several KB of raster, printed at full speed, and its payload can be read back from the bytes.
 *   `qr: 'raster'` keeps receiptline's image for a printer without native QR.
 * - End: one cut (GS V 66 0). receiptline's trailing `GS r 1` is left out: the driver adds its own to
 *   confirm completion (see printer.ts).
 * - SVG only for the preview: no PNG rasteriser (@resvg/resvg-js) is installed.
 */
import receiptline from 'receiptline';
import { DEFAULT_CPL, toMarkup, type MarkupOptions, type ReceiptDocument } from './receipt';

export type QrMode = 'native' | 'raster';

export interface RenderOptions {
  /** Half-width characters per line (48 for 80 mm, 32 for 58 mm). */
  cpl?: number;
  qr?: QrMode;
}

/** Feed to the cutter and partial cut: GS V 66 0. */
export const CUT = '\x1dVB\x00';

const QR_LEVEL: Record<'l' | 'm' | 'q' | 'h', number> = { l: 48, m: 49, q: 50, h: 51 };

/** GS ( k for one QR code, as a binary string (one char = one byte); payload encoded as UTF-8. */
export function nativeQrCommands(data: string, cell: number, level: 'l' | 'm' | 'q' | 'h'): string {
  const bytes = Buffer.from(data, 'utf8');
  if (bytes.length === 0) return '';
  const gs = (body: number[]): string => String.fromCharCode(0x1d, 0x28, 0x6b, body.length & 0xff, body.length >> 8, ...body);
  const size = Math.min(16, Math.max(1, Math.round(cell)));
  const store = bytes.length + 3;
  return (
    gs([49, 65, 50, 0]) + // model 2
    gs([49, 67, size]) + // module size in dots
    gs([49, 69, QR_LEVEL[level]]) + // error correction level
    String.fromCharCode(0x1d, 0x28, 0x6b, store & 0xff, store >> 8, 49, 80, 48) +
    bytes.toString('latin1') +
    gs([49, 81, 48]) // print
  );
}

function commandSet(qr: QrMode): receiptline.BaseCommand {
  const base = receiptline.commands.generic;
  return {
    ...base,
    close: () => CUT,
    ...(qr === 'native' ? { qrcode: (symbol: receiptline.QRCode) => nativeQrCommands(symbol.data, symbol.cell, symbol.level) } : {}),
  };
}

/** Markup → ESC/POS bytes with Chinese text in GB18030. */
export function markupToEscpos(markup: string, options: RenderOptions = {}): Uint8Array {
  const out = receiptline.transform(markup, {
    cpl: options.cpl ?? DEFAULT_CPL,
    encoding: 'gb18030',
    spacing: true,
    cutting: true,
    gradient: false,
    command: commandSet(options.qr ?? 'native'),
  });
  return Uint8Array.from(Buffer.from(out, 'latin1'));
}

/** Markup → SVG for the preview (Chinese font left to the system: no web font is fetched). */
export function markupToSvg(markup: string, options: Pick<RenderOptions, 'cpl'> = {}): string {
  return receiptline.transform(markup, { cpl: options.cpl ?? DEFAULT_CPL, encoding: 'gb18030', spacing: true, command: 'svg' });
}

export function receiptToEscpos(doc: ReceiptDocument, options: RenderOptions & MarkupOptions = {}): Uint8Array {
  return markupToEscpos(toMarkup(doc, options), options);
}

export function receiptToSvg(doc: ReceiptDocument, options: Pick<RenderOptions, 'cpl'> & MarkupOptions = {}): string {
  return markupToSvg(toMarkup(doc, options), options);
}
