/**
 * The queue at the counters (取号 → 叫号): issuing tickets, calling the next one by the hall's
 * priority rules, recall, skip and re-queue, serving, suspend/resume, transfer and finishing, and the
 * counters' own status (开窗 / 暂停 / 关窗). Rules are main/domain/queue.ts; every change is
 * written with its outbox row in one transaction and announced with `queue.changed`.
 */
import { z } from 'zod';
import type { CounterState, QueueGroup, QueueState, Session, TicketView } from '../../preload/contract';
import { chinaDate, type Clock } from '../domain/clock';
import {
  callRefusal,
  DEFAULT_QUEUE_RULES,
  expectedWaitMinutes,
  PRIORITY_KINDS,
  nextTicket,
  statusChangeRefusal,
  ticketNumber,
  ticketTransition,
  transferRefusal,
  type CounterStatus,
  type PriorityKind,
  type QueueRules,
  type TicketAction,
  type WaitingTicket,
} from '../domain/queue';
import type { EventBus } from '../events';
import type { Store } from '../store';
import type { Counter, CounterStatusRecord } from '../store/repositories/counters';
import type { Ticket } from '../store/repositories/tickets';
import { HallServiceError } from './errors';

/** Service groups (ticket prefixes) and their names; a hall sets its own in the `queue.groups` setting. */
export const DEFAULT_QUEUE_GROUPS: readonly { code: string; name: string }[] = [
  { code: 'A', name: '综合受理' },
  { code: 'B', name: '不动产登记 · 户籍证件' },
  { code: 'C', name: '社保医保' },
  { code: 'D', name: '证照领取' },
];
export const QueueGroupsSetting = z.array(z.object({ code: z.string().regex(/^[A-Z]{1,2}$/), name: z.string().min(1).max(30) })).min(1);

export const QUEUE_RULES_SETTING = 'queue.rules';
export const QueueRulesSetting: z.ZodType<QueueRules> = z
  .object({
    priorities: z.array(z.enum(PRIORITY_KINDS)).max(PRIORITY_KINDS.length).refine((p) => new Set(p).size === p.length, 'each priority once'),
    appointmentWindowMinutes: z.object({ before: z.number().int().min(0).max(120), after: z.number().int().min(0).max(120) }),
    maxRecalls: z.number().int().min(0).max(10),
  })
  .strict();

/** Minutes a handling takes when today has no finished ticket to learn from. */
const DEFAULT_SERVICE_MINUTES = 8;
/** How many of today's skipped tickets the queue panel lists. */
const SKIPPED_LISTED = 30;

type TicketFields = Parameters<Store['tickets']['update']>[1];

/** How a counter is named in messages: 3号窗口. */
function counterLabel(c: { number: number }): string {
  return `${c.number}号窗口`;
}

/** The hall's business day: the calendar date in China (not the machine's time zone). */
export function businessDate(now: Date): string {
  return chinaDate(now);
}

