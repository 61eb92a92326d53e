import type { HubChangeEvent, HubChangeListener } from './types';

/** Listeners of onChange. Events are delivered after the commit, outside it; a throwing listener is reported, never fatal. */
export class ChangeEmitter {
  private readonly listeners = new Set<HubChangeListener>();

  constructor(
    private readonly onError: (err: unknown) => void,
    private readonly onCountChange: (count: number) => void = () => {},
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  add(listener: HubChangeListener): () => void {
    const wrapped: HubChangeListener = (e) => listener(e);
    this.listeners.add(wrapped);
    this.onCountChange(this.listeners.size);
    return () => {
      if (this.listeners.delete(wrapped)) this.onCountChange(this.listeners.size);
    };
  }

  emit(event: HubChangeEvent): void {
    if (this.listeners.size === 0 || event.buckets.length === 0) return;
    const targets = [...this.listeners];
    queueMicrotask(() => {
      for (const l of targets) {
        try {
          l({ ...event, buckets: [...event.buckets] });
        } catch (err) {
          this.onError(err);
        }
      }
    });
  }

  clear(): void {
    this.listeners.clear();
    this.onCountChange(0);
  }
}
