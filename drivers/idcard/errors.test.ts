import { describe, expect, it } from 'vitest';
import { FramingError } from '../transports/link';
import { TransportError } from '../transports/transport';
import { IDCARD_ERROR_MESSAGES, idCardError, linkError, statusError } from './errors';

describe('statusError', () => {
  it.each([
    [0x80, 'no_card'],
    [0x81, 'select_failed'],
    [0x41, 'read_failed'],
    [0x31, 'auth_failed'],
    [0x32, 'auth_failed'],
    [0x33, 'auth_failed'],
    [0x40, 'unknown_card_type'],
    [0x60, 'sam_failure'],
    [0x66, 'sam_not_authorised'],
    [0x10, 'reader_rejected'],
    [0x11, 'reader_rejected'],
    [0x21, 'reader_rejected'],
    [0x91, 'no_content'],
    [0x47, 'unexpected_status'],
  ])('0x%s → %s', (sw3, code) => {
    const e = statusError(sw3, 'read');
    expect(e.code).toBe(code);
    expect(e.message).toBe(IDCARD_ERROR_MESSAGES[e.code]);
    expect(e.step).toBe('read');
  });

  it('keeps the status hex and a technical detail', () => {
    expect(statusError(0x80, 'find')).toEqual({ code: 'no_card', message: '未检测到证件，请将身份证放在读卡区', detail: 'find: reader answered 0x80 find_failed', step: 'find', status: '0x80' });
    expect(statusError(0x47, 'read').detail).toContain('unknown (0x47)');
  });
});

describe('linkError', () => {
  it('maps transport and framing failures', () => {
    expect(linkError(new TransportError('timeout', 'no answer'), 'find').code).toBe('timeout');
    expect(linkError(new TransportError('disconnected', 'x'), 'read').code).toBe('disconnected');
    expect(linkError(new TransportError('closed', 'x'), 'read').code).toBe('disconnected');
    expect(linkError(new TransportError('not_open', 'x'), 'read').code).toBe('not_connected');
    const framing = new FramingError({ code: 'checksum_mismatch' }, 'checksum mismatch: expected 0x21, got 0x22');
    expect(linkError(framing, 'read')).toMatchObject({ code: 'bad_answer', detail: 'read: checksum mismatch: expected 0x21, got 0x22' });
    expect(linkError(new Error('weird'), 'sam').code).toBe('not_connected');
  });

  it('every code has a Chinese sentence for the clerk', () => {
    for (const [code, message] of Object.entries(IDCARD_ERROR_MESSAGES)) {
      expect(message, code).toMatch(/[\u4e00-\u9fff]/);
      expect(idCardError(code as keyof typeof IDCARD_ERROR_MESSAGES, 'find', 'd').message).toBe(message);
    }
  });
});
