import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../../preload/contract';
import { createEventBus } from '../events';
import { createMemoryLogger } from '../log';
import { memoryStore } from '../store/test-support';
import { ALL_EMULATED, HallHardware } from './hardware';
import { HallServiceError } from './errors';

const running: HallHardware[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) await h.stop();
});

async function setup() {
  const store = memoryStore();
  const logger = createMemoryLogger();
  const events = createEventBus(logger);
  const seen: { event: EventName; payload: unknown }[] = [];
  events.subscribe((event, payload) => seen.push({ event, payload }));
  const hardware = new HallHardware({ store, events, logger, clock: () => new Date(), config: ALL_EMULATED, hallName: '测试大厅', emulatorTiming: 'instant', cardPollMs: 20 });
  running.push(hardware);
  await hardware.start();
  return { hardware, seen, logger, emulators: hardware.emulators!, store };
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('HallHardware', () => {
  it('announces a placed card once, masked, and keeps the clear record in main only', async () => {
    const { hardware, seen, emulators, logger } = await setup();
    hardware.startWatchingCards();
    emulators.idcard.placeCard(emulators.cards.resident);
    await until(() => seen.some((s) => s.event === 'idcard.read'));
    await new Promise((r) => setTimeout(r, 200));
    const reads = seen.filter((s) => s.event === 'idcard.read');
    expect(reads).toHaveLength(1); // the card stays on the reader: no repeats
    expect(reads[0]!.payload).toMatchObject({ nameMasked: '测*甲', idNumberMasked: '1101**********002X', kind: 'resident' });
    expect(JSON.stringify(reads[0]!.payload)).not.toContain('11010519491231002X');
    expect(hardware.lastCard()?.card).toMatchObject({ idNumber: '11010519491231002X' });
    expect(JSON.stringify(logger.lines)).not.toContain('11010519491231002X');
    // Lifted and placed again: read again.
    emulators.idcard.removeCard();
    await new Promise((r) => setTimeout(r, 100));
    emulators.idcard.placeCard(emulators.cards.hmt);
    await until(() => seen.filter((s) => s.event === 'idcard.read').length === 2);
  });

  it('gives a clear message when the reader is pulled mid-read, and reconnects when it returns', async () => {
    const { hardware, emulators } = await setup();
    emulators.idcard.placeCard(emulators.cards.resident);
    emulators.idcard.setFault('unplug_mid_read');
    const err = await hardware.readCard().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HallServiceError);
    expect((err as HallServiceError).message).toMatch(/[\u4e00-\u9fff]/); // a sentence for the clerk
    await until(() => hardware.statuses().find((s) => s.kind === 'idcard')?.health === 'absent');
    emulators.idcard.setFault(null);
    emulators.idcardLine.replug();
    hardware.registry.notifyAttached();
    await until(() => hardware.statuses().find((s) => s.kind === 'idcard')?.health === 'ok');
    await expect(hardware.readCard()).resolves.toMatchObject({ nameMasked: '测*甲' });
  });

  it('keeps a print job through a pulled printer cable and prints it once the printer is back', async () => {
    const { hardware, emulators, store } = await setup();
    emulators.printer.unplug();
    await until(() => hardware.statuses().find((s) => s.kind === 'printer')?.health !== 'ok');
    await hardware.selfTest('printer');
    const [queued] = store.printJobs.list();
    expect(queued?.state).toBe('queued');
    emulators.printer.plug();
    hardware.registry.notifyAttached();
    await until(() => store.printJobs.get(queued!.id)?.state === 'printed', 10_000);
    expect(emulators.printer.completePages().at(-1)?.text).toContain('打印测试页');
  });

  it('runs a real network printer that is not there as absent, the other devices still working', async () => {
    const store = memoryStore();
    const logger = createMemoryLogger();
    const hardware = new HallHardware({
      store,
      events: createEventBus(logger),
      logger,
      clock: () => new Date(),
      config: { ...ALL_EMULATED, printer: { mode: 'tcp', host: '127.0.0.1', port: 1 } },
      hallName: '测试大厅',
      emulatorTiming: 'instant',
    });
    running.push(hardware);
    await hardware.start();
    await until(() => hardware.statuses().find((s) => s.kind === 'printer')?.health === 'absent');
    expect(hardware.statuses().find((s) => s.kind === 'printer')).toMatchObject({ emulated: false, detail: expect.stringContaining('未连接') });
    expect(hardware.statuses().find((s) => s.kind === 'idcard')?.health).toBe('ok');
    expect(hardware.emulators).toBeNull();
  });

  it('classifies scans by kind and logs kind and length only', async () => {
    const { hardware, logger, seen, emulators } = await setup();
    expect(hardware.classify('134567890123456789', 'wedge')).toMatchObject({ kind: 'wechat_pay', masked: '**************6789' });
    await emulators.scanner.scan('A-PLAIN-CODE');
    await until(() => seen.some((s) => s.event === 'scanner.scanned'));
    expect(seen.find((s) => s.event === 'scanner.scanned')?.payload).toMatchObject({ kind: 'other', text: 'A-PLAIN-CODE', source: 'hidpos' });
    expect(JSON.stringify(logger.lines)).not.toContain('134567890123456789');
  });
});
