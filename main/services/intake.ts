/**
 * The counter's intake (实名实人 → 受理): one draft per counter, saved on every change (encrypted: it
 * holds the clear card data until the case is written), then the §32 decision — 受理 (possibly 容缺),
 * 一次性告知 or 不予受理 — written as a case with its audit trail and outbox rows in one transaction,
 * and its documents queued on the receipt printer.
 *
 * Rules come from main/domain (intake, case-machine, calendar, credit, receipt-number); this module
 * only gathers the facts and records.
 */
import { z } from 'zod';
import type { IntakeDecision, IntakeUpdate, IntakeView, PersonView } from '../../preload/case-contract';
import { MaterialCheckInput } from '../../preload/case-contract';
import type { Session } from '../../preload/contract';
import { displayName, documentNumber, type IdCardReadSuccess } from '../../drivers/idcard';
import { type CalendarDate, type WorkingCalendar } from '../domain/calendar';
import { transition } from '../domain/case-machine';
import type { ServiceItem } from '../domain/catalog';
import type { Clock } from '../domain/clock';
import { creditDecisionProblem, creditHash, measuresFor } from '../domain/credit';
import { assessIntake, commitmentDeadlineValid, type CreditStanding, type IntakeAssessment } from '../domain/intake';
import { maskIdNumber, maskName } from '../domain/masking';
import { formatReceiptNumber } from '../domain/receipt-number';
import type { EventBus } from '../events';
import type { Store } from '../store';
import type { CaseCredit, CaseMaterial, CaseRecord } from '../store/repositories/cases';
import { uuidv7 } from '../store/uuidv7';
import { loadCalendar } from './calendar';
import { HallServiceError } from './errors';
import { CARD_KIND_LABELS } from './hardware';
import { businessDate } from './queue';

/** A person as read from their card: clear, kept only inside the encrypted draft and the case. */
const CardPerson = z.object({
  name: z.string(),
  idNumber: z.string(),
  kindLabel: z.string(),
  validTo: z.string(),
  expired: z.boolean(),
  idNumberValid: z.boolean(),
  address: z.string().nullable(),
});
type CardPerson = z.infer<typeof CardPerson>;

const DraftBody = z.object({
  ticketId: z.string().nullable(),
  ticketNumber: z.string().nullable(),
  agentApplication: z.boolean(),
  applicant: CardPerson.nullable(),
  agent: CardPerson.nullable(),
  identity: z.enum(['none', 'face_match', 'manual_override']),
  faceCheckId: z.string().nullable(),
  serviceItemCode: z.string().nullable(),
  materials: z.array(MaterialCheckInput),
  commitmentDeadline: z.string().nullable(),
  notes: z.string(),
  /** 当场更正: defective materials corrected at the counter (recorded on the case as received → received). */
  corrections: z.array(z.object({ name: z.string(), note: z.string() })).default([]),
});
type DraftBody = z.infer<typeof DraftBody>;

interface Draft {
  id: string;
  counterId: string;
  userId: string;
  startedAt: string;
  updatedAt: string;
  body: DraftBody;
}

/** How long a recorded face check stays usable for an intake. */
const FACE_CHECK_VALID_MS = 30 * 60_000;

/** The clear person of a card read (name and the number the case is filed under). */
export function personFromCard(read: IdCardReadSuccess): CardPerson {
  const card = read.card;
  return {
    name: displayName(card),
    idNumber: documentNumber(card),
    kindLabel: CARD_KIND_LABELS[card.kind],
    validTo: card.validTo === 'long_term' ? '长期' : card.validTo,
    expired: read.validity.status === 'expired',
    idNumberValid: true, // the decoder refuses a number failing GB 11643
    address: 'address' in card ? card.address : null,
  };
}

function personView(p: CardPerson | null): PersonView | null {
  return p && { nameMasked: maskName(p.name), idNumberMasked: maskIdNumber(p.idNumber), kindLabel: p.kindLabel, validTo: p.validTo, expired: p.expired, idNumberValid: p.idNumberValid };
}

/** What a decided handling tells the rest of the console (ratings ask once per handling). */
export interface Handled {
  counterId: string;
  ticketId: string | null;
  caseId: string;
  serviceItemCode: string;
  clerkUserId: string;
}

export interface IntakeDocuments {
  /** Queues the documents of a decision; returns the print job ids. Never throws for a printer problem. */
  printForDecision(record: CaseRecord, session: Session): string[];
}

