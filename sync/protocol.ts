/**
 * Console ⇄ hub messages (sync note). Both ends import this one module; every frame is parsed here
 * before anyone acts on it. An unknown or malformed frame yields a typed error, never an exception,
 * so the connection stays usable.
 */
import { z } from 'zod';
import { jsonValueSchema } from '../main/domain/json-value';

export const PROTOCOL_VERSION = 1;
/** Frames above this are refused before JSON parsing. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

const ConsoleId = z.string().min(1).max(64);
const Seq = z.number().int().positive();
const Cursor = z.string().max(128);
const IsoTime = z.string().datetime({ offset: true });
/** UUIDv7 as the console writes it (main/store/uuidv7.ts). */
const MutationId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
/** Buckets of reference data the hub distributes (sync note: download). */
export const Bucket = z.enum(['catalog', 'calendar', 'credit', 'users', 'devices', 'payments', 'hall_cases']);
export type Bucket = z.infer<typeof Bucket>;

/** One outbox row on the wire. */
export const Mutation = z.object({
  seq: Seq,
  mutationId: MutationId,
  schemaVersion: z.number().int().positive(),
  hlc: z.string().min(1).max(40),
  type: z.string().min(1).max(64),
  payload: jsonValueSchema,
});
export type Mutation = z.infer<typeof Mutation>;

export const PushResult = z.discriminatedUnion('status', [
  z.object({ seq: Seq, status: z.literal('applied') }),
  z.object({ seq: Seq, status: z.literal('duplicate') }),
  z.object({ seq: Seq, status: z.literal('rejected'), reason: z.string().max(500) }),
]);
export type PushResult = z.infer<typeof PushResult>;

export const Change = z.object({
  serverSeq: z.number().int().nonnegative(),
  op: z.enum(['put', 'delete']),
  key: z.string().min(1).max(128),
  value: jsonValueSchema.optional(),
});
export type Change = z.infer<typeof Change>;

export const SYNC_ERROR_CODES = ['bad_message', 'unsupported_protocol', 'unauthorized', 'reset_required', 'busy', 'internal'] as const;

export const SyncMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    consoleId: ConsoleId,
    protocolVersion: z.number().int().positive(),
    schemaVersion: z.number().int().positive(),
    cursors: z.partialRecord(Bucket, Cursor),
    lastAckedSeq: z.number().int().nonnegative(),
    auth: z.object({ keyId: z.string().max(128), signature: z.string().max(1024), issuedAt: IsoTime }),
  }),
  z.object({ type: z.literal('welcome'), epoch: z.string().min(1).max(64), expectedSeq: Seq, serverTime: IsoTime }),
  z.object({
    type: z.literal('error'),
    code: z.enum(SYNC_ERROR_CODES),
    message: z.string().max(1000),
    /** With `busy`: when to try again (hub slice; optional, additive). */
    retryAfterMs: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal('push'), batch: z.array(Mutation).min(1).max(500) }),
  z.object({ type: z.literal('push_ack'), results: z.array(PushResult), expectedSeq: Seq }),
  z.object({ type: z.literal('pull'), bucket: Bucket, cursor: Cursor }),
  z.object({ type: z.literal('changes'), bucket: Bucket, changes: z.array(Change).max(5000) }),
  z.object({
    type: z.literal('checkpoint'),
    bucket: Bucket,
    cursor: Cursor,
    /** How many changes this pull sent before the checkpoint: the console applies nothing when it got another number. */
    count: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal('checkpoint_ack'), bucket: Bucket, cursor: Cursor }),
  z.object({ type: z.literal('poke'), buckets: z.array(Bucket).optional() }),
  z.object({ type: z.literal('ping'), at: IsoTime }),
  z.object({ type: z.literal('pong'), at: IsoTime }),
]);
export type SyncMessage = z.infer<typeof SyncMessage>;
export type SyncMessageType = SyncMessage['type'];

export type ParsedFrame = { ok: true; message: SyncMessage } | { ok: false; code: 'bad_message'; reason: string };

/** Parse one websocket text frame. Never throws. */
export function parseSyncFrame(frame: string | Uint8Array): ParsedFrame {
  const size = typeof frame === 'string' ? Buffer.byteLength(frame, 'utf8') : frame.byteLength;
  if (size > MAX_FRAME_BYTES) return { ok: false, code: 'bad_message', reason: `frame of ${size} bytes exceeds ${MAX_FRAME_BYTES}` };
  let json: unknown;
  try {
    json = JSON.parse(typeof frame === 'string' ? frame : Buffer.from(frame).toString('utf8'));
  } catch {
    return { ok: false, code: 'bad_message', reason: 'not JSON' };
  }
  const parsed = SyncMessage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, code: 'bad_message', reason: `${issue?.path.join('.') || '(message)'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, message: parsed.data };
}

export function encodeSyncMessage(message: SyncMessage): string {
  return JSON.stringify(SyncMessage.parse(message));
}
