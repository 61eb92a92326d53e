/**
 * Helpers for tests of the hub (session, server, CLI) and for the console client's tests: an
 * in-memory hub, enrolled console keys, signed hellos and mutations. Synthetic data only.
 */
import { uuidv7 } from '../../main/store/uuidv7';
import { generateConsoleSigningKey, type ConsoleSigningKey } from '../../main/security/receipt-signature';
import { PROTOCOL_VERSION, type Bucket, type Mutation, type SyncMessage } from '../protocol';
import { HUB_SCHEMA_VERSION, signHello, type HubService, type HubSession } from './session';
import type { HubStore } from './store/types';

export interface TestConsole {
  consoleId: string;
  key: ConsoleSigningKey;
}

/** Registers a console with a fresh Ed25519 key. */
export async function enrollTestConsole(store: HubStore, consoleId: string): Promise<TestConsole> {
  const key = generateConsoleSigningKey();
  await store.registerConsole(consoleId, key.publicKeyBase64Url);
  return { consoleId, key };
}

/** A signed hello for `console` at `issuedAt`; `over` replaces fields. */
export function helloFor(
  console: TestConsole,
  issuedAt: Date | string,
  over: Partial<Extract<SyncMessage, { type: 'hello' }>> = {},
): Extract<SyncMessage, { type: 'hello' }> {
  const at = typeof issuedAt === 'string' ? issuedAt : issuedAt.toISOString();
  return {
    type: 'hello',
    consoleId: console.consoleId,
    protocolVersion: PROTOCOL_VERSION,
    schemaVersion: HUB_SCHEMA_VERSION,
    cursors: {} as Partial<Record<Bucket, string>>,
    lastAckedSeq: 0,
    auth: signHello(console.key.privateKey, console.consoleId, at),
    ...over,
  };
}

let tick = Date.parse('2026-11-26T01:00:00.000Z');
/** One outbox row as a console sends it (case.created unless `over` says otherwise). */
export function testMutation(seq: number, over: Partial<Mutation> = {}): Mutation {
  tick += 1;
  return {
    seq,
    mutationId: uuidv7(new Date(tick)),
    schemaVersion: HUB_SCHEMA_VERSION,
    hlc: `${String(tick).padStart(15, '0')}-000000`,
    type: 'case.created',
    payload: { caseId: `case-${seq}`, receiptNo: `C03-20261126-${String(seq).padStart(4, '0')}`, at: new Date(tick).toISOString() },
    ...over,
  };
}

/** A session of `service` driven by a test: `send` feeds one frame and returns what the hub answered to it. */
export interface TestSessionClient {
  session: HubSession;
  /** Everything the hub sent on this session, in order. */
  out: SyncMessage[];
  send(message: unknown): Promise<SyncMessage[]>;
}

export function sessionClient(service: HubService, onMessage?: (message: SyncMessage) => void): TestSessionClient {
  const out: SyncMessage[] = [];
  const session = service.openSession((m) => {
    onMessage?.(m);
    out.push(m);
  });
  return {
    session,
    out,
    async send(message) {
      const before = out.length;
      await session.receive(typeof message === 'string' ? message : JSON.stringify(message));
      return out.slice(before);
    },
  };
}
