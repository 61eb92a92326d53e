/**
 * Enrollment end to end: `hall hub enroll-code` → POST /enroll on a real hub server → the console's
 * EnrollmentService / `hall enroll` → the enrolled key passes the sync hello; refusals and limits.
 * (A revoked console's hello is refused: sync/hub/session.test.ts "refuses unknown and revoked consoles…".)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli';
import type { Io } from '../../bin/command';
import { testClock } from '../../main/domain/clock';
import { createMemoryLogger } from '../../main/log';
import { DATA_KEY_FILE, loadOrCreateConsoleKey } from '../../main/security/console-keys';
import { encodeEnvelope, keyFileProtector } from '../../main/security/key-protector';
import { generateConsoleSigningKey } from '../../main/security/receipt-signature';
import { EnrollmentService, ENROLLMENT_SETTING, EnrollmentSetting } from '../../main/services/enrollment';
import { HallServiceError } from '../../main/services/errors';
import { memoryStore } from '../../main/store/test-support';
import type { SyncMessage } from '../protocol';
import { ENROLL_CODE_ALPHABET, formatEnrollmentCode, generateEnrollmentCode, hashEnrollmentCode, enrollmentCodeMatches, normaliseEnrollmentCode, signEnrollmentProof, parseEnrollmentTtl } from '../enrollment';
import { startHubServer, type RunningHubServer } from './server';
import { createHubService } from './session';
import { SqliteHubStore } from './store/sqlite';
import { helloFor } from './test-support';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hall-enroll-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function hub(options: { file?: string; perAddressPerMinute?: number } = {}): Promise<{ store: SqliteHubStore; server: RunningHubServer; clock: ReturnType<typeof testClock> }> {
  const clock = testClock(new Date());
  const store = await SqliteHubStore.open({ file: options.file ?? ':memory:' });
  const server = await startHubServer({ store, port: 0, heartbeatMs: 0, clock, enrollLimits: { perAddressPerMinute: options.perAddressPerMinute ?? 1000 } });
  cleanups.push(() => server.close());
  return { store, server, clock };
}

async function issue(store: SqliteHubStore, consoleId: string, over: { counter?: number | null; expiresAt?: string } = {}): Promise<string> {
  const code = generateEnrollmentCode();
  await store.createEnrollment({ consoleId, role: 'clerk', counter: over.counter ?? 3, hall: '示例市民中心', codeHash: hashEnrollmentCode(code), expiresAt: over.expiresAt ?? new Date(Date.now() + 3_600_000).toISOString() });
  return formatEnrollmentCode(code);
}

function consoleSide(server: RunningHubServer) {
  const store = memoryStore();
  cleanups.push(() => store.close());
  const signingKey = generateConsoleSigningKey();
  const service = new EnrollmentService({ store, clock: () => new Date(), logger: createMemoryLogger(), signingKey, keyProtection: 'key-file', runningConsoleId: 'unenrolled-1a2b3c4d' });
  return { store, signingKey, service, hubUrl: server.url };
}

async function refusalOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HallServiceError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

async function post(server: RunningHubServer, body: string, method = 'POST'): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${server.origin}/enroll`, { method, headers: { 'Content-Type': 'application/json' }, ...(method === 'POST' ? { body } : {}) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

describe('enrollment codes', () => {
  it('are 10 characters of the unambiguous alphabet, typed any way, and hashed with a salt', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = generateEnrollmentCode();
      expect(code).toMatch(new RegExp(`^[${ENROLL_CODE_ALPHABET}]{10}$`));
      expect(code).not.toMatch(/[01OIL]/);
      seen.add(code);
    }
    expect(seen.size).toBe(200);
    const code = '7KQ2MXH9TD';
    expect(normaliseEnrollmentCode(' 7kq2m-xh9td ')).toBe(code);
    expect(normaliseEnrollmentCode('7KQ2M-XH9T0')).toBeNull(); // 0 is not in the alphabet
    expect(normaliseEnrollmentCode('7KQ2M')).toBeNull();
    const a = hashEnrollmentCode(code);
    const b = hashEnrollmentCode(code);
    expect(a).not.toBe(b);
    expect(a).not.toContain(code);
    expect(enrollmentCodeMatches(code, a)).toBe(true);
    expect(enrollmentCodeMatches('7KQ2MXH9TE', a)).toBe(false);
    expect(enrollmentCodeMatches(code, 'sha256$abc')).toBe(false);
    expect([parseEnrollmentTtl('24h'), parseEnrollmentTtl('30m'), parseEnrollmentTtl('7d'), parseEnrollmentTtl('8d'), parseEnrollmentTtl('1m'), parseEnrollmentTtl('1y')]).toEqual([86_400_000, 1_800_000, 604_800_000, null, null, null]);
  });
});

describe('POST /enroll and the console side', () => {
  it('enrolls with the code: settings written and audited, key registered, the hello accepted; the code works once', async () => {
    const { store: hubStore, server } = await hub();
    const code = await issue(hubStore, 'C03');
    const c = consoleSide(server);

    const wrong = await refusalOf(c.service.enroll({ hubUrl: c.hubUrl, consoleId: 'C03', code: 'ZZZZZ-ZZZZZ' }, 'u-tech-1'));
    expect(wrong).toEqual({ code: 'conflict', message: '注册码不正确，还可尝试 4 次（wrong_code）' });
    expect(await hubStore.getConsole('C03')).toBeNull();

    const status = await c.service.enroll({ hubUrl: `http://127.0.0.1:${server.port}`, consoleId: 'C03', code: code.toLowerCase() }, 'u-tech-1');
    expect(status).toMatchObject({ consoleId: 'C03', enrolled: true, role: 'clerk', counter: 3, hall: '示例市民中心', hubUrl: server.url, publicKey: c.signingKey.publicKeyBase64Url, restartRequired: true });
    expect(c.store.settings.get('console.id', z.string())).toBe('C03');
    expect(c.store.settings.get('sync.hubUrl', z.string())).toBe(server.url);
    expect(c.store.settings.get('hall.name', z.string())).toBe('示例市民中心');
    expect(c.store.settings.get(ENROLLMENT_SETTING, EnrollmentSetting)).toMatchObject({ consoleId: 'C03', hubEpoch: await hubStore.epoch() });
    expect(c.store.audit.forSubject('console:C03')).toMatchObject([{ action: 'console.enrolled', actor: 'u-tech-1' }]);
    expect(await hubStore.getConsole('C03')).toMatchObject({ status: 'active', publicKey: c.signingKey.publicKeyBase64Url });

    // The hub's sync session now accepts this console's hello (its key is the registered one).
    const service = createHubService({ store: hubStore, clock: () => new Date() });
    const got: SyncMessage[] = [];
    const session = service.openSession((m) => void got.push(m));
    await session.receive(JSON.stringify(helloFor({ consoleId: 'C03', key: c.signingKey }, new Date())));
    expect(got.map((m) => m.type)).toContain('welcome');
    session.close();
    await service.close();

    // Single use: the same code again (even with the right key) is refused.
    expect(await refusalOf(c.service.enroll({ hubUrl: c.hubUrl, consoleId: 'C03', code }, 'u-tech-1'))).toMatchObject({ code: 'conflict', message: expect.stringContaining('(used)'.replace('(', '（').replace(')', '）')) });
  });

  it('refuses a proof by another key without counting a try, expired codes, and codes of revoked consoles', async () => {
    const { store: hubStore, server } = await hub();
    const code = await issue(hubStore, 'C04');
    const key = generateConsoleSigningKey();
    const other = generateConsoleSigningKey();
    const raw = normaliseEnrollmentCode(code)!;
    const forged = JSON.stringify({ code, consoleId: 'C04', publicKey: key.publicKeyBase64Url, proof: signEnrollmentProof(other.privateKey, 'C04', key.publicKeyBase64Url, raw) });
    expect(await post(server, forged)).toEqual({ status: 400, json: { ok: false, error: 'bad_proof', message: expect.any(String) } });
    const good = JSON.stringify({ code, consoleId: 'C04', publicKey: key.publicKeyBase64Url, proof: signEnrollmentProof(key.privateKey, 'C04', key.publicKeyBase64Url, raw) });
    expect(await post(server, good)).toMatchObject({ status: 200, json: { ok: true, consoleId: 'C04', role: 'clerk', counter: 3, hub: { syncPath: '/sync', store: 'sqlite' } } });

    const expiring = await issue(hubStore, 'C05', { expiresAt: new Date(Date.now() - 1000).toISOString() });
    const c = consoleSide(server);
    expect(await refusalOf(c.service.enroll({ hubUrl: c.hubUrl, consoleId: 'C05', code: expiring }, null))).toMatchObject({ code: 'conflict', message: expect.stringContaining('已过期') });

    await hubStore.revokeConsole('C04');
    const again = await refusalOf(c.service.enroll({ hubUrl: c.hubUrl, consoleId: 'C04', code }, null));
    expect(again.message).toMatch(/used|console_revoked/);
    expect(await refusalOf(c.service.enroll({ hubUrl: c.hubUrl, consoleId: 'C77', code }, null))).toMatchObject({ message: expect.stringContaining('no_enrollment') });
  });

  it('kills a code after 5 wrong tries, and rate-limits each address', async () => {
    const { store: hubStore, server } = await hub({ perAddressPerMinute: 8 });
    const code = await issue(hubStore, 'C06');
    const c = consoleSide(server);
    const messages: string[] = [];
    for (let i = 0; i < 5; i++) messages.push((await refusalOf(c.service.enroll({ hubUrl: c.hubUrl, consoleId: 'C06', code: `ZZZZZ-ZZZZ${ENROLL_CODE_ALPHABET[i]}` }, null))).message);
    expect(messages.at(-1)).toContain('（locked）');
    expect(await refusalOf(c.service.enroll({ hubUrl: c.hubUrl, consoleId: 'C06', code }, null))).toMatchObject({ message: expect.stringContaining('（locked）') });
    expect(await hubStore.getConsole('C06')).toBeNull();
    // 6 requests so far from 127.0.0.1; the 9th within the minute is refused before its body is read.
    expect((await post(server, '{}')).status).toBe(400);
    expect((await post(server, '{}')).status).toBe(400);
    const limited = await post(server, '{}');
    expect(limited).toMatchObject({ status: 429, json: { ok: false, error: 'rate_limited' } });
    expect(await refusalOf(c.service.enroll({ hubUrl: c.hubUrl, consoleId: 'C06', code }, null))).toMatchObject({ code: 'unavailable', message: expect.stringContaining('rate_limited') });
  });

  it('answers malformed requests with 400/405/413 and never crashes', async () => {
    const { server } = await hub();
    expect((await post(server, 'not json')).status).toBe(400);
    expect((await post(server, JSON.stringify({ code: 'x', consoleId: 'C03', publicKey: 'short', proof: 'p' }))).status).toBe(400);
    expect((await post(server, '', 'GET')).status).toBe(405);
    expect((await post(server, 'x'.repeat(10_000))).status).toBe(413);
    for (let i = 0; i < 50; i++) {
      const junk = JSON.stringify({ code: 'A'.repeat(i % 40), consoleId: i % 2 ? 'C03' : '../../etc', publicKey: 'A'.repeat(43), proof: 'B'.repeat(86), [`k${i}`]: i });
      expect([400, 403]).toContain((await post(server, junk)).status);
    }
    expect((await server.health()).ok).toBe(true);
  });

  it('the console refuses hub addresses with credentials or other schemes before sending anything', async () => {
    const { server } = await hub();
    const c = consoleSide(server);
    for (const hubUrl of ['ftp://127.0.0.1/', 'http://user:pw@127.0.0.1:7300', 'not a url']) {
      expect(await refusalOf(c.service.enroll({ hubUrl, consoleId: 'C03', code: '7KQ2M-XH9TD' }, null))).toMatchObject({ code: 'bad_input' });
    }
    expect(await refusalOf(c.service.enroll({ hubUrl: c.hubUrl, consoleId: 'C03', code: '7KQ2M-XH9T0' }, null))).toMatchObject({ code: 'bad_input' });
  });
});

describe('hall hub enroll-code + hall enroll', () => {
  function capture(): Io & { stdout: string[]; stderr: string[] } {
    const stdout: string[] = [];
    const stderr: string[] = [];
    return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
  }

  it('issues a code at the hub and enrolls a headless console folder with it', async () => {
    const dir = tempDir();
    const db = join(dir, 'hub.sqlite');
    const io = capture();
    expect(await main(['hub', 'enroll-code', '--db', db, '--console', 'C08', '--role', 'clerk', '--counter', '8', '--hall', '东区市民中心', '--hall-id', 'east-1', '--ttl', '2h', '--json'], io)).toBe(0);
    const issued = JSON.parse(io.stdout.join('\n')) as { code: string; expiresAt: string; hallId: string };
    expect(issued.hallId).toBe('east-1');
    expect(issued.code).toMatch(/^[2-9A-Z]{5}-[2-9A-Z]{5}$/);
    const bad = capture();
    expect(await main(['hub', 'enroll-code', '--db', db, '--console', 'C09', '--role', 'clerk'], bad)).toBe(2); // a clerk needs a counter
    expect(bad.stderr.join('')).toContain('--counter');
    const badHall = capture();
    expect(await main(['hub', 'enroll-code', '--db', db, '--console', 'C09', '--role', 'kiosk', '--hall-id', 'east 1'], badHall)).toBe(2);
    expect(badHall.stderr.join('')).toContain('hall id');

    const { server, store } = await hub({ file: db });
    const data = join(dir, 'console');
    const out = capture();
    expect(await main(['enroll', '--hub', server.url, '--console', 'C08', '--code', issued.code, '--data', data, '--json'], out)).toBe(0);
    const status = JSON.parse(out.stdout.join('\n')) as { consoleId: string; counter: number; keyProtection: string; publicKey: string };
    expect(status).toMatchObject({ consoleId: 'C08', counter: 8, keyProtection: 'key-file' });
    // The key the hub registered is the one made in the console's folder (wrapped there, never sent).
    expect(status.publicKey).toBe(loadOrCreateConsoleKey(data, keyFileProtector()).publicKeyBase64Url);
    expect(await store.getConsole('C08')).toMatchObject({ publicKey: status.publicKey, hallId: 'east-1' }); // scoped from its first pull
    const again = capture();
    expect(await main(['enroll', '--hub', server.url, '--console', 'C08', '--code', issued.code, '--data', data], again)).toBe(1);
    expect(again.stderr.join('')).toContain('used');
  });

  it("refuses an Electron console's folder (keys wrapped by the OS key store) with a clear reason, sending nothing", async () => {
    const dir = tempDir();
    const { server, store } = await hub();
    const code = await issue(store, 'C09');
    writeFileSync(join(dir, DATA_KEY_FILE), encodeEnvelope('safe-storage', 'data-key', Buffer.from('v10 opaque blob from DPAPI')), { mode: 0o600 });
    const io = capture();
    expect(await main(['enroll', '--hub', server.url, '--console', 'C09', '--code', code, '--data', dir], io)).toBe(1);
    expect(io.stderr.join('')).toContain('is wrapped by the OS key store (safe-storage)');
    expect(await store.getConsole('C09')).toBeNull();
  });
});
