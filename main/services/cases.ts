/**
 * Cases after the intake decision: the clerk's list with deadline colours, one case's detail, the
 * later steps of the state machine (撤件, 办结, 容缺补齐, 审查, 暂停/恢复, 准予/不予许可, 送达, 归档), fees
 * paid by the payer's payment code or confirmed by sync, documents printed (补打 audited) or exported
 * as PDF, and today's summary. Every change: case row + case_event / audit + outbox in one transaction.
 */
import type { CaseDetail, CaseListQuery, CaseRow, DocumentKind, TodaySummary } from '../../preload/case-contract';
import { CASE_ACTIONS, CaseListQuery as CaseListQuerySchema, DOCUMENT_LABELS } from '../../preload/case-contract';
import type { PrintJobView, ScanView, Session } from '../../preload/contract';
import { addDays, type WorkingCalendar } from '../domain/calendar';
import { CASE_STATE_LABELS, clockRuns, transition, type CaseState, type PauseReason } from '../domain/case-machine';
import type { Clock } from '../domain/clock';
import { maskName } from '../domain/masking';
import type { EventBus } from '../events';
import type { Store } from '../store';
import type { CaseListRecord, CaseRecord } from '../store/repositories/cases';
import { loadCalendar } from './calendar';
import { HallServiceError } from './errors';
import { businessDate } from './queue';

type CaseAction = (typeof CASE_ACTIONS)[number];

/** Cases whose deadline is watched (the clock runs or is paused), and those still awaiting a step at intake. */
const OPEN_STATES: readonly CaseState[] = ['accepted', 'reviewing', 'paused', 'received', 'correction'];
const PAYMENT_KINDS = new Set<ScanView['kind']>(['wechat_pay', 'alipay', 'unionpay']);
const PAYMENT_LABELS: Record<string, string> = { wechat_pay: '微信', alipay: '支付宝', unionpay: '云闪付', sync: '统一支付平台' };

/** What prints and exports the documents of a case (main/services/documents.ts). */
export interface CaseDocumentPort {
  print(record: CaseRecord, kind: DocumentKind, reprint: boolean): PrintJobView;
  pdf(record: CaseRecord, kind: DocumentKind): Promise<Buffer>;
}

export interface CaseServiceOptions {
  store: Store;
  clock: Clock;
  events: EventBus;
  classify: (text: string) => ScanView;
  documents: CaseDocumentPort;
  /** Yellow warning at ≤ this many working days left (hall-domain note; configurable). */
  warnDays?: number;
}

/** Documents a case has, by what happened to it. */
export function documentsOf(record: CaseRecord): DocumentKind[] {
  const kinds: DocumentKind[] = [];
  if (record.state === 'rejected') kinds.push('refusal-decision');
  if (record.correctionRounds > 0 || record.state === 'correction') kinds.push('correction-notice');
  if (!['draft', 'received', 'correction', 'rejected'].includes(record.state) && record.state !== 'withdrawn') kinds.push('acceptance-receipt');
  if (record.state === 'withdrawn' && record.deadline !== null) kinds.push('acceptance-receipt');
  if (record.feeTotalFen > 0) kinds.push('payment-notice');
  return kinds;
}

export class CaseService {
  private readonly warnDays: number;

  constructor(private readonly o: CaseServiceOptions) {
    this.warnDays = o.warnDays ?? 2;
  }

  private get store(): Store {
    return this.o.store;
  }

