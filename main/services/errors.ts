import type { ErrorCode } from '../../preload/contract';

/**
 * The one error type services throw on purpose. The dispatcher turns it into a typed result
 * `{ code, message }`; anything else becomes `internal` with a generic message (details stay in
 * main's log, never in the renderer).
 */
export class HallServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HallServiceError';
  }
}
