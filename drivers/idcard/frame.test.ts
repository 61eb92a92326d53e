import { describe, expect, it } from 'vitest';
import { hexToBytes, SAM_EXAMPLES } from '../../test/fixtures/idcard/sam-examples';
import { FrameAccumulator } from '../transports/link';
import { encodeAnswer, encodeCommand, encodeFrame, parseFrame, parseHex, samDeframer, toHex, xorChecksum, type SamAnswerFrame, type SamCommandFrame } from './frame';

const parseOk = (hex: string) => {
  const r = parseFrame(hexToBytes(hex));
  if (!r.ok) throw new Error(r.error.message);
  return r.frame;
};

describe('SAM frames: the public examples, byte for byte', () => {
  it.each([
    ['find_card', SAM_EXAMPLES.findCommand],
    ['select_card', SAM_EXAMPLES.selectCommand],
    ['read_basic', SAM_EXAMPLES.readBasicCommand],
    ['sam_status', SAM_EXAMPLES.samStatusCommand],
  ] as const)('encodeCommand(%s) = %s', (name, hex) => {
    expect(toHex(encodeCommand(name))).toBe(hex);
  });

  it.each([
    [SAM_EXAMPLES.findFound, 0x9f, '00000000'],
    [SAM_EXAMPLES.findNone, 0x80, ''],
    [SAM_EXAMPLES.selectOk, 0x90, '0000000000000000'],
    [SAM_EXAMPLES.selectFail, 0x81, ''],
    [SAM_EXAMPLES.readBasicFail, 0x41, ''],
    [SAM_EXAMPLES.samStatusOk, 0x90, ''],
  ])('encodeAnswer reproduces %s', (hex, sw3, data) => {
    expect(toHex(encodeAnswer(sw3, hexToBytes(data)))).toBe(hex);
  });

  it('parses the command examples as host → reader with their names', () => {
    const expected = { [SAM_EXAMPLES.findCommand]: 'find_card', [SAM_EXAMPLES.selectCommand]: 'select_card', [SAM_EXAMPLES.readBasicCommand]: 'read_basic', [SAM_EXAMPLES.samStatusCommand]: 'sam_status' };
    for (const [hex, name] of Object.entries(expected)) {
      const f = parseOk(hex) as SamCommandFrame;
      expect(f.direction).toBe('host_to_reader');
      expect(f.command).toBe(name);
      expect(f.data).toHaveLength(0);
      expect(f.length).toBe(3);
    }
  });

  it('parses the answer examples as reader → host with their statuses', () => {
    const cases: [string, string, number][] = [
      [SAM_EXAMPLES.findFound, 'card_found', 4],
      [SAM_EXAMPLES.findNone, 'find_failed', 0],
      [SAM_EXAMPLES.selectOk, 'ok', 8],
      [SAM_EXAMPLES.selectFail, 'select_failed', 0],
      [SAM_EXAMPLES.readBasicFail, 'read_failed', 0],
      [SAM_EXAMPLES.samStatusOk, 'ok', 0],
    ];
    for (const [hex, status, dataLen] of cases) {
      const f = parseOk(hex) as SamAnswerFrame;
      expect(f.direction).toBe('reader_to_host');
      expect(f.status.name).toBe(status);
      expect(f.data).toHaveLength(dataLen);
      expect(toHex(f.raw)).toBe(hex);
    }
  });

  it('computes CHK as the XOR of LEN and body', () => {
    // 00 03 20 01 → 0x22 (find card)
    expect(xorChecksum(Uint8Array.of(0x00, 0x03, 0x20, 0x01))).toBe(0x22);
  });
});

