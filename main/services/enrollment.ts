/**
 * 注册本机: the console's side of enrollment (docs/security.md "Enrollment"; hub side sync/hub/enroll-http.ts).
 * The console's Ed25519 key pair is made on the console (main/security/console-keys.ts, private key
 * wrapped by the KeyProtector) and never leaves it; the hub gets the public key, the one-time code and
 * a signature proving the key is held, and answers role, counter and hall. On success the settings
 * console.id / console.role / console.counter / sync.hubUrl (and hall.name) are written and audited.
 */
import { z } from 'zod';
import type { EnrollInput, EnrollmentStatus } from '../../preload/enrollment-contract';
import { EnrollAnswer, EnrollRefusal, ENROLL_PATH, MAX_ENROLL_BODY_BYTES, normaliseEnrollmentCode, signEnrollmentProof } from '../../sync/enrollment';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import type { KeyProtectorKind } from '../security/key-protector';
import type { ConsoleSigningKey } from '../security/receipt-signature';
import type { Store } from '../store';
import { HallServiceError } from './errors';

export const ENROLLMENT_SETTING = 'console.enrollment';
const ConsoleIdSetting = z.string().min(1).max(64);
const HubUrlSetting = z.string().url();
const HallNameSetting = z.string().min(1).max(60);
export const EnrollmentSetting = z
  .object({
    consoleId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    role: z.enum(['clerk', 'kiosk', 'supervisor']),
    counter: z.number().int().min(1).max(999).nullable(),
    hall: z.string().min(1).max(60).nullable(),
    hubUrl: z.string().url(),
    hubEpoch: z.string().min(1).max(64),
    enrolledAt: z.string().datetime({ offset: true }),
  })
  .strict();

export interface EnrollmentServiceOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  signingKey: ConsoleSigningKey;
  keyProtection: KeyProtectorKind;
  /** The console id this process runs (and syncs) as. */
  runningConsoleId: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

/** The hub's http origin and its sync URL from what a technician typed (ws://h:p/sync or http://h:p). */
export function hubEndpoints(typed: string): { origin: string; syncUrl: (path: string) => string } | null {
  let url: URL;
  try {
    url = new URL(typed.trim());
  } catch {
    return null;
  }
  if (url.username || url.password || url.search || url.hash) return null;
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  if (!secure && url.protocol !== 'ws:' && url.protocol !== 'http:') return null;
  return { origin: `${secure ? 'https' : 'http'}://${url.host}`, syncUrl: (path) => `${secure ? 'wss' : 'ws'}://${url.host}${path}` };
}

export class EnrollmentService {
  private busy = false;
  constructor(private readonly opts: EnrollmentServiceOptions) {}

  status(): EnrollmentStatus {
    const { store } = this.opts;
    const saved = store.settings.get(ENROLLMENT_SETTING, EnrollmentSetting) ?? null;
    const consoleId = store.settings.get('console.id', ConsoleIdSetting) ?? this.opts.runningConsoleId;
    return {
      consoleId,
      enrolled: saved !== null && saved.consoleId === consoleId,
      role: saved?.role ?? null,
      counter: saved?.counter ?? null,
      hall: saved?.hall ?? null,
      hubUrl: saved?.hubUrl ?? null,
      enrolledAt: saved?.enrolledAt ?? null,
      publicKey: this.opts.signingKey.publicKeyBase64Url,
      keyProtection: this.opts.keyProtection,
      restartRequired: consoleId !== this.opts.runningConsoleId,
    };
  }

  async enroll(input: EnrollInput, actor: string | null): Promise<EnrollmentStatus> {
    const endpoints = hubEndpoints(input.hubUrl);
    if (endpoints === null) throw new HallServiceError('bad_input', '中心地址应为 ws://主机:端口/sync 或 http://主机:端口（不含用户名、密码）');
    const code = normaliseEnrollmentCode(input.code);
    if (code === null) throw new HallServiceError('bad_input', '注册码应为 10 位字母数字（不含 0、O、1、I、L）');
    if (this.busy) throw new HallServiceError('unavailable', '正在注册，请稍候');
    this.busy = true;
    try {
      const { signingKey, store, clock, logger } = this.opts;
      const body = JSON.stringify({
        code,
        consoleId: input.consoleId,
        publicKey: signingKey.publicKeyBase64Url,
        proof: signEnrollmentProof(signingKey.privateKey, input.consoleId, signingKey.publicKeyBase64Url, code),
      });
      const answer = await this.post(`${endpoints.origin}${ENROLL_PATH}`, body);
      const enrolledAt = clock().toISOString();
      const syncUrl = endpoints.syncUrl(answer.hub.syncPath);
      store.db.transaction(() => {
        store.settings.set('console.id', ConsoleIdSetting, answer.consoleId);
        store.settings.set('sync.hubUrl', HubUrlSetting, syncUrl);
        if (answer.hall !== null) store.settings.set('hall.name', HallNameSetting, answer.hall);
        store.settings.set(ENROLLMENT_SETTING, EnrollmentSetting, {
          consoleId: answer.consoleId,
          role: answer.role,
          counter: answer.counter,
          hall: answer.hall,
          hubUrl: syncUrl,
          hubEpoch: answer.hub.epoch,
          enrolledAt,
        });
        store.audit.append({
          actor,
          action: 'console.enrolled',
          subject: `console:${answer.consoleId}`,
          detail: { role: answer.role, counter: answer.counter, hub: endpoints.origin, publicKey: signingKey.publicKeyBase64Url, previousConsoleId: this.opts.runningConsoleId },
        });
      });
      logger.log('info', 'enrollment.enrolled', { consoleId: answer.consoleId, role: answer.role, counter: answer.counter, hub: endpoints.origin });
      return this.status();
    } finally {
      this.busy = false;
    }
  }

  private async post(url: string, body: string): Promise<EnrollAnswer> {
    const fetchImpl = this.opts.fetchImpl ?? fetch;
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
    } catch (err) {
      this.opts.logger.log('warn', 'enrollment.unreachable', { url, error: err instanceof Error ? err.message : String(err) });
      throw new HallServiceError('unavailable', `无法连接中心（${url}），请检查地址和网络`);
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > MAX_ENROLL_BODY_BYTES) throw new HallServiceError('unavailable', '中心的应答过大，不是注册服务');
    const text = await res.text();
    if (text.length > MAX_ENROLL_BODY_BYTES) throw new HallServiceError('unavailable', '中心的应答过大，不是注册服务');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new HallServiceError('unavailable', `中心的应答不是注册服务的格式（HTTP ${res.status}）`);
    }
    if (res.ok) {
      const ok = EnrollAnswer.safeParse(raw);
      if (!ok.success) throw new HallServiceError('unavailable', '中心的应答不是注册服务的格式');
      return ok.data;
    }
    const refusal = EnrollRefusal.safeParse(raw);
    if (!refusal.success) throw new HallServiceError('unavailable', `中心拒绝了注册（HTTP ${res.status}）`);
    const r = refusal.data;
    const left = r.attemptsLeft !== undefined && r.error === 'wrong_code' ? `，还可尝试 ${r.attemptsLeft} 次` : '';
    const code = r.error === 'rate_limited' || r.error === 'unavailable' ? 'unavailable' : r.error === 'bad_request' || r.error === 'bad_proof' ? 'bad_input' : 'conflict';
    throw new HallServiceError(code, `${r.message}${left}（${r.error}）`);
  }
}
