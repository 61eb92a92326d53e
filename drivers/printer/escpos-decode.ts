/**
 * A small ESC/POS decoder: bytes → typed commands + the text a receipt would show. Used by the
 * emulated printer, by tests ("the printer received GB18030 bytes that decode to 受理回执 … 张*三") and
 * by `hall diag decode --protocol escpos`.
 *
 * It knows the commands receiptline emits and the common Epson/Chinese-printer set; anything else
 * becomes `{ op: 'unknown', unknown: 0xNN }` (one entry per byte it could not place) and decoding goes
 * on with the next byte. It never throws on input and never allocates for declared payload sizes
 * (a raster header claiming 4 GB only reports what is missing).
 *
 * Text: bytes ≥ 0x20 between commands. In Chinese mode (FS &, the power-on default of Chinese-market
 * printers, restored by ESC @) they are GB18030 (1, 2 or 4 bytes a character) decoded with iconv-lite;
 * after FS . they are single bytes of the code page chosen with ESC t.
 */
import iconv from 'iconv-lite';

export type Align = 'left' | 'center' | 'right';
export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';

export type QrAction =
  | { action: 'model'; model: number }
  | { action: 'size'; size: number }
  | { action: 'errorLevel'; level: QrErrorLevel | null }
  | { action: 'store'; data: string; bytes: number }
  | { action: 'print' }
  | { action: 'other'; fn: number };

export type EscposCommand =
  | { op: 'init' } // ESC @
  | { op: 'text'; text: string; cells: number } // cells: half-width character cells at 1× size
  | { op: 'lf' }
  | { op: 'cr' }
  | { op: 'tab' }
  | { op: 'formFeed' }
  | { op: 'cancel' } // CAN (page mode)
  | { op: 'kanji'; on: boolean } // FS & / FS .
  | { op: 'align'; align: Align | null } // ESC a n (null: n out of range)
  | { op: 'bold'; on: boolean } // ESC E n
  | { op: 'printMode'; fontB: boolean; bold: boolean; doubleHeight: boolean; doubleWidth: boolean; underline: boolean } // ESC !
  | { op: 'size'; width: number; height: number } // GS ! n (1–8 each)
  | { op: 'position'; mode: 'absolute' | 'relative'; dots: number } // ESC $ / ESC \
  | { op: 'feed'; unit: 'lines' | 'dots'; amount: number } // ESC d / ESC J
  | { op: 'raster'; mode: number; widthBytes: number; height: number } // GS v 0
  | { op: 'graphics'; command: 'GS ( L' | 'GS 8 L'; fn: number | null; length: number } // store/print graphics
  | { op: 'bitImage'; mode: number; width: number } // ESC *
  | ({ op: 'qr' } & QrAction) // GS ( k cn=49
  | { op: 'barcode'; type: number; data: string } // GS k
  | { op: 'cut'; mode: 'full' | 'partial'; feed: number } // GS V (ESC i / ESC m)
  | { op: 'status'; n: number } // DLE EOT n (real-time status request)
  | { op: 'transmitStatus'; n: number } // GS r n (answered after everything before it was processed)
  | { op: 'setting'; command: string; args: number[] } // understood, no effect on the text
  | { op: 'block'; command: string; length: number } // length-prefixed block skipped as a whole
  | { op: 'truncated'; command: string; bytes: number } // input ended inside a command (bytes: what was there)
  | { op: 'unknown'; unknown: number };

export type EscposOp = EscposCommand['op'];

export interface DecoderOptions {
  /** Chinese (GB18030) mode at start and after ESC @. Default true, as on Chinese-market printers. */
  kanji?: boolean;
}

const ESC = 0x1b;
const FS = 0x1c;
const GS = 0x1d;
const DLE = 0x10;

type Parsed = { length: number; command: EscposCommand };
/** `MORE`: the bytes so far could be this command but it is not complete yet. `null`: not a command. */
const MORE = 'more' as const;
type ParseResult = Parsed | typeof MORE | null;

const u16 = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
const s16 = (b: Uint8Array, i: number): number => {
  const v = u16(b, i);
  return v >= 0x8000 ? v - 0x10000 : v;
};

