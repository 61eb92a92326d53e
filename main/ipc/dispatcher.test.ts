import { describe, expect, it } from 'vitest';
import type { CallbackView } from '../../preload/case-contract';
import type { CounterState, QueueState, Session } from '../../preload/contract';
import { createMemoryLogger } from '../log';
import { HallServiceError } from '../services/errors';
import { createDispatcher, type Handlers } from './dispatcher';

const clerk: Session = {
  userId: 'u1',
  userName: 'clerk01',
  displayNameMasked: '张*明',
  role: 'clerk',
  counter: { id: 'c3', number: 3, name: '3号窗口', zone: 'A区' },
  startedAt: '2026-11-26T01:00:00.000Z',
};

function setup(overrides: Partial<Handlers> = {}) {
  const sessions = new Map<string, Session>([
    ['clerk-window', clerk],
    ['kiosk-window', { ...clerk, userName: 'kiosk01', role: 'kiosk', counter: null }],
    ['pad-window', { ...clerk, userName: 'pad03', role: 'kiosk' }],
    ['supervisor-window', { ...clerk, userName: 'super01', role: 'supervisor', counter: null }],
    ['technician-window', { ...clerk, userName: 'tech01', role: 'technician', counter: null }],
    ['admin-window', { ...clerk, userName: 'admin01', role: 'admin', counter: null }],
  ]);
  const logger = createMemoryLogger();
  const handlers: Handlers = {
    'app.info': () => ({ product: 'hall-console', version: '0.1.0', mode: 'browser', emulatedDevices: true, schemaVersion: 1, consoleId: 'C01' }),
    'counters.list': () => [{ id: 'c3', number: 3, name: '3号窗口', zone: 'A区' }],
    'session.login': () => clerk,
    'session.current': (_i, ctx) => ctx.session,
    'session.logout': () => ({ loggedOut: true }),
    'session.heartbeat': () => ({ idleLockSeconds: 600 }),
    'devices.status': () => [],
    'sync.status': () => ({ state: 'not_enrolled', pendingUploads: 0, lastSyncAt: null, hubUrl: null }),
    'sync.corrections': () => ({ rows: [], total: 0 }),
    'sync.resend': (input) => ({ seq: input.seq, newSeq: input.seq + 1 }),
    'sync.dismiss': (input) => ({ seq: input.seq }),
    'hallCases.list': () => ({ rows: [], hasMore: false, enabled: false, syncedAt: null }),
    'queue.issue': () => {
      throw new HallServiceError('not_found', 'x');
    },
    'queue.groups': () => [],
    'queue.state': () => QUEUE,
    'queue.act': () => QUEUE,
    'queue.transfer': () => QUEUE,
    'queue.requeue': () => QUEUE,
    'queue.resume': () => QUEUE,
    'counters.states': () => [COUNTER_3],
    'counters.setStatus': (input) => ({ ...COUNTER_3, status: input.status, statusReason: input.reason ?? null }),
    'devices.reconnect': () => [],
    'devices.test': (input) => ({ kind: input.kind, ok: true, message: 'ok', previewSvg: null, card: null }),
    'devices.config': () => ({ saved: ALL, running: ALL }),
    'devices.configure': (input) => ({ saved: input.config, running: ALL }),
    'idcard.read': () => {
      throw new HallServiceError('not_found', '未检测到证件');
    },
    'scanner.submit': (input) => ({ kind: 'other', text: input.text, masked: input.text, source: 'wedge' }),
    'face.record': (input) => ({ id: 'f1', decision: input.decision, recordedAt: '2026-11-26T01:00:00.000Z' }),
    'printer.jobs': () => [],
    'catalog.search': () => [],
    'queue.ticketPdf': () => {
      throw new HallServiceError('not_found', 'x');
    },
    'intake.current': () => null,
    'intake.start': () => {
      throw new HallServiceError('counter_required', 'x');
    },
    'intake.useCard': () => {
      throw new HallServiceError('not_found', 'x');
    },
    'intake.verifyFace': () => {
      throw new HallServiceError('not_found', 'x');
    },
    'intake.update': () => {
      throw new HallServiceError('not_found', 'x');
    },
    'intake.decide': () => {
      throw new HallServiceError('not_found', 'x');
    },
    'intake.discard': () => ({ discarded: false }),
    'cases.list': () => ({ rows: [], hasMore: false }),
    'cases.get': () => {
      throw new HallServiceError('not_found', 'x');
    },
    'cases.act': () => {
      throw new HallServiceError('not_found', 'x');
    },
    'cases.pay': () => {
      throw new HallServiceError('not_found', 'x');
    },
    'cases.print': () => {
      throw new HallServiceError('not_found', 'x');
    },
    'cases.pdf': () => {
      throw new HallServiceError('not_found', 'x');
    },
    'cases.summary': () => ({
      date: '2026-11-26',
      ticketsServed: 0,
      casesAccepted: 0,
      tolerated: 0,
      corrections: 0,
      refusals: 0,
      averageHandlingMinutes: null,
      openWarning: 0,
      openOverdue: 0,
      commitmentsOverdue: 0,
    }),
    'printer.reprint': () => {
      throw new HallServiceError('not_found', '没有这张打印任务');
    },
    'cases.lookup': () => ({ receiptNo: 'HALL01-20261126-C03-0042', serviceItemName: '居民身份证换领', stateLabel: '已受理', deadline: null, signatureValid: null, ratingRequestId: null }),
    'ratings.pending': () => ({ id: 'r1', counterNumber: 3, serviceItemName: null, createdAt: '2026-11-26T01:00:00.000Z' }),
    'ratings.submit': () => ({ thanks: true }),
    'callbacks.list': () => [CALLBACK],
    'callbacks.close': (input) => ({ ...CALLBACK, state: 'closed', closedAt: '2026-11-27T01:00:00.000Z', note: input.note, deadlineLevel: 'none' }),
    'help.call': () => ({ calledAt: '2026-11-26T01:00:00.000Z' }),
    'updates.status': () => UPDATES_STATUS,
    'updates.check': () => ({ usbDir: '/media/tech/HALL', hubUrl: null, bundles: [], usbError: null, hubError: null }),
    'updates.install': () => UPDATES_STATUS,
    'updates.rollback': () => UPDATES_STATUS,
    'enrollment.status': () => ENROLLMENT_STATUS,
    'enrollment.enroll': () => ({ ...ENROLLMENT_STATUS, consoleId: 'C03', enrolled: true, role: 'clerk', counter: 3, hubUrl: 'ws://10.1.2.3:7300/sync', restartRequired: true }),
    'cases.reveal': (input) => ({ field: input.field, value: '张三丰', absent: null, revealedAt: '2026-11-26T01:00:00.000Z', auditId: 7 }),
    ...overrides,
  };
  const dispatcher = createDispatcher({ handlers, sessions: { get: (id) => sessions.get(id) ?? null }, logger });
  return { dispatcher, logger };
}

