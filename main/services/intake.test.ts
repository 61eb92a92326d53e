import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentKind } from '../../preload/case-contract';
import type { Session } from '../../preload/contract';
import { SYNTHETIC_RECORDS } from '../../drivers/emulators/cards';
import type { IdCardReadSuccess } from '../../drivers/idcard';
import { createEventBus } from '../events';
import { createMemoryLogger } from '../log';
import { createStore, type Store } from '../store';
import type { CaseRecord } from '../store/repositories/cases';
import { memoryStore, seedCounterAndClerk, tempDir } from '../store/test-support';
import { testClock, type TestClock } from '../domain/clock';
import { creditHash } from '../domain/credit';
import { CaseService } from './cases';
import { seedReferenceData } from './demo-seed';
import { IntakeService, type Handled } from './intake';
import { cardRead, manualFaceMatch } from './test-support';

const APPLICANT = SYNTHETIC_RECORDS.resident; // synthetic: 测试甲 11010519491231002X
const AGENT = SYNTHETIC_RECORDS.hmt;

const MANUAL_MATCH = manualFaceMatch();

interface Rig {
  store: Store;
  clock: TestClock;
  intake: IntakeService;
  cases: CaseService;
  session: Session;
  card: { current: IdCardReadSuccess | null };
  printed: { kind: DocumentKind; receiptNo: string; reprint: boolean }[];
  handled: Handled[];
}

function rig(store: Store = memoryStore(), clock: TestClock = testClock('2026-11-26T01:00:00.000Z')): Rig {
  const { counterId, clerkId } = seedCounterAndClerk(store);
  seedReferenceData(store);
  const events = createEventBus(createMemoryLogger());
  const card = { current: null as IdCardReadSuccess | null };
  const printed: Rig['printed'] = [];
  const handled: Handled[] = [];
  const documents = {
    print: (record: CaseRecord, kind: DocumentKind, reprint: boolean) => {
      printed.push({ kind, receiptNo: record.receiptNo, reprint });
      return { id: `job-${printed.length}`, kind, reference: record.receiptNo, state: 'queued' as const, attempts: 0, lastError: null, createdAt: clock().toISOString(), printedAt: null };
    },
    pdf: async () => Buffer.from('%PDF-1.7'),
    printForDecision: (record: CaseRecord) => {
      const kinds: DocumentKind[] = record.state === 'rejected' ? ['refusal-decision'] : record.state === 'correction' ? ['correction-notice'] : ['acceptance-receipt', ...(record.feeTotalFen > 0 ? (['payment-notice'] as const) : [])];
      return kinds.map((kind) => documents.print(record, kind, false).id);
    },
  };
  const session: Session = {
    userId: clerkId,
    userName: 'clerk1',
    displayNameMasked: '测*乙',
    role: 'clerk',
    counter: { id: counterId, number: 3, name: '3号窗口', zone: 'A区' },
    startedAt: clock().toISOString(),
  };
  const intake = new IntakeService({ store, clock, events, lastCard: () => card.current, documents, onHandled: (h) => handled.push(h) });
  const classify = (text: string) => ({
    kind: /^1[0-5]\d{16}$/.test(text) ? ('wechat_pay' as const) : ('other' as const),
    text,
    masked: `****${text.slice(-4)}`,
    source: 'hidpos' as const,
  });
  const cases = new CaseService({ store, clock, events, classify, documents });
  return { store, clock, intake, cases, session, card, printed, handled };
}

/** Card read, identity verified, item chosen: what every decision needs. */
function readyIntake(r: Rig, itemCode: string) {
  r.intake.start(r.session);
  r.card.current = cardRead(APPLICANT);
  r.intake.useCard(r.session, 'applicant');
  const { id } = r.store.faceChecks.record(MANUAL_MATCH, { userId: r.session.userId, counterId: r.session.counter!.id });
  r.intake.verifyFace(r.session, id);
  return r.intake.update(r.session, { serviceItemCode: itemCode });
}

