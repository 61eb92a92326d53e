/**
 * Enrollment with a one-time code (docs/security.md "Enrollment"):
 *   hall hub enroll-code --console C03 --role clerk --counter 3 [--hall NAME] [--hall-id ID] [--ttl 24h]   (at the hub)
 *   hall enroll --hub ws://HUB:7300/sync --console C03 --code 7KQ2M-XH9TD [--data DIR]     (on the console)
 */
import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DATABASE_FILE } from '../../main/app';
import { systemClock } from '../../main/domain/clock';
import { createLogger } from '../../main/log';
import { EnrollInput } from '../../preload/enrollment-contract';
import { loadOrCreateConsoleKey, loadOrCreateDataKey } from '../../main/security/console-keys';
import { keyFileProtector } from '../../main/security/key-protector';
import { EnrollmentService } from '../../main/services/enrollment';
import { createStore } from '../../main/store';
import { formatEnrollmentCode, generateEnrollmentCode, hashEnrollmentCode, parseEnrollmentTtl } from '../../sync/enrollment';
import { DEFAULT_HUB_FILE, openHubStore } from '../../sync/hub/store';
import { CONSOLE_ROLES, type ConsoleRole } from '../../sync/hub/store/enrollments';
import { print, requireOption, stringOption, UsageError, type Command } from '../command';
import { ConsoleIdOption, dbArg, HallIdOption } from './hub';

export const hubEnrollCodeCommand: Command = {
  name: 'hub enroll-code',
  usage: `--console ID --role ${CONSOLE_ROLES.join('|')} [--counter N] [--hall NAME] [--hall-id ID] [--ttl 24h] [--db FILE|postgres://URL]`,
  summary: 'issue a one-time enrollment code for a console (single use, expiring, stored only as a hash)',
  options: {
    db: { type: 'string', description: `hub database: a SQLite file (default ./${DEFAULT_HUB_FILE}) or postgres://…` },
    console: { type: 'string', description: 'the console id the machine will have, e.g. C03' },
    role: { type: 'string', description: `what the machine is: ${CONSOLE_ROLES.join(', ')}` },
    counter: { type: 'string', description: 'its counter (窗口号) 1–999; required for clerk' },
    hall: { type: 'string', description: 'the hall name the console shows (optional)' },
    'hall-id': { type: 'string', description: 'the hall id whose buckets it downloads (docs/sync.md "Halls"); set on the console when the code is used' },
    ttl: { type: 'string', description: 'how long the code is valid: 30m, 24h (default), up to 7d' },
  },
  async run(ctx) {
    const consoleId = ConsoleIdOption.safeParse(requireOption(ctx, 'console'));
    if (!consoleId.success) throw new UsageError(consoleId.error.issues[0]?.message ?? 'bad console id');
    const role = requireOption(ctx, 'role');
    if (!(CONSOLE_ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${CONSOLE_ROLES.join(', ')}`);
    const counterText = stringOption(ctx, 'counter');
    const counter = counterText === undefined ? null : Number(counterText);
    if (counter !== null && (!Number.isInteger(counter) || counter < 1 || counter > 999)) throw new UsageError('--counter must be 1–999');
    if (role === 'clerk' && counter === null) throw new UsageError('a clerk console serves a counter: give --counter N');
    const hall = stringOption(ctx, 'hall') ?? null;
    const hallIdText = stringOption(ctx, 'hall-id');
    const hallId = hallIdText === undefined ? null : HallIdOption.safeParse(hallIdText);
    if (hallId !== null && !hallId.success) throw new UsageError(hallId.error.issues[0]?.message ?? 'bad hall id');
    const ttlMs = parseEnrollmentTtl(stringOption(ctx, 'ttl') ?? '24h');
    if (ttlMs === null) throw new UsageError('--ttl must be like 30m, 24h or 7d (5 minutes to 7 days)');
    const code = generateEnrollmentCode();
    const expiresAt = new Date(systemClock().getTime() + ttlMs).toISOString();
    const store = await openHubStore(dbArg(stringOption(ctx, 'db')));
    try {
      await store.createEnrollment({ consoleId: consoleId.data, role: role as ConsoleRole, counter, hall, hallId: hallId?.data ?? null, codeHash: hashEnrollmentCode(code), expiresAt });
    } finally {
      await store.close();
    }
    const shown = formatEnrollmentCode(code);
    print(
      ctx,
      { consoleId: consoleId.data, role, counter, hall, hallId: hallId?.data ?? null, code: shown, expiresAt },
      [
        `enrollment code for console ${consoleId.data} (${role}${counter !== null ? `, counter ${counter}` : ''}${hallId ? `, hall ${hallId.data}` : ''}): ${shown}`,
        `  valid until ${expiresAt}, once; 5 wrong tries make it invalid. Any earlier code for ${consoleId.data} no longer works.`,
        `  on the console: 技术维护 → 注册本机, or  hall enroll --hub ws://<this hub>:7300/sync --console ${consoleId.data} --code ${shown}`,
      ].join('\n'),
    );
  },
};

export const enrollCommand: Command = {
  name: 'enroll',
  usage: '--hub URL --console ID --code CODE [--data DIR]',
  summary: "enroll this console at the hub with a one-time code (headless host's data folder; the Electron console uses 技术维护 → 注册本机)",
  options: {
    hub: { type: 'string', description: 'the hub: ws://HOST:7300/sync or http://HOST:7300' },
    console: { type: 'string', description: 'the console id the code was issued for' },
    code: { type: 'string', description: 'the one-time code, e.g. 7KQ2M-XH9TD' },
    data: { type: 'string', description: "the console's data folder (default ./.hall-data, as hall host)" },
  },
  async run(ctx) {
    const input = EnrollInput.safeParse({ hubUrl: requireOption(ctx, 'hub'), consoleId: requireOption(ctx, 'console'), code: requireOption(ctx, 'code') });
    if (!input.success) throw new UsageError(input.error.issues[0]?.message ?? 'bad input');
    const dataDir = resolve(stringOption(ctx, 'data') ?? '.hall-data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // The headless host's protector; keys wrapped by the OS key store (Electron) are refused with a clear error.
    const protector = keyFileProtector();
    const dataKey = loadOrCreateDataKey(dataDir, protector);
    const signingKey = loadOrCreateConsoleKey(dataDir, protector);
    const store = createStore(join(dataDir, DATABASE_FILE), dataKey.key, systemClock);
    try {
      const running = store.settings.get('console.id', z.string().min(1).max(64)) ?? '';
      const service = new EnrollmentService({ store, clock: systemClock, logger: createLogger(), signingKey, keyProtection: protector.kind, runningConsoleId: running });
      const status = await service.enroll(input.data, `cli:${userInfo().username}`.slice(0, 64));
      print(
        ctx,
        status,
        [
          `console ${status.consoleId} enrolled (${status.role}${status.counter !== null ? `, counter ${status.counter}` : ''}) at ${status.hubUrl}`,
          `  public key ${status.publicKey}; keys kept as ${status.keyProtection}`,
          '  start (or restart) the console to begin syncing.',
        ].join('\n'),
      );
    } finally {
      store.close();
    }
  },
};

export const enrollCommands: Command[] = [hubEnrollCodeCommand, enrollCommand];