export class QueueService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly defaultRules: QueueRules = DEFAULT_QUEUE_RULES,
  ) {}

  /** The hall's calling rules: the `queue.rules` setting (which priorities, in what order, recalls), else the defaults. */
  private get rules(): QueueRules {
    return this.store.settings.get(QUEUE_RULES_SETTING, QueueRulesSetting) ?? this.defaultRules;
  }

  private finishedListener: ((handled: { counterId: string; ticketId: string; clerkUserId: string }) => void) | null = null;

  /** Told after a ticket is finished at a counter (the rating pad then asks for its one rating). */
  onTicketFinished(listener: (handled: { counterId: string; ticketId: string; clerkUserId: string }) => void): void {
    this.finishedListener = listener;
  }

  groups(): QueueGroup[] {
    const groups = this.store.settings.get('queue.groups', QueueGroupsSetting) ?? DEFAULT_QUEUE_GROUPS;
    const waiting = this.store.tickets.listWaiting(businessDate(this.clock()));
    return groups.map((g) => ({ ...g, waiting: waiting.filter((t) => t.groupCode === g.code).length }));
  }

  /** What a printed 取号单 says besides the number: the group's name, people ahead, expected wait. */
  ticketInfo(ticket: TicketView): { groupName: string; waitingAhead: number; expectedWaitMinutes: number | null } {
    const now = this.clock();
    const group = this.groups().find((g) => g.code === ticket.groupCode);
    const ahead = this.store.tickets.listWaiting(businessDate(now)).filter((t) => t.groupCode === ticket.groupCode && t.id !== ticket.id && t.issuedAt <= ticket.issuedAt).length;
    const open = this.openCountersServing([ticket.groupCode], this.store.counters.statuses());
    return { groupName: group?.name ?? ticket.groupCode, waitingAhead: ahead, expectedWaitMinutes: expectedWaitMinutes(ahead, this.averageServiceMinutes(now), open) };
  }

  issue(input: { groupCode: string; priority: PriorityKind | null; applicantIdNumber?: string | null }): TicketView {
    if (!this.groups().some((g) => g.code === input.groupCode)) throw new HallServiceError('not_found', `本大厅没有 ${input.groupCode} 类业务`);
    const now = this.clock();
    const day = businessDate(now);
    const ticket = this.store.db.transaction(() => {
      const number = ticketNumber(input.groupCode, this.store.tickets.nextSequence(day, input.groupCode));
      const t = this.store.tickets.insert({ number, groupCode: input.groupCode, businessDate: day, priority: input.priority, applicantIdNumber: input.applicantIdNumber ?? null });
      this.store.outbox.append('ticket.issued', { id: t.id, number, groupCode: t.groupCode, businessDate: day, priority: t.priority, byIdCard: Boolean(input.applicantIdNumber) });
      return t;
    });
    this.events.emit('queue.changed', { groupCode: ticket.groupCode });
    return this.view(ticket, now);
  }

  state(session: Session): QueueState {
    const counter = this.counterOf(session);
    const now = this.clock();
    const day = businessDate(now);
    const waiting = this.callable(counter, now);
    const ordered: WaitingTicket[] = [];
    const pool = [...waiting];
    while (pool.length && ordered.length < 5) {
      const next = nextTicket(pool, counter, this.rules, now)!;
      ordered.push(next);
      pool.splice(pool.indexOf(next), 1);
    }
    const byId = new Map(this.store.tickets.listWaiting(day).map((t) => [t.id, t]));
    const active = this.store.tickets.activeAt(counter.id);
    const current = active.find((t) => t.state !== 'suspended') ?? null;
    const statuses = this.store.counters.statuses();
    const openCounters = this.openCountersServing(counter.serviceGroups, statuses);
    return {
      waiting: waiting.length,
      expectedWaitMinutes: expectedWaitMinutes(waiting.length, this.averageServiceMinutes(now), openCounters),
      next: ordered.map((w) => this.view(byId.get(w.id)!, now)),
      current: current ? this.view(current, now) : null,
      suspended: active.filter((t) => t.state === 'suspended').map((t) => this.view(t, now)),
      skipped: this.store.tickets.skippedAt(counter.id, day, SKIPPED_LISTED).map((t) => this.view(t, now)),
      counter: this.counterState(counter, statuses.get(counter.id)),
    };
  }

  act(session: Session, action: Exclude<TicketAction, 'transfer' | 'requeue'>): QueueState {
    if (action === 'resume') return this.resume(session, null);
    const counter = this.counterOf(session);
    const now = this.clock();
    const at = now.toISOString();
    let groupCode: string | null = null;
    let finished: string | null = null;
    this.store.db.transaction(() => {
      // A suspended ticket waits aside: the counter goes on with the one it called or serves.
      const current = this.store.tickets.activeAt(counter.id).find((t) => t.state !== 'suspended') ?? null;
      if (action === 'call') {
        const refusal = callRefusal(this.statusOf(counter.id).status);
        if (refusal) throw new HallServiceError('conflict', refusal);
        if (current) throw new HallServiceError('conflict', `请先办结或过号当前号票 ${current.number}`);
        const pick = nextTicket(this.callable(counter, now), counter, this.rules, now);
        if (!pick) throw new HallServiceError('not_found', '当前没有等候的号票');
        const updated = this.apply(this.store.tickets.get(pick.id)!, 'call', { counterId: counter.id, calledAt: at });
        groupCode = updated.groupCode;
        return;
      }
      if (!current) throw new HallServiceError('not_found', '本窗口当前没有号票，请先叫号');
      const fields: TicketFields = {};
      if (action === 'recall') fields.recallCount = current.recallCount + 1;
      if (action === 'serve') fields.servedAt = at;
      if (action === 'finish' || action === 'skip') fields.finishedAt = at;
      groupCode = this.apply(current, action, fields).groupCode;
      if (action === 'finish') finished = current.id;
    });
    if (groupCode) this.events.emit('queue.changed', { groupCode });
    if (finished) this.finishedListener?.({ counterId: counter.id, ticketId: finished, clerkUserId: session.userId });
    return this.state(session);
  }

  /**
   * 恢复办理: a suspended ticket of this counter (the one given, or the one suspended longest) is served
   * again, once nothing else is called or served here.
   */
  resume(session: Session, ticketId: string | null): QueueState {
    const counter = this.counterOf(session);
    const groupCode = this.store.db.transaction(() => {
      const active = this.store.tickets.activeAt(counter.id);
      const suspended = active.filter((t) => t.state === 'suspended');
      let ticket: Ticket | null;
      if (ticketId === null) {
        ticket = suspended[0] ?? null;
        if (!ticket) throw new HallServiceError('not_found', '本窗口没有挂起的号票');
      } else {
        ticket = this.store.tickets.get(ticketId);
        if (!ticket || ticket.counterId !== counter.id) throw new HallServiceError('not_found', '本窗口没有这张号票，请刷新后再试');
      }
      const busy = active.find((t) => t.state !== 'suspended');
      if (busy && busy.id !== ticket.id && ticket.state === 'suspended') {
        throw new HallServiceError('conflict', `请先办结、过号或挂起当前号票 ${busy.number}，再恢复 ${ticket.number}`);
      }
      return this.apply(ticket, 'resume', {}).groupCode;
    });
    this.events.emit('queue.changed', { groupCode });
    return this.state(session);
  }

  /**
   * 转窗: the current ticket waits again, for the chosen counter only, with its original ticket time
   * (so that counter calls it before later tickets). Audited as one `ticket.changed` row.
   */
  transfer(session: Session, toCounterId: string): QueueState {
    const counter = this.counterOf(session);
    const now = this.clock();
    const groupCode = this.store.db.transaction(() => {
      const current = this.store.tickets.activeAt(counter.id).find((t) => t.state !== 'suspended') ?? null;
      if (!current) throw new HallServiceError('not_found', '本窗口当前没有可转窗的号票');
      const target = this.store.counters.get(toCounterId);
      const to = target?.active ? { ...target, name: counterLabel(target), status: this.statusOf(target.id).status } : null;
      const refusal = transferRefusal(counter, to);
      if (refusal) throw new HallServiceError('conflict', refusal);
      const ctx = { recallCount: current.recallCount, requeues: current.requeueCount, rules: this.rules };
      const out = ticketTransition(current.state, 'transfer', ctx);
      if (!out.ok) throw new HallServiceError('conflict', out.message);
      // transferred → waiting at once: the ticket never sits in between (no re-queue is counted).
      const back = ticketTransition(out.to, 'requeue', ctx);
      if (!back.ok) throw new HallServiceError('conflict', back.message);
      const updated = this.store.tickets.update(current.id, {
        state: back.to,
        targetCounterId: to!.id,
        counterId: null,
        calledAt: null,
        servedAt: null,
        recallCount: 0,
      });
      this.store.outbox.append('ticket.changed', {
        id: updated.id,
        number: updated.number,
        action: 'transfer',
        state: updated.state,
        counterId: counter.id,
        fromCounterId: counter.id,
        toCounterId: to!.id,
        issuedAt: updated.issuedAt,
        at: now.toISOString(),
      });
      return updated.groupCode;
    });
    this.events.emit('queue.changed', { groupCode });
    return this.state(session);
  }

  /** 重新排队: a ticket this counter skipped today waits again with its original time (once only). */
  requeue(session: Session, ticketId: string): QueueState {
    const counter = this.counterOf(session);
    const day = businessDate(this.clock());
    const groupCode = this.store.db.transaction(() => {
      const ticket = this.store.tickets.get(ticketId);
      if (!ticket || ticket.counterId !== counter.id || ticket.businessDate !== day) {
        throw new HallServiceError('not_found', '这张号票不是本窗口今天过号的，不能在这里重新排队');
      }
      return this.apply(ticket, 'requeue', {
        requeueCount: ticket.requeueCount + 1,
        counterId: null,
        calledAt: null,
        finishedAt: null,
        recallCount: 0,
      }).groupCode;
    });
    this.events.emit('queue.changed', { groupCode });
    return this.state(session);
  }

  /** Every active counter with its status (转窗 targets, the supervisor's board). */
  counterStates(): CounterState[] {
    const statuses = this.store.counters.statuses();
    return this.store.counters.listActive().map((c) => this.counterState(c, statuses.get(c.id)));
  }

  /**
   * 开窗 / 暂停 / 关窗. A clerk sets the counter of the session; a supervisor or admin names one.
   * Closing is refused while a ticket is still called, served or suspended there. Audited in the
   * outbox (`counter.status`); counters serving the same groups refresh their expected wait.
   */
  setCounterStatus(session: Session, input: { status: CounterStatus; reason?: string | undefined; counterId?: string | undefined }): CounterState {
    let id: string;
    if (session.role === 'clerk') {
      if (!session.counter) throw new HallServiceError('counter_required', '开关窗口须在窗口登录');
      if (input.counterId && input.counterId !== session.counter.id) throw new HallServiceError('forbidden', '您只能开关自己登录的窗口');
      id = session.counter.id;
    } else {
      if (!input.counterId) throw new HallServiceError('counter_required', '请选择要开关的窗口');
      id = input.counterId;
    }
    const now = this.clock().toISOString();
    const reason = input.reason?.trim() ? input.reason.trim() : null;
    const result = this.store.db.transaction(() => {
      const counter = this.store.counters.get(id);
      if (!counter?.active) throw new HallServiceError('not_found', '该窗口不存在或已停用');
      const before = this.statusOf(id);
      if (before.status === input.status) return { counter, status: before, changed: false };
      const refusal = statusChangeRefusal(counterLabel(counter), input.status, this.store.tickets.activeAt(id));
      if (refusal) throw new HallServiceError('conflict', refusal);
      const status = this.store.counters.setStatus(id, input.status, now, reason);
      this.store.outbox.append('counter.status', {
        counterId: id,
        number: counter.number,
        from: before.status,
        to: input.status,
        reason,
        userId: session.userId,
        at: now,
      });
      return { counter, status, changed: true };
    });
    if (result.changed) for (const groupCode of result.counter.serviceGroups) this.events.emit('queue.changed', { groupCode });
    return this.counterState(result.counter, result.status);
  }

  private apply(ticket: Ticket, action: TicketAction, fields: TicketFields): Ticket {
    const step = ticketTransition(ticket.state, action, { recallCount: ticket.recallCount, requeues: ticket.requeueCount, rules: this.rules });
    if (!step.ok) throw new HallServiceError('conflict', step.message);
    const updated = this.store.tickets.update(ticket.id, { ...fields, state: step.to });
    this.store.outbox.append('ticket.changed', {
      id: updated.id,
      number: updated.number,
      action,
      state: updated.state,
      counterId: updated.counterId ?? ticket.counterId,
      at: this.clock().toISOString(),
    });
    return updated;
  }

  private counterOf(session: Session): Counter {
    if (!session.counter) throw new HallServiceError('counter_required', '叫号须在窗口登录');
    const counter = this.store.counters.get(session.counter.id);
    if (!counter) throw new HallServiceError('not_found', '该窗口不存在或已停用');
    return counter;
  }

  private statusOf(counterId: string): CounterStatusRecord {
    return this.store.counters.statusOf(counterId) ?? { status: 'open', since: null, reason: null };
  }

  private counterState(c: Counter, status: CounterStatusRecord | undefined): CounterState {
    const s = status ?? this.statusOf(c.id);
    return { id: c.id, number: c.number, name: c.name, zone: c.zone, serviceGroups: c.serviceGroups, status: s.status, statusSince: s.since, statusReason: s.reason };
  }

  private callable(counter: { id: string; serviceGroups: readonly string[] }, now: Date): WaitingTicket[] {
    return this.store.tickets
      .listWaiting(businessDate(now))
      .filter((t) => (t.targetCounterId ? t.targetCounterId === counter.id : counter.serviceGroups.includes(t.groupCode)))
      .map((t) => ({ id: t.id, number: t.number, groupCode: t.groupCode, issuedAt: t.issuedAt, priority: (t.priority as PriorityKind | null) ?? null, targetCounterId: t.targetCounterId }));
  }

  /** Average handling (serving → done) of today's finished tickets, or the default. */
  private averageServiceMinutes(now: Date): number {
    const row = this.store.db
      .prepare(
        `SELECT avg((julianday(finished_at) - julianday(served_at)) * 1440) AS minutes FROM tickets
         WHERE business_date = ? AND state = 'done' AND served_at IS NOT NULL AND finished_at IS NOT NULL`,
      )
      .get(businessDate(now)) as { minutes: number | null };
    // julianday arithmetic carries float noise (4 min → 4.0000001): keep a tenth of a minute.
    return row.minutes && row.minutes > 0 ? Math.round(row.minutes * 10) / 10 : DEFAULT_SERVICE_MINUTES;
  }

  /** Only open counters serve: a paused or closed one calls nobody (hall-domain note, expected wait). */
  private openCountersServing(groups: readonly string[], statuses: Map<string, CounterStatusRecord>): number {
    return this.store.counters.listActive().filter((c) => statuses.get(c.id)?.status === 'open' && c.serviceGroups.some((g) => groups.includes(g))).length;
  }

  /** One ticket as the screens show it (null when there is no such ticket). */
  find(ticketId: string): TicketView | null {
    const t = this.store.tickets.get(ticketId);
    return t ? this.view(t, this.clock()) : null;
  }

  private view(t: Ticket, now: Date): TicketView {
    return {
      id: t.id,
      number: t.number,
      groupCode: t.groupCode,
      state: t.state,
      issuedAt: t.issuedAt,
      calledAt: t.calledAt,
      priority: t.priority,
      recallCount: t.recallCount,
      waitedMinutes: Math.max(0, Math.floor((now.getTime() - Date.parse(t.issuedAt)) / 60_000)),
      requeueCount: t.requeueCount,
      transferTo: t.targetCounterId ? (this.store.counters.get(t.targetCounterId)?.number ?? null) : null,
    };
  }
}
