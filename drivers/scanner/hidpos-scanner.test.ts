import { describe, expect, it } from 'vitest';
import { HidPosScannerEmulator } from '../emulators/scanner-hidpos';
import { TransportError, type Transport } from '../transports/transport';
import { customProfile, HIDPOS_PROFILES, type HidPosError, type HidPosProfile } from './hidpos';
import { HidPosScanner, type DriverTimers } from './hidpos-scanner';
import type { ScanEvent, ScannerHealth, ScannerLogger } from './types';

/** Timers the test fires by hand, with a clock that moves with them. */
function manualTime(): DriverTimers & { now: () => number; advance(ms: number): void; pending: number } {
  let t = 1_000;
  let seq = 0;
  const queue = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => t,
    setTimeout(fn, ms) {
      seq += 1;
      queue.set(seq, { at: t + ms, fn });
      return seq;
    },
    clearTimeout(handle) {
      queue.delete(handle as number);
    },
    advance(ms) {
      t += ms;
      for (const [id, timer] of [...queue].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > t) continue;
        queue.delete(id);
        timer.fn();
      }
    },
    get pending() {
      return queue.size;
    },
  };
}

function memoryLogger(): ScannerLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, event, fields) => lines.push(JSON.stringify({ level, event, ...fields })) };
}

function setup(profile: HidPosProfile = HIDPOS_PROFILES.honeywell) {
  const emulator = new HidPosScannerEmulator(profile);
  const time = manualTime();
  const logger = memoryLogger();
  const scanner = new HidPosScanner({ transport: emulator.factory, profile, timers: time, now: time.now, logger, assembler: { timeoutMs: 200 } });
  const scans: ScanEvent[] = [];
  const errors: HidPosError[] = [];
  const health: ScannerHealth[] = [];
  scanner.on('scan', (s) => scans.push(s));
  scanner.on('error', (e) => errors.push(e));
  scanner.on('health', (h) => health.push(h));
  return { emulator, scanner, time, logger, scans, errors, health };
}

const WECHAT = '134567890123456789';