export interface IntakeServiceOptions {
  store: Store;
  clock: Clock;
  events: EventBus;
  /** The clear record of the last card read on this console. */
  lastCard: () => IdCardReadSuccess | null;
  documents: IntakeDocuments;
  onHandled?: (handled: Handled) => void;
}

export class IntakeService {
  constructor(private readonly o: IntakeServiceOptions) {}

  private get store(): Store {
    return this.o.store;
  }

  current(session: Session): IntakeView | null {
    const draft = this.load(this.counterId(session));
    return draft ? this.view(draft) : null;
  }

  start(session: Session): IntakeView {
    const counterId = this.counterId(session);
    const existing = this.load(counterId);
    if (existing) return this.view(existing);
    const ticket = this.store.tickets.activeAt(counterId).find((t) => t.state === 'serving' || t.state === 'called' || t.state === 'recalled') ?? null;
    const now = this.o.clock().toISOString();
    const draft: Draft = {
      id: uuidv7(this.o.clock()),
      counterId,
      userId: session.userId,
      startedAt: now,
      updatedAt: now,
      body: {
        ticketId: ticket?.id ?? null,
        ticketNumber: ticket?.number ?? null,
        agentApplication: false,
        applicant: null,
        agent: null,
        identity: 'none',
        faceCheckId: null,
        serviceItemCode: null,
        materials: [],
        commitmentDeadline: null,
        notes: '',
        corrections: [],
      },
    };
    return this.view(this.save(draft));
  }

  useCard(session: Session, role: 'applicant' | 'agent'): IntakeView {
    const draft = this.mustLoad(session);
    const read = this.o.lastCard();
    if (!read) throw new HallServiceError('not_found', '还没有读到身份证：请把证件放在读卡器上');
    const person = personFromCard(read);
    if (role === 'agent' && !draft.body.agentApplication) throw new HallServiceError('conflict', '请先勾选“代办”，再读取代办人的证件');
    const other = role === 'agent' ? draft.body.applicant : draft.body.agent;
    if (other && other.idNumber === person.idNumber) {
      throw new HallServiceError('conflict', role === 'agent' ? '代办人的证件与申请人相同：请读取代办人本人的证件' : '申请人的证件与代办人相同：请读取申请人的证件');
    }
    const body = { ...draft.body, [role]: person };
    // The person at the counter changed: their face check must be done again.
    if (role === (draft.body.agentApplication ? 'agent' : 'applicant')) Object.assign(body, { identity: 'none', faceCheckId: null });
    return this.view(this.save({ ...draft, body }));
  }

  verifyFace(session: Session, faceCheckId: string): IntakeView {
    const draft = this.mustLoad(session);
    const check = this.store.faceChecks.get(faceCheckId);
    if (!check || check.userId !== session.userId || check.counterId !== draft.counterId) throw new HallServiceError('not_found', '没有找到本窗口的这次人脸核验');
    if (this.o.clock().getTime() - Date.parse(check.recordedAt) > FACE_CHECK_VALID_MS) throw new HallServiceError('conflict', '人脸核验已超过 30 分钟，请重新核验');
    if (check.decision !== 'match') throw new HallServiceError('conflict', '人脸核验未通过，不能作为实人核验结果');
    const atCounter = draft.body.agentApplication ? draft.body.agent : draft.body.applicant;
    if (!atCounter) throw new HallServiceError('conflict', draft.body.agentApplication ? '请先读取代办人的证件' : '请先读取申请人的证件');
    const identity = check.method === 'manual' ? 'manual_override' : 'face_match';
    return this.view(this.save({ ...draft, body: { ...draft.body, identity, faceCheckId } }));
  }

