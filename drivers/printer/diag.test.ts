import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeEscposHex, parseHex } from './diag';
import { receiptToEscpos } from './render';
import { sampleReceipt } from './test-support';

describe('decodeEscposHex', () => {
  it('decodes a capture to commands and GB18030 text', () => {
    const hex = `1b40 1c26 ${iconv.encode('受理回执', 'gb18030').toString('hex')} 0a 1d5642 00`;
    const result = decodeEscposHex(hex);
    expect(result).toEqual({
      ok: true,
      value: {
        commands: [
          { op: 'init' },
          { op: 'kanji', on: true },
          { op: 'text', text: '受理回执', cells: 8 },
          { op: 'lf' },
          { op: 'cut', mode: 'partial', feed: 0 },
        ],
        text: '受理回执',
      },
    });
  });

  it('accepts common hex dump separators and 0x prefixes', () => {
    expect(parseHex('0x1B 0x40')).toEqual({ ok: true, value: Uint8Array.of(0x1b, 0x40) });
    expect(parseHex('1b:40,0a-0A')).toEqual({ ok: true, value: Uint8Array.of(0x1b, 0x40, 0x0a, 0x0a) });
  });

  it('gives a one-line reason for invalid input', () => {
    for (const [hex, reason] of [
      ['', 'no hex digits given'],
      ['   ', 'no hex digits given'],
      ['1b4', 'odd number of hex digits (3): the last byte is incomplete'],
      ['1b 4g', 'not a hex digit: "g" at position 4'],
    ] as const) {
      const result = decodeEscposHex(hex);
      expect(result).toEqual({ ok: false, error: reason });
      if (!result.ok) expect(result.error).not.toContain('\n');
    }
  });

  it('reports unknown and truncated commands inside a valid result', () => {
    const result = decodeEscposHex('00 1d 76 30 00 10');
    expect(result.ok && result.value.commands).toEqual([
      { op: 'unknown', unknown: 0 },
      { op: 'truncated', command: 'GS v 0', bytes: 5 },
    ]);
  });

  it('round-trips a rendered receipt through hex, JSON-serialisable for the CLI', () => {
    const result = decodeEscposHex(Buffer.from(receiptToEscpos(sampleReceipt())).toString('hex'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.text).toContain('申请人     张*三');
    expect(JSON.parse(JSON.stringify(result.value))).toEqual(result.value);
  });
});
