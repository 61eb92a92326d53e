/**
 * One handler per contract method. Handlers only translate between the contract and services;
 * rules live in services and main/domain. The dispatcher has already validated input and role.
 */
import type { AppInfo } from '../../preload/contract';
import type { AuthService } from '../services/auth';
import type { FaceCheckService } from '../services/face';
import type { HallHardware } from '../services/hardware';
import type { QueueService } from '../services/queue';
import type { CaseService } from '../services/cases';
import type { IntakeService } from '../services/intake';
import type { CatalogService } from '../services/catalog';
import type { CaseDocuments } from '../services/documents';
import { HallServiceError } from '../services/errors';
import { personFromCard } from '../services/intake';
import type { SyncStatusService } from '../services/sync-status';
import type { SyncViewsService } from '../services/sync-views';
import type { KioskService } from '../services/kiosk';
import type { UpdatesService } from '../services/updates';
import type { EnrollmentService } from '../services/enrollment';
import type { RatingService } from '../services/ratings';
import type { PrivacyService } from '../services/privacy';
import type { EventBus } from '../events';
import type { Handlers } from './dispatcher';

export interface HandlerDeps {
  info: AppInfo;
  auth: AuthService;
  counters: { listActive(): { id: string; number: number; name: string; zone: string }[] };
  hardware: HallHardware;
  face: FaceCheckService;
  queue: QueueService;
  catalog: CatalogService;
  documents: CaseDocuments;
  intake: IntakeService;
  cases: CaseService;
  sync: SyncStatusService;
  syncViews: SyncViewsService;
  ratings: RatingService;
  kiosk: KioskService;
  updates: UpdatesService;
  enrollment: EnrollmentService;
  events: EventBus;
  privacy: PrivacyService;
}