  update(session: Session, input: IntakeUpdate): IntakeView {
    const draft = this.mustLoad(session);
    const body: DraftBody = { ...draft.body };
    if (input.agentApplication !== undefined && input.agentApplication !== body.agentApplication) {
      body.agentApplication = input.agentApplication;
      if (!input.agentApplication) body.agent = null;
      // Who must be verified changed.
      body.identity = 'none';
      body.faceCheckId = null;
    }
    if (input.serviceItemCode !== undefined && input.serviceItemCode !== body.serviceItemCode) {
      if (input.serviceItemCode !== null && !this.store.catalog.get(input.serviceItemCode)) throw new HallServiceError('not_found', `事项 ${input.serviceItemCode} 不在本大厅的事项目录中`);
      body.serviceItemCode = input.serviceItemCode;
      body.materials = [];
      body.commitmentDeadline = null;
      body.corrections = [];
    }
    if (input.materials !== undefined) {
      const item = body.serviceItemCode ? this.store.catalog.get(body.serviceItemCode) : null;
      if (!item) throw new HallServiceError('conflict', '请先选择办理事项，再核对材料');
      const known = new Set(item.materials.map((m) => m.code));
      const unknown = input.materials.find((m) => !known.has(m.code));
      if (unknown) throw new HallServiceError('bad_input', `材料 ${unknown.code} 不属于事项“${item.name}”`);
      // A defective material now accepted was corrected on the spot (当场更正): keep what was wrong.
      for (const next of input.materials) {
        const before = body.materials.find((m) => m.code === next.code);
        if (before?.status === 'defective' && next.status !== 'defective' && next.status !== 'missing') {
          const name = item.materials.find((m) => m.code === next.code)!.name;
          body.corrections = [...body.corrections, { name, note: before.note?.trim() || '材料不符合要求' }];
        }
      }
      body.materials = input.materials;
    }
    if (input.commitmentDeadline !== undefined) body.commitmentDeadline = input.commitmentDeadline;
    if (input.notes !== undefined) body.notes = input.notes;
    return this.view(this.save({ ...draft, body }));
  }

  discard(session: Session, reason: string): { discarded: boolean } {
    const counterId = this.counterId(session);
    const draft = this.load(counterId);
    if (!draft) return { discarded: false };
    this.store.db.transaction(() => {
      this.store.drafts.delete(counterId);
      this.store.audit.append({ actor: session.userId, action: 'intake.discarded', subject: draft.id, detail: { counterId, reason, ticketId: draft.body.ticketId } });
    });
    return { discarded: true };
  }

