import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeScanBytes, encodeScanText } from './decode-text';

describe('decodeScanBytes', () => {
  it('decodes UTF-8, Chinese included', () => {
    expect(decodeScanBytes(new TextEncoder().encode('办件 HALL01'))).toEqual({ text: '办件 HALL01', encoding: 'utf-8', lossy: false });
  });

  it('falls back to GB18030 when the bytes are not UTF-8 (GBK-era QR codes)', () => {
    const gbk = new Uint8Array(iconv.encode('政务服务大厅', 'gbk'));
    expect(decodeScanBytes(gbk)).toEqual({ text: '政务服务大厅', encoding: 'gb18030', lossy: false });
  });

  it('decodes GB18030 four-byte sequences (characters outside GBK)', () => {
    const text = '𠀀䶮'; // CJK Extension B and a rare Extension A character
    const bytes = new Uint8Array(iconv.encode(text, 'gb18030'));
    expect(bytes.length).toBeGreaterThan(4);
    expect(decodeScanBytes(bytes)).toMatchObject({ text, encoding: 'gb18030' });
  });

  it('keeps pure ASCII (and the GS separator of GS1 codes) as UTF-8', () => {
    const bytes = Uint8Array.from([0x30, 0x31, 0x1d, 0x32]);
    expect(decodeScanBytes(bytes)).toEqual({ text: '01\u001d2', encoding: 'utf-8', lossy: false });
  });

  it('never throws on binary content and says it is lossy', () => {
    const r = decodeScanBytes(Uint8Array.from([0xff, 0xff, 0x80, 0x00, 0xfe]));
    expect(r.encoding).toBe('gb18030');
    expect(r.lossy).toBe(true);
  });

  it('decodes a view into a larger buffer without reading its neighbours', () => {
    const whole = new TextEncoder().encode('xx中文yy');
    expect(decodeScanBytes(whole.subarray(2, 8)).text).toBe('中文');
    const gb = new Uint8Array([0x41, ...iconv.encode('中文', 'gb18030'), 0x42]);
    expect(decodeScanBytes(gb.subarray(1, 5)).text).toBe('中文');
  });

  it('round-trips with encodeScanText in both encodings', () => {
    for (const encoding of ['utf-8', 'gb18030'] as const) expect(decodeScanBytes(encodeScanText('受理回执 A012', encoding)).text).toBe('受理回执 A012');
  });
});
