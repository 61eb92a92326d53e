/**
 * The host's websocket bridge under fuzzed frames, with a real console behind it: text that is not
 * JSON, binary frames, JSON that is not a bridge message (wrong types, negative ids, `__proto__`
 * keys), and invokes of known and unknown methods with hostile inputs. Every frame gets exactly one
 * answer — `{type:'error', code:'bad_message'}` or a `result` whose Result carries a typed error of the
 * contract's set (never `internal` / `bad_output`) — and the connection stays open. A frame over the
 * bridge limit closes that connection with 1009; the host keeps serving new ones.
 *
 * Default 500 frames; HALL_FUZZ_RUNS (divided by 10) for a long run.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BRIDGE_MAX_FRAME_BYTES, BRIDGE_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../preload/bridge-protocol';
import { ERROR_CODES, METHOD_NAMES } from '../../preload/contract';
import { tempConsoleApp } from '../../test/support/console-app';
import { startHost, type RunningHost } from './server';

const FRAMES = Math.max(100, Math.round(Number(process.env.HALL_FUZZ_RUNS ?? 5000) / 10));
const SEED = Number(process.env.HALL_FUZZ_SEED ?? 20261127);

let host: RunningHost;
let env: Awaited<ReturnType<typeof tempConsoleApp>>;
let rendererRoot: string;

beforeAll(async () => {
  rendererRoot = mkdtempSync(join(tmpdir(), 'hall-renderer-fuzz-'));
  writeFileSync(join(rendererRoot, 'index.html'), '<!doctype html><title>console</title>');
  env = await tempConsoleApp();
  host = await startHost({ app: env.app, rendererRoot, port: 0, token: 'fuzz-token-456' });
}, 60_000);

afterAll(async () => {
  await host?.close();
  await env?.cleanup();
  rmSync(rendererRoot, { recursive: true, force: true });
});

function open(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/bridge`, [BRIDGE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${host.token}`], { headers: { origin: host.origin } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends one frame and waits for the one answer (events are skipped). */
function exchange(ws: WebSocket, frame: string | Buffer, binary: boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data)) as Record<string, unknown>;
      if (msg.type === 'event') return;
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(msg);
    };
    const onClose = (code: number) => reject(new Error(`closed ${code}`));
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(frame, { binary });
  });
}

const hostileInput = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom('{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}').map((t) => JSON.parse(t) as unknown),
  fc.integer({ min: 1, max: 200_000 }).map((n) => ({ text: 'x'.repeat(n) })),
);
const method = fc.oneof(fc.constantFrom(...METHOD_NAMES), fc.string({ maxLength: 140 }), fc.constantFrom('__proto__', 'toString', 'constructor'));
const frame = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('invoke'), id: fc.nat(), method, input: hostileInput }).map((m) => ({ text: JSON.stringify(m), binary: false })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }).map((t) => ({ text: t, binary: false })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ text: JSON.stringify(v) ?? 'null', binary: false })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ type: fc.constantFrom('invoke', 'result', 'event', '__proto__', 'INVOKE'), id: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)), method: fc.anything({ maxDepth: 1 }) })
      .map((m) => ({ text: JSON.stringify(m) ?? 'null', binary: false })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ text: Buffer.from(b).toString('latin1'), binary: true })) },
);

const CODES = new Set<string>(ERROR_CODES);

describe('host bridge under fuzzed frames', () => {
  it(`answers ${FRAMES} malformed frames one by one without closing or crashing`, async () => {
    const ws = await open();
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(frame, async ({ text, binary }) => {
        const answer = await exchange(ws, binary ? Buffer.from(text, 'latin1') : text, binary);
        if (answer.type === 'error') {
          expect(answer.code).toBe('bad_message');
          seen.bad_message = (seen.bad_message ?? 0) + 1;
          return;
        }
        expect(answer.type).toBe('result');
        const result = answer.result as { ok: boolean; error?: { code: string; message: string } };
        if (!result.ok) {
          expect(CODES.has(result.error!.code), result.error!.code).toBe(true);
          expect(['internal', 'bad_output']).not.toContain(result.error!.code);
        }
        const key = result.ok ? 'ok' : result.error!.code;
        seen[key] = (seen[key] ?? 0) + 1;
      }),
      { numRuns: FRAMES, seed: SEED },
    );
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(seen.bad_message).toBeGreaterThan(0);
    expect(seen.unknown_method).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    ws.close();
  }, 600_000);

  it('closes a connection on an oversized frame with 1009 and keeps serving new ones', async () => {
    for (let i = 0; i < 3; i++) {
      const ws = await open();
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.send(i === 1 ? Buffer.alloc(BRIDGE_MAX_FRAME_BYTES + 1, 0x7b) : JSON.stringify({ type: 'invoke', id: 1, method: 'app.info', input: { pad: 'x'.repeat(BRIDGE_MAX_FRAME_BYTES + i) } }), { binary: i === 1 });
      expect(await closed).toBe(1009);
    }
    const ws = await open();
    expect(await exchange(ws, JSON.stringify({ type: 'invoke', id: 7, method: 'app.info', input: {} }), false)).toMatchObject({ type: 'result', id: 7, result: { ok: true, value: { product: 'hall-console' } } });
    ws.close();
  });
});