  /** 受理 / 一次性告知 / 不予受理: the case, its events, outbox rows and audit in one transaction; then its documents. */
  decide(session: Session, input: IntakeDecision): { record: CaseRecord; printJobIds: string[] } {
    const draft = this.mustLoad(session);
    const facts = this.facts(draft);
    const { body } = draft;
    const applicant = body.applicant;
    const item = facts.item;
    if (!applicant) throw new HallServiceError('conflict', '请先读取申请人的身份证');
    if (!item) throw new HallServiceError('conflict', '请先选择办理事项');
    if (facts.ticketMismatch) throw new HallServiceError('conflict', '所读身份证与取号时登记的身份证不一致，请核实申请人');

    let missingMaterials: string[] = [];
    if (input.decision === 'accept') {
      if (facts.blockers.length > 0) throw new HallServiceError('conflict', facts.blockers.join('；'));
      const problem = creditDecisionProblem(facts.credit.standing, facts.credit.measures, input.credit);
      if (problem) throw new HallServiceError('conflict', problem);
    } else if (input.decision === 'correction') {
      const a = facts.assessment!;
      missingMaterials = [...a.missing.map((m) => m.name), ...a.defective.map((d) => `${d.material.name}（${d.note}）`)];
      if (missingMaterials.length === 0) throw new HallServiceError('conflict', '材料已齐全，无需一次性告知：请直接受理');
    } else if (!input.reason?.trim()) {
      throw new HallServiceError('bad_input', '不予受理须填写理由');
    }

    const now = this.o.clock();
    const today = businessDate(now);
    const counter = this.store.counters.get(draft.counterId);
    const consoleCode = `C${String(counter?.number ?? 0).padStart(2, '0')}`;
    const hallCode = this.store.settings.get('hall.code', z.string().regex(/^[A-Z0-9]{2,12}$/)) ?? 'HALL01';
    const target = input.decision === 'accept' ? 'accepted' : input.decision === 'correction' ? 'correction' : 'rejected';
    const step = transition({ from: 'received', to: target, reason: input.reason ?? null, missingMaterials });
    if (!step.ok) throw new HallServiceError('conflict', step.message);

    const accepted = input.decision === 'accept';
    const deadline = accepted ? (item.kind === 'on_the_spot' ? today : facts.promisedDeadline) : null;
    const feeTotalFen = accepted ? facts.feeTotalFen : 0;
    const materials: CaseMaterial[] = item.materials.map((m) => {
      const check = body.materials.find((c) => c.code === m.code);
      return { code: m.code, name: m.name, status: check?.status ?? 'missing', ...(check?.note ? { note: check.note } : {}) };
    });
    const credit: CaseCredit = {
      standing: facts.credit.standing,
      measures: facts.credit.measures,
      action: input.credit?.action ?? null,
      reason: input.credit?.reason?.trim() || null,
      listVersion: facts.credit.listVersion,
    };

    const record = this.store.db.transaction(() => {
      const sequence = this.store.receiptSequences.next(consoleCode, today);
      const receiptNo = formatReceiptNumber({ hallCode, date: today, consoleCode, sequence });
      const created = this.store.cases.create(
        {
          receiptNo,
          ticketId: body.ticketId,
          serviceItemCode: item.code,
          state: 'received',
          tolerated: accepted && facts.assessment!.tolerated.length > 0,
          applicant: { name: applicant.name, idNumber: applicant.idNumber, address: applicant.address },
          agent: body.agentApplication && body.agent ? { name: body.agent.name, idNumber: body.agent.idNumber } : null,
          counterId: draft.counterId,
          clerkUserId: session.userId,
          deadline,
          materials,
          commitmentDeadline: accepted && facts.assessment!.tolerated.length > 0 ? body.commitmentDeadline : null,
          feeTotalFen,
          paymentCode: feeTotalFen > 0 ? receiptNo.replaceAll('-', '') : null,
          credit,
          faceCheckId: body.faceCheckId,
          businessDate: today,
          decisionReason: input.reason?.trim() || (missingMaterials.length ? missingMaterials.join('；') : null),
          returnBy: input.decision === 'correction' ? (input.returnBy ?? null) : null,
        },
        session.userId,
      );
      if (body.corrections.length > 0) {
        const fixed = body.corrections.map((c) => `${c.name}（${c.note}）`).join('；');
        const ok = transition({ from: 'received', to: 'received', reason: `当场更正：${fixed}` });
        if (!ok.ok) throw new HallServiceError('conflict', ok.message);
        this.store.cases.transition(created.id, 'received', session.userId, `当场更正：${fixed}`);
      }
      const reason = input.decision === 'correction' ? `一次性告知：${missingMaterials.join('；')}` : (input.reason?.trim() ?? null);
      this.store.cases.transition(created.id, target, session.userId, reason);
      if (input.decision === 'correction') this.store.cases.updateFields(created.id, { correctionRounds: 1 });
      if (credit.action === 'waive') {
        this.store.audit.append({ actor: session.userId, action: 'credit.waived', subject: created.id, detail: { standing: credit.standing, measures: credit.measures, reason: credit.reason } });
      }
      this.store.drafts.delete(draft.counterId);
      return this.store.cases.get(created.id)!;
    });
    this.o.events.emit('cases.changed', { caseId: record.id });
    const printJobIds = this.o.documents.printForDecision(record, session);
    this.o.onHandled?.({ counterId: draft.counterId, ticketId: body.ticketId, caseId: record.id, serviceItemCode: item.code, clerkUserId: session.userId });
    return { record, printJobIds };
  }

  // ----- internals -----

  private counterId(session: Session): string {
    if (!session.counter) throw new HallServiceError('counter_required', '受理须在窗口登录');
    return session.counter.id;
  }

  private load(counterId: string): Draft | null {
    const stored = this.store.drafts.get(counterId, DraftBody);
    return stored && { id: stored.id, counterId, userId: stored.userId, startedAt: stored.startedAt, updatedAt: stored.updatedAt, body: stored.body };
  }

  private mustLoad(session: Session): Draft {
    const draft = this.load(this.counterId(session));
    if (!draft) throw new HallServiceError('not_found', '当前没有进行中的受理：请先开始受理');
    return draft;
  }

  private save(draft: Draft): Draft {
    const updatedAt = this.store.drafts.save({ id: draft.id, counterId: draft.counterId, userId: draft.userId, startedAt: draft.startedAt }, DraftBody, draft.body);
    return { ...draft, updatedAt };
  }

  private calendar(): WorkingCalendar {
    return loadCalendar(this.store);
  }

