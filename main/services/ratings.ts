/**
 * 好差评 (hall-domain note, Ratings): after each handling the rating pad of the counter (a kiosk
 * session bound to it) or the kiosk asks for one rating (一次一评). A rating ≤ 2 opens a callback (回访)
 * with a fix deadline on the working-day calendar; supervisors close callbacks with a note, audited.
 *
 * The clerk cannot see or influence it: no method a clerk may call returns a level, the request
 * carries no clerk name, the comment is encrypted and never leaves main (not in outbox payloads, not
 * in logs), and `ratings.changed` says only which counter's pad should look again.
 */
import { z } from 'zod';
import type { CallbackView, RatingRequestView } from '../../preload/case-contract';
import type { Session } from '../../preload/contract';
import type { Clock } from '../domain/clock';
import { callbackDeadline, needsCallback, asksForReasons, type RatingLevel } from '../domain/rating';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { CallbackRecord, RatingRequest } from '../store/repositories/ratings';
import { loadCalendar } from './calendar';
import { HallServiceError } from './errors';
import { businessDate } from './queue';

/** Working days a callback has to fix what went wrong (setting `ratings.callbackDays`). */
export const CALLBACK_DAYS_SETTING = 'ratings.callbackDays';
export const DEFAULT_CALLBACK_DAYS = 5;
export const CallbackDaysSetting = z.number().int().min(1).max(60);

export const RATING_OUTBOX_TYPES = {
  submitted: 'rating.submitted',
  callbackOpened: 'callback.opened',
  callbackClosed: 'callback.closed',
} as const;

/** One handling to be rated: a finished ticket, a case decision, or both (same ticket). */
export interface RatingRequestInput {
  /** Where it was handled: that counter's rating pad asks for the rating. */
  counterId: string | null;
  ticketId?: string | null;
  caseId?: string | null;
  serviceItemCode?: string | null;
  /** The clerk who handled it (for the hub's reports; never shown to anyone at the counter). */
  clerkUserId?: string | null;
}

export interface RatingSubmitInput {
  requestId: string;
  level: RatingLevel;
  reasons: readonly string[];
  comment?: string | undefined;
}