  list(session: Session, query: CaseListQuery): { rows: CaseRow[]; hasMore: boolean } {
    const q = CaseListQuerySchema.parse(query);
    const today = this.today();
    const calendar = loadCalendar(this.store);
    let counterId: string | null = null;
    let clerkUserId: string | null = null;
    if (q.scope === 'mine') clerkUserId = session.userId;
    else if (q.scope === 'counter') {
      if (!session.counter) throw new HallServiceError('counter_required', '按窗口查看办件须在窗口登录');
      counterId = session.counter.id;
    } else if (session.role === 'clerk') {
      throw new HallServiceError('forbidden', '窗口人员只能查看本窗口的办件');
    }
    let states = q.states;
    let deadlineFrom: string | undefined;
    let deadlineBefore: string | undefined;
    if (q.level) {
      const running = (states ?? ['accepted', 'reviewing']).filter((s) => clockRuns(s));
      states = running.length ? running : ['accepted', 'reviewing'];
      if (q.level === 'overdue') deadlineBefore = today;
      else {
        deadlineFrom = today;
        deadlineBefore = calendar.addWorkingDays(today, this.warnDays + 1)!;
      }
    }
    if (q.commitmentOverdue && !states) states = ['accepted', 'reviewing', 'paused'];
    // Only open cases are ordered by deadline (few rows); history is read newest first along an index.
    const order = q.level || q.commitmentOverdue || (states && states.length > 0 && states.every((s) => OPEN_STATES.includes(s))) ? 'deadline' : 'newest';
    const records = this.store.cases.list({
      order,
      counterId,
      clerkUserId,
      states,
      deadlineFrom,
      deadlineBefore,
      commitmentOverdueOn: q.commitmentOverdue ? today : undefined,
      createdFrom: q.from,
      createdBefore: q.to ? addDays(q.to, 1) : undefined,
      serviceItemCode: q.serviceItemCode,
      receiptNo: q.receiptNo || undefined,
      limit: q.limit,
      offset: q.offset,
    });
    const hasMore = records.length > q.limit;
    const counterNumbers = new Map(this.store.counters.listActive().map((c) => [c.id, c.number]));
    return { rows: records.slice(0, q.limit).map((r) => this.row(r, today, calendar, counterNumbers)), hasMore };
  }

  get(id: string): CaseDetail {
    return this.detail(this.mustGet(id));
  }

  act(session: Session, input: { id: string; action: CaseAction; reason?: string; pauseReason?: PauseReason }): CaseDetail {
    const record = this.mustGet(input.id);
    if (!this.actionsOf(record).includes(input.action)) {
      throw new HallServiceError('conflict', `办件${CASE_STATE_LABELS[record.state]}，不能执行该操作`);
    }
    const today = this.today();
    const actor = session.userId;
    const reason = input.reason?.trim() || null;
    this.store.db.transaction(() => {
      const step = (to: CaseState, why: string | null = reason, pauseReason?: PauseReason): void => {
        const current = this.mustGet(record.id).state;
        const ok = transition({ from: current, to, reason: why, pauseReason });
        if (!ok.ok) throw new HallServiceError(ok.code === 'not_allowed' ? 'conflict' : 'bad_input', ok.message);
        this.store.cases.transition(record.id, to, actor, why ?? (pauseReason ? `暂停：${pauseReason}` : null));
      };
      switch (input.action) {
        case 'withdraw':
          step('withdrawn');
          break;
        case 'start_review':
          step('reviewing');
          break;
        case 'approve':
          step('approved');
          break;
        case 'deny':
          step('denied');
          break;
        case 'deliver':
          step('delivered');
          break;
        case 'archive':
          step('archived');
          break;
        case 'complete':
          this.requirePaid(record);
          if (record.state === 'accepted') {
            step('reviewing', null);
            step('approved', null);
          }
          step('completed', null);
          break;
        case 'pause': {
          if (!input.pauseReason) throw new HallServiceError('bad_input', '暂停须选择原因（补正、听证或鉴定）');
          step('paused', null, input.pauseReason);
          this.store.cases.updateFields(record.id, { pauses: [...record.pauses, { from: today, to: null, reason: input.pauseReason }] });
          break;
        }
        case 'resume': {
          step('reviewing', null);
          const pauses = record.pauses.map((p) => (p.to === null ? { ...p, to: today } : p));
          const item = this.store.catalog.get(record.serviceItemCode);
          const deadline =
            item && item.kind === 'promised' && record.businessDate
              ? loadCalendar(this.store).addWorkingDays(record.businessDate, item.promisedLimitDays, pauses)
              : record.deadline;
          this.store.cases.updateFields(record.id, { pauses, deadline });
          this.store.outbox.append('case.deadline_changed', { caseId: record.id, receiptNo: record.receiptNo, deadline, pauses });
          break;
        }
        case 'fulfil_commitment': {
          const at = this.o.clock().toISOString();
          const materials = record.materials.map((m) => (m.status === 'tolerated' ? { ...m, status: 'provided' as const } : m));
          this.store.cases.updateFields(record.id, { commitmentFulfilledAt: at, materials });
          this.store.audit.append({ actor, action: 'case.commitment_fulfilled', subject: record.id, detail: { receiptNo: record.receiptNo } });
          this.store.outbox.append('case.commitment_fulfilled', { caseId: record.id, receiptNo: record.receiptNo, at, actorUserId: actor });
          break;
        }
      }
    });
    this.o.events.emit('cases.changed', { caseId: record.id });
    return this.get(record.id);
  }

