import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testClock } from '../../main/domain/clock';
import { createStore, type PrintJobRepository, type Store } from '../../main/store/index';
import { memoryStore, tempDir, TEST_MASTER_KEY } from '../../main/store/test-support';
import { EscposPrinterEmulator, type PrintedPage } from '../emulators/escpos-printer';
import { ReceiptPrinter } from './printer';
import { INTERRUPTED, PrintQueue, PrintQueueError, type PrintJobStore, type PrintJobSummary, type QueuePrinter } from './queue';
import { testPage, type ReceiptDocument } from './receipt';
import { HEALTHY_STATUS, healthOf, unreachableHealth, type PrinterHealth } from './status';
import { ManualTimers, SAMPLE_RECEIPT_INPUT, sampleReceipt, settle } from './test-support';

// The repository is the queue's store: checked by the compiler here.
const _repositoryIsAStore = (r: PrintJobRepository): PrintJobStore => r;

const open: { close(): void }[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function rig(store?: Store, emulator = new EscposPrinterEmulator()) {
  const clock = testClock();
  const timers = new ManualTimers(clock);
  const s = store ?? memoryStore(clock);
  open.push(s);
  const printer = new ReceiptPrinter({
    id: 'printer:c03',
    label: '3号窗口回执打印机',
    emulated: true,
    connect: emulator.factory,
    timers,
    statusTimeoutMs: 1_000,
    completionTimeoutMs: 10_000,
  });
  const health: PrinterHealth[] = [];
  const queue = new PrintQueue({
    jobs: s.printJobs,
    printer,
    timers,
    backoff: { initialMs: 1_000, maxMs: 8_000 },
    onHealth: (h) => health.push(h),
  });
  return { store: s, emulator, timers, printer, queue, health };
}

/** Complete (cut) pages that hold a whole 受理回执 of this receipt number. */
const fullReceipts = (pages: PrintedPage[], receiptNo: string): PrintedPage[] =>
  pages.filter((p) => p.cut !== null && p.text.includes('受理回执') && p.text.includes(receiptNo) && p.qr.length === 1);

describe('PrintQueue', () => {
  it('prints queued receipts in order when the printer is healthy', async () => {
    const { emulator, queue } = rig();
    await queue.start();
    const jobs = ['R-1', 'R-2', 'R-3'].map((n) => queue.enqueue(sampleReceipt(`HALL01-20261126-C03-000${n.slice(2)}`)));
    await settle();
    expect(jobs.map((j) => queue.get(j.id)?.state)).toEqual(['printed', 'printed', 'printed']);
    expect(emulator.completePages().map((p) => /HALL01-\S+/.exec(p.text)?.[0])).toEqual([
      'HALL01-20261126-C03-0001',
      'HALL01-20261126-C03-0002',
      'HALL01-20261126-C03-0003',
    ]);
    expect(queue.get(jobs[0]!.id)).toMatchObject({ attempts: 1, lastError: null, kind: 'acceptance-receipt', reference: 'HALL01-20261126-C03-0001' });
  });

  it('paper out during a job: keeps the job, says so, and prints it after the paper is back', async () => {
    const { emulator, timers, queue, health } = rig();
    await queue.start();
    emulator.runOutOfPaperAfterLines(6);
    const job = queue.enqueue(sampleReceipt());
    await settle();
    expect(queue.get(job.id)?.state).toBe('printing');

    await timers.advance(10_000); // no completion: the driver asks and hears "paper out"
    expect(queue.get(job.id)).toMatchObject({ state: 'queued', attempts: 1, lastError: '打印机缺纸，回执已保存，换纸后自动补打' });
    expect(health.at(-1)).toMatchObject({ health: 'error', printable: false });

    await timers.advance(60_000); // retries keep finding no paper; nothing is sent, nothing lost
    expect(queue.get(job.id)).toMatchObject({ state: 'queued', attempts: 1 });

    emulator.setFault('paperOut', false); // the clerk loads a roll
    await timers.advance(8_000);
    expect(queue.get(job.id)).toMatchObject({ state: 'printed', attempts: 2, lastError: null });
    expect(health.at(-1)).toMatchObject({ health: 'ok' });
    expect(emulator.pages.filter((p) => p.cut === null)).toHaveLength(1); // the torn first try
    expect(fullReceipts(emulator.pages, 'HALL01-20261126-C03-0042')).toHaveLength(1);
    expect(fullReceipts(emulator.pages, 'HALL01-20261126-C03-0042')[0]!.text).toContain('张*三');
  });

  it('printer unplugged mid-job, then plugged back: the job is printed (at least once), never lost', async () => {
    const { emulator, timers, queue, health } = rig();
    await queue.start();
    emulator.unplugAfterBytes(500);
    const job = queue.enqueue(sampleReceipt());
    await settle();
    expect(queue.get(job.id)).toMatchObject({ state: 'queued', attempts: 1 });
    expect(queue.get(job.id)?.lastError).toContain('打印机连接已断开');
    expect(health.at(-1)).toMatchObject({ health: 'absent' });

    await timers.advance(120_000); // unplugged for two minutes
    expect(queue.get(job.id)).toMatchObject({ state: 'queued', attempts: 1 });
    expect(queue.list().map((j) => j.id)).toEqual([job.id]);

    emulator.plug();
    await timers.advance(8_000);
    expect(queue.get(job.id)).toMatchObject({ state: 'printed', attempts: 2 });
    expect(fullReceipts(emulator.pages, 'HALL01-20261126-C03-0042').length).toBeGreaterThanOrEqual(1);
  });

  it('unplugged after the whole job was sent but before it printed: printed again after replug', async () => {
    const { emulator, timers, queue } = rig();
    await queue.start();
    emulator.setBusy(true); // the whole job is in the printer's buffer, not printed yet
    const job = queue.enqueue(sampleReceipt());
    await settle();
    expect(queue.get(job.id)?.state).toBe('printing');
    emulator.unplug();
    await settle();
    expect(queue.get(job.id)).toMatchObject({ state: 'queued', attempts: 1 });
    emulator.setBusy(false);
    emulator.plug();
    await timers.advance(8_000);
    expect(queue.get(job.id)?.state).toBe('printed');
    expect(fullReceipts(emulator.pages, 'HALL01-20261126-C03-0042')).toHaveLength(1);
  });

  it('reprints a job as a new job with the same document, marked 补打', async () => {
    const { emulator, queue } = rig();
    await queue.start();
    const first = queue.enqueue(sampleReceipt());
    await settle();
    const again = queue.reprint(first.id);
    expect(again).toMatchObject({ reprintOf: first.id, reference: first.reference, kind: first.kind });
    expect(again.id).not.toBe(first.id);
    await settle();
    expect(queue.get(again.id)?.state).toBe('printed');
    const pages = fullReceipts(emulator.pages, 'HALL01-20261126-C03-0042');
    expect(pages).toHaveLength(2);
    expect(pages[0]!.text).not.toContain('补打');
    expect(pages[1]!.text).toContain('（补打）');
    expect(() => queue.reprint('no-such-job')).toThrow(PrintQueueError);
  });

  it('survives a restart: a new store on the same file prints what was left, interrupted job first', async () => {
    const tmp = tempDir('hall-print-queue-');
    try {
      const file = join(tmp.dir, 'hall.sqlite');
      const firstStore = createStore(file, TEST_MASTER_KEY, testClock());
      const first = rig(firstStore);
      first.emulator.unplug();
      await first.queue.start();
      const a = first.queue.enqueue(sampleReceipt('HALL01-20261126-C03-0001'));
      const b = first.queue.enqueue(sampleReceipt('HALL01-20261126-C03-0002'));
      await first.queue.stop();
      firstStore.printJobs.markPrinting(a.id); // the process died while job a was being printed
      open.splice(open.indexOf(firstStore), 1);
      firstStore.close();

      // Masked data only on disk.
      const bytes = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
      expect(bytes.includes(Buffer.from('张*三'))).toBe(true);
      for (const secret of [SAMPLE_RECEIPT_INPUT.applicant.name, SAMPLE_RECEIPT_INPUT.applicant.idNumber]) {
        expect(bytes.includes(Buffer.from(secret))).toBe(false);
      }

      const second = rig(createStore(file, TEST_MASTER_KEY, testClock()));
      expect(second.queue.get(a.id)?.state).toBe('printing');
      await second.queue.start();
      await settle();
      expect(second.queue.get(a.id)).toMatchObject({ state: 'printed', attempts: 2 });
      expect(second.queue.get(b.id)).toMatchObject({ state: 'printed', attempts: 1 });
      expect(second.emulator.completePages().map((p) => /HALL01-\S+/.exec(p.text)?.[0])).toEqual([
        'HALL01-20261126-C03-0001',
        'HALL01-20261126-C03-0002',
      ]);
    } finally {
      tmp.cleanup();
    }
  });

  it('says why a job was requeued after a crash', async () => {
    const { store, queue, emulator } = rig();
    emulator.unplug();
    const job = queue.enqueue(sampleReceipt());
    store.printJobs.markPrinting(job.id);
    await queue.start();
    expect(queue.get(job.id)).toMatchObject({ state: 'queued', lastError: INTERRUPTED });
  });

  it('fails a stored job whose document no longer validates, and goes on with the next', async () => {
    const { store, emulator, queue } = rig();
    const bad = store.printJobs.enqueue({ kind: 'acceptance-receipt', reference: 'R-X', document: { ...sampleReceipt(), applicantName: '张小三' } });
    const good = store.printJobs.enqueue({ kind: 'test-page', reference: null, document: testPage({ hallName: '示例大厅', printerLabel: 'P', printedAt: '2026-11-26T01:00:00Z' }) });
    await queue.start();
    await settle();
    expect(queue.get(bad.id)).toMatchObject({ state: 'failed', attempts: 0 });
    expect(queue.get(bad.id)?.lastError).toMatch(/^回执内容无效：applicantName: must be masked/);
    expect(queue.get(bad.id)?.lastError).not.toContain('张小三');
    expect(queue.get(good.id)?.state).toBe('printed');
    expect(emulator.completePages()).toHaveLength(1);
  });

  it('refuses to queue a document with clear personal data', () => {
    const { queue } = rig();
    const doc = { ...sampleReceipt(), applicantId: '420100000000001234' } as ReceiptDocument;
    expect(() => queue.enqueue(doc)).toThrow(/invalid receipt document: applicantId/);
    expect(queue.list()).toEqual([]);
  });

  it('lists jobs for the UI newest first without their documents, and announces every change', async () => {
    const { queue } = rig();
    const changes: PrintJobSummary[] = [];
    queue.onChange((j) => changes.push(j));
    await queue.start();
    const a = queue.enqueue(sampleReceipt('HALL01-20261126-C03-0001'));
    const b = queue.enqueue(sampleReceipt('HALL01-20261126-C03-0002'));
    await settle();
    const list = queue.list();
    expect(list.map((j) => j.id)).toEqual([b.id, a.id]);
    expect(list.every((j) => !('document' in j))).toBe(true);
    expect(changes.filter((c) => c.id === a.id).map((c) => c.state)).toEqual(['queued', 'printing', 'printed']);
    expect(queue.preview(a.id)).toContain('<svg');
    expect(queue.preview('nope')).toBeNull();
  });

  it('backs off exponentially up to the cap while the printer cannot print, and prints at once when kicked', async () => {
    const timers = new ManualTimers();
    const store = memoryStore();
    open.push(store);
    const asked: number[] = [];
    let health = unreachableHealth('not_connected');
    const printed: Uint8Array[] = [];
    const printer: QueuePrinter = {
      ensureReady: async () => {
        asked.push(timers.elapsed);
        return health;
      },
      print: async (bytes) => {
        printed.push(bytes);
        return { confirmed: true };
      },
    };
    const queue = new PrintQueue({ jobs: store.printJobs, printer, timers, backoff: { initialMs: 1_000, maxMs: 8_000 } });
    await queue.start();
    const job = queue.enqueue(sampleReceipt());
    await timers.advance(40_000);
    expect(asked).toEqual([0, 1_000, 3_000, 7_000, 15_000, 23_000, 31_000, 39_000]);
    health = healthOf(HEALTHY_STATUS);
    await queue.kick(); // e.g. the registry saw the printer come back
    expect(queue.get(job.id)?.state).toBe('printed');
    expect(printed).toHaveLength(1);
    expect(timers.pending).toBe(0);
  });

  it('stop() cancels retries', async () => {
    const { emulator, timers, queue } = rig();
    emulator.unplug();
    await queue.start();
    queue.enqueue(sampleReceipt());
    await settle();
    expect(timers.pending).toBe(1);
    await queue.stop();
    expect(timers.pending).toBe(0);
    emulator.plug();
    await timers.advance(60_000);
    expect(queue.list()[0]?.state).toBe('queued');
  });
});
