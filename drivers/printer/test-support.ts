/** Helpers for the printer tests. Synthetic data only (the ID number is all zeros in the middle). */
import type { TestClock } from '../../main/domain/clock';
import { acceptanceReceipt, type AcceptanceReceiptInput } from './receipt';
import type { Timers } from './printer';

export const SAMPLE_RECEIPT_INPUT: AcceptanceReceiptInput = {
  hallName: '示例市政务服务中心',
  receiptNo: 'HALL01-20261126-C03-0042',
  serviceItem: '不动产登记（转移登记）',
  applicant: { name: '张小三', idNumber: '420100000000001234' },
  acceptedAt: '2026-11-26T01:30:00.000Z',
  promisedDeadline: '2026-12-08',
  materials: [
    { name: '居民身份证', form: 'original', count: 1 },
    { name: '不动产权证书', form: 'copy', count: 2 },
  ],
  clerkName: '李四',
  counter: '3号窗口',
  qrPayload: 'HC1:HALL01-20261126-C03-0042:c2lnbmF0dXJl',
};

export function sampleReceipt(receiptNo = SAMPLE_RECEIPT_INPUT.receiptNo) {
  return acceptanceReceipt({ ...SAMPLE_RECEIPT_INPUT, receiptNo, qrPayload: `HC1:${receiptNo}:c2lnbmF0dXJl` });
}

/** Lets every pending promise callback and microtask run (emulator replies, store updates). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Timers driven by the test: nothing fires until `advance`. Each due timer runs in time order with
 * promises settled in between, so a 10-minute retry scenario runs in milliseconds. Moves an optional
 * TestClock along.
 */
export class ManualTimers implements Timers {
  private now = 0;
  private seq = 0;
  private readonly tasks = new Map<number, { at: number; fn: () => void }>();

  constructor(private readonly clock?: TestClock) {}

  setTimeout(fn: () => void, ms: number): unknown {
    this.seq += 1;
    this.tasks.set(this.seq, { at: this.now + Math.max(0, ms), fn });
    return this.seq;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.tasks.delete(handle);
  }

  get pending(): number {
    return this.tasks.size;
  }

  get elapsed(): number {
    return this.now;
  }

  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    await settle();
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.tasks) if (entry[1].at <= end && (next === null || entry[1].at < next[1].at)) next = entry;
      if (next === null) break;
      this.tasks.delete(next[0]);
      this.move(next[1].at);
      next[1].fn();
      await settle();
    }
    this.move(end);
  }

  private move(to: number): void {
    this.clock?.advance(to - this.now);
    this.now = to;
  }
}
