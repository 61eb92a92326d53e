/**
 * Values allowed by the CHECK constraints of the schema (a test keeps them in step). When the domain
 * module defines these sets, this file should re-export them from there.
 */
// Roles are part of the HallApi contract; the store keeps the same list.
export { ROLES, type Role } from '../../preload/contract';

// Ticket states belong to the domain's queue rules.
export { COUNTER_STATUSES, TICKET_STATES, type CounterStatus, type TicketState } from '../domain/queue';

// Case states belong to the domain's state machine.
export { CASE_STATES, type CaseState } from '../domain/case-machine';

export const OUTBOX_STATUSES = ['pending', 'acked', 'rejected'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
