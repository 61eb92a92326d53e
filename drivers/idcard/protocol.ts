/**
 * GA 467 "SAM" protocol vocabulary: the commands a host sends and the SW3 status codes a reader answers
 * with (hardware note). Names are stable identifiers for logs, diag output and tests; `zh` is the wording
 * technicians know from vendor manuals.
 */

export const SAM_COMMANDS = {
  find_card: { cmd: 0x20, para: 0x01, zh: '寻卡' },
  select_card: { cmd: 0x20, para: 0x02, zh: '选卡' },
  read_basic: { cmd: 0x30, para: 0x01, zh: '读基本信息' },
  read_basic_fingerprint: { cmd: 0x30, para: 0x10, zh: '读基本信息和指纹' },
  read_appended_address: { cmd: 0x30, para: 0x03, zh: '读追加住址' },
  sam_status: { cmd: 0x11, para: 0xff, zh: 'SAM 状态检测' },
  sam_id: { cmd: 0x12, para: 0xff, zh: '读 SAM 编号' },
  reset_sam: { cmd: 0x10, para: 0xff, zh: '复位 SAM' },
} as const;

export type SamCommandName = keyof typeof SAM_COMMANDS;

export const SAM_COMMAND_NAMES = Object.keys(SAM_COMMANDS) as SamCommandName[];

/** The command name for CMD/PARA bytes, or null for a command this protocol does not define. */
export function commandName(cmd: number, para: number): SamCommandName | null {
  for (const name of SAM_COMMAND_NAMES) {
    const c = SAM_COMMANDS[name];
    if (c.cmd === cmd && c.para === para) return name;
  }
  return null;
}

export const SAM_STATUSES = {
  0x90: { name: 'ok', zh: '操作成功' },
  0x9f: { name: 'card_found', zh: '寻找证/卡成功' },
  0x80: { name: 'find_failed', zh: '寻找证/卡失败' },
  0x81: { name: 'select_failed', zh: '选取证/卡失败' },
  0x41: { name: 'read_failed', zh: '读证/卡操作失败' },
  0x10: { name: 'checksum_error', zh: '接收业务终端数据的校验和错' },
  0x11: { name: 'length_error', zh: '接收业务终端数据的长度错' },
  0x21: { name: 'unknown_command', zh: '接收业务终端的命令错误' },
  0x31: { name: 'card_authenticates_sam_failed', zh: '证/卡认证 SAM 失败' },
  0x32: { name: 'sam_authenticates_card_failed', zh: 'SAM 认证证/卡失败' },
  0x33: { name: 'information_check_failed', zh: '信息验证失败' },
  0x40: { name: 'unknown_card_type', zh: '无法识别的卡类型' },
  0x60: { name: 'sam_self_check_failed', zh: 'SAM 自检失败' },
  0x66: { name: 'sam_not_authorised', zh: 'SAM 未经授权' },
  0x91: { name: 'no_content', zh: '证/卡中此项无内容' },
} as const;

type StatusTable = typeof SAM_STATUSES;
export type SamStatusName = StatusTable[keyof StatusTable]['name'];

/** Every SW3 code the protocol names, in table order. */
export const SAM_STATUS_CODES = Object.keys(SAM_STATUSES).map(Number);

export interface SamStatusInfo {
  code: number;
  /** `0x90` */
  hex: string;
  /** A known status name, or `unknown (0xNN)`. */
  name: SamStatusName | `unknown (0x${string})`;
  known: boolean;
  zh: string;
}

export function hexByte(n: number): `0x${string}` {
  return `0x${(n & 0xff).toString(16).padStart(2, '0').toUpperCase()}`;
}

export function describeStatus(sw3: number): SamStatusInfo {
  const hex = hexByte(sw3);
  const entry = (SAM_STATUSES as Record<number, { name: SamStatusName; zh: string } | undefined>)[sw3 & 0xff];
  if (entry) return { code: sw3 & 0xff, hex, name: entry.name, known: true, zh: entry.zh };
  return { code: sw3 & 0xff, hex, name: `unknown (${hex})`, known: false, zh: `未知状态 (${hex})` };
}

export function describeCommand(cmd: number, para: number): { cmd: string; para: string; name: SamCommandName | `unknown (${string} ${string})`; known: boolean; zh: string } {
  const name = commandName(cmd, para);
  const c = hexByte(cmd);
  const p = hexByte(para);
  if (name) return { cmd: c, para: p, name, known: true, zh: SAM_COMMANDS[name].zh };
  return { cmd: c, para: p, name: `unknown (${c} ${p})`, known: false, zh: `未知命令 (${c} ${p})` };
}