/** Commands with a fixed number of parameter bytes and no effect on the decoded text. */
const ESC_FIXED: Record<number, [name: string, args: number]> = {
  0x2d: ['ESC -', 1],
  0x4d: ['ESC M', 1],
  0x74: ['ESC t', 1],
  0x52: ['ESC R', 1],
  0x20: ['ESC SP', 1],
  0x32: ['ESC 2', 0],
  0x33: ['ESC 3', 1],
  0x7b: ['ESC {', 1],
  0x47: ['ESC G', 1],
  0x56: ['ESC V', 1],
  0x70: ['ESC p', 3],
  0x3d: ['ESC =', 1],
  0x72: ['ESC r', 1],
  0x4c: ['ESC L', 0],
  0x53: ['ESC S', 0],
  0x54: ['ESC T', 1],
  0x57: ['ESC W', 8],
  0x0c: ['ESC FF', 0],
  0x55: ['ESC U', 1],
  0x75: ['ESC u', 1],
  0x76: ['ESC v', 0],
  0x25: ['ESC %', 1],
  0x3f: ['ESC ?', 1],
  0x4b: ['ESC K', 1],
  0x65: ['ESC e', 1],
};

const GS_FIXED: Record<number, [name: string, args: number]> = {
  0x42: ['GS B', 1],
  0x61: ['GS a', 1],
  0x4c: ['GS L', 2],
  0x57: ['GS W', 2],
  0x49: ['GS I', 1],
  0x48: ['GS H', 1],
  0x68: ['GS h', 1],
  0x77: ['GS w', 1],
  0x66: ['GS f', 1],
  0x50: ['GS P', 2],
  0x24: ['GS $', 2],
  0x5c: ['GS \\', 2],
  0x54: ['GS T', 1],
  0x62: ['GS b', 1],
  0x2f: ['GS /', 1],
  0x3a: ['GS :', 0],
  0x5e: ['GS ^', 3],
};

const FS_FIXED: Record<number, [name: string, args: number]> = {
  0x21: ['FS !', 1],
  0x2d: ['FS -', 1],
  0x43: ['FS C', 1],
  0x53: ['FS S', 2],
  0x57: ['FS W', 1],
  0x70: ['FS p', 2],
  0x3f: ['FS ?', 2],
};

/** Code pages of ESC t that iconv-lite can decode; others print as U+FFFD in the text. */
const CODE_PAGES: Record<number, string> = { 0: 'cp437', 2: 'cp850', 16: 'windows1252', 17: 'cp866', 18: 'cp852', 19: 'cp858' };

const ALIGNS: Record<number, Align> = { 0: 'left', 48: 'left', 1: 'center', 49: 'center', 2: 'right', 50: 'right' };
const QR_LEVELS: Record<number, QrErrorLevel> = { 48: 'L', 49: 'M', 50: 'Q', 51: 'H' };

/** b[start, end) as a plain array (a loop: Array.from over a subarray is several times slower here). */
function slice(b: Uint8Array, start: number, end: number): number[] {
  const out: number[] = [];
  for (let k = start; k < end; k++) out.push(b[k]!);
  return out;
}

function fixed(b: Uint8Array, i: number, name: string, args: number): ParseResult {
  if (b.length < i + 2 + args) return MORE;
  return { length: 2 + args, command: { op: 'setting', command: name, args: slice(b, i + 2, i + 2 + args) } };
}

/** `need` bytes from i must be present; otherwise MORE. */
function has(b: Uint8Array, i: number, need: number): boolean {
  return b.length >= i + need;
}

