/**
 * IdCardReader over the real stack: FrameLink → emulated transport → EmulatedIdCardReader, in stream
 * and vendor-HID framing, with every fault the emulator plays.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testClock } from '../../main/domain/clock';
import { sampleCards, SYNTHETIC_RECORDS } from '../emulators/cards';
import { placeholderPortraitPng } from '../emulators/idcard-photo';
import { createEmulatedIdCardRig, seededRandom, type EmulatedIdCardRig } from '../emulators/idcard-rig';
import { FramingError } from '../transports/link';
import { TransportError } from '../transports/transport';
import { encodeAnswer, parseFrame, type SamFrame } from './frame';
import { cardLogSummary, IdCardReader, type IdCardReadOutcome, type SamChannel } from './reader';

const clock = testClock('2026-11-26T02:00:00Z');
let rigs: EmulatedIdCardRig[] = [];
afterEach(async () => {
  await Promise.all(rigs.map((r) => r.device.close()));
  rigs.forEach((r) => r.emulator.dispose());
  rigs = [];
});

async function rig(options: Parameters<typeof createEmulatedIdCardRig>[0] = {}): Promise<EmulatedIdCardRig> {
  const r = createEmulatedIdCardRig({ clock, random: seededRandom(7), ...options });
  rigs.push(r);
  await r.device.open();
  return r;
}

function ok(outcome: IdCardReadOutcome) {
  if (!outcome.ok) throw new Error(`expected a card, got ${outcome.error.code}: ${outcome.error.detail}`);
  return outcome;
}

describe.each(['stream', 'hid'] as const)('IdCardReader over the emulated reader (%s framing)', (framing) => {
  it('reads a resident card: record, long-term validity, decoded photo', async () => {
    const r = await rig({ framing, maxChunk: 7 });
    const cards = sampleCards({ photoLibrary: r.photoLibrary });
    r.emulator.placeCard(cards.resident);
    const out = ok(await r.device.reader.read());
    expect(out.card).toEqual(SYNTHETIC_RECORDS.resident);
    expect(out.validity).toEqual({ status: 'valid', today: '2026-11-26', daysLeft: null });
    expect(out.photo.wlt).toHaveLength(1024);
    expect(out.photo.image).toEqual({ mime: 'image/png', bytes: placeholderPortraitPng() });
    expect(out.fingerprint).toBeNull();
    expect(out.appendedAddress).toBeNull();
    expect(r.emulator.received).toEqual(['find_card', 'select_card', 'read_basic']);
  });

  it('reads J and I cards, and flags an expired card', async () => {
    const r = await rig({ framing });
    const cards = sampleCards({ photoLibrary: r.photoLibrary });
    r.emulator.placeCard(cards.hmt);
    expect(ok(await r.device.reader.read()).card).toEqual(SYNTHETIC_RECORDS.hmt);
    r.emulator.placeCard(cards.foreign_2017);
    expect(ok(await r.device.reader.read()).card).toEqual(SYNTHETIC_RECORDS.foreign_2017);
    r.emulator.placeCard(cards.resident_expired);
    expect(ok(await r.device.reader.read()).validity.status).toBe('expired');
  });

  it('reads the 2023 Y card: record and validity', async () => {
    const r = await rig({ framing });
    r.emulator.placeCard(sampleCards({ photoLibrary: r.photoLibrary }).foreign_2023);
    const out = ok(await r.device.reader.read());
    expect(out.card).toEqual(SYNTHETIC_RECORDS.foreign_2023);
    // valid 2024-03-01 – 2034-03-01; the clock says 2026-11-26
    expect(out.validity).toEqual({ status: 'valid', today: '2026-11-26', daysLeft: 2653 });
    expect(out.photo.image).toEqual({ mime: 'image/png', bytes: placeholderPortraitPng(110) });
  });

  it('reads fingerprint (30 10) and appended address (30 03) when asked', async () => {
    const r = await rig({ framing });
    r.emulator.placeCard(sampleCards().resident);
    const out = ok(await r.device.reader.read({ fingerprint: true, appendedAddress: true }));
    expect(out.fingerprint).toHaveLength(1024);
    expect(out.appendedAddress).toBe('北京市东城区测试路2号院3号楼');
    expect(r.emulator.received).toEqual(['find_card', 'select_card', 'read_basic_fingerprint', 'read_appended_address']);
  });

  it('gives an empty fingerprint and no appended address for cards without them', async () => {
    const r = await rig({ framing });
    r.emulator.placeCard(sampleCards().hmt);
    const out = ok(await r.device.reader.read({ fingerprint: true, appendedAddress: true }));
    expect(out.fingerprint).toHaveLength(0);
    expect(out.appendedAddress).toBeNull();
    expect(out.warnings).toEqual([]);
  });
});

describe('IdCardReader faults', () => {
  it('no card on the reader → no_card with the clerk sentence', async () => {
    const r = await rig();
    expect(await r.device.reader.read()).toEqual({
      ok: false,
      error: { code: 'no_card', message: '未检测到证件，请将身份证放在读卡区', detail: 'find: reader answered 0x80 find_failed', step: 'find', status: '0x80' },
    });
  });

  it.each([
    ['no_card', 'no_card', 'find'],
    ['select_fail', 'select_failed', 'select'],
    ['read_fail', 'read_failed', 'read'],
    ['bad_checksum', 'bad_answer', 'read'],
  ] as const)('fault %s → %s at %s', async (fault, code, step) => {
    const r = await rig({ framing: 'stream' });
    r.emulator.placeCard(sampleCards().resident);
    r.emulator.setFault(fault);
    const out = await r.device.reader.read();
    expect(out).toMatchObject({ ok: false, error: { code, step } });
    r.emulator.setFault(null);
    expect((await r.device.reader.read()).ok).toBe(true);
  });

  it('a corrupted answer names the checksum problem for the technician', async () => {
    const r = await rig({ framing: 'hid' });
    r.emulator.placeCard(sampleCards().resident);
    r.emulator.setFault('bad_checksum');
    const out = await r.device.reader.read();
    expect(!out.ok && out.error.detail).toMatch(/^read: checksum mismatch: expected 0x[0-9A-F]{2}, got 0x[0-9A-F]{2}$/);
  });

  it('unplug mid-read → disconnected, the registry hears "lost", and a reopen after replug reads again', async () => {
    const r = await rig({ timing: 'realistic', baudRate: 115_200 });
    const lost: string[] = [];
    r.device.onLost((reason) => lost.push(reason));
    r.emulator.placeCard(sampleCards().resident);
    r.emulator.setFault('unplug_mid_read');
    const out = await r.device.reader.read();
    expect(out).toMatchObject({ ok: false, error: { code: 'disconnected', step: 'read', message: '读卡器已断开，请检查连接线' } });
    expect(lost).toHaveLength(1);
    expect(await r.device.reader.read()).toMatchObject({ ok: false, error: { code: 'disconnected' } });
    r.emulator.setFault(null);
    r.line.replug();
    await r.device.link.reopen();
    expect((await r.device.reader.read()).ok).toBe(true);
  });

  it('slow: a full read at 115200 baud with realistic processing takes 0.5–1 s', async () => {
    const r = await rig({ baudRate: 115_200 });
    r.emulator.placeCard(sampleCards().resident);
    r.emulator.setFault('slow');
    const t0 = performance.now();
    const out = ok(await r.device.reader.read());
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(500);
    expect(ms).toBeLessThan(1000);
    expect(out.durationMs).toBeGreaterThan(500);
  });

  it('times out when the reader does not answer in time', async () => {
    const r = await rig({ timing: 'realistic', timeouts: { readMs: 100 } });
    r.emulator.placeCard(sampleCards().resident);
    expect(await r.device.reader.read()).toMatchObject({ ok: false, error: { code: 'timeout', step: 'read', message: '读卡器无响应，请检查读卡器连接' } });
  });

  it('not connected before open', async () => {
    const r = createEmulatedIdCardRig();
    expect(await r.device.reader.read()).toMatchObject({ ok: false, error: { code: 'not_connected' } });
  });
});

describe('IdCardReader with a scripted channel', () => {
  const script = (answers: (Uint8Array | Error)[]): SamChannel => ({
    request: async () => {
      const next = answers.shift();
      if (!next) throw new TransportError('timeout', 'script ended');
      if (next instanceof Error) throw next;
      const p = parseFrame(next);
      if (!p.ok) throw new Error(p.error.message);
      return p.frame as SamFrame;
    },
  });
  const FOUND = encodeAnswer(0x9f, new Uint8Array(4));
  const SELECTED = encodeAnswer(0x90, new Uint8Array(8));

  it.each([
    [0x31, 'auth_failed'],
    [0x40, 'unknown_card_type'],
    [0x60, 'sam_failure'],
    [0x66, 'sam_not_authorised'],
    [0x21, 'reader_rejected'],
    [0x47, 'unexpected_status'],
  ])('maps read status 0x%s to %s', async (sw3, code) => {
    const reader = new IdCardReader({ channel: script([FOUND, SELECTED, encodeAnswer(sw3)]) });
    expect(await reader.read()).toMatchObject({ ok: false, error: { code, step: 'read' } });
  });

  it('refuses a read answer whose lengths do not add up', async () => {
    const reader = new IdCardReader({ channel: script([FOUND, SELECTED, encodeAnswer(0x90, Uint8Array.of(1, 0, 4, 0, 9))]) });
    expect(await reader.read()).toMatchObject({ ok: false, error: { code: 'malformed_answer' } });
  });

  it('refuses an echoed command frame as an answer', async () => {
    const echo = Uint8Array.from([0xaa, 0xaa, 0xaa, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22]);
    const reader = new IdCardReader({ channel: script([echo]) });
    expect(await reader.read()).toMatchObject({ ok: false, error: { code: 'bad_answer', step: 'find' } });
  });

  it('maps a FramingError from the link to bad_answer', async () => {
    const reader = new IdCardReader({ channel: script([new FramingError({ code: 'checksum_mismatch' }, 'checksum mismatch: expected 0x21, got 0x22')]) });
    expect(await reader.read()).toMatchObject({ ok: false, error: { code: 'bad_answer', detail: 'find: checksum mismatch: expected 0x21, got 0x22' } });
  });

  it('keeps the card when the appended address read fails, with a warning', async () => {
    const r = await rig();
    r.emulator.placeCard(sampleCards().resident);
    const first = ok(await r.device.reader.read());
    const channel: SamChannel = {
      request: async (bytes, opts) => {
        if (bytes[7] === 0x30 && bytes[8] === 0x03) throw new TransportError('timeout', 'slow');
        return r.device.link.request(bytes, opts);
      },
    };
    const out = ok(await new IdCardReader({ channel, clock }).read({ appendedAddress: true }));
    expect(out.card).toEqual(first.card);
    expect(out.warnings).toMatchObject([{ code: 'timeout', step: 'appended_address' }]);
  });

  it('reports a photo decoder failure without failing the read', async () => {
    const r = await rig();
    r.emulator.placeCard(sampleCards().resident);
    const reader = new IdCardReader({
      channel: r.device.link,
      photoDecoder: {
        decode: async () => {
          throw new Error('vendor library crashed');
        },
      },
    });
    const out = ok(await reader.read());
    expect(out.photo).toMatchObject({ image: null, error: 'vendor library crashed' });
  });
});

describe('IdCardReader polling and SAM commands', () => {
  it('waitForCard polls until a card is laid on the reader', async () => {
    const r = await rig();
    setTimeout(() => r.emulator.placeCard(sampleCards().resident), 60);
    const out = ok(await r.device.reader.waitForCard({ pollIntervalMs: 20, timeoutMs: 2000 }));
    expect(out.card.kind).toBe('resident');
    expect(r.emulator.received.filter((c) => c === 'find_card').length).toBeGreaterThan(1);
  });

  it('waitForCard gives no_card after its timeout and cancelled on abort', async () => {
    const r = await rig();
    expect(await r.device.reader.waitForCard({ pollIntervalMs: 10, timeoutMs: 50 })).toMatchObject({ ok: false, error: { code: 'no_card' } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    expect(await r.device.reader.waitForCard({ pollIntervalMs: 10, signal: ac.signal })).toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });

  it('SAM status, id and reset; probe reports health for the registry', async () => {
    const r = await rig();
    expect(await r.device.reader.samStatus()).toEqual({ ok: true });
    expect(await r.device.reader.samId()).toEqual({ ok: true, samId: '050001000de332013930000015cd5b07' });
    expect(await r.device.reader.resetSam()).toEqual({ ok: true });
    expect(await r.device.probe()).toEqual({ health: 'ok', detail: '模拟读卡器正常' });
    await r.device.close();
    expect(await r.device.probe()).toMatchObject({ health: 'error', detail: '读卡器未连接，请检查连接线或联系技术人员' });
  });

  it('cardLogSummary masks the name and number', () => {
    expect(cardLogSummary(SYNTHETIC_RECORDS.resident)).toEqual({ kind: 'resident', name: '测*甲', number: '1101**********002X' });
    expect(cardLogSummary(SYNTHETIC_RECORDS.foreign_2017).number).toBe('CAN1*******0112');
    expect(cardLogSummary(SYNTHETIC_RECORDS.foreign_2023)).toEqual({ kind: 'foreign_permanent_2023', name: '测*戊', number: '9112**********0156' });
    expect(cardLogSummary({ ...SYNTHETIC_RECORDS.foreign_2023, chineseName: '' }).name).toBe('T**** S***** D**** E******** F********');
  });
});