export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    'app.info': () => deps.info,
    'counters.list': () => deps.counters.listActive().map(({ id, number, name, zone }) => ({ id, number, name, zone })),
    'session.login': (input, ctx) => deps.auth.login(ctx.channelId, input),
    'session.current': (_input, ctx) => deps.auth.current(ctx.channelId),
    // The dispatcher already counted the call as activity; this only tells the renderer its limit.
    'session.heartbeat': (_input, ctx) => {
      const ms = deps.auth.idleLimitMs(ctx.channelId);
      return { idleLockSeconds: ms === null ? null : ms / 1000 };
    },
    'session.logout': (_input, ctx) => {
      const loggedOut = deps.auth.logout(ctx.channelId);
      if (loggedOut) deps.events.emit('session.ended', { reason: 'logout' }, ctx.channelId);
      return { loggedOut };
    },
    'devices.status': () => deps.hardware.statuses(),
    'catalog.search': (input) => deps.catalog.search(input.query),
    'intake.current': (_input, ctx) => deps.intake.current(ctx.session!),
    'intake.start': (_input, ctx) => deps.intake.start(ctx.session!),
    'intake.useCard': (input, ctx) => deps.intake.useCard(ctx.session!, input.role),
    'intake.verifyFace': (input, ctx) => deps.intake.verifyFace(ctx.session!, input.faceCheckId),
    'intake.update': (input, ctx) => deps.intake.update(ctx.session!, input),
    'intake.decide': (input, ctx) => {
      const { record, printJobIds } = deps.intake.decide(ctx.session!, input);
      return { case: deps.cases.get(record.id), printJobIds };
    },
    'intake.discard': (input, ctx) => deps.intake.discard(ctx.session!, input.reason),
    'cases.list': (input, ctx) => deps.cases.list(ctx.session!, input),
    'cases.get': (input) => deps.cases.get(input.id),
    'cases.act': (input, ctx) => deps.cases.act(ctx.session!, input),
    'cases.pay': (input, ctx) => deps.cases.pay(ctx.session!, input.id, input.scanText),
    'cases.print': (input, ctx) => deps.cases.print(ctx.session!, input.id, input.kind),
    'cases.pdf': (input, ctx) => deps.cases.pdf(ctx.session!, input.id, input.kind),
    'cases.summary': (_input, ctx) => deps.cases.summary(ctx.session!),
    'queue.issue': (input) => {
      const card = input.withCard ? deps.hardware.lastCard() : null;
      if (input.withCard && !card) throw new HallServiceError('not_found', '没有读到身份证：请把身份证放在读卡区');
      const idNumber = card ? personFromCard(card).idNumber : null;
      const ticket = deps.queue.issue({ groupCode: input.groupCode, priority: input.priority, applicantIdNumber: idNumber });
      if (input.print) deps.documents.printTicket(ticket, { ...deps.queue.ticketInfo(ticket), applicantIdNumber: idNumber });
      return ticket;
    },
    'queue.ticketPdf': async (input) => {
      const ticket = deps.queue.find(input.ticketId);
      if (!ticket) throw new HallServiceError('not_found', '没有这张号票');
      const pdf = await deps.documents.ticketPdf(ticket, { ...deps.queue.ticketInfo(ticket), applicantIdNumber: null });
      return { fileName: `取号单-${ticket.number}.pdf`, base64: pdf.toString('base64') };
    },
    'queue.groups': () => deps.queue.groups(),
    'queue.state': (_input, ctx) => deps.queue.state(ctx.session!),
    'queue.act': (input, ctx) => deps.queue.act(ctx.session!, input.action),
    'queue.transfer': (input, ctx) => deps.queue.transfer(ctx.session!, input.counterId),
    'queue.requeue': (input, ctx) => deps.queue.requeue(ctx.session!, input.ticketId),
    'queue.resume': (input, ctx) => deps.queue.resume(ctx.session!, input.ticketId),
    'counters.states': () => deps.queue.counterStates(),
    'counters.setStatus': (input, ctx) => deps.queue.setCounterStatus(ctx.session!, input),
    'devices.reconnect': () => {
      deps.hardware.registry.notifyAttached();
      return deps.hardware.statuses();
    },
    'devices.test': async (input) => ({ kind: input.kind, ...(await deps.hardware.selfTest(input.kind)) }),
    'devices.config': () => deps.hardware.configuration(),
    'devices.configure': (input) => deps.hardware.saveConfiguration(input.config),
    'idcard.read': () => deps.hardware.readCard(),
    'scanner.submit': (input) => deps.hardware.classify(input.text, 'wedge'),
    'face.record': (input, ctx) => deps.face.record(input, ctx.session!),
    'printer.jobs': (input) => deps.hardware.jobs(input.limit),
    'printer.reprint': (input, ctx) => deps.hardware.reprint(input.jobId, ctx.session?.userId ?? null),
    'sync.status': () => deps.sync.status(),
    'sync.corrections': (_input, ctx) => deps.syncViews.corrections(ctx.session!),
    'sync.resend': (input, ctx) => deps.syncViews.resend(ctx.session!, input.seq),
    'sync.dismiss': (input, ctx) => deps.syncViews.dismiss(ctx.session!, input.seq, input.reason),
    'hallCases.list': (input) => deps.syncViews.hallCases(input),
    'cases.lookup': (input, ctx) => deps.kiosk.lookup(ctx.session!, input.text),
    'ratings.pending': (_input, ctx) => deps.ratings.pending(ctx.session!),
    'ratings.submit': (input, ctx) => deps.ratings.submit(ctx.session!, input),
    'callbacks.list': (input) => deps.ratings.callbacks(input.state),
    'callbacks.close': (input, ctx) => deps.ratings.closeCallback(ctx.session!, input),
    'help.call': (_input, ctx) => deps.kiosk.callHelp(ctx.session!),
    'updates.status': () => deps.updates.status(),
    'updates.check': (input) => deps.updates.check(input),
    'updates.install': (input, ctx) => deps.updates.install(input, ctx.session!.userId),
    'updates.rollback': (_input, ctx) => deps.updates.rollback(ctx.session!.userId),
    'enrollment.status': () => deps.enrollment.status(),
    'enrollment.enroll': (input, ctx) => deps.enrollment.enroll(input, ctx.session!.userId),
    'cases.reveal': (input, ctx) => deps.privacy.reveal(ctx.session!, input),
  };
}
