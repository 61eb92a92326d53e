import { describe, expect, it } from 'vitest';
import { commandName, describeCommand, describeStatus, hexByte, SAM_COMMANDS, SAM_STATUS_CODES } from './protocol';

describe('SAM statuses', () => {
  it.each([
    [0x90, 'ok'],
    [0x9f, 'card_found'],
    [0x80, 'find_failed'],
    [0x81, 'select_failed'],
    [0x41, 'read_failed'],
    [0x10, 'checksum_error'],
    [0x11, 'length_error'],
    [0x21, 'unknown_command'],
    [0x31, 'card_authenticates_sam_failed'],
    [0x32, 'sam_authenticates_card_failed'],
    [0x33, 'information_check_failed'],
    [0x40, 'unknown_card_type'],
    [0x60, 'sam_self_check_failed'],
    [0x66, 'sam_not_authorised'],
    [0x91, 'no_content'],
  ])('0x%s is %s', (code, name) => {
    const s = describeStatus(code);
    expect(s.name).toBe(name);
    expect(s.known).toBe(true);
    expect(s.zh.length).toBeGreaterThan(0);
  });

  it('names every code of the hardware note and nothing else', () => {
    expect(SAM_STATUS_CODES.sort((a, b) => a - b)).toEqual([0x10, 0x11, 0x21, 0x31, 0x32, 0x33, 0x40, 0x41, 0x60, 0x66, 0x80, 0x81, 0x90, 0x91, 0x9f]);
  });

  it('reports any other code as unknown with its hex value', () => {
    expect(describeStatus(0x47)).toEqual({ code: 0x47, hex: '0x47', name: 'unknown (0x47)', known: false, zh: '未知状态 (0x47)' });
    expect(describeStatus(0x0a).name).toBe('unknown (0x0A)');
  });

  it('formats bytes as 0xNN', () => {
    expect(hexByte(0x9f)).toBe('0x9F');
    expect(hexByte(0x1ff)).toBe('0xFF');
  });
});

describe('SAM commands', () => {
  it.each([
    ['find_card', 0x20, 0x01],
    ['select_card', 0x20, 0x02],
    ['read_basic', 0x30, 0x01],
    ['read_basic_fingerprint', 0x30, 0x10],
    ['read_appended_address', 0x30, 0x03],
    ['sam_status', 0x11, 0xff],
    ['sam_id', 0x12, 0xff],
    ['reset_sam', 0x10, 0xff],
  ] as const)('%s is %s %s', (name, cmd, para) => {
    expect(SAM_COMMANDS[name]).toMatchObject({ cmd, para });
    expect(commandName(cmd, para)).toBe(name);
  });

  it('describes unknown commands with both bytes', () => {
    expect(commandName(0x20, 0x03)).toBeNull();
    expect(describeCommand(0x20, 0x03)).toMatchObject({ name: 'unknown (0x20 0x03)', known: false });
    expect(describeCommand(0x20, 0x01)).toMatchObject({ name: 'find_card', cmd: '0x20', para: '0x01', zh: '寻卡' });
  });
});
