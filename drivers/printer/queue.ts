/**
 * The print queue: receipts are saved first and printed when the printer can.
 *
 * - Jobs live in SQLite (store.printJobs, migration 0002): queued → printing → printed, or failed when
 *   the job itself cannot be printed (its document no longer validates). A printer problem never fails
 *   a job: it goes back to queued with the reason, and the worker retries with exponential backoff.
 * - One worker prints in order (lowest seq first), only when the printer reports itself printable.
 * - At-least-once: a job is marked printed only after the printer confirmed it. A crash (or an
 *   unplug, or paper running out) between sending and that confirmation leaves the job queued/printing;
 *   `start()` puts 'printing' jobs back in the queue, so such a receipt can come out twice — never zero
 *   times. A torn or duplicated receipt is the price of never losing one.
 * - `reprint(id)` queues a new job with the old document (printed with "（补打）").
 *
 * This module does not import the store: `PrintJobStore` is the part of PrintJobRepository it uses.
 */
import { ReceiptDocument, referenceOf } from './receipt';
import { receiptToEscpos, receiptToSvg, type RenderOptions } from './render';
import { PrintError, realTimers, type Timers } from './printer';
import type { PrinterHealth } from './status';

export type PrintJobState = 'queued' | 'printing' | 'printed' | 'failed';

export interface PrintJobRecord {
  id: string;
  seq: number;
  kind: string;
  reference: string | null;
  document: unknown;
  state: PrintJobState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  printedAt: string | null;
  reprintOf: string | null;
}

/** A job as the UI lists it (without its document). */
export type PrintJobSummary = Omit<PrintJobRecord, 'document'>;

/** What the queue needs of the store (PrintJobRepository implements it). */
export interface PrintJobStore {
  enqueue(job: { kind: string; reference: string | null; document: ReceiptDocument; reprintOf?: string | null }): PrintJobRecord;
  get(id: string): PrintJobRecord | null;
  list(options?: { limit?: number }): PrintJobRecord[];
  nextQueued(): PrintJobRecord | null;
  markPrinting(id: string): PrintJobRecord;
  markPrinted(id: string): PrintJobRecord;
  markQueued(id: string, error: string): PrintJobRecord;
  markFailed(id: string, error: string): PrintJobRecord;
  requeueInterrupted(reason: string): number;
}

/** What the queue needs of the printer (ReceiptPrinter implements it). */
export interface QueuePrinter {
  ensureReady(): Promise<PrinterHealth>;
  print(bytes: Uint8Array): Promise<unknown>;
}

export interface PrintQueueOptions {
  jobs: PrintJobStore;
  printer: QueuePrinter;
  timers?: Timers;
  render?: RenderOptions;
  /** Retry delays while the printer cannot print: initial, doubled each time, capped. */
  backoff?: { initialMs: number; maxMs: number };
  /** Printer health as the worker sees it (feed the registry / status bar). */
  onHealth?: (health: PrinterHealth) => void;
}

export const INTERRUPTED = '上次打印被中断（程序重启），将重新打印';

export class PrintQueueError extends Error {
  constructor(
    readonly code: 'job_not_found' | 'invalid_document',
    message: string,
  ) {
    super(message);
    this.name = 'PrintQueueError';
  }
}

export class PrintQueue {
  private readonly timers: Timers;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly listeners = new Set<(job: PrintJobSummary) => void>();
  private draining: Promise<void> | null = null;
  private again = false;
  private retryTimer: unknown = null;
  private failures = 0;
  private running = false;
  private health: PrinterHealth | null = null;

  constructor(private readonly options: PrintQueueOptions) {
    this.timers = options.timers ?? realTimers;
    this.backoff = options.backoff ?? { initialMs: 2_000, maxMs: 60_000 };
  }

  /** Recovers jobs interrupted by a crash and starts printing. */
  start(): Promise<void> {
    this.options.jobs.requeueInterrupted(INTERRUPTED);
    this.running = true;
    return this.kick();
  }

