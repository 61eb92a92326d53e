/**
 * Messages on the host's websocket bridge (browser mode). The bridge carries the HallApi contract
 * unchanged: an `invoke` names a contract method, a `result` carries the dispatcher's Result.
 * Shared by main/host (server) and renderer/bridge (client); imports zod only, like the contract.
 */
import { z } from 'zod';

export const BRIDGE_PATH = '/bridge';
/** Websocket subprotocol naming this bridge; the launch token travels as a second subprotocol. */
export const BRIDGE_PROTOCOL = 'hall.v1';
export const TOKEN_PROTOCOL_PREFIX = 'token.';
/** Frames above this are closed by the ws library with 1009 (message too big). */
export const BRIDGE_MAX_FRAME_BYTES = 1024 * 1024;

export const ClientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('invoke'),
    id: z.number().int().nonnegative(),
    method: z.string().max(128),
    input: z.unknown(),
  }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const ServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int().nonnegative(), result: z.unknown() }),
  z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