  /** Everything the rules say about a draft: assessment, credit, deadline, fees and blockers. */
  private facts(draft: Draft): {
    item: ServiceItem | null;
    assessment: IntakeAssessment | null;
    credit: { standing: CreditStanding; measures: string[]; listVersion: string | null };
    promisedDeadline: CalendarDate | null;
    feeTotalFen: number;
    ticketMismatch: boolean;
    blockers: string[];
    calendarWarnings: string[];
  } {
    const { body } = draft;
    const item = body.serviceItemCode ? this.store.catalog.get(body.serviceItemCode) : null;
    const entry = body.applicant ? this.store.credit.find(creditHash(body.applicant.idNumber)) : null;
    const standing: CreditStanding = entry ? entry.standing : 'normal';
    const credit = { standing, measures: entry ? measuresFor(entry.measures, item?.code ?? null) : [], listVersion: entry?.listVersion ?? null };
    const assessment = item ? assessIntake(item, body.materials, standing) : null;
    const today = businessDate(this.o.clock());
    const calendar = this.calendar();
    const promisedDeadline = item && item.kind === 'promised' ? calendar.addWorkingDays(today, item.promisedLimitDays) : null;
    const ticket = body.ticketId ? this.store.tickets.get(body.ticketId) : null;
    const ticketMismatch = Boolean(ticket?.applicantIdIndex && body.applicant && !this.store.tickets.applicantMatches(ticket, body.applicant.idNumber));
    const feeTotalFen = item ? item.fees.reduce((sum, f) => sum + f.amountFen, 0) : 0;

    const blockers: string[] = [];
    if (!body.applicant) blockers.push('请读取申请人的身份证');
    if (body.agentApplication && !body.agent) blockers.push('代办须读取代办人的身份证');
    if (body.applicant?.expired) blockers.push('申请人的证件已过有效期');
    if (body.agent?.expired) blockers.push('代办人的证件已过有效期');
    if (ticketMismatch) blockers.push('所读身份证与取号时登记的身份证不一致');
    if (body.identity === 'none') blockers.push(body.agentApplication ? '请完成代办人的人脸核验（或记录人工核验原因）' : '请完成申请人的人脸核验（或记录人工核验原因）');
    if (!item) blockers.push('请选择办理事项');
    if (item && assessment) {
      if (assessment.missing.length) blockers.push(`缺少材料：${assessment.missing.map((m) => m.name).join('、')}`);
      if (assessment.defective.length) blockers.push(`材料需补正：${assessment.defective.map((d) => d.material.name).join('、')}`);
      blockers.push(...assessment.reasons.filter((r) => !blockers.includes(r)));
      if (assessment.needsCommitment) {
        if (item.kind === 'on_the_spot') blockers.push('即办件不适用容缺受理，请补齐材料');
        else if (!body.commitmentDeadline) blockers.push('容缺受理须填写申请人承诺补齐材料的日期');
        else if (promisedDeadline && !commitmentDeadlineValid(body.commitmentDeadline, promisedDeadline, today)) {
          blockers.push(`承诺补齐日期须在今天（${today}）至承诺办结日期（${promisedDeadline}）之间`);
        }
      }
    }
    const calendarWarnings = calendar.yearsWithoutData(today, promisedDeadline ?? today).map((y) => `${y} 年节假日数据缺失，期限暂按周一至周五计算`);
    return { item, assessment, credit, promisedDeadline, feeTotalFen, ticketMismatch, blockers, calendarWarnings };
  }

  private view(draft: Draft): IntakeView {
    const f = this.facts(draft);
    const { body } = draft;
    const a = f.assessment;
    return {
      id: draft.id,
      ticketId: body.ticketId,
      ticketNumber: body.ticketNumber,
      today: businessDate(this.o.clock()),
      startedAt: draft.startedAt,
      updatedAt: draft.updatedAt,
      agentApplication: body.agentApplication,
      applicant: personView(body.applicant),
      agent: personView(body.agent),
      identity: { status: body.identity, faceCheckId: body.faceCheckId },
      ticketMismatch: f.ticketMismatch,
      credit: body.applicant ? { standing: f.credit.standing, measures: f.credit.measures, listVersion: f.credit.listVersion } : null,
      serviceItemCode: body.serviceItemCode,
      materials: body.materials,
      commitmentDeadline: body.commitmentDeadline,
      notes: body.notes,
      assessment: a && {
        canAccept: a.canAccept,
        needsCommitment: a.needsCommitment,
        complete: a.complete,
        missing: a.missing.map((m) => m.name),
        defective: a.defective.map((d) => ({ name: d.material.name, note: d.note })),
        tolerated: a.tolerated.map((m) => m.name),
        reasons: a.reasons,
      },
      promisedDeadline: f.promisedDeadline,
      feeTotalFen: f.feeTotalFen,
      blockers: f.blockers,
      calendarWarnings: f.calendarWarnings,
    };
  }
}