describe('IntakeService', () => {
  it('says what is missing before 受理 and masks the applicant', () => {
    const r = rig();
    const view = r.intake.start(r.session);
    expect(view.blockers).toEqual(expect.arrayContaining(['请读取申请人的身份证', '请选择办理事项']));
    r.card.current = cardRead(APPLICANT);
    const withCard = r.intake.useCard(r.session, 'applicant');
    expect(withCard.applicant).toMatchObject({ nameMasked: '测*甲', idNumberMasked: '1101**********002X' });
    expect(JSON.stringify(withCard)).not.toContain(APPLICANT.idNumber);
    expect(withCard.blockers.some((b) => b.includes('人脸核验'))).toBe(true);
    expect(withCard.credit).toEqual({ standing: 'normal', measures: [], listVersion: null });
  });

  it('accepts with 容缺: commitment deadline within the promised limit, case + events + outbox in one go, receipt printed', () => {
    const r = rig();
    readyIntake(r, 'SCJG-001');
    let view = r.intake.update(r.session, {
      materials: [
        { code: 'M1', status: 'provided' },
        { code: 'M2', status: 'e_licence' },
        { code: 'M3', status: 'tolerated' },
      ],
    });
    expect(view.promisedDeadline).toBe('2026-12-01'); // Thu + 3 working days
    expect(view.assessment).toMatchObject({ canAccept: true, needsCommitment: true, tolerated: ['经营场所使用证明'] });
    expect(view.blockers).toEqual(['容缺受理须填写申请人承诺补齐材料的日期']);
    view = r.intake.update(r.session, { commitmentDeadline: '2026-12-05' });
    expect(view.blockers[0]).toContain('承诺补齐日期须在今天');
    expect(() => r.intake.decide(r.session, { decision: 'accept' })).toThrow(/承诺补齐日期/);
    view = r.intake.update(r.session, { commitmentDeadline: '2026-11-30' });
    expect(view.blockers).toEqual([]);

    const outboxBefore = r.store.outbox.countPending();
    const { record, printJobIds } = r.intake.decide(r.session, { decision: 'accept' });
    expect(record).toMatchObject({ state: 'accepted', tolerated: true, deadline: '2026-12-01', commitmentDeadline: '2026-11-30', receiptNo: 'HALL01-20261126-C03-0001' });
    expect(r.store.cases.events(record.id).map((e) => [e.fromState, e.toState])).toEqual([
      [null, 'received'],
      ['received', 'accepted'],
    ]);
    expect(r.store.outbox.countPending() - outboxBefore).toBe(2);
    expect(printJobIds).toHaveLength(1);
    expect(r.printed.map((p) => p.kind)).toEqual(['acceptance-receipt']);
    expect(r.intake.current(r.session)).toBeNull();
    expect(r.handled).toEqual([expect.objectContaining({ caseId: record.id, serviceItemCode: 'SCJG-001' })]);
    const outbox = JSON.stringify(r.store.db.sql.prepare('SELECT payload FROM outbox').all());
    expect(outbox).not.toContain(APPLICANT.idNumber);
    expect(outbox).not.toContain(APPLICANT.name);
  });

  it('一次性告知 lists exactly the missing and defective materials; 不予受理 needs a reason', () => {
    const r = rig();
    readyIntake(r, 'SCJG-014');
    r.intake.update(r.session, {
      materials: [
        { code: 'M1', status: 'provided' },
        { code: 'M2', status: 'defective', note: '复印件不清晰' },
        { code: 'M3', status: 'provided' },
      ],
    });
    const { record } = r.intake.decide(r.session, { decision: 'correction', returnBy: '2026-12-10' });
    expect(record.state).toBe('correction');
    expect(record.correctionRounds).toBe(1);
    const reason = r.store.cases.events(record.id).at(-1)!.reason!;
    expect(reason).toContain('营业执照（复印件不清晰）');
    expect(reason).toContain('经营场所平面布局图');
    expect(reason).not.toContain('食品经营许可申请书');
    expect(r.printed.at(-1)!.kind).toBe('correction-notice');

    readyIntake(r, 'WJ-011');
    expect(() => r.intake.decide(r.session, { decision: 'refuse' })).toThrow(/不予受理须填写理由/);
    const refused = r.intake.decide(r.session, { decision: 'refuse', reason: '申请事项不属于本机关职权范围' }).record;
    expect(refused.state).toBe('rejected');
    expect(refused.receiptNo).toBe('HALL01-20261126-C03-0002');
    expect(r.printed.at(-1)!.kind).toBe('refusal-decision');
  });

  it('当场更正: a defective material corrected at the counter is recorded on the case before the decision', () => {
    const r = rig();
    readyIntake(r, 'SB-007');
    r.intake.update(r.session, { materials: [{ code: 'M1', status: 'defective', note: '照片页复印不清' }] });
    r.intake.update(r.session, { materials: [{ code: 'M1', status: 'provided' }] });
    const { record } = r.intake.decide(r.session, { decision: 'accept' });
    expect(r.store.cases.events(record.id).map((e) => [e.fromState, e.toState, e.reason])).toEqual([
      [null, 'received', null],
      ['received', 'received', '当场更正：申请人身份证件（照片页复印不清）'],
      ['received', 'accepted', null],
    ]);
  });

  it('blocks a card that is not the one the ticket was taken with', () => {
    const r = rig();
    r.store.tickets.insert({ number: 'A001', groupCode: 'A', businessDate: '2026-11-26', priority: null, applicantIdNumber: '110105198001010012' });
    const ticket = r.store.tickets.listWaiting('2026-11-26')[0]!;
    r.store.tickets.update(ticket.id, { state: 'serving', counterId: r.session.counter!.id });
    const view = readyIntake(r, 'SB-007');
    expect(view.ticketNumber).toBe('A001');
    expect(view.ticketMismatch).toBe(true);
    expect(view.blockers).toContain('所读身份证与取号时登记的身份证不一致');
    expect(() => r.intake.decide(r.session, { decision: 'refuse', reason: 'x' })).toThrow(/不一致/);
  });

  it('applies the 失信 list: no 容缺, measures shown, apply or waive with a reason (audited)', () => {
    const r = rig();
    r.store.credit.upsert([{ idHash: creditHash(APPLICANT.idNumber), standing: 'dishonest', measures: [{ text: '限制适用告知承诺制', items: [] }], listVersion: 'L-2026-11' }]);
    readyIntake(r, 'SCJG-001');
    let view = r.intake.update(r.session, { materials: [{ code: 'M1', status: 'provided' }, { code: 'M2', status: 'e_licence' }, { code: 'M3', status: 'tolerated' }] });
    expect(view.credit).toEqual({ standing: 'dishonest', measures: ['限制适用告知承诺制'], listVersion: 'L-2026-11' });
    expect(view.blockers.join()).toContain('失信名单');
    view = r.intake.update(r.session, { materials: [{ code: 'M1', status: 'provided' }, { code: 'M2', status: 'e_licence' }, { code: 'M3', status: 'provided' }] });
    expect(view.blockers).toEqual([]);
    expect(() => r.intake.decide(r.session, { decision: 'accept' })).toThrow(/联合惩戒/);
    expect(() => r.intake.decide(r.session, { decision: 'accept', credit: { action: 'waive' } })).toThrow(/原因/);
    const { record } = r.intake.decide(r.session, { decision: 'accept', credit: { action: 'waive', reason: '法院已出具解除限制证明' } });
    expect(record.credit).toMatchObject({ standing: 'dishonest', action: 'waive', reason: '法院已出具解除限制证明' });
    expect(r.store.audit.forSubject(record.id).map((a) => a.action)).toEqual(['credit.waived']);
  });

  it('代办: records the agent too; the agent is the one whose face is checked; the same card twice is refused', () => {
    const r = rig();
    readyIntake(r, 'SB-007');
    let view = r.intake.update(r.session, { agentApplication: true });
    expect(view.identity.status).toBe('none');
    expect(view.blockers).toContain('代办须读取代办人的身份证');
    expect(() => r.intake.useCard(r.session, 'agent')).toThrow(/代办人本人/);
    r.card.current = cardRead(AGENT);
    view = r.intake.useCard(r.session, 'agent');
    expect(view.agent?.nameMasked).toMatch(/\*/);
    const { id } = r.store.faceChecks.record(MANUAL_MATCH, { userId: r.session.userId, counterId: r.session.counter!.id });
    view = r.intake.verifyFace(r.session, id);
    expect(view.identity.status).toBe('manual_override');
    r.intake.update(r.session, { materials: [{ code: 'M1', status: 'e_licence' }] });
    const { record } = r.intake.decide(r.session, { decision: 'accept' });
    expect(record.agent).toEqual({ name: AGENT.name, idNumber: AGENT.idNumber });
    expect(record.applicant?.idNumber).toBe(APPLICANT.idNumber);
    expect(record.deadline).toBe('2026-11-26'); // 即办件: today
  });

  it('refuses an expired card and a failed face check', () => {
    const r = rig();
    r.intake.start(r.session);
    r.card.current = cardRead(SYNTHETIC_RECORDS.resident_expired, { expired: true });
    expect(r.intake.useCard(r.session, 'applicant').blockers).toContain('申请人的证件已过有效期');
    const { id } = r.store.faceChecks.record({ ...MANUAL_MATCH, decision: 'no_match' }, { userId: r.session.userId, counterId: r.session.counter!.id });
    expect(() => r.intake.verifyFace(r.session, id)).toThrow(/未通过/);
    expect(() => r.intake.verifyFace(r.session, 'nope')).toThrow(/没有找到/);
  });

  describe('drafts survive a restart', () => {
    let cleanup: (() => void) | null = null;
    afterEach(() => cleanup?.());

    it('keeps the chosen item, the checklist, the notes and the card (encrypted) across close and reopen', () => {
      const tmp = tempDir();
      cleanup = tmp.cleanup;
      const key = Buffer.alloc(32, 7);
      const file = `${tmp.dir}/hall.sqlite`;
      const first = rig(createStore(file, key));
      readyIntake(first, 'SCJG-001');
      first.intake.update(first.session, { materials: [{ code: 'M1', status: 'provided' }], notes: '申请人下午补交场地证明' });
      first.store.close();

      const raw = createStore(file, key);
      const blob = raw.db.sql.prepare('SELECT body_enc FROM intake_drafts').get() as { body_enc: Buffer };
      expect(blob.body_enc.toString('latin1')).not.toContain(APPLICANT.idNumber);
      raw.close();

      const second = rig(createStore(file, key));
      const view = second.intake.current(second.session)!;
      expect(view).toMatchObject({ serviceItemCode: 'SCJG-001', materials: [{ code: 'M1', status: 'provided' }], notes: '申请人下午补交场地证明' });
      expect(view.applicant?.nameMasked).toBe('测*甲');
      expect(view.identity.status).toBe('manual_override');
      second.store.close();
    });
  });
});