export class RatingService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly logger?: Logger,
  ) {}

  /**
   * Opens the rating request of one handling (一次一评). A handling is its ticket when it has one, else
   * its case: asking again for the same handling while its request is open fills in what is new (the
   * case of a finished ticket) and keeps it; once it was rated or ended, nothing new is opened (null).
   * A new request at a counter ends the older unrated one there (the applicant has left).
   * Emits `ratings.changed {counterId}` for the counter's pad. May run inside the caller's transaction.
   */
  request(input: RatingRequestInput): RatingRequest | null {
    const ticketId = input.ticketId ?? null;
    const caseId = input.caseId ?? null;
    if (ticketId === null && caseId === null) throw new HallServiceError('bad_input', '评价须对应一次办理（号票或办件）');
    const result = this.store.db.transaction(() => {
      const ticket = ticketId === null ? null : this.store.tickets.get(ticketId);
      const kase = caseId === null ? null : this.store.cases.get(caseId);
      const fields = {
        counterId: input.counterId ?? ticket?.counterId ?? kase?.counterId ?? null,
        ticketId,
        caseId,
        serviceItemCode: input.serviceItemCode ?? kase?.serviceItemCode ?? null,
        clerkUserId: input.clerkUserId ?? kase?.clerkUserId ?? null,
      };
      const existing = this.store.ratings.forHandling(ticketId, caseId);
      if (existing.length > 0) {
        const open = existing.find((r) => r.ratedAt === null && r.expiredAt === null);
        if (!open) return { request: null, expired: [] as string[] };
        const updated = this.store.ratings.completeRequest(open.id, fields);
        const expired = updated.counterId === null ? [] : this.store.ratings.expireOpenAt(updated.counterId, updated.id);
        return { request: updated, expired };
      }
      const created = this.store.ratings.insertRequest(fields);
      const expired = created.counterId === null ? [] : this.store.ratings.expireOpenAt(created.counterId, created.id);
      return { request: created, expired };
    });
    if (result.request) {
      this.logger?.log('info', 'rating.requested', { requestId: result.request.id, expired: result.expired.length });
      this.events.emit('ratings.changed', { counterId: result.request.counterId });
    }
    return result.request;
  }

  /** The rating pad: its counter's handling waiting for a rating, or null. */
  pending(session: Session): RatingRequestView | null {
    if (session.role !== 'kiosk') throw new HallServiceError('forbidden', '评价器须使用自助终端账号登录');
    if (!session.counter) throw new HallServiceError('counter_required', '评价器须绑定窗口');
    const open = this.store.ratings.openAt(session.counter.id);
    return open ? this.requestView(open) : null;
  }

  /** Looks up the view of one open request (the kiosk rates a case it looked up). */
  openRequestOfCase(caseId: string): RatingRequest | null {
    return this.store.ratings.openForCase(caseId);
  }

  /**
   * Stores the one rating of a handling. A pad may rate only its own counter's handling. Level ≤ 2
   * opens a callback; rating, callback and outbox rows commit together. Outbox and logs never carry
   * the comment.
   */
  submit(session: Session, input: RatingSubmitInput): { thanks: true } {
    const now = this.clock();
    const request = this.store.ratings.getRequest(input.requestId);
    if (!request) throw new HallServiceError('not_found', '没有这次办理的评价，请重新查询');
    if (session.counter && request.counterId !== session.counter.id) throw new HallServiceError('forbidden', '只能评价本窗口的服务');
    refuseClosed(request);

    const reasons = asksForReasons(input.level) ? [...new Set(input.reasons)] : [];
    const comment = input.comment?.trim() ? input.comment.trim() : null;
    const fixDeadline = needsCallback(input.level) ? callbackDeadline(loadCalendar(this.store), businessDate(now), this.callbackDays()) : null;

    const written = this.store.db.transaction(() => {
      const rating = this.store.ratings.insertRating({ requestId: request.id, level: input.level, reasons, comment });
      if (!rating) {
        refuseClosed(this.store.ratings.getRequest(request.id)!);
        throw new HallServiceError('conflict', '本次服务已评价'); // unreachable: insertRating refuses only closed requests
      }
      this.store.outbox.append(RATING_OUTBOX_TYPES.submitted, {
        ratingId: rating.id,
        requestId: request.id,
        level: input.level,
        reasons,
        hasComment: comment !== null,
        counterId: request.counterId,
        ticketId: request.ticketId,
        caseId: request.caseId,
        serviceItemCode: request.serviceItemCode,
        clerkUserId: request.clerkUserId,
        ratedAt: rating.ratedAt,
      });
      let callbackId: string | null = null;
      if (fixDeadline !== null) {
        callbackId = this.store.ratings.insertCallback(rating.id, fixDeadline);
        this.store.outbox.append(RATING_OUTBOX_TYPES.callbackOpened, {
          callbackId,
          ratingId: rating.id,
          counterId: request.counterId,
          caseId: request.caseId,
          openedAt: rating.ratedAt,
          fixDeadline,
        });
      }
      return { ratingId: rating.id, callbackId };
    });
    this.logger?.log('info', 'rating.submitted', { requestId: request.id, ratingId: written.ratingId });
    this.events.emit('ratings.changed', { counterId: request.counterId });
    return { thanks: true };
  }

  /** 回访 ledger: callbacks with their fix deadlines coloured on the working-day calendar. */
  callbacks(state: 'open' | 'closed' | 'all'): CallbackView[] {
    const calendar = loadCalendar(this.store);
    const today = businessDate(this.clock());
    return this.store.ratings.listCallbacks(state).map((c) => toCallbackView(c, (d) => calendar.deadlineLevel(today, d)));
  }

  /** Closes a callback with what was done; audited (audit_log + outbox `callback.closed`). */
  closeCallback(session: Session, input: { id: string; note: string }): CallbackView {
    const note = input.note.trim();
    if (!note) throw new HallServiceError('bad_input', '请填写回访及整改情况');
    this.store.db.transaction(() => {
      const found = this.store.ratings.getCallback(input.id);
      if (!found) throw new HallServiceError('not_found', '没有这条回访记录');
      if (found.state === 'closed' || !this.store.ratings.closeCallback(found.id, session.userId, note)) {
        throw new HallServiceError('conflict', '该回访已办结');
      }
      const closed = this.store.ratings.getCallback(found.id)!;
      this.store.audit.append({ actor: session.userId, action: 'callback.closed', subject: found.id, detail: { ratingId: found.ratingId, caseId: found.caseId } });
      this.store.outbox.append(RATING_OUTBOX_TYPES.callbackClosed, {
        callbackId: found.id,
        ratingId: found.ratingId,
        closedAt: closed.closedAt,
        closedBy: session.userId,
        note,
      });
    });
    this.logger?.log('info', 'callback.closed', { callbackId: input.id });
    return toCallbackView(this.store.ratings.getCallback(input.id)!, () => 'none');
  }

  private callbackDays(): number {
    return this.store.settings.get(CALLBACK_DAYS_SETTING, CallbackDaysSetting) ?? DEFAULT_CALLBACK_DAYS;
  }

  private requestView(r: RatingRequest): RatingRequestView {
    const counter = r.counterId ? this.store.counters.get(r.counterId) : null;
    return {
      id: r.id,
      counterNumber: counter?.number ?? null,
      serviceItemName: r.serviceItemCode ? (this.store.catalog.get(r.serviceItemCode)?.name ?? r.serviceItemCode) : null,
      createdAt: r.createdAt,
    };
  }
}

function refuseClosed(request: RatingRequest): void {
  if (request.ratedAt !== null) throw new HallServiceError('conflict', '本次服务已评价，谢谢您');
  if (request.expiredAt !== null) throw new HallServiceError('conflict', '本次评价已结束，窗口已开始办理下一位');
}

function toCallbackView(c: CallbackRecord, level: (deadline: string) => CallbackView['deadlineLevel']): CallbackView {
  return {
    id: c.id,
    ratingLevel: c.level,
    reasons: c.reasons,
    counterNumber: c.counterNumber,
    receiptNo: c.receiptNo,
    openedAt: c.openedAt,
    fixDeadline: c.fixDeadline,
    deadlineLevel: c.state === 'closed' ? 'none' : level(c.fixDeadline),
    state: c.state,
    closedAt: c.closedAt,
    note: c.note,
  };
}
