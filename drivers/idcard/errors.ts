/**
 * Typed outcomes of talking to an ID-card reader, each with a sentence the clerk can act on (zh) and a
 * technical detail for the technician's log. Neither ever contains card data.
 */
import { FramingError } from '../transports/link';
import { isTransportError } from '../transports/transport';
import { describeStatus } from './protocol';

export const IDCARD_ERROR_MESSAGES = {
  no_card: '未检测到证件，请将身份证放在读卡区',
  select_failed: '证件选卡失败，请将证件放平放稳后重试',
  read_failed: '读取证件失败，请勿移动证件，重新放置后再试',
  auth_failed: '证件认证失败，请确认证件真实有效，或联系技术人员',
  unknown_card_type: '无法识别的卡片，请放置居民身份证或居住证件',
  sam_failure: '读卡器安全模块自检失败，请联系技术人员',
  sam_not_authorised: '读卡器安全模块未授权，请联系技术人员',
  reader_rejected: '读卡器未能执行指令，请重试；多次出现请联系技术人员',
  no_content: '证件中没有该项信息',
  unexpected_status: '读卡器返回了未知状态，请重试；多次出现请联系技术人员',
  bad_answer: '读卡器应答数据有误，请重新放置证件再试',
  malformed_answer: '读卡器返回的证件数据不完整，请重新放置证件再试',
  unknown_card_kind: '无法识别的证件种类，请人工核验',
  invalid_card_data: '证件信息校验未通过，请人工核验',
  timeout: '读卡器无响应，请检查读卡器连接',
  disconnected: '读卡器已断开，请检查连接线',
  not_connected: '读卡器未连接，请检查连接线或联系技术人员',
  cancelled: '已取消读卡',
} as const;

export type IdCardErrorCode = keyof typeof IDCARD_ERROR_MESSAGES;

export type IdCardStep = 'find' | 'select' | 'read' | 'appended_address' | 'sam';

export interface IdCardError {
  code: IdCardErrorCode;
  /** For the clerk. */
  message: string;
  /** For the technician's log (English, no personal data). */
  detail: string;
  step: IdCardStep;
  /** SW3 when the reader answered with a status, e.g. "0x41". */
  status?: string;
}

export function idCardError(code: IdCardErrorCode, step: IdCardStep, detail: string, status?: number): IdCardError {
  const e: IdCardError = { code, message: IDCARD_ERROR_MESSAGES[code], detail, step };
  if (status !== undefined) e.status = describeStatus(status).hex;
  return e;
}

/** Map an SW3 that is not the success code of this step to a typed error. */
export function statusError(sw3: number, step: IdCardStep): IdCardError {
  const s = describeStatus(sw3);
  const detail = `${step}: reader answered ${s.hex} ${s.name}`;
  switch (sw3) {
    case 0x80:
      return idCardError('no_card', step, detail, sw3);
    case 0x81:
      return idCardError('select_failed', step, detail, sw3);
    case 0x41:
      return idCardError('read_failed', step, detail, sw3);
    case 0x31:
    case 0x32:
    case 0x33:
      return idCardError('auth_failed', step, detail, sw3);
    case 0x40:
      return idCardError('unknown_card_type', step, detail, sw3);
    case 0x60:
      return idCardError('sam_failure', step, detail, sw3);
    case 0x66:
      return idCardError('sam_not_authorised', step, detail, sw3);
    case 0x10:
    case 0x11:
    case 0x21:
      return idCardError('reader_rejected', step, detail, sw3);
    case 0x91:
      return idCardError('no_content', step, detail, sw3);
    default:
      return idCardError('unexpected_status', step, detail, sw3);
  }
}

/** Map a failed link request (TransportError, FramingError, anything else) to a typed error. */
export function linkError(err: unknown, step: IdCardStep): IdCardError {
  if (err instanceof FramingError) return idCardError('bad_answer', step, `${step}: ${err.message}`);
  if (isTransportError(err)) {
    const detail = `${step}: ${err.code}: ${err.message}`;
    switch (err.code) {
      case 'timeout':
        return idCardError('timeout', step, detail);
      case 'disconnected':
      case 'closed':
        return idCardError('disconnected', step, detail);
      case 'io':
        return idCardError('disconnected', step, detail);
      default:
        return idCardError('not_connected', step, detail);
    }
  }
  return idCardError('not_connected', step, `${step}: ${err instanceof Error ? err.message : String(err)}`);
}
