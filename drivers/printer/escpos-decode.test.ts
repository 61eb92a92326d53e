import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeEscpos, EscposDecoder, type EscposCommand } from './escpos-decode';
import { markupToEscpos, receiptToEscpos } from './render';
import { testPage, toMarkup } from './receipt';
import { sampleReceipt } from './test-support';

const bytes = (...parts: (number | string | number[])[]): Uint8Array =>
  Uint8Array.from(
    parts.flatMap((p) => (typeof p === 'number' ? [p] : typeof p === 'string' ? [...iconv.encode(p, 'gb18030')] : p)),
  );
const ops = (b: Uint8Array): EscposCommand[] => decodeEscpos(b).commands;

describe('decodeEscpos: commands', () => {
  it('decodes init, Chinese mode on/off, alignment, emphasis, print mode and size', () => {
    expect(ops(bytes(0x1b, 0x40, 0x1c, 0x26, 0x1c, 0x2e, 0x1b, 0x61, 1, 0x1b, 0x61, 0x32, 0x1b, 0x61, 9, 0x1b, 0x45, 1, 0x1b, 0x45, 0))).toEqual([
      { op: 'init' },
      { op: 'kanji', on: true },
      { op: 'kanji', on: false },
      { op: 'align', align: 'center' },
      { op: 'align', align: 'right' },
      { op: 'align', align: null },
      { op: 'bold', on: true },
      { op: 'bold', on: false },
    ]);
    expect(ops(bytes(0x1b, 0x21, 0xb9, 0x1d, 0x21, 0x11, 0x1d, 0x21, 0x07))).toEqual([
      { op: 'printMode', fontB: true, bold: true, doubleHeight: true, doubleWidth: true, underline: true },
      { op: 'size', width: 2, height: 2 },
      { op: 'size', width: 1, height: 8 },
    ]);
  });

  it('decodes GS v 0 raster with its size and skips exactly its data', () => {
    const raster = [0x1d, 0x76, 0x30, 0, 2, 0, 3, 0, ...Array<number>(6).fill(0x0a)]; // data bytes look like LF
    expect(ops(bytes(raster, 0x0a))).toEqual([{ op: 'raster', mode: 0, widthBytes: 2, height: 3 }, { op: 'lf' }]);
  });

  it('decodes native QR: model, size, level, store (UTF-8 payload) and print', () => {
    const payload = [...Buffer.from('HC1:R-1:签名', 'utf8')];
    const store = payload.length + 3;
    const b = bytes(
      [0x1d, 0x28, 0x6b, 4, 0, 49, 65, 50, 0],
      [0x1d, 0x28, 0x6b, 3, 0, 49, 67, 5],
      [0x1d, 0x28, 0x6b, 3, 0, 49, 69, 49],
      [0x1d, 0x28, 0x6b, store, 0, 49, 80, 48, ...payload],
      [0x1d, 0x28, 0x6b, 3, 0, 49, 81, 48],
    );
    expect(ops(b)).toEqual([
      { op: 'qr', action: 'model', model: 2 },
      { op: 'qr', action: 'size', size: 5 },
      { op: 'qr', action: 'errorLevel', level: 'M' },
      { op: 'qr', action: 'store', data: 'HC1:R-1:签名', bytes: payload.length },
      { op: 'qr', action: 'print' },
    ]);
  });

  it('decodes cuts, real-time status requests, GS r and line feeds', () => {
    expect(ops(bytes(0x1d, 0x56, 0, 0x1d, 0x56, 0x31, 0x1d, 0x56, 66, 3, 0x10, 0x04, 1, 0x10, 0x04, 4, 0x1d, 0x72, 1, 0x0a))).toEqual([
      { op: 'cut', mode: 'full', feed: 0 },
      { op: 'cut', mode: 'partial', feed: 0 },
      { op: 'cut', mode: 'partial', feed: 3 },
      { op: 'status', n: 1 },
      { op: 'status', n: 4 },
      { op: 'transmitStatus', n: 1 },
      { op: 'lf' },
    ]);
  });

  it('decodes GB18030 text, including 4-byte rare characters, as one run with its width', () => {
    const { commands, text } = decodeEscpos(bytes(0x1c, 0x26, '受理回执 䶮𠀀𪚥 A1', 0x0a));
    expect(commands[1]).toEqual({ op: 'text', text: '受理回执 䶮𠀀𪚥 A1', cells: 4 * 2 + 1 + 3 * 2 + 3 });
    expect(text).toBe('受理回执 䶮𠀀𪚥 A1');
  });

  it('is in Chinese mode by default and after ESC @; FS . switches to the single-byte code page', () => {
    const chinese = [...iconv.encode('张', 'gb18030')];
    const t = (b: Uint8Array): string[] => ops(b).flatMap((c) => (c.op === 'text' ? [c.text] : []));
    expect(t(bytes(chinese))).toEqual(['张']);
    expect(t(bytes(0x1c, 0x2e, 0x1b, 0x74, 16, 0xe9, 0x1b, 0x40, chinese))).toEqual(['é', '张']);
    expect(decodeEscpos(bytes(chinese), { kanji: false }).commands[0]).toMatchObject({ op: 'text', cells: 2 });
  });

  it('lays out text: absolute and relative positions become spaces, size scales widths', () => {
    const b = bytes('办件编号', 0x1b, 0x24, 132, 0, 'R-1', 0x0a, 0x1d, 0x21, 0x11, 'AB', 0x1b, 0x5c, 24, 0, 'C', 0x0a);
    expect(decodeEscpos(b).text).toBe('办件编号   R-1\nAB  C');
  });

  it('turns unknown bytes into { unknown } entries and keeps going', () => {
    expect(ops(bytes(0x00, 0x1b, 0x01, 0x1d, 0xff, 'A'))).toEqual([
      { op: 'unknown', unknown: 0x00 },
      { op: 'unknown', unknown: 0x1b },
      { op: 'unknown', unknown: 0x01 },
      { op: 'unknown', unknown: 0x1d },
      { op: 'text', text: '\ufffdA', cells: 3 },
    ]);
  });

  it('reports a command cut off by the end of the input as truncated', () => {
    expect(ops(bytes(0x0a, 0x1d, 0x76, 0x30, 0, 0xff, 0xff, 0xff, 0xff, 1, 2))).toEqual([
      { op: 'lf' },
      { op: 'truncated', command: 'GS v 0', bytes: 10 },
    ]);
    expect(ops(bytes(0x1b))).toEqual([{ op: 'truncated', command: 'ESC', bytes: 1 }]);
  });

  it('streams: a command or character split across chunks waits for the rest', () => {
    const d = new EscposDecoder();
    const han = [...iconv.encode('𠀀', 'gb18030')];
    expect(d.push(bytes(0x1b))).toEqual([]);
    expect(d.push(bytes(0x61))).toEqual([]);
    expect(d.push(bytes(1, han[0]!, han[1]!))).toEqual([{ op: 'align', align: 'center' }]);
    expect(d.pendingBytes).toBe(2);
    expect(d.push(bytes(han[2]!, han[3]!, 0x0a))).toEqual([{ op: 'text', text: '𠀀', cells: 2 }, { op: 'lf' }]);
    expect(d.end()).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties

const OPS = new Set<string>([
  'init', 'text', 'lf', 'cr', 'tab', 'formFeed', 'cancel', 'kanji', 'align', 'bold', 'printMode', 'size', 'position',
  'feed', 'raster', 'graphics', 'bitImage', 'qr', 'barcode', 'cut', 'status', 'transmitStatus', 'setting', 'block',
  'truncated', 'unknown',
]);

const isInt = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v);

/** Cheap structural check of every field a command carries (no zod: it runs millions of times). */
function wellFormed(c: EscposCommand): boolean {
  if (!OPS.has(c.op)) return false;
  for (const [k, v] of Object.entries(c)) {
    if (k === 'op') continue;
    const ok =
      typeof v === 'string' || typeof v === 'boolean' || v === null || isInt(v) || (Array.isArray(v) && v.every((x) => isInt(x) && x >= 0 && x <= 255));
    if (!ok) return false;
  }
  if (c.op === 'unknown') return c.unknown >= 0 && c.unknown <= 255;
  if (c.op === 'text') return c.text.length > 0 && c.cells >= 1;
  return true;
}

function decodeChunked(b: Uint8Array, cuts: number[]): EscposCommand[] {
  const d = new EscposDecoder();
  const points = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: EscposCommand[] = [];
  let from = 0;
  for (const p of [...points, b.length]) {
    out.push(...d.push(b.subarray(from, p)));
    from = p;
  }
  return [...out, ...d.end()];
}

/** Adjacent text runs merged (a stream splits runs where chunks end). */
function mergeText(list: EscposCommand[]): EscposCommand[] {
  const out: EscposCommand[] = [];
  for (const c of list) {
    const prev = out.at(-1);
    if (c.op === 'text' && prev?.op === 'text') out[out.length - 1] = { op: 'text', text: prev.text + c.text, cells: prev.cells + c.cells };
    else out.push(c);
  }
  return out;
}
const withoutText = (list: EscposCommand[]): EscposCommand[] => list.filter((c) => c.op !== 'text');

/** Field-by-field equality of two command lists (100 000 runs: expect() and JSON.stringify are too slow). */
function sameCommands(a: EscposCommand[], b: EscposCommand[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as unknown as Record<string, unknown>;
    const y = b[i] as unknown as Record<string, unknown>;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const k of keys) {
      const vx = x[k];
      const vy = y[k];
      if (Array.isArray(vx)) {
        if (!Array.isArray(vy) || vx.length !== vy.length || vx.some((v, j) => v !== vy[j])) return false;
      } else if (vx !== vy) return false;
    }
  }
  return true;
}

const REAL_STREAMS: Uint8Array[] = [
  receiptToEscpos(sampleReceipt()),
  receiptToEscpos(testPage({ hallName: '示例大厅', printerLabel: '模拟打印机', printedAt: '2026-11-26T01:00:00Z' })),
  markupToEscpos(toMarkup(sampleReceipt()), { qr: 'raster' }),
];

type Edit = [position: number, value: number, kind: 'set' | 'insert' | 'delete'];

function mutate(base: Uint8Array, start: number, length: number, edits: Edit[]): Uint8Array {
  const from = start % base.length;
  const window = Array.from(base.subarray(from, from + length));
  for (const [position, value, kind] of edits) {
    const at = window.length === 0 ? 0 : position % (window.length + 1);
    if (kind === 'set' && at < window.length) window[at] = value;
    else if (kind === 'insert') window.splice(at, 0, value);
    else window.splice(at, 1);
  }
  return Uint8Array.from(window);
}

const edit = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom<'set' | 'insert' | 'delete'>('set', 'insert', 'delete'));
const mutatedReal = fc
  .tuple(fc.constantFrom(...REAL_STREAMS), fc.nat(), fc.integer({ min: 0, max: 256 }), fc.array(edit, { maxLength: 8 }))
  .map(([base, start, length, edits]) => mutate(base, start, length, edits));
/** Random bytes biased towards command prefixes so that parameters and lengths get exercised. */
const randomStream = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x1b, 0x1c, 0x1d, 0x10, 0x0a, 0x28, 0x6b, 0x76, 0x30, 0x38, 0x4c, 0x04)), { maxLength: 80 })
  .map((a) => Uint8Array.from(a));

