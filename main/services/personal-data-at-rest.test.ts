/**
 * The raw-file check: a realistic counter day through the composed console — a kiosk ticket
 * taken with the synthetic ID card and printed, call, card read at the counter, face check, 受理 with
 * 容缺 and fees, documents printed and reprinted (补打), a PDF export, the rating pad, a 回访, a
 * supervisor's audited reveal, a retention purge dry run — with the log written to a file in the data
 * dir (debug level) and kept in memory. Then every byte the console left behind (the SQLite file, its
 * WAL and SHM, the log file, every other file in the data dir) and the in-memory log lines are searched
 * for the person's ID number, name and address in UTF-8, UTF-16LE and GB18030: zero hits.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeView } from '../../preload/case-contract';
import { SYNTHETIC_RECORDS } from '../../drivers/emulators/cards';
import { createConsoleApp, DATABASE_FILE, type ConsoleApp } from '../app';
import { createLogger, createMemoryLogger, type Logger } from '../log';
import { manualFaceMatch } from './test-support';
import { callAs, loginDemoStaff, until } from '../../test/support/console-day';

const PERSON = SYNTHETIC_RECORDS.resident;
const NEEDLES = { idNumber: PERSON.idNumber, idNumberLower: PERSON.idNumber.toLowerCase(), name: PERSON.name, address: PERSON.address };
const ENCODINGS = ['utf8', 'utf16le', 'gb18030'] as const;

let app: ConsoleApp;
let dir: string;
const memory = createMemoryLogger();
let logFile: string;

const call = <T = unknown>(channelId: string, method: string, input: unknown = {}): Promise<T> => callAs<T>(app, channelId, method, input);


/** Every file under `root`, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((e) => {
    const path = join(root, e.name);
    return e.isDirectory() ? filesUnder(path) : e.isFile() ? [path] : [];
  });
}

/** Where each needle occurs in `bytes`, in each encoding. */
function hits(bytes: Buffer): string[] {
  const found: string[] = [];
  for (const [what, text] of Object.entries(NEEDLES)) {
    for (const encoding of ENCODINGS) {
      const needle = iconv.encode(text, encoding);
      const at = bytes.indexOf(needle);
      if (at >= 0) found.push(`${what} (${encoding}) at byte ${at}`);
    }
  }
  return found;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hall-at-rest-'));
  mkdirSync(join(dir, 'logs'));
  logFile = join(dir, 'logs', 'console.log');
  const fileLogger = createLogger((line) => appendFileSync(logFile, `${line}\n`), 'debug');
  const logger: Logger = { log: (level, event, fields) => (memory.log(level, event, fields), fileLogger.log(level, event, fields)) };
  app = await createConsoleApp({ dataDir: dir, mode: 'browser', emulatedDevices: true, logger, demo: true, masterKey: Buffer.alloc(32, 7), emulatorTiming: 'instant' });
  await loginDemoStaff(app);
}, 30_000);

afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('personal data at rest: the raw files after a counter day', () => {
  it('hold neither the ID number nor the name nor the address, in UTF-8, UTF-16LE or GB18030', async () => {
    const emulators = app.hardware.emulators!;
    emulators.idcard.placeCard(emulators.cards.resident);
    const read = await until(() => app.hardware.lastCard(), 'the card read');
    // The card on the reader is the synthetic person the files are searched for.
    expect(read.card).toMatchObject({ idNumber: PERSON.idNumber, name: PERSON.name });

    // Kiosk: 刷身份证取号, printed.
    const ticket = await call<{ id: string; number: string }>('kiosk', 'queue.issue', { groupCode: 'B', withCard: true, print: true });
    await until(() => emulators.printer.pages.find((p) => p.text.includes(ticket.number)), 'the printed ticket');

    // Counter: call, serve, intake with the card, face check, 受理 with 容缺 and fees.
    await call('clerk', 'queue.act', { action: 'call' });
    await call('clerk', 'queue.act', { action: 'serve' });
    await call('clerk', 'intake.start');
    let view = await call<IntakeView>('clerk', 'intake.useCard', { role: 'applicant' });
    expect(view.applicant?.nameMasked).toBe('测*甲');
    const check = await call<{ id: string }>('clerk', 'face.record', manualFaceMatch(new Date(), '人工核对证件照片一致'));
    await call('clerk', 'intake.verifyFace', { faceCheckId: check.id });
    await call('clerk', 'intake.update', { serviceItemCode: 'BDC-021', notes: '申请人现场补充说明' });
    view = await call<IntakeView>('clerk', 'intake.update', {
      materials: [
        { code: 'M1', status: 'provided' },
        { code: 'M2', status: 'e_licence' },
        { code: 'M3', status: 'e_licence' },
        { code: 'M4', status: 'provided' },
        { code: 'M5', status: 'tolerated' },
      ],
    });
    view = await call<IntakeView>('clerk', 'intake.update', { commitmentDeadline: view.promisedDeadline });
    expect(view.blockers).toEqual([]);
    const decided = await call<{ case: { id: string; receiptNo: string } }>('clerk', 'intake.decide', { decision: 'accept' });
    await until(() => emulators.printer.pages.find((p) => p.text.includes('受理回执')), 'the receipt');

    // 补打, a PDF export, the case list and detail.
    const jobs = await call<{ id: string; kind: string }[]>('clerk', 'printer.jobs', { limit: 10 });
    await call('clerk', 'printer.reprint', { jobId: jobs.find((j) => j.kind === 'acceptance-receipt')!.id });
    await call('clerk', 'cases.print', { id: decided.case.id, kind: 'acceptance-receipt' });
    const pdf = await call<{ base64: string }>('clerk', 'cases.pdf', { id: decided.case.id, kind: 'acceptance-receipt' });
    expect(pdf.base64.length).toBeGreaterThan(100);
    await call('clerk', 'cases.list', {});
    await call('clerk', 'cases.get', { id: decided.case.id });

    // The rating pad: 2 → a callback; the supervisor closes it, and reveals the ID number (audited).
    await call('clerk', 'queue.act', { action: 'finish' });
    const pending = await call<{ id: string } | null>('pad', 'ratings.pending');
    await call('pad', 'ratings.submit', { requestId: pending!.id, level: 2, reasons: ['等候时间长'], comment: '等了很久' });
    const [callback] = await call<{ id: string }[]>('super', 'callbacks.list', { state: 'open' });
    await call('super', 'callbacks.close', { id: callback!.id, note: '已电话回访，解释原因' });
    const revealed = await call<{ value: string }>('super', 'cases.reveal', { id: decided.case.id, field: 'applicant.idNumber', reason: '申请人来电核对证件号码' });
    expect(revealed.value).toBe(PERSON.idNumber);
    await call('super', 'cases.reveal', { id: decided.case.id, field: 'applicant.name', reason: '申请人来电核对姓名' });

    // Later: a 撤件 of a second intake, a kiosk lookup by receipt number, a purge dry run.
    await call('kiosk', 'cases.lookup', { text: decided.case.receiptNo });
    app.privacy.purge({ dryRun: true });
    await call('clerk', 'intake.start');
    await call('clerk', 'intake.useCard', { role: 'applicant' });
    await call('clerk', 'intake.discard', { reason: '申请人材料不全，改日再来' });
    emulators.idcard.removeCard();

    // The day happened: the person is in the database (encrypted), the log file has lines.
    expect(app.store.cases.findByApplicantId(PERSON.idNumber).map((c) => c.id)).toContain(decided.case.id);
    expect(statSync(logFile).size).toBeGreaterThan(1000);

    // The raw bytes while the console runs (database, WAL, SHM, logs, key files, everything) …
    const running = filesUnder(dir);
    expect(running).toEqual(expect.arrayContaining([join(dir, DATABASE_FILE), join(dir, `${DATABASE_FILE}-wal`), logFile]));
    for (const file of running) expect(hits(readFileSync(file)), file).toEqual([]);
    expect(hits(Buffer.from(JSON.stringify(memory.lines), 'utf8')), 'memory log').toEqual([]);

    // … and after a clean shutdown (the WAL checkpointed into the file).
    await app.close();
    for (const file of filesUnder(dir)) expect(hits(readFileSync(file)), file).toEqual([]);
    app = await createConsoleApp({ dataDir: dir, mode: 'browser', emulatedDevices: true, logger: createMemoryLogger(), masterKey: Buffer.alloc(32, 7), emulatorTiming: 'instant' });
  }, 60_000);

  it('the search itself finds the needles when they are there (in each encoding)', () => {
    for (const encoding of ENCODINGS) {
      const planted = Buffer.concat([Buffer.from('header'), iconv.encode(`x${PERSON.name}y${PERSON.idNumber}`, encoding)]);
      expect(hits(planted).filter((h) => h.includes(`(${encoding})`)).length).toBeGreaterThanOrEqual(1);
    }
    expect(hits(iconv.encode(PERSON.name, 'gb18030'))).toContain('name (gb18030) at byte 0');
    expect(hits(iconv.encode(PERSON.idNumber, 'utf16le'))).toContain('idNumber (utf16le) at byte 0');
  });
});