const COUNTER_3: CounterState = { id: 'c3', number: 3, name: '3号窗口', zone: 'A区', serviceGroups: ['A'], status: 'open', statusSince: null, statusReason: null };
const QUEUE: QueueState = { waiting: 0, expectedWaitMinutes: null, next: [], current: null, suspended: [], skipped: [], counter: COUNTER_3 };
const CALLBACK: CallbackView = {
  id: 'cb1',
  ratingLevel: 2,
  reasons: ['等候时间长'],
  counterNumber: 3,
  receiptNo: null,
  openedAt: '2026-11-26T01:00:00.000Z',
  fixDeadline: '2026-12-03',
  deadlineLevel: 'ok',
  state: 'open',
  closedAt: null,
  note: null,
};
const ALL = { idcard: { mode: 'emulated' }, scanner: { mode: 'emulated' }, printer: { mode: 'emulated' } } as const;
const trusted = (channelId = 'clerk-window') => ({ channelId, trustedSender: true });
const ENROLLMENT_STATUS = {
  consoleId: 'unenrolled-1a2b3c4d',
  enrolled: false,
  role: null,
  counter: null,
  hall: null,
  hubUrl: null,
  enrolledAt: null,
  publicKey: 'A'.repeat(43),
  keyProtection: 'safe-storage',
  restartRequired: false,
} as const;
const UPDATES_STATUS = { runningVersion: '0.1.0', current: null, previous: null, highestCounter: 0, keyset: null, usbDir: null, hubUrl: null };