  /** Stops retrying; waits for a print in progress to finish (its job stays consistent). */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelRetry();
    await this.draining;
  }

  /** Saves the document as a queued job and tries to print it now. */
  enqueue(document: ReceiptDocument): PrintJobSummary {
    const parsed = ReceiptDocument.safeParse(document);
    if (!parsed.success) throw new PrintQueueError('invalid_document', `invalid receipt document: ${issues(parsed.error.issues)}`);
    const job = this.options.jobs.enqueue({ kind: parsed.data.kind, reference: referenceOf(parsed.data), document: parsed.data });
    this.emit(job);
    void this.kick();
    return summary(job);
  }

  /** Queues the document of an earlier job again (补打). */
  reprint(jobId: string): PrintJobSummary {
    const old = this.options.jobs.get(jobId);
    if (old === null) throw new PrintQueueError('job_not_found', `print job ${jobId} not found`);
    const parsed = ReceiptDocument.safeParse(old.document);
    if (!parsed.success) throw new PrintQueueError('invalid_document', `print job ${jobId} cannot be reprinted: ${issues(parsed.error.issues)}`);
    const job = this.options.jobs.enqueue({ kind: old.kind, reference: old.reference, document: parsed.data, reprintOf: old.id });
    this.emit(job);
    void this.kick();
    return summary(job);
  }

  /** Newest first. */
  list(limit = 100): PrintJobSummary[] {
    return this.options.jobs.list({ limit }).map(summary);
  }

  get(jobId: string): PrintJobSummary | null {
    const job = this.options.jobs.get(jobId);
    return job === null ? null : summary(job);
  }

  /** SVG preview of a job's document (null when the job is unknown or its document invalid). */
  preview(jobId: string): string | null {
    const job = this.options.jobs.get(jobId);
    const parsed = job === null ? null : ReceiptDocument.safeParse(job.document);
    if (!job || !parsed?.success) return null;
    return receiptToSvg(parsed.data, { cpl: this.options.render?.cpl, reprint: job.reprintOf !== null });
  }

  /** The last health the worker saw (null before the first attempt). */
  get printerHealth(): PrinterHealth | null {
    return this.health;
  }

  onChange(listener: (job: PrintJobSummary) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Try now (a job was added, the registry saw the printer come back). Resolves when the worker pauses. */
  kick(): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.cancelRetry();
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    const run = this.drain().finally(() => {
      this.draining = null;
      if (this.again && this.running && this.retryTimer === null) {
        this.again = false;
        void this.kick();
      }
      this.again = false;
    });
    this.draining = run;
    return run;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (!this.running) return;
      const job = this.options.jobs.nextQueued();
      if (job === null) {
        this.failures = 0;
        return;
      }
      const bytes = this.render(job);
      if (bytes === null) continue;
      const health = await this.options.printer.ensureReady();
      this.setHealth(health);
      if (!health.printable || !this.running) {
        this.retryLater();
        return;
      }
      this.emit(this.options.jobs.markPrinting(job.id));
      try {
        await this.options.printer.print(bytes);
        this.emit(this.options.jobs.markPrinted(job.id));
        this.failures = 0;
      } catch (err) {
        const reason = err instanceof PrintError ? err.health.detail : `打印失败：${err instanceof Error ? err.message : String(err)}`;
        if (err instanceof PrintError) this.setHealth(err.health);
        this.emit(this.options.jobs.markQueued(job.id, reason));
        this.retryLater();
        return;
      }
    }
  }

  /** The job's bytes, or null after marking it failed because its document cannot be printed. */
  private render(job: PrintJobRecord): Uint8Array | null {
    const parsed = ReceiptDocument.safeParse(job.document);
    if (parsed.success) {
      try {
        return receiptToEscpos(parsed.data, { ...this.options.render, reprint: job.reprintOf !== null });
      } catch (err) {
        this.emit(this.options.jobs.markFailed(job.id, `无法生成回执：${err instanceof Error ? err.message : String(err)}`));
        return null;
      }
    }
    this.emit(this.options.jobs.markFailed(job.id, `回执内容无效：${issues(parsed.error.issues)}`));
    return null;
  }

  private retryLater(): void {
    if (!this.running || this.retryTimer !== null) return;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.failures);
    this.failures += 1;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      void this.kick();
    }, delay);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setHealth(health: PrinterHealth): void {
    this.health = health;
    this.options.onHealth?.(health);
  }

  private emit(job: PrintJobRecord): void {
    const s = summary(job);
    for (const l of [...this.listeners]) l(s);
  }
}

function summary(job: PrintJobRecord): PrintJobSummary {
  const { document: _document, ...rest } = job;
  return rest;
}

/** Zod issues as "path: message" (messages only: never the rejected values). */
function issues(list: readonly { path: PropertyKey[]; message: string }[]): string {
  return list.map((i) => `${i.path.map(String).join('.') || '(document)'}: ${i.message}`).join('; ');
}
