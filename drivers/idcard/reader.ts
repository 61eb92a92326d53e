/**
 * The read sequence of an ID-card reader: find (20 01) → select (20 02) → read basic (30 01, or 30 10
 * with fingerprint) [→ appended address (30 03)], each status mapped to a typed outcome with a sentence
 * for the clerk. Talks through a SamChannel (a FrameLink in production, over any transport and framing).
 */
import { systemClock, type Clock } from '../../main/domain/clock';
import { maskIdNumber, maskName } from '../../main/domain/masking';
import { FrameLink, type BackoffOptions } from '../transports/link';
import type { TransportFactory } from '../transports/transport';
import { decodeCardText, displayName, documentNumber, type IdCardRecord } from './card';
import { idCardError, linkError, statusError, type IdCardError, type IdCardStep } from './errors';
import { encodeCommand, samDeframer, type SamAnswerFrame, type SamFrame, type SamFramingError } from './frame';
import { decodeUcs2 } from './layout';
import { samPacketizer, type SamFraming } from './packet';
import { PhotoDecoderError, type DecodedPhoto, type PhotoDecoder } from './photo';
import type { SamCommandName } from './protocol';
import { parseReadBasicData } from './read-answer';
import { checkValidity, type CardValidity } from './validity';

/** What the reader needs of a link: one request at a time, answered by one frame. FrameLink fits. */
export interface SamChannel {
  request(bytes: Uint8Array, options: { timeoutMs: number }): Promise<SamFrame>;
}

export type SamLink = FrameLink<SamFrame, SamFramingError>;

