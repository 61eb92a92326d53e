/**
 * The printed documents of a case (受理回执, 一次性告知书, 不予受理决定书, 缴款通知): built from the case
 * record with personal data masked by the builders, each with the QR signed by the console key,
 * printed on the receipt printer (GB18030 ESC/POS) or exported as an A4 PDF.
 */
import type { DocumentKind } from '../../preload/case-contract';
import type { PrintJobView, Session, TicketView } from '../../preload/contract';
import {
  acceptanceReceipt,
  correctionNotice,
  paymentNotice,
  queueTicket,
  refusalDecision,
  type QueueTicket,
  type ReceiptDocument,
} from '../../drivers/printer/receipt';
import type { ServiceItem } from '../domain/catalog';
import { chinaDate, type Clock } from '../domain/clock';
import type { Store } from '../store';
import type { CaseRecord } from '../store/repositories/cases';
import type { CaseDocumentPort } from './cases';
import { documentsOf } from './cases';
import { HallServiceError } from './errors';
import type { IntakeDocuments } from './intake';

/** Signs what a document's QR carries (main/security/receipt-signature.ts with the console key). */
export type DocumentSigner = (doc: { kind: DocumentKind | 'queue-ticket'; number: string; issuedAt: Date }) => string;

export interface CaseDocumentsOptions {
  store: Store;
  clock: Clock;
  hallName: () => string;
  sign: DocumentSigner;
  print: (doc: ReceiptDocument) => PrintJobView;
  /** Reprints a job; the caller audits it (CaseService.print). */
  reprint: (jobId: string) => PrintJobView;
  pdf: (doc: ReceiptDocument) => Promise<Buffer>;
  onError: (kind: DocumentKind | 'queue-ticket', error: unknown) => void;
}

/** What a printed 取号单 says besides the number (QueueService.ticketInfo + the card's number if any). */
export interface TicketInfo {
  groupName: string;
  waitingAhead: number;
  expectedWaitMinutes: number | null;
  applicantIdNumber: string | null;
}

/** What the applicant scans to pay (统一非税支付): the platform's payment reference and the amount. */
export function paymentQrText(paymentCode: string, amountFen: number): string {
  return `FSPAY:${paymentCode}:${amountFen}`;
}

const FORM: Record<ServiceItem['materials'][number]['form'], 'original' | 'copy'> = { original: 'original', copy: 'copy', original_and_copy: 'original' };

export class CaseDocuments implements CaseDocumentPort, IntakeDocuments {
  constructor(private readonly o: CaseDocumentsOptions) {}

  /** The document of one kind for a case, as it is printed now. */
  build(record: CaseRecord, kind: DocumentKind): ReceiptDocument {
    const applicant = record.applicant;
    if (!applicant) throw new HallServiceError('conflict', '该办件的个人信息已按保存期限清除，不能再出具文书');
    const item = this.o.store.catalog.get(record.serviceItemCode);
    const clerk = record.clerkUserId ? this.o.store.users.get(record.clerkUserId) : null;
    const counter = record.counterId ? this.o.store.counters.get(record.counterId) : null;
    const common = {
      hallName: this.o.hallName(),
      receiptNo: record.receiptNo,
      serviceItem: item?.name ?? record.serviceItemCode,
      applicant: { name: applicant.name, idNumber: applicant.idNumber },
    };
    const decidedAt = this.decidedAt(record);
    const qrPayload = this.o.sign({ kind, number: record.receiptNo, issuedAt: decidedAt });
    const clerkName = clerk?.displayName ?? '窗口人员';
    const counterLabel = counter ? `${counter.number}号窗口` : '窗口';
    switch (kind) {
      case 'acceptance-receipt':
        return acceptanceReceipt({
          ...common,
          acceptedAt: decidedAt,
          promisedDeadline: item?.kind === 'promised' ? record.deadline : null,
          materials: record.materials
            .filter((m) => m.status !== 'missing' && m.status !== 'defective')
            .map((m) => {
              const def = item?.materials.find((d) => d.code === m.code);
              const suffix = m.status === 'tolerated' ? `（容缺，承诺${record.commitmentDeadline ?? ''}前补齐）` : m.status === 'credit_commitment' ? '（信用承诺）' : '';
              return {
                name: `${m.name}${suffix}`,
                form: m.status === 'e_licence' ? 'electronic' : def ? FORM[def.form] : null,
                count: m.status === 'tolerated' || m.status === 'credit_commitment' ? null : (def?.count ?? null),
              };
            }),
          clerkName,
          counter: counterLabel,
          qrPayload,
        });
      case 'correction-notice':
        return correctionNotice({
          ...common,
          issuedAt: decidedAt,
          items: record.materials
            .filter((m) => m.status === 'missing' || m.status === 'defective')
            .map((m) => ({ name: m.name, note: m.status === 'defective' ? (m.note ?? '材料不符合要求') : '未提交' })),
          returnBy: record.returnBy,
          clerkName,
          counter: counterLabel,
          qrPayload,
        });
      case 'refusal-decision':
        return refusalDecision({ ...common, decidedAt, reason: record.decisionReason ?? '不符合受理条件', clerkName, counter: counterLabel, qrPayload });
      case 'payment-notice': {
        if (!record.paymentCode || !item) throw new HallServiceError('conflict', '该办件没有缴款信息');
        return paymentNotice({
          ...common,
          fees: item.fees.map((f) => ({ name: f.name, amountFen: f.amountFen })),
          totalFen: record.feeTotalFen,
          paymentCode: record.paymentCode,
          paymentQr: paymentQrText(record.paymentCode, record.feeTotalFen),
          issuedAt: decidedAt,
          payableBy: record.deadline,
          qrPayload,
        });
      }
    }
  }