describe('dispatcher', () => {
  it('returns the handler value for a valid public call', async () => {
    const { dispatcher } = setup();
    const r = await dispatcher.invoke('counters.list', {}, trusted('anon'));
    expect(r).toEqual({ ok: true, value: [{ id: 'c3', number: 3, name: '3号窗口', zone: 'A区' }] });
  });

  it('refuses a foreign sender before anything else', async () => {
    const { dispatcher, logger } = setup();
    const r = await dispatcher.invoke('counters.list', {}, { channelId: 'x', trustedSender: false });
    expect(r).toMatchObject({ ok: false, error: { code: 'foreign_sender' } });
    expect(logger.lines.some((l) => l.event === 'ipc.foreign_sender')).toBe(true);
  });

  it.each([['no.such.method'], [42], [null], ['__proto__'], ['toString']])('refuses unknown method %s', async (m) => {
    const { dispatcher } = setup();
    expect(await dispatcher.invoke(m, {}, trusted())).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it.each([
    [{ userName: 5, password: 'x', counterId: null }],
    [{ userName: 'a', password: 'x' }],
    [{ userName: 'a', password: 'x', counterId: null, extra: true }],
    ['a string'],
    [[1, 2]],
  ])('refuses wrong input types with bad_input: %j', async (input) => {
    const { dispatcher } = setup();
    const r = await dispatcher.invoke('session.login', input, trusted('anon'));
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    if (!r.ok) expect(r.error.message).toContain('session.login');
  });

  it('refuses an oversized payload without parsing it', async () => {
    let called = false;
    const { dispatcher } = setup({ 'session.login': () => ((called = true), clerk) });
    const r = await dispatcher.invoke('session.login', { userName: 'a', password: 'x'.repeat(10_000), counterId: null }, trusted('anon'));
    expect(r).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
    expect(called).toBe(false);
  });

  it('refuses input that cannot be serialised', async () => {
    const { dispatcher } = setup();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await dispatcher.invoke('app.info', cyclic, trusted())).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });

  it('asks for a session before a protected method', async () => {
    const { dispatcher } = setup();
    expect(await dispatcher.invoke('devices.status', {}, trusted('anon'))).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('refuses a role the method does not allow', async () => {
    const { dispatcher } = setup();
    expect(await dispatcher.invoke('sync.status', {}, trusted('kiosk-window'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await dispatcher.invoke('sync.status', {}, trusted())).toMatchObject({ ok: true });
  });

  it('checks the role before the input: a refused caller learns nothing about the schema', async () => {
    const { dispatcher } = setup();
    for (const input of [{}, { id: 5 }, 'x', { id: 'c1', field: 'applicant.idNumber', reason: '核对' }]) {
      expect(await dispatcher.invoke('cases.reveal', input, trusted()), JSON.stringify(input)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await dispatcher.invoke('cases.reveal', input, trusted('anon'))).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    }
    expect(await dispatcher.invoke('cases.reveal', { id: 5 }, trusted('supervisor-window'))).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await dispatcher.invoke('cases.reveal', { id: 'c1', field: 'applicant.idNumber', reason: '核对证件' }, trusted('supervisor-window'))).toMatchObject({ ok: true, value: { value: '张三丰' } });
    // Still: a payload over the limit is refused before anything is looked at.
    expect(await dispatcher.invoke('cases.reveal', { id: 'c1', field: 'applicant.idNumber', reason: 'x'.repeat(5000) }, trusted())).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
  });

  it('keeps ratings from clerks: the pad and submit are kiosk-only, the 回访 ledger supervisors’', async () => {
    const { dispatcher } = setup();
    const submit = { requestId: 'r1', level: 2, reasons: ['等候时间长'], comment: '等了很久' };
    for (const [method, input] of [
      ['ratings.pending', {}],
      ['ratings.submit', submit],
      ['callbacks.list', {}],
      ['callbacks.close', { id: 'cb1', note: '已回访' }],
      ['help.call', {}],
    ] as const) {
      expect(await dispatcher.invoke(method, input, trusted())).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(await dispatcher.invoke('ratings.pending', {}, trusted('pad-window'))).toMatchObject({ ok: true, value: { id: 'r1' } });
    expect(await dispatcher.invoke('ratings.submit', submit, trusted('pad-window'))).toEqual({ ok: true, value: { thanks: true } });
    expect(await dispatcher.invoke('ratings.submit', { ...submit, level: 6 }, trusted('pad-window'))).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await dispatcher.invoke('ratings.submit', { ...submit, reasons: ['随便写的'] }, trusted('pad-window'))).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await dispatcher.invoke('callbacks.list', {}, trusted('pad-window'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await dispatcher.invoke('callbacks.list', {}, trusted('supervisor-window'))).toMatchObject({ ok: true, value: [{ id: 'cb1', ratingLevel: 2 }] });
    expect(await dispatcher.invoke('callbacks.close', { id: 'cb1', note: ' ' }, trusted('supervisor-window'))).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await dispatcher.invoke('help.call', {}, trusted('kiosk-window'))).toMatchObject({ ok: true });
    // 查询办件 is open to the counter too: status only, no rating level in its contract.
    expect(await dispatcher.invoke('cases.lookup', { text: 'HALL01-20261126-C03-0042' }, trusted())).toMatchObject({ ok: true, value: { stateLabel: '已受理' } });
  });

  it('keeps 软件更新 to technicians: status, check, install and rollback', async () => {
    const { dispatcher } = setup();
    const calls = [
      ['updates.status', {}],
      ['updates.check', { usbDir: '/media/tech/HALL' }],
      ['updates.install', { source: 'usb', location: '/media/tech/HALL/hall-console-1.4.0' }],
      ['updates.rollback', {}],
    ] as const;
    for (const [method, input] of calls) {
      for (const channel of ['clerk-window', 'kiosk-window', 'supervisor-window', 'admin-window']) {
        expect(await dispatcher.invoke(method, input, trusted(channel)), `${method} ${channel}`).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
      expect(await dispatcher.invoke(method, input, trusted('technician-window')), method).toMatchObject({ ok: true });
    }
    expect(await dispatcher.invoke('updates.install', { source: 'ftp', location: 'x' }, trusted('technician-window'))).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });

  it('keeps 注册本机 to technicians and checks the hub address and code shape', async () => {
    const { dispatcher } = setup();
    const enroll = { hubUrl: 'ws://10.1.2.3:7300/sync', consoleId: 'C03', code: '7KQ2M-XH9TD' };
    for (const [method, input] of [['enrollment.status', {}], ['enrollment.enroll', enroll]] as const) {
      for (const channel of ['clerk-window', 'kiosk-window', 'supervisor-window', 'admin-window']) {
        expect(await dispatcher.invoke(method, input, trusted(channel)), `${method} ${channel}`).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
      expect(await dispatcher.invoke(method, input, trusted('technician-window')), method).toMatchObject({ ok: true });
    }
    for (const bad of [{ ...enroll, hubUrl: 'ftp://hub/' }, { ...enroll, consoleId: 'C 03' }, { ...enroll, code: 'x' }, { ...enroll, extra: 1 }]) {
      expect(await dispatcher.invoke('enrollment.enroll', bad, trusted('technician-window')), JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    }
  });

  it('passes service errors through as typed results', async () => {
    const { dispatcher } = setup({
      'session.login': () => {
        throw new HallServiceError('bad_credentials', '用户名或密码错误');
      },
    });
    const r = await dispatcher.invoke('session.login', { userName: 'a', password: 'b', counterId: null }, trusted('anon'));
    expect(r).toEqual({ ok: false, error: { code: 'bad_credentials', message: '用户名或密码错误' } });
  });

  it('hides crashes: internal code, no stack, details only in the log', async () => {
    const { dispatcher, logger } = setup({
      'devices.status': () => {
        throw new TypeError('secret detail at /home/x/file.ts:12');
      },
    });
    const r = await dispatcher.invoke('devices.status', {}, trusted());
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(r)).not.toContain('secret detail');
    expect(logger.lines.find((l) => l.event === 'ipc.handler_crashed')?.fields.error).toContain('secret detail');
  });

  it('refuses output that breaks the contract', async () => {
    const { dispatcher } = setup({ 'sync.status': () => ({ state: 'weird' }) as never });
    expect(await dispatcher.invoke('sync.status', {}, trusted())).toMatchObject({ ok: false, error: { code: 'bad_output' } });
  });
});