/** A FrameLink speaking SAM frames over a transport, with the stream or vendor-HID packetising. */
export function createSamLink(options: { factory: TransportFactory; framing?: SamFraming; autoReopen?: boolean; backoff?: BackoffOptions }): SamLink {
  return new FrameLink<SamFrame, SamFramingError>({
    factory: options.factory,
    deframer: samDeframer,
    packetizer: samPacketizer(options.framing ?? 'stream'),
    // Only answers can answer a request; a command frame (an echo) is reported as unsolicited.
    isResponse: (frame) => frame.direction === 'reader_to_host',
    autoReopen: options.autoReopen ?? false,
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
}

export interface IdCardTimeouts {
  findMs: number;
  selectMs: number;
  readMs: number;
  appendedAddressMs: number;
  samMs: number;
}

/** Generous for 115200 baud (a full read is ~0.5–1 s on real readers). */
export const DEFAULT_IDCARD_TIMEOUTS: IdCardTimeouts = { findMs: 1000, selectMs: 1000, readMs: 3000, appendedAddressMs: 1500, samMs: 1500 };

export interface IdCardReadOptions {
  /** Use 30 10 (basic + fingerprint) instead of 30 01. */
  fingerprint?: boolean;
  /** Also read the appended address (30 03) after the basic information. */
  appendedAddress?: boolean;
}

export interface IdCardPhoto {
  /** The WLT bytes as read from the card. */
  wlt: Uint8Array;
  /** Decoded image, null when no decoder recognised it (or none is configured). */
  image: DecodedPhoto | null;
  /** Why decoding failed (PhotoDecoderError code or message), null when it did not fail. */
  error: string | null;
}

export interface IdCardReadSuccess {
  ok: true;
  card: IdCardRecord;
  validity: CardValidity;
  photo: IdCardPhoto;
  /** Fingerprint bytes when requested (empty when the card holds none), else null. */
  fingerprint: Uint8Array | null;
  /** Appended address when requested and present, else null. */
  appendedAddress: string | null;
  /** Non-fatal problems (e.g. the appended address could not be read). */
  warnings: IdCardError[];
  durationMs: number;
}

export type IdCardReadOutcome = IdCardReadSuccess | { ok: false; error: IdCardError };

export interface IdCardReaderOptions {
  channel: SamChannel;
  clock?: Clock;
  photoDecoder?: PhotoDecoder | null;
  timeouts?: Partial<IdCardTimeouts>;
}

type Exchange = { ok: true; frame: SamAnswerFrame } | { ok: false; error: IdCardError };

export class IdCardReader {
  private readonly channel: SamChannel;
  private readonly clock: Clock;
  private readonly timeouts: IdCardTimeouts;
  private readonly photoDecoder: PhotoDecoder | null;

  constructor(options: IdCardReaderOptions) {
    this.channel = options.channel;
    this.clock = options.clock ?? systemClock;
    this.timeouts = { ...DEFAULT_IDCARD_TIMEOUTS, ...options.timeouts };
    this.photoDecoder = options.photoDecoder ?? null;
  }

  /** One attempt: find → select → read [→ appended address]. */
  async read(options: IdCardReadOptions = {}): Promise<IdCardReadOutcome> {
    const started = performance.now();
    const find = await this.expect('find_card', 'find', this.timeouts.findMs, 0x9f);
    if (!find.ok) return find;
    const select = await this.expect('select_card', 'select', this.timeouts.selectMs, 0x90);
    if (!select.ok) return select;
    const withFp = options.fingerprint === true;
    const read = await this.expect(withFp ? 'read_basic_fingerprint' : 'read_basic', 'read', this.timeouts.readMs, 0x90);
    if (!read.ok) return read;

    const payload = parseReadBasicData(read.frame.data, withFp);
    if (!payload.ok) return { ok: false, error: idCardError('malformed_answer', 'read', payload.message) };
    const decoded = decodeCardText(payload.value.text);
    if (!decoded.ok) {
      const e = decoded.error;
      const code = e.code === 'unknown_card_kind' ? 'unknown_card_kind' : e.code === 'text_length' ? 'malformed_answer' : 'invalid_card_data';
      return { ok: false, error: idCardError(code, 'read', e.message) };
    }

    const warnings: IdCardError[] = [];
    let appendedAddress: string | null = null;
    if (options.appendedAddress) {
      const addr = await this.exchange('read_appended_address', 'appended_address', this.timeouts.appendedAddressMs);
      if (!addr.ok) warnings.push(addr.error);
      else if (addr.frame.sw3 === 0x90) appendedAddress = decodeUcs2(addr.frame.data).trim() || null;
      else if (addr.frame.sw3 !== 0x91) warnings.push(statusError(addr.frame.sw3, 'appended_address'));
    }

    return {
      ok: true,
      card: decoded.card,
      validity: checkValidity(decoded.card, this.clock),
      photo: await this.decodePhoto(payload.value.photo),
      fingerprint: payload.value.fingerprint,
      appendedAddress,
      warnings,
      durationMs: performance.now() - started,
    };
  }

  /**
   * Poll until a card is there, then read it. Returns the first outcome that is not "no card", or
   * no_card after `timeoutMs`, or cancelled when `signal` aborts.
   */
  async waitForCard(options: IdCardReadOptions & { pollIntervalMs?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<IdCardReadOutcome> {
    const { pollIntervalMs = 100, timeoutMs = Number.POSITIVE_INFINITY, signal } = options;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (signal?.aborted) return { ok: false, error: idCardError('cancelled', 'find', 'waitForCard cancelled') };
      const outcome = await this.read(options);
      if (outcome.ok || outcome.error.code !== 'no_card' || performance.now() + pollIntervalMs > deadline) return outcome;
      await sleep(pollIntervalMs, signal);
    }
  }

  /** SAM self-check (11 FF): ok, or the typed reason. */
  async samStatus(): Promise<{ ok: true } | { ok: false; error: IdCardError }> {
    const r = await this.expect('sam_status', 'sam', this.timeouts.samMs, 0x90);
    return r.ok ? { ok: true } : r;
  }

  /** SAM id (12 FF): the raw id bytes as hex (vendors print them in different groupings). */
  async samId(): Promise<{ ok: true; samId: string } | { ok: false; error: IdCardError }> {
    const r = await this.expect('sam_id', 'sam', this.timeouts.samMs, 0x90);
    if (!r.ok) return r;
    return { ok: true, samId: Array.from(r.frame.data, (b) => b.toString(16).padStart(2, '0')).join('') };
  }

  /** Reset the SAM (10 FF). */
  async resetSam(): Promise<{ ok: true } | { ok: false; error: IdCardError }> {
    const r = await this.expect('reset_sam', 'sam', this.timeouts.samMs, 0x90);
    return r.ok ? { ok: true } : r;
  }

  private async expect(command: SamCommandName, step: IdCardStep, timeoutMs: number, success: number): Promise<Exchange> {
    const r = await this.exchange(command, step, timeoutMs);
    if (!r.ok) return r;
    if (r.frame.sw3 !== success) return { ok: false, error: statusError(r.frame.sw3, step) };
    return r;
  }

  private async exchange(command: SamCommandName, step: IdCardStep, timeoutMs: number): Promise<Exchange> {
    let frame: SamFrame;
    try {
      frame = await this.channel.request(encodeCommand(command), { timeoutMs });
    } catch (err) {
      return { ok: false, error: linkError(err, step) };
    }
    if (frame.direction !== 'reader_to_host') return { ok: false, error: idCardError('bad_answer', step, `${step}: got a host→reader frame instead of an answer`) };
    return { ok: true, frame };
  }

  private async decodePhoto(wlt: Uint8Array): Promise<IdCardPhoto> {
    if (!this.photoDecoder) return { wlt, image: null, error: null };
    try {
      return { wlt, image: await this.photoDecoder.decode(wlt), error: null };
    } catch (err) {
      return { wlt, image: null, error: err instanceof PhotoDecoderError ? err.code : err instanceof Error ? err.message : String(err) };
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** A log-safe one-line summary of a card: kind, masked name and number. */
export function cardLogSummary(card: IdCardRecord): { kind: IdCardRecord['kind']; name: string; number: string } {
  return { kind: card.kind, name: maskName(displayName(card)), number: maskIdNumber(documentNumber(card)) };
}
