/**
 * Shared plumbing for the concrete transports: listener sets, the open/closed state machine and the
 * "closed exactly once" rule (onClose fires once per open, with `null` when we closed it and a
 * TransportError('disconnected') when the device went away).
 */
import { TransportError, type Transport, type TransportKind } from './transport';

/** A set of listeners; a throwing listener never breaks the transport that calls it. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  get size(): number {
    return this.set.size;
  }

  emit(value: T): void {
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (err) {
        process.emitWarning(`transport listener threw: ${err instanceof Error ? err.message : String(err)}`, 'TransportListenerWarning');
      }
    }
  }

  clear(): void {
    this.set.clear();
  }
}

type State = 'idle' | 'opening' | 'open' | 'closing' | 'closed';

/** Copy into a fresh Uint8Array (a Buffer from a pool must not leak its neighbours' bytes). */
export function toBytes(data: Uint8Array | readonly number[]): Uint8Array {
  return Uint8Array.from(data);
}

export abstract class BaseTransport implements Transport {
  abstract readonly kind: TransportKind;
  abstract readonly id: string;
  private state: State = 'idle';
  private opening: Promise<void> | null = null;
  private readonly dataListeners = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<TransportError | null>();

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Acquire the device; throw TransportError('open_failed') when it is missing/busy/forbidden. */
  protected abstract doOpen(): Promise<void>;
  /** Hand bytes to the device; throw TransportError on failure. Only called while open. */
  protected abstract doWrite(bytes: Uint8Array): Promise<void>;
  /** Release the device. Must not throw (errors are swallowed by the caller anyway). */
  protected abstract doClose(): Promise<void>;

  open(): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    if (this.opening) return this.opening;
    this.state = 'opening';
    this.opening = this.doOpen()
      .then(
        () => {
          // The device may have gone away while we were opening (lost() already moved us to closed).
          if (this.state !== 'opening') throw new TransportError('open_failed', 'device went away while opening', this.id);
          this.state = 'open';
        },
        (err: unknown) => {
          this.state = 'closed';
          throw err instanceof TransportError ? err : new TransportError('open_failed', `open failed: ${describe(err)}`, this.id, { cause: err });
        },
      )
      .finally(() => {
        this.opening = null;
      });
    return this.opening;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new TransportError('not_open', `${this.id} is not open`, this.id);
    try {
      await this.doWrite(bytes);
    } catch (err) {
      if (err instanceof TransportError) throw err;
      throw new TransportError('io', `write failed: ${describe(err)}`, this.id, { cause: err });
    }
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.dataListeners.add(listener);
  }

  onClose(listener: (error: TransportError | null) => void): () => void {
    return this.closeListeners.add(listener);
  }

  async close(): Promise<void> {
    if (this.opening) await this.opening.catch(() => undefined);
    if (this.state !== 'open') return;
    this.state = 'closing';
    await this.doClose().catch(() => undefined);
    this.state = 'closed';
    this.closeListeners.emit(null);
  }

  /** Subclasses call this for every chunk that arrives while open. */
  protected emitData(chunk: Uint8Array): void {
    if (this.state === 'open') this.dataListeners.emit(chunk);
  }

  /** Subclasses call this when the device went away (read error, socket closed, unplug). Idempotent. */
  protected lost(reason: string, cause?: unknown): void {
    if (this.state !== 'open' && this.state !== 'opening') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    void this.doClose().catch(() => undefined);
    if (wasOpen) this.closeListeners.emit(new TransportError('disconnected', reason, this.id, { cause }));
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
