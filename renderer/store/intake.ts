/**
 * The counter's intake draft as the screen edits it. Main keeps the draft (it survives a crash or
 * restart); this slice holds what the clerk is typing or clicking right now and saves it with
 * `intake.update`: clicks at once, typing after a short pause, one call in flight at a time so the
 * last edit always wins. What main answers (assessment, blockers, deadline, fees) is shown as sent.
 */
import { create } from 'zustand';
import type {
  CatalogItemView,
  IntakeDecision,
  IntakeUpdate,
  IntakeView,
  MaterialCheckInput,
  MaterialStatusName,
} from '../../preload/case-contract';
import type { MethodOutput, Result } from '../../preload/contract';
import { hall } from '../bridge';
import { errorText } from './errors';

export type DecisionOutcome = MethodOutput<'intake.decide'>;
export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'error';

/** Typing is saved this long after the last key. */
export const TYPING_SAVE_DELAY_MS = 400;

interface IntakeState {
  loaded: boolean;
  view: IntakeView | null;
  /** The chosen service item as the catalog describes it (materials, fees, limits). */
  item: CatalogItemView | null;
  /** Local edits, shown at once; main gets them through the save queue. */
  agentApplication: boolean;
  materials: MaterialCheckInput[];
  commitmentDeadline: string | null;
  notes: string;
  save: SaveState;
  savedAt: string | null;
  /** The last refusal or failure, as a sentence for the clerk. */
  error: string | null;
  busy: boolean;
  /** The last decision (receipt number, documents sent to the printer) until the next intake starts. */
  result: DecisionOutcome | null;

  load(): Promise<void>;
  start(): Promise<string | null>;
  /** `intake.useCard`: the card last read becomes the applicant's (or the agent's). */
  takeCard(role: 'applicant' | 'agent'): Promise<string | null>;
  verifyFace(faceCheckId: string): Promise<string | null>;
  chooseItem(item: CatalogItemView | null): void;
  setAgent(on: boolean): void;
  setStatus(code: string, status: MaterialStatusName): void;
  setMaterialNote(code: string, note: string): void;
  markAllProvided(): void;
  setCommitmentDeadline(date: string | null): void;
  setNotes(notes: string): void;
  /** Sends whatever is waiting; false when the last save was refused. */
  flush(): Promise<boolean>;
  decide(input: IntakeDecision): Promise<string | null>;
  discard(reason: string): Promise<string | null>;
  clearResult(): void;
  clearError(): void;
  reset(): void;
}

let pending: IntakeUpdate | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let inflight: Promise<void> | null = null;
/** Bumped when the draft is replaced (decided, discarded, reset): late answers for the old one are dropped. */
let generation = 0;

function clearQueue(): void {
  pending = null;
  if (timer) clearTimeout(timer);
  timer = null;
  generation++;
}

const EMPTY = {
  view: null,
  item: null,
  agentApplication: false,
  materials: [],
  commitmentDeadline: null,
  notes: '',
  save: 'idle' as SaveState,
  savedAt: null,
};

async function findItem(code: string): Promise<CatalogItemView | null> {
  const r = await hall().catalog.search({ query: code });
  return r.ok ? (r.value.find((i) => i.code === code) ?? null) : null;
}