describe('decodeEscpos: properties', () => {
  it('never throws and returns well-formed commands on 100 000 random and mutated streams, chunked or whole', () => {
    const started = performance.now();
    let runs = 0;
    const property = fc.property(fc.oneof(randomStream, mutatedReal), fc.array(fc.nat(), { maxLength: 4 }), (b, cuts) => {
      runs += 1;
      const whole = decodeEscpos(b);
      if (typeof whole.text !== 'string') return false;
      for (const c of whole.commands) if (!wellFormed(c)) return false;
      // Chunk boundaries never change which commands are found (plain string compare: expect() is slow).
      return sameCommands(withoutText(decodeChunked(b, cuts)), withoutText(whole.commands));
    });
    fc.assert(property, { numRuns: 100_000, seed: 20261126 });
    const ms = performance.now() - started;
    console.info(`escpos decode property: ${runs} inputs in ${Math.round(ms)} ms`);
    expect(runs).toBe(100_000);
    expect(ms).toBeLessThan(20_000); // a regression guard, loose for loaded CI machines
  }, 60_000);

  it('decodes real receipts identically however the stream is chunked (text included)', () => {
    const started = performance.now();
    fc.assert(
      fc.property(
        fc.constantFrom(...REAL_STREAMS),
        fc.array(fc.nat(), { maxLength: 40 }),
        (b, cuts) => sameCommands(mergeText(decodeChunked(b, cuts)), mergeText(decodeEscpos(b).commands)),
      ),
      { numRuns: 2_000, seed: 7 },
    );
    console.info(`escpos chunking property: 2000 receipts in ${Math.round(performance.now() - started)} ms`);
  }, 60_000);

  it('finds every byte of a real receipt in a known command (nothing unknown or truncated)', () => {
    for (const stream of REAL_STREAMS) {
      const odd = decodeEscpos(stream).commands.filter((c) => c.op === 'unknown' || c.op === 'truncated' || c.op === 'block');
      expect(odd).toEqual([]);
    }
  });
});