describe('CaseService', () => {
  it('fees: payment code on the notice; completion waits for payment; only a payment code pays', () => {
    const r = rig();
    readyIntake(r, 'BDC-021');
    r.intake.update(r.session, { materials: ['M1', 'M2', 'M3', 'M4', 'M5'].map((code) => ({ code, status: 'provided' as const })) });
    const { record } = r.intake.decide(r.session, { decision: 'accept' });
    expect(record.feeTotalFen).toBe(9000);
    expect(record.paymentCode).toBe('HALL0120261126C030001');
    expect(r.printed.map((p) => p.kind)).toEqual(['acceptance-receipt', 'payment-notice']);
    r.cases.act(r.session, { id: record.id, action: 'start_review' });
    r.cases.act(r.session, { id: record.id, action: 'approve' });
    expect(() => r.cases.act(r.session, { id: record.id, action: 'complete' })).toThrow(/费用尚未缴清/);
    expect(() => r.cases.pay(r.session, record.id, 'https://example.org/x')).toThrow(/不是付款码/);
    const paid = r.cases.pay(r.session, record.id, '134567890123456789');
    expect(paid).toMatchObject({ feeStatus: 'paid', paidVia: '微信' });
    expect(() => r.cases.pay(r.session, record.id, '134567890123456789')).toThrow(/已缴清/);
    const done = r.cases.act(r.session, { id: record.id, action: 'complete' });
    expect(done.state).toBe('completed');
    expect(done.events.map((e) => e.toState)).toEqual(['received', 'accepted', 'reviewing', 'approved', 'completed']);
    expect(r.store.audit.forSubject(record.id).map((a) => a.action)).toEqual(['case.payment_captured']);
  });

  it('payment confirmed by sync is idempotent', () => {
    const r = rig();
    readyIntake(r, 'GA-003');
    r.intake.update(r.session, { materials: [{ code: 'M1', status: 'provided' }, { code: 'M2', status: 'e_licence' }] });
    const { record } = r.intake.decide(r.session, { decision: 'accept' });
    expect(r.cases.confirmPayment(record.paymentCode!, '2026-11-26T02:00:00.000Z')?.paidVia).toBe('sync');
    expect(r.cases.confirmPayment(record.paymentCode!, '2026-11-27T02:00:00.000Z')?.paidAt).toBe('2026-11-26T02:00:00.000Z');
    expect(r.cases.confirmPayment('UNKNOWN123', '2026-11-26T02:00:00.000Z')).toBeNull();
  });

  it('a payment confirmed by sync with another amount than the fees leaves the case unpaid and is audited', () => {
    const r = rig();
    readyIntake(r, 'GA-003');
    r.intake.update(r.session, { materials: [{ code: 'M1', status: 'provided' }, { code: 'M2', status: 'e_licence' }] });
    const { record } = r.intake.decide(r.session, { decision: 'accept' });
    expect(record.feeTotalFen).toBeGreaterThan(0);
    expect(r.cases.confirmPayment(record.paymentCode!, '2026-11-26T02:00:00.000Z', record.feeTotalFen - 1)?.paidAt).toBeNull();
    expect(r.store.audit.forSubject(record.id).map((a) => a.action)).toEqual(['case.payment_mismatch']);
    expect(r.cases.confirmPayment(record.paymentCode!, '2026-11-26T02:00:00.000Z', record.feeTotalFen)?.paidVia).toBe('sync');
  });

  it('colours deadlines, filters the list, flags overdue commitments, and pauses stop the clock', () => {
    const r = rig();
    readyIntake(r, 'SCJG-001');
    r.intake.update(r.session, { materials: [{ code: 'M1', status: 'provided' }, { code: 'M2', status: 'e_licence' }, { code: 'M3', status: 'tolerated' }], commitmentDeadline: '2026-11-27' });
    const tolerated = r.intake.decide(r.session, { decision: 'accept' }).record; // due 12-01
    readyIntake(r, 'SCJG-014');
    r.intake.update(r.session, { materials: ['M1', 'M2', 'M3', 'M4'].map((code) => ({ code, status: 'provided' as const })) });
    const longer = r.intake.decide(r.session, { decision: 'accept' }).record; // 10 working days: 12-10
    expect(longer.deadline).toBe('2026-12-10');

    const levels = () => Object.fromEntries(r.cases.list(r.session, {}).rows.map((row) => [row.receiptNo, row.deadlineLevel]));
    expect(levels()).toEqual({ [tolerated.receiptNo]: 'ok', [longer.receiptNo]: 'ok' });
    r.clock.set('2026-11-27T01:00:00.000Z'); // Fri: 12-01 is 2 working days away
    expect(levels()[tolerated.receiptNo]).toBe('warning');
    expect(r.cases.list(r.session, { level: 'warning' }).rows.map((x) => x.receiptNo)).toEqual([tolerated.receiptNo]);
    r.clock.set('2026-12-02T01:00:00.000Z');
    expect(levels()[tolerated.receiptNo]).toBe('overdue');
    expect(r.cases.list(r.session, { level: 'overdue' }).rows.map((x) => x.receiptNo)).toEqual([tolerated.receiptNo]);
    expect(r.cases.list(r.session, { commitmentOverdue: true }).rows.map((x) => x.receiptNo)).toEqual([tolerated.receiptNo]);
    expect(r.cases.list(r.session, { receiptNo: longer.receiptNo }).rows).toHaveLength(1);
    expect(r.cases.list(r.session, { limit: 1 })).toMatchObject({ hasMore: true });
    expect(r.cases.summary(r.session)).toMatchObject({ openOverdue: 1, commitmentsOverdue: 1 });

    // Pause on Wed 12-02 for 3 working days: the deadline moves by the paused working days.
    r.cases.act(r.session, { id: longer.id, action: 'start_review' });
    r.cases.act(r.session, { id: longer.id, action: 'pause', pauseReason: 'appraisal' });
    expect(r.cases.list(r.session, {}).rows.find((x) => x.id === longer.id)?.deadlineLevel).toBe('none');
    r.clock.set('2026-12-07T01:00:00.000Z'); // Mon
    const resumed = r.cases.act(r.session, { id: longer.id, action: 'resume' });
    expect(resumed.deadline).toBe('2026-12-15'); // 12-02, 03, 04 did not count
    expect(() => r.cases.act(r.session, { id: longer.id, action: 'resume' })).toThrow(/不能执行/);

    const fulfilled = r.cases.act(r.session, { id: tolerated.id, action: 'fulfil_commitment' });
    expect(fulfilled.commitmentOverdue).toBe(false);
    expect(fulfilled.materials.find((m) => m.code === 'M3')?.status).toBe('provided');
  });

  it('withdrawal needs a reason; reprint is audited; clerks see only their counter', () => {
    const r = rig();
    readyIntake(r, 'SB-007');
    r.intake.update(r.session, { materials: [{ code: 'M1', status: 'e_licence' }] });
    const { record } = r.intake.decide(r.session, { decision: 'accept' });
    r.cases.print(r.session, record.id, 'acceptance-receipt');
    expect(r.printed.at(-1)).toMatchObject({ kind: 'acceptance-receipt', reprint: false });
    expect(() => r.cases.print(r.session, record.id, 'refusal-decision')).toThrow(/没有不予受理决定书/);
    expect(() => r.cases.act(r.session, { id: record.id, action: 'withdraw' })).toThrow(/原因/);
    const withdrawn = r.cases.act(r.session, { id: record.id, action: 'withdraw', reason: '申请人主动撤回' });
    expect(withdrawn.state).toBe('withdrawn');
    expect(() => r.cases.list(r.session, { scope: 'hall' })).toThrow(/本窗口/);
  });

  it('receipt numbers stay unique across two consoles working offline', () => {
    const a = rig();
    const b = rig();
    b.store.counters.upsert({ id: 'c03', number: 5, name: '5号窗口', zone: 'B区', serviceGroups: ['C'], active: true });
    const numbers = new Set<string>();
    for (const r of [a, b, a, b, a]) {
      readyIntake(r, 'SB-007');
      r.intake.update(r.session, { materials: [{ code: 'M1', status: 'e_licence' }] });
      numbers.add(r.intake.decide(r.session, { decision: 'accept' }).record.receiptNo);
    }
    expect([...numbers].sort()).toEqual(['HALL01-20261126-C03-0001', 'HALL01-20261126-C03-0002', 'HALL01-20261126-C03-0003', 'HALL01-20261126-C05-0001', 'HALL01-20261126-C05-0002']);
  });
});
