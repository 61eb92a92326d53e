/**
 * What the self-service kiosk does besides 取号: 查询办件 (a receipt QR or the typed 办件编号 → the
 * case's public status, no personal data; the kiosk may rate the handling if it was not rated yet) and
 * 呼叫工作人员 (audited, announced to every logged-in console as `help.called`).
 */
import { z } from 'zod';
import type { PublicCaseStatus } from '../../preload/case-contract';
import type { Session } from '../../preload/contract';
import { CASE_STATE_LABELS } from '../domain/case-machine';
import type { Clock } from '../domain/clock';
import { parseReceiptNumber } from '../domain/receipt-number';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { DOCUMENT_QR_VERSION, QR_KIND_CODES, verifyDocumentQr, type PublicKeysByConsoleId } from '../security/receipt-signature';
import type { Store } from '../store';
import { HallServiceError } from './errors';

/**
 * Public keys of the consoles whose documents this kiosk checks, by console id (base64url of the raw
 * Ed25519 key). The hub distributes them (security issue); until then a hall may set them here. The
 * console's own key is always added by the caller.
 */
export const DOCUMENT_KEYS_SETTING = 'documents.publicKeys';
export const DocumentKeysSetting = z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), z.string().regex(/^[A-Za-z0-9_-]{43}$/));

/** Document kinds whose QR carries a 办件编号 (the queue ticket's carries a ticket number). */
const CASE_DOCUMENT_CODES = new Set([QR_KIND_CODES['acceptance-receipt'], QR_KIND_CODES['correction-notice'], QR_KIND_CODES['refusal-decision'], QR_KIND_CODES['payment-notice']]);

/** A kiosk pressing 呼叫工作人员 again within this many seconds repeats the first call (no new alert). */
export const HELP_REPEAT_SECONDS = 30;

export interface KioskServiceOptions {
  store: Store;
  clock: Clock;
  events: EventBus;
  logger?: Logger;
  /** The keys `verifyDocumentQr` checks a scanned document QR with (the console's own among them). */
  publicKeys: () => PublicKeysByConsoleId;
}

export class KioskService {
  private readonly lastHelp = new Map<string, number>();

  constructor(private readonly o: KioskServiceOptions) {}

  /** 查询办件: `text` is a receipt number or a scanned receipt QR. */
  lookup(session: Session, text: string): PublicCaseStatus {
    const { receiptNo, signatureValid } = this.receiptOf(text.trim());
    const record = this.o.store.cases.getByReceiptNo(receiptNo);
    if (!record) throw new HallServiceError('not_found', `未找到办件 ${receiptNo}，请核对办件编号`);
    // Only a kiosk rates, and never through a code whose signature failed.
    const open = session.role === 'kiosk' && signatureValid !== false ? this.o.store.ratings.openForCase(record.id) : null;
    this.o.logger?.log('info', 'kiosk.lookup', { by: signatureValid === null ? 'number' : 'qr', signatureValid });
    return {
      receiptNo: record.receiptNo,
      serviceItemName: this.o.store.catalog.get(record.serviceItemCode)?.name ?? record.serviceItemCode,
      stateLabel: CASE_STATE_LABELS[record.state],
      deadline: record.deadline,
      signatureValid,
      ratingRequestId: open?.id ?? null,
    };
  }

  /** 呼叫工作人员: audit_log row and `help.called` to every logged-in console, with the kiosk's name. */
  callHelp(session: Session): { calledAt: string } {
    const now = this.o.clock();
    const previous = this.lastHelp.get(session.userId);
    if (previous !== undefined && now.getTime() - previous < HELP_REPEAT_SECONDS * 1000) {
      return { calledAt: new Date(previous).toISOString() };
    }
    const at = now.toISOString();
    // A kiosk account's display name is the machine's name (大厅自助机一号), not a person's.
    const kiosk = this.o.store.users.get(session.userId)?.displayName ?? session.userName;
    const where = session.counter ? `${session.counter.number}号窗口` : null;
    this.o.store.db.transaction(() => {
      this.o.store.audit.append({ actor: session.userId, action: 'help.called', subject: session.userId, detail: { kiosk, counterId: session.counter?.id ?? null } });
    });
    this.lastHelp.set(session.userId, now.getTime());
    this.o.logger?.log('info', 'kiosk.help_called', { kiosk: session.userName });
    this.o.events.emit('help.called', { at, kiosk: where ? `${kiosk}（${where}）` : kiosk });
    return { calledAt: at };
  }

  private receiptOf(text: string): { receiptNo: string; signatureValid: boolean | null } {
    if (/^HALL\d+:/.test(text)) return this.fromQr(text);
    const typed = text.toUpperCase().replace(/\s+/g, '').replace(/[—–－]/g, '-');
    if (!parseReceiptNumber(typed)) throw new HallServiceError('not_found', '请输入完整的办件编号，例如 HALL01-20261126-C03-0042');
    return { receiptNo: typed, signatureValid: null };
  }

  /** A scanned document QR: its number, and whether a console key we know signed it. */
  private fromQr(text: string): { receiptNo: string; signatureValid: boolean } {
    const checked = verifyDocumentQr(text, this.o.publicKeys());
    let kindCode: string;
    let number: string;
    if (checked.ok) {
      kindCode = QR_KIND_CODES[checked.kind];
      number = checked.number;
    } else if (checked.code === 'malformed') {
      throw new HallServiceError('not_found', '无法识别这个二维码，请输入回执上的办件编号');
    } else {
      // Well formed but not vouched for (unknown console or a signature that does not match): the
      // status is public, so it is shown, flagged; nothing can be rated through it.
      const fields = text.split(':');
      if (fields[0] !== DOCUMENT_QR_VERSION) throw new HallServiceError('not_found', '无法识别这个二维码，请输入回执上的办件编号');
      kindCode = fields[1] ?? '';
      number = fields[2] ?? '';
    }
    if (kindCode === QR_KIND_CODES['queue-ticket']) throw new HallServiceError('not_found', '这是排队号票，请扫描受理回执上的二维码');
    if (!CASE_DOCUMENT_CODES.has(kindCode) || !parseReceiptNumber(number)) throw new HallServiceError('not_found', '无法识别这个二维码，请输入回执上的办件编号');
    return { receiptNo: number, signatureValid: checked.ok };
  }
}
