/**
 * The renderer's state: what main told us, nothing re-derived. Updated from contract results and
 * from main's events.
 */
import { create } from 'zustand';
import type { AppInfo, CardView, Counter, CounterStatus, DeviceStatus, QUEUE_ACTIONS, QueueState, ScanView, Session, SyncStatus } from '../../preload/contract';
import { hall, onLockedResult } from '../bridge';
import { errorText } from './errors';

interface ConsoleState {
  ready: boolean;
  fatal: string | null;
  info: AppInfo | null;
  counters: Counter[];
  session: Session | null;
  /** Main idle-locked this window's session: the lock screen covers the (still mounted) screen. */
  locked: boolean;
  devices: DeviceStatus[];
  sync: SyncStatus | null;
  /** The card on the reader, as main masked it. */
  card: CardView | null;
  cardError: string | null;
  cardReading: boolean;
  lastScan: ScanView | null;
  queue: QueueState | null;
  load(): Promise<void>;
  refreshQueue(): Promise<void>;
  /** Returns a sentence for the clerk when the step was refused. */
  queueAct(action: (typeof QUEUE_ACTIONS)[number]): Promise<string | null>;
  /** 转窗 / 重新排队 / 恢复 one ticket / 开窗·暂停·关窗: a sentence when refused, else null. */
  queueTransfer(counterId: string): Promise<string | null>;
  queueRequeue(ticketId: string): Promise<string | null>;
  queueResume(ticketId: string): Promise<string | null>;
  setCounterStatus(status: CounterStatus): Promise<string | null>;
  readCard(): Promise<void>;
  clearCard(): void;
  setLastScan(scan: ScanView): void;
  login(input: { userName: string; password: string; counterId: string | null }): Promise<string | null>;
  logout(): Promise<void>;
  /** 解锁: the session's own user re-enters the password (main's login path, so failures count toward lockout). */
  unlock(password: string): Promise<string | null>;
  refreshStatus(): Promise<void>;
}

let unsubscribers: (() => void)[] = [];

export const useConsole = create<ConsoleState>((set, get) => ({
  ready: false,
  fatal: null,
  info: null,
  counters: [],
  session: null,
  locked: false,
  devices: [],
  sync: null,
  card: null,
  cardError: null,
  cardReading: false,
  lastScan: null,
  queue: null,

  async refreshQueue() {
    if (get().session?.role !== 'clerk') return;
    const r = await hall().queue.state({});
    if (r.ok) set({ queue: r.value });
  },

  async queueAct(action) {
    const r = await hall().queue.act({ action });
    if (!r.ok) return errorText(r.error);
    set({ queue: r.value });
    return null;
  },

  async queueTransfer(counterId) {
    const r = await hall().queue.transfer({ counterId });
    if (!r.ok) return errorText(r.error);
    set({ queue: r.value });
    return null;
  },

  async queueRequeue(ticketId) {
    const r = await hall().queue.requeue({ ticketId });
    if (!r.ok) return errorText(r.error);
    set({ queue: r.value });
    return null;
  },

  async queueResume(ticketId) {
    const r = await hall().queue.resume({ ticketId });
    if (!r.ok) return errorText(r.error);
    set({ queue: r.value });
    return null;
  },

  async setCounterStatus(status) {
    const r = await hall().counters.setStatus({ status });
    if (!r.ok) return errorText(r.error);
    await get().refreshQueue();
    return null;
  },

  async load() {
    try {
      const api = hall();
      const [info, counters, session] = await Promise.all([api.app.info({}), api.counters.list({}), api.session.current({})]);
      if (!info.ok) throw new Error(errorText(info.error));
      set({
        info: info.value,
        counters: counters.ok ? counters.value : [],
        session: session.ok ? session.value : null,
        locked: session.ok && session.value?.locked === true,
        ready: true,
      });
      unsubscribers.forEach((u) => u());
      unsubscribers = [
        api.on('devices.changed', (devices) => set({ devices })),
        api.on('sync.changed', (sync) => set({ sync })),
        api.on('session.ended', ({ reason }) =>
          reason === 'idle_lock' ? set({ locked: true }) : set({ session: null, locked: false, devices: [], sync: null, card: null, lastScan: null, queue: null }),
        ),
        onLockedResult(() => {
          if (get().session && !get().locked) set({ locked: true });
        }),
        api.on('idcard.read', (card) => set({ card, cardError: null })),
        api.on('idcard.failed', ({ message }) => set({ cardError: message })),
        api.on('scanner.scanned', (scan) => set({ lastScan: scan })),
        api.on('queue.changed', () => void get().refreshQueue()),
      ];
      if (get().session) await get().refreshStatus();
    } catch (err) {
      set({ fatal: (err as Error).message, ready: true });
    }
  },

  async login(input) {
    const r = await hall().session.login(input);
    if (!r.ok) return errorText(r.error);
    set({ session: r.value, locked: false });
    await get().refreshStatus();
    return null;
  },

  async unlock(password) {
    const session = get().session;
    if (!session) return '登录已失效，请重新登录';
    const r = await hall().session.login({ userName: session.userName, password, counterId: session.counter?.id ?? null });
    if (!r.ok) return errorText(r.error);
    if (r.value.userId !== session.userId) return '请使用本人账号解锁';
    set({ session: r.value, locked: false });
    return null;
  },

  async logout() {
    await hall().session.logout({});
    set({ session: null, locked: false, devices: [], sync: null, card: null, lastScan: null, queue: null });
  },

  async readCard() {
    set({ cardReading: true });
    const r = await hall().idcard.read({});
    set(r.ok ? { card: r.value, cardError: null, cardReading: false } : { cardError: errorText(r.error), cardReading: false });
  },

  clearCard() {
    set({ card: null, cardError: null });
  },

  setLastScan(scan) {
    set({ lastScan: scan });
  },

  async refreshStatus() {
    const api = hall();
    const [devices, sync] = await Promise.all([api.devices.status({}), api.sync.status({})]);
    set({ devices: devices.ok ? devices.value : [], sync: sync.ok ? sync.value : null });
    await get().refreshQueue();
  },
}));
