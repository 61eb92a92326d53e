/**
 * The clerk's cases: the filtered list (deadline colours first, as main sorts it), today's summary
 * and the one case open in the drawer. Refreshed when main says a case changed (`cases.changed`).
 */
import { create } from 'zustand';
import type { CaseDetail, CaseListQuery, CaseRow, CaseStateName, TodaySummary } from '../../preload/case-contract';
import { hall } from '../bridge';
import { errorText } from './errors';

export type QuickFilter = 'all' | 'warning' | 'overdue' | 'commitmentOverdue';

export interface CaseFilters {
  scope: 'mine' | 'counter' | 'hall';
  quick: QuickFilter;
  states: CaseStateName[];
  from: string | null;
  to: string | null;
  receiptNo: string;
}

export const DEFAULT_CASE_FILTERS: CaseFilters = { scope: 'counter', quick: 'all', states: [], from: null, to: null, receiptNo: '' };

const PAGE = 50;

export function caseQuery(f: CaseFilters, offset = 0): CaseListQuery {
  return {
    scope: f.scope,
    ...(f.states.length ? { states: f.states } : {}),
    ...(f.quick === 'warning' || f.quick === 'overdue' ? { level: f.quick } : {}),
    ...(f.quick === 'commitmentOverdue' ? { commitmentOverdue: true } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(f.receiptNo.trim() ? { receiptNo: f.receiptNo.trim() } : {}),
    limit: PAGE,
    offset,
  };
}

interface CasesState {
  filters: CaseFilters;
  rows: CaseRow[];
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  summary: TodaySummary | null;
  /** The case in the drawer. */
  openId: string | null;
  detail: CaseDetail | null;
  detailError: string | null;
  setFilters(patch: Partial<CaseFilters>): void;
  refresh(): Promise<void>;
  loadMore(): Promise<void>;
  refreshSummary(): Promise<void>;
  open(id: string): Promise<void>;
  close(): void;
  reloadDetail(): Promise<void>;
  /** Put a case main answered with into the drawer and the list. */
  showDetail(detail: CaseDetail): void;
  onChanged(caseId: string): void;
}

let listGeneration = 0;

export const useCases = create<CasesState>((set, get) => ({
  filters: DEFAULT_CASE_FILTERS,
  rows: [],
  hasMore: false,
  loading: false,
  error: null,
  summary: null,
  openId: null,
  detail: null,
  detailError: null,

  setFilters(patch) {
    set({ filters: { ...get().filters, ...patch } });
    void get().refresh();
  },

  async refresh() {
    const gen = ++listGeneration;
    set({ loading: true });
    const r = await hall().cases.list(caseQuery(get().filters));
    if (gen !== listGeneration) return;
    set(r.ok ? { rows: r.value.rows, hasMore: r.value.hasMore, loading: false, error: null } : { loading: false, error: errorText(r.error) });
  },

  async loadMore() {
    const gen = listGeneration;
    set({ loading: true });
    const r = await hall().cases.list(caseQuery(get().filters, get().rows.length));
    if (gen !== listGeneration) return;
    set(r.ok ? { rows: [...get().rows, ...r.value.rows], hasMore: r.value.hasMore, loading: false, error: null } : { loading: false, error: errorText(r.error) });
  },

  async refreshSummary() {
    const r = await hall().cases.summary({});
    if (r.ok) set({ summary: r.value });
  },

  async open(id) {
    set({ openId: id, detail: null, detailError: null });
    await get().reloadDetail();
  },

  close() {
    set({ openId: null, detail: null, detailError: null });
  },

  async reloadDetail() {
    const id = get().openId;
    if (!id) return;
    const r = await hall().cases.get({ id });
    if (get().openId !== id) return;
    set(r.ok ? { detail: r.value, detailError: null } : { detailError: errorText(r.error) });
  },

  showDetail(detail) {
    if (get().openId === detail.id) set({ detail });
    set({ rows: get().rows.map((row) => (row.id === detail.id ? { ...row, ...pickRow(detail) } : row)) });
  },

  onChanged(caseId) {
    void get().refresh();
    void get().refreshSummary();
    if (get().openId === caseId) void get().reloadDetail();
  },
}));

function pickRow(d: CaseDetail): Partial<CaseRow> {
  const { state, stateLabel, deadline, deadlineLevel, tolerated, commitmentDeadline, commitmentOverdue, feeStatus, feeTotalFen } = d;
  return { state, stateLabel, deadline, deadlineLevel, tolerated, commitmentDeadline, commitmentOverdue, feeStatus, feeTotalFen };
}
