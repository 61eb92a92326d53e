/**
 * The counter's day through the composed console (every service, the dispatcher, the emulated reader
 * and printer), without a browser: kiosk ticket by ID card and printed → call → card → face → 受理 with
 * 容缺 and fees → documents printed with signed QR → rating 2 → callback; then a card that is not the
 * ticket's is refused. The hub is never reachable (no hub URL configured).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeView } from '../preload/case-contract';
import { createConsoleApp, type ConsoleApp } from './app';
import { createMemoryLogger } from './log';
import { DEMO_PASSWORD } from './services/demo-seed';
import { manualFaceMatch } from './services/test-support';
import { callAs, loginDemoStaff, until } from '../test/support/console-day';

const channel = (channelId: string) => ({ channelId, trustedSender: true });
let app: ConsoleApp;
let dir: string;

const call = <T = unknown>(channelId: string, method: string, input: unknown = {}): Promise<T> => callAs<T>(app, channelId, method, input);


const MANUAL_MATCH = manualFaceMatch(new Date(), '人工核对证件照片一致');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hall-app-day-'));
  app = await createConsoleApp({ dataDir: dir, mode: 'browser', emulatedDevices: true, logger: createMemoryLogger(), demo: true, masterKey: Buffer.alloc(32, 3), emulatorTiming: 'instant' });
  await loginDemoStaff(app);
}, 30_000);

afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a counter day through the composed console', () => {
  it('ticket by ID card → 容缺受理 with fees → signed documents → rating 2 → callback', async () => {
    const emulators = app.hardware.emulators!;
    emulators.idcard.placeCard(emulators.cards.resident);
    await until(() => app.hardware.lastCard(), 'the card read');

    // Kiosk: 刷身份证取号, the ticket printed with its signed QR.
    const ticket = await call<{ number: string }>('kiosk', 'queue.issue', { groupCode: 'B', withCard: true, print: true });
    expect(ticket.number).toBe('B001');
    const ticketPage = await until(() => emulators.printer.pages.find((p) => p.text.includes('B001')), 'the printed ticket');
    expect(ticketPage.text).toContain('1101**********002X');
    expect(ticketPage.text).not.toContain('11010519491231002X');
    expect(ticketPage.qr[0]).toMatch(/^HALL2:T:B001-\d{8}:/);
    const ticketPdf = await call<{ fileName: string; base64: string }>('kiosk', 'queue.ticketPdf', { ticketId: (ticket as unknown as { id: string }).id });
    expect(ticketPdf.fileName).toBe('取号单-B001.pdf');
    expect(Buffer.from(ticketPdf.base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');

    // Clerk: call, serve, intake with the same card.
    await call('clerk', 'queue.act', { action: 'call' });
    await call('clerk', 'queue.act', { action: 'serve' });
    let view = await call<IntakeView>('clerk', 'intake.start');
    expect(view.ticketNumber).toBe('B001');
    view = await call<IntakeView>('clerk', 'intake.useCard', { role: 'applicant' });
    expect(view.ticketMismatch).toBe(false);
    const check = await call<{ id: string }>('clerk', 'face.record', MANUAL_MATCH);
    await call('clerk', 'intake.verifyFace', { faceCheckId: check.id });
    await call('clerk', 'intake.update', { serviceItemCode: 'BDC-021' });
    view = await call<IntakeView>('clerk', 'intake.update', {
      materials: [
        { code: 'M1', status: 'provided' },
        { code: 'M2', status: 'e_licence' },
        { code: 'M3', status: 'e_licence' },
        { code: 'M4', status: 'provided' },
        { code: 'M5', status: 'tolerated' },
      ],
    });
    expect(view.feeTotalFen).toBe(9000);
    view = await call<IntakeView>('clerk', 'intake.update', { commitmentDeadline: view.promisedDeadline });
    expect(view.blockers).toEqual([]);
    const decided = await call<{ case: { id: string; receiptNo: string; state: string; tolerated: boolean; feeStatus: string; documents: string[] }; printJobIds: string[] }>('clerk', 'intake.decide', { decision: 'accept' });
    expect(decided.case).toMatchObject({ state: 'accepted', tolerated: true, feeStatus: 'unpaid', documents: ['acceptance-receipt', 'payment-notice'] });
    expect(decided.printJobIds).toHaveLength(2);

    // The payment notice came out with the payment QR and the signed QR; the receipt too.
    const notice = await until(() => emulators.printer.pages.find((p) => p.text.includes('缴款通知')), 'the payment notice');
    expect(notice.text).toContain('¥90.00');
    expect(notice.qr.some((q) => q.startsWith('FSPAY:'))).toBe(true);
    const signed = notice.qr.find((q) => q.startsWith('HALL2:P:'))!;
    await until(() => emulators.printer.pages.find((p) => p.text.includes('受理回执')), 'the receipt');

    // 查询办件 at the kiosk with the scanned QR: the signature checks out, the handling can be rated.
    const status = await call<{ receiptNo: string; signatureValid: boolean | null; ratingRequestId: string | null }>('kiosk', 'cases.lookup', { text: signed });
    expect(status).toMatchObject({ receiptNo: decided.case.receiptNo, signatureValid: true });
    // A forgery: the same document with another issue time keeps the console's signature.
    const parts = signed.split(':');
    parts[4] = (parseInt(parts[4]!, 36) + 1).toString(36);
    const forged = parts.join(':');
    expect((await call<{ signatureValid: boolean | null }>('kiosk', 'cases.lookup', { text: forged })).signatureValid).toBe(false);

    // The counter's rating pad asks once; 2 opens a callback the supervisor sees; the clerk cannot read it.
    await call('clerk', 'queue.act', { action: 'finish' });
    const pending = await call<{ id: string } | null>('pad', 'ratings.pending');
    expect(pending).not.toBeNull();
    await call('pad', 'ratings.submit', { requestId: pending!.id, level: 2, reasons: ['等候时间长'] });
    expect(await call('pad', 'ratings.pending')).toBeNull();
    const callbacks = await call<{ ratingLevel: number; state: string; receiptNo: string | null }[]>('super', 'callbacks.list', { state: 'open' });
    expect(callbacks).toEqual([expect.objectContaining({ ratingLevel: 2, state: 'open' })]);
    const refused = await app.dispatcher.invoke('callbacks.list', { state: 'open' }, channel('clerk'));
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // 补打 from the print queue is audited with the clerk who asked.
    const jobs = await call<{ id: string; kind: string }[]>('clerk', 'printer.jobs', { limit: 10 });
    const receiptJob = jobs.find((j) => j.kind === 'acceptance-receipt')!;
    await call('clerk', 'printer.reprint', { jobId: receiptJob.id });
    expect(app.store.audit.forSubject(decided.case.receiptNo)).toEqual([expect.objectContaining({ actor: 'user-clerk03', action: 'document.reprinted' })]);

    // The case list shows it; nothing went to a hub (none configured): the outbox holds it all.
    const list = await call<{ rows: { receiptNo: string; tolerated: boolean }[] }>('clerk', 'cases.list', { states: ['accepted'] });
    expect(list.rows.map((r) => r.receiptNo)).toEqual([decided.case.receiptNo]);
    expect(app.store.outbox.countPending()).toBeGreaterThan(5);
    emulators.idcard.removeCard();
  }, 30_000);

  it('refuses a card that is not the one the ticket was taken with', async () => {
    const emulators = app.hardware.emulators!;
    emulators.idcard.placeCard(emulators.cards.resident);
    await until(() => app.hardware.lastCard()?.card.kind === 'resident' && app.hardware.lastCard(), 'the card read');
    await call('kiosk', 'queue.issue', { groupCode: 'B', withCard: true });
    emulators.idcard.removeCard();
    emulators.idcard.placeCard(emulators.cards.hmt);
    await until(() => app.hardware.lastCard()?.card.kind === 'hmt_residence', 'the other card');
    await call('clerk', 'queue.act', { action: 'call' });
    await call('clerk', 'intake.start');
    const view = await call<IntakeView>('clerk', 'intake.useCard', { role: 'applicant' });
    expect(view.ticketMismatch).toBe(true);
    expect(view.blockers).toContain('所读身份证与取号时登记的身份证不一致');
    emulators.idcard.removeCard();
  }, 30_000);

  it('a restart mid-intake keeps the draft, the queue and every accepted case', async () => {
    await call('clerk', 'intake.discard', { reason: '换证件重新受理' });
    await call('clerk', 'intake.start');
    await call('clerk', 'intake.update', { serviceItemCode: 'SCJG-001', notes: '申请人去复印材料' });
    await call('clerk', 'intake.update', { materials: [{ code: 'M1', status: 'provided' }] });
    await call('kiosk', 'queue.issue', { groupCode: 'A' });
    const casesBefore = await call<{ rows: { receiptNo: string }[] }>('clerk', 'cases.list', {});

    await app.close();
    app = await createConsoleApp({ dataDir: dir, mode: 'browser', emulatedDevices: true, logger: createMemoryLogger(), demo: true, masterKey: Buffer.alloc(32, 3), emulatorTiming: 'instant' });
    await call('clerk', 'session.login', { userName: 'clerk03', password: DEMO_PASSWORD, counterId: 'counter-03' });

    const draft = await call<IntakeView | null>('clerk', 'intake.current');
    expect(draft).toMatchObject({ serviceItemCode: 'SCJG-001', notes: '申请人去复印材料', materials: [{ code: 'M1', status: 'provided' }] });
    const queue = await call<{ waiting: number; current: { number: string } | null }>('clerk', 'queue.state');
    expect(queue.current?.number).toBe('B002');
    expect(queue.waiting).toBe(1);
    expect(await call('clerk', 'cases.list', {})).toEqual(casesBefore);
  }, 30_000);
});
