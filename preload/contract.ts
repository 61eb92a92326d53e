/**
 * The HallApi contract: the only API between the renderer and main.
 *
 * Each method has a zod input schema, a zod output schema, the roles allowed to call it and a
 * payload limit. Events flow main → renderer only. Both transports (Electron IPC via preload,
 * websocket bridge in browser mode) carry exactly this contract, built by `createHallApi`.
 *
 * This module imports nothing but zod: the renderer bundles it, preload bundles it, main validates
 * with it.
 */
import { z } from 'zod';
import { FACE_DECISIONS, FaceCheckRecordSchema } from './face-policy';
import {
  CallbackView,
  CASE_ACTIONS,
  CaseDetail,
  CaseListQuery,
  CaseRow,
  CatalogItemView,
  DecisionResult,
  DOCUMENT_KINDS,
  IntakeDecision,
  IntakeUpdate,
  IntakeView,
  PublicCaseStatus,
  RatingRequestView,
  RatingSubmit,
  TodaySummary,
} from './case-contract';
import { HallCaseList, HallCaseQuery, SyncCorrectionList, SyncDismissInput, SyncDismissResult, SyncResendInput, SyncResendResult } from './sync-contract';
import { EnrollInput, EnrollmentStatus } from './enrollment-contract';
import { RevealRequest, RevealResult } from './privacy-contract';