function parseEsc(b: Uint8Array, i: number): ParseResult {
  if (!has(b, i, 2)) return MORE;
  const c = b[i + 1]!;
  switch (c) {
    case 0x40:
      return { length: 2, command: { op: 'init' } };
    case 0x21: {
      if (!has(b, i, 3)) return MORE;
      const n = b[i + 2]!;
      return {
        length: 3,
        command: {
          op: 'printMode',
          fontB: (n & 0x01) !== 0,
          bold: (n & 0x08) !== 0,
          doubleHeight: (n & 0x10) !== 0,
          doubleWidth: (n & 0x20) !== 0,
          underline: (n & 0x80) !== 0,
        },
      };
    }
    case 0x45:
      if (!has(b, i, 3)) return MORE;
      return { length: 3, command: { op: 'bold', on: (b[i + 2]! & 1) === 1 } };
    case 0x61:
      if (!has(b, i, 3)) return MORE;
      return { length: 3, command: { op: 'align', align: ALIGNS[b[i + 2]!] ?? null } };
    case 0x24:
    case 0x5c:
      if (!has(b, i, 4)) return MORE;
      return {
        length: 4,
        command: c === 0x24 ? { op: 'position', mode: 'absolute', dots: u16(b, i + 2) } : { op: 'position', mode: 'relative', dots: s16(b, i + 2) },
      };
    case 0x64:
    case 0x4a:
      if (!has(b, i, 3)) return MORE;
      return { length: 3, command: { op: 'feed', unit: c === 0x64 ? 'lines' : 'dots', amount: b[i + 2]! } };
    case 0x69:
    case 0x6d:
      return { length: 2, command: { op: 'cut', mode: c === 0x69 ? 'full' : 'partial', feed: 0 } };
    case 0x63: {
      // ESC c 3 n / ESC c 4 n / ESC c 5 n
      if (!has(b, i, 3)) return MORE;
      const sub = b[i + 2]!;
      if (sub < 0x33 || sub > 0x35) return null;
      if (!has(b, i, 4)) return MORE;
      return { length: 4, command: { op: 'setting', command: `ESC c ${String.fromCharCode(sub)}`, args: [b[i + 3]!] } };
    }
    case 0x2a: {
      // ESC * m nL nH d1…dk, k = n (m = 0, 1) or 3n (m = 32, 33)
      if (!has(b, i, 5)) return MORE;
      const m = b[i + 2]!;
      const width = u16(b, i + 3);
      const length = 5 + width * (m <= 1 ? 1 : 3);
      if (!has(b, i, length)) return MORE;
      return { length, command: { op: 'bitImage', mode: m, width } };
    }
    case 0x44: {
      // ESC D n1 … nk NUL (k ≤ 32)
      for (let k = i + 2; k < Math.min(b.length, i + 2 + 33); k++) {
        if (b[k] === 0) return { length: k - i + 1, command: { op: 'setting', command: 'ESC D', args: slice(b, i + 2, k) } };
      }
      return b.length >= i + 2 + 33 ? null : MORE;
    }
    case 0x26:
      return parseUserChars(b, i);
    default: {
      const spec = ESC_FIXED[c];
      return spec ? fixed(b, i, spec[0], spec[1]) : null;
    }
  }
}

/** ESC & y c1 c2 [x d1 … d(y·x)] for each character c1…c2. */
function parseUserChars(b: Uint8Array, i: number): ParseResult {
  if (!has(b, i, 5)) return MORE;
  const y = b[i + 2]!;
  const c1 = b[i + 3]!;
  const c2 = b[i + 4]!;
  if (c2 < c1) return null;
  let k = i + 5;
  for (let ch = c1; ch <= c2; ch++) {
    if (!has(b, k, 1)) return MORE;
    k += 1 + y * b[k]!;
  }
  if (k > b.length) return MORE;
  return { length: k - i, command: { op: 'block', command: 'ESC &', length: k - i - 2 } };
}