describe('parseFrame errors', () => {
  it('reports a checksum mismatch with expected and got', () => {
    const r = parseFrame(hexToBytes('AAAAAA96690003200121'));
    expect(r).toEqual({ ok: false, error: { code: 'checksum_mismatch', expected: 0x22, got: 0x21, message: 'checksum mismatch: expected 0x22, got 0x21' } });
  });

  it('formats the message exactly as the technicians read it', () => {
    // body 20 02 with a wrong CHK of 0x22: expected 0x21
    const r = parseFrame(hexToBytes('AAAAAA96690003200222'));
    expect(!r.ok && r.error.message).toBe('checksum mismatch: expected 0x21, got 0x22');
  });

  it('reports too short, bad preamble, invalid and mismatched lengths', () => {
    expect(parseFrame(hexToBytes('AAAA'))).toMatchObject({ ok: false, error: { code: 'too_short', length: 2 } });
    expect(parseFrame(hexToBytes('AAAAAB96690003200122'))).toMatchObject({ ok: false, error: { code: 'bad_preamble' } });
    expect(parseFrame(hexToBytes('AAAAAA96690002200122'))).toMatchObject({ ok: false, error: { code: 'length_invalid', declared: 2 } });
    expect(parseFrame(hexToBytes('AAAAAA96690004200122'))).toMatchObject({ ok: false, error: { code: 'length_mismatch', declared: 4, actual: 3 } });
    expect(parseFrame(hexToBytes('AAAAAA966900042001220000'))).toMatchObject({ ok: false, error: { code: 'length_mismatch', declared: 4, actual: 5 } });
    expect(parseFrame(hexToBytes('AAAAAA9669FFFF20012200'))).toMatchObject({ ok: false, error: { code: 'length_invalid', declared: 0xffff } });
  });

  it('names unknown statuses and commands with their hex', () => {
    const a = parseFrame(encodeAnswer(0x55));
    expect(a.ok && a.frame.direction === 'reader_to_host' && a.frame.status.name).toBe('unknown (0x55)');
    const c = parseFrame(encodeCommand({ cmd: 0x99, para: 0x01 }));
    expect(c.ok && c.frame.direction === 'host_to_reader' && c.frame.command).toBeNull();
  });

  it('refuses to encode bodies the frame cannot carry', () => {
    expect(() => encodeFrame(Uint8Array.of(1))).toThrow(RangeError);
  });
});

describe('samDeframer (stream)', () => {
  const run = (chunks: Uint8Array[]) => {
    const acc = new FrameAccumulator(samDeframer);
    return chunks.flatMap((c) => acc.push(c));
  };

  it('skips garbage before the preamble and finds frames split at every byte', () => {
    const bytes = Uint8Array.from([0x00, 0xaa, 0x13, ...hexToBytes(SAM_EXAMPLES.findFound), ...hexToBytes(SAM_EXAMPLES.selectOk)]);
    const events = run(Array.from(bytes, (b) => Uint8Array.of(b)));
    const frames = events.filter((e) => e.kind === 'frame');
    expect(frames.map((f) => f.kind === 'frame' && toHex(f.frame.raw))).toEqual([SAM_EXAMPLES.findFound, SAM_EXAMPLES.selectOk]);
    expect(events.filter((e) => e.kind === 'error')).toEqual([]);
  });

  it('finds a preamble that follows an extra AA', () => {
    const events = run([Uint8Array.from([0xaa, ...hexToBytes(SAM_EXAMPLES.findNone)])]);
    expect(events.map((e) => e.kind)).toEqual(['discarded', 'frame']);
  });

  it('reports a corrupted frame and still finds the good one after it', () => {
    const bad = hexToBytes(SAM_EXAMPLES.findNone);
    bad[bad.length - 1] = 0x00;
    const events = run([Uint8Array.from([...bad, ...hexToBytes(SAM_EXAMPLES.samStatusOk)])]);
    expect(events[0]).toMatchObject({ kind: 'error', error: { code: 'checksum_mismatch', expected: 0x84, got: 0x00 } });
    expect(events.at(-1)).toMatchObject({ kind: 'frame' });
  });

  it('waits for more bytes on a partial preamble or body', () => {
    expect(samDeframer(Uint8Array.of(0xaa, 0xaa))).toEqual({ kind: 'need_more' });
    expect(samDeframer(hexToBytes('AAAAAA9669000800009F'))).toEqual({ kind: 'need_more' });
  });

  it('rejects an absurd LEN at once instead of waiting for 64 KiB', () => {
    expect(samDeframer(hexToBytes('AAAAAA9669F000'))).toMatchObject({ kind: 'error', error: { code: 'length_invalid' }, skip: 5 });
  });
});

describe('parseHex', () => {
  it('accepts spaces, colons and 0x prefixes', () => {
    expect(parseHex('AA aa:0x96 69')).toEqual({ ok: true, bytes: Uint8Array.of(0xaa, 0xaa, 0x96, 0x69) });
  });
  it('says why input is not hex', () => {
    expect(parseHex('zz')).toEqual({ ok: false, error: 'not hex' });
    expect(parseHex('abc')).toEqual({ ok: false, error: 'odd number of hex digits' });
    expect(parseHex('  ')).toEqual({ ok: false, error: 'empty' });
  });
});
