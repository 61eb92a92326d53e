import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeEscpos } from './escpos-decode';
import { testPage, toMarkup } from './receipt';
import { CUT, markupToEscpos, markupToSvg, nativeQrCommands, receiptToEscpos, receiptToSvg } from './render';
import { sampleReceipt } from './test-support';

const RARE = '䶮𠀀𪚥㐀'; // CJK Ext A and Ext B: 2- and 4-byte GB18030, outside GBK

describe('markupToEscpos', () => {
  it('encodes Chinese as GB18030 (4-byte sequences for rare characters) in Chinese mode', () => {
    const bytes = Buffer.from(markupToEscpos(`|王*${RARE} |\n`));
    expect(bytes.includes(iconv.encode('王*䶮', 'gb18030'))).toBe(true);
    expect(bytes.includes(Buffer.from([0x95, 0x32, 0x82, 0x36]))).toBe(true); // 𠀀 = U+20000
    expect(bytes.includes(Buffer.from([0x1c, 0x26]))).toBe(true); // FS &
    expect(iconv.encode(RARE, 'cp936').toString()).toContain('?'); // why not GBK
    expect(decodeEscpos(bytes).text.trimEnd()).toBe(`王*${RARE}`);
  });

  it('decodes back to the same text for every line of a receipt', () => {
    const { text } = decodeEscpos(receiptToEscpos(sampleReceipt()));
    for (const line of ['受理回执', '办件编号   HALL01-20261126-C03-0042', '申请人     张*三', '证件号码   4201**********1234', '经办人     李*']) {
      expect(text).toContain(line);
    }
  });

  it('prints the QR with the native GS ( k command by default, raster on request', () => {
    const native = decodeEscpos(receiptToEscpos(sampleReceipt())).commands;
    expect(native.filter((c) => c.op === 'qr').map((c) => c.action)).toEqual(['model', 'size', 'errorLevel', 'store', 'print']);
    expect(native).toContainEqual({ op: 'qr', action: 'store', data: 'HC1:HALL01-20261126-C03-0042:c2lnbmF0dXJl', bytes: 41 });
    expect(native.some((c) => c.op === 'raster')).toBe(false);

    const rasterBytes = markupToEscpos(toMarkup(sampleReceipt()), { qr: 'raster' });
    const raster = decodeEscpos(rasterBytes).commands;
    expect(raster.some((c) => c.op === 'qr')).toBe(false);
    expect(raster.filter((c) => c.op === 'raster')).toHaveLength(1);
    expect(receiptToEscpos(sampleReceipt()).length).toBeLessThan(rasterBytes.length / 2);
  });

  it('keeps QR payload characters that are special in receiptline', () => {
    const payload = 'HC1:R-1:a;b|c{d}\\e';
    const doc = { ...sampleReceipt(), qrPayload: payload };
    expect(decodeEscpos(receiptToEscpos(doc)).commands).toContainEqual({ op: 'qr', action: 'store', data: payload, bytes: payload.length });
  });

  it('starts with ESC @, ends with one cut and no GS r (the driver adds its own)', () => {
    const bytes = receiptToEscpos(sampleReceipt());
    expect(Array.from(bytes.subarray(0, 2))).toEqual([0x1b, 0x40]);
    expect(Buffer.from(bytes.subarray(-CUT.length)).toString('latin1')).toBe(CUT);
    const ops = decodeEscpos(bytes).commands;
    expect(ops.filter((c) => c.op === 'cut')).toHaveLength(1);
    expect(ops.some((c) => c.op === 'transmitStatus')).toBe(false);
  });

  it('builds the native QR command sequence byte for byte', () => {
    expect(Buffer.from(nativeQrCommands('AB', 4, 'q'), 'latin1').toString('hex')).toBe(
      '1d286b0400314132001d286b03003143041d286b03003145321d286b0500315030' + '4142' + '1d286b0300315130',
    );
    expect(nativeQrCommands('', 4, 'q')).toBe('');
  });
});

describe('SVG preview', () => {
  it('renders the receipt as SVG with the Chinese text and a QR, fetching no web font', () => {
    const svg = receiptToSvg(sampleReceipt());
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('lang="zh-Hans"');
    for (const ch of ['受', '张', '三', '办']) expect(svg).toContain(`>${ch}<`);
    expect(svg).toMatch(/<path d="/); // the QR
    expect(svg).not.toContain('googleapis');
  });

  it('escapes data in the SVG (the renderer shows it)', () => {
    const svg = receiptToSvg({ ...sampleReceipt(), serviceItem: '<script>alert(1)</script>&' });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;');
    expect(svg).toContain('&amp;');
  });

  it('uses the same markup for both outputs', () => {
    const page = testPage({ hallName: '示例大厅', printerLabel: 'P', printedAt: '2026-11-26T01:00:00Z' });
    expect(markupToSvg(toMarkup(page))).toContain('>䶮<');
    expect(decodeEscpos(markupToEscpos(toMarkup(page))).text).toContain('生僻字：䶮 𠀀 𪚥 㐀');
  });
});