function parseGs(b: Uint8Array, i: number): ParseResult {
  if (!has(b, i, 2)) return MORE;
  const c = b[i + 1]!;
  switch (c) {
    case 0x21: {
      if (!has(b, i, 3)) return MORE;
      const n = b[i + 2]!;
      return { length: 3, command: { op: 'size', width: ((n >> 4) & 7) + 1, height: (n & 7) + 1 } };
    }
    case 0x56:
      return parseCut(b, i);
    case 0x76: {
      // GS v 0 m xL xH yL yH d1…dk, k = x·y
      if (!has(b, i, 3)) return MORE;
      if (b[i + 2] !== 0x30) return null;
      if (!has(b, i, 8)) return MORE;
      const widthBytes = u16(b, i + 4);
      const height = u16(b, i + 6);
      const length = 8 + widthBytes * height;
      if (!has(b, i, length)) return MORE;
      return { length, command: { op: 'raster', mode: b[i + 3]!, widthBytes, height } };
    }
    case 0x28:
      return parseGsParen(b, i);
    case 0x38: {
      // GS 8 L p1 p2 p3 p4 m fn … (4-byte length)
      if (!has(b, i, 3)) return MORE;
      if (b[i + 2] !== 0x4c) return null;
      if (!has(b, i, 7)) return MORE;
      const p = b[i + 3]! + b[i + 4]! * 0x100 + b[i + 5]! * 0x10000 + b[i + 6]! * 0x1000000;
      const length = 7 + p;
      if (!has(b, i, length)) return MORE;
      return { length, command: { op: 'graphics', command: 'GS 8 L', fn: p >= 2 ? b[i + 8]! : null, length: p } };
    }
    case 0x72:
      if (!has(b, i, 3)) return MORE;
      return { length: 3, command: { op: 'transmitStatus', n: b[i + 2]! } };
    case 0x6b:
      return parseBarcode(b, i);
    case 0x2a: {
      // GS * x y d1…d(x·y·8)
      if (!has(b, i, 4)) return MORE;
      const length = 4 + b[i + 2]! * b[i + 3]! * 8;
      if (!has(b, i, length)) return MORE;
      return { length, command: { op: 'block', command: 'GS *', length: length - 2 } };
    }
    default: {
      const spec = GS_FIXED[c];
      return spec ? fixed(b, i, spec[0], spec[1]) : null;
    }
  }
}

function parseCut(b: Uint8Array, i: number): ParseResult {
  if (!has(b, i, 3)) return MORE;
  const m = b[i + 2]!;
  if (m === 0 || m === 0x30) return { length: 3, command: { op: 'cut', mode: 'full', feed: 0 } };
  if (m === 1 || m === 0x31) return { length: 3, command: { op: 'cut', mode: 'partial', feed: 0 } };
  if (m === 65 || m === 66 || m === 97 || m === 98 || m === 103 || m === 104) {
    if (!has(b, i, 4)) return MORE;
    return { length: 4, command: { op: 'cut', mode: m % 2 === 1 ? 'full' : 'partial', feed: b[i + 3]! } };
  }
  return null;
}

/** GS ( x pL pH …: QR (GS ( k, cn 49), graphics (GS ( L), anything else skipped as a block. */
function parseGsParen(b: Uint8Array, i: number): ParseResult {
  if (!has(b, i, 5)) return MORE;
  const x = b[i + 2]!;
  const p = u16(b, i + 3);
  const length = 5 + p;
  if (!has(b, i, length)) return MORE;
  const body = b.subarray(i + 5, i + length);
  if (x === 0x6b && p >= 2 && body[0] === 49) return { length, command: { op: 'qr', ...qrAction(body) } };
  if (x === 0x4c) return { length, command: { op: 'graphics', command: 'GS ( L', fn: p >= 2 ? body[1]! : null, length: p } };
  return { length, command: { op: 'block', command: `GS ( ${printable(x)}`, length: p } };
}

/** body = cn fn [parameters] of GS ( k with cn = 49 (QR Code). */
function qrAction(body: Uint8Array): QrAction {
  const fn = body[1]!;
  const arg = body[2];
  switch (fn) {
    case 65:
      return arg === undefined ? { action: 'other', fn } : { action: 'model', model: arg - 48 };
    case 67:
      return arg === undefined ? { action: 'other', fn } : { action: 'size', size: arg };
    case 69:
      return arg === undefined ? { action: 'other', fn } : { action: 'errorLevel', level: QR_LEVELS[arg] ?? null };
    case 80: {
      const data = body.subarray(3);
      return { action: 'store', data: Buffer.from(data.buffer, data.byteOffset, data.length).toString('utf8'), bytes: data.length };
    }
    case 81:
      return { action: 'print' };
    default:
      return { action: 'other', fn };
  }
}

