import type { HallError } from '../../preload/contract';

/** Sentences a clerk understands; service errors already carry one, transport errors get one here. */
export function errorText(error: HallError): string {
  switch (error.code) {
    case 'bad_input':
      return '输入内容不符合要求，请检查后重试';
    case 'payload_too_large':
      return '提交的内容过大，请精简后重试';
    case 'unauthenticated':
      return '登录已失效，请重新登录';
    case 'locked':
      return '工作台已锁定，请输入密码解锁';
    case 'forbidden':
      return error.message.startsWith('您') ? error.message : '当前账号无权进行此操作';
    case 'foreign_sender':
    case 'unknown_method':
    case 'bad_output':
    case 'internal':
      return '系统内部错误，已记录日志，请联系技术人员';
    case 'unavailable':
      return '无法连接主程序，请稍候重试';
    default:
      return error.message;
  }
}
