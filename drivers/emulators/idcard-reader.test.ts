/**
 * The emulator at byte level: raw command frames in, exact SAM answer bytes out (checked against the
 * public example frames), in stream and vendor-HID framing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hexToBytes, SAM_EXAMPLES } from '../../test/fixtures/idcard/sam-examples';
import { encodeCommand, parseFrame, toHex, type SamAnswerFrame } from '../idcard/frame';
import { fromHidReport, toHidReports } from '../idcard/packet';
import { EmulatedDevice } from '../transports/emulated';
import type { Transport } from '../transports/transport';
import { sampleCards } from './cards';
import { EmulatedIdCardReader } from './idcard-reader';

let open: Transport[] = [];
afterEach(async () => {
  await Promise.all(open.map((t) => t.close()));
  open = [];
});

/** A host that writes raw bytes and collects whatever comes back. */
async function rawHost(framing: 'stream' | 'hid' = 'stream', baudRate: number | null = null) {
  const device = new EmulatedDevice({ framing: framing === 'hid' ? 'datagram' : 'stream', baudRate });
  const emulator = new EmulatedIdCardReader({ device, framing });
  const t = device.factory();
  open.push(t);
  const chunks: Uint8Array[] = [];
  t.onData((c) => chunks.push(c));
  await t.open();
  const received = (): Uint8Array => Uint8Array.from(chunks.flatMap((c) => (framing === 'hid' ? Array.from(unwrap(c)) : Array.from(c))));
  const exchange = async (frame: Uint8Array, expectBytes: number): Promise<string> => {
    chunks.length = 0;
    for (const p of framing === 'hid' ? toHidReports(frame) : [frame]) await t.write(p);
    const end = Date.now() + 2000;
    while (received().length < expectBytes && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
    return toHex(received());
  };
  return { device, emulator, exchange, chunks };
}

function unwrap(report: Uint8Array): Uint8Array {
  const r = fromHidReport(report);
  if (!r.ok) throw new Error(r.error.message);
  return r.bytes;
}

const len = (hex: string): number => hex.length / 2;

describe('EmulatedIdCardReader speaks the exact SAM bytes', () => {
  it.each(['stream', 'hid'] as const)('answers the public examples byte for byte (%s framing)', async (framing) => {
    const { emulator, exchange } = await rawHost(framing);
    const x = (cmd: string, answer: string): Promise<string> => exchange(hexToBytes(cmd), len(answer));
    expect(await x(SAM_EXAMPLES.findCommand, SAM_EXAMPLES.findNone)).toBe(SAM_EXAMPLES.findNone);
    expect(await x(SAM_EXAMPLES.selectCommand, SAM_EXAMPLES.selectFail)).toBe(SAM_EXAMPLES.selectFail);
    expect(await x(SAM_EXAMPLES.readBasicCommand, SAM_EXAMPLES.readBasicFail)).toBe(SAM_EXAMPLES.readBasicFail);
    expect(await x(SAM_EXAMPLES.samStatusCommand, SAM_EXAMPLES.samStatusOk)).toBe(SAM_EXAMPLES.samStatusOk);
    emulator.placeCard(sampleCards().resident);
    expect(await x(SAM_EXAMPLES.findCommand, SAM_EXAMPLES.findFound)).toBe(SAM_EXAMPLES.findFound);
    expect(await x(SAM_EXAMPLES.selectCommand, SAM_EXAMPLES.selectOk)).toBe(SAM_EXAMPLES.selectOk);
  });

  it('sends HID answers as 64-byte reports with the length in byte 0', async () => {
    const { exchange, chunks } = await rawHost('hid');
    await exchange(hexToBytes(SAM_EXAMPLES.findCommand), len(SAM_EXAMPLES.findNone));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toHaveLength(64);
    expect(chunks[0]?.[0]).toBe(len(SAM_EXAMPLES.findNone));
  });

  it('answers a read with 90, text and photo lengths, 256 + 1024 bytes', async () => {
    const { emulator, exchange } = await rawHost();
    emulator.placeCard(sampleCards().resident);
    await exchange(encodeCommand('find_card'), 15);
    await exchange(encodeCommand('select_card'), 19);
    const hex = await exchange(encodeCommand('read_basic'), 1295);
    const parsed = parseFrame(hexToBytes(hex));
    expect(parsed.ok).toBe(true);
    const f = (parsed as { ok: true; frame: SamAnswerFrame }).frame;
    expect(f.status.name).toBe('ok');
    expect(f.length).toBe(0x0508);
    expect(toHex(f.data.subarray(0, 4))).toBe('01000400');
    expect(toHex(f.data.subarray(4 + 256, 4 + 256 + 4))).toBe('574C6600');
  });

  it('requires find and select before read, like a real reader', async () => {
    const { emulator, exchange } = await rawHost();
    emulator.placeCard(sampleCards().resident);
    expect(await exchange(encodeCommand('read_basic'), 11)).toBe(SAM_EXAMPLES.readBasicFail);
    expect(await exchange(encodeCommand('select_card'), 11)).toBe(SAM_EXAMPLES.selectFail);
    expect(emulator.received).toEqual(['read_basic', 'select_card']);
  });

  it('answers 21 to an unknown command and 10 to a host frame with a bad checksum', async () => {
    const { exchange } = await rawHost();
    expect(await exchange(encodeCommand({ cmd: 0x77, para: 0x01 }), 11)).toBe('AAAAAA9669000400002125');
    const bad = encodeCommand('find_card');
    bad[bad.length - 1] = 0;
    expect(await exchange(bad, 11)).toBe('AAAAAA9669000400001014');
  });

  it('answers the appended address (91 when the card has none) and the SAM id', async () => {
    const { emulator, exchange } = await rawHost();
    const cards = sampleCards();
    emulator.placeCard(cards.resident_expired);
    await exchange(encodeCommand('find_card'), 15);
    await exchange(encodeCommand('select_card'), 19);
    expect(await exchange(encodeCommand('read_appended_address'), 11)).toBe('AAAAAA9669000400009195');
    const samId = await exchange(encodeCommand('sam_id'), 27);
    expect(samId).toHaveLength(27 * 2);
    expect(samId.slice(10, 18)).toBe('00140000');
  });

  it('plays 115200-baud timing: a read answer (1295 bytes) takes ≥ 110 ms on the line', async () => {
    const { emulator, exchange } = await rawHost('stream', 115_200);
    emulator.placeCard(sampleCards().resident);
    await exchange(encodeCommand('find_card'), 15);
    await exchange(encodeCommand('select_card'), 19);
    const t0 = performance.now();
    await exchange(encodeCommand('read_basic'), 1295);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('unplugs mid-read after part of the answer', async () => {
    const { device, emulator, exchange } = await rawHost();
    emulator.placeCard(sampleCards().resident);
    await exchange(encodeCommand('find_card'), 15);
    await exchange(encodeCommand('select_card'), 19);
    emulator.setFault('unplug_mid_read');
    const partial = await exchange(encodeCommand('read_basic'), Math.floor(1295 * 0.4));
    await new Promise((r) => setTimeout(r, 10));
    expect(device.plugged).toBe(false);
    expect(partial.length / 2).toBe(Math.floor(1295 * 0.4));
  });
});
