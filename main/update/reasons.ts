/**
 * Every refusal the technician can meet while installing or rolling back an update, with the reason
 * in Chinese for the screen and the verifier's English detail for the log and the support desk.
 */
import type { UpdateRefusalCode } from './verify';

export type InstallRefusalCode =
  | UpdateRefusalCode
  | 'no_keyset' // no pinned update keyset on this console
  | 'not_found' // no bundle at the given place
  | 'download_failed' // the hub did not deliver the bundle (network, size limit, bad index)
  | 'already_installed' // this version is the installed one
  | 'no_previous' // rollback without a kept previous version
  | 'kept_damaged' // the kept previous version no longer matches what was verified at install
  | 'busy' // another install or rollback is running
  | 'state_damaged'; // updates/state.json does not parse: never reset silently (that would reset the counter)

export const REFUSAL_ZH: Record<InstallRefusalCode, string> = {
  malformed: '更新包格式不正确',
  bad_signature: '签名不符：更新清单在签名后被改动，或用了其他密钥签名',
  below_threshold: '签名数量不足',
  unknown_key: '签名密钥不受本机信任',
  expired: '更新包已过期，请索取重新签名的更新包',
  rollback: '版本计数不高于本机已安装的版本：旧版本或重放的更新包',
  artifact_missing: '缺少安装文件',
  artifact_size: '安装文件大小与清单不符',
  artifact_hash: '安装文件校验值（SHA-512）不符：文件被改动或已损坏',
  truncated: '安装文件不完整（可能未复制完），请重新复制',
  keyset_rotation_invalid: '密钥轮换无效',
  no_keyset: '本机未配置更新公钥（update-keyset.json），不能验证更新包',
  not_found: '没有找到更新包',
  download_failed: '从中心平台下载更新包失败',
  already_installed: '该版本已经安装',
  no_previous: '没有保留的上一版本，无法回退',
  kept_damaged: '保留的上一版本文件已被改动或损坏，不能回退',
  busy: '正在安装或回退，请稍候',
  state_damaged: '本机的更新记录（updates/state.json）已损坏，请联系技术支持恢复，不会自动重置',
};

/** The typed error of the installer: code, the Chinese reason, and the English detail. */
export class UpdateInstallError extends Error {
  readonly reason: string;
  constructor(
    readonly code: InstallRefusalCode,
    readonly detail: string,
  ) {
    super(`${REFUSAL_ZH[code]}（${code}: ${detail}）`);
    this.name = 'UpdateInstallError';
    this.reason = REFUSAL_ZH[code];
  }
}

/** "中文原因（code: English detail）", the one line the screen shows for a refusal. */
export function refusalText(code: InstallRefusalCode, detail: string): string {
  return `${REFUSAL_ZH[code]}（${code}: ${detail}）`;
}