function parseBarcode(b: Uint8Array, i: number): ParseResult {
  if (!has(b, i, 3)) return MORE;
  const m = b[i + 2]!;
  if (m <= 6) {
    // data … NUL
    const end = b.indexOf(0, i + 3);
    if (end < 0) return b.length - (i + 3) > 255 ? null : MORE;
    return { length: end - i + 1, command: { op: 'barcode', type: m, data: latin1(b, i + 3, end) } };
  }
  if (m >= 65 && m <= 79) {
    if (!has(b, i, 4)) return MORE;
    const n = b[i + 3]!;
    if (!has(b, i, 4 + n)) return MORE;
    return { length: 4 + n, command: { op: 'barcode', type: m, data: latin1(b, i + 4, i + 4 + n) } };
  }
  return null;
}

function parseFs(b: Uint8Array, i: number): ParseResult {
  if (!has(b, i, 2)) return MORE;
  const c = b[i + 1]!;
  switch (c) {
    case 0x26:
      return { length: 2, command: { op: 'kanji', on: true } };
    case 0x2e:
      return { length: 2, command: { op: 'kanji', on: false } };
    case 0x28: {
      // FS ( x pL pH …
      if (!has(b, i, 5)) return MORE;
      const p = u16(b, i + 3);
      if (!has(b, i, 5 + p)) return MORE;
      return { length: 5 + p, command: { op: 'block', command: `FS ( ${printable(b[i + 2]!)}`, length: p } };
    }
    case 0x32:
      // FS 2 c1 c2 d1…d72 (user-defined Kanji)
      if (!has(b, i, 76)) return MORE;
      return { length: 76, command: { op: 'block', command: 'FS 2', length: 74 } };
    case 0x71:
      return parseNvImages(b, i);
    default: {
      const spec = FS_FIXED[c];
      return spec ? fixed(b, i, spec[0], spec[1]) : null;
    }
  }
}

/** FS q n [xL xH yL yH d1…dk]… with k = x·y·8 per image. */
function parseNvImages(b: Uint8Array, i: number): ParseResult {
  if (!has(b, i, 3)) return MORE;
  let k = i + 3;
  for (let img = 0; img < b[i + 2]!; img++) {
    if (!has(b, k, 4)) return MORE;
    k += 4 + u16(b, k) * u16(b, k + 2) * 8;
  }
  if (k > b.length) return MORE;
  return { length: k - i, command: { op: 'block', command: 'FS q', length: k - i - 2 } };
}

function parseDle(b: Uint8Array, i: number): ParseResult {
  if (!has(b, i, 2)) return MORE;
  const c = b[i + 1]!;
  if (c === 0x04) {
    if (!has(b, i, 3)) return MORE;
    const n = b[i + 2]!;
    if (n === 7 || n === 8) {
      if (!has(b, i, 4)) return MORE;
      return { length: 4, command: { op: 'setting', command: 'DLE EOT', args: [n, b[i + 3]!] } };
    }
    return { length: 3, command: { op: 'status', n } };
  }
  if (c === 0x05) {
    if (!has(b, i, 3)) return MORE;
    return { length: 3, command: { op: 'setting', command: 'DLE ENQ', args: [b[i + 2]!] } };
  }
  if (c === 0x14) {
    // DLE DC4 fn …: 1 m t, 2 a b, 3 a n r t1 t2, 7 m, 8 d1…d7
    if (!has(b, i, 3)) return MORE;
    const fn = b[i + 2]!;
    const args = ({ 1: 2, 2: 2, 3: 5, 7: 1, 8: 7 } as Record<number, number>)[fn];
    if (args === undefined) return null;
    if (!has(b, i, 3 + args)) return MORE;
    return { length: 3 + args, command: { op: 'setting', command: 'DLE DC4', args: slice(b, i + 2, i + 3 + args) } };
  }
  return null;
}