  /** The payer's payment code (付款码) scanned at the counter pays the case's fees. */
  pay(session: Session, id: string, scanText: string): CaseDetail {
    const record = this.mustGet(id);
    if (record.feeTotalFen <= 0) throw new HallServiceError('conflict', '该办件没有需要缴纳的费用');
    if (record.paidAt) throw new HallServiceError('conflict', '该办件的费用已缴清');
    const scan = this.o.classify(scanText);
    if (!PAYMENT_KINDS.has(scan.kind)) throw new HallServiceError('bad_input', '扫到的不是付款码：请扫描申请人微信、支付宝或云闪付的付款码');
    const at = this.o.clock().toISOString();
    this.store.db.transaction(() => {
      this.store.cases.updateFields(id, { paidAt: at, paidVia: scan.kind });
      this.store.audit.append({ actor: session.userId, action: 'case.payment_captured', subject: id, detail: { via: scan.kind, amountFen: record.feeTotalFen, payer: scan.masked } });
      // The hub charges the payer code through the unified non-tax payment platform (统一非税支付).
      this.store.outbox.append('case.payment_captured', { caseId: id, receiptNo: record.receiptNo, paymentCode: record.paymentCode, amountFen: record.feeTotalFen, via: scan.kind, payerCode: scan.text, at });
    });
    this.o.events.emit('cases.changed', { caseId: id });
    return this.get(id);
  }

  /**
   * Payment status arriving through sync (the applicant paid with the payment QR; bucket `payments`).
   * Idempotent. Null when no case of this console has that payment code. When the platform reports an
   * amount other than the case's fees, the case stays unpaid and the mismatch is audited for the
   * supervisor (a clerk must look at it; nothing is marked paid on a wrong amount).
   */
  confirmPayment(paymentCode: string, paidAt: string, amountFen?: number): CaseRecord | null {
    const record = this.store.cases.getByPaymentCode(paymentCode);
    if (!record) return null;
    if (record.paidAt) return record;
    if (amountFen !== undefined && amountFen !== record.feeTotalFen) {
      this.store.audit.append({ actor: null, action: 'case.payment_mismatch', subject: record.id, detail: { paymentCode, paidAt, amountFen, feeTotalFen: record.feeTotalFen } });
      return record;
    }
    const updated = this.store.db.transaction(() => {
      const r = this.store.cases.updateFields(record.id, { paidAt, paidVia: 'sync' });
      this.store.audit.append({ actor: null, action: 'case.payment_confirmed', subject: record.id, detail: { paymentCode, paidAt } });
      return r;
    });
    this.o.events.emit('cases.changed', { caseId: record.id });
    return updated;
  }

