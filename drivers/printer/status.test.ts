import { describe, expect, it } from 'vitest';
import {
  encodePaperSensorStatus,
  encodeRealtimeStatus,
  healthOf,
  HEALTHY_STATUS,
  isRealtimeStatusByte,
  isTransmitStatusByte,
  parseRealtimeStatus,
  STATUS_QUERY,
  StatusFormatError,
  unreachableHealth,
  type PrinterStatus,
} from './status';

const status = (patch: Partial<PrinterStatus>): PrinterStatus => ({ ...HEALTHY_STATUS, ...patch });

describe('DLE EOT status', () => {
  it('asks DLE EOT 1, 2, 3, 4 in one write', () => {
    expect(Buffer.from(STATUS_QUERY).toString('hex')).toBe('100401100402100403100404');
  });

  it('parses replies of a healthy printer (fixed bits only)', () => {
    expect(parseRealtimeStatus([0x12, 0x12, 0x12, 0x12])).toEqual(HEALTHY_STATUS);
  });

  it('parses each documented bit', () => {
    expect(parseRealtimeStatus([0x1a, 0x12, 0x12, 0x12]).online).toBe(false); // n=1 bit 3
    expect(parseRealtimeStatus([0x12, 0x16, 0x12, 0x12]).coverOpen).toBe(true); // n=2 bit 2
    expect(parseRealtimeStatus([0x12, 0x1a, 0x12, 0x12]).feeding).toBe(true); // n=2 bit 3
    expect(parseRealtimeStatus([0x12, 0x32, 0x12, 0x12]).paperOut).toBe(true); // n=2 bit 5
    expect(parseRealtimeStatus([0x12, 0x12, 0x12, 0x72]).paperOut).toBe(true); // n=4 bits 5-6
    expect(parseRealtimeStatus([0x12, 0x12, 0x12, 0x1e]).paperNearEnd).toBe(true); // n=4 bits 2-3
    expect(parseRealtimeStatus([0x12, 0x12, 0x7a, 0x12]).errors).toEqual(['cutter', 'unrecoverable', 'auto-recoverable']);
  });

  it('refuses bytes that are not DLE EOT replies, with a reason', () => {
    expect(() => parseRealtimeStatus([0x12, 0x12, 0x12])).toThrow(StatusFormatError);
    expect(() => parseRealtimeStatus([0x12, 0x00, 0x12, 0x12])).toThrow('status byte 2 is 0x00, not a DLE EOT reply');
  });

  it('encodes every state back to bytes that parse to the same state', () => {
    const states: PrinterStatus[] = [
      HEALTHY_STATUS,
      status({ online: false, paperOut: true }),
      status({ online: false, coverOpen: true }),
      status({ paperNearEnd: true }),
      status({ online: false, errors: ['cutter', 'unrecoverable'] }),
      status({ online: false, feeding: true, errors: ['auto-recoverable'] }),
    ];
    for (const s of states) {
      const bytes = encodeRealtimeStatus(s);
      expect(bytes.every(isRealtimeStatusByte)).toBe(true);
      expect(parseRealtimeStatus(bytes)).toEqual(s);
    }
  });

  it('tells GS r replies from DLE EOT replies', () => {
    for (const s of [HEALTHY_STATUS, status({ paperNearEnd: true }), status({ paperOut: true })]) {
      const b = encodePaperSensorStatus(s);
      expect(isTransmitStatusByte(b)).toBe(true);
      expect(isRealtimeStatusByte(b)).toBe(false);
    }
    expect(isTransmitStatusByte(0x12)).toBe(false);
  });
});

describe('health for the clerk', () => {
  it('is ok and printable when all is well; near end is a printable warning', () => {
    expect(healthOf(HEALTHY_STATUS)).toMatchObject({ health: 'ok', printable: true, detail: '打印机正常' });
    expect(healthOf(status({ paperNearEnd: true }))).toMatchObject({ health: 'warning', printable: true });
  });

  it('says paper out in words a clerk understands and stops printing', () => {
    const h = healthOf(status({ online: false, paperOut: true, paperNearEnd: true }));
    expect(h).toMatchObject({ health: 'error', printable: false, detail: '打印机缺纸，回执已保存，换纸后自动补打' });
  });

  it('reports the most serious cause first', () => {
    expect(healthOf(status({ online: false, paperOut: true, coverOpen: true })).detail).toContain('纸仓盖未合上');
    expect(healthOf(status({ online: false, coverOpen: true, errors: ['unrecoverable'] })).detail).toContain('联系技术人员');
    expect(healthOf(status({ online: false, errors: ['cutter'] })).detail).toContain('切纸刀');
    expect(healthOf(status({ online: false, errors: ['auto-recoverable'] }))).toMatchObject({ health: 'warning', printable: false });
    expect(healthOf(status({ online: false }))).toMatchObject({ health: 'error', printable: false });
  });

  it('is absent when the printer does not answer or is disconnected', () => {
    expect(unreachableHealth('timeout')).toMatchObject({ health: 'absent', printable: false, status: null });
    expect(unreachableHealth('timeout').detail).toContain('无响应');
    expect(unreachableHealth('disconnected').detail).toContain('断开');
  });
});
