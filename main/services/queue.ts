/**
 * The queue at the counters (取号 → 叫号): issuing tickets, calling the next one by the hall's
 * priority rules, recall, skip, serving and finishing. Rules are main/domain/queue.ts; every change is
 * written with its outbox row in one transaction and announced with `queue.changed`.
 */
import { z } from 'zod';
import type { QueueGroup, QueueState, Session, TicketView } from '../../preload/contract';
import type { Clock } from '../domain/clock';
import {
  DEFAULT_QUEUE_RULES,
  expectedWaitMinutes,
  nextTicket,
  ticketNumber,
  ticketTransition,
  type PriorityKind,
  type QueueRules,
  type TicketAction,
  type WaitingTicket,
} from '../domain/queue';
import type { EventBus } from '../events';
import type { Store } from '../store';
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

/** Minutes a handling takes when today has no finished ticket to learn from. */
const DEFAULT_SERVICE_MINUTES = 8;

/** The console's business day (local calendar date). */
export function businessDate(now: Date): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

export class QueueService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly rules: QueueRules = DEFAULT_QUEUE_RULES,
  ) {}

  groups(): QueueGroup[] {
    const groups = this.store.settings.get('queue.groups', QueueGroupsSetting) ?? DEFAULT_QUEUE_GROUPS;
    const waiting = this.store.tickets.listWaiting(businessDate(this.clock()));
    return groups.map((g) => ({ ...g, waiting: waiting.filter((t) => t.groupCode === g.code).length }));
  }

  issue(input: { groupCode: string; priority: PriorityKind | null }): TicketView {
    if (!this.groups().some((g) => g.code === input.groupCode)) throw new HallServiceError('not_found', `本大厅没有 ${input.groupCode} 类业务`);
    const now = this.clock();
    const day = businessDate(now);
    const ticket = this.store.db.transaction(() => {
      const number = ticketNumber(input.groupCode, this.store.tickets.nextSequence(day, input.groupCode));
      const t = this.store.tickets.insert({ number, groupCode: input.groupCode, businessDate: day, priority: input.priority });
      this.store.outbox.append('ticket.issued', { id: t.id, number, groupCode: t.groupCode, businessDate: day, priority: t.priority });
      return t;
    });
    this.events.emit('queue.changed', { groupCode: ticket.groupCode });
    return this.view(ticket, now);
  }

  state(session: Session): QueueState {
    const counter = this.counterOf(session);
    const now = this.clock();
    const waiting = this.callable(counter, now);
    const ordered: WaitingTicket[] = [];
    const pool = [...waiting];
    while (pool.length && ordered.length < 5) {
      const next = nextTicket(pool, counter, this.rules, now)!;
      ordered.push(next);
      pool.splice(pool.indexOf(next), 1);
    }
    const byId = new Map(this.store.tickets.listWaiting(businessDate(now)).map((t) => [t.id, t]));
    const current = this.store.tickets.activeAt(counter.id)[0] ?? null;
    const openCounters = this.store.counters.listActive().filter((c) => c.serviceGroups.some((g) => counter.serviceGroups.includes(g))).length;
    return {
      waiting: waiting.length,
      expectedWaitMinutes: expectedWaitMinutes(waiting.length, this.averageServiceMinutes(now), openCounters),
      next: ordered.map((w) => this.view(byId.get(w.id)!, now)),
      current: current ? this.view(current, now) : null,
    };
  }

  act(session: Session, action: Exclude<TicketAction, 'transfer' | 'requeue'>): QueueState {
    const counter = this.counterOf(session);
    const now = this.clock();
    const at = now.toISOString();
    let groupCode: string | null = null;
    this.store.db.transaction(() => {
      const current = this.store.tickets.activeAt(counter.id)[0] ?? null;
      if (action === 'call') {
        if (current && current.state !== 'suspended') throw new HallServiceError('conflict', `请先办结或过号当前号票 ${current.number}`);
        const pick = nextTicket(this.callable(counter, now), counter, this.rules, now);
        if (!pick) throw new HallServiceError('not_found', '当前没有等候的号票');
        const updated = this.apply(this.store.tickets.get(pick.id)!, 'call', { counterId: counter.id, calledAt: at });
        groupCode = updated.groupCode;
        return;
      }
      if (!current) throw new HallServiceError('not_found', '本窗口当前没有号票，请先叫号');
      const fields: Parameters<Store['tickets']['update']>[1] = {};
      if (action === 'recall') fields.recallCount = current.recallCount + 1;
      if (action === 'serve') fields.servedAt = at;
      if (action === 'finish' || action === 'skip') fields.finishedAt = at;
      groupCode = this.apply(current, action, fields).groupCode;
    });
    if (groupCode) this.events.emit('queue.changed', { groupCode });
    return this.state(session);
  }

  private apply(ticket: Ticket, action: TicketAction, fields: Parameters<Store['tickets']['update']>[1]): Ticket {
    const step = ticketTransition(ticket.state, action, { recallCount: ticket.recallCount, requeues: ticket.requeueCount, rules: this.rules });
    if (!step.ok) throw new HallServiceError('conflict', step.message);
    const updated = this.store.tickets.update(ticket.id, { ...fields, state: step.to });
    this.store.outbox.append('ticket.changed', { id: updated.id, number: updated.number, action, state: updated.state, counterId: updated.counterId, at: this.clock().toISOString() });
    return updated;
  }

  private counterOf(session: Session): { id: string; serviceGroups: string[] } {
    if (!session.counter) throw new HallServiceError('counter_required', '叫号须在窗口登录');
    const counter = this.store.counters.get(session.counter.id);
    if (!counter) throw new HallServiceError('not_found', '该窗口不存在或已停用');
    return counter;
  }

  private callable(counter: { id: string; serviceGroups: readonly string[] }, now: Date): WaitingTicket[] {
    return this.store.tickets
      .listWaiting(businessDate(now))
      .filter((t) => (t.targetCounterId ? t.targetCounterId === counter.id : counter.serviceGroups.includes(t.groupCode)))
      .map((t) => ({ id: t.id, number: t.number, groupCode: t.groupCode, issuedAt: t.issuedAt, priority: (t.priority as PriorityKind | null) ?? null, targetCounterId: t.targetCounterId }));
  }

  /** Average handling (serving → done) of today's finished tickets, or the default. */
  private averageServiceMinutes(now: Date): number {
    const row = this.store.db.sql
      .prepare(
        `SELECT avg((julianday(finished_at) - julianday(served_at)) * 1440) AS minutes FROM tickets
         WHERE business_date = ? AND state = 'done' AND served_at IS NOT NULL AND finished_at IS NOT NULL`,
      )
      .get(businessDate(now)) as { minutes: number | null };
    // julianday arithmetic carries float noise (4 min → 4.0000001): keep a tenth of a minute.
    return row.minutes && row.minutes > 0 ? Math.round(row.minutes * 10) / 10 : DEFAULT_SERVICE_MINUTES;
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
    };
  }
}
