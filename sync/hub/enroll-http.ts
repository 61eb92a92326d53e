/**
 * `POST /enroll` on the hub's http server (sync/enrollment.ts; docs/security.md "Enrollment").
 *
 * Plain http next to the websocket rather than a message of the sync protocol: a console that is not
 * enrolled has no registered key, so it cannot pass the sync session's signed hello; keeping the one
 * unauthenticated request out of the session keeps the sync protocol's state machine authenticated
 * from its first frame, and a request/answer is what enrollment is. Defences, in order:
 *   - per remote address: at most `perAddressPerMinute` requests (default 10), answered 429 before the
 *     body is read; at most 10,000 addresses tracked;
 *   - body ≤ 4 KiB (413), JSON, EnrollRequest schema (400);
 *   - the proof must verify with the offered public key (400 bad_proof; counts no attempt);
 *   - the store counts wrong codes per console and kills the code after 5 (locked).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../main/domain/clock';
import type { Logger } from '../../main/log';
import { importConsolePublicKey } from '../../main/security/receipt-signature';
import { ENROLL_PATH, EnrollRequest, MAX_ENROLL_BODY_BYTES, enrollmentCodeMatches, enrollmentProofValid, normaliseEnrollmentCode, type EnrollAnswer, type EnrollRefusal, type EnrollRefusalCode } from '../enrollment';
import type { HubStore } from './store/types';

export interface EnrollLimits {
  perAddressPerMinute: number;
  maxAttemptsPerCode: number;
}
export const DEFAULT_ENROLL_LIMITS: EnrollLimits = { perAddressPerMinute: 10, maxAttemptsPerCode: 5 };
const MAX_TRACKED_ADDRESSES = 10_000;

const STATUS: Record<EnrollRefusalCode, number> = {
  bad_request: 400,
  bad_proof: 400,
  no_enrollment: 403,
  expired: 403,
  used: 403,
  locked: 403,
  wrong_code: 403,
  console_revoked: 403,
  rate_limited: 429,
  unavailable: 503,
};

const MESSAGES: Record<EnrollRefusalCode, string> = {
  bad_request: '请求格式不正确',
  bad_proof: '本机密钥签名校验失败',
  no_enrollment: '中心没有为该工作台编号签发注册码',
  expired: '注册码已过期，请向中心重新申请',
  used: '注册码已使用过，请向中心重新申请',
  locked: '注册码输错次数过多已失效，请向中心重新申请',
  wrong_code: '注册码不正确',
  console_revoked: '该工作台编号已被中心注销，请使用新的编号注册',
  rate_limited: '尝试过于频繁，请稍后再试',
  unavailable: '中心暂时不可用，请稍后再试',
};

export interface EnrollHandlerOptions {
  store: HubStore;
  clock: Clock;
  logger?: Logger;
  limits?: Partial<EnrollLimits>;
  /** The sync websocket path, told to the console. */
  syncPath: string;
}

/** A request handler for POST /enroll; returns false for other paths (the server answers those). */
export function createEnrollHandler(options: EnrollHandlerOptions): (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean {
  const limits = { ...DEFAULT_ENROLL_LIMITS, ...options.limits };
  const windows = new Map<string, { start: number; count: number }>();
  const log = (level: 'info' | 'warn', event: string, fields: Record<string, unknown>): void => {
    try {
      options.logger?.log(level, event, fields);
    } catch {
      // never let logging fail the hub
    }
  };

  function allowed(address: string): boolean {
    const now = options.clock().getTime();
    const w = windows.get(address);
    if (w === undefined || now - w.start >= 60_000) {
      if (w === undefined && windows.size >= MAX_TRACKED_ADDRESSES) {
        for (const [a, x] of windows) if (now - x.start >= 60_000) windows.delete(a);
        // Still full: forget the oldest (Map keeps insertion order).
        if (windows.size >= MAX_TRACKED_ADDRESSES) windows.delete(windows.keys().next().value!);
      }
      windows.delete(address);
      windows.set(address, { start: now, count: 1 });
      return true;
    }
    w.count += 1;
    return w.count <= limits.perAddressPerMinute;
  }

  const answer = (res: ServerResponse, status: number, body: EnrollAnswer | EnrollRefusal): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' }).end(text);
  };
  const refuse = (res: ServerResponse, error: EnrollRefusalCode, attemptsLeft?: number): void =>
    answer(res, STATUS[error], { ok: false, error, message: MESSAGES[error], ...(attemptsLeft !== undefined ? { attemptsLeft } : {}) });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const remote = req.socket.remoteAddress ?? 'unknown';
    if (!allowed(remote)) {
      log('warn', 'hub.enroll_rate_limited', { remote });
      res.setHeader('Retry-After', '60');
      refuse(res, 'rate_limited');
      req.resume();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_ENROLL_BODY_BYTES) {
      res.writeHead(413, { Connection: 'close' }).end();
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_ENROLL_BODY_BYTES) {
        res.writeHead(413, { Connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return refuse(res, 'bad_request');
    }
    const parsed = EnrollRequest.safeParse(raw);
    if (!parsed.success) return refuse(res, 'bad_request');
    const body = parsed.data;
    const code = normaliseEnrollmentCode(body.code);
    const key = importConsolePublicKey(body.publicKey);
    if (key === null) return refuse(res, 'bad_request');
    if (code === null) {
      // Not even the shape of a code: still a try against this console's code.
      const outcome = await options.store.consumeEnrollment({ consoleId: body.consoleId, publicKey: body.publicKey, check: () => false, maxAttempts: limits.maxAttemptsPerCode });
      log('warn', 'hub.enroll_refused', { consoleId: body.consoleId, remote, reason: outcome.ok ? 'wrong_code' : outcome.reason });
      return refuse(res, outcome.ok ? 'wrong_code' : outcome.reason, outcome.ok ? undefined : outcome.attemptsLeft);
    }
    if (!enrollmentProofValid(key, body, code)) {
      log('warn', 'hub.enroll_refused', { consoleId: body.consoleId, remote, reason: 'bad_proof' });
      return refuse(res, 'bad_proof');
    }
    const outcome = await options.store.consumeEnrollment({
      consoleId: body.consoleId,
      publicKey: body.publicKey,
      check: (stored) => enrollmentCodeMatches(code, stored),
      maxAttempts: limits.maxAttemptsPerCode,
      now: options.clock().toISOString(),
    });
    if (!outcome.ok) {
      log('warn', 'hub.enroll_refused', { consoleId: body.consoleId, remote, reason: outcome.reason, attemptsLeft: outcome.attemptsLeft });
      return refuse(res, outcome.reason, outcome.attemptsLeft);
    }
    log('info', 'hub.console_enrolled', { consoleId: body.consoleId, role: outcome.enrollment.role, counter: outcome.enrollment.counter, remote });
    answer(res, 200, {
      ok: true,
      consoleId: body.consoleId,
      role: outcome.enrollment.role,
      counter: outcome.enrollment.counter,
      hall: outcome.enrollment.hall,
      hub: { epoch: await options.store.epoch(), store: options.store.kind, syncPath: options.syncPath },
    });
  }

  return (req, res, pathname) => {
    if (pathname !== ENROLL_PATH) return false;
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return true;
    }
    handle(req, res).catch((err: unknown) => {
      log('warn', 'hub.enroll_failed', { error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) refuse(res, 'unavailable');
      else res.destroy();
    });
    return true;
  };
}