const SINGLE: Record<number, EscposCommand> = {
  0x0a: { op: 'lf' },
  0x0d: { op: 'cr' },
  0x09: { op: 'tab' },
  0x0c: { op: 'formFeed' },
  0x18: { op: 'cancel' },
};

function parseControl(b: Uint8Array, i: number): ParseResult {
  const byte = b[i]!;
  switch (byte) {
    case ESC:
      return parseEsc(b, i);
    case GS:
      return parseGs(b, i);
    case FS:
      return parseFs(b, i);
    case DLE:
      return parseDle(b, i);
    default: {
      const single = SINGLE[byte];
      return single ? { length: 1, command: { ...single } } : null;
    }
  }
}

/** Short names for diagnostics: the byte as ASCII when printable, hex otherwise. */
function printable(byte: number): string {
  return byte > 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `0x${byte.toString(16).padStart(2, '0')}`;
}

function latin1(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

/** End of the last complete GB18030 character in b[start, end). */
function gb18030Boundary(b: Uint8Array, start: number, end: number): number {
  let k = start;
  while (k < end) {
    const lead = b[k]!;
    let size = 1;
    if (lead >= 0x81 && lead <= 0xfe) {
      if (k + 1 >= end) break;
      const second = b[k + 1]!;
      size = second >= 0x30 && second <= 0x39 ? 4 : 2;
    }
    if (k + size > end) break;
    k += size;
  }
  return k;
}

/** Display width of decoded text in half-width cells: ASCII one, everything else two (Chinese mode). */
function cellsOf(text: string): number {
  let cells = 0;
  for (const ch of text) cells += ch.codePointAt(0)! < 0x80 ? 1 : 2;
  return cells;
}

/**
 * Streaming decoder (a printer receives its job in arbitrary chunks). `push` returns the commands that
 * are complete; an unfinished command or a GB18030 character cut in half waits for the next chunk.
 * `end` flushes: an unfinished command becomes `truncated`.
 */
export class EscposDecoder {
  private pending: Uint8Array = new Uint8Array(0);
  private kanji: boolean;
  private codePage = 0;

  constructor(private readonly options: DecoderOptions = {}) {
    this.kanji = options.kanji ?? true;
  }

  push(chunk: Uint8Array): EscposCommand[] {
    const buf = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    const { commands, consumed } = this.decode(buf, false);
    this.pending = buf.slice(consumed);
    return commands;
  }

  end(): EscposCommand[] {
    const buf = this.pending;
    this.pending = new Uint8Array(0);
    return this.decode(buf, true).commands;
  }

  /** Bytes held back waiting for the rest of a command. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  private decode(b: Uint8Array, final: boolean): { commands: EscposCommand[]; consumed: number } {
    const out: EscposCommand[] = [];
    let i = 0;
    while (i < b.length) {
      const byte = b[i]!;
      if (byte >= 0x20) {
        let end = i + 1;
        while (end < b.length && b[end]! >= 0x20) end++;
        const stop = this.kanji && !(final || end < b.length) ? gb18030Boundary(b, i, end) : end;
        if (stop === i) break; // only half a character so far
        out.push(this.text(b, i, stop));
        i = stop;
        continue;
      }
      const parsed = parseControl(b, i);
      if (parsed === MORE) {
        if (!final) break;
        out.push({ op: 'truncated', command: commandName(b, i), bytes: b.length - i });
        i = b.length;
        break;
      }
      if (parsed === null) {
        out.push({ op: 'unknown', unknown: byte });
        i += 1;
        continue;
      }
      this.track(parsed.command);
      out.push(parsed.command);
      i += parsed.length;
    }
    return { commands: out, consumed: i };
  }

  private track(command: EscposCommand): void {
    if (command.op === 'kanji') this.kanji = command.on;
    else if (command.op === 'init') {
      this.kanji = this.options.kanji ?? true;
      this.codePage = 0;
    } else if (command.op === 'setting' && command.command === 'ESC t') this.codePage = command.args[0] ?? 0;
  }

  private text(b: Uint8Array, start: number, end: number): EscposCommand {
    let ascii = '';
    for (let k = start; k < end; k++) {
      const c = b[k]!;
      if (c >= 0x80) break;
      ascii += String.fromCharCode(c);
    }
    if (ascii.length === end - start) return { op: 'text', text: ascii, cells: ascii.length }; // the common case
    const bytes = Buffer.from(b.buffer, b.byteOffset + start, end - start);
    if (this.kanji) {
      const text = iconv.decode(bytes, 'gb18030');
      return { op: 'text', text, cells: cellsOf(text) };
    }
    const page = CODE_PAGES[this.codePage];
    const text = page ? iconv.decode(bytes, page) : bytes.toString('latin1').replace(/[\x80-\xff]/g, '\ufffd');
    return { op: 'text', text, cells: bytes.length };
  }
}

/** Name of the command starting at b[i] for `truncated` entries, e.g. "GS v 0", "ESC a". */
function commandName(b: Uint8Array, i: number): string {
  const prefix = { [ESC]: 'ESC', [GS]: 'GS', [FS]: 'FS', [DLE]: 'DLE' }[b[i]!] ?? `0x${b[i]!.toString(16)}`;
  const parts = [prefix];
  for (let k = i + 1; k < Math.min(b.length, i + 3); k++) {
    const c = b[k]!;
    if (c < 0x21 || c > 0x7e) break;
    parts.push(String.fromCharCode(c));
    if (!(c === 0x28 || c === 0x76 || c === 0x38)) break; // two-letter names: GS ( k, GS v 0, GS 8 L
  }
  return parts.join(' ');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Dots of one half-width character in font A (12 × 24), the 80 mm default receiptline lays out with. */
export const CELL_DOTS = 12;

/**
 * Turns commands into the plain text a receipt shows: line feeds end lines, absolute/relative print
 * positions become spaces (receiptline lays out columns with ESC $), character size scales widths.
 * Alignment is not simulated (receiptline positions text itself).
 */
export class TextLayout {
  private readonly done: string[] = [];
  private line = '';
  private x = 0;
  private scale = 1;

  apply(command: EscposCommand): void {
    switch (command.op) {
      case 'text':
        this.line += command.text;
        this.x += command.cells * CELL_DOTS * this.scale;
        break;
      case 'lf':
        this.newLine();
        break;
      case 'feed':
        if (command.unit === 'lines') for (let k = 0; k < Math.max(1, command.amount); k++) this.newLine();
        else this.newLine();
        break;
      case 'position': {
        const target = command.mode === 'absolute' ? command.dots : this.x + command.dots;
        if (target > this.x) this.line += ' '.repeat(Math.round((target - this.x) / CELL_DOTS));
        this.x = Math.max(0, target);
        break;
      }
      case 'tab':
        this.line += '\t';
        break;
      case 'size':
        this.scale = command.width;
        break;
      case 'printMode':
        this.scale = command.doubleWidth ? 2 : 1;
        break;
      case 'init':
        this.scale = 1;
        break;
      default:
        break;
    }
  }

  /** The lines so far (the current unfinished line included when it has text). */
  lines(): string[] {
    const current = this.line.trimEnd();
    return current.length > 0 ? [...this.done, current] : [...this.done];
  }

  text(): string {
    return this.lines().join('\n');
  }

  /** Returns the text so far and starts over (used per printed page). */
  take(): string {
    const text = this.text();
    this.done.length = 0;
    this.line = '';
    this.x = 0;
    return text;
  }

  private newLine(): void {
    this.done.push(this.line.trimEnd());
    this.line = '';
    this.x = 0;
  }
}

export interface EscposDecoded {
  commands: EscposCommand[];
  /** Lines of printed text joined with "\n" (trailing spaces trimmed). */
  text: string;
}

/** Decodes a complete capture. Never throws. */
export function decodeEscpos(bytes: Uint8Array, options: DecoderOptions = {}): EscposDecoded {
  const decoder = new EscposDecoder(options);
  const commands = [...decoder.push(bytes), ...decoder.end()];
  const layout = new TextLayout();
  for (const c of commands) layout.apply(c);
  return { commands, text: layout.text() };
}