export const useIntake = create<IntakeState>((set, get) => {
  /** Take main's view; local edits follow it unless more are on their way. */
  const applyView = (view: IntakeView | null) => {
    const quiet = pending === null && timer === null;
    const local = view && quiet ? { agentApplication: view.agentApplication, materials: view.materials, commitmentDeadline: view.commitmentDeadline, notes: view.notes } : {};
    set({ view, ...local });
    const code = view?.serviceItemCode ?? null;
    if (code === null) {
      if (get().item) set({ item: null });
    } else if (get().item?.code !== code) {
      const gen = generation;
      void findItem(code).then((item) => {
        if (gen === generation && get().view?.serviceItemCode === code) set({ item });
      });
    }
  };

  const pump = async (): Promise<void> => {
    while (inflight) await inflight;
    if (!pending) return;
    const patch = pending;
    pending = null;
    const gen = generation;
    set({ save: 'saving' });
    const run = (async () => {
      const r = await hall().intake.update(patch);
      if (gen !== generation) return;
      if (r.ok) {
        set({ save: pending || timer ? 'pending' : 'saved', savedAt: r.value.updatedAt, error: null });
        applyView(r.value);
      } else {
        set({ save: 'error', error: errorText(r.error) });
        if (r.error.code === 'not_found') void get().load();
        else if (!pending && !timer) applyView(get().view); // show what main kept
      }
    })();
    inflight = run;
    try {
      await run;
    } finally {
      inflight = null;
    }
    if (pending && !timer) await pump();
  };

  const queue = (patch: IntakeUpdate, typing: boolean) => {
    if (!get().view) return;
    pending = { ...pending, ...patch };
    set({ save: 'pending' });
    if (timer) clearTimeout(timer);
    timer = null;
    if (typing) {
      timer = setTimeout(() => {
        timer = null;
        void pump();
      }, TYPING_SAVE_DELAY_MS);
    } else void pump();
  };

  /** An action that answers with the new view (start, useCard, verifyFace). */
  const act = async (call: () => Promise<Result<IntakeView>>) => {
    await get().flush();
    set({ busy: true });
    const r = await call();
    set({ busy: false });
    if (!r.ok) {
      const text = errorText(r.error);
      set({ error: text });
      return text;
    }
    set({ error: null });
    applyView(r.value);
    return null;
  };

  return {
    loaded: false,
    ...EMPTY,
    error: null,
    busy: false,
    result: null,

    async load() {
      const r = await hall().intake.current({});
      if (!r.ok) {
        set({ loaded: true, error: errorText(r.error) });
        return;
      }
      clearQueue();
      set({ loaded: true, save: r.value ? 'saved' : 'idle', savedAt: r.value?.updatedAt ?? null });
      applyView(r.value);
    },

    async start() {
      const error = await act(() => hall().intake.start({}));
      if (!error) set({ result: null });
      return error;
    },

    takeCard(role) {
      return act(() => hall().intake.useCard({ role }));
    },

    verifyFace(faceCheckId) {
      return act(() => hall().intake.verifyFace({ faceCheckId }));
    },

    chooseItem(item) {
      if (!get().view) return;
      if (item) {
        const materials = item.materials.map((m) => ({ code: m.code, status: 'missing' as const }));
        set({ item, materials, commitmentDeadline: null });
        queue({ serviceItemCode: item.code, materials, commitmentDeadline: null }, false);
      } else {
        set({ item: null, materials: [], commitmentDeadline: null });
        queue({ serviceItemCode: null }, false);
      }
    },

    setAgent(on) {
      set({ agentApplication: on });
      queue({ agentApplication: on }, false);
    },

    setStatus(code, status) {
      const materials = upsert(get().materials, code, (m) => ({ code, status, ...(status === 'defective' && m?.note ? { note: m.note } : {}) }));
      set({ materials });
      queue({ materials }, false);
    },

    setMaterialNote(code, note) {
      const materials = upsert(get().materials, code, (m) => ({ code, status: m?.status ?? 'defective', ...(note ? { note } : {}) }));
      set({ materials });
      queue({ materials }, true);
    },

    markAllProvided() {
      const item = get().item;
      if (!item) return;
      const materials = item.materials.map((m) => {
        const current = get().materials.find((c) => c.code === m.code);
        return current && current.status !== 'missing' ? current : { code: m.code, status: 'provided' as const };
      });
      set({ materials });
      queue({ materials }, false);
    },

    setCommitmentDeadline(date) {
      set({ commitmentDeadline: date });
      queue({ commitmentDeadline: date }, false);
    },

    setNotes(notes) {
      set({ notes });
      queue({ notes }, true);
    },

    async flush() {
      const waiting = pending !== null || timer !== null || inflight !== null;
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      await pump();
      return !waiting || get().save !== 'error';
    },

    async decide(input) {
      if (!(await get().flush())) return get().error ?? '草稿未能保存，请稍后重试';
      set({ busy: true });
      const r = await hall().intake.decide(input);
      set({ busy: false });
      if (!r.ok) {
        const text = errorText(r.error);
        set({ error: text });
        return text;
      }
      clearQueue();
      set({ ...EMPTY, error: null, result: r.value });
      return null;
    },

    async discard(reason) {
      await get().flush();
      const r = await hall().intake.discard({ reason });
      if (!r.ok) {
        const text = errorText(r.error);
        set({ error: text });
        return text;
      }
      clearQueue();
      set({ ...EMPTY, error: null });
      return null;
    },

    clearResult() {
      set({ result: null });
    },

    clearError() {
      set({ error: null });
    },

    reset() {
      clearQueue();
      set({ ...EMPTY, loaded: false, error: null, busy: false, result: null });
    },
  };
});

function upsert(list: MaterialCheckInput[], code: string, next: (current: MaterialCheckInput | undefined) => MaterialCheckInput): MaterialCheckInput[] {
  const i = list.findIndex((m) => m.code === code);
  if (i < 0) return [...list, next(undefined)];
  return list.map((m, j) => (j === i ? next(m) : m));
}

/** Save what is still waiting when the window goes away (best effort: the socket may still carry it). */
export function flushIntakeOnHide(): () => void {
  const onHide = () => {
    if (timer) void useIntake.getState().flush();
  };
  window.addEventListener('pagehide', onHide);
  document.addEventListener('visibilitychange', onHide);
  return () => {
    window.removeEventListener('pagehide', onHide);
    document.removeEventListener('visibilitychange', onHide);
  };
}