export const ROLES = ['clerk', 'kiosk', 'supervisor', 'technician', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Who may call a method: `public` needs no session (login screen); otherwise the listed roles. */
export type Access = 'public' | readonly Role[];

export const ERROR_CODES = [
  'bad_input', // input failed the method's schema
  'bad_output', // main produced something the contract does not allow (a bug; logged in main)
  'unknown_method',
  'payload_too_large',
  'unauthenticated', // no session
  'locked', // the session is idle-locked: unlock with the password (session.login) first
  'forbidden', // session's role may not call this method
  'foreign_sender', // call did not come from our own window / token-holding page
  'bad_credentials',
  'locked_out',
  'counter_required',
  'not_found',
  'conflict',
  'unavailable',
  'internal',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const HallError = z.object({ code: ErrorCode, message: z.string() });
export type HallError = z.infer<typeof HallError>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: HallError };

/** Default ceiling for one call's serialised input. Methods may lower or raise it. */
export const DEFAULT_MAX_INPUT_BYTES = 64 * 1024;

// ---------- shared shapes ----------

const Id = z.string().min(1).max(64);
const IsoTime = z.string().datetime({ offset: true });

export const Counter = z.object({
  id: Id,
  number: z.number().int().positive(),
  name: z.string(),
  zone: z.string(),
});
export type Counter = z.infer<typeof Counter>;

export const Session = z.object({
  userId: Id,
  userName: z.string(),
  /** Display name masked for the screen (张*明); the clear name never leaves main. */
  displayNameMasked: z.string(),
  role: Role,
  counter: Counter.nullable(),
  startedAt: IsoTime,
  /** Set by `session.current` while the session is idle-locked (docs/security.md "Idle lock"). */
  locked: z.boolean().optional(),
});
export type Session = z.infer<typeof Session>;

export const DEVICE_KINDS = ['idcard', 'camera', 'scanner', 'printer'] as const;
export const DeviceKind = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof DeviceKind>;

export const DeviceHealth = z.enum(['ok', 'warning', 'error', 'absent', 'unknown']);
export type DeviceHealth = z.infer<typeof DeviceHealth>;

export const DeviceStatus = z.object({
  kind: DeviceKind,
  label: z.string(),
  health: DeviceHealth,
  emulated: z.boolean(),
  detail: z.string(),
  updatedAt: IsoTime,
});
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const SyncStatus = z.object({
  state: z.enum(['offline', 'connecting', 'online', 'not_enrolled']),
  pendingUploads: z.number().int().nonnegative(),
  lastSyncAt: IsoTime.nullable(),
  hubUrl: z.string().nullable(),
  /** Why the last connection or sync step failed; null once the hub welcomes the console again (sync client). */
  lastError: z.string().max(500).nullable().optional(),
  /** Uploads the hub rejected that still wait for a correction (待更正). */
  needsCorrection: z.number().int().nonnegative().optional(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const AppInfo = z.object({
  product: z.literal('hall-console'),
  version: z.string(),
  mode: z.enum(['electron', 'browser']),
  /** True when drivers talk to in-process emulators instead of hardware. */
  emulatedDevices: z.boolean(),
  schemaVersion: z.number().int().nonnegative(),
  consoleId: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** What the renderer sees of a card read: masked by default (security note); the clear record stays in main. */
export const CARD_KINDS = ['resident', 'hmt_residence', 'foreign_permanent_2017', 'foreign_permanent_2023'] as const;
export const CardView = z.object({
  kind: z.enum(CARD_KINDS),
  kindLabel: z.string(),
  nameMasked: z.string(),
  idNumberMasked: z.string(),
  gender: z.string(),
  nation: z.string().nullable(),
  validFrom: z.string(),
  validTo: z.string(),
  expired: z.boolean(),
  idNumberValid: z.boolean(),
  /** The card photo for the face check (data: URL), held in memory only. */
  photoDataUrl: z.string().max(512 * 1024).nullable(),
  readAt: IsoTime,
  readMs: z.number().nonnegative(),
});
export type CardView = z.infer<typeof CardView>;

export const DeviceTestResult = z.object({
  kind: DeviceKind,
  ok: z.boolean(),
  message: z.string(),
  /** Receipt preview for a test print. */
  previewSvg: z.string().max(2 * 1024 * 1024).nullable(),
  card: CardView.nullable(),
});
export type DeviceTestResult = z.infer<typeof DeviceTestResult>;

export const PRINT_JOB_STATES = ['queued', 'printing', 'printed', 'failed'] as const;
export const PrintJobView = z.object({
  id: z.string(),
  kind: z.string(),
  reference: z.string().nullable(),
  state: z.enum(PRINT_JOB_STATES),
  attempts: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
  createdAt: IsoTime,
  printedAt: IsoTime.nullable(),
});
export type PrintJobView = z.infer<typeof PrintJobView>;

export const SCAN_KINDS = ['wechat_pay', 'alipay', 'unionpay', 'hall_receipt', 'hall_ticket', 'eid', 'other'] as const;
export const ScanView = z.object({
  kind: z.enum(SCAN_KINDS),
  text: z.string().max(4096),
  /** Safe to show or log: payment codes and e-ID reduced to kind + last digits. */
  masked: z.string(),
  source: z.enum(['hidpos', 'wedge']),
});
export type ScanView = z.infer<typeof ScanView>;

// ---------- queue ----------

export const TICKET_STATES = ['waiting', 'called', 'recalled', 'serving', 'suspended', 'transferred', 'done', 'skipped'] as const;
export type TicketState = (typeof TICKET_STATES)[number];
/** How a ticket's state reads on every screen and in every message. */
export const TICKET_STATE_LABELS: Record<TicketState, string> = {
  waiting: '等候中',
  called: '已叫号',
  recalled: '已重呼',
  serving: '办理中',
  suspended: '已挂起',
  transferred: '已转窗',
  done: '已办结',
  skipped: '已过号',
};

/** Reasons a ticket may go first (hall-domain note); the hall configures which apply and in what order. */
export const PRIORITY_KINDS = ['elderly', 'disabled', 'pregnant', 'appointment', 'vip_item'] as const;

export const TicketView = z.object({
  id: z.string(),
  number: z.string(),
  groupCode: z.string(),
  state: z.enum(TICKET_STATES),
  issuedAt: IsoTime,
  calledAt: IsoTime.nullable(),
  priority: z.string().nullable(),
  recallCount: z.number().int().nonnegative(),
  /** Minutes since the ticket was issued (its original time for transfers). */
  waitedMinutes: z.number().int().nonnegative(),
  /** How often it went back to the queue after 过号 (once at most). */
  requeueCount: z.number().int().nonnegative(),
  /** 转窗: the number of the only counter that may call it, or null. */
  transferTo: z.number().int().positive().nullable(),
});
export type TicketView = z.infer<typeof TicketView>;

/** 开窗 / 暂停 / 关窗: only an open counter calls tickets and counts for the expected wait. */
export const COUNTER_STATUSES = ['open', 'paused', 'closed'] as const;
export type CounterStatus = (typeof COUNTER_STATUSES)[number];
export const COUNTER_STATUS_LABELS: Record<CounterStatus, string> = { open: '服务中', paused: '暂停服务', closed: '已关窗' };

export const CounterState = Counter.extend({
  serviceGroups: z.array(z.string()),
  status: z.enum(COUNTER_STATUSES),
  /** When the status last changed (null: never since the counter was set up). */
  statusSince: IsoTime.nullable(),
  statusReason: z.string().nullable(),
});
export type CounterState = z.infer<typeof CounterState>;

export const QueueState = z.object({
  /** Waiting tickets this counter may call. */
  waiting: z.number().int().nonnegative(),
  expectedWaitMinutes: z.number().int().nonnegative().nullable(),
  next: z.array(TicketView).max(5),
  /** The ticket being called or served (a suspended one is listed under `suspended`). */
  current: TicketView.nullable(),
  /** 挂起 at this counter, resumed when nothing else is active here. */
  suspended: z.array(TicketView),
  /** Today's 过号 tickets of this counter, newest first (重新排队 once each). */
  skipped: z.array(TicketView).max(30),
  counter: CounterState,
});
export type QueueState = z.infer<typeof QueueState>;

export const QueueGroup = z.object({
  code: z.string(),
  name: z.string(),
  waiting: z.number().int().nonnegative(),
});
export type QueueGroup = z.infer<typeof QueueGroup>;

export const QUEUE_ACTIONS = ['call', 'recall', 'serve', 'suspend', 'resume', 'finish', 'skip'] as const;

// ---------- device configuration ----------

const Emulated = z.object({ mode: z.literal('emulated') });
const Hid = z.object({ mode: z.literal('hid'), path: z.string().min(1), vendorId: z.number().int(), productId: z.number().int() });
const Serial = z.object({ mode: z.literal('serial'), path: z.string().min(1), baudRate: z.number().int().positive().default(115_200) });
const Tcp = z.object({ mode: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(9100) });
const UsbPrinter = z.object({ mode: z.literal('usb-printer'), path: z.string().regex(/^\/dev\/usb\/lp\d+$/) });

/** Which device is emulated and how a real one is reached; a technician's setting (applies at the next start). */
export const DevicesConfig = z.object({
  idcard: z.discriminatedUnion('mode', [Emulated, Serial, Hid]),
  scanner: z.discriminatedUnion('mode', [Emulated, Hid]),
  printer: z.discriminatedUnion('mode', [Emulated, Tcp, UsbPrinter, Serial]),
});
export type DevicesConfig = z.infer<typeof DevicesConfig>;

// ---------- software updates (技术维护 → 软件更新) ----------

export const UpdateVersionView = z.object({
  version: z.string(),
  channel: z.string(),
  counter: z.number().int(),
  installedAt: z.string(),
  source: z.enum(['usb', 'hub']),
});
export type UpdateVersionView = z.infer<typeof UpdateVersionView>;

export const UpdatesStatus = z.object({
  /** The version this console runs. */
  runningVersion: z.string(),
  /** The last verified and installed bundle (null before the first). */
  current: UpdateVersionView.nullable(),
  /** The version kept for rollback. */
  previous: UpdateVersionView.nullable(),
  /** The anti-rollback counter: a bundle must be above it. */
  highestCounter: z.number().int().nonnegative(),
  /** The pinned update keyset, null when none is configured. */
  keyset: z.object({ keysetVersion: z.number().int(), threshold: z.number().int(), keys: z.number().int() }).nullable(),
  usbDir: z.string().nullable(),
  hubUrl: z.string().nullable(),
});
export type UpdatesStatus = z.infer<typeof UpdatesStatus>;

export const UpdateSource = z.enum(['usb', 'hub']);

export const UpdateBundleView = z.object({
  source: UpdateSource,
  /** USB: the bundle folder; hub: the bundle's name on the hub. */
  location: z.string(),
  /** What the manifest says (also for refused bundles, as a claim). */
  version: z.string().nullable(),
  channel: z.string().nullable(),
  counter: z.number().int().nullable(),
  expiresAt: z.string().nullable(),
  verified: z.boolean(),
  installable: z.boolean(),
  refusalCode: z.string().nullable(),
  /** 中文原因（code: English detail）. */
  reason: z.string().nullable(),
});
export type UpdateBundleView = z.infer<typeof UpdateBundleView>;

export const UpdatesCheck = z.object({
  usbDir: z.string().nullable(),
  hubUrl: z.string().nullable(),
  bundles: z.array(UpdateBundleView),
  usbError: z.string().nullable(),
  hubError: z.string().nullable(),
});
export type UpdatesCheck = z.infer<typeof UpdatesCheck>;


// ---------- methods ----------

export interface MethodSpec<I extends z.ZodType, O extends z.ZodType> {
  input: I;
  output: O;
  access: Access;
  /** Serialised input bigger than this is refused before parsing. */
  maxInputBytes?: number;
  summary: string;
}

function method<I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>): MethodSpec<I, O> {
  return spec;
}

const STAFF: readonly Role[] = ['clerk', 'supervisor', 'technician', 'admin'];
const ANY_SESSION: readonly Role[] = ROLES;

export const methods = {
  'app.info': method({
    summary: 'product, version, run mode and schema version',
    input: z.object({}).strict(),
    output: AppInfo,
    access: 'public',
  }),
  'counters.list': method({
    summary: 'active counters, for the login screen',
    input: z.object({}).strict(),
    output: z.array(Counter),
    access: 'public',
  }),
  'session.login': method({
    summary: 'log in; a clerk session is bound to one counter',
    input: z
      .object({
        userName: z.string().trim().min(1).max(64),
        password: z.string().min(1).max(256),
        counterId: Id.nullable(),
      })
      .strict(),
    output: Session,
    access: 'public',
    maxInputBytes: 4 * 1024,
  }),
  'session.current': method({
    summary: 'the session of this window, or null',
    input: z.object({}).strict(),
    output: Session.nullable(),
    access: 'public',
  }),
  'session.logout': method({
    summary: 'end the session of this window',
    input: z.object({}).strict(),
    output: z.object({ loggedOut: z.boolean() }),
    access: ANY_SESSION,
  }),
  'session.heartbeat': method({
    summary: 'user input in the window (throttled): keeps the session from idle-locking',
    input: z.object({}).strict(),
    /** Idle limit of this session in seconds, null when it never locks (kiosk, or the lock is off). */
    output: z.object({ idleLockSeconds: z.number().positive().nullable() }),
    access: ANY_SESSION,
  }),
  'devices.status': method({
    summary: 'health of each hall device of this console',
    input: z.object({}).strict(),
    output: z.array(DeviceStatus),
    access: ANY_SESSION,
  }),
  'sync.status': method({
    summary: 'hub connection and pending uploads',
    input: z.object({}).strict(),
    output: SyncStatus,
    access: STAFF,
  }),
  'sync.corrections': method({
    summary: '待更正: uploads the hub rejected, with its reason (a clerk sees their counter’s)',
    input: z.object({}).strict(),
    output: SyncCorrectionList,
    access: ['clerk', 'supervisor', 'admin'],
  }),
  'sync.resend': method({
    summary: '重新提交 a rejected upload as a new one (audited)',
    input: SyncResendInput,
    output: SyncResendResult,
    access: ['clerk', 'supervisor', 'admin'],
  }),
  'sync.dismiss': method({
    summary: '标记已处理: settle a rejected upload without resending, with a reason (audited)',
    input: SyncDismissInput,
    output: SyncDismissResult,
    access: ['clerk', 'supervisor', 'admin'],
  }),
  'hallCases.list': method({
    summary: '全厅办件: every console’s cases from the hub’s hall_cases feed (supervisor station)',
    input: HallCaseQuery,
    output: HallCaseList,
    access: ['supervisor', 'admin'],
  }),
  'queue.issue': method({
    summary: 'issue a ticket (取号) for a service group, optionally with a priority',
    input: z
      .object({
        groupCode: z.string().regex(/^[A-Z]{1,2}$/),
        priority: z.enum(PRIORITY_KINDS).nullable().default(null),
        /** 刷身份证取号: the card on this console's reader is bound to the ticket (checked at the counter). */
        withCard: z.boolean().default(false),
        /** Print the 取号单 on this console's printer (kiosk). */
        print: z.boolean().default(false),
      })
      .strict(),
    output: TicketView,
    access: ['kiosk', 'clerk', 'admin'],
  }),
  'queue.groups': method({
    summary: 'the service groups a ticket can be taken for, with how many wait in each',
    input: z.object({}).strict(),
    output: z.array(QueueGroup),
    access: ['kiosk', 'clerk', 'supervisor', 'admin'],
  }),
  'queue.state': method({
    summary: 'this counter’s queue: waiting, expected wait, next tickets, the current ticket',
    input: z.object({}).strict(),
    output: QueueState,
    access: ['clerk'],
  }),
  'queue.act': method({
    summary: '叫号 / 重呼 / 开始办理 / 挂起 / 恢复 / 办结 / 过号 at this counter',
    input: z.object({ action: z.enum(QUEUE_ACTIONS) }).strict(),
    output: QueueState,
    access: ['clerk'],
  }),
  'queue.transfer': method({
    summary: '转窗: the current ticket waits for another open counter, keeping its original ticket time',
    input: z.object({ counterId: Id }).strict(),
    output: QueueState,
    access: ['clerk'],
  }),
  'queue.requeue': method({
    summary: '重新排队: a ticket skipped today at this counter waits again with its original time (once)',
    input: z.object({ ticketId: Id }).strict(),
    output: QueueState,
    access: ['clerk'],
  }),
  'queue.resume': method({
    summary: '恢复办理 of one suspended ticket of this counter (nothing else may be active here)',
    input: z.object({ ticketId: Id }).strict(),
    output: QueueState,
    access: ['clerk'],
  }),
  'counters.states': method({
    summary: 'every active counter with its status (服务中 / 暂停服务 / 已关窗), for 转窗 and the board',
    input: z.object({}).strict(),
    output: z.array(CounterState),
    access: ['clerk', 'supervisor', 'admin'],
  }),
  'counters.setStatus': method({
    summary: '开窗 / 暂停 / 关窗: a clerk for the own counter, a supervisor or admin for any (counterId)',
    input: z
      .object({
        status: z.enum(COUNTER_STATUSES),
        reason: z.string().trim().max(200).optional(),
        counterId: Id.optional(),
      })
      .strict(),
    output: CounterState,
    access: ['clerk', 'supervisor', 'admin'],
  }),
  'devices.reconnect': method({
    summary: 'try every absent device again now (after plugging it back in)',
    input: z.object({}).strict(),
    output: z.array(DeviceStatus),
    access: ['clerk', 'technician', 'admin'],
  }),
  'devices.test': method({
    summary: 'technician self-test of one device: test print, test read, test scan',
    input: z.object({ kind: DeviceKind }).strict(),
    output: DeviceTestResult,
    access: ['technician', 'admin'],
  }),
  'devices.config': method({
    summary: 'the device configuration (emulated or real, and how to reach each device)',
    input: z.object({}).strict(),
    output: z.object({ saved: DevicesConfig, running: DevicesConfig }),
    access: ['technician', 'admin'],
  }),
  'devices.configure': method({
    summary: 'save the device configuration; it applies when the console starts next',
    input: z.object({ config: DevicesConfig }).strict(),
    output: z.object({ saved: DevicesConfig, running: DevicesConfig }),
    access: ['technician', 'admin'],
  }),
  'idcard.read': method({
    summary: 'read the card on the reader now (F5); also happens by itself when a card is placed',
    input: z.object({}).strict(),
    output: CardView,
    access: ['clerk', 'kiosk', 'technician'],
  }),
  'scanner.submit': method({
    summary: 'a keyboard-wedge scan the renderer detected: classified (and logged by kind only) in main',
    input: z.object({ text: z.string().min(1).max(4096) }).strict(),
    output: ScanView,
    access: ['clerk', 'kiosk', 'technician'],
    maxInputBytes: 8 * 1024,
  }),
  'face.record': method({
    summary: 'record a 实人 face check (scores and decision, never pictures); main re-applies the match rule',
    input: FaceCheckRecordSchema,
    output: z.object({ id: z.string(), decision: z.enum(FACE_DECISIONS), recordedAt: IsoTime }),
    access: ['clerk', 'kiosk'],
    maxInputBytes: 8 * 1024,
  }),
  'printer.jobs': method({
    summary: 'recent print jobs of this console, newest first',
    input: z.object({ limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.array(PrintJobView),
    access: STAFF,
  }),
  'printer.reprint': method({
    summary: 'print a job again (补打)',
    input: z.object({ jobId: z.string().min(1).max(64) }).strict(),
    output: PrintJobView,
    access: ['clerk', 'technician', 'admin'],
  }),
  // ----- catalog, intake, cases (issue 5) -----
  'catalog.search': method({
    summary: 'service items by name, code or pinyin initials (事项搜索)',
    input: z.object({ query: z.string().trim().max(60) }).strict(),
    output: z.array(CatalogItemView).max(20),
    access: ['clerk', 'kiosk', 'supervisor', 'admin'],
  }),
  'intake.current': method({
    summary: 'the intake draft of this counter (it survives a restart), or null',
    input: z.object({}).strict(),
    output: IntakeView.nullable(),
    access: ['clerk'],
  }),
  'intake.start': method({
    summary: 'start an intake for the current ticket (or walk-in); returns the existing draft if there is one',
    input: z.object({}).strict(),
    output: IntakeView,
    access: ['clerk'],
  }),
  'intake.useCard': method({
    summary: 'take the card last read on this console as the applicant’s (or the agent’s, 代办)',
    input: z.object({ role: z.enum(['applicant', 'agent']) }).strict(),
    output: IntakeView,
    access: ['clerk'],
  }),
  'intake.verifyFace': method({
    summary: 'attach a recorded face check (match, or the clerk’s manual override with its reason)',
    input: z.object({ faceCheckId: Id }).strict(),
    output: IntakeView,
    access: ['clerk'],
  }),
  'intake.update': method({
    summary: 'save what the clerk chose or typed (item, materials, 容缺 deadline, notes): nothing typed is lost',
    input: IntakeUpdate,
    output: IntakeView,
    access: ['clerk'],
    maxInputBytes: 32 * 1024,
  }),
  'intake.decide': method({
    summary: '受理 / 一次性告知 / 不予受理: creates the case, audits, queues its documents',
    input: IntakeDecision,
    output: DecisionResult,
    access: ['clerk'],
  }),
  'intake.discard': method({
    summary: 'drop the draft (the applicant left), with a reason',
    input: z.object({ reason: z.string().trim().min(1).max(200) }).strict(),
    output: z.object({ discarded: z.boolean() }),
    access: ['clerk'],
  }),
  'cases.list': method({
    summary: 'cases with filters, deadline colours first (the clerk’s list)',
    input: CaseListQuery,
    output: z.object({ rows: z.array(CaseRow), hasMore: z.boolean() }),
    access: ['clerk', 'supervisor', 'admin'],
  }),
  'cases.get': method({
    summary: 'one case with its audit trail, materials, fees and documents',
    input: z.object({ id: Id }).strict(),
    output: CaseDetail,
    access: ['clerk', 'supervisor', 'admin'],
  }),
  'cases.act': method({
    summary: 'a later step of a case: 撤件, 办结, 容缺补齐, 审查, 暂停/恢复, 准予/不予许可, 送达, 归档',
    input: z
      .object({
        id: Id,
        action: z.enum(CASE_ACTIONS),
        reason: z.string().trim().max(1000).optional(),
        pauseReason: z.enum(['correction', 'hearing', 'appraisal']).optional(),
      })
      .strict(),
    output: CaseDetail,
    access: ['clerk', 'supervisor', 'admin'],
  }),
  'cases.pay': method({
    summary: 'the payer’s payment code scanned at the counter (微信/支付宝/云闪付) pays the case’s fees',
    input: z.object({ id: Id, scanText: z.string().min(1).max(4096) }).strict(),
    output: CaseDetail,
    access: ['clerk'],
    maxInputBytes: 8 * 1024,
  }),
  'cases.print': method({
    summary: 'print a document of the case; printing it again (补打) is audited',
    input: z.object({ id: Id, kind: z.enum(DOCUMENT_KINDS) }).strict(),
    output: PrintJobView,
    access: ['clerk', 'supervisor', 'admin'],
  }),
  'cases.pdf': method({
    summary: 'a document of the case as an A4 PDF (export), base64',
    input: z.object({ id: Id, kind: z.enum(DOCUMENT_KINDS) }).strict(),
    output: z.object({ fileName: z.string(), base64: z.string().max(8 * 1024 * 1024) }),
    access: ['clerk', 'supervisor', 'admin'],
  }),
  'queue.ticketPdf': method({
    summary: 'a 取号单 as an A4 PDF (export), with its signed QR',
    input: z.object({ ticketId: Id }).strict(),
    output: z.object({ fileName: z.string(), base64: z.string().max(8 * 1024 * 1024) }),
    access: ['clerk', 'kiosk', 'supervisor', 'admin'],
  }),
  'cases.summary': method({
    summary: 'today at this counter: tickets served, cases by decision, deadlines to watch',
    input: z.object({}).strict(),
    output: TodaySummary,
    access: ['clerk', 'supervisor', 'admin'],
  }),
  'cases.lookup': method({
    summary: '查询办件 at the kiosk: a receipt QR (signature checked) or number → status, no personal data',
    input: z.object({ text: z.string().trim().min(1).max(512) }).strict(),
    output: PublicCaseStatus,
    access: ['kiosk', 'clerk', 'supervisor', 'admin'],
  }),
  'ratings.pending': method({
    summary: 'the rating pad of a counter: the handling waiting for its one rating, or null',
    input: z.object({}).strict(),
    output: RatingRequestView.nullable(),
    access: ['kiosk'],
  }),
  'ratings.submit': method({
    summary: '好差评: one rating per handling; the clerk never sees it',
    input: RatingSubmit,
    output: z.object({ thanks: z.literal(true) }),
    access: ['kiosk'],
  }),
  'callbacks.list': method({
    summary: '回访: callbacks opened by ratings ≤ 2, with their fix deadlines',
    input: z.object({ state: z.enum(['open', 'closed', 'all']).default('open') }).strict(),
    output: z.array(CallbackView),
    access: ['supervisor', 'admin'],
  }),
  'callbacks.close': method({
    summary: 'close a callback with what was done',
    input: z.object({ id: Id, note: z.string().trim().min(1).max(1000) }).strict(),
    output: CallbackView,
    access: ['supervisor', 'admin'],
  }),
  'help.call': method({
    summary: '呼叫工作人员 from a kiosk',
    input: z.object({}).strict(),
    output: z.object({ calledAt: IsoTime }),
    access: ['kiosk'],
  }),
  'updates.status': method({
    summary: '软件更新: running and installed version, channel, rollback counter, the kept previous version',
    input: z.object({}).strict(),
    output: UpdatesStatus,
    access: ['technician'],
  }),
  'updates.check': method({
    summary: 'list the update bundles in the USB folder and on the hub, each with its verification result',
    input: z.object({ usbDir: z.string().min(1).max(1024).nullable().optional() }).strict(),
    output: UpdatesCheck,
    access: ['technician'],
  }),
  'updates.install': method({
    summary: 'verify a bundle again and install it (the current version is kept for rollback); audited',
    input: z.object({ source: UpdateSource, location: z.string().min(1).max(1024) }).strict(),
    output: UpdatesStatus,
    access: ['technician'],
  }),
  'updates.rollback': method({
    summary: 'go back to the kept previous version (verified at its install); audited',
    input: z.object({}).strict(),
    output: UpdatesStatus,
    access: ['technician'],
  }),
  'enrollment.status': method({
    summary: '注册本机: console id, role, counter and hub this console is enrolled with; its public key; how its keys are protected',
    input: z.object({}).strict(),
    output: EnrollmentStatus,
    access: ['technician'],
  }),
  'enrollment.enroll': method({
    summary: 'enroll this console at the hub with a one-time code (its key pair stays here; the public key is registered); audited',
    input: EnrollInput,
    output: EnrollmentStatus,
    access: ['technician'],
    maxInputBytes: 2 * 1024,
  }),
  'cases.reveal': method({
    summary: '查看完整信息: one clear personal field of a case, with a reason; audited (actor, case, field, reason, never the value)',
    input: RevealRequest,
    output: RevealResult,
    access: ['supervisor'],
    maxInputBytes: 4 * 1024,
  }),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

// ---------- events (main → renderer) ----------

export const events = {
  'devices.changed': z.array(DeviceStatus),
  'sync.changed': SyncStatus,
  'session.ended': z.object({ reason: z.enum(['logout', 'idle_lock', 'revoked']) }),
  'idcard.read': CardView,
  'idcard.failed': z.object({ code: z.string(), message: z.string() }),
  'scanner.scanned': ScanView,
  'printer.job': PrintJobView,
  /** Something changed in the queue: counters refresh their view. */
  'queue.changed': z.object({ groupCode: z.string() }),
  /** A case of this console changed: lists refresh. */
  'cases.changed': z.object({ caseId: z.string() }),
  /** A rating pad's counter has a handling to rate (the pad fetches it; nothing about the rating is broadcast). */
  'ratings.changed': z.object({ counterId: z.string().nullable() }),
  /** A kiosk asked for staff (呼叫工作人员). */
  'help.called': z.object({ at: IsoTime, kiosk: z.string() }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

// ---------- the API object both transports expose ----------

/** Channel names used by the Electron transport. */
export const IPC_INVOKE_CHANNEL = 'hall:invoke';
export const IPC_EVENT_CHANNEL = 'hall:event';

/** What a transport must provide; preload (ipcRenderer) and the ws bridge implement it. */
export interface HallTransport {
  invoke(method: MethodName, input: unknown): Promise<unknown>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

type Namespace<N extends string> = MethodName extends infer M
  ? M extends `${N}.${infer _}`
    ? M
    : never
  : never;
type NamespaceOf<M> = M extends `${infer N}.${string}` ? N : never;
type LeafOf<M> = M extends `${string}.${infer L}` ? L : never;

export type HallApi = {
  [N in NamespaceOf<MethodName>]: {
    [M in Namespace<N> as LeafOf<M>]: (input: MethodInput<M>) => Promise<Result<MethodOutput<M>>>;
  };
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

const ResultShape = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: HallError }),
]);

/**
 * Build the API object from the contract. Every method of the contract appears, nothing else.
 * Results coming back through the transport are checked for shape; a broken transport yields an
 * `internal` error instead of throwing into a React handler.
 */
export function createHallApi(transport: HallTransport): HallApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of METHOD_NAMES) {
    const [ns, leaf] = name.split('.') as [string, string];
    api[ns] ??= {};
    api[ns][leaf] = async (input: unknown) => {
      try {
        const raw = await transport.invoke(name, input);
        const parsed = ResultShape.safeParse(raw);
        if (!parsed.success) {
          return { ok: false, error: { code: 'internal', message: '主程序返回了无法识别的结果' } };
        }
        return parsed.data;
      } catch (err) {
        return {
          ok: false,
          error: { code: 'unavailable', message: `无法连接主程序：${(err as Error).message ?? String(err)}` },
        };
      }
    };
  }
  const on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`);
    return transport.subscribe(event, (payload) => {
      const parsed = events[event].safeParse(payload);
      if (parsed.success) listener(parsed.data);
    });
  };
  return Object.freeze({ ...api, on }) as unknown as HallApi;
}