  print(session: Session, id: string, kind: DocumentKind): PrintJobView {
    const record = this.mustGet(id);
    if (!documentsOf(record).includes(kind)) throw new HallServiceError('conflict', `该办件没有${DOCUMENT_LABELS[kind]}`);
    const printedBefore = this.store.printJobs.list({ reference: record.receiptNo, limit: 200 }).some((j) => j.kind === kind);
    const job = this.store.db.transaction(() => {
      const j = this.o.documents.print(record, kind, printedBefore);
      if (printedBefore) this.store.audit.append({ actor: session.userId, action: 'document.reprinted', subject: id, detail: { kind, receiptNo: record.receiptNo, jobId: j.id } });
      return j;
    });
    return job;
  }

  async pdf(session: Session, id: string, kind: DocumentKind): Promise<{ fileName: string; base64: string }> {
    const record = this.mustGet(id);
    if (!documentsOf(record).includes(kind)) throw new HallServiceError('conflict', `该办件没有${DOCUMENT_LABELS[kind]}`);
    const bytes = await this.o.documents.pdf(record, kind);
    this.store.audit.append({ actor: session.userId, action: 'document.exported', subject: id, detail: { kind, receiptNo: record.receiptNo } });
    return { fileName: `${record.receiptNo}-${DOCUMENT_LABELS[kind]}.pdf`, base64: bytes.toString('base64') };
  }

  summary(session: Session): TodaySummary {
    const today = this.today();
    const counterId = session.counter?.id ?? null;
    const where = counterId ? 'AND counter_id = ?' : '';
    const args = counterId ? [today, counterId] : [today];
    const sql = this.store.db.sql;
    const decided = sql
      .prepare(
        `SELECT
           sum(CASE WHEN state NOT IN ('draft', 'received', 'correction', 'rejected') THEN 1 ELSE 0 END) AS accepted,
           sum(tolerated) AS tolerated,
           sum(CASE WHEN correction_rounds > 0 OR state = 'correction' THEN 1 ELSE 0 END) AS corrections,
           sum(CASE WHEN state = 'rejected' THEN 1 ELSE 0 END) AS refusals
         FROM cases WHERE business_date = ? ${where}`,
      )
      .get(...args) as { accepted: number | null; tolerated: number | null; corrections: number | null; refusals: number | null };
    const tickets = sql
      .prepare(
        `SELECT count(*) AS served, avg((julianday(finished_at) - julianday(served_at)) * 1440) AS minutes FROM tickets
         WHERE business_date = ? AND state = 'done' ${where}`,
      )
      .get(...args) as { served: number; minutes: number | null };
    const calendar = loadCalendar(this.store);
    const warnBefore = calendar.addWorkingDays(today, this.warnDays + 1)!;
    const open = sql
      .prepare(
        `SELECT
           sum(CASE WHEN deadline < ? THEN 1 ELSE 0 END) AS overdue,
           sum(CASE WHEN deadline >= ? AND deadline < ? THEN 1 ELSE 0 END) AS warning
         FROM cases WHERE state IN ('accepted', 'reviewing') ${where}`,
      )
      .get(today, today, warnBefore, ...(counterId ? [counterId] : [])) as { overdue: number | null; warning: number | null };
    const commitments = sql
      .prepare(`SELECT count(*) AS n FROM cases WHERE commitment_deadline < ? AND commitment_fulfilled_at IS NULL AND state NOT IN ('withdrawn', 'archived') ${where}`)
      .get(today, ...(counterId ? [counterId] : [])) as { n: number };
    return {
      date: today,
      ticketsServed: tickets.served,
      casesAccepted: decided.accepted ?? 0,
      tolerated: decided.tolerated ?? 0,
      corrections: decided.corrections ?? 0,
      refusals: decided.refusals ?? 0,
      averageHandlingMinutes: tickets.minutes === null ? null : Math.round(tickets.minutes * 10) / 10,
      openWarning: open.warning ?? 0,
      openOverdue: open.overdue ?? 0,
      commitmentsOverdue: commitments.n,
    };
  }

  // ----- internals -----

  private today(): string {
    return businessDate(this.o.clock());
  }

