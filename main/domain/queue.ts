/**
 * Queue rules (取号 → 叫号) of the hall-domain note: ticket numbers, who is called next, and the
 * expected wait. Pure: the queue service passes tickets, counters, rules and the time.
 */

import {
  COUNTER_STATUSES,
  PRIORITY_KINDS,
  TICKET_STATE_LABELS,
  TICKET_STATES,
  type CounterStatus,
  type TicketState,
} from '../../preload/contract';

// Ticket states, priority kinds and counter statuses cross the contract; the rules about them live here.
export { COUNTER_STATUSES, PRIORITY_KINDS, TICKET_STATES, type CounterStatus, type TicketState };
export type PriorityKind = (typeof PRIORITY_KINDS)[number];

export interface QueueRules {
  /** Which priority kinds this hall honours (configurable). Order = rank. */
  priorities: readonly PriorityKind[];
  /** An appointment counts as on time from this many minutes before to this many after its slot. */
  appointmentWindowMinutes: { before: number; after: number };
  /** How often a called ticket may be recalled (重呼). */
  maxRecalls: number;
}

export const DEFAULT_QUEUE_RULES: QueueRules = {
  priorities: ['elderly', 'disabled', 'pregnant', 'appointment', 'vip_item'],
  appointmentWindowMinutes: { before: 15, after: 10 },
  maxRecalls: 3,
};

export interface WaitingTicket {
  id: string;
  number: string;
  groupCode: string;
  /** Original time: a transferred ticket keeps the time it was first issued. */
  issuedAt: string;
  priority: PriorityKind | null;
  /** For appointments: the booked slot start. */
  appointmentAt?: string | null;
  /** Transferred to one counter: only that counter calls it. */
  targetCounterId?: string | null;
}

/** Ticket number: the group's prefix and the day's sequence, A001 … A999, then A1000. */
export function ticketNumber(prefix: string, dailySequence: number): string {
  if (!/^[A-Z]{1,2}$/.test(prefix)) throw new RangeError(`ticket prefix must be 1–2 capital letters, got "${prefix}"`);
  if (!Number.isInteger(dailySequence) || dailySequence < 1) throw new RangeError(`daily sequence must be ≥ 1, got ${dailySequence}`);
  return `${prefix}${String(dailySequence).padStart(3, '0')}`;
}

/** The rank of a ticket's priority today (lower first); null when it has none that applies now. */
export function effectivePriority(ticket: WaitingTicket, rules: QueueRules, now: Date): number | null {
  if (!ticket.priority) return null;
  const rank = rules.priorities.indexOf(ticket.priority);
  if (rank < 0) return null;
  if (ticket.priority === 'appointment') {
    if (!ticket.appointmentAt) return null;
    const slot = Date.parse(ticket.appointmentAt);
    const { before, after } = rules.appointmentWindowMinutes;
    const t = now.getTime();
    if (t < slot - before * 60_000 || t > slot + after * 60_000) return null; // early or late: plain order
  }
  return rank;
}

/**
 * Who this counter calls next: tickets of its service groups (or transferred to it); those with a
 * priority that applies now first, by rank; then everyone by original ticket time; ties by number.
 */
export function nextTicket(
  waiting: readonly WaitingTicket[],
  counter: { id: string; serviceGroups: readonly string[] },
  rules: QueueRules,
  now: Date,
): WaitingTicket | null {
  const eligible = waiting.filter((t) => (t.targetCounterId ? t.targetCounterId === counter.id : counter.serviceGroups.includes(t.groupCode)));
  const ranked = eligible.map((t) => ({ t, p: effectivePriority(t, rules, now) }));
  ranked.sort((a, b) => {
    const pa = a.p ?? Number.POSITIVE_INFINITY;
    const pb = b.p ?? Number.POSITIVE_INFINITY;
    if (pa !== pb) return pa - pb;
    if (a.t.issuedAt !== b.t.issuedAt) return a.t.issuedAt < b.t.issuedAt ? -1 : 1;
    return a.t.number < b.t.number ? -1 : a.t.number > b.t.number ? 1 : 0;
  });
  return ranked[0]?.t ?? null;
}

