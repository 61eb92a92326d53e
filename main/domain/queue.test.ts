import { describe, expect, it } from 'vitest';
import {
  callRefusal,
  DEFAULT_QUEUE_RULES,
  effectivePriority,
  expectedWaitMinutes,
  nextTicket,
  statusChangeRefusal,
  ticketNumber,
  ticketTransition,
  transferRefusal,
  type WaitingTicket,
} from './queue';

const now = new Date('2026-11-26T02:00:00.000Z');
const t = (number: string, issuedAt: string, extra: Partial<WaitingTicket> = {}): WaitingTicket => ({
  id: number,
  number,
  groupCode: number[0]!,
  issuedAt: `2026-11-26T${issuedAt}:00.000Z`,
  priority: null,
  ...extra,
});
const counter3 = { id: 'c3', serviceGroups: ['A', 'B'] };

describe('ticket numbers', () => {
  it('pads the daily sequence', () => {
    expect(ticketNumber('A', 12)).toBe('A012');
    expect(ticketNumber('B', 999)).toBe('B999');
    expect(ticketNumber('VP', 1000)).toBe('VP1000');
  });
  it('refuses bad prefixes and sequences', () => {
    expect(() => ticketNumber('a', 1)).toThrow(RangeError);
    expect(() => ticketNumber('A', 0)).toThrow(RangeError);
  });
});

describe('nextTicket', () => {
  it('calls by original ticket time within the counter’s groups', () => {
    const waiting = [t('A003', '01:30'), t('B001', '01:10'), t('C001', '01:00'), t('A002', '01:20')];
    expect(nextTicket(waiting, counter3, DEFAULT_QUEUE_RULES, now)?.number).toBe('B001');
  });

  it('puts a priority first, by rank, and ignores priorities the hall does not honour', () => {
    const waiting = [t('A001', '01:00'), t('A009', '01:50', { priority: 'pregnant' }), t('A010', '01:55', { priority: 'elderly' })];
    expect(nextTicket(waiting, counter3, DEFAULT_QUEUE_RULES, now)?.number).toBe('A010');
    const onlyPregnant = { ...DEFAULT_QUEUE_RULES, priorities: ['pregnant'] as const };
    expect(nextTicket(waiting, counter3, onlyPregnant, now)?.number).toBe('A009');
    expect(nextTicket(waiting, counter3, { ...DEFAULT_QUEUE_RULES, priorities: [] }, now)?.number).toBe('A001');
  });

  it('honours an appointment only around its slot', () => {
    const appt = (at: string) => t('A050', '01:59', { priority: 'appointment', appointmentAt: `2026-11-26T${at}:00.000Z` });
    const plain = t('A001', '01:00');
    expect(nextTicket([plain, appt('02:10')], counter3, DEFAULT_QUEUE_RULES, now)?.number).toBe('A050'); // 10 min early: on time
    expect(nextTicket([plain, appt('02:30')], counter3, DEFAULT_QUEUE_RULES, now)?.number).toBe('A001'); // too early
    expect(nextTicket([plain, appt('01:40')], counter3, DEFAULT_QUEUE_RULES, now)?.number).toBe('A001'); // 20 min late
    expect(effectivePriority(t('A2', '01:00', { priority: 'appointment' }), DEFAULT_QUEUE_RULES, now)).toBeNull();
  });

  it('keeps the original time of a transferred ticket and gives it only to its target counter', () => {
    const transferred = t('C007', '00:40', { targetCounterId: 'c3' });
    const waiting = [t('A001', '01:00'), transferred];
    expect(nextTicket(waiting, counter3, DEFAULT_QUEUE_RULES, now)?.number).toBe('C007');
    expect(nextTicket([{ ...transferred, targetCounterId: 'c5' }, t('A001', '01:00')], counter3, DEFAULT_QUEUE_RULES, now)?.number).toBe('A001');
  });

  it('returns null when nobody waits for this counter', () => {
    expect(nextTicket([t('C001', '01:00')], counter3, DEFAULT_QUEUE_RULES, now)).toBeNull();
  });
});

describe('expectedWaitMinutes', () => {
  it('divides the work ahead among the open counters', () => {
    expect(expectedWaitMinutes(18, 8, 6)).toBe(24);
    expect(expectedWaitMinutes(0, 8, 2)).toBe(0);
    expect(expectedWaitMinutes(5, 7, 2)).toBe(18);
    expect(expectedWaitMinutes(5, 7, 0)).toBeNull();
  });
});

describe('ticketTransition', () => {
  const ctx = { recallCount: 0, requeues: 0, rules: DEFAULT_QUEUE_RULES };
  it('walks a ticket through call, recall, serve, finish', () => {
    expect(ticketTransition('waiting', 'call', ctx)).toEqual({ ok: true, to: 'called' });
    expect(ticketTransition('called', 'recall', ctx)).toEqual({ ok: true, to: 'recalled' });
    expect(ticketTransition('recalled', 'serve', ctx)).toEqual({ ok: true, to: 'serving' });
    expect(ticketTransition('serving', 'suspend', ctx)).toEqual({ ok: true, to: 'suspended' });
    expect(ticketTransition('suspended', 'resume', ctx)).toEqual({ ok: true, to: 'serving' });
    expect(ticketTransition('serving', 'finish', ctx)).toEqual({ ok: true, to: 'done' });
  });

  it('refuses steps out of order with a sentence', () => {
    expect(ticketTransition('waiting', 'finish', ctx)).toEqual({ ok: false, message: '号票等候中，不能办结' });
    expect(ticketTransition('done', 'call', ctx).ok).toBe(false);
    expect(ticketTransition('serving', 'skip', ctx).ok).toBe(false);
  });

  it('limits recalls and re-queues a skipped ticket only once', () => {
    expect(ticketTransition('recalled', 'recall', { ...ctx, recallCount: 3 })).toMatchObject({ ok: false });
    expect(ticketTransition('skipped', 'requeue', ctx)).toEqual({ ok: true, to: 'waiting' });
    expect(ticketTransition('skipped', 'requeue', { ...ctx, requeues: 1 })).toEqual({ ok: false, message: '过号后只能重新排队一次' });
    expect(ticketTransition('transferred', 'requeue', { ...ctx, requeues: 3 })).toEqual({ ok: true, to: 'waiting' });
  });
});

describe('counter status rules', () => {
  it('only an open counter calls', () => {
    expect(callRefusal('open')).toBeNull();
    expect(callRefusal('paused')).toMatch(/暂停服务/);
    expect(callRefusal('closed')).toMatch(/已关窗/);
  });

  it('closing leaves no ticket behind; pausing and opening always may', () => {
    const busy = [{ number: 'A001', state: 'serving' as const }, { number: 'A002', state: 'suspended' as const }];
    expect(statusChangeRefusal('3号窗口', 'closed', busy)).toBe('3号窗口还有号票 A001（办理中）、A002（已挂起），请先办结、过号或转窗后再关窗');
    expect(statusChangeRefusal('3号窗口', 'closed', [])).toBeNull();
    expect(statusChangeRefusal('3号窗口', 'paused', busy)).toBeNull();
  });

  it('transfers only to another open counter', () => {
    const open = { id: 'c05', name: '5号窗口', status: 'open' as const };
    expect(transferRefusal({ id: 'c03' }, open)).toBeNull();
    expect(transferRefusal({ id: 'c05' }, open)).toMatch(/不能转给本窗口/);
    expect(transferRefusal({ id: 'c03' }, { ...open, status: 'paused' })).toMatch(/暂停服务中/);
    expect(transferRefusal({ id: 'c03' }, null)).toMatch(/不存在/);
  });
});
