/**
 * One entry point for every contract call, whatever the transport (Electron IPC or the host's
 * websocket bridge). In order: sender check → method known → payload size → session and role →
 * idle lock → input schema → handler → output schema. The role is checked before the input is parsed, so a role
 * the method does not allow is refused the same way whatever it sends (it learns nothing about the
 * schema, and no parser runs on its behalf). Every failure is a typed `{ code, message }` result;
 * no stack trace or exception reaches the renderer.
 */
import { z } from 'zod';
import {
  DEFAULT_MAX_INPUT_BYTES,
  isMethodName,
  methods,
  type HallError,
  type MethodName,
  type MethodOutput,
  type Result,
  type Session,
} from '../../preload/contract';
import type { Logger } from '../log';
import { HallServiceError } from '../services/errors';

/** Who is calling, as the transport established it. */
export interface CallerContext {
  /** Stable id of the window (Electron webContents) or websocket connection; sessions hang on it. */
  channelId: string;
  /** The transport's verdict: our own main frame (Electron) or a page holding the launch token (host). */
  trustedSender: boolean;
}

export interface HandlerContext {
  channelId: string;
  session: Session | null;
}

type ParsedInput<M extends MethodName> = z.output<(typeof methods)[M]['input']>;

export type Handlers = {
  [M in MethodName]: (input: ParsedInput<M>, ctx: HandlerContext) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export interface SessionLookup {
  get(channelId: string): Session | null;
  /** Idle lock (main/services/idle-lock.ts): 'locked' refuses the call; otherwise it may count as activity. */
  admit?(channelId: string, method: MethodName): 'ok' | 'locked';
}

export interface Dispatcher {
  invoke(method: unknown, input: unknown, caller: CallerContext): Promise<Result<unknown>>;
}

function fail(code: HallError['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

/** Size of the input as it would cross the wire; undefined when it cannot be serialised. */
export function serialisedSize(input: unknown): number | undefined {
  try {
    const json = JSON.stringify(input ?? null);
    return json === undefined ? undefined : Buffer.byteLength(json, 'utf8');
  } catch {
    return undefined;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`)
    .join('; ');
}

export function createDispatcher(deps: { handlers: Handlers; sessions: SessionLookup; logger: Logger }): Dispatcher {
  const { handlers, sessions, logger } = deps;
  return {
    async invoke(method, input, caller) {
      if (!caller.trustedSender) {
        logger.log('warn', 'ipc.foreign_sender', { channel: caller.channelId });
        return fail('foreign_sender', 'call refused: it did not come from the console window');
      }
      if (!isMethodName(method)) {
        return fail('unknown_method', `unknown method: ${typeof method === 'string' ? method.slice(0, 64) : typeof method}`);
      }
      const spec = methods[method];
      const size = serialisedSize(input);
      if (size === undefined) return fail('bad_input', `${method}: input is not serialisable`);
      const limit = spec.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
      if (size > limit) return fail('payload_too_large', `${method}: input is ${size} bytes, limit ${limit}`);

      const session = sessions.get(caller.channelId);
      if (spec.access !== 'public') {
        if (!session) return fail('unauthenticated', `${method}: please log in first`);
        if (!spec.access.includes(session.role)) {
          logger.log('warn', 'ipc.forbidden', { method, role: session.role });
          return fail('forbidden', `${method}: role ${session.role} may not do this`);
        }
      }

      if (session && sessions.admit?.(caller.channelId, method) === 'locked') {
        return fail('locked', `${method}: 工作台已锁定，请输入密码解锁`);
      }

      const parsed = spec.input.safeParse(input ?? {});
      if (!parsed.success) return fail('bad_input', `${method}: ${describeIssues(parsed.error)}`);

      let value: unknown;
      try {
        const handler = handlers[method] as (input: unknown, ctx: HandlerContext) => unknown;
        value = await handler(parsed.data, { channelId: caller.channelId, session });
      } catch (err) {
        if (err instanceof HallServiceError) return fail(err.code, err.message);
        logger.log('error', 'ipc.handler_crashed', {
          method,
          error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        });
        return fail('internal', `${method}: internal error, details are in the console log`);
      }
      const out = spec.output.safeParse(value);
      if (!out.success) {
        logger.log('error', 'ipc.bad_output', { method, issues: describeIssues(out.error) });
        return fail('bad_output', `${method}: internal error (result did not match the contract)`);
      }
      return { ok: true, value: out.data };
    },
  };
}