/**
 * Expected wait in minutes ≈ people ahead × average service time of the group ÷ open counters
 * serving it. Null when no counter serves the group (nobody can say).
 */
export function expectedWaitMinutes(peopleAhead: number, averageServiceMinutes: number, openCounters: number): number | null {
  if (openCounters <= 0) return null;
  return Math.ceil((peopleAhead * averageServiceMinutes) / openCounters);
}

/** What a clerk (or the kiosk) does to a ticket, and where it leads (hall-domain note). */
export const TICKET_ACTIONS = ['call', 'recall', 'serve', 'suspend', 'resume', 'transfer', 'finish', 'skip', 'requeue'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

const TICKET_TABLE: Readonly<Record<TicketAction, { from: readonly TicketState[]; to: TicketState }>> = {
  call: { from: ['waiting'], to: 'called' },
  recall: { from: ['called', 'recalled'], to: 'recalled' },
  serve: { from: ['called', 'recalled'], to: 'serving' },
  suspend: { from: ['serving'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'serving' },
  transfer: { from: ['serving', 'called', 'recalled'], to: 'transferred' },
  finish: { from: ['serving'], to: 'done' },
  skip: { from: ['called', 'recalled'], to: 'skipped' },
  requeue: { from: ['skipped', 'transferred'], to: 'waiting' },
};

export type TicketTransition = { ok: true; to: TicketState } | { ok: false; message: string };


/**
 * One step of a ticket's life. Recall is limited (`maxRecalls`); a skipped ticket may be re-queued
 * once (`requeues` counts earlier re-queues).
 */
export function ticketTransition(from: TicketState, action: TicketAction, ctx: { recallCount: number; requeues: number; rules: QueueRules }): TicketTransition {
  const edge = TICKET_TABLE[action];
  if (!edge.from.includes(from)) return { ok: false, message: `号票${TICKET_STATE_LABELS[from]}，不能${ACTION_LABELS[action]}` };
  if (action === 'recall' && ctx.recallCount >= ctx.rules.maxRecalls) return { ok: false, message: `已重呼 ${ctx.recallCount} 次，请过号或开始办理` };
  if (action === 'requeue' && from === 'skipped' && ctx.requeues >= 1) return { ok: false, message: '过号后只能重新排队一次' };
  return { ok: true, to: edge.to };
}

const ACTION_LABELS: Record<TicketAction, string> = {
  call: '叫号',
  recall: '重呼',
  serve: '开始办理',
  suspend: '挂起',
  resume: '恢复办理',
  transfer: '转窗',
  finish: '办结',
  skip: '过号',
  requeue: '重新排队',
};

/** Why a counter may not call now (paused or closed), or null when it may. */
export function callRefusal(status: CounterStatus): string | null {
  if (status === 'paused') return '本窗口已暂停服务，请先开窗（F10）再叫号';
  if (status === 'closed') return '本窗口已关窗，请先开窗（F10）再叫号';
  return null;
}

/**
 * Whether a counter may change to `to` with these tickets still active there. Closing leaves nobody
 * behind: a ticket called, in service or suspended must be finished, skipped or transferred first.
 */
export function statusChangeRefusal(
  counterName: string,
  to: CounterStatus,
  active: readonly { number: string; state: TicketState }[],
): string | null {
  if (to !== 'closed' || active.length === 0) return null;
  const list = active.map((t) => `${t.number}（${TICKET_STATE_LABELS[t.state]}）`).join('、');
  return `${counterName}还有号票 ${list}，请先办结、过号或转窗后再关窗`;
}

/** Where a ticket may be transferred: another counter, open now. */
export function transferRefusal(from: { id: string }, to: { id: string; name: string; status: CounterStatus } | null): string | null {
  if (!to) return '要转入的窗口不存在或已停用';
  if (to.id === from.id) return '不能转给本窗口，请选择其他窗口';
  if (to.status === 'paused') return `${to.name}暂停服务中，请转到其他窗口`;
  if (to.status === 'closed') return `${to.name}已关窗，请转到其他窗口`;
  return null;
}
