/**
 * 查看完整信息 (audited reveal) and the retention purge, through the composed console: real dispatcher,
 * handlers, store and audit chain, a test clock and an injected purge timer. Synthetic people only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SYNTHETIC_RECORDS } from '../../drivers/emulators/cards';
import { createConsoleApp, type ConsoleApp } from '../app';
import { verifyAuditChain } from '../security/audit-chain';
import { createMemoryLogger } from '../log';
import { DEMO_PASSWORD } from './demo-seed';
import { DEFAULT_RETENTION_DAYS, RETENTION_DAYS_SETTING, RetentionDaysSetting } from './privacy';
import { manualFaceMatch } from './test-support';
import { IDLE_LOCK_SETTING, IdleLockMinutesSetting } from './idle-lock';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-03-02T02:00:00.000Z');
let now = T0;
const clock = () => new Date(now);
const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
const purgeTimer = {
  setInterval: (fn: () => void, ms: number) => {
    const t = { fn, ms, cleared: false };
    timers.push(t);
    return t;
  },
  clearInterval: (t: unknown) => void ((t as { cleared: boolean }).cleared = true),
};

const APPLICANT = SYNTHETIC_RECORDS.resident;
const AGENT = SYNTHETIC_RECORDS.hmt;
const caller = (channelId: string) => ({ channelId, trustedSender: true });
let app: ConsoleApp;
let dir: string;

async function call<T = unknown>(channelId: string, method: string, input: unknown = {}): Promise<T> {
  const r = await app.dispatcher.invoke(method, input, caller(channelId));
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

function newCase(receiptNo: string, options: { agent?: boolean; faceCheckId?: string | null } = {}) {
  return app.store.cases.create(
    {
      receiptNo,
      serviceItemCode: 'BDC-021',
      state: 'received',
      applicant: { name: APPLICANT.name, idNumber: APPLICANT.idNumber, address: APPLICANT.address, phone: '13800138000' },
      agent: options.agent ? { name: AGENT.name, idNumber: AGENT.idNumber } : null,
      faceCheckId: options.faceCheckId ?? null,
      counterId: 'counter-03',
      clerkUserId: 'user-clerk03',
    },
    'user-clerk03',
  );
}

const auditRows = (action: string) =>
  (app.store.db.sql.prepare('SELECT id, actor, subject, detail FROM audit_log WHERE action = ? ORDER BY id').all(action) as { id: number; actor: string | null; subject: string | null; detail: string }[]).map((r) => ({
    ...r,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hall-privacy-'));
  app = await createConsoleApp({ dataDir: dir, mode: 'browser', emulatedDevices: true, logger: createMemoryLogger(), demo: true, masterKey: Buffer.alloc(32, 5), emulatorTiming: 'instant', clock, purgeTimer });
  // These tests move the clock by months: the idle lock (its own tests) is off here.
  app.store.settings.set(IDLE_LOCK_SETTING, IdleLockMinutesSetting, 0);
  await call('super', 'session.login', { userName: 'super01', password: DEMO_PASSWORD, counterId: null });
  await call('clerk', 'session.login', { userName: 'clerk03', password: DEMO_PASSWORD, counterId: 'counter-03' });
  await call('kiosk', 'session.login', { userName: 'kiosk01', password: DEMO_PASSWORD, counterId: null });
}, 30_000);

afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cases.reveal: 查看完整信息 as an audited action', () => {
  it('gives a supervisor one clear field with a reason, audited with actor, case, field and reason but never the value', async () => {
    const record = newCase('HALL01-20260302-C03-0001', { agent: true });
    const before = auditRows('personal.revealed').length;
    const r = await call<{ value: string | null; absent: string | null; auditId: number }>('super', 'cases.reveal', { id: record.id, field: 'applicant.idNumber', reason: '申请人来电核对证件号码' });
    expect(r).toMatchObject({ value: APPLICANT.idNumber, absent: null });
    const rows = auditRows('personal.revealed');
    expect(rows).toHaveLength(before + 1);
    const row = rows.at(-1)!;
    expect(row).toMatchObject({ id: r.auditId, actor: 'user-super01', subject: record.receiptNo, detail: { caseId: record.id, field: 'applicant.idNumber', reason: '申请人来电核对证件号码' } });
    expect(JSON.stringify(row)).not.toContain(APPLICANT.idNumber);
    expect(JSON.stringify(row)).not.toContain(APPLICANT.name);

    for (const [field, value] of [
      ['applicant.name', APPLICANT.name],
      ['applicant.phone', '13800138000'],
      ['applicant.address', APPLICANT.address],
      ['agent.name', AGENT.name],
      ['agent.idNumber', AGENT.idNumber],
    ] as const) {
      expect((await call<{ value: string }>('super', 'cases.reveal', { id: record.id, field, reason: '复核代办材料' })).value, field).toBe(value);
    }
    expect(auditRows('personal.revealed')).toHaveLength(before + 6);
    // The audit chain still verifies after the reveals (rows appended, nothing rewritten).
    expect(verifyAuditChain(app.store.audit.chain())).toMatchObject({ ok: true, firstBroken: null });
  });

  it('refuses the clerk, the kiosk and a reveal without a reason; an unknown case is not_found; a missing field says so', async () => {
    const record = newCase('HALL01-20260302-C03-0002');
    const before = auditRows('personal.revealed').length;
    for (const channel of ['clerk', 'kiosk']) {
      expect(await app.dispatcher.invoke('cases.reveal', { id: record.id, field: 'applicant.name', reason: '核对' }, caller(channel))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    for (const reason of [undefined, '', ' ', '核']) {
      expect(await app.dispatcher.invoke('cases.reveal', { id: record.id, field: 'applicant.name', reason }, caller('super'))).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    }
    expect(await app.dispatcher.invoke('cases.reveal', { id: record.id, field: 'applicant.photo', reason: '核对照片' }, caller('super'))).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(auditRows('personal.revealed')).toHaveLength(before);
    expect(await app.dispatcher.invoke('cases.reveal', { id: 'no-such-case', field: 'applicant.name', reason: '核对姓名' }, caller('super'))).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await call('super', 'cases.reveal', { id: record.id, field: 'agent.name', reason: '核对代办人' })).toMatchObject({ value: null, absent: 'not_recorded' });
    expect(auditRows('personal.revealed')).toHaveLength(before + 1);
  });
});

describe('retention purge of closed cases’ personal fields', () => {
  it('ran once at start and is scheduled daily on the injected timer', () => {
    expect(timers).toHaveLength(1);
    expect(timers[0]!.ms).toBe(DAY);
    const runs = auditRows('privacy.purged');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.detail).toMatchObject({ cases: 0, retentionDays: DEFAULT_RETENTION_DAYS });
  });

  it('erases only closed cases older than the period, keeps the case, its history and the face check; audited once per run', async () => {
    app.store.settings.set(RETENTION_DAYS_SETTING, RetentionDaysSetting, 90);
    const face = await call<{ id: string }>('clerk', 'face.record', manualFaceMatch(new Date(now)));
    const closedOld = newCase('HALL01-20260302-C03-0010', { agent: true, faceCheckId: face.id });
    app.store.cases.transition(closedOld.id, 'withdrawn', 'user-clerk03', '申请人撤回');
    const rejectedOld = newCase('HALL01-20260302-C03-0011');
    app.store.cases.transition(rejectedOld.id, 'rejected', 'user-clerk03', '不属于本厅受理范围');
    const openOld = newCase('HALL01-20260302-C03-0012');
    app.store.cases.transition(openOld.id, 'accepted', 'user-clerk03');
    // Closed later: inside the period when the purge runs.
    now = T0 + 60 * DAY;
    const closedRecent = newCase('HALL01-20260501-C03-0013');
    app.store.cases.transition(closedRecent.id, 'withdrawn', 'user-clerk03', '申请人撤回');
    const eventsBefore = app.store.cases.events(closedOld.id);
    const outboxBefore = app.store.db.sql.prepare('SELECT COUNT(*) AS n FROM outbox').get();

    now = T0 + 91 * DAY;
    const auditBefore = auditRows('privacy.purged').length;
    const dry = app.privacy.purge({ dryRun: true });
    expect(dry).toMatchObject({ cases: 2, dryRun: true, auditId: null, retentionDays: 90 });
    expect(auditRows('privacy.purged')).toHaveLength(auditBefore);
    expect(app.store.cases.get(closedOld.id)!.applicant).not.toBeNull();

    // The daily timer fires: the real run.
    timers[0]!.fn();
    const runs = auditRows('privacy.purged');
    expect(runs).toHaveLength(auditBefore + 1);
    expect(runs.at(-1)).toMatchObject({ actor: null, detail: { cases: 2, retentionDays: 90 } });

    for (const id of [closedOld.id, rejectedOld.id]) {
      const raw = app.store.db.sql.prepare('SELECT * FROM cases WHERE id = ?').get(id) as Record<string, unknown>;
      for (const column of ['applicant_name_enc', 'applicant_id_enc', 'applicant_id_index', 'applicant_address_enc', 'applicant_phone_enc', 'agent_name_enc', 'agent_id_enc', 'face_check_id']) {
        expect(raw[column], column).toBeNull();
      }
      expect(raw.receipt_no).toBeTruthy();
    }
    const purged = app.store.cases.get(closedOld.id)!;
    expect(purged).toMatchObject({ state: 'withdrawn', applicant: null, agent: null, faceCheckId: null, receiptNo: closedOld.receiptNo });
    expect(app.store.cases.events(closedOld.id)).toEqual(eventsBefore);
    expect(app.store.faceChecks.get(face.id)).not.toBeNull();
    expect(app.store.cases.findByApplicantId(APPLICANT.idNumber).map((c) => c.id)).not.toContain(closedOld.id);
    expect(app.store.db.sql.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual(outboxBefore);
    // Still open, or closed inside the period: untouched.
    expect(app.store.cases.get(openOld.id)!.applicant?.idNumber).toBe(APPLICANT.idNumber);
    expect(app.store.cases.get(closedRecent.id)!.applicant?.idNumber).toBe(APPLICANT.idNumber);
    // The case view still opens; a reveal says the data is gone (and is audited).
    const detail = await call<{ receiptNo: string; applicantMasked: string | null }>('super', 'cases.get', { id: closedOld.id });
    expect(detail.receiptNo).toBe(closedOld.receiptNo);
    expect(await call('super', 'cases.reveal', { id: closedOld.id, field: 'applicant.idNumber', reason: '申请人来电查询' })).toMatchObject({ value: null, absent: 'purged' });

    // A second run finds nothing more; the run is still audited.
    expect(app.privacy.purge()).toMatchObject({ cases: 0 });
    expect(auditRows('privacy.purged')).toHaveLength(auditBefore + 2);
    expect(verifyAuditChain(app.store.audit.chain())).toMatchObject({ ok: true });
  });

  it('stops the daily timer when the console closes', async () => {
    const t = timers[0]!;
    expect(t.cleared).toBe(false);
    await app.close();
    expect(t.cleared).toBe(true);
    app = await createConsoleApp({ dataDir: dir, mode: 'browser', emulatedDevices: true, logger: createMemoryLogger(), masterKey: Buffer.alloc(32, 5), emulatorTiming: 'instant', clock, purgeTimer });
  });
});

// The setting's schema guards what a technician or the hub may set.
describe('privacy.retentionDays', () => {
  it('accepts 1–3650 whole days only', () => {
    expect(RetentionDaysSetting.safeParse(0).success).toBe(false);
    expect(RetentionDaysSetting.safeParse(30.5).success).toBe(false);
    expect(RetentionDaysSetting.safeParse(3651).success).toBe(false);
    expect(z.number().parse(RetentionDaysSetting.parse(180))).toBe(180);
  });
});