describe('HidPosScanner', () => {
  it('opens, enables HID POS on a Honeywell and emits scans', async () => {
    const { emulator, scanner, scans, health } = setup();
    await scanner.start();
    expect(emulator.featureReports.map((r) => Array.from(r))).toEqual([[0xfe, 0x01]]);
    expect(scanner.health).toMatchObject({ status: 'ok', detail: null });
    expect(health.map((h) => h.status)).toEqual(['ok']);

    await emulator.scan('6901234567892', { aim: ']E0' });
    expect(scans).toEqual([{ text: '6901234567892', symbology: { aim: ']E0', name: 'EAN-13', family: 'ean-upc' }, source: 'hidpos', encoding: 'utf-8' }]);
    expect(scanner.health.lastSeenAt).toBe(1_000);
    await scanner.stop();
  });

  it('sends no feature report for profiles that need none', async () => {
    const { emulator, scanner, scans } = setup(HIDPOS_PROFILES.zebra);
    await scanner.start();
    expect(emulator.featureReports).toEqual([]);
    await emulator.scan('ABC-123', { aim: ']C0' });
    expect(scans.map((s) => s.text)).toEqual(['ABC-123']);
    await scanner.stop();
  });

  it('reassembles a long multi-report code into one event, GB18030 included', async () => {
    const { emulator, scanner, scans } = setup(HIDPOS_PROFILES.newland);
    await scanner.start();
    const code = '受理回执：' + '办'.repeat(80) + ' HALL01-20261126-C03-0042';
    expect(await emulator.scan(code, { encoding: 'gb18030' })).toBeGreaterThan(2);
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ text: code, encoding: 'gb18030', symbology: { name: 'QR Code' } });
    await scanner.stop();
  });

  it('times out a half-received code with a typed error, then keeps scanning', async () => {
    const { emulator, scanner, scans, errors, time } = setup();
    await scanner.start();
    await emulator.scan('q'.repeat(120), { reports: 2 });
    expect(time.pending).toBe(1);
    time.advance(200);
    expect(errors).toEqual([]);
    time.advance(1);
    expect(errors.map((e) => e.code)).toEqual(['incomplete_timeout']);
    expect(time.pending).toBe(0);
    await emulator.scan('next');
    expect(scans.map((s) => s.text)).toEqual(['next']);
    await scanner.stop();
  });

  it('reports garbage reports as typed errors and keeps going', async () => {
    const { emulator, scanner, scans, errors } = setup();
    await scanner.start();
    await emulator.inject(Uint8Array.from([0x05, 0x01, 0x02]));
    const tooLong = new Uint8Array(64);
    tooLong.set([0x02, 0xff, 0x5d, 0x51, 0x31]);
    await emulator.inject(tooLong);
    await emulator.scan('still works');
    expect(errors.map((e) => e.code)).toEqual(['unexpected_report_id', 'length_out_of_range']);
    expect(scans.map((s) => s.text)).toEqual(['still works']);
    expect(scanner.health).toMatchObject({ status: 'ok', lastError: 'length_out_of_range' });
    await scanner.stop();
  });

  it('turns an unplug into an offline health change, reports a cut-off code and tells the registry', async () => {
    const { emulator, scanner, errors, health } = setup();
    const lost: string[] = [];
    scanner.onLost((reason) => lost.push(reason));
    await scanner.start();
    await emulator.scan('w'.repeat(100), { reports: 1 });
    emulator.unplug();
    expect(scanner.health).toMatchObject({ status: 'offline', detail: 'disconnected', lastError: 'emulated device unplugged' });
    expect(health.map((h) => `${h.status}:${h.detail}`)).toEqual(['ok:null', 'offline:disconnected']);
    expect(errors.map((e) => e.code)).toEqual(['interrupted']);
    expect(lost).toEqual(['emulated device unplugged']);
  });

  it('starts again on a fresh transport after a replug and re-enables HID POS', async () => {
    const { emulator, scanner, scans } = setup();
    await scanner.start();
    emulator.unplug();
    await expect(scanner.start()).rejects.toMatchObject({ name: 'TransportError', code: 'open_failed' });
    expect(scanner.health).toMatchObject({ status: 'offline', detail: 'open_failed' });
    emulator.replug();
    await scanner.start();
    expect(emulator.featureReports).toHaveLength(2);
    expect(scanner.health.status).toBe('ok');
    await emulator.scan('back again');
    expect(scans.map((s) => s.text)).toEqual(['back again']);
    await scanner.stop();
  });

  it('is degraded, not offline, when the enable report fails (scanner still in keyboard mode?)', async () => {
    const { emulator, scanner } = setup();
    emulator.failFeatureReports();
    await scanner.start();
    expect(scanner.health).toMatchObject({ status: 'degraded', detail: 'hidpos_enable_failed', lastError: 'feature report rejected by the emulated scanner' });
    await scanner.stop();
    expect(scanner.health).toMatchObject({ status: 'offline', detail: 'stopped' });
  });

  it('is degraded when the transport cannot send feature reports at all', async () => {
    const emulator = new HidPosScannerEmulator(customProfile(HIDPOS_PROFILES.generic, { enable: [0xfe, 0x01] }));
    const inner = emulator.factory();
    const noFeatures: Transport = {
      kind: inner.kind,
      id: inner.id,
      get isOpen() {
        return inner.isOpen;
      },
      open: () => inner.open(),
      write: (b) => inner.write(b),
      onData: (l) => inner.onData(l),
      onClose: (l) => inner.onClose(l),
      close: () => inner.close(),
    };
    const scanner = new HidPosScanner({ transport: noFeatures, profile: emulator.profile });
    await scanner.start();
    expect(scanner.health).toMatchObject({ status: 'degraded', lastError: 'transport cannot send feature reports' });
    await scanner.stop();
  });

  it('wraps a non-TransportError open failure', async () => {
    const broken: Transport = {
      kind: 'hid',
      id: 'hid:test',
      isOpen: false,
      open: () => Promise.reject(new Error('EACCES: permission denied')),
      write: () => Promise.resolve(),
      onData: () => () => undefined,
      onClose: () => () => undefined,
      close: () => Promise.resolve(),
    };
    const scanner = new HidPosScanner({ transport: broken, profile: HIDPOS_PROFILES.generic });
    const error = await scanner.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'open_failed', message: 'EACCES: permission denied' });
  });

  it('never logs the content of a code, only its kind and length', async () => {
    const { emulator, scanner, logger } = setup();
    await scanner.start();
    await emulator.scan(WECHAT, { aim: ']Q1' });
    await emulator.scan('p'.repeat(80), { reports: 1 });
    emulator.unplug();
    const log = logger.lines.join('\n');
    expect(log).not.toContain(WECHAT);
    expect(log).not.toContain(WECHAT.slice(-8));
    expect(log).not.toContain('pppp');
    expect(logger.lines.some((l) => l.includes('"event":"scanner.scan"') && l.includes('"length":18'))).toBe(true);
  });

  it('keeps running when a scan listener throws', async () => {
    const { emulator, scanner, scans, logger } = setup();
    scanner.on('scan', () => {
      throw new Error('consumer bug with ' + WECHAT);
    });
    await scanner.start();
    await emulator.scan('one');
    await emulator.scan('two');
    expect(scans.map((s) => s.text)).toEqual(['one', 'two']);
    expect(logger.lines.filter((l) => l.includes('scanner.listener_failed'))).toHaveLength(2);
    expect(logger.lines.join()).not.toContain(WECHAT);
    await scanner.stop();
  });

  it('stops listening after stop()', async () => {
    const { emulator, scanner, scans } = setup();
    await scanner.start();
    await scanner.stop();
    expect(await emulator.scan('after stop')).toBe(0);
    expect(scans).toEqual([]);
  });
});

describe('HidPosScanner start', () => {
  it('opens once when start() is called twice at the same time', async () => {
    const emulator = new HidPosScannerEmulator(HIDPOS_PROFILES.honeywell);
    const scanner = new HidPosScanner({ transport: emulator.factory, profile: emulator.profile });
    await Promise.all([scanner.start(), scanner.start()]);
    expect(emulator.featureReports).toHaveLength(1);
    expect(emulator.device.openTransports).toBe(1);
    await scanner.stop();
  });
});

describe('HidPosScanner unplugged while starting', () => {
  it('stays offline when the device goes away during the enable report', async () => {
    const emulator = new HidPosScannerEmulator(HIDPOS_PROFILES.honeywell);
    const inner = emulator.factory();
    const racing: Transport = {
      kind: inner.kind,
      id: inner.id,
      get isOpen() {
        return inner.isOpen;
      },
      open: () => inner.open(),
      write: (b) => inner.write(b),
      onData: (l) => inner.onData(l),
      onClose: (l) => inner.onClose(l),
      close: () => inner.close(),
      sendFeatureReport: async () => {
        emulator.unplug();
        throw new TransportError('disconnected', 'gone');
      },
    };
    const scanner = new HidPosScanner({ transport: racing, profile: emulator.profile });
    await scanner.start();
    expect(scanner.health).toMatchObject({ status: 'offline', detail: 'disconnected' });
  });
});
