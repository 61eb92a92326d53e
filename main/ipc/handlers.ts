/**
 * One handler per contract method. Handlers only translate between the contract and services;
 * rules live in services and main/domain. The dispatcher has already validated input and role.
 */
import type { AppInfo } from '../../preload/contract';
import type { AuthService } from '../services/auth';
import type { FaceCheckService } from '../services/face';
import type { HallHardware } from '../services/hardware';
import type { QueueService } from '../services/queue';
import type { SyncStatusService } from '../services/sync-status';
import type { EventBus } from '../events';
import type { Handlers } from './dispatcher';

export interface HandlerDeps {
  info: AppInfo;
  auth: AuthService;
  counters: { listActive(): { id: string; number: number; name: string; zone: string }[] };
  hardware: HallHardware;
  face: FaceCheckService;
  queue: QueueService;
  sync: SyncStatusService;
  events: EventBus;
}

export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    'app.info': () => deps.info,
    'counters.list': () => deps.counters.listActive().map(({ id, number, name, zone }) => ({ id, number, name, zone })),
    'session.login': (input, ctx) => deps.auth.login(ctx.channelId, input),
    'session.current': (_input, ctx) => ctx.session,
    'session.logout': (_input, ctx) => {
      const loggedOut = deps.auth.logout(ctx.channelId);
      if (loggedOut) deps.events.emit('session.ended', { reason: 'logout' }, ctx.channelId);
      return { loggedOut };
    },
    'devices.status': () => deps.hardware.statuses(),
    'queue.issue': (input) => deps.queue.issue(input),
    'queue.groups': () => deps.queue.groups(),
    'queue.state': (_input, ctx) => deps.queue.state(ctx.session!),
    'queue.act': (input, ctx) => deps.queue.act(ctx.session!, input.action),
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
    'printer.reprint': (input) => deps.hardware.reprint(input.jobId),
    'sync.status': () => deps.sync.status(),
  };
}
