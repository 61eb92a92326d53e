/**
 * The sync screens (issue 6; docs/sync.md "Needs correction" and "Hall-wide cases"):
 *
 * - 待更正: outbox rows the hub rejected and nobody has settled. A clerk sees and settles the rows of
 *   their counter (and rows that belong to no counter); supervisors and admins see all. Settling is
 *   either 重新提交 (the same mutation is written as a NEW outbox row that resolves the rejected one,
 *   e.g. after the hub's rule was fixed or the clock was set right) or 标记已处理 with a reason (the
 *   row leaves the list, nothing is sent). Both are audited. A clerk never edits a mutation by hand:
 *   when the case data itself was wrong, the fix is made on the case (its own new mutations reach the
 *   hub) and the rejected row is then marked 已处理.
 * - 全厅办件: the folded hall_cases feed (sync/client/hall-cases.ts) with deadline colours.
 *
 * Nothing personal leaves here: a correction shows type, receipt/ticket reference and reason only.
 */
import type { HallCaseList, HallCaseQuery, HallCaseRow, SyncCorrection, SyncCorrectionList } from '../../preload/sync-contract';
import { CASE_STATE_LABELS, type CaseStateName } from '../../preload/case-contract';
import type { Session, SyncStatus } from '../../preload/contract';
import { clockRuns } from '../domain/case-machine';
import type { Clock } from '../domain/clock';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { NeedsCorrection } from '../store';
import { hallCasesEnabled } from '../../sync/client/buckets';
import { hallCasesSyncedAt, listHallCases } from '../../sync/client/hall-cases';
import { loadCalendar } from './calendar';
import { HallServiceError } from './errors';
import { businessDate } from './queue';

const TYPE_LABELS: Record<string, string> = {
  'case.created': '受理',
  'case.transitioned': '办件状态变更',
  'case.deadline_changed': '办理时限变更',
  'case.commitment_fulfilled': '容缺材料补齐',
  'case.payment_captured': '缴费',
  'ticket.issued': '取号',
  'ticket.changed': '叫号/办理',
  'counter.status': '窗口状态',
  'face_check.recorded': '人脸核验',
  'rating.submitted': '好差评',
};

/** The hub's known reasons in Chinese (docs/sync.md "Applying a push"); null = show the raw reason. */
export function correctionReasonText(reason: string): string | null {
  if (reason.startsWith('schema:')) return '数据格式不符合中心平台要求（需升级本机软件或联系技术人员）';
  if (reason.startsWith('mutation_id_reused')) return '记录编号与中心平台已有记录冲突（请联系技术人员）';
  if (reason.startsWith('seq_reused')) return '本机上传序号已被占用：本机数据可能被恢复过（请联系技术人员）';
  if (reason.startsWith('validator failed')) return '中心平台校验出错（可稍后重新提交）';
  if (/^at \S+ is more than 24 h ahead/.test(reason)) return '记录时间比中心平台时间超前一天以上：请校准本机时钟后重新提交';
  return null;
}

export interface SyncViewsOptions {
  store: Store;
  clock: Clock;
  events: EventBus;
  logger: Logger;
  /** The current sync status (for the live 待更正 count after a settlement). */
  status: () => SyncStatus;
  warnDays?: number;
}

export class SyncViewsService {
  constructor(private readonly o: SyncViewsOptions) {}

  corrections(session: Session): SyncCorrectionList {
    const rows = this.o.store.outbox
      .needsCorrection()
      .map((r) => ({ r, counterId: this.counterOf(r) }))
      .filter(({ counterId }) => this.mayAct(session, counterId))
      .map(({ r, counterId }) => this.view(r, counterId));
    return { rows, total: rows.length };
  }

  /** 重新提交: the same mutation as a new outbox row that resolves the rejected one (pushed at once when online). */
  resend(session: Session, seq: number): { seq: number; newSeq: number } {
    const row = this.open(session, seq);
    const { store } = this.o;
    const entry = store.db.transaction(() => {
      const e = store.outbox.resolveRejected(seq);
      store.audit.append({ actor: session.userId, action: 'sync.correction_resent', subject: `outbox:${seq}`, detail: { type: row.type, newSeq: e.seq } });
      return e;
    });
    this.o.logger.log('info', 'sync.correction_resent', { seq, newSeq: entry.seq, type: row.type, by: session.userId });
    this.changed();
    return { seq, newSeq: entry.seq };
  }

