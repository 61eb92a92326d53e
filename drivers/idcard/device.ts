/**
 * An ID-card reader as the device registry sees it: open/close, a health probe (SAM self-check) and
 * "lost" when the transport goes away. Structurally matches drivers/registry.ts's DeviceAdapter, so
 * the registry does discovery/reconnect and this class only talks SAM.
 */
import type { Clock } from '../../main/domain/clock';
import type { TransportFactory } from '../transports/transport';
import type { SamFraming } from './packet';
import type { PhotoDecoder } from './photo';
import { createSamLink, IdCardReader, type IdCardTimeouts, type SamLink } from './reader';

export interface IdCardDeviceOptions {
  /** Registry id, e.g. the transport id `hid:0400:c35a:…` or `emulated:idcard`. */
  id: string;
  label?: string;
  emulated: boolean;
  factory: TransportFactory;
  framing?: SamFraming;
  clock?: Clock;
  photoDecoder?: PhotoDecoder | null;
  timeouts?: Partial<IdCardTimeouts>;
}

export class IdCardDevice {
  readonly kind = 'idcard' as const;
  readonly id: string;
  readonly label: string;
  readonly emulated: boolean;
  readonly link: SamLink;
  readonly reader: IdCardReader;

  constructor(options: IdCardDeviceOptions) {
    this.id = options.id;
    this.label = options.label ?? (options.emulated ? '身份证读卡器（模拟）' : '身份证读卡器');
    this.emulated = options.emulated;
    this.link = createSamLink({ factory: options.factory, framing: options.framing ?? 'stream' });
    this.reader = new IdCardReader({
      channel: this.link,
      ...(options.clock ? { clock: options.clock } : {}),
      photoDecoder: options.photoDecoder ?? null,
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    });
  }

  open(): Promise<void> {
    return this.link.open();
  }

  close(): Promise<void> {
    return this.link.close();
  }

  /** SAM self-check: ok, or error with the clerk-readable reason. */
  async probe(): Promise<{ health: 'ok' | 'error'; detail: string }> {
    const r = await this.reader.samStatus();
    return r.ok ? { health: 'ok', detail: this.emulated ? '模拟读卡器正常' : '读卡器正常' } : { health: 'error', detail: r.error.message };
  }

  /** Fires when the transport went away (unplugged, cable, reader reset). */
  onLost(listener: (reason: string) => void): () => void {
    return this.link.onState((state, error) => {
      if (state === 'closed' && error) listener(error.message);
    });
  }
}
