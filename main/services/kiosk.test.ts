import { describe, expect, it } from 'vitest';
import type { Session } from '../../preload/contract';
import { generateConsoleSigningKey, signDocumentQr, type SignedDocumentKind } from '../security/receipt-signature';
import { testClock } from '../domain/clock';
import { createEventBus } from '../events';
import { createMemoryLogger } from '../log';
import { memoryStore, SAMPLE_APPLICANT, seedCounterAndClerk } from '../store/test-support';
import { HallServiceError } from './errors';
import { HELP_REPEAT_SECONDS, KioskService } from './kiosk';
import { RatingService } from './ratings';

const RECEIPT = 'HALL01-20261126-C03-0042';
const OWN = generateConsoleSigningKey();
const OTHER = generateConsoleSigningKey();
const qr = (kind: SignedDocumentKind, number = RECEIPT, key = OWN, consoleId = 'C03') =>
  signDocumentQr(key, { kind, number, consoleId, issuedAt: '2026-11-26T02:00:00.000Z' });

function setup() {
  const clock = testClock('2026-11-26T02:00:00.000Z');
  const store = memoryStore(clock);
  const { counterId, clerkId } = seedCounterAndClerk(store);
  store.users.upsert({ id: 'u-kiosk', userName: 'kiosk01', displayName: '大厅自助机一号', role: 'kiosk', counterId: null, passwordHash: 'x' });
  store.catalog.upsert(
    [{ code: 'HJ-001', name: '居民身份证换领', department: '公安局', kind: 'promised', legalLimitDays: 20, promisedLimitDays: 10, serviceGroup: 'A', materials: [], fees: [], completeWithFeesUnpaid: false, toleranceAllowed: false, creditCommitmentAllowed: false }],
    'v1',
  );
  const kase = store.cases.create(
    { receiptNo: RECEIPT, serviceItemCode: 'HJ-001', state: 'accepted', applicant: SAMPLE_APPLICANT, counterId, clerkUserId: clerkId, deadline: '2026-12-10' },
    clerkId,
  );
  const logger = createMemoryLogger();
  const events = createEventBus(logger);
  const help: unknown[] = [];
  events.subscribe((e, p, target) => e === 'help.called' && help.push({ ...(p as object), target }));
  const kiosk: Session = { userId: 'u-kiosk', userName: 'kiosk01', displayNameMasked: '大*号', role: 'kiosk', counter: null, startedAt: clock().toISOString() };
  const clerk: Session = { ...kiosk, userId: clerkId, role: 'clerk', counter: { id: counterId, number: 3, name: '', zone: '' } };
  return { clock, store, kase, kiosk, clerk, help, logger, ratings: new RatingService(store, clock, events), service: new KioskService({ store, clock, events, logger, publicKeys: () => ({ C03: OWN.publicKeyBase64Url }) }) };
}

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof HallServiceError ? `${err.code}: ${err.message}` : String(err);
  }
};

describe('KioskService.lookup (查询办件)', () => {
  it('finds a case by its typed number: status only, no personal data', () => {
    const { service, kiosk } = setup();
    const status = service.lookup(kiosk, ' hall01-20261126-c03-0042 ');
    expect(status).toEqual({ receiptNo: RECEIPT, serviceItemName: '居民身份证换领', stateLabel: '已受理', deadline: '2026-12-10', signatureValid: null, ratingRequestId: null });
    expect(JSON.stringify(status)).not.toMatch(/测试甲|11010519491231002X/);
  });

  it('offers the open rating request of the case to a kiosk only', () => {
    const { service, kiosk, clerk, kase, ratings } = setup();
    const r = ratings.request({ counterId: kase.counterId, caseId: kase.id })!;
    expect(service.lookup(kiosk, RECEIPT).ratingRequestId).toBe(r.id);
    expect(service.lookup(clerk, RECEIPT).ratingRequestId).toBeNull();
    ratings.submit(kiosk, { requestId: r.id, level: 4, reasons: [] });
    expect(service.lookup(kiosk, RECEIPT).ratingRequestId).toBeNull();
  });

  it('says what is wrong with what was typed or scanned', () => {
    const { service, kiosk } = setup();
    expect(codeOf(() => service.lookup(kiosk, 'HALL01-20261126-C03-0043'))).toBe('not_found: 未找到办件 HALL01-20261126-C03-0043，请核对办件编号');
    expect(codeOf(() => service.lookup(kiosk, '12345'))).toMatch(/^not_found: 请输入完整的办件编号/);
    expect(codeOf(() => service.lookup(kiosk, 'HALL1:R:HALL01-20261126-C03-0042:AAAAAAAAAAAAAAAAAAAAAAAA'))).toMatch(/^not_found: 无法识别这个二维码/);
  });

  it('checks the QR signature with the console keys: a forged or foreign code shows the status, flagged, and cannot be rated', () => {
    const { service, kiosk, kase, ratings } = setup();
    ratings.request({ counterId: kase.counterId, caseId: kase.id });
    const good = service.lookup(kiosk, qr('acceptance-receipt'));
    expect(good).toMatchObject({ receiptNo: RECEIPT, signatureValid: true, stateLabel: '已受理' });
    expect(good.ratingRequestId).not.toBeNull();
    expect(service.lookup(kiosk, qr('correction-notice')).signatureValid).toBe(true);
    expect(service.lookup(kiosk, qr('acceptance-receipt', RECEIPT, OTHER))).toMatchObject({ signatureValid: false, ratingRequestId: null });
    expect(service.lookup(kiosk, qr('acceptance-receipt', RECEIPT, OTHER, 'C09'))).toMatchObject({ signatureValid: false, ratingRequestId: null });
    const altered = qr('acceptance-receipt', 'HALL01-20261126-C03-0041').replace('0041', '0042');
    expect(service.lookup(kiosk, altered).signatureValid).toBe(false);
    expect(codeOf(() => service.lookup(kiosk, qr('queue-ticket', 'A012')))).toMatch(/^not_found: 这是排队号票/);
    expect(codeOf(() => service.lookup(kiosk, `${qr('acceptance-receipt')}x`))).toMatch(/^not_found: 无法识别这个二维码/);
  });
});

describe('KioskService.callHelp (呼叫工作人员)', () => {
  it('audits the call and tells every console, once per half minute per kiosk', () => {
    const { service, kiosk, store, help, clock } = setup();
    const first = service.callHelp(kiosk);
    expect(first.calledAt).toBe('2026-11-26T02:00:00.000Z');
    expect(help).toEqual([{ at: first.calledAt, kiosk: '大厅自助机一号', target: null }]);
    expect(store.audit.forSubject('u-kiosk')).toMatchObject([{ actor: 'u-kiosk', action: 'help.called', detail: { kiosk: '大厅自助机一号', counterId: null } }]);
    clock.advance(10_000);
    expect(service.callHelp(kiosk)).toEqual(first);
    expect(help).toHaveLength(1);
    clock.advance(HELP_REPEAT_SECONDS * 1000);
    service.callHelp(kiosk);
    expect(help).toHaveLength(2);
    expect(store.audit.forSubject('u-kiosk')).toHaveLength(2);
  });

  it('names the counter of a rating pad', () => {
    const { service, kiosk, help } = setup();
    service.callHelp({ ...kiosk, counter: { id: 'c03', number: 3, name: '', zone: '' } });
    expect(help).toMatchObject([{ kiosk: '大厅自助机一号（3号窗口）' }]);
  });
});