  /** 标记已处理: settled without resending; the reason is kept and audited. */
  dismiss(session: Session, seq: number, reason: string): { seq: number } {
    const row = this.open(session, seq);
    const { store } = this.o;
    store.db.transaction(() => {
      store.outbox.dismissRejected(seq, reason, session.userId);
      store.audit.append({ actor: session.userId, action: 'sync.correction_dismissed', subject: `outbox:${seq}`, detail: { type: row.type, reason } });
    });
    this.o.logger.log('info', 'sync.correction_dismissed', { seq, type: row.type, by: session.userId });
    this.changed();
    return { seq };
  }

  hallCases(query: HallCaseQuery & { limit: number }): HallCaseList {
    const { store } = this.o;
    const today = businessDate(this.o.clock());
    const calendar = loadCalendar(store);
    const numbers = new Map(store.counters.listActive().map((c) => [c.id, c.number]));
    let rows: HallCaseRow[] = listHallCases(store, { state: query.state, counterId: query.counterId }).map((r) => {
      const deadline = r.deadline && /^\d{4}-\d{2}-\d{2}/.test(r.deadline) ? r.deadline.slice(0, 10) : null;
      const level = deadline && r.state && clockRuns(r.state) ? calendar.deadlineLevel(today, deadline, this.o.warnDays ?? 2) : 'none';
      return {
        caseId: r.caseId,
        receiptNo: r.receiptNo,
        serviceItemCode: r.serviceItemCode,
        serviceItemName: r.serviceItemCode ? (store.catalog.get(r.serviceItemCode)?.name ?? null) : null,
        state: r.state,
        stateLabel: r.state ? CASE_STATE_LABELS[r.state as CaseStateName] : '待同步',
        counterId: r.counterId,
        counterNumber: r.counterId ? (numbers.get(r.counterId) ?? null) : null,
        consoleId: r.consoleId,
        acceptedAt: r.acceptedAt,
        updatedAt: r.updatedAt,
        deadline,
        deadlineLevel: level,
        tolerated: r.tolerated,
      };
    });
    if (query.deadlineLevel) rows = rows.filter((r) => r.deadlineLevel === query.deadlineLevel);
    // Deadline colours first (overdue, warning), then newest.
    const rank = { overdue: 0, warning: 1, ok: 2, none: 3 } as const;
    rows.sort((a, b) => rank[a.deadlineLevel] - rank[b.deadlineLevel]);
    return { rows: rows.slice(0, query.limit), hasMore: rows.length > query.limit, enabled: hallCasesEnabled(store), syncedAt: hallCasesSyncedAt(store) };
  }

  // ---------- helpers ----------

  private open(session: Session, seq: number): NeedsCorrection {
    const row = this.o.store.outbox.needsCorrection().find((r) => r.seq === seq);
    if (!row) throw new HallServiceError('not_found', '这条记录已处理或不需要更正');
    if (!this.mayAct(session, this.counterOf(row))) throw new HallServiceError('forbidden', '只能处理本窗口的待更正记录');
    return row;
  }

  private mayAct(session: Session, counterId: string | null): boolean {
    if (session.role === 'supervisor' || session.role === 'admin') return true;
    if (session.role !== 'clerk') return false;
    return counterId === null || counterId === session.counter?.id;
  }

  /** The counter a rejected row belongs to: its payload's counterId, or its case's counter. */
  private counterOf(row: NeedsCorrection): string | null {
    const p = row.payload;
    if (p === null || typeof p !== 'object' || Array.isArray(p)) return null;
    if (typeof p.counterId === 'string') return p.counterId;
    if (typeof p.caseId === 'string') return this.o.store.cases.get(p.caseId)?.counterId ?? null;
    return null;
  }

  private view(r: NeedsCorrection, counterId: string | null): SyncCorrection {
    const p = r.payload !== null && typeof r.payload === 'object' && !Array.isArray(r.payload) ? r.payload : {};
    const reference = typeof p.receiptNo === 'string' ? p.receiptNo : typeof p.number === 'string' ? `号票 ${p.number}` : null;
    return {
      seq: r.seq,
      type: r.type,
      typeLabel: TYPE_LABELS[r.type] ?? r.type,
      reference: reference?.slice(0, 64) ?? null,
      reason: r.reason,
      reasonText: correctionReasonText(r.reason),
      rejectedAt: r.rejectedAt,
      createdAt: r.createdAt,
      counterNumber: counterId ? (this.o.store.counters.get(counterId)?.number ?? null) : null,
    };
  }

  private changed(): void {
    try {
      this.o.events.emit('sync.changed', this.o.status());
    } catch {
      // the status bar is informational
    }
  }
}
