/**
 * Main → renderer events. Services emit; transports (Electron webContents, host websockets)
 * subscribe and forward. Payloads are checked against the contract before anyone sees them.
 */
import { events, type EventName, type EventPayload } from '../preload/contract';
import type { Logger } from './log';

export type EventListener = (event: EventName, payload: unknown, target: string | null) => void;

export interface EventBus {
  /** `target` = one channel (window/connection); null = every logged-in channel. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>, target?: string | null): void;
  subscribe(listener: EventListener): () => void;
}

export function createEventBus(logger: Logger): EventBus {
  const listeners = new Set<EventListener>();
  return {
    emit(event, payload, target = null) {
      const parsed = events[event].safeParse(payload);
      if (!parsed.success) {
        logger.log('error', 'events.bad_payload', { event });
        return;
      }
      for (const listener of listeners) {
        try {
          listener(event, parsed.data, target);
        } catch (err) {
          logger.log('error', 'events.listener_failed', { event, error: String(err) });
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
