/**
 * Fuzz of the contract handlers: malformed calls thrown at the real dispatcher of a composed console
 * (real handlers, real store, emulated devices), from every role and from no session. Wrong types,
 * the method's own keys with wrong values, huge strings, deep nesting, prototype-pollution keys
 * (`__proto__`, `constructor`, `prototype`), cyclic objects, unknown and non-string method names,
 * inputs over the method's byte limit.
 *
 * Every call must be answered — no throw, no unhandled rejection — with a Result whose error code is in
 * the contract's set and is never `internal` / `bad_output` (those mean a handler crashed or broke its
 * contract). The refusal must also be the right one: unknown method → `unknown_method`, a role the
 * method does not declare → `forbidden`, no session → `unauthenticated`, over the limit →
 * `payload_too_large`.
 *
 * Default: a few thousand calls (npm test). The long run:
 *   HALL_FUZZ_RUNS=100000 npx vitest run main/ipc/contract.fuzz.test.ts   (HALL_FUZZ_SEED to replay)
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DEFAULT_MAX_INPUT_BYTES,
  ERROR_CODES,
  HallError,
  METHOD_NAMES,
  ROLES,
  isMethodName,
  methods,
  type MethodName,
  type Result,
  type Role,
} from '../../preload/contract';
import { caller, consoleWithEveryRole, loginRole, NO_SESSION, ROLE_CHANNELS } from '../../test/support/role-channels';
import { serialisedSize } from './dispatcher';

const RUNS = Number(process.env.HALL_FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.HALL_FUZZ_SEED ?? 20261127);

let env: Awaited<ReturnType<typeof consoleWithEveryRole>>;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  env = await consoleWithEveryRole();
}, 60_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await env?.cleanup();
});

const ResultShape = z.union([z.object({ ok: z.literal(true), value: z.unknown() }).strict(), z.object({ ok: z.literal(false), error: HallError.strict() }).strict()]);

/** The keys a method's input object has (so fuzzed values reach the per-field checks and handlers). */
function keysOf(method: MethodName): string[] {
  const schema = methods[method].input as unknown as { shape?: Record<string, unknown> };
  return schema.shape ? Object.keys(schema.shape) : [];
}

const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'valueOf', 'hasOwnProperty'];