  print(record: CaseRecord, kind: DocumentKind, reprint: boolean): PrintJobView {
    if (reprint) {
      const last = this.o.store.printJobs.list({ reference: record.receiptNo, limit: 200 }).find((j) => j.kind === kind && j.reprintOf === null);
      if (last) return this.o.reprint(last.id);
    }
    return this.o.print(this.build(record, kind));
  }

  pdf(record: CaseRecord, kind: DocumentKind): Promise<Buffer> {
    return this.o.pdf(this.build(record, kind));
  }

  /** After a decision: 受理回执 (+ 缴款通知 with fees), 一次性告知书 or 不予受理决定书. A printer problem never undoes the case. */
  printForDecision(record: CaseRecord, _session: Session): string[] {
    const ids: string[] = [];
    for (const kind of documentsOf(record)) {
      try {
        ids.push(this.o.print(this.build(record, kind)).id);
      } catch (err) {
        this.o.onError(kind, err);
      }
    }
    return ids;
  }

  /** The 取号单 with its signed QR (number + business day, signed by this console). */
  buildTicket(ticket: TicketView, info: TicketInfo): QueueTicket {
    const issuedAt = new Date(ticket.issuedAt);
    return queueTicket({
      hallName: this.o.hallName(),
      ticketNo: ticket.number,
      groupName: info.groupName,
      issuedAt,
      waitingAhead: info.waitingAhead,
      expectedWaitMinutes: info.expectedWaitMinutes,
      applicantIdNumber: info.applicantIdNumber,
      qrPayload: this.o.sign({ kind: 'queue-ticket', number: `${ticket.number}-${chinaDate(issuedAt).replaceAll('-', '')}`, issuedAt }),
    });
  }

  /** The 取号单 at the kiosk; a printer problem leaves the ticket valid (it is on screen). */
  printTicket(ticket: TicketView, info: TicketInfo): PrintJobView | null {
    try {
      return this.o.print(this.buildTicket(ticket, info));
    } catch (err) {
      this.o.onError('queue-ticket', err);
      return null;
    }
  }

  /** The 取号单 as an A4 PDF (export). */
  ticketPdf(ticket: TicketView, info: TicketInfo): Promise<Buffer> {
    return this.o.pdf(this.buildTicket(ticket, info));
  }

  /** When the decision was taken (the newest event's time), so a reprint carries the same date. */
  private decidedAt(record: CaseRecord): Date {
    const events = this.o.store.cases.events(record.id);
    const decision = events.find((e) => e.toState === 'accepted' || e.toState === 'correction' || e.toState === 'rejected');
    return new Date(decision?.at ?? record.createdAt);
  }
}