  private mustGet(id: string): CaseRecord {
    const record = this.store.cases.get(id);
    if (!record) throw new HallServiceError('not_found', '没有找到该办件');
    return record;
  }

  private requirePaid(record: CaseRecord): void {
    if (record.feeTotalFen <= 0 || record.paidAt) return;
    const item = this.store.catalog.get(record.serviceItemCode);
    if (item?.completeWithFeesUnpaid) return;
    throw new HallServiceError('conflict', '费用尚未缴清，不能办结：请申请人扫码缴费，或扫描其付款码');
  }

  actionsOf(record: CaseRecord): CaseAction[] {
    const item = this.store.catalog.get(record.serviceItemCode);
    const tolerance = record.tolerated && record.commitmentFulfilledAt === null ? (['fulfil_commitment'] as const) : [];
    switch (record.state) {
      case 'draft':
      case 'received':
      case 'correction':
        return ['withdraw'];
      case 'accepted':
        return [...(item?.kind === 'on_the_spot' ? (['complete'] as const) : []), 'start_review', ...tolerance, 'withdraw'];
      case 'reviewing':
        return ['approve', 'deny', 'pause', ...tolerance, 'withdraw'];
      case 'paused':
        return ['resume', 'withdraw'];
      case 'approved':
      case 'denied':
        return ['complete'];
      case 'completed':
        return ['deliver'];
      case 'delivered':
        return ['archive'];
      default:
        return [];
    }
  }

  private row(r: CaseListRecord, today: string, calendar: WorkingCalendar, counterNumbers: ReadonlyMap<string, number>): CaseRow {
    const level = r.deadline && clockRuns(r.state) ? calendar.deadlineLevel(today, r.deadline, this.warnDays) : 'none';
    return {
      id: r.id,
      receiptNo: r.receiptNo,
      serviceItemCode: r.serviceItemCode,
      serviceItemName: this.store.catalog.get(r.serviceItemCode)?.name ?? r.serviceItemCode,
      state: r.state,
      stateLabel: CASE_STATE_LABELS[r.state],
      applicantMasked: r.applicantName === null ? null : maskName(r.applicantName),
      createdAt: r.createdAt,
      deadline: r.deadline,
      deadlineLevel: level,
      tolerated: r.tolerated,
      commitmentDeadline: r.commitmentDeadline,
      commitmentOverdue: r.commitmentDeadline !== null && r.commitmentFulfilledAt === null && r.commitmentDeadline < today && OPEN_STATES.includes(r.state),
      feeStatus: r.feeTotalFen === 0 ? 'none' : r.paidAt ? 'paid' : 'unpaid',
      feeTotalFen: r.feeTotalFen,
      counterNumber: r.counterId ? (counterNumbers.get(r.counterId) ?? this.store.counters.get(r.counterId)?.number ?? null) : null,
    };
  }

  private detail(r: CaseRecord): CaseDetail {
    const today = this.today();
    const item = this.store.catalog.get(r.serviceItemCode);
    const actorName = (userId: string): string => {
      const user = this.store.users.get(userId);
      return user ? maskName(user.displayName) : userId;
    };
    return {
      ...this.row({ ...r, applicantName: r.applicant?.name ?? null }, today, loadCalendar(this.store), new Map()),
      agentMasked: r.agent ? maskName(r.agent.name) : null,
      materials: r.materials.map((m) => ({ code: m.code, name: m.name, status: m.status, ...(m.note ? { note: m.note } : {}) })),
      fees: item && r.feeTotalFen > 0 ? item.fees : [],
      paymentCode: r.paymentCode,
      paidAt: r.paidAt,
      paidVia: r.paidVia ? (PAYMENT_LABELS[r.paidVia] ?? r.paidVia) : null,
      events: this.store.cases.events(r.id).map((e) => ({ fromState: e.fromState, toState: e.toState, at: e.at, actor: actorName(e.actorUserId), reason: e.reason })),
      documents: documentsOf(r),
      actions: this.actionsOf(r),
    };
  }
}