/** Objects whose own keys include `__proto__` etc., as JSON.parse builds them off the wire. */
const pollutingObject = fc
  .record({ key: fc.constantFrom(...POLLUTING_KEYS), inner: fc.jsonValue({ maxDepth: 2 }) })
  .map(({ key, inner }) => JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify({ polluted: true, inner })}, "id": "x"}`) as unknown);

const hugeString = fc.oneof(
  fc.integer({ min: 1, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 70_000 }).map((n) => '张'.repeat(n)),
  fc.constantFrom('\u0000', '\ud800', '\uffff', '../../../../etc/passwd', '%00', "' OR 1=1 --", '${process.exit()}', '<script>alert(1)</script>', '11010519491231002X'),
);

function deep(depth: number, leaf: unknown, asArray: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  // fast-check prints a counterexample recursively: give it a short name instead (not enumerable, not JSON).
  Object.defineProperty(v, fc.toStringMethod, { value: () => `deep(${depth}, ${asArray ? 'array' : 'object'})`, enumerable: false });
  return v;
}
const deepNesting = fc.record({ depth: fc.integer({ min: 10, max: 20_000 }), asArray: fc.boolean() }).map(({ depth, asArray }) => deep(depth, 'x', asArray));

const cyclic = fc.constant(null).map(() => {
  const o: Record<string, unknown> = { id: 'x' };
  o.self = o;
  return o;
});

const weirdValue = fc.oneof(
  { weight: 4, arbitrary: fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true }) },
  { weight: 2, arbitrary: hugeString },
  { weight: 1, arbitrary: pollutingObject },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, NaN, Infinity, -0, Number.MAX_SAFE_INTEGER + 2, '', [], {}) },
);

/** An input shaped like the method's (its own keys, plus sometimes extra or polluting ones) with weird values. */
function shapedInput(method: MethodName): fc.Arbitrary<unknown> {
  const keys = keysOf(method);
  if (keys.length === 0) return weirdValue;
  return fc
    .record({
      picked: fc.subarray(keys),
      values: fc.array(weirdValue, { minLength: keys.length, maxLength: keys.length }),
      extra: fc.option(fc.constantFrom('extra', ...POLLUTING_KEYS), { nil: undefined }),
      extraValue: weirdValue,
    })
    .map(({ picked, values, extra, extraValue }) => {
      const o: Record<string, unknown> = {};
      picked.forEach((k, i) => (o[k] = values[i]));
      if (extra) Object.defineProperty(o, extra, { value: extraValue, enumerable: true, writable: true, configurable: true });
      return o;
    });
}

const knownMethod = fc.constantFrom(...METHOD_NAMES);
const unknownMethod = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'cases', 'cases.', '.get', 'CASES.GET', 'cases.get ', 'app.info\u0000'),
  fc.anything({ maxDepth: 1 }),
);

const call = fc.oneof(
  { weight: 6, arbitrary: knownMethod.chain((m) => fc.tuple(fc.constant<unknown>(m), fc.oneof(shapedInput(m), weirdValue, pollutingObject, cyclic))) },
  { weight: 1, arbitrary: fc.tuple(unknownMethod, weirdValue) },
);
const channel = fc.constantFrom<[Role | null, string]>(...ROLES.map((r) => [r, ROLE_CHANNELS[r]] as [Role, string]), [null, NO_SESSION]);

const CODES = new Set<string>(ERROR_CODES);
const tally: Record<string, number> = {};

describe('contract handlers under fuzzed calls', () => {
  it(`answers ${RUNS} malformed calls with typed refusals, from every role`, async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(call, channel, async ([method, input], [role, channelId]) => {
        const r = await env.app.dispatcher.invoke(method, input, caller(channelId));
        try {
          check(method, input, role, r);
        } catch (err) {
          // The counterexample may be too big to print: name the call in a line of its own.
          const size = serialisedSize(input);
          console.error(`contract fuzz failure: ${String(method).slice(0, 80)} as ${role ?? 'no session'} (input ${size ?? 'unserialisable'} bytes) → ${JSON.stringify(r).slice(0, 300)}`);
          throw err;
        }
        // A fuzzed session.logout that got through: log that role in again.
        if (role !== null && !env.app.isLoggedIn(channelId)) await loginRole(env.app, role);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`contract fuzz: ${RUNS} calls in ${seconds.toFixed(1)} s, answers ${JSON.stringify(tally)}`);

    // Nothing leaked out of the calls: no unhandled rejection, no polluted prototype.
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('inner');
    // The fuzz reached every refusal of the dispatcher, and the handlers behind it.
    for (const code of ['unknown_method', 'bad_input', 'forbidden', 'unauthenticated', 'payload_too_large']) expect(tally[code], code).toBeGreaterThan(0);
    // The console still works, and its database is intact.
    const session = await env.app.dispatcher.invoke('session.current', {}, caller(ROLE_CHANNELS.clerk));
    expect(session).toMatchObject({ ok: true, value: { role: 'clerk' } });
    expect(env.app.store.db.sql.pragma('integrity_check', { simple: true })).toBe('ok');
  }, 1_800_000);
});

/** One answer: a Result, a code of the contract's set, never a crash, and the right refusal. */
function check(method: unknown, input: unknown, role: Role | null, r: Result<unknown>): void {
  expect(ResultShape.safeParse(r).success, 'the answer is a Result').toBe(true);
  const key = r.ok ? 'ok' : r.error.code;
  tally[key] = (tally[key] ?? 0) + 1;
  if (!r.ok) {
    expect(CODES.has(r.error.code)).toBe(true);
    expect(r.error.code, `${String(method)}: ${r.error.message}`).not.toBe('internal');
    expect(r.error.code, `${String(method)}: ${r.error.message}`).not.toBe('bad_output');
    expect(r.error.message.length).toBeLessThan(1000);
  }
  // Nothing fuzzed may ever log the anonymous channel in.
  expect(env.app.isLoggedIn(NO_SESSION)).toBe(false);
  // The refusal is the right one, in the dispatcher's order.
  if (!isMethodName(method)) {
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    return;
  }
  const spec = methods[method];
  const size = serialisedSize(input);
  if (size === undefined) expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  else if (size > (spec.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES)) expect(r).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
  else if (spec.access !== 'public' && role === null) expect(r).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  else if (spec.access !== 'public' && role !== null && !spec.access.includes(role)) expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  else if (!spec.input.safeParse(input ?? {}).success) expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
}
