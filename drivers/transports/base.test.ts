import { describe, expect, it, vi } from 'vitest';
import { BaseTransport, describe as describeErr, Listeners } from './base';
import { isTransportError, TransportError } from './transport';

class Probe extends BaseTransport {
  readonly kind = 'emulated' as const;
  readonly id = 'probe';
  opens = 0;
  closes = 0;
  gate: Promise<void> = Promise.resolve();
  protected async doOpen(): Promise<void> {
    this.opens++;
    await this.gate;
  }
  protected async doWrite(): Promise<void> {
    throw new Error('EPIPE');
  }
  protected async doClose(): Promise<void> {
    this.closes++;
  }
  drop(): void {
    this.lost('gone');
  }
}

describe('Listeners', () => {
  it('keeps calling the others when one throws, and warns', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const l = new Listeners<number>();
    const seen: number[] = [];
    l.add(() => {
      throw new Error('boom');
    });
    const off = l.add((n) => seen.push(n));
    l.emit(1);
    off();
    l.emit(2);
    expect(seen).toEqual([1]);
    expect(warn).toHaveBeenCalledTimes(2); // the thrower is still subscribed for the second emit
    warn.mockRestore();
  });
});

describe('BaseTransport', () => {
  it('opens once for concurrent open() calls', async () => {
    const t = new Probe();
    await Promise.all([t.open(), t.open()]);
    await t.open();
    expect(t.opens).toBe(1);
  });

  it('wraps a non-TransportError write failure as io with the cause', async () => {
    const t = new Probe();
    await t.open();
    const err = await t.write(Uint8Array.of(1)).catch((e: unknown) => e);
    expect(isTransportError(err, 'io')).toBe(true);
    expect((err as TransportError).cause).toBeInstanceOf(Error);
  });

  it('lost() fires onClose(disconnected) once and releases the device', async () => {
    const t = new Probe();
    const closes: (TransportError | null)[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    t.drop();
    t.drop();
    await t.close();
    expect(closes.map((c) => c?.code)).toEqual(['disconnected']);
    expect(t.closes).toBe(1);
  });

  it('an open that loses the device meanwhile fails with open_failed', async () => {
    const t = new Probe();
    let release: () => void = () => undefined;
    t.gate = new Promise((r) => (release = r));
    const opening = t.open();
    t.drop();
    release();
    await expect(opening).rejects.toMatchObject({ code: 'open_failed' });
    expect(t.isOpen).toBe(false);
  });

  it('describes errno errors with their code', () => {
    expect(describeErr(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe('ENOENT: no such file');
    expect(describeErr('x')).toBe('x');
  });

  it('isTransportError checks name and code', () => {
    const e = new TransportError('timeout', 't');
    expect(isTransportError(e)).toBe(true);
    expect(isTransportError(e, 'timeout')).toBe(true);
    expect(isTransportError(e, 'io')).toBe(false);
    expect(isTransportError(new Error('x'))).toBe(false);
  });
});
